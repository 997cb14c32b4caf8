"""The outside-bodies page (EU Directive 2019/1937, Art. 9(1)(g)): anyone can find out how to
report to the police, a regulator or another body, from the start page, without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_start_page_and_the_footer_lead_to_it(client: Client) -> None:
    start = client.get("/").content.decode()
    assert start.count('href="/outside-bodies"') == 2  # in the page and in the footer


def test_the_default_bodies_are_listed_with_how_to_reach_them(client: Client) -> None:
    response = client.get("/outside-bodies")
    assert response.status_code == 200
    body = response.content.decode()
    for words in (
        "The police",
        "101",
        "999",
        "Acas",
        "The Equality Advisory and Support Service",
        "The Information Commissioner&#x27;s Office",
    ):
        assert words in body
    # Nothing on it needs a script: every script is the site's own module, none inline.
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", body))


def test_the_scheme_sets_its_own_list_escaped_and_in_welsh(
    client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.OUTSIDE_BODIES = [  # type: ignore[attr-defined]
        {
            "name": "The Independent Expert Panel <b>",
            "deals_with": "Complaints about members",
            "deals_with_cy": "Cwynion am aelodau",
            "contact": "Write to the panel",
            "url": "https://example.org/panel",
        }
    ]
    body = client.get("/outside-bodies").content.decode()
    assert "The Independent Expert Panel &lt;b&gt;" in body
    assert "Complaints about members" in body
    assert 'href="https://example.org/panel"' in body
    assert "Acas" not in body  # the scheme's list replaces the defaults
    client.cookies["django_language"] = "cy"
    welsh = client.get("/outside-bodies").content.decode()
    assert "Cwynion am aelodau" in welsh
    assert "Rhoi gwybod i gyrff eraill" in welsh


def test_the_default_bodies_are_in_welsh(client: Client) -> None:
    client.cookies["django_language"] = "cy"
    body = client.get("/outside-bodies").content.decode()
    assert "Yr heddlu" in body
    assert "Swyddfa&#x27;r Comisiynydd Gwybodaeth" in body
