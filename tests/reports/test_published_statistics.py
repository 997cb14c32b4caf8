"""The published statistics: anyone may read them, without signing in or JavaScript, with the
annual report's suppressed figures; tables add only like with like; chart labels wrap; the
annual PDF is tagged and titled."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from redress.ledger.models import Checkpoint
from redress.reports import periods, presentation, rendering
from redress.reports.charts import bar_chart
from redress.reports.figures import compute
from tests.reports.test_figures import SECRET, seeded  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_figures_without_signing_in_and_nothing_is_signed(
    seeded: None,  # noqa: F811
) -> None:
    before = Checkpoint.objects.count()
    page = Client().get("/statistics?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Complaints in figures" in text
    assert "Complaints received, by category and who they were about" in text
    assert "<svg" in text  # charts drawn on the server
    assert "<script" not in text.split("</main>")[0].split("<main")[1]  # none needed
    assert SECRET not in text
    assert Checkpoint.objects.count() == before  # a stranger's visit signs nothing
    # The same figures as the annual report, small cells hidden the same way.
    published = presentation.context(compute(*periods.year(2025), sign=False))
    for item in published["tables"]:
        for row in item["rows"]:
            for cell in row["cells"]:
                assert cell.replace("“", "").replace("”", "") in text.replace("&#x27;", "'")


def test_the_start_page_and_every_footer_link_to_the_figures() -> None:
    for path in ("/", "/privacy", "/check"):
        assert 'href="/statistics"' in Client().get(path).content.decode()


def test_a_bad_year_is_answered_in_the_page_with_what_was_typed() -> None:
    page = Client().get("/statistics?year=twenty")
    assert page.status_code == 400
    text = page.content.decode()
    assert "Enter the year as a number, for example 2026" in text
    assert 'value="twenty"' in text
    assert "govuk-error-summary" in text
    assert Client().get("/statistics.csv?year=1850").status_code == 400


def test_the_csv_download_adds_only_like_with_like(seeded: None) -> None:  # noqa: F811
    response = Client().get("/statistics.csv?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="statistics-2025.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "row", "column", "value"]
    other = [r for r in rows if r[0] == "Escrow entries and vetting checks"]
    assert {r[1] for r in other} == {
        "Escrow entries lodged",
        "Escrow entries matched",
        "Vetting checks made",
    }
    assert all(r[2] != "Total" for r in other)  # no sum of different things
    # A table of one measure gives each row once, not again under "Total".
    identity = [r for r in rows if r[0].startswith("Complaints received, by how")]
    assert {r[2] for r in identity} == {"Complaints"}
    assert [r[3] for r in identity if r[1] == "Total"] == ["18"]


def test_the_page_tables_show_no_total_of_different_things(seeded: None) -> None:  # noqa: F811
    text = Client().get("/statistics?year=2025").content.decode()
    other = text.split("Escrow entries and vetting checks</h2>")[1].split("</table>")[0]
    assert "Total" not in other
    identity = text.split("by how the complainant chose to be known</h2>")[1].split("</table>")[0]
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', identity)
    assert headings == ["Complaints"]


def test_long_chart_labels_wrap_whole_onto_lines_of_their_own() -> None:
    label = "Substantive answer to the complainant about what happened next"
    chart = bar_chart("Deadlines", [(label, 50.0, "50%"), ("Decision", 10.0, "10%")])
    first, second = chart.bars
    assert " ".join(first.lines) == label  # nothing cut
    assert len(first.lines) > 1
    assert second.y >= first.y + first.height  # the next row starts below every line
    assert chart.height >= sum(bar.height for bar in chart.bars)
    assert "…" not in "".join(first.lines)


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs pdfinfo (poppler-utils)")
def test_the_annual_pdf_is_tagged_with_a_title_and_a_capitalised_subtitle(
    seeded: None,  # noqa: F811
    tmp_path: Path,
) -> None:
    pdf = tmp_path / "annual.pdf"
    pdf.write_bytes(rendering.render(compute(*periods.year(2025), sign=False), "pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE)
    assert re.search(r"^Title:\s+Complaints and outcomes: annual report 2025$", info.stdout, re.M)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "The Independent Complaints Scheme" in text
    assert "Substantive answer to the" in text  # the long chart label, whole
