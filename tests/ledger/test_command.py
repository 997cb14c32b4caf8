"""``redress ledger verify`` and ``redress ledger checkpoint [--export]``: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from redress.ledger.append import append
from tests.ledger.tampering import set_column

ROOT = Path(__file__).resolve().parents[2]


def fill(count: int) -> None:
    for n in range(count):
        append(actor="user:1", action="case.viewed", obj=f"case:R-{n}")


def run(*args: str) -> str:
    out = StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_verify_an_empty_ledger() -> None:
    chain, tree = run("verify").strip().splitlines()
    assert chain == "Ledger intact: 0 entries checked; no checkpoint yet"
    # The ledger.verified entry it records is the log's first.
    assert tree.startswith("Log intact: 1 entries; an append-only extension of 0 checkpoints")


@pytest.mark.django_db
def test_verify_reports_the_last_checkpoint() -> None:
    fill(3)
    assert run("checkpoint").startswith("Checkpoint signed at seq 3")
    fill(2)

    output = run("verify").strip().splitlines()[0]

    assert output.startswith("Ledger intact: 5 entries checked; last checkpoint seq 3 at 20")
    assert output.endswith("Z")


@pytest.mark.django_db
def test_verify_exits_1_naming_the_first_bad_entry() -> None:
    fill(4)
    set_column(2, "object", "case:R-elsewhere")
    out = StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("ledger", "verify", stdout=out)

    assert exit_.value.code == 1
    assert out.getvalue().strip() == "Ledger broken at seq 2: changed"


@pytest.mark.django_db
def test_checkpoint_with_nothing_new() -> None:
    assert run("checkpoint").startswith("No new entries")


@pytest.mark.django_db
def test_checkpoint_export_prints_json() -> None:
    with pytest.raises(CommandError, match="no checkpoint") as error:
        run("checkpoint", "--export")
    assert error.value.returncode == 1

    fill(2)
    run("checkpoint")
    exported = json.loads(run("checkpoint", "--export"))

    assert exported["seq"] == 2
    assert exported["algorithm"] == "Ed25519"
    assert {"hash", "time", "signature", "public_key"} <= set(exported)


@pytest.mark.django_db(transaction=True)
def test_the_redress_command_in_a_subprocess() -> None:
    fill(3)
    env = os.environ | {"DATABASE_URL": database_url()}
    command = [str(Path(sys.executable).with_name("redress")), "ledger", "verify"]

    intact = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    set_column(3, "actor", "user:2")
    broken = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)

    assert (intact.returncode, intact.stdout.strip().splitlines()[0]) == (
        0,
        "Ledger intact: 3 entries checked; no checkpoint yet",
    )
    assert intact.stderr == ""  # no progress line when stderr is not a terminal
    assert (broken.returncode, broken.stdout.strip()) == (1, "Ledger broken at seq 3: changed")


def database_url() -> str:
    """The test database, as a DATABASE_URL a child process can use."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))
