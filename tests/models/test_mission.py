"""Step 1, the shared mission: each partner's own mission (hidden until revealed), and the joint
statement the room drafts, rates and adopts under the decision rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models import mission, setup, steps
from models.db import reading, writing
from models.schema import MissionDraft, Step, StepState, StepStatus, Workshop
from models.themes import stem
from models.validation import Conflict, Invalid
from tests.conftest import Template, copy_of, template_database

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
RIVERBEND_MISSION = {"mission": "  Care for clients in their own community. ",
                     "values": "Recovery is possible", "brings": "Therapists",
                     "needs": "Earlier referrals"}
NORTHSIDE_MISSION = {"mission": "A medical home for every family in the community",
                     "values": "Access for all; team-based care", "brings": "Exam rooms",
                     "needs": "Fewer emergency visits for clients with depression"}


@dataclass(frozen=True)
class Room:
    workshop_id: int
    partner_ids: tuple[int, ...]


def _errors(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _make_room(session, name: str = "Spring workshop") -> Room:
    workshop = setup.create_workshop(session, workshop={"name": name, "held_on": "2027-03-04"},
                                     partners=PARTNERS, actor="facilitator")
    return Room(workshop.id, tuple(p.id for p in setup._partners(session, workshop.id)))


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory) -> tuple[Template, Room]:
    return template_database(backend, tmp_path_factory, _make_room)


@pytest.fixture
def engine(template, tmp_path) -> Iterator[Engine]:
    """Each test works on its own copy of the module's template database."""
    yield from copy_of(template[0], tmp_path)


@pytest.fixture
def room(template) -> Room:
    return template[1]


def _add_draft(engine, room: Room, text: str) -> MissionDraft:
    with writing(engine) as session:
        return mission.add_draft(session, workshop_id=room.workshop_id, data={"text": text},
                                 actor="facilitator")


def _rate(engine, room: Room, draft_id: int, values: list[int]) -> None:
    """One rating per partner, in partner order; partners without people rate as one."""
    with writing(engine) as session:
        mission.record_draft_ratings(
            session, workshop_id=room.workshop_id, draft_id=draft_id, actor="facilitator",
            ratings=[{"partner_id": pid, "value": value, "reason": "Why" if value >= 5 else ""}
                     for pid, value in zip(room.partner_ids, values, strict=True)])


def _draft(engine, draft_id: int) -> MissionDraft:
    with reading(engine) as session:
        return session.get(MissionDraft, draft_id)


def _mission_status(engine, room: Room) -> StepStatus:
    with reading(engine) as session:
        return session.exec(select(StepState.status).where(
            StepState.workshop_id == room.workshop_id, StepState.step == Step.MISSION)).one()


# --- a partner's own mission ---------------------------------------------------------------------


def test_save_partner_mission_creates_then_updates_with_the_version_it_read(engine, room):
    partner_id = room.partner_ids[0]
    with writing(engine) as session:
        created = mission.save_partner_mission(session, partner_id=partner_id,
                                               data=RIVERBEND_MISSION, expected_version=None,
                                               actor="prework")

    with writing(engine) as session:
        updated = mission.save_partner_mission(
            session, partner_id=partner_id, expected_version=created.version, actor="prework",
            data={**RIVERBEND_MISSION, "needs": "A room in the clinic"})

    with reading(engine) as session:
        stored = mission.partner_mission(session, partner_id)
    assert created.version == 1
    assert (updated.id, updated.version) == (created.id, 2)
    assert (stored.mission, stored.needs, stored.version) == (
        "Care for clients in their own community.", "A room in the clinic", 2)


def test_a_stale_partner_mission_is_refused_and_the_newer_one_kept(engine, room):
    partner_id = room.partner_ids[0]
    with writing(engine) as session:
        mission.save_partner_mission(session, partner_id=partner_id, data=RIVERBEND_MISSION,
                                     expected_version=None, actor="prework")
    with writing(engine) as session:
        mission.save_partner_mission(session, partner_id=partner_id, expected_version=1,
                                     actor="facilitator",
                                     data={**RIVERBEND_MISSION, "brings": "A nurse"})

    with pytest.raises(Conflict) as caught, writing(engine) as session:
        mission.save_partner_mission(session, partner_id=partner_id, expected_version=1,
                                     actor="prework",
                                     data={**RIVERBEND_MISSION, "brings": "Crisis cover"})

    with reading(engine) as session:
        stored = mission.partner_mission(session, partner_id)
    assert (stored.brings, stored.version) == ("A nurse", 2)
    assert (caught.value.current["brings"], caught.value.current["version"]) == ("A nurse", 2)


def test_a_partner_mission_saved_blind_over_an_existing_one_is_refused(engine, room):
    partner_id = room.partner_ids[0]
    with writing(engine) as session:
        mission.save_partner_mission(session, partner_id=partner_id, data=RIVERBEND_MISSION,
                                     expected_version=None, actor="prework")

    with pytest.raises(Conflict), writing(engine) as session:
        mission.save_partner_mission(session, partner_id=partner_id, expected_version=None,
                                     actor="facilitator", data={"mission": "Overwritten"})

    with reading(engine) as session:
        stored = mission.partner_mission(session, partner_id)
    assert (stored.mission, stored.version) == ("Care for clients in their own community.", 1)


