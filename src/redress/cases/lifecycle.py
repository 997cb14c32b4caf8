"""The case lifecycle as an explicit state machine: every allowed move is listed here, once.

received → acknowledged → assessed → (not taken forward | informal resolution | investigation)
→ findings → decision → appeal window → (appeal →) closed. A case never goes backwards and is
never deleted; closing needs a recorded decision and reasons. Who may make each move is part of
the table (an assigned role, or one of the parties for an appeal), so it is refused for anyone
else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from redress.cases.models import AssignmentRole, Stage

# The parties act through their own front doors, not through an assignment.
COMPLAINANT = "complainant"
RESPONDENT = "respondent"


@dataclass(frozen=True)
class Move:
    to: Stage
    # Assigned roles (or parties) allowed to make this move.
    by: frozenset[str]
    # True when the move records the case's decision (and so needs one, with reasons).
    decides: bool = False


CASEWORKER = frozenset({str(AssignmentRole.CASEWORKER)})
INVESTIGATOR = frozenset({str(AssignmentRole.INVESTIGATOR)})
DECISION_MAKER = frozenset({str(AssignmentRole.DECISION_MAKER)})
APPEALS_PANEL = frozenset({str(AssignmentRole.APPEALS_PANEL)})
PARTIES = frozenset({COMPLAINANT, RESPONDENT})

MOVES: dict[Stage, tuple[Move, ...]] = {
    Stage.RECEIVED: (Move(Stage.ACKNOWLEDGED, CASEWORKER),),
    Stage.ACKNOWLEDGED: (Move(Stage.ASSESSED, CASEWORKER),),
    Stage.ASSESSED: (
        Move(Stage.NOT_TAKEN_FORWARD, CASEWORKER | DECISION_MAKER, decides=True),
        Move(Stage.INFORMAL_RESOLUTION, CASEWORKER),
        Move(Stage.INVESTIGATION, CASEWORKER | DECISION_MAKER),
    ),
    Stage.NOT_TAKEN_FORWARD: (Move(Stage.CLOSED, CASEWORKER),),
    Stage.INFORMAL_RESOLUTION: (
        Move(Stage.CLOSED, CASEWORKER, decides=True),
        Move(Stage.INVESTIGATION, CASEWORKER | DECISION_MAKER),
    ),
    Stage.INVESTIGATION: (Move(Stage.FINDINGS, INVESTIGATOR),),
    Stage.FINDINGS: (Move(Stage.DECISION, DECISION_MAKER, decides=True),),
    Stage.DECISION: (Move(Stage.APPEAL_WINDOW, DECISION_MAKER),),
    Stage.APPEAL_WINDOW: (
        Move(Stage.CLOSED, CASEWORKER | DECISION_MAKER),
        Move(Stage.APPEAL, PARTIES),
    ),
    Stage.APPEAL: (Move(Stage.CLOSED, APPEALS_PANEL),),
    Stage.CLOSED: (),
}

# Stages in the order a case can pass them, for "has it got this far?" questions.
_ORDER = {stage: index for index, stage in enumerate(Stage)}


def move(current: Stage | str, to: Stage | str) -> Move | None:
    """The move from ``current`` to ``to``, or None when the lifecycle does not allow it."""
    for candidate in MOVES[Stage(current)]:
        if candidate.to == Stage(to):
            return candidate
    return None


def next_stages(current: Stage | str) -> list[Stage]:
    return [m.to for m in MOVES[Stage(current)]]


def order(stage: Stage | str) -> int:
    return _ORDER[Stage(stage)]


def label(actor_kind: str) -> str:
    """Words for who may make a move: a role's name, or one of the parties."""
    if actor_kind == COMPLAINANT:
        return _("the complainant")
    if actor_kind == RESPONDENT:
        return _("the respondent")
    return str(AssignmentRole(actor_kind).label).lower()
