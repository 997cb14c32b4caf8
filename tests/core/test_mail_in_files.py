"""Mail kept in files: production refuses to start with it; the demo and a development machine
may, when they say so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.mail.backends.filebased import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from redress.core.checks import MAIL_IN_FILES, mail_kept_in_files

REDRESS = str(Path(sys.executable).parent / "redress")
ROOT = Path(__file__).resolve().parents[2]
FILES = "django.core.mail.backends.filebased.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class OwnFileBackend(EmailBackend):
    """A deployment's own backend that still writes files."""


def production(**more: object) -> override_settings:
    return override_settings(
        **{"EMAIL_BACKEND": FILES, "DEMO_MODE": False, "DEVELOPMENT": False, **more}
    )


def test_mail_in_files_is_an_error_in_production() -> None:
    with production():
        [error] = mail_kept_in_files()
    assert error.id == MAIL_IN_FILES
    assert "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in error.hint
    assert "REDRESS_DEVELOPMENT=1" in error.hint


def test_a_subclass_of_the_file_backend_is_mail_in_files_too() -> None:
    with production(EMAIL_BACKEND="tests.core.test_mail_in_files.OwnFileBackend"):
        assert [error.id for error in mail_kept_in_files()] == [MAIL_IN_FILES]


@pytest.mark.parametrize(
    "allowed",
    [{"DEMO_MODE": True}, {"DEVELOPMENT": True}, {"EMAIL_BACKEND": SMTP}],
    ids=["demo", "development", "smtp"],
)
def test_mail_in_files_is_allowed_in_the_demo_in_development_and_smtp_is(
    allowed: dict[str, object],
) -> None:
    with production(**allowed):
        assert mail_kept_in_files() == []


def test_check_deploy_reports_it() -> None:
    with production():
        ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert MAIL_IN_FILES in ids


def test_serve_and_the_worker_refuse_to_start_with_mail_in_files() -> None:
    with production(), pytest.raises(CommandError, match="REDRESS_DEVELOPMENT=1"):
        call_command("serve", "--no-worker", "--port", "1")
    with production(), pytest.raises(CommandError, match="EMAIL_BACKEND="):
        call_command("worker", "--once")


def clean_environment(data: Path, **more: str) -> dict[str, str]:
    """A production-like environment: no demo mode, no development flag, the default mail."""
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_BACKEND", "REDRESS_EMAIL_BACKEND")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and k not in ("REDRESS_DEMO_MODE", "REDRESS_DEVELOPMENT")
    }
    env.update(REDRESS_DATA_DIR=str(data), PYTHONPATH=str(ROOT), **more)
    return env


def redress(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REDRESS, *args],
        env=clean_environment(data, **env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_redress_serve_refuses_in_production_and_starts_nothing(tmp_path: Path) -> None:
    done = redress(tmp_path / "data", "serve", "--port", "1")
    assert done.returncode == 1
    assert "Mail would be written to files" in done.stderr
    assert "REDRESS_DEVELOPMENT=1" in done.stderr
    assert "Booting worker" not in done.stderr