def test_a_partner_mission_is_refused_for_a_partner_removed_or_text_too_long(engine, room):
    with writing(engine) as session:
        gone = _errors(mission.save_partner_mission, session, partner_id=999, data={},
                       expected_version=None, actor="prework")
        long = _errors(mission.save_partner_mission, session, partner_id=room.partner_ids[0],
                       data={"values": "x" * 4001}, expected_version=None, actor="prework")

    assert gone == {"form": "This partner was removed a moment ago."}
    assert long == {"values": "Please keep this under 4000 characters."}


def test_a_partner_without_a_mission_has_none(engine, room):
    with reading(engine) as session:
        assert mission.partner_mission(session, room.partner_ids[1]) is None


# --- drafts --------------------------------------------------------------------------------------


def test_drafts_are_numbered_one_two_three_and_put_the_step_in_progress(engine, room):
    assert _mission_status(engine, room) == StepStatus.NOT_STARTED

    drafts = [_add_draft(engine, room, text) for text in ("One", "Two", "  Three  ")]

    assert [(d.number, d.text, d.adopted_at) for d in drafts] == [(1, "One", None),
                                                                  (2, "Two", None),
                                                                  (3, "Three", None)]
    assert _mission_status(engine, room) == StepStatus.IN_PROGRESS


def test_each_workshop_numbers_its_own_drafts(engine, room):
    with writing(engine) as session:
        other = _make_room(session, name="Autumn workshop")
    _add_draft(engine, room, "One")
    _add_draft(engine, room, "Two")

    assert _add_draft(engine, other, "Elsewhere").number == 1


def test_an_empty_draft_is_refused(engine, room):
    with writing(engine) as session:
        errors = _errors(mission.add_draft, session, workshop_id=room.workshop_id,
                         data={"text": "   "}, actor="facilitator")

    assert errors == {"text": "Please fill this in."}


def test_adopting_a_draft_the_rule_does_not_carry_needs_a_reason(engine, room):
    draft = _add_draft(engine, room, "One place for body and mind")
    # 3, 5, 4: one of three support (33 %), short of 75 %.
    _rate(engine, room, draft.id, [3, 5, 4])

    with writing(engine) as session:
        errors = _errors(mission.adopt_draft, session, workshop_id=room.workshop_id,
                         draft_id=draft.id, actor="facilitator", override_reason="   ")

    assert errors == {"override_reason": "The decision rule is not met for this draft. To adopt "
                                         "it anyway, write down why."}
    assert _draft(engine, draft.id).adopted_at is None


def test_a_draft_without_ratings_can_be_adopted_with_a_reason_which_is_kept(engine, room):
    draft = _add_draft(engine, room, "One place for body and mind")

    with writing(engine) as session:
        mission.adopt_draft(session, workshop_id=room.workshop_id, draft_id=draft.id,
                            actor="facilitator", override_reason="  Boards meet tomorrow  ")

    stored = _draft(engine, draft.id)
    assert stored.adopted_at is not None
    assert stored.override_reason == "Boards meet tomorrow"


@pytest.mark.parametrize("reason", ["", "We all agree"], ids=["no reason", "a reason given"])
def test_a_draft_the_rule_carries_is_adopted_and_needs_no_reason(engine, room, reason):
    draft = _add_draft(engine, room, "Care in the clinic families trust")
    # 1, 2, 3: all support, no block.
    _rate(engine, room, draft.id, [1, 2, 3])

    with writing(engine) as session:
        mission.adopt_draft(session, workshop_id=room.workshop_id, draft_id=draft.id,
                            actor="facilitator", override_reason=reason)

    stored = _draft(engine, draft.id)
    assert stored.adopted_at is not None
    assert stored.override_reason == ""


def test_an_override_reason_over_2000_characters_is_refused(engine, room):
    draft = _add_draft(engine, room, "One")

    with writing(engine) as session:
        errors = _errors(mission.adopt_draft, session, workshop_id=room.workshop_id,
                         draft_id=draft.id, actor="facilitator", override_reason="x" * 2001)

    assert errors == {"override_reason": "Please keep this under 2000 characters."}


def test_adopting_another_draft_unadopts_the_first(engine, room):
    first, second = _add_draft(engine, room, "One"), _add_draft(engine, room, "Two")
    for draft in (first, second):
        with writing(engine) as session:
            mission.adopt_draft(session, workshop_id=room.workshop_id, draft_id=draft.id,
                                actor="facilitator", override_reason="Time is up")

    with reading(engine) as session:
        view = mission.mission_view(session, room.workshop_id)
    assert _draft(engine, first.id).adopted_at is None
    assert _draft(engine, second.id).adopted_at is not None
    assert view.adopted.draft.id == second.id


