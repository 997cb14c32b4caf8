"""A newcomer's first run: links and the demo's banner follow the demo's host and port, commands
say plainly when the data folder has no database, and the README names real commands and a
design document that is in the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REDRESS = str(Path(sys.executable).parent / "redress")
README = (ROOT / "README.md").read_text()

SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from redress.intake.contact import _link; "
    "from redress.demo.management.commands.demo import Command; "
    "print(s.SITE_URL); print(_link('public:report-recover', 'token')); print(Command()._summary())"
)


def environment(data: Path, **variables: str) -> dict[str, str]:
    dropped = {"DATABASE_URL", "REDRESS_SITE_URL", "REDRESS_DEMO_HOST", "REDRESS_DEMO_PORT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return (
        env
        | {"DJANGO_SETTINGS_MODULE": "redress.settings", "REDRESS_DATA_DIR": str(data)}
        | variables
    )


def shown(data: Path, **variables: str) -> list[str]:
    finished = subprocess.run(
        [sys.executable, "-c", SHOW],
        env=environment(data, **variables),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return finished.stdout.splitlines()


def test_emailed_links_and_the_banner_follow_the_demo_port(tmp_path: Path) -> None:
    site, link, *banner = shown(tmp_path, REDRESS_DEMO_PORT="8301")
    assert site == "http://127.0.0.1:8301"
    assert link.startswith("http://127.0.0.1:8301/")
    text = "\n".join(banner)
    assert "http://127.0.0.1:8301/staff/sign-in" in text
    assert ":8000" not in text
    # The demo in another data folder prints the command line that reaches it.
    assert f"REDRESS_DATA_DIR={tmp_path} .venv/bin/redress totp_code caseworker" in text
    assert f"{tmp_path}/mail/" in text


def test_an_ipv6_demo_host_is_bracketed_and_the_site_url_still_wins(tmp_path: Path) -> None:
    assert shown(tmp_path, REDRESS_DEMO_HOST="::1", REDRESS_DEMO_PORT="8302")[0] == (
        "http://[::1]:8302"
    )
    configured = shown(tmp_path, REDRESS_DEMO_PORT="8302", REDRESS_SITE_URL="https://x.example")
    assert configured[0] == "https://x.example"
    assert configured[1].startswith("https://x.example/")


def test_a_command_without_a_database_says_so_and_makes_no_folder(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    done = subprocess.run(
        [REDRESS, "totp_code", "caseworker"],
        env=environment(data),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"no database at {data}/redress.sqlite3; run `make demo` or `redress migrate` first"
    )
    assert "Traceback" not in done.stderr
    assert not data.exists()


def test_commands_that_need_no_database_still_run_without_one(tmp_path: Path) -> None:
    data = tmp_path / "elsewhere"
    for command in (["acknowledgement", "verifier"], ["totp_code", "--help"]):
        done = subprocess.run(
            [REDRESS, *command], env=environment(data), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert "no database" not in done.stderr


def test_a_folder_with_keys_but_no_tables_is_refused_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "redress.sqlite3").touch()
    done = subprocess.run(
        [REDRESS, "sweep"], env=environment(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"no database at {tmp_path}/redress.sqlite3;")


def test_every_command_the_readme_names_is_a_command(tmp_path: Path) -> None:
    listed = subprocess.run(
        [REDRESS, "--help"],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    commands = {line.strip() for line in listed.splitlines() if line.startswith("    ")}
    # `redress witness` runs before Django (cli.py), so Django's list does not hold it.
    commands.add("witness")
    # Commands as the README gives them: `redress NAME` and .venv/bin/redress NAME.
    named = set(re.findall(r"(?:`|bin/)redress ([a-z][a-z0-9_-]*)", README))
    assert named, "the README names no command"
    assert named <= commands, f"not commands: {sorted(named - commands)}"


def test_the_readme_says_where_mail_goes_and_points_to_the_design(tmp_path: Path) -> None:
    assert "`mail/` folder of the data folder" in " ".join(README.split())
    assert "[`docs/design.md`](docs/design.md)" in README
    assert "../shared" not in README
    design = (ROOT / "docs" / "design.md").read_text()
    assert 150 <= len(design.splitlines()) <= 300
    for topic in ("## People and roles", "## Journeys", "ledger", "## Escrow", "## The vault"):
        assert topic in design
