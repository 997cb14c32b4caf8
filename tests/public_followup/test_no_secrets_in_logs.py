"""No log line carries a link's secret or a receipt code: a refused or mistyped recovery,
verification or escrow link makes Django log its path, and anyone reading the log could use it."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from redress.core.middleware import RedactSecretPaths, redact_path

pytestmark = pytest.mark.django_db

TOKEN = "q1Wz0Zr7hD3Kx_9vLm2NcB8aYt-5sP4fGj6uE0iRkOw"  # the shape of secrets.token_urlsafe(32)
CODE = "7K4QM-ZX2RT-9PWNB-H3CDV"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "path",
    [
        f"/check/recover/{TOKEN}",
        f"/check/verify-email/{TOKEN}",
        f"/escrow/confirm/{TOKEN}",
        f"/respond/open/{TOKEN}",
    ],
)
def test_a_refused_link_is_logged_without_its_secret(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get(path)
    assert response.status_code >= 400
    assert TOKEN not in logged(caplog)
    prefix = path.removesuffix(TOKEN)
    assert f"{prefix}…" in logged(caplog)  # the log still says what was asked for


def test_a_stale_form_on_a_recovery_link_is_logged_without_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.post(f"/check/recover/{TOKEN}")
    assert response.status_code == 403
    assert "Forbidden" in logged(caplog)  # django.security.csrf
    assert TOKEN not in logged(caplog)


@pytest.mark.parametrize(
    "path",
    [
        f"/check/recovr/{TOKEN}",  # a link mistyped or broken by a mail program
        f"/check/recover/{TOKEN[:20]}/x",
        f"/check/{CODE}",  # a receipt code put into an address
        f"/check/{CODE.replace('-', '').lower()}",
    ],
)
def test_a_page_not_found_is_logged_without_anything_like_a_secret(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert Client().get(path).status_code == 404
    assert "Not Found" in logged(caplog)
    assert TOKEN[:20] not in logged(caplog)
    assert CODE not in logged(caplog)
    assert CODE.replace("-", "").lower() not in logged(caplog)


def test_paths_without_secrets_are_logged_as_they_are() -> None:
    for path in ["/report/acknowledgement", "/staff/cases/RD-2027-0001/assignments/3/end"]:
        assert redact_path(f"Not Found: {path}") == f"Not Found: {path}"
    assert (
        redact_path('"GET /report/who?q=Smith HTTP/1.1" 200') == '"GET /report/who?… HTTP/1.1" 200'
    )


def test_the_server_log_line_is_redacted_too() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /check/recover/{TOKEN} HTTP/1.1", 400, 123),
        None,
    )
    assert RedactSecretPaths().filter(record)
    assert record.getMessage() == '"GET /check/recover/… HTTP/1.1" 400 123'
