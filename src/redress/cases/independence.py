"""Independence: who may not handle a case, and why.

A handler is refused for a case when their directory entry shares the respondent's party or
office, when one manages the other, when they are the respondent or named in the case, when they
are a member or a party official, or when they declared a conflict with the respondent, the
respondent's party or office. Each refusal comes with its reason, in words.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases.models import Case, ConflictDeclaration, DirectoryLink
from redress.directory.models import Person, PersonKind


def directory_entry(user: User) -> Person | None:
    link = DirectoryLink.objects.filter(user=user).select_related("person").first()
    return link.person if link else None


def conflicts(user: User, case: Case) -> list[str]:
    """Every reason ``user`` may not handle ``case``; empty when they may."""
    reasons: list[str] = []
    own = directory_entry(user)
    respondent = case.respondent
    named = set(case.named_people.values_list("pk", flat=True)) if case.pk else set()
    if own is not None:
        if own.kind in (PersonKind.MEMBER, PersonKind.PARTY_OFFICIAL):
            reasons.append(_("Members and party officials cannot handle complaints."))
        if respondent is not None and own.pk == respondent.pk:
            reasons.append(_("They are the respondent."))
        if own.pk in named:
            reasons.append(_("They are named in the case."))
        if respondent is not None and own.pk != respondent.pk:
            if own.party_id is not None and own.party_id == respondent.party_id:
                reasons.append(_("They belong to the respondent's party."))
            if own.office_id is not None and own.office_id == respondent.office_id:
                reasons.append(_("They work in the respondent's office."))
            if respondent.line_manager_id == own.pk:
                reasons.append(_("They manage the respondent."))
            if own.line_manager_id == respondent.pk:
                reasons.append(_("The respondent manages them."))
    if respondent is not None:
        declared = ConflictDeclaration.objects.filter(
            Q(person=respondent)
            | Q(party__isnull=False, party_id=respondent.party_id)
            | Q(office__isnull=False, office_id=respondent.office_id),
            user=user,
            withdrawn_at__isnull=True,
        )
        if declared.exists():
            reasons.append(_("They declared a conflict of interest with the respondent."))
    return reasons
