"""Settings: read from the environment in settings.py under one naming rule; a variable renamed
under the rule is still read by its former name, with a warning at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
    "[s.BEHIND_TLS_PROXY, str(s.STATIC_ROOT), s.EMAIL_BACKEND,"
    " s.RECEIPT_GLOBAL_FAILURES_PER_MINUTE, s.KEK, s.KEK_PREVIOUS]))"
)
RENAMED = {
    "BEHIND_TLS_PROXY": "REDRESS_BEHIND_TLS_PROXY",
    "REDRESS_STATIC_ROOT": "STATIC_ROOT",
    "REDRESS_EMAIL_BACKEND": "EMAIL_BACKEND",
    "REDRESS_RECEIPT_GLOBAL_FAILURES": "REDRESS_RECEIPT_GLOBAL_FAILURES_PER_MINUTE",
}


def start(tmp_path: Path, **variables: str) -> tuple[list[object], str]:
    """The settings a fresh process reads with ``variables`` set, and what it printed to stderr."""
    names = {*RENAMED, *RENAMED.values(), "REDRESS_KEK", "REDRESS_KEK_PREVIOUS", "DATABASE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in names}
    environment |= {"DJANGO_SETTINGS_MODULE": "redress.settings", "REDRESS_DATA_DIR": str(tmp_path)}
    finished = subprocess.run(
        [sys.executable, "-c", SHOW],
        env=environment | variables,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(finished.stdout), finished.stderr


def test_former_names_are_still_read_with_a_warning(tmp_path: Path) -> None:
    values, warnings = start(
        tmp_path,
        BEHIND_TLS_PROXY="1",
        REDRESS_STATIC_ROOT=str(tmp_path / "static"),
        REDRESS_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        REDRESS_RECEIPT_GLOBAL_FAILURES="40",
    )
    assert values[:4] == [
        True,
        str(tmp_path / "static"),
        "django.core.mail.backends.smtp.EmailBackend",
        40,
    ]
    for old, new in RENAMED.items():
        assert f"{old} is renamed {new}" in warnings


def test_the_new_name_wins_and_the_former_one_is_reported_as_ignored(tmp_path: Path) -> None:
    values, warnings = start(
        tmp_path,
        REDRESS_RECEIPT_GLOBAL_FAILURES="40",
        REDRESS_RECEIPT_GLOBAL_FAILURES_PER_MINUTE="50",
    )
    assert values[3] == 50
    assert "REDRESS_RECEIPT_GLOBAL_FAILURES is ignored" in warnings


def test_current_names_start_without_warnings(tmp_path: Path) -> None:
    values, warnings = start(
        tmp_path,
        REDRESS_BEHIND_TLS_PROXY="1",
        REDRESS_KEK="ab" * 32,
        REDRESS_KEK_PREVIOUS=f"{'cd' * 32}, {'ef' * 32}\n",
    )
    assert values[0] is True
    assert values[4:] == ["ab" * 32, ["cd" * 32, "ef" * 32]]
    assert "Warning" not in warnings


SOURCE = Path(__file__).resolve().parents[2] / "src" / "redress"
# Not configuration: the entry points choose the settings module, and two places hand the
# environment on to a child process (pg_dump, the upload sandbox).
NOT_CONFIGURATION = (
    'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")',
    "env = dict(os.environ)",
    "environment = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}",
)


def test_only_settings_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(SOURCE)}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        if path.name != "settings.py" or path.parent != SOURCE
        for line in path.read_text().splitlines()
        if ("os.environ" in line or "getenv" in line) and line.strip() not in NOT_CONFIGURATION
    ]
    assert readers == []


def test_no_setting_of_redress_own_has_the_prefix() -> None:
    from redress import settings

    assert [name for name in vars(settings) if name.startswith("REDRESS_")] == []
