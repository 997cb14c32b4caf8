"""The record of processing for the data protection officer and oversight, as a page and a CSV.

The record is built from the configuration in force (``reports.processing``); these views only
show it. It names kinds of data and rules, never a person, so reading it is not ledgered.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from redress.accounts.access import requires
from redress.reports import access as _access  # noqa: F401  (registers the processing.read rule)
from redress.reports.processing import Record, backups, build


@requires("processing.read")
@require_GET
def record(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/processing.html", {"record": build(), "backups": backups()})


def as_csv(record: Record, backup_rule: str) -> str:
    """One row per fact (activity, heading, value), so the record diffs cleanly between versions."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Activity"), _("Heading"), _("Value")])
    writer.writerow(["", _("Controller"), record.controller])
    writer.writerow(["", _("Lawful basis"), record.lawful_basis])
    writer.writerow(["", _("Database"), record.database])
    writer.writerow(["", _("Data folder"), record.data_folder])
    writer.writerow(["", _("Backups"), backup_rule])
    for activity in record.activities:
        writer.writerow([activity.name, _("Purpose"), activity.purpose])
        writer.writerow([activity.name, _("Whose data"), activity.subjects])
        for item in activity.categories:
            writer.writerow([activity.name, _("Category of data"), item])
        for what, period in activity.retention:
            writer.writerow([activity.name, _("Kept for"), f"{what}: {period}"])
        for item in activity.recipients:
            writer.writerow([activity.name, _("Recipient"), item])
        for item in activity.security:
            writer.writerow([activity.name, _("Security"), item])
        for table in activity.tables:
            writer.writerow([activity.name, _("Held in table"), table])
    return out.getvalue()


@requires("processing.read")
@require_GET
def record_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(as_csv(build(), backups()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="redress-record-of-processing.csv"'
    return response
