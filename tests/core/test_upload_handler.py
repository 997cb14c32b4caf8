"""Uploads stay in memory (never an unencrypted temporary file), a file over 20 MB is refused in
the page with the other answers kept, and a request body over the limit is refused unread."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test import Client, RequestFactory
from pytest_django import Settings

from redress.accounts.models import Role
from redress.cases import actions as case_actions
from redress.cases.models import AssignmentRole, Attachment, Case, Category, Identity, Source
from redress.core.uploads import OversizedUpload
from redress.intake import filetypes, sandbox
from redress.intake.actions import answers_of
from redress.intake.models import Draft
from tests.factories import make_staff, sign_in
from tests.respond.conftest import START
from tests.respond.journey import Journey, open_link, reported

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
TOO_LARGE = "The file is larger than 20 MB"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def temp_dir(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty temporary directory that Django and ``tempfile`` would both write to."""
    fresh = tmp_path / "tmp"
    fresh.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(fresh)
    monkeypatch.setattr("tempfile.tempdir", str(fresh))
    return fresh


class Watch:
    """Wraps a view's ``clean``: what it was given and what the temporary directory held then."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: str, temp_dir: Path) -> None:
        self.sizes: list[int] = []
        self.temp_files: list[list[str]] = []
        original: Callable[..., sandbox.CleanedFile] = sandbox.clean

        def watched(data: bytes, **kwargs: Any) -> sandbox.CleanedFile:
            # The upload is still open here: Django's default would have it in a temporary file.
            self.sizes.append(len(data))
            self.temp_files.append(os.listdir(temp_dir))
            return original(data, **kwargs)

        monkeypatch.setattr(f"{module}.clean", watched)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def text_file(size: int, name: str = "notes.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"a" * size, content_type="text/plain")


def test_the_only_handler_keeps_files_in_memory(temp_dir: Path) -> None:
    assert settings.FILE_UPLOAD_HANDLERS == ["redress.core.uploads.MemoryOnlyUploadHandler"]
    body = b"x" * (3 * MB)
    request = RequestFactory().post(
        "/report/evidence", {"upload": "1", "file": SimpleUploadedFile("big.txt", body)}
    )
    upload = request.FILES["file"]
    assert type(upload) is InMemoryUploadedFile
    assert not hasattr(upload, "temporary_file_path")
    assert os.listdir(temp_dir) == []
    assert upload.size == len(body)
    assert upload.read() == body
    assert request.POST["upload"] == "1"


def test_a_3_mb_upload_never_creates_a_temporary_file(
    temp_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = Watch(monkeypatch, "redress.public.report", temp_dir)
    client = Client()
    client.get("/report/start")
    response = client.post("/report/evidence", {"upload": "1", "file": text_file(3 * MB)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert watch.sizes == [3 * MB]
    assert watch.temp_files == [[]]
    assert os.listdir(temp_dir) == []
    assert len(answers_of(Draft.objects.get())["evidence"]) == 1


def test_an_oversized_file_keeps_only_enough_to_be_refused(temp_dir: Path) -> None:
    size = filetypes.MAX_BYTES + 3 * MB
    request = RequestFactory().post("/report/evidence", {"file": text_file(size), "after": "kept"})
    upload = request.FILES["file"]
    assert isinstance(upload, OversizedUpload)
    assert upload.size == size
    assert len(upload.read()) == filetypes.MAX_BYTES + 1
    assert request.POST["after"] == "kept"  # a field after the file is still read
    assert os.listdir(temp_dir) == []


# Each place that takes uploads: a client there, the URL, the form fields, where the file is
# cleaned, and what it would have stored.


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


Place = tuple[Client, str, dict[str, str], str]


def wizard_place(request: pytest.FixtureRequest) -> Place:
    client = Client()
    client.get("/report/start")
    client.post("/report/what-happened", {"what_happened": "It happened in the lift."})
    return client, "/report/evidence", {"upload": "1", "keep_original": "on"}, "public.report"


def followup_place(request: pytest.FixtureRequest) -> Place:
    journey: Journey = request.getfixturevalue("journey")
    return journey.complainant, "/check/report", {"upload": "1"}, "public.followup"


def staff_place(request: pytest.FixtureRequest) -> Place:
    case = case_actions.receive(
        category=Category.BULLYING, identity=Identity.ANONYMOUS, narrative="It kept happening."
    )
    worker = make_staff("cw", Role.CASEWORKER)
    case_actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    client = Client()
    sign_in(client, worker)
    return (
        client,
        f"/staff/cases/{case.reference}/evidence",
        {"keep_original": "on"},
        "staff.casework",
    )


def respondent_place(request: pytest.FixtureRequest) -> Place:
    journey: Journey = request.getfixturevalue("journey")
    journey.to_investigation()
    journey.write_allegations()
    return open_link(journey.notify()), "/respond/", {"act": "evidence"}, "respond.views"


PLACES = [wizard_place, followup_place, staff_place, respondent_place]


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.__name__)
def test_an_oversized_file_is_refused_in_the_page_and_nothing_is_stored(
    place: Callable[[pytest.FixtureRequest], Place],
    request: pytest.FixtureRequest,
    temp_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, url, fields, module = place(request)
    watch = Watch(monkeypatch, f"redress.{module}", temp_dir)
    attachments, drafts, files = Attachment.objects.count(), Draft.objects.count(), stored_files()
    # The file first: the fields after it must still be read.
    response = client.post(url, {"file": text_file(filetypes.MAX_BYTES + MB), **fields})
    assert response.status_code == 400, response.content.decode()[:2000]
    assert TOO_LARGE in response.content.decode()
    assert watch.sizes == [filetypes.MAX_BYTES + 1]
    assert watch.temp_files == [[]]
    assert os.listdir(temp_dir) == []
    assert Attachment.objects.count() == attachments
    assert Draft.objects.count() == drafts
    assert stored_files() == files
    # Exactly at the limit is still taken, and so are the other answers.
    response = client.post(url, {"file": text_file(filetypes.MAX_BYTES), **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    if place is wizard_place:
        (answers,) = [answers_of(draft) for draft in Draft.objects.all()]
        assert answers["what_happened"] == "It happened in the lift."
        assert len(answers["evidence"]) == 1
    else:
        assert Attachment.objects.count() == attachments + 1


class CountingInput(io.RawIOBase):
    """A request body of ``size`` bytes that counts what is read of it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"-" * count
        self.read_bytes += count
        return count


