"""Who handles subject access, erasure and rectification requests: data protection officers.

Any officer of the scheme may open any request (they answer them as a team); the second
person's approval is enforced by the act itself, not here."""

from __future__ import annotations

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role

rule("subjectaccess.manage")(has_any_role(Role.DATA_PROTECTION_OFFICER))
