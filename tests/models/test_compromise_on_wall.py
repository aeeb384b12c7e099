"""What the room is shown of suggestions and package deals: nothing before the reveal, and a
partner's satisfaction only in words."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import compromise, steps
from models.db import reading, writing
from models.schema import Step, StepState, Topic, Workshop


@pytest.mark.parametrize(("value", "words"), [
    (1.0, "very content"), (0.75, "very content"), (0.74, "content"), (0.5, "content"),
    (0.3, "lukewarm"), (0.25, "lukewarm"), (0.2, "reluctant"), (0.0, "reluctant")])
def test_satisfaction_is_told_in_four_words(value, words):
    assert compromise.satisfaction_words(value) == words


def _hide_solutions(engine, workshop_id):
    with writing(engine) as session:
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                                     StepState.step == Step.SOLUTIONS)).one()
        state.revealed_at = None
        session.add(state)


def test_suggestions_and_packages_wait_for_the_reveal(demo_engine):
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        rent = session.exec(select(Topic).where(Topic.library_key == "space-rent")).one()
    _hide_solutions(demo_engine, workshop_id)
    with reading(demo_engine) as session:
        assert compromise.topic_suggestion(session, workshop_id, rent.id) is None
        assert compromise.workshop_packages(session, workshop_id).packages == ()
    with writing(demo_engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.SOLUTIONS, actor="test")
    with reading(demo_engine) as session:
        suggestion = compromise.topic_suggestion(session, workshop_id, rent.id)
        offer = compromise.workshop_packages(session, workshop_id)
    # every limit on rent is private; the overlap is 1800-2000 and the suggestion lies inside
    assert suggestion is not None and 1800 < suggestion.number < 2000
    assert offer.packages and offer.balanced is not None
    assert {t.library_key for t in offer.topics} == {
        "space-rent", "embedded-clinician-hours", "same-day-billing-approach"}
    for package in offer.packages:
        assert set(package.values) == {t.id for t in offer.topics}


def test_an_agreed_topic_gets_no_suggestion(demo_engine):
    with reading(demo_engine) as session:
        agreed = session.exec(select(Topic).where(
            Topic.library_key == "warm-handoff-response-time")).one()
        assert compromise.topic_suggestion(session, agreed.workshop_id, agreed.id) is None