@pytest.mark.parametrize("path", ["/report/evidence", "/staff/cases/RD-1/evidence", "/api/reports"])
def test_an_oversized_request_body_is_refused_unread(path: str) -> None:
    size = settings.UPLOAD_MAX_REQUEST_BYTES + 1
    assert settings.UPLOAD_MAX_REQUEST_BYTES == 5 * filetypes.MAX_BYTES + MB
    body = CountingInput(size)
    client = Client()
    client.get("/report/start")
    cases = Case.objects.count()
    response = client.generic(
        "POST",
        path,
        b"-",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")
        assert "too large" in response.json()["detail"]
    else:
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert "The files you sent are too large. Each file must be smaller than 20 MB." in page
    assert Case.objects.count() == cases
    assert Attachment.objects.filter(source=Source.COMPLAINANT).count() == 0


def test_more_files_than_a_request_may_carry_are_refused() -> None:
    client = Client()
    client.get("/report/start")
    files = [text_file(10, f"{n}.txt") for n in range(settings.UPLOAD_MAX_FILES + 1)]
    response = client.post("/report/evidence", {"upload": "1", "file": files})
    assert response.status_code == 400
    assert "There is a problem with your request" in response.content.decode()
    assert answers_of(Draft.objects.get()).get("evidence", []) == []
