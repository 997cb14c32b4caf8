"""Who may take a report given by phone or in person: support advisers, who answer the phone
line and meet people, and caseworkers, whom reporters also call or meet first. Taking a report
opens nothing of it afterwards: the case's own rules decide who reads it."""

from __future__ import annotations

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role

rule("intake.take_report")(has_any_role(Role.SUPPORT_ADVISER, Role.CASEWORKER))
