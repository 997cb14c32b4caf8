"""Who works the helpline: support advisers, and only they. An adviser sees a request, who
asked, the stage in words and what support was asked for; never the allegations, the evidence
or the case file, which stay behind the case's own rules. Oversight sees counts only."""

from __future__ import annotations

from typing import Any

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role, User
from redress.cases.models import DirectoryLink
from redress.helpline.models import SupportRequest

adviser = has_any_role(Role.SUPPORT_ADVISER)

rule("helpline.queue")(adviser)
# Oversight sees how the helpline keeps up, in numbers only.
rule("helpline.counts")(has_any_role(Role.OVERSIGHT))


def may_answer(user: Any, request: SupportRequest) -> bool:
    """Any support adviser answers any request, except one about a case in which they are the
    person complained about. What the acts check; the pages check sign-in too."""
    if not isinstance(user, User) or not user.is_active or not user.has_role(Role.SUPPORT_ADVISER):
        return False
    respondent = request.case.respondent_id
    return (
        respondent is None
        or not DirectoryLink.objects.filter(user=user, person_id=respondent).exists()
    )


@rule("helpline.request")
def may_open(actor: Any, obj: Any) -> bool:
    """An adviser may open a request they may answer; asked with no request (one that does not
    exist), an adviser is told so and anyone else learns nothing."""
    if not adviser(actor, obj):
        return False
    return obj is None or (isinstance(obj, SupportRequest) and may_answer(actor, obj))
