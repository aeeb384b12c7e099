"""Hostile text, numbers and dates written through the real functions into a real SQLite file and
read back in a new session: whatever is accepted is stored exactly, character for character and
number for number; the rest is refused in plain words, and nothing else escapes to the user."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from models import expectations, mission, pacing, prework, setup, solutions, summary
from models.db import reading, writing
from models.links import resolve_link
from models.schema import (
    CapacityCommitment,
    LinkPurpose,
    LogKind,
    Partner,
    PartnerMission,
    Stance,
    Topic,
    TopicKind,
)
from models.validation import EARLIEST, LATEST, Invalid
from tests.conftest import migrated_database
from tests.hostile_input import (
    HOSTILE_DATES,
    assert_kept_exactly,
    assert_refused_plainly,
    hostile_numbers,
    hostile_texts,
    mostly,
    storable_texts,
)

ACTOR = "facilitator:fuzz"
FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Mostly what must be kept, sometimes what must be refused.
TEXTS = mostly(storable_texts(max_size=80).filter(str.strip), hostile_texts())
NUMBERS = mostly(st.floats(-1e9, 1e9) | st.integers(-100, 100), hostile_numbers())
MINUTES = mostly(st.floats(0, 60) | st.integers(0, 60), hostile_numbers())
HOURS = mostly(st.floats(0, 10_000) | st.integers(0, 10_000), hostile_numbers())
DATES = mostly(st.dates(EARLIEST, LATEST), st.sampled_from(HOSTILE_DATES))
# Who owns a row: the room's own partner (OURS), nobody, or an id no partner of the room has.
OURS = "the room's partner"
OWNERS = st.sampled_from([OURS, None, 0, -1, 10**6, 2**63, 2**70, "1", 1.5])


@pytest.fixture(scope="module")
def fuzz_engine(backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database for the module; each example writes fresh rows into a fresh workshop."""
    with migrated_database(backend, tmp_path_factory.mktemp("fuzz")) as engine:
        yield engine


@dataclass(frozen=True)
class Room:
    workshop_id: int
    partner_id: int
    minutes_topic_id: int  # a number topic, 0 to 60 minutes
    words_topic_id: int  # a topic answered in words


PARTNERS = [{"name": "Riverbend", "kind": "behavioral_health", "colour": "#1F77B4"},
            {"name": "Northside", "kind": "primary_care", "colour": "#FF7F0E"}]


def new_room(engine: Engine) -> Room:
    with writing(engine) as session:
        workshop = setup.create_workshop(session, workshop={"name": "Fuzz",
                                                            "held_on": date(2027, 2, 1)},
                                         partners=PARTNERS, actor=ACTOR)
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                               .order_by(Partner.position)).first()
        minutes = setup.add_topic(session, workshop_id=workshop.id, actor=ACTOR, data={
            "title": "Minutes to a first visit", "category": "access", "kind": "numeric",
            "unit": "minutes", "lower_bound": 0, "upper_bound": 60})
        words = setup.add_topic(session, workshop_id=workshop.id, actor=ACTOR, data={
            "title": "Shared record", "category": "data", "kind": "text"})
    return Room(workshop.id, partner.id, minutes.id, words.id)


def written(engine: Engine, write: Callable[[Session], SQLModel]) -> SQLModel | Invalid:
    """The row as read back in a new session, or the refusal."""
    try:
        with writing(engine) as session:
            row = write(session)
    except Invalid as refusal:
        event("refused")
        return refusal
    event("stored")
    with reading(engine) as session:
        return session.get(type(row), row.id)


def assert_numbers_kept(typed: dict[str, object], row: SQLModel) -> None:
    for name, value in typed.items():
        stored = getattr(row, name)
        if value is None:
            assert stored is None, name
        else:
            assert math.isfinite(stored) and stored == float(value), (name, value, stored)


