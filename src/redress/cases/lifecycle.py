"""The case lifecycle as an explicit state machine: every allowed move is listed here, once.

received → acknowledged → assessed → (not taken forward | informal resolution | investigation)
→ findings → decision → appeal window → closed. A case never goes backwards and is never
deleted; closing needs a recorded decision and reasons. Which assigned role may make each move
is part of the table, so a transition is refused for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from redress.cases.models import AssignmentRole, Stage


@dataclass(frozen=True)
class Move:
    to: Stage
    # Assigned roles allowed to make this move.
    by: frozenset[AssignmentRole]
    # True when the move records the case's decision (and so needs one, with reasons).
    decides: bool = False


CASEWORKER = frozenset({AssignmentRole.CASEWORKER})
INVESTIGATOR = frozenset({AssignmentRole.INVESTIGATOR})
DECISION_MAKER = frozenset({AssignmentRole.DECISION_MAKER})

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
    Stage.APPEAL_WINDOW: (Move(Stage.CLOSED, CASEWORKER | DECISION_MAKER),),
    Stage.CLOSED: (),
}


def move(current: Stage | str, to: Stage | str) -> Move | None:
    """The move from ``current`` to ``to``, or None when the lifecycle does not allow it."""
    for candidate in MOVES[Stage(current)]:
        if candidate.to == Stage(to):
            return candidate
    return None


def next_stages(current: Stage | str) -> list[Stage]:
    return [m.to for m in MOVES[Stage(current)]]
