"""The demo partnership from seeds/demo.yaml: loaded once, complete enough for every screen, and
consistent with its own topics."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import func, select

from models.auth import password_matches
from models.db import reading, writing
from models.demo import DEMO_SETTING, load_demo_once
from models.schema import (
    Agreement,
    AppSetting,
    AuditEvent,
    CapacityCommitment,
    ExpectedResult,
    FacilitatorAccount,
    FixedConstraint,
    Measure,
    Milestone,
    Participant,
    Partner,
    PartnerMission,
    Proposal,
    RoundPosition,
    Stance,
    Topic,
    TopicKind,
    Workshop,
)
from models.setup import delete_workshop
from models.startup import prepare
from tests.conftest import migrated_database


@pytest.fixture(scope="module")
def demo(backend, tmp_path_factory):
    """One demo database for the tests below that only read it (loading it costs ~0.3 s)."""
    with migrated_database(backend, tmp_path_factory.mktemp("demo")) as engine:
        with writing(engine) as session:
            load_demo_once(session)
        yield engine


def _count(session, column) -> int:
    return session.exec(select(func.count(column))).one()


def _demo_workshop(session) -> Workshop:
    return session.exec(select(Workshop)).one()


def test_the_demo_is_one_workshop_marked_as_demo(demo):
    with reading(demo) as session:
        workshops = session.exec(select(Workshop)).all()

    assert [(w.name, w.is_demo) for w in workshops] == [
        ("Riverbend Integrated Care Partnership", True)]


def test_the_demo_has_three_partners_of_the_three_kinds(demo):
    with reading(demo) as session:
        partners = session.exec(select(Partner).order_by(Partner.position)).all()

    assert [p.kind for p in partners] == ["behavioral_health", "primary_care", "other"]


def test_every_demo_partner_has_people_a_mission_and_an_expected_result(demo):
    with reading(demo) as session:
        summary = {}
        for partner in session.exec(select(Partner).order_by(Partner.position)).all():
            people = session.exec(select(Participant)
                                  .where(Participant.partner_id == partner.id)).all()
            mission = session.exec(select(PartnerMission)
                                   .where(PartnerMission.partner_id == partner.id)).one()
            results = session.exec(select(ExpectedResult)
                                   .where(ExpectedResult.partner_id == partner.id)).all()
            summary[partner.name] = (len(people), bool(mission.mission.strip()), len(results))

    assert summary == {
        "Riverbend Community Mental Health Center": (2, True, 3),
        "Northside Family Health Center": (2, True, 3),
        "Marlow County Health Department": (1, True, 2),
    }


def test_at_least_three_demo_topics_went_to_a_second_round(demo):
    with reading(demo) as session:
        titles = session.exec(select(Topic.title).join(Proposal, Proposal.topic_id == Topic.id)
                              .where(Proposal.round_no == 2).order_by(Topic.position)).all()

    assert list(titles) == ["Warm hand-off response time", "How the two teams share the record",
                            "Rent for space and equipment"]


def test_the_demo_has_agreements_and_one_parked_topic(demo):
    with reading(demo) as session:
        outcomes = Counter(session.exec(select(Agreement.outcome)).all())

    assert outcomes == {"agreed": 4, "parked": 1}


def test_the_demo_has_measures_milestones_and_capacity(demo):
    with reading(demo) as session:
        counts = (_count(session, Measure.id), _count(session, Milestone.id),
                  _count(session, CapacityCommitment.id))

    # Five measures, nine milestones, eight months of capacity for each of three partners.
    assert counts == (5, 9, 24)


def test_load_demo_once_returns_the_id_of_the_workshop_it_loaded(engine):
    with writing(engine) as session:
        loaded = load_demo_once(session)

    with reading(engine) as session:
        assert loaded == _demo_workshop(session).id
        assert session.get(AppSetting, DEMO_SETTING) is not None


def test_load_demo_once_does_nothing_the_second_time(demo_engine):
    with reading(demo_engine) as session:
        before = (_count(session, Workshop.id), _count(session, Partner.id),
                  _count(session, AuditEvent.id))

    with writing(demo_engine) as session:
        again = load_demo_once(session)

    with reading(demo_engine) as session:
        after = (_count(session, Workshop.id), _count(session, Partner.id),
                 _count(session, AuditEvent.id))
    assert again is None
    assert after == before
    assert before[:2] == (1, 3)


def test_load_demo_once_stays_away_after_the_demo_workshop_is_deleted(demo_engine):
    with writing(demo_engine) as session:
        delete_workshop(session, workshop_id=_demo_workshop(session).id, actor="facilitator")

    with writing(demo_engine) as session:
        again = load_demo_once(session)

    with reading(demo_engine) as session:
        assert again is None
        assert _count(session, Workshop.id) == 0
        assert session.get(AppSetting, DEMO_SETTING) is not None


def test_prepare_run_twice_leaves_one_workshop_and_one_facilitator(engine):
    prepare(engine, facilitator_password="first-start-secret")
    prepare(engine, facilitator_password="first-start-secret")

    with reading(engine) as session:
        workshops = session.exec(select(Workshop.name)).all()
        accounts = session.exec(select(FacilitatorAccount)).all()
    assert list(workshops) == ["Riverbend Integrated Care Partnership"]
    assert [a.username for a in accounts] == ["facilitator"]
    assert password_matches("first-start-secret", accounts[0].password_hash)


def test_every_fixed_rule_on_an_options_topic_allows_only_that_topics_options(demo):
    with reading(demo) as session:
        rows = session.exec(select(Topic, FixedConstraint)
                            .join(Stance, Stance.topic_id == Topic.id)
                            .join(FixedConstraint, FixedConstraint.stance_id == Stance.id)
                            .where(Topic.kind == TopicKind.OPTIONS)).all()

    strays = {(topic.title, option) for topic, rule in rows for option in rule.allowed_options
              if option not in topic.options}
    assert len(rows) == 3
    assert strays == set()


def test_every_flexible_stance_on_an_options_topic_prefers_and_accepts_real_options(
        demo):
    with reading(demo) as session:
        rows = session.exec(select(Topic, Stance).join(Stance, Stance.topic_id == Topic.id)
                            .where(Topic.kind == TopicKind.OPTIONS,
                                   Stance.kind == "flex")).all()

    strays = {(topic.title, option) for topic, stance in rows
              for option in [stance.preferred_option, *stance.acceptable_options]
              if option not in topic.options}
    assert rows
    assert strays == set()


def test_no_numeric_proposal_lies_outside_its_topics_bounds(demo):
    with reading(demo) as session:
        rows = session.exec(select(Topic, Proposal).join(Proposal, Proposal.topic_id == Topic.id)
                            .where(Topic.kind == TopicKind.NUMERIC)).all()

    outside = [(topic.title, proposal.round_no, proposal.value_number)
               for topic, proposal in rows
               if not topic.lower_bound <= proposal.value_number <= topic.upper_bound]
    # Two rounds of hand-off time, two of rent, one of steering meetings.
    assert len(rows) == 5
    assert outside == []


def test_no_numeric_counter_offer_or_stance_lies_outside_its_topics_bounds(demo):
    with reading(demo) as session:
        topics = {t.id: t for t in session.exec(select(Topic)
                                                .where(Topic.kind == TopicKind.NUMERIC)).all()}
        positions = session.exec(select(Proposal.topic_id, RoundPosition.value_number)
                                 .join(RoundPosition, RoundPosition.proposal_id == Proposal.id)
                                 .where(Proposal.topic_id.in_(topics))).all()
        stances = session.exec(select(Stance).where(Stance.topic_id.in_(topics))).all()

    values = [(topic_id, value) for topic_id, value in positions]
    for stance in stances:
        values += [(stance.topic_id, v) for v in
                   (stance.preferred_value, stance.accept_min, stance.accept_max)]
    outside = [(topics[t].title, v) for t, v in values
               if v is None or not topics[t].lower_bound <= v <= topics[t].upper_bound]
    # Three counter-offers in each of five numeric rounds; four numeric topics, three stances each.
    assert (len(positions), len(stances)) == (15, 12)
    assert outside == []
