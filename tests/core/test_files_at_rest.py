"""Files at rest: everything Redress makes in the data folder is its owner's alone (files 0600,
folders 0700), in `redress` processes as in production."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.core.test_mail_in_files import redress

# Real work in a fresh data folder, in `redress` processes as in production: the database and its
# WAL and shared memory, a report with evidence (uploads), a mail, and the keys all of it needs.
WORK = """
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from redress.cases.models import Case
from tests.intake.helpers import fill_report

client = Client()
fill_report(client)
upload = SimpleUploadedFile("note.txt", b"What I wrote down that night.", "text/plain")
assert client.post("/report/evidence?change=1", {"file": upload}).status_code == 302
assert client.post("/report/evidence?change=1", {"continue": "1"}).status_code == 302
assert client.post("/report/submit").headers["Location"] == "/report/sent"
assert Case.objects.get().attachments.count() == 1
assert mail.send_mail("Your report", "A link", None, ["someone@example.org"]) == 1
# SQLite removes the WAL and shared-memory files when the last connection closes: look while
# this one is open.
import json, pathlib, stat
from django.conf import settings
data = pathlib.Path(settings.DATA_DIR)
print(json.dumps({
    p.relative_to(data).as_posix(): [stat.S_IMODE(p.lstat().st_mode), p.is_dir()]
    for p in data.rglob("*")
}))
"""


def test_every_file_in_the_data_folder_is_the_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seen: dict[str, tuple[int, bool]] = {}
    for args in (["migrate", "-v", "0"], ["shell", "-c", WORK], ["worker", "--once"]):
        done = redress(data, *args, REDRESS_DEVELOPMENT="1")
        assert done.returncode == 0, (args, done.stderr[-3000:])
        if args[0] == "shell":
            seen |= {
                name: (mode, folder)
                for name, (mode, folder) in json.loads(done.stdout.splitlines()[-1]).items()
            }
    seen |= {
        path.relative_to(data).as_posix(): (stat.S_IMODE(path.lstat().st_mode), path.is_dir())
        for path in data.rglob("*")
    }
    seen["."] = (stat.S_IMODE(data.stat().st_mode), True)
    names = set(seen)
    assert {"redress.sqlite3", "redress.sqlite3-wal", "redress.sqlite3-shm"} <= names
    assert any(name.startswith("mail/") for name in names)
    assert any(name.startswith("uploads/vault/") for name in names)
    assert {"keys/django-secret-key", "keys/receipt-hmac.key", "keys/ledger-signing.key"} <= names
    assert any(name.startswith("keys/kek/") for name in names)
    wrong = {
        name: oct(mode)
        for name, (mode, folder) in seen.items()
        if mode != (0o700 if folder else 0o600)
    }
    assert wrong == {}
