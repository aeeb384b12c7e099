"""Positions stay the partners' own until the reveal, and a private limit cannot be worked out
from anything the room is shown (the cases a review found)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import setup, solutions, steps
from models.common_ground import common_ground
from models.db import reading, writing
from models.schema import Partner, Stance, StanceKind, Step, Topic, TopicKind
from models.validation import Conflict, Invalid

RULE = {"rule_kind": "board_policy", "title": "Lease clause 9.2", "citation": "Contract 9.2",
        "allowed_min": 1500}


@pytest.fixture
def room(engine):
    with writing(engine) as session:
        workshop = setup.create_workshop(
            session, actor="test", workshop={"name": "Privacy", "held_on": date(2027, 1, 5)},
            partners=[{"name": "Alpha BH", "kind": "behavioral_health", "colour": "#0072B2"},
                      {"name": "Beta PC", "kind": "primary_care", "colour": "#E69F00"}])
        setup.add_library_topics(session, workshop_id=workshop.id, actor="test",
                                 keys=["space-rent", "dispute-handling"])
        topics = {t.library_key: t.id for t in session.exec(select(Topic)).all()}
        alpha, beta = session.exec(select(Partner).order_by(Partner.position)).all()
        solutions.add_fixed_rule(session, topic_id=topics["space-rent"], partner_id=alpha.id,
                                 data=RULE, actor="partner")
        solutions.add_fixed_rule(session, topic_id=topics["dispute-handling"],
                                 partner_id=alpha.id, actor="partner",
                                 data={"rule_kind": "board_policy", "title": "Board resolution 17",
                                       "citation": "Minutes 2026-03"})
    return workshop.id, topics, alpha.id, beta.id


def test_before_the_reveal_no_rule_reaches_the_view_or_a_refusal(engine, room):
    workshop_id, topics, _, _ = room
    with reading(engine) as session:
        view = solutions.topic_view(session, workshop_id, topics["space-rent"])
    assert view.rules == [] and view.stances == {}
    with pytest.raises(Invalid) as refused, writing(engine) as session:
        solutions.record_proposal(session, topic_id=topics["space-rent"], actor="room",
                                  data={"number": 1000})
    assert "Lease clause" not in str(refused.value.errors)
    assert "Contract 9.2" not in str(refused.value.errors)
    assert "Reveal the partners' positions to see which rule" in refused.value.errors["value"]

    with pytest.raises(Invalid) as waits, writing(engine) as session:
        solutions.record_proposal(session, topic_id=topics["dispute-handling"], actor="room",
                                  data={"text": "A mediator"})
    assert "Board resolution" not in str(waits.value.errors)

    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.SOLUTIONS, actor="room")
    with pytest.raises(Invalid) as named, writing(engine) as session:
        solutions.record_proposal(session, topic_id=topics["space-rent"], actor="room",
                                  data={"number": 1000})
    assert "Alpha BH's Lease clause 9.2 (Contract 9.2)" in named.value.errors["value"]


def test_switching_a_flex_position_to_a_rule_needs_the_version_read(engine, room):
    _, topics, _, beta = room
    with writing(engine) as session:
        stance = solutions.save_flex_stance(
            session, topic_id=topics["space-rent"], partner_id=beta, expected_version=None,
            actor="partner", data={"preferred_value": 2000, "weight": 3})
    with pytest.raises(Conflict), writing(engine) as session:
        solutions.add_fixed_rule(session, topic_id=topics["space-rent"], partner_id=beta,
                                 data=RULE, actor="room")
    with writing(engine) as session:
        solutions.add_fixed_rule(session, topic_id=topics["space-rent"], partner_id=beta,
                                 data=RULE, actor="partner", expected_version=stance.version)
    with reading(engine) as session:
        kind = session.exec(select(Stance.kind).where(Stance.partner_id == beta)).one()
    assert kind == StanceKind.FIXED


def test_a_partner_can_remove_only_its_own_rule(engine, room):
    _, _, alpha, beta = room
    with reading(engine) as session:
        rule_id = session.exec(select(solutions.FixedConstraint.id)).first()
    with pytest.raises(Invalid), writing(engine) as session:
        solutions.remove_fixed_rule(session, rule_id=rule_id, actor="partner", partner_id=beta)
    with writing(engine) as session:
        solutions.remove_fixed_rule(session, rule_id=rule_id, actor="partner", partner_id=alpha)


def _numeric(stances):
    topic = Topic(id=7, workshop_id=1, title="Minutes", category="x", kind=TopicKind.NUMERIC,
                  lower_bound=0, upper_bound=60)
    return common_ground(topic, stances, [])


def test_the_fair_point_cannot_be_worked_back_to_a_private_limit():
    # The review's case: Alpha (private) prefers 38 in 10-45, Beta (public) prefers 29 in 0-30.
    # Overlap 10-30; weighted preference (38 + 29) / 2 = 33.5 lies outside it. The middle, 20,
    # would give away Alpha's minimum: 2 x 20 - 30 = 10.
    alpha = Stance(id=1, topic_id=7, partner_id=1, preferred_value=38, accept_min=10,
                   accept_max=45, limit_private=True, weight=3)
    beta = Stance(id=2, topic_id=7, partner_id=2, preferred_value=29, accept_min=0,
                  accept_max=30, limit_private=False, weight=3)
    ground = _numeric([alpha, beta])
    assert ground.exists and ground.low is None and ground.high is None
    assert 10 < ground.fair_point < 30
    assert ground.fair_point != 20
    # Alpha's limit moved to 14: the point moves by a fraction the room cannot know, so
    # 2 x point - 30 no longer lands on the limit.
    alpha.accept_min = 14
    moved = _numeric([alpha, beta])
    assert 14 < moved.fair_point < 30
    assert 2 * moved.fair_point - 30 != 14


def test_a_one_point_overlap_with_a_private_limit_gives_no_point():
    alpha = Stance(id=1, topic_id=7, partner_id=1, preferred_value=40, accept_min=30,
                   accept_max=45, limit_private=True, weight=3)
    beta = Stance(id=2, topic_id=7, partner_id=2, preferred_value=20, accept_min=0,
                  accept_max=30, limit_private=False, weight=3)
    ground = _numeric([alpha, beta])
    assert ground.exists is True and ground.fair_point is None


def test_an_answered_topic_may_grow_but_not_shrink(engine, room):
    _, topics, _, beta = room
    with writing(engine) as session:
        solutions.save_flex_stance(session, topic_id=topics["space-rent"], partner_id=beta,
                                   expected_version=None, actor="partner",
                                   data={"preferred_value": 2000, "weight": 3})
        topic = session.get(Topic, topics["space-rent"])
        data = {"title": topic.title, "category": topic.category, "kind": topic.kind,
                "unit": topic.unit, "lower_bound": 0, "upper_bound": 3000}
        version = topic.version
    with pytest.raises(Invalid) as narrowed, writing(engine) as session:
        setup.update_topic(session, topic_id=topics["space-rent"], data=data,
                           expected_version=version, actor="room")
    assert "may widen but not narrow" in narrowed.value.errors["upper_bound"]
    with writing(engine) as session:
        setup.update_topic(session, topic_id=topics["space-rent"],
                           data=dict(data, upper_bound=9000), expected_version=version,
                           actor="room")
        assert session.get(Topic, topics["space-rent"]).upper_bound == 9000
