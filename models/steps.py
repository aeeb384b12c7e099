"""The four steps' states: not started, in progress, settled; and whether the partners' pre-work
for a step has been revealed in the room."""

from __future__ import annotations

from sqlmodel import Session, select

from models import changes
from models.clock import utcnow
from models.kept import kept
from models.schema import Step, StepState, StepStatus
from models.validation import Invalid


@kept
def step_states(session: Session, workshop_id: int) -> dict[Step, StepState]:
    rows = session.exec(select(StepState).where(StepState.workshop_id == workshop_id)).all()
    return {row.step: row for row in rows}


def set_status(session: Session, *, workshop_id: int, step: Step, status: StepStatus,
               actor: str) -> StepState:
    """The facilitator may move on with a step unsettled; its open items go to the summary."""
    row = _state(session, workshop_id, step)
    if row.status == status:
        return row
    return changes.update(session, row, {"status": status}, actor=actor, workshop_id=workshop_id)


def mark_started(session: Session, *, workshop_id: int, step: Step, actor: str) -> None:
    """The first thing recorded in a step puts it in progress."""
    row = _state(session, workshop_id, step)
    if row.status == StepStatus.NOT_STARTED:
        changes.update(session, row, {"status": StepStatus.IN_PROGRESS}, actor=actor,
                       workshop_id=workshop_id)


def reveal(session: Session, *, workshop_id: int, step: Step, actor: str) -> StepState:
    """Show the partners' pre-work for this step in the room, which starts the step. Once
    shown, it stays shown."""
    row = _state(session, workshop_id, step)
    if row.revealed_at is not None:
        return row
    values: dict = {"revealed_at": utcnow()}
    if row.status == StepStatus.NOT_STARTED:
        values["status"] = StepStatus.IN_PROGRESS
    return changes.update(session, row, values, actor=actor, workshop_id=workshop_id)


def is_revealed(session: Session, workshop_id: int, step: Step) -> bool:
    """Whether the step's pre-work is on the wall; raises Invalid when the workshop is gone."""
    state = step_states(session, workshop_id).get(step)
    if state is None:
        raise Invalid({"form": "This workshop was removed a moment ago."})
    return state.revealed_at is not None


def revealed_steps(session: Session, workshop_id: int) -> set[Step]:
    return {step for step, state in step_states(session, workshop_id).items()
            if state.revealed_at is not None}


def _state(session: Session, workshop_id: int, step: Step) -> StepState:
    row = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                               StepState.step == step)).first()
    if row is None:
        raise Invalid({"form": "This workshop was removed a moment ago."})
    return row
