"""Step 3, shared solutions: stances (flex or fixed by a rule), rounds of proposals and
counter-offers, the outcome with who gave what, and views that never show a private limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from models import setup, solutions, steps
from models.common_ground import CommonGround
from models.db import reading, writing
from models.demo import load_demo_once
from models.schema import (
    Agreement,
    AgreementShare,
    FixedConstraint,
    Outcome,
    Partner,
    Proposal,
    RoundPosition,
    RuleCheck,
    Stance,
    StanceKind,
    Step,
    StepState,
    StepStatus,
    Topic,
)
from models.validation import Conflict, Invalid
from tests.conftest import Template, copy_of, migrated_database, template_database

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
BILLING_OPTIONS = ["Partner bills", "Clinic bills", "Split by payer", "Grant covers it"]
BOARD_RULE = {"rule_kind": "board_policy", "title": "Board approval",
              "citation": "Board policy 4.2"}
SCOPE_RULE = {"rule_kind": "federal_regulation", "title": "Scope of project",
              "citation": "HRSA PIN 2008-01"}


@dataclass(frozen=True)
class Room:
    """A workshop with three partners and a topic of each kind."""

    workshop_id: int
    riverbend: int
    northside: int
    marlow: int
    minutes: int  # numeric, 0 to 60 minutes
    billing: int  # options, BILLING_OPTIONS
    disputes: int  # free text


def _errors(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _make_room(session, name: str = "Spring workshop") -> Room:
    workshop = setup.create_workshop(session, workshop={"name": name, "held_on": "2027-03-04"},
                                     partners=PARTNERS, actor="facilitator")
    topics = [setup.add_topic(session, workshop_id=workshop.id, actor="facilitator", data=data)
              for data in (
                  {"title": "Warm hand-off response time", "category": "clinical workflow",
                   "kind": "numeric", "unit": "minutes", "lower_bound": 0, "upper_bound": 60},
                  {"title": "Who bills", "category": "billing and finance", "kind": "options",
                   "options": BILLING_OPTIONS},
                  {"title": "How we settle disagreements", "category": "governance",
                   "kind": "text"})]
    partners = setup._partners(session, workshop.id)
    return Room(workshop.id, *(p.id for p in partners), *(t.id for t in topics))


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


@pytest.fixture(scope="module")
def demo(backend, tmp_path_factory):
    """One demo database for the tests below that only read it."""
    with migrated_database(backend, tmp_path_factory.mktemp("demo")) as engine:
        with writing(engine) as session:
            load_demo_once(session)
        yield engine


def _demo_ids(engine, library_key: str) -> tuple[int, dict[str, int]]:
    """A demo topic's id and the demo partners' ids by their short names."""
    with reading(engine) as session:
        topic_id = session.exec(select(Topic.id).where(Topic.library_key == library_key)).one()
        names = dict(session.exec(select(Partner.name, Partner.id)).all())
    return topic_id, {"cmhc": names["Riverbend Community Mental Health Center"],
                      "fqhc": names["Northside Family Health Center"],
                      "county": names["Marlow County Health Department"]}


def _save_flex(engine, topic_id: int, partner_id: int, data: dict,
               expected_version: int | None = None) -> Stance:
    with writing(engine) as session:
        return solutions.save_flex_stance(session, topic_id=topic_id, partner_id=partner_id,
                                          data=data, expected_version=expected_version,
                                          actor="facilitator")


def _add_rule(engine, topic_id: int, partner_id: int, data: dict,
              expected_version: int | None = None) -> FixedConstraint:
    with writing(engine) as session:
        return solutions.add_fixed_rule(session, topic_id=topic_id, partner_id=partner_id,
                                        data=data, actor="facilitator",
                                        expected_version=expected_version)


def _reveal(engine, room) -> None:
    """Rules are named, and free text can be checked against them, only once revealed."""
    with writing(engine) as session:
        steps.reveal(session, workshop_id=room.workshop_id, step=Step.SOLUTIONS,
                     actor="facilitator")


def _propose(engine, topic_id: int, data: dict, confirmed: list[int] | None = None) -> Proposal:
    with writing(engine) as session:
        return solutions.record_proposal(session, topic_id=topic_id, data=data,
                                         actor="facilitator", confirmed_rule_ids=confirmed)


def _outcome(engine, topic_id: int, outcome: Outcome, data: dict, shares: dict | None = None,
             expected_version: int | None = None) -> Agreement:
    with writing(engine) as session:
        return solutions.record_outcome(session, topic_id=topic_id, outcome=outcome, data=data,
                                        shares=shares or {}, actor="facilitator",
                                        expected_version=expected_version)


def _view(engine, topic_id: int) -> solutions.TopicView:
    with reading(engine) as session:
        return solutions.topic_view(session, session.get(Topic, topic_id).workshop_id, topic_id)


def _stance(engine, topic_id: int, partner_id: int) -> Stance | None:
    with reading(engine) as session:
        return session.exec(select(Stance).where(Stance.topic_id == topic_id,
                                                 Stance.partner_id == partner_id)).first()


def _count(engine, column, *where) -> int:
    with reading(engine) as session:
        return session.exec(select(func.count(column)).where(*where)).one()


def _flex_errors(engine, topic_id: int, partner_id: int, data: dict) -> dict[str, str]:
    with writing(engine) as session:
        return _errors(solutions.save_flex_stance, session, topic_id=topic_id,
                       partner_id=partner_id, data=data, expected_version=None,
                       actor="facilitator")


def _rule_errors(engine, topic_id: int, partner_id: int, data: dict) -> dict[str, str]:
    with writing(engine) as session:
        return _errors(solutions.add_fixed_rule, session, topic_id=topic_id,
                       partner_id=partner_id, data=data, actor="facilitator")


# --- flexible stances ----------------------------------------------------------------------------


def test_a_flex_stance_on_a_number_keeps_only_what_a_number_uses(engine, room):
    stance = _save_flex(engine, room.minutes, room.riverbend, {
        "preferred_value": 20, "accept_min": 10, "accept_max": 30, "weight": 4,
        "limit_private": True, "wants_in_return": " A protected hour ",
        "preferred_option": "Partner bills", "acceptable_options": ["Partner bills"],
        "preferred_text": "Twenty"})

    stored = _stance(engine, room.minutes, room.riverbend)
    assert stored.id == stance.id
    assert (stored.kind, stored.preferred_value, stored.accept_min, stored.accept_max) == (
        StanceKind.FLEX, 20, 10, 30)
    assert (stored.weight, stored.limit_private, stored.wants_in_return) == (
        4, True, "A protected hour")
    assert (stored.preferred_option, stored.acceptable_options, stored.preferred_text) == (
        None, [], "")


def test_a_flex_stance_on_options_keeps_only_what_options_use(engine, room):
    _save_flex(engine, room.billing, room.riverbend, {
        "preferred_option": "Partner bills", "acceptable_options": ["Partner bills",
                                                                    "Split by payer"],
        "weight": 5, "preferred_value": 20, "accept_min": 10})

    stored = _stance(engine, room.billing, room.riverbend)
    assert (stored.preferred_option, stored.acceptable_options) == (
        "Partner bills", ["Partner bills", "Split by payer"])
    assert (stored.preferred_value, stored.accept_min, stored.accept_max) == (None, None, None)


NUMERIC_FLEX_REFUSALS = {
    "preferred outside its own range": (
        {"preferred_value": 35, "accept_min": 10, "accept_max": 30},
        {"preferred_value": "The preferred value must lie inside what it can accept."}),
    "preferred below its own least": (
        {"preferred_value": 5, "accept_min": 10},
        {"preferred_value": "The preferred value must lie inside what it can accept."}),
    "least above most": (
        {"preferred_value": 20, "accept_min": 30, "accept_max": 10},
        {"accept_max": "The most it can accept must be at least the least."}),
    "most above the topic": (
        {"preferred_value": 20, "accept_min": 10, "accept_max": 61},
        {"accept_max": "Please give a number from 0 to 60."}),
    "least below the topic": (
        {"preferred_value": 20, "accept_min": -1},
        {"accept_min": "Please give a number from 0 to 60."}),
    "preferred below the topic": (
        {"preferred_value": -5},
        {"preferred_value": "Please give a number from 0 to 60."}),
    "preferred not a number": (
        {"preferred_value": float("nan")},
        {"preferred_value": "Please give a number."}),
    "no preferred value": (
        {"accept_min": 10, "accept_max": 30},
        {"preferred_value": "Please give the value this partner would like."}),
    "no preferred value and a limit out of range": (
        {"accept_max": 90},
        {"preferred_value": "Please give the value this partner would like.",
         "accept_max": "Please give a number from 0 to 60."}),
}


@pytest.mark.parametrize("case", NUMERIC_FLEX_REFUSALS.values(),
                         ids=NUMERIC_FLEX_REFUSALS.keys())
def test_a_flex_stance_on_a_number_is_refused_keyed_by_field(engine, room, case):
    data, expected = case

    errors = _flex_errors(engine, room.minutes, room.riverbend, {**data, "weight": 3})

    assert errors == expected
    assert _stance(engine, room.minutes, room.riverbend) is None


@pytest.mark.parametrize(("data", "expected"), [
    ({"preferred_option": "Bill twice"},
     {"preferred_option": "Please choose the option this partner prefers."}),
    ({"preferred_option": "Partner bills", "acceptable_options": ["Partner bills", "Bill twice"]},
     {"acceptable_options": "Please choose only from the topic's options."}),
    ({"preferred_option": "Partner bills", "acceptable_options": ["Clinic bills"]},
     {"acceptable_options": "The preferred option must be one it can accept."}),
], ids=["preferred unknown", "acceptable unknown", "preferred not acceptable"])
def test_a_flex_stance_on_options_is_refused_keyed_by_field(engine, room, data, expected):
    assert _flex_errors(engine, room.billing, room.riverbend, {**data, "weight": 3}) == expected


def test_a_flex_stance_on_free_text_needs_the_text(engine, room):
    errors = _flex_errors(engine, room.disputes, room.riverbend,
                          {"preferred_text": "   ", "weight": 3})

    assert errors == {"preferred_text": "Please write what this partner would like."}


@pytest.mark.parametrize(("weight", "message"), [
    (0, "Please give a number of at least 1."), (6, "Please give a number no more than 5.")])
def test_a_flex_stance_weighs_one_to_five(engine, room, weight, message):
    errors = _flex_errors(engine, room.disputes, room.riverbend,
                          {"preferred_text": "Managers first", "weight": weight})

    assert errors == {"weight": message}


def test_a_flex_stance_for_a_partner_of_another_workshop_is_refused(engine, room):
    with writing(engine) as session:
        elsewhere = _make_room(session, name="Autumn workshop")

    errors = _flex_errors(engine, room.minutes, elsewhere.riverbend,
                          {"preferred_value": 20, "weight": 3})

    assert errors == {"form": "This partner is not in the topic's workshop."}


def test_a_stale_flex_stance_is_refused(engine, room):
    first = _save_flex(engine, room.minutes, room.riverbend, {"preferred_value": 20, "weight": 3})
    _save_flex(engine, room.minutes, room.riverbend, {"preferred_value": 25, "weight": 3},
               expected_version=first.version)

    with pytest.raises(Conflict):
        _save_flex(engine, room.minutes, room.riverbend, {"preferred_value": 30, "weight": 3},
                   expected_version=first.version)

    stored = _stance(engine, room.minutes, room.riverbend)
    assert (stored.preferred_value, stored.version) == (25, 2)


def test_a_flex_stance_saved_blind_over_an_existing_one_is_refused(engine, room):
    _save_flex(engine, room.minutes, room.riverbend, {"preferred_value": 20, "weight": 3})

    with pytest.raises(Conflict):
        _save_flex(engine, room.minutes, room.riverbend, {"preferred_value": 30, "weight": 3})

    stored = _stance(engine, room.minutes, room.riverbend)
    assert (stored.preferred_value, stored.version) == (20, 1)


def test_a_fixed_stance_replaced_blind_keeps_its_rules(engine, room):
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})

    with pytest.raises(Conflict):
        _save_flex(engine, room.minutes, room.northside, {"preferred_value": 5, "weight": 5})

    assert _stance(engine, room.minutes, room.northside).kind == StanceKind.FIXED
    assert _count(engine, FixedConstraint.id) == 1


def test_replacing_a_fixed_stance_by_a_flex_one_deletes_its_rules(engine, room):
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})
    _add_rule(engine, room.minutes, room.northside, {**BOARD_RULE, "allowed_min": 5})
    fixed = _stance(engine, room.minutes, room.northside)

    _save_flex(engine, room.minutes, room.northside, {"preferred_value": 5, "weight": 5},
               expected_version=fixed.version)

    stored = _stance(engine, room.minutes, room.northside)
    assert (stored.id, stored.kind, stored.preferred_value) == (fixed.id, StanceKind.FLEX, 5)
    assert _count(engine, FixedConstraint.id) == 0


# --- fixed rules ---------------------------------------------------------------------------------


def test_a_fixed_rule_makes_the_stance_fixed(engine, room):
    rule = _add_rule(engine, room.minutes, room.northside,
                     {**SCOPE_RULE, "allowed_min": 5, "allowed_max": 20,
                      "allowed_options": ["Partner bills"], "allows_text": "Within scope"})

    stance = _stance(engine, room.minutes, room.northside)
    assert (stance.kind, stance.weight) == (StanceKind.FIXED, 5)
    assert rule.stance_id == stance.id
    assert (rule.title, rule.citation, rule.rule_kind) == ("Scope of project", "HRSA PIN 2008-01",
                                                           "federal_regulation")
    assert (rule.allowed_min, rule.allowed_max, rule.allowed_options, rule.allows_text) == (
        5, 20, [], "Within scope")


def test_a_fixed_rule_clears_what_the_flex_stance_said(engine, room):
    flex = _save_flex(engine, room.minutes, room.northside, {
        "preferred_value": 5, "accept_min": 0, "accept_max": 15, "weight": 3,
        "wants_in_return": "Nothing more"})

    _add_rule(engine, room.minutes, room.northside, SCOPE_RULE, expected_version=flex.version)

    stance = _stance(engine, room.minutes, room.northside)
    assert (stance.kind, stance.preferred_value, stance.accept_min, stance.accept_max,
            stance.wants_in_return, stance.weight) == (StanceKind.FIXED, None, None, None, "", 5)


def test_a_rule_on_options_keeps_its_options_and_drops_numbers(engine, room):
    rule = _add_rule(engine, room.billing, room.northside,
                     {**SCOPE_RULE, "allowed_options": ["Partner bills", "Split by payer"],
                      "allowed_min": 1, "allowed_max": 2})

    assert (rule.allowed_options, rule.allowed_min, rule.allowed_max) == (
        ["Partner bills", "Split by payer"], None, None)


@pytest.mark.parametrize(("topic", "data", "expected"), [
    ("minutes", {"allowed_min": -5},
     {"allowed_min": "Please give a number from 0 to 60, or leave it empty."}),
    ("minutes", {"allowed_max": 61},
     {"allowed_max": "Please give a number from 0 to 60, or leave it empty."}),
    ("minutes", {"allowed_min": 30, "allowed_max": 10},
     {"allowed_max": "The highest allowed value must be at least the lowest."}),
    ("billing", {},
     {"allowed_options": "Please choose the options this rule allows."}),
    ("billing", {"allowed_options": ["Partner bills", "Bill twice"]},
     {"allowed_options": "Please choose only from the topic's options."}),
], ids=["least below the topic", "most above the topic", "least above most", "no options",
        "an unknown option"])
def test_a_fixed_rule_is_refused_keyed_by_field(engine, room, topic, data, expected):
    errors = _rule_errors(engine, getattr(room, topic), room.northside, {**SCOPE_RULE, **data})

    assert errors == expected
    assert _stance(engine, getattr(room, topic), room.northside) is None


def test_a_fixed_rule_needs_a_kind_a_title_and_a_citation(engine, room):
    errors = _rule_errors(engine, room.disputes, room.marlow, {"title": " "})

    assert set(errors) == {"rule_kind", "title", "citation"}


def test_a_library_rule_arrives_as_form_data(engine, room):
    data = solutions.rule_from_library("board-contract-approval")

    rule = _add_rule(engine, room.disputes, room.marlow, data)

    assert (rule.library_key, rule.title) == ("board-contract-approval",
                                              "Board approval for major agreements")


def test_removing_rules_keeps_the_stance_until_the_last_one_goes(engine, room):
    first = _add_rule(engine, room.disputes, room.marlow, BOARD_RULE)
    second = _add_rule(engine, room.disputes, room.marlow, SCOPE_RULE)

    with writing(engine) as session:
        solutions.remove_fixed_rule(session, rule_id=first.id, actor="facilitator")
    kept = _stance(engine, room.disputes, room.marlow)
    with writing(engine) as session:
        solutions.remove_fixed_rule(session, rule_id=second.id, actor="facilitator")
        solutions.remove_fixed_rule(session, rule_id=second.id, actor="facilitator")

    assert kept is not None
    assert _stance(engine, room.disputes, room.marlow) is None
    assert _count(engine, FixedConstraint.id) == 0


# --- proposals -----------------------------------------------------------------------------------


def test_proposals_are_numbered_round_by_round_and_start_the_step(engine, room):
    first = _propose(engine, room.minutes, {"number": 10, "option": "Partner bills"})
    second = _propose(engine, room.minutes, {"number": 15, "note": " Two hours protected "})

    with reading(engine) as session:
        status = session.exec(select(StepState.status).where(
            StepState.workshop_id == room.workshop_id, StepState.step == Step.SOLUTIONS)).one()
    rounds = [(p.round_no, p.value_number, p.value_option, p.value_text) for p in (first, second)]
    assert rounds == [(1, 10, None, ""), (2, 15, None, "")]
    assert second.note == "Two hours protected"
    assert status == StepStatus.IN_PROGRESS


def test_each_topic_counts_its_own_rounds(engine, room):
    _propose(engine, room.minutes, {"number": 10})

    assert _propose(engine, room.billing, {"option": "Split by payer"}).round_no == 1


@pytest.mark.parametrize(("topic", "data", "message"), [
    ("minutes", {"number": 75}, "Please give a number from 0 to 60 minutes."),
    ("minutes", {}, "Please give a number."),
    ("billing", {"option": "Bill twice"}, "Please choose one of the options."),
    ("disputes", {"text": "  "}, "Please write the proposal."),
], ids=["number out of range", "no number", "unknown option", "blank text"])
def test_a_proposal_that_does_not_fit_the_topic_is_refused(engine, room, topic, data, message):
    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=getattr(room, topic),
                         data=data, actor="facilitator")

    assert errors == {"value": message}
    assert _count(engine, Proposal.id) == 0


def test_a_proposal_breaking_a_fixed_rule_is_refused_naming_partner_and_rule(engine, room):
    _reveal(engine, room)
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})

    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=room.minutes,
                         data={"number": 25}, actor="facilitator")

    assert errors == {"value": "This breaks a fixed rule, so it cannot be proposed: "
                               "Northside FHC's Scope of project (HRSA PIN 2008-01)."}
    assert _count(engine, Proposal.id) == 0


def test_every_broken_rule_is_named(engine, room):
    _reveal(engine, room)
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})
    _add_rule(engine, room.minutes, room.marlow, {**BOARD_RULE, "allowed_max": 22})
    _add_rule(engine, room.minutes, room.riverbend, {**BOARD_RULE, "allowed_min": 10})

    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=room.minutes,
                         data={"number": 25}, actor="facilitator")

    assert errors == {"value": "This breaks a fixed rule, so it cannot be proposed: "
                               "Northside FHC's Scope of project (HRSA PIN 2008-01); "
                               "Marlow County's Board approval (Board policy 4.2)."}


def test_a_proposal_on_the_rules_bound_is_accepted(engine, room):
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})

    assert _propose(engine, room.minutes, {"number": 20}).round_no == 1


def test_an_options_proposal_must_be_an_option_every_rule_allows(engine, room):
    _reveal(engine, room)
    _add_rule(engine, room.billing, room.northside,
              {**SCOPE_RULE, "allowed_options": ["Partner bills", "Split by payer"]})

    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=room.billing,
                         data={"option": "Clinic bills"}, actor="facilitator")

    assert errors == {"value": "This breaks a fixed rule, so it cannot be proposed: "
                               "Northside FHC's Scope of project (HRSA PIN 2008-01)."}


def test_a_text_proposal_needs_every_rule_confirmed_and_keeps_the_checks(engine, room):
    _reveal(engine, room)
    board = _add_rule(engine, room.disputes, room.marlow, BOARD_RULE)
    scope = _add_rule(engine, room.disputes, room.northside, SCOPE_RULE)
    text = {"text": "Managers meet within a week, then directors"}

    with writing(engine) as session:
        none = _errors(solutions.record_proposal, session, topic_id=room.disputes, data=text,
                       actor="facilitator")
        one = _errors(solutions.record_proposal, session, topic_id=room.disputes, data=text,
                      actor="facilitator", confirmed_rule_ids=[board.id])
    proposal = _propose(engine, room.disputes, text, confirmed=[board.id, scope.id])

    assert none == {"rules": "Please confirm that it honours every fixed rule: "
                             "Board approval (Board policy 4.2); "
                             "Scope of project (HRSA PIN 2008-01)."}
    assert one == {"rules": "Please confirm that it honours every fixed rule: "
                            "Scope of project (HRSA PIN 2008-01)."}
    with reading(engine) as session:
        checks = session.exec(select(RuleCheck.constraint_id)
                              .where(RuleCheck.proposal_id == proposal.id)).all()
    assert sorted(checks) == sorted([board.id, scope.id])
    assert proposal.value_text == "Managers meet within a week, then directors"
    assert _view(engine, room.disputes).rounds[0].confirmed_rule_ids == {board.id, scope.id}


def test_no_new_round_once_the_topic_is_agreed(engine, room):
    _propose(engine, room.minutes, {"number": 15})
    _outcome(engine, room.minutes, Outcome.AGREED, {"number": 15})

    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=room.minutes,
                         data={"number": 10}, actor="facilitator")

    assert errors == {"form": "This topic is already agreed."}
    assert _count(engine, Proposal.id) == 1


def test_a_parked_topic_may_go_another_round(engine, room):
    _propose(engine, room.minutes, {"number": 15})
    _outcome(engine, room.minutes, Outcome.PARKED, {"note": "Waiting for counsel"})

    assert _propose(engine, room.minutes, {"number": 12}).round_no == 2


def test_a_proposal_on_a_topic_removed_a_moment_ago_is_refused(engine):
    with writing(engine) as session:
        errors = _errors(solutions.record_proposal, session, topic_id=999, data={"number": 1},
                         actor="facilitator")

    assert errors == {"form": "This topic was removed a moment ago."}


# --- counter-offers and round ratings ------------------------------------------------------------


def _positions(engine, proposal_id: int) -> dict[int, tuple]:
    with reading(engine) as session:
        rows = session.exec(select(RoundPosition)
                            .where(RoundPosition.proposal_id == proposal_id)).all()
    return {r.partner_id: (r.value_number, r.value_option, r.value_text) for r in rows}


def test_counter_offers_are_recorded_and_empty_ones_skipped(engine, room):
    proposal = _propose(engine, room.minutes, {"number": 10})

    with writing(engine) as session:
        count = solutions.record_counter_offers(
            session, proposal_id=proposal.id, actor="facilitator", expected_versions={},
            offers={room.riverbend: {"number": 20}, room.northside: {"number": 5},
                    room.marlow: {"number": None, "option": None, "text": " "}})

    assert count == 2
    assert _positions(engine, proposal.id) == {room.riverbend: (20, None, ""),
                                               room.northside: (5, None, "")}


def test_counter_offers_are_refused_per_partner_and_none_is_kept(engine, room):
    with writing(engine) as session:
        elsewhere = _make_room(session, name="Autumn workshop")
    proposal = _propose(engine, room.minutes, {"number": 10})

    with writing(engine) as session:
        errors = _errors(solutions.record_counter_offers, session, proposal_id=proposal.id,
                         actor="facilitator", expected_versions={},
                         offers={room.riverbend: {"number": 61}, room.northside: {"number": 5},
                                 elsewhere.marlow: {"number": 15}})

    assert errors == {f"offer.{room.riverbend}": "Please give a number from 0 to 60 minutes.",
                      f"offer.{elsewhere.marlow}": "This partner is not in the workshop."}
    assert _positions(engine, proposal.id) == {}


def test_a_counter_offer_that_is_no_number_is_keyed_to_its_field(engine, room):
    proposal = _propose(engine, room.minutes, {"number": 10})

    with writing(engine) as session:
        errors = _errors(solutions.record_counter_offers, session, proposal_id=proposal.id,
                         actor="facilitator", expected_versions={},
                         offers={room.riverbend: {"number": "soon"}})

    assert errors == {f"offer.{room.riverbend}.number": "Please give a number."}


def test_an_options_counter_offer_must_be_an_option(engine, room):
    proposal = _propose(engine, room.billing, {"option": "Split by payer"})

    with writing(engine) as session:
        errors = _errors(solutions.record_counter_offers, session, proposal_id=proposal.id,
                         actor="facilitator", expected_versions={},
                         offers={room.marlow: {"option": "Bill twice"}})

    assert errors == {f"offer.{room.marlow}": "Please choose one of the options."}


def test_counter_offers_given_again_replace_a_partners_earlier_one(engine, room):
    proposal = _propose(engine, room.minutes, {"number": 10})
    with writing(engine) as session:
        solutions.record_counter_offers(session, proposal_id=proposal.id, actor="facilitator",
                                        expected_versions={},
                                        offers={room.riverbend: {"number": 20},
                                                room.marlow: {"number": 15}})

    with writing(engine) as session:
        solutions.record_counter_offers(session, proposal_id=proposal.id, actor="facilitator",
                                        expected_versions={room.riverbend: 1},
                                        offers={room.riverbend: {"number": 15},
                                                room.northside: {"number": 10}})

    assert _positions(engine, proposal.id) == {room.riverbend: (15, None, ""),
                                               room.northside: (10, None, ""),
                                               room.marlow: (15, None, "")}
    assert _count(engine, RoundPosition.id) == 3


@pytest.mark.parametrize("read", [None, 1], ids=["form read none", "form read version 1"])
def test_a_counter_offer_from_a_stale_form_overwrites_nothing(engine, room, read):
    """Two facilitators with the same round open: the second save names the first one's offer
    and changes nothing, for a partner that had no offer when the form was read and for one
    whose offer moved on since."""
    proposal = _propose(engine, room.minutes, {"number": 10})
    with writing(engine) as session:
        solutions.record_counter_offers(session, proposal_id=proposal.id, actor="one",
                                        expected_versions={},
                                        offers={room.riverbend: {"number": 20}})
    if read is not None:
        with writing(engine) as session:
            solutions.record_counter_offers(session, proposal_id=proposal.id, actor="one",
                                            expected_versions={room.riverbend: 1},
                                            offers={room.riverbend: {"number": 25}})

    with pytest.raises(Conflict) as refused, writing(engine) as session:
        solutions.record_counter_offers(session, proposal_id=proposal.id, actor="two",
                                        expected_versions={room.riverbend: read},
                                        offers={room.riverbend: {"number": 30},
                                                room.northside: {"number": 5}})

    assert "counter-offer" in str(refused.value) and "nothing was overwritten" in str(refused.value)
    assert refused.value.current["value_number"] == (20 if read is None else 25)
    assert _positions(engine, proposal.id) == {
        room.riverbend: (20 if read is None else 25, None, "")}


def test_round_ratings_land_on_the_round_and_its_verdict(engine, room):
    proposal = _propose(engine, room.minutes, {"number": 10})

    with writing(engine) as session:
        solutions.record_round_ratings(
            session, proposal_id=proposal.id, actor="facilitator",
            ratings=[{"partner_id": pid, "value": value}
                     for pid, value in [(room.riverbend, 2), (room.northside, 1),
                                        (room.marlow, 4)]])

    latest = _view(engine, room.minutes).latest
    # 2 of 3 support = 67 %, short of 75 %.
    assert sorted(r.value for r in latest.ratings) == [1, 2, 4]
    assert (latest.verdict.support, latest.verdict.met) == (2, False)


# --- the outcome ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Please give a number."),
    ({"number": 61}, "Please give a number from 0 to 60 minutes."),
    ({"number": 25}, "This breaks a fixed rule, so it cannot be proposed: "
                     "Northside FHC's Scope of project (HRSA PIN 2008-01)."),
], ids=["no value", "out of range", "breaks a rule"])
def test_an_agreement_needs_a_value_that_honours_every_rule(engine, room, data, message):
    _reveal(engine, room)
    _add_rule(engine, room.minutes, room.northside, {**SCOPE_RULE, "allowed_max": 20})

    with writing(engine) as session:
        errors = _errors(solutions.record_outcome, session, topic_id=room.minutes,
                         outcome=Outcome.AGREED, data=data, shares={}, actor="facilitator")

    assert errors == {"value": message}
    assert _count(engine, Agreement.id) == 0


def test_an_agreement_is_recorded_with_what_each_partner_gave_and_gained(engine, room):
    agreement = _outcome(engine, room.minutes, Outcome.AGREED,
                         {"number": 15, "note": " Outside the protected hours "},
                         shares={room.riverbend: {"gave": "Speed", "gained": "Protected hours"},
                                 room.northside: {"gave": "Its ideal", "gained": ""},
                                 room.marlow: {"gave": " ", "gained": ""}})

    with reading(engine) as session:
        shares = session.exec(select(AgreementShare)
                              .where(AgreementShare.agreement_id == agreement.id)).all()
    assert (agreement.outcome, agreement.value_number, agreement.value_option,
            agreement.note, agreement.version) == (Outcome.AGREED, 15, None,
                                                   "Outside the protected hours", 1)
    assert {s.partner_id: (s.gave, s.gained) for s in shares} == {
        room.riverbend: ("Speed", "Protected hours"), room.northside: ("Its ideal", "")}


def test_a_parked_topic_needs_no_value_and_keeps_none(engine, room):
    agreement = _outcome(engine, room.minutes, Outcome.PARKED,
                         {"number": 99, "note": "Waiting for counsel"})

    assert (agreement.outcome, agreement.value_number, agreement.value_option,
            agreement.value_text, agreement.note) == (Outcome.PARKED, None, None, "",
                                                      "Waiting for counsel")


def test_an_agreed_text_needs_every_rule_confirmed(engine, room):
    _reveal(engine, room)
    board = _add_rule(engine, room.disputes, room.marlow, BOARD_RULE)

    with writing(engine) as session:
        errors = _errors(solutions.record_outcome, session, topic_id=room.disputes,
                         outcome=Outcome.AGREED, data={"text": "Managers first"}, shares={},
                         actor="facilitator")
        agreement = solutions.record_outcome(session, topic_id=room.disputes,
                                             outcome=Outcome.AGREED,
                                             data={"text": "Managers first"}, shares={},
                                             actor="facilitator", confirmed_rule_ids=[board.id])

    assert errors == {"rules": "Please confirm that it honours every fixed rule: "
                               "Board approval (Board policy 4.2)."}
    assert agreement.value_text == "Managers first"


def test_recording_the_outcome_again_updates_it_and_its_shares(engine, room):
    first = _outcome(engine, room.minutes, Outcome.PARKED, {"note": "Later"},
                     shares={room.riverbend: {"gave": "Time"}})

    second = _outcome(engine, room.minutes, Outcome.AGREED, {"number": 15},
                      shares={room.riverbend: {"gave": "Speed", "gained": "Protected hours"},
                              room.marlow: {"gained": "A standard"}},
                      expected_version=first.version)

    with reading(engine) as session:
        shares = session.exec(select(AgreementShare)).all()
    assert (second.id, second.outcome, second.value_number, second.version) == (
        first.id, Outcome.AGREED, 15, 2)
    assert {s.partner_id: (s.gave, s.gained) for s in shares} == {
        room.riverbend: ("Speed", "Protected hours"), room.marlow: ("", "A standard")}


def test_a_stale_outcome_is_refused_and_the_newer_one_kept(engine, room):
    first = _outcome(engine, room.minutes, Outcome.PARKED, {"note": "Later"})
    _outcome(engine, room.minutes, Outcome.AGREED, {"number": 15},
             expected_version=first.version)

    with pytest.raises(Conflict) as caught:
        _outcome(engine, room.minutes, Outcome.NO_AGREEMENT, {"note": "Gave up"},
                 expected_version=first.version)

    with reading(engine) as session:
        stored = session.exec(select(Agreement)).one()
    assert (stored.outcome, stored.value_number, stored.version) == (Outcome.AGREED, 15, 2)
    assert caught.value.current["outcome"] == "agreed"


def test_an_outcome_recorded_blind_over_an_existing_one_is_refused(engine, room):
    # Bug: record_outcome() updates an existing Agreement without a version check when
    # expected_version is None, which is what the page sends when it was opened before anyone
    # recorded an outcome. save_flex_stance() and save_partner_mission() refuse that case with
    # Conflict; here the other facilitator's outcome is silently overwritten.
    _outcome(engine, room.minutes, Outcome.AGREED, {"number": 15})

    with pytest.raises(Conflict):
        _outcome(engine, room.minutes, Outcome.PARKED, {"note": "Waiting"})

    with reading(engine) as session:
        stored = session.exec(select(Agreement)).one()
    assert (stored.outcome, stored.value_number) == (Outcome.AGREED, 15)


# --- what the room sees --------------------------------------------------------------------------


def test_stances_stay_hidden_until_the_step_is_revealed(engine, room):
    _save_flex(engine, room.minutes, room.riverbend,
               {"preferred_value": 20, "accept_min": 10, "accept_max": 30, "weight": 4})
    _save_flex(engine, room.minutes, room.northside,
               {"preferred_value": 5, "accept_min": 0, "accept_max": 15, "weight": 5,
                "limit_private": False})
    rule = _add_rule(engine, room.minutes, room.marlow, {**BOARD_RULE, "allowed_max": 45})

    hidden = _view(engine, room.minutes)
    with writing(engine) as session:
        steps.reveal(session, workshop_id=room.workshop_id, step=Step.SOLUTIONS,
                     actor="facilitator")
    shown = _view(engine, room.minutes)

    assert (hidden.revealed, hidden.stances, hidden.ground) == (False, {},
                                                                CommonGround(exists=None))
    assert hidden.entered == {room.riverbend, room.northside, room.marlow}
    assert hidden.rules == []  # a partner's rule is its pre-work until the reveal
    assert shown.revealed is True
    assert {pid: (s.kind, s.preferred, s.acceptable) for pid, s in shown.stances.items()} == {
        room.riverbend: (StanceKind.FLEX, "20 minutes", "private"),
        room.northside: (StanceKind.FLEX, "5 minutes", "0 to 15 minutes"),
        room.marlow: (StanceKind.FIXED, "", "")}
    assert [r.id for r in shown.stances[room.marlow].rules] == [rule.id]
    # Overlap 10-15 inside the rule's 0-45; (20 x 4 + 5 x 5) / 9 = 11.67; Riverbend's is private.
    assert shown.ground == CommonGround(exists=True, fair_point=105 / 9)


def test_the_demo_warm_hand_off_never_shows_a_private_limit(demo):
    topic_id, ids = _demo_ids(demo, "warm-handoff-response-time")

    view = _view(demo, topic_id)

    riverbend, northside = view.stances[ids["cmhc"]], view.stances[ids["fqhc"]]
    assert (riverbend.preferred, riverbend.acceptable) == ("20 minutes", "private")
    assert "10" not in repr(riverbend)
    assert "30" not in repr(riverbend)
    assert (northside.preferred, northside.acceptable) == ("5 minutes", "0 to 15 minutes")
    assert view.stances[ids["county"]].acceptable == "private"
    # (20 x 4 + 5 x 5 + 15 x 2) / 11 = 135 / 11, and no overlap bounds while a limit is private.
    assert view.ground == CommonGround(exists=True, fair_point=135 / 11)


def test_the_demo_warm_hand_off_shows_its_rounds_and_agreement(demo):
    topic_id, ids = _demo_ids(demo, "warm-handoff-response-time")

    view = _view(demo, topic_id)

    first, second = view.rounds
    assert (first.proposal.value_number, second.proposal.value_number) == (10, 15)
    # Round 1: 6, 5 | 2, 3 | 3 is 3 of 5 support (60 %); round 2: 2, 3 | 3, 2 | 1 is 5 of 5.
    assert (first.verdict.support, first.verdict.count, first.verdict.met) == (3, 5, False)
    assert (second.verdict.support, second.verdict.count, second.verdict.met) == (5, 5, True)
    assert {pid: p.value_number for pid, p in second.positions.items()} == {
        ids["cmhc"]: 15, ids["fqhc"]: 10, ids["county"]: 15}
    assert view.latest is second
    assert (view.agreement.outcome, view.agreement.value_number) == (Outcome.AGREED, 15)
    assert view.shares[ids["fqhc"]].gave == "Its five-minute ideal"


def test_a_fixed_stance_shows_its_rule_and_nothing_else(demo):
    topic_id, ids = _demo_ids(demo, "shared-record-model")

    riverbend = _view(demo, topic_id).stances[ids["cmhc"]]

    assert (riverbend.kind, riverbend.preferred, riverbend.acceptable) == (StanceKind.FIXED, "", "")
    assert [r.citation for r in riverbend.rules] == ["42 CFR § 2.31"]


def test_a_fair_point_moved_into_the_overlap_does_not_land_on_a_private_limit(demo):
    # Bug: common_ground() clamps the weighted mean into the overlap, so when the mean falls
    # outside it the fair point IS an edge of the overlap, i.e. a partner's private limit. In the
    # demo's rent topic every limit is private: Riverbend 900-2000, Northside 1800-3000, Marlow
    # 1200-2400, overlap 1800-2000. The preferences and weights are shown on the wall:
    # (1200 x 5 + 2400 x 3 + 1800 x 1) / 9 = 15000 / 9 = 1666.67, so a fair point of 1800 tells
    # the room that 1800 is somebody's private minimum.
    topic_id, _ids = _demo_ids(demo, "space-rent")

    ground = _view(demo, topic_id).ground

    assert ground.exists is True
    assert ground.fair_point not in {900, 2000, 1800, 3000, 1200, 2400}


def test_the_demo_topic_list_says_where_each_topic_stands(demo):
    with reading(demo) as session:
        workshop_id = session.exec(select(Topic.workshop_id)).first()
        rows = solutions.topic_rows(session, workshop_id)

    assert [(row.topic.library_key, row.rounds, row.state) for row in rows] == [
        ("warm-handoff-response-time", 2, "agreed"),
        ("shared-record-model", 2, "agreed"),
        ("space-rent", 2, "open · 2 rounds"),
        ("billing-entity", 1, "agreed"),
        ("embedded-clinician-hours", 0, "open · not yet discussed"),
        ("steering-meeting-interval", 1, "agreed"),
        ("dispute-handling", 1, "parked"),
        ("same-day-billing-approach", 0, "open · not yet discussed"),
    ]


def test_the_topic_list_says_one_round_and_every_other_outcome(engine, room):
    _propose(engine, room.minutes, {"number": 10})
    _outcome(engine, room.billing, Outcome.ESCALATED, {})
    _outcome(engine, room.disputes, Outcome.NO_AGREEMENT, {})

    with reading(engine) as session:
        rows = solutions.topic_rows(session, room.workshop_id)

    assert [(row.topic.id, row.state) for row in rows] == [
        (room.minutes, "open · 1 round"), (room.billing, "escalated"),
        (room.disputes, "no agreement")]


@pytest.mark.parametrize(("number", "option", "text", "topic", "words"), [
    (15, None, "", "minutes", "15 minutes"),
    (12.5, None, "", "minutes", "12.5 minutes"),
    (None, None, "", "minutes", ""),
    (None, "Split by payer", "", "billing", "Split by payer"),
    (None, None, "", "billing", ""),
    (None, None, "Managers first", "disputes", "Managers first"),
])
def test_describe_value_reads_as_the_room_reads_it(engine, room, number, option, text, topic,
                                                   words):
    with reading(engine) as session:
        row = session.get(Topic, getattr(room, topic))

    assert solutions.describe_value(row, number, option, text) == words
