"""Independence: conflict rules refuse exactly the conflicted assignments, each with its reason."""

from __future__ import annotations

import pytest

from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import Assignment, AssignmentRole, DirectoryLink
from redress.directory.models import Office, Party, Person, PersonKind
from redress.ledger.models import Entry
from tests.cases.helpers import handler, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    red, blue = Party.objects.create(name="Red"), Party.objects.create(name="Blue")
    north, south = Office.objects.create(name="North"), Office.objects.create(name="South")
    boss = Person.objects.create(identifier="P-BOSS", name="Avery Boss", kind=PersonKind.STAFF)
    respondent = Person.objects.create(
        identifier="P-RESP",
        name="Robin Respondent",
        kind=PersonKind.MEMBER,
        party=red,
        office=north,
        line_manager=boss,
    )
    return {
        "red": red,
        "blue": blue,
        "north": north,
        "south": south,
        "boss": boss,
        "respondent": respondent,
    }


def _staff_with_entry(**fields: object):  # type: ignore[no-untyped-def]
    user = handler(AssignmentRole.INVESTIGATOR)
    defaults: dict[str, object] = {"kind": PersonKind.STAFF}
    defaults.update(fields)
    person = Person.objects.create(identifier=f"S-{user.pk}", name=f"Staff {user.pk}", **defaults)
    DirectoryLink.objects.create(user=user, person=person)
    return user, person


CASES = {
    "same party": ({"party": "red"}, "party"),
    "same office": ({"office": "north"}, "office"),
    "a member": ({"kind": PersonKind.MEMBER, "party": "blue"}, "Members and party officials"),
    "a party official": ({"kind": PersonKind.PARTY_OFFICIAL}, "Members and party officials"),
    "other party and office": ({"party": "blue", "office": "south"}, None),
    "no ties at all": ({}, None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_ties_refuse_exactly_the_conflicted(world: dict[str, object], name: str) -> None:
    ties, reason = CASES[name]
    fields = {
        key: world[value] if isinstance(value, str) and value in world else value
        for key, value in ties.items()
    }
    user, _person = _staff_with_entry(**fields)
    case = new_case(respondent=world["respondent"])  # type: ignore[arg-type]
    before = Entry.objects.count()
    if reason is None:
        actions.assign(case, user, AssignmentRole.INVESTIGATOR, actor="system:test")
        assert Assignment.objects.filter(case=case, user=user).exists()
    else:
        with pytest.raises(CaseError, match=reason):
            actions.assign(case, user, AssignmentRole.INVESTIGATOR, actor="system:test")
        assert not Assignment.objects.filter(case=case, user=user).exists()
        assert Entry.objects.count() == before


def test_line_management_both_ways(world: dict[str, object]) -> None:
    respondent = world["respondent"]
    case = new_case(respondent=respondent)  # type: ignore[arg-type]
    manager = handler(AssignmentRole.INVESTIGATOR)
    DirectoryLink.objects.create(user=manager, person=world["boss"])  # type: ignore[misc]
    with pytest.raises(CaseError, match="They manage the respondent"):
        actions.assign(case, manager, AssignmentRole.INVESTIGATOR, actor="system:test")
    report, _ = _staff_with_entry(line_manager=respondent)
    with pytest.raises(CaseError, match="The respondent manages them"):
        actions.assign(case, report, AssignmentRole.INVESTIGATOR, actor="system:test")


def test_the_respondent_and_people_named_in_the_case(world: dict[str, object]) -> None:
    respondent = world["respondent"]
    case = new_case(respondent=respondent)  # type: ignore[arg-type]
    witness_user, witness = _staff_with_entry(party=world["blue"])
    case.named_people.add(witness)
    with pytest.raises(CaseError, match="named in the case"):
        actions.assign(case, witness_user, AssignmentRole.INVESTIGATOR, actor="system:test")
    same_user = handler(AssignmentRole.INVESTIGATOR)
    DirectoryLink.objects.create(user=same_user, person=respondent)  # type: ignore[misc]
    with pytest.raises(CaseError, match="They are the respondent"):
        actions.assign(case, same_user, AssignmentRole.INVESTIGATOR, actor="system:test")


@pytest.mark.parametrize("declared", ["person", "party", "office"])
def test_declared_conflicts_count(world: dict[str, object], declared: str) -> None:
    case = new_case(respondent=world["respondent"])  # type: ignore[arg-type]
    user = handler(AssignmentRole.INVESTIGATOR)
    target = {"person": world["respondent"], "party": world["red"], "office": world["north"]}[
        declared
    ]
    actions.declare_conflict(user, reason="We were at school together.", **{declared: target})
    with pytest.raises(CaseError, match="declared a conflict"):
        actions.assign(case, user, AssignmentRole.INVESTIGATOR, actor="system:test")
    # A declaration about another party does not touch this case.
    other = handler(AssignmentRole.INVESTIGATOR)
    actions.declare_conflict(other, reason="Former employer.", party=world["blue"])  # type: ignore[arg-type]
    actions.assign(case, other, AssignmentRole.INVESTIGATOR, actor="system:test")


def test_a_declaration_must_name_someone_and_say_why() -> None:
    user = handler(AssignmentRole.CASEWORKER)
    with pytest.raises(CaseError, match="Choose"):
        actions.declare_conflict(user, reason="Because.")
    with pytest.raises(CaseError, match="why"):
        actions.declare_conflict(user, reason=" ", party=Party.objects.create(name="Green"))


def test_only_the_case_handlers_assign_and_a_caseworker_may_take_an_unassigned_case() -> None:
    case = new_case()
    first = handler(AssignmentRole.CASEWORKER)
    second = handler(AssignmentRole.CASEWORKER)
    investigator = handler(AssignmentRole.INVESTIGATOR)
    with pytest.raises(CaseError, match="Only the case's assigned"):
        actions.assign(case, investigator, AssignmentRole.INVESTIGATOR, actor=first)
    actions.assign(case, first, AssignmentRole.CASEWORKER, actor=first)  # takes it
    with pytest.raises(CaseError, match="Only the case's assigned"):
        actions.assign(case, second, AssignmentRole.CASEWORKER, actor=second)  # already taken
    actions.assign(case, investigator, AssignmentRole.INVESTIGATOR, actor=first)
    assert set(case.assignments.values_list("role", flat=True)) == {"caseworker", "investigator"}


def test_a_member_or_party_official_sees_no_case_even_if_assigned() -> None:
    from redress.cases.access import cases_for
    from redress.cases.models import Assignment

    case = new_case()
    for kind in (PersonKind.MEMBER, PersonKind.PARTY_OFFICIAL):
        user, _person = _staff_with_entry(kind=kind)
        # Forced past the action's refusal, as a corrupt or old row might be.
        Assignment.objects.create(case=case, user=user, role=AssignmentRole.INVESTIGATOR)
        user.is_verified = lambda: True  # type: ignore[attr-defined]
        assert list(cases_for(user)) == []
