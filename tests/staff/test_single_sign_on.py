"""Single sign-on is off unless configured, and refuses a configuration it cannot trust."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_its_routes_answer_404_and_the_page_offers_no_button_when_off(client: Client) -> None:
    assert client.get("/staff/sign-in/provider").status_code == 404
    assert client.get("/staff/sign-in/provider/callback?code=x&state=y").status_code == 404
    assert b"sign-in/provider" not in client.get("/staff/sign-in").content


def test_the_button_is_offered_when_configured(client: Client, settings: object) -> None:
    settings.OIDC_ISSUER = "https://id.example.org"  # type: ignore[attr-defined]
    settings.OIDC_PROVIDER_NAME = "Example Council"  # type: ignore[attr-defined]
    page = client.get("/staff/sign-in?next=/staff/cases").content.decode()
    assert 'href="/staff/sign-in/provider?next=%2Fstaff%2Fcases"' in page
    assert "Sign in with Example Council" in page


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REDRESS_OIDC_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "redress.settings", "REDRESS_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment | variables,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"REDRESS_OIDC_ISSUER": "https://id.example.org"}, "REDRESS_OIDC_CLIENT_ID"),
        (
            {
                "REDRESS_OIDC_ISSUER": "http://id.example.org",
                "REDRESS_OIDC_CLIENT_ID": "redress",
                "REDRESS_OIDC_CLIENT_SECRET": "s",
            },
            "must be an https:// address",
        ),
        (
            {
                "REDRESS_OIDC_ISSUER": "http://localhost.example.org",
                "REDRESS_OIDC_CLIENT_ID": "redress",
                "REDRESS_OIDC_CLIENT_SECRET": "s",
            },
            "must be an https:// address",
        ),
    ],
)
def test_a_configuration_it_cannot_trust_stops_the_start(
    tmp_path: Path, variables: dict[str, str], complaint: str
) -> None:
    started = _start(tmp_path, **variables)
    assert started.returncode != 0
    assert complaint in started.stderr


def test_a_whole_configuration_is_read_under_the_naming_rule(tmp_path: Path) -> None:
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.OIDC_ISSUER, s.OIDC_CLIENT_ID, s.OIDC_PROVIDER_NAME, s.OIDC_TRUSTED_AMR, "
        "s.AUTHENTICATION_BACKENDS[-1])"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REDRESS_OIDC_")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "redress.settings",
        "REDRESS_DATA_DIR": str(tmp_path),
        "REDRESS_OIDC_ISSUER": "https://id.example.org",
        "REDRESS_OIDC_CLIENT_ID": "redress",
        "REDRESS_OIDC_CLIENT_SECRET": "secret",
        "REDRESS_OIDC_PROVIDER_NAME": "Example Council",
        "REDRESS_OIDC_TRUSTED_AMR": "mfa, hwk",
    }
    shown = subprocess.run(
        [sys.executable, "-c", show], env=environment, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split(" ", 3)[:3] == ["https://id.example.org", "redress", "Example"]
    assert "['mfa', 'hwk'] redress.staff.single_sign_on.ProviderBackend" in shown.stdout


def test_the_button_and_the_refusals_read_in_welsh(client: Client, settings: object) -> None:
    from django.utils import translation

    from redress.accounts.identities import Refused
    from redress.staff.single_sign_on import REFUSALS, _refusal_message

    settings.OIDC_ISSUER = "https://id.example.org"  # type: ignore[attr-defined]
    settings.OIDC_PROVIDER_NAME = "Cyngor Enghraifft"  # type: ignore[attr-defined]
    with translation.override("en"):
        english = {reason: _refusal_message(reason) for reason in REFUSALS}
    with translation.override("cy"):
        assert _refusal_message(Refused.NO_ACCOUNT).startswith("Nid oes cyfrif yma")
        for reason in REFUSALS:
            assert "Cyngor Enghraifft" in _refusal_message(reason)
            assert _refusal_message(reason) != english[reason]
    client.get("/language/cy?next=/staff/sign-in")
    assert "Mewngofnodi gyda Cyngor Enghraifft" in client.get("/staff/sign-in").content.decode()