def test_a_draft_of_another_workshop_can_be_neither_adopted_nor_rated(engine, room):
    with writing(engine) as session:
        other = _make_room(session, name="Autumn workshop")
    foreign = _add_draft(engine, other, "Not yours")

    with writing(engine) as session:
        adopt = _errors(mission.adopt_draft, session, workshop_id=room.workshop_id,
                        draft_id=foreign.id, actor="facilitator", override_reason="Because")
        rate = _errors(mission.record_draft_ratings, session, workshop_id=room.workshop_id,
                       draft_id=foreign.id, actor="facilitator",
                       ratings=[{"partner_id": room.partner_ids[0], "value": 1}])

    assert adopt == rate == {"form": "This draft was removed a moment ago."}
    assert _draft(engine, foreign.id).adopted_at is None


def test_rating_a_draft_puts_the_step_in_progress(engine, room):
    with writing(engine) as session:
        draft = MissionDraft(workshop_id=room.workshop_id, number=1, text="Written by hand")
        session.add(draft)
    assert _mission_status(engine, room) == StepStatus.NOT_STARTED

    _rate(engine, room, draft.id, [1, 1, 1])

    assert _mission_status(engine, room) == StepStatus.IN_PROGRESS


# --- the view ------------------------------------------------------------------------------------


def _save_both_missions(engine, room: Room) -> None:
    for partner_id, data in zip(room.partner_ids, (RIVERBEND_MISSION, NORTHSIDE_MISSION),
                                strict=False):
        with writing(engine) as session:
            mission.save_partner_mission(session, partner_id=partner_id, data=data,
                                         expected_version=None, actor="prework")


def test_partner_missions_stay_hidden_until_the_step_is_revealed(engine, room):
    _save_both_missions(engine, room)

    with reading(engine) as session:
        view = mission.mission_view(session, room.workshop_id)

    assert view.revealed is False
    assert view.missions == {}
    assert view.shared == set()
    assert [p.id for p in view.partners] == list(room.partner_ids)
    assert view.written == set(room.partner_ids[:2])


def test_a_blank_mission_does_not_count_as_written(engine, room):
    with writing(engine) as session:
        mission.save_partner_mission(session, partner_id=room.partner_ids[2], expected_version=None,
                                     actor="prework", data={"mission": "  ", "needs": ""})

    with reading(engine) as session:
        assert mission.mission_view(session, room.workshop_id).written == set()


def test_once_revealed_the_missions_and_their_shared_words_show(engine, room):
    _save_both_missions(engine, room)
    with writing(engine) as session:
        steps.reveal(session, workshop_id=room.workshop_id, step=Step.MISSION,
                     actor="facilitator")

    with reading(engine) as session:
        view = mission.mission_view(session, room.workshop_id)

    riverbend, northside, _marlow = room.partner_ids
    assert view.revealed is True
    assert {pid: m.mission for pid, m in view.missions.items()} == {
        riverbend: "Care for clients in their own community.",
        northside: "A medical home for every family in the community"}
    # In both texts: "Care"/"care", "clients", "community"; the rest is in one text or a stop
    # word ("for", "their", "every", "with"), or shorter than four letters ("all").
    assert view.shared == {stem(w) for w in ("care", "client", "community")}


def test_the_view_lists_drafts_newest_first_with_their_verdicts(engine, room):
    first, second = _add_draft(engine, room, "One"), _add_draft(engine, room, "Two")
    _rate(engine, room, first.id, [3, 5, 4])
    _rate(engine, room, second.id, [1, 2, 2])

    with reading(engine) as session:
        view = mission.mission_view(session, room.workshop_id)

    assert [d.draft.number for d in view.drafts] == [2, 1]
    assert view.current.draft.id == second.id
    assert [(d.verdict.count, d.verdict.support, d.verdict.met) for d in view.drafts] == [
        (3, 3, True), (3, 1, False)]
    assert view.adopted is None


def test_an_empty_workshop_has_no_current_or_adopted_draft(engine, room):
    with reading(engine) as session:
        view = mission.mission_view(session, room.workshop_id)

    assert (view.drafts, view.current, view.adopted) == ([], None, None)


def test_the_demo_view_shows_its_adopted_second_draft_and_shared_words(demo_engine):
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        view = mission.mission_view(session, workshop_id)

    second, first = view.drafts
    assert view.revealed is True
    assert len(view.missions) == 3
    assert view.adopted is second
    # Draft 1: 3, 5 | 2, 2 | 5: three of five support, 60 % < 75 %.
    assert (first.verdict.count, first.verdict.support, first.verdict.met) == (5, 3, False)
    # Draft 2: 1, 2 | 2, 1 | 1: all five support.
    assert (second.verdict.count, second.verdict.support, second.verdict.met) == (5, 5, True)
    # Northside and Marlow both write of fewer emergency visits and of data; Riverbend's
    # "care" is in Northside's "team-based care"; "Prevention" is Marlow's alone.
    assert {stem(w) for w in ("care", "emergency", "visit", "data", "fewer")} <= view.shared
    assert "prevention" not in view.shared
