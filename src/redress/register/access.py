"""Who may review the whole sanctions register: oversight. Vetting officers ask about one person
at a time, for a stated purpose (``vetting``); a page of every finding would bypass that."""

from __future__ import annotations

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role

rule("register.review")(has_any_role(Role.OVERSIGHT))
