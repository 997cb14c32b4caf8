"""Transparency figures from a seeded dataset equal hand-computed values; pages, CSV and the
annual report (PDF through WeasyPrint) carry them, with small cells hidden and the ledger
checkpoint stated."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Category, Identity, Stage
from redress.directory.models import Person, PersonKind
from redress.reports import periods, presentation, rendering
from redress.reports.figures import compute
from tests.cases.helpers import handler
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
SECRET = "Distinctive words from a narrative that must never be published"


@pytest.fixture
def seeded() -> None:
    """18 complaints received in 2025: 10 bullying about members (named), 6 harassment about
    staff (anonymous), 2 other about nobody in the directory (confidential). Ten bullying cases
    are acknowledged: five after 2 days, five after 4 days. One complaint from 2024 is outside."""
    member = Person.objects.create(identifier="M-1", name="Member One", kind=PersonKind.MEMBER)
    staff = Person.objects.create(identifier="S-1", name="Staff One", kind=PersonKind.STAFF)
    caseworker = handler(AssignmentRole.CASEWORKER)
    with time_machine.travel(MONDAY, tick=False) as clock:
        bullying = []
        for _ in range(10):
            case = actions.receive(
                category=Category.BULLYING,
                identity=Identity.NAMED,
                narrative=SECRET,
                respondent=member,
            )
            actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
            bullying.append(case)
        for _ in range(6):
            actions.receive(
                category=Category.HARASSMENT,
                identity=Identity.ANONYMOUS,
                narrative=SECRET,
                respondent=staff,
            )
        for _ in range(2):
            actions.receive(
                category=Category.OTHER, identity=Identity.CONFIDENTIAL, narrative=SECRET
            )
        clock.shift(dt.timedelta(days=2))
        for case in bullying[:5]:
            actions.transition(case, Stage.ACKNOWLEDGED, actor=caseworker, reasons="Read.")
        clock.shift(dt.timedelta(days=2))
        for case in bullying[5:]:
            actions.transition(case, Stage.ACKNOWLEDGED, actor=caseworker, reasons="Read.")
    with time_machine.travel(dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        actions.receive(category=Category.BULLYING, identity=Identity.NAMED, narrative=SECRET)


def test_figures_equal_the_hand_computed_values(seeded: None) -> None:
    figures = compute(*periods.year(2025))
    received = figures.table("received")
    # Grand total 18, bullying about members 10: both published. The two "other" complaints
    # are hidden, and so is enough else that they cannot be worked out.
    assert received.published.grid[-1][-1] == 18
    rows = [value for value, _label in received.rows]
    columns = [value for value, _label in received.columns]
    assert received.cell(rows.index("other"), columns.index("other")) is None
    for line in received.published.grid[:-1]:
        for value in line[:-1]:
            assert value is None or value >= 5
    identity = figures.table("identity")
    assert [identity.cell(i, 0) for i in range(3)] == [10, None, None]  # 6 hides to protect 2
    stages = figures.table("stages")
    stage_rows = [value for value, _label in stages.rows]
    # The nine empty stages are hidden; they would add up to nothing, showing they are empty,
    # so the 8 at "received" is withheld with them. The 10 acknowledged stay published.
    assert stages.cell(stage_rows.index("received"), 0) is None
    assert stages.cell(stage_rows.index("acknowledged"), 0) == 10
    acknowledgement = figures.timeliness[0]
    assert acknowledgement.cases == 10
    assert acknowledgement.p50 == pytest.approx(3.0)
    assert acknowledgement.p90 == pytest.approx(4.0)
    assert figures.timeliness[2].p50 is None  # nothing decided: not published
    acknowledge = next(d for d in figures.deadlines if d.key == "acknowledge")
    # 18 acknowledgements fell due on 10 March; the 10 made were on time; 8 were never made.
    assert (acknowledge.due, acknowledge.met) == (18, 10)
    assert figures.checkpoint is not None


def test_the_statistics_page_and_csv_are_for_oversight_only(seeded: None) -> None:
    client = Client()
    sign_in(client, make_staff("watcher", Role.OVERSIGHT))
    page = client.get("/staff/statistics?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "fewer than 5" in text
    assert "<svg" in text
    assert SECRET not in text
    assert "Member One" not in text
    csv = client.get("/staff/statistics.csv?year=2025")
    assert csv["Content-Type"].startswith("text/csv")
    assert "fewer than 5" in csv.content.decode()
    bad = client.get("/staff/statistics?year=nineteen")
    assert bad.status_code == 400
    assert "Enter the year as a number" in bad.content.decode()
    caseworker = Client()
    sign_in(caseworker, make_staff("cw", Role.CASEWORKER))
    assert caseworker.get("/staff/statistics?year=2025").status_code == 403


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)
def test_the_annual_report_renders_as_pdf_with_its_headline_figures(
    seeded: None, tmp_path: Path
) -> None:
    output = tmp_path / "report.pdf"
    call_command("report", year=2025, format="pdf", output=str(output))
    assert output.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(output), str(tmp_path / "page")],
        check=True,
    )
    assert list(tmp_path.glob("page*.png"))
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(output), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "annual report 2025" in text
    assert "18" in text
    assert "fewer than 5" in text
    assert "Computed at ledger checkpoint" in text
    assert SECRET not in text


def test_html_and_csv_formats(seeded: None) -> None:
    figures = compute(*periods.year(2025))
    html = rendering.render(figures, "html").decode()
    assert "<svg" in html
    assert f"checkpoint {figures.checkpoint.seq}" in html  # type: ignore[union-attr]
    rows = presentation.as_csv(figures).splitlines()
    assert rows[0] == "section,row,column,value"
    with pytest.raises(ValueError, match="unknown format"):
        rendering.render(figures, "docx")
