"""The annual report as a document: HTML, PDF (WeasyPrint) or CSV."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from redress.reports import presentation
from redress.reports.figures import Figures

FORMATS = ("html", "pdf", "csv")


def annual_html(figures: Figures) -> str:
    title = _("Complaints and outcomes: annual report %(year)s") % {"year": figures.start.year}
    context = presentation.context(figures) | {"title": title, "scheme": settings.SCHEME_NAME}
    return render_to_string("reports/annual.html", context)


def render(figures: Figures, fmt: str) -> bytes:
    """The report in ``fmt`` (html, pdf or csv)."""
    if fmt == "csv":
        return presentation.as_csv(figures).encode("utf-8")
    html = annual_html(figures)
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        from weasyprint import HTML  # imported here: heavy, and only the PDF needs it

        # PDF/UA-1: tagged, so a screen reader can follow its headings, tables and figures,
        # with its title and language in the document.
        return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
