"""The four steps' states and the reveal of the partners' pre-work: moving a step on, putting it
in progress with the first thing recorded or with the reveal, and a reveal that happens once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from models import setup, steps
from models.db import reading, writing
from models.schema import AuditEvent, Step, StepStatus
from models.validation import Invalid
from tests.conftest import Template, copy_of, template_database

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
]


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory) -> tuple[Template, int]:
    return template_database(backend, tmp_path_factory, lambda session: setup.create_workshop(
        session, partners=PARTNERS, actor="facilitator",
        workshop={"name": "Spring workshop", "held_on": "2027-03-04"}).id)


@pytest.fixture
def engine(template, tmp_path) -> Iterator[Engine]:
    """Each test works on its own copy of the module's template database."""
    yield from copy_of(template[0], tmp_path)


@pytest.fixture
def workshop_id(template) -> int:
    return template[1]


def _states(engine, workshop_id: int) -> dict[Step, tuple]:
    with reading(engine) as session:
        return {step: (row.status, row.version, row.revealed_at)
                for step, row in steps.step_states(session, workshop_id).items()}


def _audits(engine, entity: str = "stepstate") -> int:
    with reading(engine) as session:
        return session.exec(select(func.count(AuditEvent.id))
                            .where(AuditEvent.entity == entity)).one()


def test_a_new_workshop_has_four_steps_not_started_and_not_revealed(engine, workshop_id):
    assert _states(engine, workshop_id) == {step: (StepStatus.NOT_STARTED, 1, None)
                                            for step in Step}


def test_set_status_moves_one_step_and_audits_it(engine, workshop_id):
    with writing(engine) as session:
        row = steps.set_status(session, workshop_id=workshop_id, step=Step.EXPECTATIONS,
                               status=StepStatus.SETTLED, actor="facilitator")

    states = _states(engine, workshop_id)
    assert (row.status, row.version) == (StepStatus.SETTLED, 2)
    assert states[Step.EXPECTATIONS] == (StepStatus.SETTLED, 2, None)
    assert states[Step.MISSION] == (StepStatus.NOT_STARTED, 1, None)
    assert _audits(engine) == 1


def test_set_status_to_the_same_status_changes_nothing(engine, workshop_id):
    with writing(engine) as session:
        steps.set_status(session, workshop_id=workshop_id, step=Step.PACING,
                         status=StepStatus.IN_PROGRESS, actor="facilitator")
    with writing(engine) as session:
        steps.set_status(session, workshop_id=workshop_id, step=Step.PACING,
                         status=StepStatus.IN_PROGRESS, actor="facilitator")

    assert _states(engine, workshop_id)[Step.PACING] == (StepStatus.IN_PROGRESS, 2, None)
    assert _audits(engine) == 1


def test_set_status_may_move_a_settled_step_back(engine, workshop_id):
    for status in (StepStatus.SETTLED, StepStatus.IN_PROGRESS):
        with writing(engine) as session:
            steps.set_status(session, workshop_id=workshop_id, step=Step.MISSION, status=status,
                             actor="facilitator")

    assert _states(engine, workshop_id)[Step.MISSION] == (StepStatus.IN_PROGRESS, 3, None)


def test_mark_started_puts_a_step_not_started_in_progress(engine, workshop_id):
    with writing(engine) as session:
        steps.mark_started(session, workshop_id=workshop_id, step=Step.SOLUTIONS,
                           actor="facilitator")

    assert _states(engine, workshop_id)[Step.SOLUTIONS] == (StepStatus.IN_PROGRESS, 2, None)


@pytest.mark.parametrize("status", [StepStatus.IN_PROGRESS, StepStatus.SETTLED])
def test_mark_started_leaves_a_step_already_under_way_alone(engine, workshop_id, status):
    with writing(engine) as session:
        steps.set_status(session, workshop_id=workshop_id, step=Step.SOLUTIONS, status=status,
                         actor="facilitator")

    with writing(engine) as session:
        steps.mark_started(session, workshop_id=workshop_id, step=Step.SOLUTIONS,
                           actor="facilitator")

    assert _states(engine, workshop_id)[Step.SOLUTIONS] == (status, 2, None)
    assert _audits(engine) == 1


def test_reveal_shows_the_pre_work_of_one_step(engine, workshop_id):
    with reading(engine) as session:
        before = steps.is_revealed(session, workshop_id, Step.MISSION)

    with writing(engine) as session:
        row = steps.reveal(session, workshop_id=workshop_id, step=Step.MISSION,
                           actor="facilitator")

    with reading(engine) as session:
        after = {step: steps.is_revealed(session, workshop_id, step) for step in Step}
    assert before is False
    assert row.revealed_at is not None
    assert after == {Step.MISSION: True, Step.EXPECTATIONS: False, Step.SOLUTIONS: False,
                     Step.PACING: False}


def test_revealing_twice_keeps_the_first_time_and_audits_once(engine, workshop_id):
    with writing(engine) as session:
        first = steps.reveal(session, workshop_id=workshop_id, step=Step.MISSION,
                             actor="facilitator").revealed_at

    with writing(engine) as session:
        second = steps.reveal(session, workshop_id=workshop_id, step=Step.MISSION,
                              actor="facilitator")

    assert second.revealed_at == first
    assert second.version == 2
    assert _audits(engine) == 1


def test_revealing_a_step_not_started_starts_it(engine, workshop_id):
    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.PACING, actor="facilitator")

    status, version, revealed_at = _states(engine, workshop_id)[Step.PACING]
    assert (status, version) == (StepStatus.IN_PROGRESS, 2)
    assert revealed_at is not None
    assert _audits(engine) == 1


def test_revealing_a_settled_step_leaves_it_settled(engine, workshop_id):
    with writing(engine) as session:
        steps.set_status(session, workshop_id=workshop_id, step=Step.PACING,
                         status=StepStatus.SETTLED, actor="facilitator")

    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.PACING, actor="facilitator")

    status, version, revealed_at = _states(engine, workshop_id)[Step.PACING]
    assert (status, version) == (StepStatus.SETTLED, 3)
    assert revealed_at is not None


@pytest.mark.parametrize("call", [
    lambda s: steps.set_status(s, workshop_id=999, step=Step.MISSION,
                               status=StepStatus.SETTLED, actor="facilitator"),
    lambda s: steps.mark_started(s, workshop_id=999, step=Step.MISSION, actor="facilitator"),
    lambda s: steps.reveal(s, workshop_id=999, step=Step.MISSION, actor="facilitator"),
    lambda s: steps.is_revealed(s, 999, Step.MISSION),
], ids=["set_status", "mark_started", "reveal", "is_revealed"])
def test_a_workshop_removed_a_moment_ago_is_said_plainly(engine, call):
    with writing(engine) as session, pytest.raises(Invalid) as caught:
        call(session)

    assert caught.value.errors == {"form": "This workshop was removed a moment ago."}
