"""Who sees what retention will delete and places legal holds: oversight. The pages show
references, categories and outcomes only, never a case's content."""

from __future__ import annotations

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role

rule("retention.manage")(has_any_role(Role.OVERSIGHT))