def assert_date_kept(typed: object, stored: date) -> None:
    assert EARLIEST <= stored <= LATEST
    assert stored.isoformat() == (typed if isinstance(typed, str) else typed.isoformat())[:10]


# --- set-up --------------------------------------------------------------------------------------


@FUZZ
@given(name=TEXTS, held_on=DATES, first=TEXTS, second=TEXTS)
def test_a_workshop_and_its_partners(fuzz_engine, name, held_on, first, second):
    partners = [{**PARTNERS[0], "name": first}, {**PARTNERS[1], "name": second}]
    result = written(fuzz_engine, lambda s: setup.create_workshop(
        s, workshop={"name": name, "held_on": held_on}, partners=partners, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, {"name", "held_on", "partners"})
        return
    assert_kept_exactly(name, result.name)
    assert_date_kept(held_on, result.held_on)
    with reading(fuzz_engine) as session:
        stored = session.exec(select(Partner.name).where(Partner.workshop_id == result.id)
                              .order_by(Partner.position)).all()
    assert_kept_exactly([first, second], list(stored))


@FUZZ
@given(name=TEXTS, role=TEXTS)
def test_a_participant(fuzz_engine, name, role):
    room = new_room(fuzz_engine)
    form = {"name": name, "role": role, "email": ""}
    result = written(fuzz_engine, lambda s: setup.add_participant(
        s, partner_id=room.partner_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([name, role], [result.name, result.role])


@FUZZ
@given(title=TEXTS, description=TEXTS, unit=TEXTS, low=NUMBERS, high=NUMBERS)
def test_a_number_topic(fuzz_engine, title, description, unit, low, high):
    room = new_room(fuzz_engine)
    form = {"title": title, "category": "access", "description": description, "kind": "numeric",
            "unit": unit, "lower_bound": low, "upper_bound": high}
    result = written(fuzz_engine, lambda s: setup.add_topic(
        s, workshop_id=room.workshop_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([title, description, unit],
                        [result.title, result.description, result.unit])
    assert_numbers_kept({"lower_bound": low, "upper_bound": high}, result)
    assert result.lower_bound < result.upper_bound


# --- step 1, the mission -------------------------------------------------------------------------


@FUZZ
@given(words=st.fixed_dictionaries({field: TEXTS for field in mission.MISSION_FIELDS}))
def test_a_partner_mission(fuzz_engine, words):
    room = new_room(fuzz_engine)
    result = written(fuzz_engine, lambda s: mission.save_partner_mission(
        s, partner_id=room.partner_id, data=words, expected_version=None, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(words))
        return
    assert isinstance(result, PartnerMission)
    assert_kept_exactly([words[field] for field in mission.MISSION_FIELDS],
                        [getattr(result, field) for field in mission.MISSION_FIELDS])


@FUZZ
@given(text=TEXTS)
def test_a_mission_draft(fuzz_engine, text):
    room = new_room(fuzz_engine)
    result = written(fuzz_engine, lambda s: mission.add_draft(
        s, workshop_id=room.workshop_id, data={"text": text}, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, {"text"})
        return
    assert_kept_exactly(text, result.text)


# --- step 2, expectations ------------------------------------------------------------------------


@FUZZ
@given(text=TEXTS, theme=TEXTS, importance=mostly(st.integers(1, 5), hostile_numbers()))
def test_an_expected_result(fuzz_engine, text, theme, importance):
    room = new_room(fuzz_engine)
    form = {"text": text, "theme": theme, "importance": importance}
    result = written(fuzz_engine, lambda s: expectations.add_expected_result(
        s, partner_id=room.partner_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([text, theme], [result.text, result.theme])
    assert result.importance == float(importance) and 1 <= result.importance <= 5


@FUZZ
@given(name=TEXTS, definition=TEXTS, source=TEXTS, baseline=NUMBERS, target=NUMBERS,
       baseline_date=DATES)
def test_a_measure(fuzz_engine, name, definition, source, baseline, target, baseline_date):
    room = new_room(fuzz_engine)
    form = {"name": name, "definition": definition, "data_source": source,
            "baseline_value": baseline, "target_value": target, "baseline_date": baseline_date}
    result = written(fuzz_engine, lambda s: expectations.add_measure(
        s, workshop_id=room.workshop_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([name, definition, source],
                        [result.name, result.definition, result.data_source])
    assert_numbers_kept({"baseline_value": baseline, "target_value": target}, result)
    assert_date_kept(baseline_date, result.baseline_date)


# --- step 3, solutions ---------------------------------------------------------------------------


@FUZZ
@given(preferred=MINUTES, least=MINUTES | st.none(), most=MINUTES | st.none(),
       wants=TEXTS, weight=mostly(st.integers(1, 5), hostile_numbers()))
def test_a_flexible_stance_on_a_number(fuzz_engine, preferred, least, most, wants, weight):
    room = new_room(fuzz_engine)
    form = {"preferred_value": preferred, "accept_min": least, "accept_max": most,
            "wants_in_return": wants, "weight": weight}
    result = written(fuzz_engine, lambda s: solutions.save_flex_stance(
        s, topic_id=room.minutes_topic_id, partner_id=room.partner_id, data=form,
        expected_version=None, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert isinstance(result, Stance)
    assert_kept_exactly(wants, result.wants_in_return)
    numbers = {"preferred_value": preferred, "accept_min": least, "accept_max": most}
    assert_numbers_kept(numbers, result)
    assert all(0 <= value <= 60 for value in (result.preferred_value, result.accept_min,
                                              result.accept_max) if value is not None)


@FUZZ
@given(preferred=TEXTS, title=TEXTS, citation=TEXTS, explanation=TEXTS, allows=TEXTS)
def test_a_stance_and_a_rule_in_words(fuzz_engine, preferred, title, citation, explanation,
                                      allows):
    room = new_room(fuzz_engine)
    stance = written(fuzz_engine, lambda s: solutions.save_flex_stance(
        s, topic_id=room.words_topic_id, partner_id=room.partner_id,
        data={"preferred_text": preferred, "weight": 3}, expected_version=None, actor=ACTOR))
    if isinstance(stance, Invalid):
        assert_refused_plainly(stance, {"preferred_text", "weight"})
    else:
        assert_kept_exactly(preferred, stance.preferred_text)
    form = {"rule_kind": "board_policy", "title": title, "citation": citation,
            "explanation": explanation, "allows_text": allows}
    rule = written(fuzz_engine, lambda s: solutions.add_fixed_rule(
        s, topic_id=room.words_topic_id, partner_id=room.partner_id, data=form, actor=ACTOR,
        expected_version=None if isinstance(stance, Invalid) else stance.version))
    if isinstance(rule, Invalid):
        assert_refused_plainly(rule, set(form))
        return
    assert_kept_exactly([title, citation, explanation, allows],
                        [rule.title, rule.citation, rule.explanation, rule.allows_text])


# --- step 4, pacing ------------------------------------------------------------------------------


@FUZZ
@given(title=TEXTS, due_on=DATES, hours=HOURS, slack=mostly(st.integers(0, 365), hostile_numbers()),
       owner=OWNERS)
def test_a_milestone(fuzz_engine, title, due_on, hours, slack, owner):
    room = new_room(fuzz_engine)
    owner = room.partner_id if owner == OURS else owner
    form = {"title": title, "due_on": due_on, "demand_hours": hours, "slack_days": slack,
            "owner_partner_id": owner}
    result = written(fuzz_engine, lambda s: pacing.add_milestone(
        s, workshop_id=room.workshop_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly(title, result.title)
    assert_date_kept(due_on, result.due_on)
    assert_numbers_kept({"demand_hours": hours}, result)
    assert 0 <= result.demand_hours <= pacing.MAX_HOURS and result.slack_days == float(slack)
    assert result.owner_partner_id in (None, room.partner_id)


@FUZZ
@given(title=TEXTS, target=DATES | st.none(), achieved=DATES | st.none(), owner=OWNERS)
def test_an_early_win(fuzz_engine, title, target, achieved, owner):
    room = new_room(fuzz_engine)
    form = {"title": title, "target_date": target, "achieved_on": achieved,
            "partner_id": room.partner_id if owner == OURS else owner}
    result = written(fuzz_engine, lambda s: pacing.add_early_win(
        s, workshop_id=room.workshop_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly(title, result.title)
    assert result.partner_id in (None, room.partner_id)
    for typed, stored in ((target, result.target_date), (achieved, result.achieved_on)):
        if typed is None:
            assert stored is None
        else:
            assert_date_kept(typed, stored)


@FUZZ
@given(kind=st.sampled_from(list(LogKind)), text=TEXTS, lesson=TEXTS, happened_on=DATES)
def test_a_log_entry(fuzz_engine, kind, text, lesson, happened_on):
    room = new_room(fuzz_engine)
    form = {"kind": kind, "text": text, "lesson": lesson, "happened_on": happened_on}
    result = written(fuzz_engine, lambda s: pacing.add_log_entry(
        s, workshop_id=room.workshop_id, data=form, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([text, lesson], [result.text, result.lesson])
    assert_date_kept(happened_on, result.happened_on)
    assert result.lesson or kind == LogKind.SUCCESS, "a disappointment is kept with its lesson"


@FUZZ
@given(hours=HOURS | st.none(), unavailable=st.booleans(), note=TEXTS, month=DATES)
def test_a_month_of_capacity(fuzz_engine, hours, unavailable, note, month):
    room = new_room(fuzz_engine)
    result = written(fuzz_engine, lambda s: pacing.save_capacity(
        s, partner_id=room.partner_id, month=month, hours=hours, unavailable=unavailable,
        note=note, expected_version=None, actor=ACTOR))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, {"month", "hours", "unavailable", "note"})
        return
    assert isinstance(result, CapacityCommitment)
    assert_kept_exactly(note, result.note)
    assert result.unavailable == unavailable and result.month.day == 1
    if unavailable:
        assert result.hours == 0 and result.note
    else:
        assert_numbers_kept({"hours": hours}, result)
        assert 0 <= result.hours <= pacing.MAX_HOURS


# --- leadership sign-off -------------------------------------------------------------------------


@FUZZ
@given(name=TEXTS, title=TEXTS, comment=TEXTS,
       decision=st.sampled_from(["approved", "changes_requested"]))
def test_a_sign_off(fuzz_engine, name, title, comment, decision):
    room = new_room(fuzz_engine)
    with writing(fuzz_engine) as session:
        token = prework.issue_link(session, workshop_id=room.workshop_id, actor=ACTOR,
                                   purpose=LinkPurpose.REVIEW)
    with reading(fuzz_engine) as session:
        access = resolve_link(session, token)
        version = summary.build_summary(session, room.workshop_id).version
    form = {"partner_id": room.partner_id, "decision": decision, "name": name, "title": title,
            "comment": comment}
    result = written(fuzz_engine, lambda s: summary.record_sign_off(
        s, access=access, version=version, data=form))
    if isinstance(result, Invalid):
        assert_refused_plainly(result, set(form))
        return
    assert_kept_exactly([name, title, comment], [result.name, result.title, result.comment])
    assert result.comment or decision == "approved", "asking for changes says which"


def test_the_rooms_topics_are_what_the_fuzz_tests_assume(fuzz_engine):
    room = new_room(fuzz_engine)
    with reading(fuzz_engine) as session:
        minutes, words = (session.get(Topic, topic_id)
                          for topic_id in (room.minutes_topic_id, room.words_topic_id))
    assert (minutes.kind, minutes.lower_bound, minutes.upper_bound) == (TopicKind.NUMERIC, 0, 60)
    assert words.kind == TopicKind.TEXT
