"""Who may read the statistics before publication: oversight. Figures carry no case content."""

from __future__ import annotations

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role

rule("reports.read")(has_any_role(Role.OVERSIGHT))

# The record of processing: kinds of data and rules, no personal data; for the data protection
# officer, who keeps it, and oversight, who answers for the scheme.
rule("processing.read")(has_any_role(Role.DATA_PROTECTION_OFFICER, Role.OVERSIGHT))
