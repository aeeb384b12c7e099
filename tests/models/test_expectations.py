"""Expectations: each partner's expected results, the themes where they coalesce, and measures
that can be agreed only when complete, with every refusal keyed to its field and every write
audited."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from models import expectations, library, setup, steps
from models.db import reading, writing
from models.expectations import MeasureIn, missing_for_agreement
from models.kept import forget
from models.schema import (
    AuditEvent,
    Direction,
    ExpectedResult,
    ItemStatus,
    Measure,
    Partner,
    Step,
    StepState,
    StepStatus,
    Workshop,
)
from models.validation import Conflict, Invalid, parse
from tests.conftest import is_stamp_read

ACTOR = "facilitator:test"
PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
PILOT_START = date(2027, 2, 1)
COMPLETE = {
    "name": "PHQ-9 response", "definition": "Share of patients whose PHQ-9 halves",
    "data_source": "Registry", "unit": "percent", "direction": "higher_is_better",
    "baseline_value": 28, "baseline_date": "2026-09-30", "target_value": 45,
    "frequency": "monthly", "owner_name": "Marcus Oyelaran",
    "pilot_scope": "Adults at the main site", "pilot_start": "2027-02-01",
    "pilot_end": "2027-07-31", "reevaluation_date": "2027-08-15",
    "plausible_min": 0, "plausible_max": 100,
}


def _workshop(session, name="Spring workshop") -> tuple[int, list[int]]:
    workshop = setup.create_workshop(session, workshop={"name": name, "held_on": "2027-01-10"},
                                     partners=PARTNERS, actor=ACTOR)
    partner_ids = session.exec(select(Partner.id).where(Partner.workshop_id == workshop.id)
                               .order_by(Partner.position)).all()
    return workshop.id, list(partner_ids)


@pytest.fixture
def room(engine) -> dict:
    """A workshop with three partners, nothing revealed yet."""
    with writing(engine) as session:
        workshop_id, partner_ids = _workshop(session)
    return {"workshop": workshop_id, "partners": partner_ids}


def _errors(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _add_result(session, partner_id, text, importance=3, theme=""):
    return expectations.add_expected_result(
        session, partner_id=partner_id, actor=ACTOR,
        data={"text": text, "importance": importance, "theme": theme})


def _reveal(engine, workshop_id):
    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=ACTOR)


def _step_status(engine, workshop_id) -> StepStatus:
    with reading(engine) as session:
        return session.exec(select(StepState.status).where(
            StepState.workshop_id == workshop_id, StepState.step == Step.EXPECTATIONS)).one()


def _audits(engine, entity, action) -> int:
    with reading(engine) as session:
        return session.exec(select(func.count(AuditEvent.id)).where(
            AuditEvent.entity == entity, AuditEvent.action == action)).one()


# --- a partner's expected results --------------------------------------------------------------


RESULT_REFUSALS = {
    "empty text": ({"text": "  ", "importance": 3}, {"text": "Please fill this in."}),
    "text too long": ({"text": "x" * 1001, "importance": 3},
                      {"text": "Please keep this under 1000 characters."}),
    "importance 0": ({"text": "Faster access", "importance": 0},
                     {"importance": "Please give a number of at least 1."}),
    "importance 6": ({"text": "Faster access", "importance": 6},
                     {"importance": "Please give a number no more than 5."}),
    "importance in words": ({"text": "Faster access", "importance": "very"},
                            {"importance": "Please give a number."}),
    "theme too long": ({"text": "Faster access", "importance": 3, "theme": "t" * 121},
                       {"theme": "Please keep this under 120 characters."}),
    "everything wrong": ({"text": "", "importance": 9, "theme": "t" * 121},
                         {"text": "Please fill this in.",
                          "importance": "Please give a number no more than 5.",
                          "theme": "Please keep this under 120 characters."}),
}


@pytest.mark.parametrize("case", RESULT_REFUSALS.values(), ids=RESULT_REFUSALS.keys())
def test_an_expected_result_is_refused_with_a_message_per_field(engine, room, case):
    data, expected = case
    with writing(engine) as session:
        errors = _errors(expectations.add_expected_result, session,
                         partner_id=room["partners"][0], data=data, actor=ACTOR)
    assert errors == expected


def test_an_expected_result_is_stored_trimmed_and_audited(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][1], "  Fewer ED visits ", 4, " Less ED use ")
    with reading(engine) as session:
        stored = session.get(ExpectedResult, row.id)
    assert (stored.text, stored.importance, stored.theme, stored.status) == (
        "Fewer ED visits", 4, "Less ED use", ItemStatus.OPEN)
    assert _audits(engine, "expectedresult", "create") == 1


def test_a_partner_can_change_or_remove_only_its_own_results(engine, room):
    own, other = room["partners"][0], room["partners"][1]
    with writing(engine) as session:
        row = _add_result(session, own, "Faster access")
    with writing(engine) as session:
        assert _errors(expectations.update_expected_result, session, partner_id=other,
                       result_id=row.id, data={"text": "Hijacked", "importance": 1},
                       expected_version=1, actor=ACTOR) == {
            "form": "This was removed a moment ago, perhaps in another window."}
        assert set(_errors(expectations.delete_expected_result, session, partner_id=other,
                           result_id=row.id, actor=ACTOR)) == {"form"}
    with writing(engine) as session:
        expectations.update_expected_result(session, partner_id=own, result_id=row.id,
                                            data={"text": "Much faster access", "importance": 5},
                                            expected_version=1, actor=ACTOR)
    with reading(engine) as session:
        assert (session.get(ExpectedResult, row.id).text,
                session.get(ExpectedResult, row.id).importance) == ("Much faster access", 5)
    with writing(engine) as session:
        expectations.delete_expected_result(session, partner_id=own, result_id=row.id,
                                            actor=ACTOR)
    with reading(engine) as session:
        assert session.get(ExpectedResult, row.id) is None
    assert (_audits(engine, "expectedresult", "update"),
            _audits(engine, "expectedresult", "delete")) == (1, 1)


def test_a_stale_update_is_refused_and_keeps_the_other_save(engine, room):
    partner_id = room["partners"][0]
    with writing(engine) as session:
        row = _add_result(session, partner_id, "Faster access")
    with writing(engine) as session:
        expectations.update_expected_result(session, partner_id=partner_id, result_id=row.id,
                                            data={"text": "First save", "importance": 4},
                                            expected_version=1, actor=ACTOR)
    with writing(engine) as session, pytest.raises(Conflict) as caught:
        expectations.update_expected_result(session, partner_id=partner_id, result_id=row.id,
                                            data={"text": "Second save", "importance": 2},
                                            expected_version=1, actor=ACTOR)
    assert caught.value.current["text"] == "First save"
    with reading(engine) as session:
        stored = session.get(ExpectedResult, row.id)
    assert (stored.text, stored.version) == ("First save", 2)


def test_pre_work_before_the_reveal_leaves_the_step_not_started(engine, room):
    with writing(engine) as session:
        _add_result(session, room["partners"][0], "Faster access")
    assert _step_status(engine, room["workshop"]) == StepStatus.NOT_STARTED

    _reveal(engine, room["workshop"])
    with writing(engine) as session:
        _add_result(session, room["partners"][2], "Fewer ED visits")
    assert _step_status(engine, room["workshop"]) == StepStatus.IN_PROGRESS


# --- what the room decides about each expectation ----------------------------------------------


def test_the_room_sets_status_and_theme_and_the_step_starts(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
    with writing(engine) as session:
        expectations.set_expectation_status(session, workshop_id=room["workshop"],
                                            result_id=row.id, status="contested", was="open",
                                            actor=ACTOR)
        expectations.set_expectation_theme(session, workshop_id=room["workshop"],
                                           result_id=row.id, theme="  Access ", was="",
                                           actor=ACTOR)
    with reading(engine) as session:
        stored = session.get(ExpectedResult, row.id)
    assert (stored.status, stored.theme) == (ItemStatus.CONTESTED, "Access")
    assert _step_status(engine, room["workshop"]) == StepStatus.IN_PROGRESS
    assert _audits(engine, "expectedresult", "update") == 2


def test_status_and_theme_are_checked(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
    with writing(engine) as session:
        assert set(_errors(expectations.set_expectation_status, session,
                           workshop_id=room["workshop"], result_id=row.id, status="maybe",
                           was="open", actor=ACTOR)) == {"status"}
        assert _errors(expectations.set_expectation_theme, session, workshop_id=room["workshop"],
                       result_id=row.id, theme="t" * 121, was="", actor=ACTOR) == {
            "theme": "Please keep this under 120 characters."}


def test_a_room_decision_made_meanwhile_is_not_replaced_but_another_field_is_no_conflict(
        engine, room):
    """Two facilitators on the same expectation: the second to change the status, having seen
    the old one, is refused and the first one's status stays; a theme set meanwhile by someone
    else does not stand in the way of a status change."""
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
    with writing(engine) as session:
        expectations.set_expectation_status(session, workshop_id=room["workshop"],
                                            result_id=row.id, status="agreed", was="open",
                                            actor="first")
    with pytest.raises(Conflict) as refused, writing(engine) as session:
        expectations.set_expectation_status(session, workshop_id=room["workshop"],
                                            result_id=row.id, status="contested", was="open",
                                            actor="second")
    assert refused.value.current["status"] == "agreed"
    assert "nothing was overwritten" in str(refused.value)

    with writing(engine) as session:
        expectations.set_expectation_theme(session, workshop_id=room["workshop"],
                                           result_id=row.id, theme="Access", was="",
                                           actor="first")
        expectations.set_expectation_status(session, workshop_id=room["workshop"],
                                            result_id=row.id, status="dropped", was="agreed",
                                            actor="second")
    with pytest.raises(Conflict), writing(engine) as session:
        expectations.link_measure(session, workshop_id=room["workshop"], result_id=row.id,
                                  measure_id=None, was=12345, actor="second")
    with reading(engine) as session:
        stored = session.get(ExpectedResult, row.id)
    assert (stored.status, stored.theme, stored.version) == (ItemStatus.DROPPED, "Access", 4)


def test_the_room_cannot_touch_another_workshops_expectations(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
        other_workshop, _ = _workshop(session, name="Other workshop")
    with writing(engine) as session:
        assert set(_errors(expectations.set_expectation_status, session,
                           workshop_id=other_workshop, result_id=row.id, status="agreed",
                           was="open", actor=ACTOR)) == {"form"}


def test_an_expectation_links_only_to_a_measure_of_its_workshop(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
        own = expectations.add_measure(session, workshop_id=room["workshop"],
                                       data={"name": "Wait time"}, actor=ACTOR)
        other_workshop, _ = _workshop(session, name="Other workshop")
        foreign = expectations.add_measure(session, workshop_id=other_workshop,
                                           data={"name": "Wait time"}, actor=ACTOR)
    with writing(engine) as session:
        assert set(_errors(expectations.link_measure, session, workshop_id=room["workshop"],
                           result_id=row.id, measure_id=foreign.id, was=None,
                           actor=ACTOR)) == {"form"}
        expectations.link_measure(session, workshop_id=room["workshop"], result_id=row.id,
                                  measure_id=own.id, was=None, actor=ACTOR)
    with reading(engine) as session:
        assert session.get(ExpectedResult, row.id).measure_id == own.id


def test_removing_a_measure_keeps_its_expectations_unmeasured_and_audited(engine, room):
    with writing(engine) as session:
        row = _add_result(session, room["partners"][0], "Faster access")
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "Wait time"}, actor=ACTOR)
        expectations.link_measure(session, workshop_id=room["workshop"], result_id=row.id,
                                  measure_id=measure.id, was=None, actor=ACTOR)
    with writing(engine) as session:
        expectations.delete_measure(session, workshop_id=room["workshop"],
                                    measure_id=measure.id, actor=ACTOR)
    with reading(engine) as session:
        assert session.get(Measure, measure.id) is None
        assert session.get(ExpectedResult, row.id).measure_id is None
        removal = session.exec(select(AuditEvent).where(AuditEvent.entity == "measure",
                                                        AuditEvent.action == "delete")).one()
    assert removal.before["__unlinked__"] == [{"entity": "expectedresult", "id": row.id,
                                               "column": "measure_id", "value": measure.id}]


# --- measures: input ---------------------------------------------------------------------------


MEASURE_REFUSALS = {
    "no name": ({"name": " "}, {"name": "Please fill this in."}),
    "pilot ends before it starts": (
        {"pilot_start": "2027-07-31", "pilot_end": "2027-02-01", "reevaluation_date": None},
        {"pilot_end": "The pilot must end on or after the day it starts."}),
    "re-evaluation before the pilot": (
        {"reevaluation_date": "2027-01-15"},
        {"reevaluation_date": "The re-evaluation comes after the pilot starts."}),
    "plausible range upside down": (
        {"plausible_min": 100, "plausible_max": 0},
        {"plausible_max": "The highest plausible value must be above the lowest."}),
    "plausible range of one point": (
        {"plausible_min": 5, "plausible_max": 5},
        {"plausible_max": "The highest plausible value must be above the lowest."}),
    "baseline above the plausible range": (
        {"baseline_value": 140},
        {"baseline_value": "This is outside what is plausible here (0 to 100)."}),
    "target below a one-sided range": (
        {"target_value": -3, "plausible_max": None},
        {"target_value": "This is outside what is plausible here (at least 0)."}),
    "baseline that is not a number": ({"baseline_value": float("nan")},
                                      {"baseline_value": "Please give a number."}),
    "target that is infinite": ({"target_value": float("inf")},
                                {"target_value": "Please give a number."}),
    "date before 2000": ({"baseline_date": "1999-12-31"},
                         {"baseline_date": "Please give a date between 2000 and 2100."}),
    "date after 2100": ({"baseline_plan_date": "2101-01-01"},
                        {"baseline_plan_date": "Please give a date between 2000 and 2100."}),
    "date that is no date": ({"pilot_start": "spring"}, {"pilot_start": "Please give a date."}),
    "unknown direction": ({"direction": "sideways"}, {"direction": (
        "Please choose one of: 'higher_is_better' or 'lower_is_better'.")}),
    "frequency too long": ({"frequency": "f" * 61},
                           {"frequency": "Please keep this under 60 characters."}),
}


@pytest.mark.parametrize("case", MEASURE_REFUSALS.values(), ids=MEASURE_REFUSALS.keys())
def test_a_measure_is_refused_with_a_message_per_field(case):
    changes, expected = case
    with pytest.raises(Invalid) as caught:
        parse(MeasureIn, {**COMPLETE, **changes})
    assert caught.value.errors == expected


def test_a_measure_needs_only_a_name_to_be_saved(engine, room):
    with writing(engine) as session:
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "  No-show rate "}, actor=ACTOR)
    assert (measure.name, measure.status, measure.direction) == (
        "No-show rate", ItemStatus.OPEN, Direction.HIGHER_IS_BETTER)
    assert _step_status(engine, room["workshop"]) == StepStatus.IN_PROGRESS
    assert _audits(engine, "measure", "create") == 1


def test_a_measure_name_is_used_once_per_workshop_whatever_its_case(engine, room):
    with writing(engine) as session:
        expectations.add_measure(session, workshop_id=room["workshop"],
                                 data={"name": "Café visits"}, actor=ACTOR)
    with writing(engine) as session:
        assert _errors(expectations.add_measure, session, workshop_id=room["workshop"],
                       data={"name": "CAFÉ VISITS"}, actor=ACTOR) == {
            "name": "This workshop already has a measure with this name."}


def test_the_owner_must_be_a_partner_of_this_workshop(engine, room):
    with writing(engine) as session:
        _, foreign_partners = _workshop(session, name="Other workshop")
    for owner in (foreign_partners[0], 99_999):
        with writing(engine) as session:
            assert _errors(expectations.add_measure, session, workshop_id=room["workshop"],
                           data={"name": "Wait time", "owner_partner_id": owner},
                           actor=ACTOR) == {
                "owner_partner_id": "Please choose one of this workshop's partners."}
    with writing(engine) as session:
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "Wait time",
                                                 "owner_partner_id": room["partners"][2]},
                                           actor=ACTOR)
    assert measure.owner_partner_id == room["partners"][2]


def test_a_library_measure_is_copied_with_its_definition_and_range(engine, room):
    with writing(engine) as session:
        measure = expectations.add_library_measure(session, workshop_id=room["workshop"],
                                                   key="wait-time-first-bh-visit", actor=ACTOR)
    entry = library.measures()["wait-time-first-bh-visit"]
    assert measure.definition.startswith("For patients referred from primary care")
    assert (measure.library_key, measure.name, measure.data_source, measure.unit,
            measure.direction, measure.frequency, measure.plausible_min,
            measure.plausible_max) == (
        "wait-time-first-bh-visit", "Wait time to first behavioral health visit",
        entry.data_source, "days", Direction.LOWER_IS_BETTER, "monthly", 0, 120)
    assert (measure.baseline_value, measure.target_value, measure.owner_partner_id) == (
        None, None, None)

    with writing(engine) as session:
        assert _errors(expectations.add_library_measure, session, workshop_id=room["workshop"],
                       key="wait-time-first-bh-visit", actor=ACTOR) == {
            "library": "This workshop already has this measure."}
        assert _errors(expectations.add_library_measure, session, workshop_id=room["workshop"],
                       key="no-such-measure", actor=ACTOR) == {
            "library": "Please choose a measure from the library."}
        view = expectations.expectations_view(session, room["workshop"])
    assert "wait-time-first-bh-visit" not in view.unused_library_keys
    assert len(view.unused_library_keys) == len(library.measures()) - 1


def test_a_stale_measure_save_is_refused(engine, room):
    with writing(engine) as session:
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "Wait time"}, actor=ACTOR)
    with writing(engine) as session:
        expectations.update_measure(session, workshop_id=room["workshop"],
                                    measure_id=measure.id, data={"name": "Days to first visit"},
                                    expected_version=1, actor=ACTOR)
    with writing(engine) as session, pytest.raises(Conflict):
        expectations.update_measure(session, workshop_id=room["workshop"],
                                    measure_id=measure.id, data={"name": "Wait in days"},
                                    expected_version=1, actor=ACTOR)
    with reading(engine) as session:
        assert session.get(Measure, measure.id).name == "Days to first visit"


# --- what a measure still needs ----------------------------------------------------------------


def _measure_in(**changes) -> MeasureIn:
    return MeasureIn.model_validate({**COMPLETE, **changes})


BASELINE_GONE = {"baseline_value": None, "baseline_date": None}
MISSING = {
    "nothing": ({}, []),
    "definition": ({"definition": "  "}, ["a definition"]),
    "baseline": (BASELINE_GONE,
                 ["a baseline (today's value and its date, or a plan and a date to collect it)"]),
    "baseline date": ({"baseline_date": None}, ["the date of the baseline value"]),
    "baseline value": ({"baseline_value": None}, ["the baseline value"]),
    "plan date": ({**BASELINE_GONE, "baseline_plan": "Count four weeks of referrals"},
                  ["the date the baseline will be collected by"]),
    "plan": ({**BASELINE_GONE, "baseline_plan_date": "2027-01-22"},
             ["the plan to collect the baseline"]),
    "plan and date before the start": (
        {**BASELINE_GONE, "baseline_plan": "Count four weeks", "baseline_plan_date": "2027-01-31"},
        []),
    "plan date on the start day": (
        {**BASELINE_GONE, "baseline_plan": "Count four weeks", "baseline_plan_date": "2027-02-01"},
        ["a baseline plan date before the pilot starts (1 February 2027)"]),
    "plan date after the start": (
        {**BASELINE_GONE, "baseline_plan": "Count four weeks", "baseline_plan_date": "2027-03-15"},
        ["a baseline plan date before the pilot starts (1 February 2027)"]),
    "target": ({"target_value": None}, ["a target"]),
    "target of zero is a target": ({"target_value": 0}, []),
    "frequency": ({"frequency": ""}, ["how often it is measured"]),
    "owner": ({"owner_name": "", "owner_partner_id": None}, ["an owner"]),
    "everything": ({**BASELINE_GONE, "definition": "", "target_value": None, "frequency": "",
                    "owner_name": ""},
                   ["a definition",
                    "a baseline (today's value and its date, or a plan and a date to collect it)",
                    "a target", "how often it is measured", "an owner"]),
}


@pytest.mark.parametrize("case", MISSING.values(), ids=MISSING.keys())
def test_missing_for_agreement_names_each_missing_piece(case):
    changes, expected = case
    assert missing_for_agreement(_measure_in(**changes), PILOT_START) == expected


def test_a_plan_date_needs_no_particular_day_while_the_pilot_has_no_start():
    measure = _measure_in(baseline_value=None, baseline_date=None, baseline_plan="Count",
                          baseline_plan_date="2027-03-15")
    assert missing_for_agreement(measure, None) == []


def test_an_owner_is_a_partner_or_a_named_person(room):
    by_partner = _measure_in(owner_name="", owner_partner_id=room["partners"][0])
    assert missing_for_agreement(by_partner, PILOT_START) == []


def test_agreed_is_refused_until_the_measure_is_complete(engine, room):
    workshop_id = room["workshop"]
    with writing(engine) as session:
        measure = expectations.add_library_measure(session, workshop_id=workshop_id,
                                                   key="phq9-response", actor=ACTOR)
    with writing(engine) as session:
        assert _errors(expectations.set_measure_status, session, workshop_id=workshop_id,
                       measure_id=measure.id, status=ItemStatus.AGREED, actor=ACTOR) == {
            "status": "To agree this measure, first add a baseline (today's value and its "
                      "date, or a plan and a date to collect it), a target and an owner."}
    with reading(engine) as session:
        assert session.get(Measure, measure.id).status == ItemStatus.OPEN

    with writing(engine) as session:
        expectations.update_measure(session, workshop_id=workshop_id, measure_id=measure.id,
                                    data={**COMPLETE, "owner_name": "",
                                          "owner_partner_id": room["partners"][0]},
                                    expected_version=1, actor=ACTOR)
        expectations.set_measure_status(session, workshop_id=workshop_id,
                                        measure_id=measure.id, status="agreed", actor=ACTOR)
    with reading(engine) as session:
        assert session.get(Measure, measure.id).status == ItemStatus.AGREED
    assert _audits(engine, "measure", "update") == 2


def test_a_contested_measure_may_be_incomplete(engine, room):
    with writing(engine) as session:
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "ED visits"}, actor=ACTOR)
        expectations.set_measure_status(session, workshop_id=room["workshop"],
                                        measure_id=measure.id, status="contested", actor=ACTOR)
    with reading(engine) as session:
        assert session.get(Measure, measure.id).status == ItemStatus.CONTESTED


def test_an_agreed_measure_keeps_what_made_it_agreeable(engine, room):
    workshop_id = room["workshop"]
    with writing(engine) as session:
        measure = expectations.add_measure(session, workshop_id=workshop_id, data=COMPLETE,
                                           actor=ACTOR)
        expectations.set_measure_status(session, workshop_id=workshop_id,
                                        measure_id=measure.id, status="agreed", actor=ACTOR)
    with writing(engine) as session:
        assert _errors(expectations.update_measure, session, workshop_id=workshop_id,
                       measure_id=measure.id, data={**COMPLETE, "target_value": None},
                       expected_version=2, actor=ACTOR) == {
            "form": "This measure is agreed, so it needs a target. To leave that out, change "
                    "its status first."}
    with reading(engine) as session:
        assert session.get(Measure, measure.id).target_value == 45


# --- what the screen shows ---------------------------------------------------------------------


def test_nothing_a_partner_wrote_is_in_the_view_before_the_reveal(engine, room):
    with writing(engine) as session:
        result = _add_result(session, room["partners"][0], "Faster access", theme="Access")
        measure = expectations.add_measure(session, workshop_id=room["workshop"],
                                           data={"name": "Wait time"}, actor=ACTOR)
        expectations.link_measure(session, workshop_id=room["workshop"], result_id=result.id,
                                  measure_id=measure.id, was=None, actor=ACTOR)
        hidden = expectations.expectations_view(session, room["workshop"])
    assert (hidden.revealed, hidden.results, hidden.groups) == (False, {}, [])
    assert [(m.measure.name, m.serves) for m in hidden.measures] == [("Wait time", [])]

    _reveal(engine, room["workshop"])
    with reading(engine) as session:
        shown = expectations.expectations_view(session, room["workshop"])
    assert shown.revealed
    assert {pid: [r.text for r in rows] for pid, rows in shown.results.items()} == {
        room["partners"][0]: ["Faster access"]}
    assert [r.text for r in shown.measures[0].serves] == ["Faster access"]


def test_results_with_the_same_theme_in_any_case_form_one_group(engine, room):
    bh, pc, county = room["partners"]
    with writing(engine) as session:
        for partner_id, text, theme in [
            (bh, "Stable funding", "Funding"),
            (bh, "Faster first visit", "Faster access"),
            (pc, "A clinician in clinic hours", "  faster   ACCESS "),
            (pc, "Fewer no-shows", ""),
            (county, "A model others can copy", "Sustainability"),
            (county, "Same-day hand-offs", "Faster Access"),
            (bh, "Happier staff", "   "),
        ]:
            _add_result(session, partner_id, text, theme=theme)
    _reveal(engine, room["workshop"])
    with reading(engine) as session:
        groups = expectations.expectations_view(session, room["workshop"]).groups

    assert [(g.theme, g.grouped, g.partner_ids, [r.text for r in g.results]) for g in groups] == [
        ("Faster access", True, [bh, pc, county],
         ["Faster first visit", "A clinician in clinic hours", "Same-day hand-offs"]),
        ("Funding", True, [bh], ["Stable funding"]),
        ("Sustainability", True, [county], ["A model others can copy"]),
        ("Not grouped yet", False, [bh, pc], ["Happier staff", "Fewer no-shows"]),
    ]
    assert [r.text for r in groups[0].of_partner(pc)] == ["A clinician in clinic hours"]


def test_the_demo_view_groups_its_themes_and_its_measures_are_complete(demo_engine):
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id)).one()
        view = expectations.expectations_view(session, workshop_id)
    assert [(g.theme, len(g.partner_ids)) for g in view.groups] == [
        ("Faster access", 2), ("Sustainable funding", 2), ("Less emergency use", 2),
        ("Better depression outcomes", 1), ("Better chronic care", 1)]
    assert [(m.measure.name, m.measure.status, m.missing) for m in view.measures] == [
        ("PHQ-9 response at 6 months", ItemStatus.AGREED, []),
        ("Wait time to first behavioral health visit", ItemStatus.AGREED, []),
        ("Warm hand-off rate", ItemStatus.AGREED, []),
        ("HbA1c poor control (above 9%)", ItemStatus.AGREED, []),
        ("Emergency department visits", ItemStatus.CONTESTED, []),
    ]
    assert [len(m.serves) for m in view.measures] == [1, 1, 1, 1, 0]


@contextmanager
def _selects(engine):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not is_stamp_read(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_view_takes_four_queries_however_many_rows(demo_engine):
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id)).one()
    with reading(demo_engine) as session, _selects(demo_engine) as before:
        expectations.expectations_view(session, workshop_id)
    with writing(demo_engine) as session:
        partner_ids = session.exec(select(Partner.id)).all()
        for number in range(12):
            _add_result(session, partner_ids[number % 3], f"Result {number}", theme=f"T{number}")
            expectations.add_measure(session, workshop_id=workshop_id,
                                     data={"name": f"Measure {number}"}, actor=ACTOR)
    forget()  # built from nothing, as the first time: the writes changed only two tables
    with reading(demo_engine) as session, _selects(demo_engine) as after:
        view = expectations.expectations_view(session, workshop_id)
    assert sum(len(rows) for rows in view.results.values()) == 8 + 12
    assert (len(before), len(after)) == (4, 4)
