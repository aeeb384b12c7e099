"""Check-ins after the workshop: the progress arithmetic on hand-computed cases, every refusal in
plain words with nothing written, recalibrations audited with their reasons and lapsing
leaders' approvals, a topic reopened for a new round, undo, and three check-ins on the demo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from models import audit, checkin_report, checkins, solutions
from models import summary as summaries
from models.checkin_report import next_checkin, progress_words, share_of_the_way, target_reached
from models.db import reading, writing
from models.demo import load_demo_once
from models.export_json import export_workshop, import_workshop
from models.schema import (
    Agreement,
    AgreementShare,
    AuditEvent,
    CapacityActual,
    Checkin,
    Direction,
    LogEntry,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneReport,
    Partner,
    Recalibration,
    SignOff,
    SignOffDecision,
    Step,
    StepStatus,
    Topic,
    Workshop,
)
from models.steps import step_states
from models.validation import Conflict, Invalid
from tests.checkin_story import A1C, ACTOR, FQHC, REGISTRY, WAIT, record_story
from tests.conftest import Template, copy_of, template_database

HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


# --- the arithmetic, by hand ---------------------------------------------------------------------


@pytest.mark.parametrize(("baseline", "target", "current", "expected"), [
    (28, 45, 38, 10 / 17 * 100),        # PHQ-9 response: 10 of the 17 points, 58.8 %
    (28, 45, 28, 0.0),                   # still at the baseline
    (28, 45, 45, 100.0),                 # at the target
    (28, 45, 50, 22 / 17 * 100),         # past the target: 129.4 %
    (28, 45, 20, -8 / 17 * 100),         # the wrong way: -47.1 %
    (21, 7, 9, 12 / 14 * 100),           # a wait time to shorten: 12 of 14 days, 85.7 %
    (21, 7, 5, 16 / 14 * 100),           # shorter than the target: 114.3 %
    (21, 7, 25, -4 / 14 * 100),          # longer than at the start: -28.6 %
    (0.5, 0.25, 0.375, 50.0),            # fractions
])
def test_share_of_the_way_from_baseline_to_target(baseline, target, current, expected):
    assert share_of_the_way(baseline, target, current) == pytest.approx(expected)


@pytest.mark.parametrize(("baseline", "target", "current"), [
    (30, 30, 31),      # the target is the baseline: a level to hold, no way to go
    (None, 45, 38),    # no baseline
    (28, None, 38),    # no target
    (28, 45, None),    # no reading
])
def test_no_share_without_a_way_to_go(baseline, target, current):
    assert share_of_the_way(baseline, target, current) is None


@pytest.mark.parametrize(("current", "target", "direction", "expected"), [
    (45, 45, HIGHER, True), (46, 45, HIGHER, True), (44, 45, HIGHER, False),
    (7, 7, LOWER, True), (6, 7, LOWER, True), (8, 7, LOWER, False),
    (None, 7, LOWER, None), (8, None, LOWER, None),
])
def test_target_reached_on_the_better_side(current, target, direction, expected):
    assert target_reached(current, target, direction) is expected


@pytest.mark.parametrize(("baseline", "target", "current", "direction", "words"), [
    (28, 45, 38, HIGHER, "59 % of the way to the target"),
    (21, 7, 9, LOWER, "86 % of the way to the target"),
    (21, 7, 7, LOWER, "Target reached: 100 % of the way"),
    (21, 7, 5, LOWER, "Target reached: 114 % of the way"),
    (21, 7, 25, LOWER, "Moved away from the target: -29 %"),
    (30, 30, 29, LOWER, "Holding the target"),
    (30, 30, 31, LOWER, "Not holding the target"),
    (0, 1000, 996, HIGHER, "99 % of the way to the target"),   # 99.6 %: not there yet
    (0, 1000, -3, HIGHER, "Moved away from the target: -1 %"),  # -0.3 %: still the wrong way
    (None, 60, 52, HIGHER, "No baseline to count from"),
    (None, 60, 61, HIGHER, "Target reached (no baseline to count from)"),
    (28, None, 38, HIGHER, "No target agreed"),
    (28, 45, None, HIGHER, "No reading yet"),
])
def test_progress_in_words(baseline, target, current, direction, words):
    assert progress_words(baseline, target, current, direction) == words


WORKSHOP_DAY = date(2026, 11, 17)
PLANNED = [date(2027, 3, 1), date(2027, 5, 3)]


@pytest.mark.parametrize(("held", "scheduled", "weeks", "expected"), [
    ([], PLANNED, 4, date(2027, 3, 1)),                  # the first check-in on the plan
    ([], [], 4, date(2026, 12, 15)),                     # the workshop's day plus four weeks
    ([], [], None, None),                                # neither rhythm nor plan
    ([date(2027, 3, 1)], PLANNED, 4, date(2027, 3, 29)),  # the rhythm comes first
    ([date(2027, 4, 26)], PLANNED, 4, date(2027, 5, 3)),  # the plan's review comes first
    ([date(2027, 3, 1)], PLANNED, None, date(2027, 5, 3)),
    ([date(2027, 5, 3)], PLANNED, None, None),           # nothing ahead, no rhythm
    ([date(2027, 5, 3), date(2027, 3, 1)], PLANNED, 2, date(2027, 5, 17)),  # from the last
])
def test_next_checkin(held, scheduled, weeks, expected):
    assert next_checkin(held, scheduled, weeks, WORKSHOP_DAY) == expected


# --- a demo database for each test, copied from one loaded once -----------------------------------


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory: pytest.TempPathFactory) -> tuple[Template, int]:
    return template_database(backend, tmp_path_factory, load_demo_once)


@pytest.fixture
def demo(template, tmp_path) -> Iterator[tuple[Engine, int]]:
    database, workshop_id = template
    for engine in copy_of(database, tmp_path):
        yield engine, workshop_id


def row(session: Session, table: type[SQLModel], **where: object) -> SQLModel:
    return session.exec(select(table).filter_by(**where)).one()


def measure_id(engine: Engine, workshop_id: int, key: str) -> int:
    with reading(engine) as session:
        return row(session, Measure, workshop_id=workshop_id, library_key=key).id


def open_checkin(engine: Engine, workshop_id: int, held_on: date = date(2027, 3, 1)) -> int:
    with writing(engine) as session:
        return checkins.open_checkin(session, workshop_id=workshop_id, actor=ACTOR,
                                     data={"held_on": held_on}).id


def counts(engine: Engine) -> dict[str, int]:
    with reading(engine) as session:
        return {table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
                for table in (Checkin, MeasureReading, MilestoneReport, CapacityActual,
                              Recalibration, LogEntry, AuditEvent, Measure, Milestone)}


def refused(engine: Engine, write) -> dict[str, str]:
    """The messages of a refused write, after checking it wrote nothing at all."""
    before = counts(engine)
    with pytest.raises(Invalid) as refusal, writing(engine) as session:
        write(session)
    assert counts(engine) == before
    return refusal.value.errors


# --- refusals, each in plain words, nothing written -----------------------------------------------


@pytest.mark.parametrize(("held_on", "message"), [
    (date(1999, 12, 31), "Please give a date between 2000 and 2100."),
    (date(2026, 11, 16), "A check-in comes after the workshop (17 Nov 2026); please check the "
                         "date."),
])
def test_a_checkin_date_out_of_range_is_refused(demo, held_on, message):
    engine, workshop_id = demo
    errors = refused(engine, lambda s: checkins.open_checkin(
        s, workshop_id=workshop_id, actor=ACTOR, data={"held_on": held_on}))
    assert errors == {"held_on": message}


def test_one_checkin_per_date(demo):
    engine, workshop_id = demo
    open_checkin(engine, workshop_id)
    errors = refused(engine, lambda s: checkins.open_checkin(
        s, workshop_id=workshop_id, actor=ACTOR, data={"held_on": date(2027, 3, 1)}))
    assert errors == {"held_on": "There is a check-in on 1 Mar 2027 already: choose it above "
                                 "to add to it."}


@pytest.mark.parametrize(("data", "errors"), [
    ({"value": 130, "measured_on": date(2027, 2, 26), "source": "Registry"},
     {"value": "This is outside what is plausible for this measure (0 to 100)."}),
    ({"value": -1, "measured_on": date(2027, 2, 26), "source": "Registry"},
     {"value": "This is outside what is plausible for this measure (0 to 100)."}),
    ({"value": 31, "measured_on": date(2026, 9, 1), "source": "Registry"},
     {"measured_on": "This is before the baseline (30 Sep 2026): please check the date of "
                     "the data."}),
    ({"value": 31, "measured_on": date(2027, 3, 2), "source": "Registry"},
     {"measured_on": "This is after the check-in (1 Mar 2027): please check the date of the "
                     "data."}),
    ({"value": 31, "measured_on": date(2027, 2, 26), "source": " "},
     {"source": "Please fill this in."}),
    ({"value": None, "measured_on": None, "source": "Registry"},
     {"value": "Please give a number.", "measured_on": "Please give a date."}),
])
def test_a_bad_reading_is_refused_field_by_field(demo, data, errors):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    phq9 = measure_id(engine, workshop_id, "phq9-response")
    assert refused(engine, lambda s: checkins.record_reading(
        s, checkin_id=checkin_id, measure_id=phq9, data=data, expected_version=None,
        actor=ACTOR)) == errors


@pytest.mark.parametrize(("data", "errors"), [
    ({"state": "slipped", "slip_days": None, "reason": ""},
     {"slip_days": "By how many days has it slipped?",
      "reason": "Please say why it slipped: the partners can only help with what they know."}),
    ({"state": "slipped", "slip_days": 12, "reason": ""},
     {"reason": "Please say why it slipped: the partners can only help with what they know."}),
    ({"state": "slipped", "slip_days": -3, "reason": "Late"},
     {"slip_days": "Please give a number of at least 0."}),
    ({"state": "at_risk", "reason": "  "},
     {"reason": "Please say what puts it at risk, so the partners can help."}),
    ({"state": "late"}, {"state": "Please choose one of: 'done', 'on_track', 'slipped' or "
                                  "'at_risk'."}),
])
def test_a_slip_needs_its_days_and_its_reason(demo, data, errors):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    with reading(engine) as session:
        milestone = row(session, Milestone, workshop_id=workshop_id, title=REGISTRY).id
    assert refused(engine, lambda s: checkins.report_milestone(
        s, checkin_id=checkin_id, milestone_id=milestone, data=data, expected_version=None,
        actor=ACTOR)) == errors


@pytest.mark.parametrize(("data", "errors"), [
    ({"month": date(2027, 2, 1), "hours": -5}, {"hours": "Please give a number of at least 0."}),
    ({"month": date(2027, 2, 1), "hours": None}, {"hours": "Please give a number."}),
    ({"month": date(2027, 4, 1), "hours": 40},
     {"month": "April 2027 has not begun by the check-in on 1 Mar 2027."}),
])
def test_bad_hours_given_are_refused(demo, data, errors):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    with reading(engine) as session:
        partner = row(session, Partner, workshop_id=workshop_id, name=FQHC).id
    assert refused(engine, lambda s: checkins.record_capacity_given(
        s, checkin_id=checkin_id, partner_id=partner, data=data, expected_version=None,
        actor=ACTOR)) == errors


def test_a_disappointment_is_logged_with_its_lesson(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    errors = refused(engine, lambda s: checkins.add_log_entry(
        s, checkin_id=checkin_id, actor=ACTOR, data={
            "kind": "disappointment", "happened_on": date(2027, 2, 20), "text": "Late"}))
    assert errors == {"lesson": "What did we learn? A disappointment is logged with its lesson."}


def test_a_recalibration_needs_a_reason_and_a_plausible_new_target(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    a1c = measure_id(engine, workshop_id, A1C)

    def recalibrate(data):
        return lambda s: checkins.recalibrate_target(s, checkin_id=checkin_id, measure_id=a1c,
                                                     data=data, expected_version=1, actor=ACTOR)

    assert refused(engine, recalibrate({"target_value": 27, "reason": ""})) == {
        "reason": "Please say why: the reason is kept with the change, for everyone who reads "
                  "it later."}
    assert refused(engine, recalibrate({"target_value": 127, "reason": "More"})) == {
        "target_value": "This is outside what is plausible for this measure (0 to 100)."}
    assert refused(engine, recalibrate({"target_value": 26, "reason": "Same"})) == {
        "target_value": "This is the target already."}


# --- what is recorded ----------------------------------------------------------------------------


def test_a_reading_is_saved_once_then_changed_with_the_version_it_read(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    wait = measure_id(engine, workshop_id, WAIT)
    data = {"value": 16, "measured_on": date(2027, 2, 26), "source": "Referral log"}
    with writing(engine) as session:
        first = checkins.record_reading(session, checkin_id=checkin_id, measure_id=wait,
                                        data=data, expected_version=None, actor=ACTOR)
    with pytest.raises(Conflict), writing(engine) as session:  # someone else's, never blind
        checkins.record_reading(session, checkin_id=checkin_id, measure_id=wait,
                                data=dict(data, value=15), expected_version=None, actor=ACTOR)
    with writing(engine) as session:
        checkins.record_reading(session, checkin_id=checkin_id, measure_id=wait,
                                data=dict(data, value=15), expected_version=first.version,
                                actor=ACTOR)
    with reading(engine) as session:
        saved = session.get(MeasureReading, first.id)
        report = checkin_report.latest_report(session, workshop_id)
    assert (saved.value, saved.version) == (15, 2)
    [line] = [m for m in report.measures if m.measure_id == wait]
    assert line.percent == pytest.approx(6 / 14 * 100)  # 21 days down to 15, of 14 to go
    assert line.words == "43 % of the way to the target"


def test_a_slipped_milestone_beyond_its_slack_says_by_how_much(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id, date(2027, 3, 29))
    with writing(engine) as session:
        registry = row(session, Milestone, workshop_id=workshop_id, title=REGISTRY)
        checkins.report_milestone(session, checkin_id=checkin_id, milestone_id=registry.id,
                                  expected_version=None, actor=ACTOR, data={
                                      "state": "slipped", "slip_days": 18,
                                      "reason": "The vendor's link failed testing."})
        checkins.report_milestone(session, checkin_id=checkin_id,
                                  milestone_id=row(session, Milestone, workshop_id=workshop_id,
                                                   title="Pilot ends").id,
                                  expected_version=None, actor=ACTOR,
                                  data={"state": "done", "slip_days": 4, "reason": ""})
    with reading(engine) as session:
        report = checkin_report.latest_report(session, workshop_id)
    by_title = {m.title: m for m in report.milestones}
    assert (by_title[REGISTRY].slack_days, by_title[REGISTRY].slip_days,
            by_title[REGISTRY].beyond_slack) == (14, 18, 4)
    assert by_title["Pilot ends"].slip_days == 0  # days count only for a slip
    assert by_title["Pilot starts at the Northside main site"].state is None


# --- recalibration: audited, and leaders' approvals lapse ----------------------------------------


def approve_current_summary(engine: Engine, workshop_id: int) -> str:
    with writing(engine) as session:
        version = summaries.build_summary(session, workshop_id).version
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()
        session.add(SignOff(workshop_id=workshop_id, partner_id=partner.id,
                            summary_version=version, decision=SignOffDecision.APPROVED,
                            name="Grace Mbeki"))
    return version


def approvals(engine: Engine, workshop_id: int) -> tuple[str, bool]:
    with reading(engine) as session:
        version = summaries.build_summary(session, workshop_id).version
        return version, summaries.approvals_lapsed(summaries.sign_offs(session, workshop_id,
                                                                       version))


def events(engine: Engine, workshop_id: int, after: int) -> list[AuditEvent]:
    with reading(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.workshop_id == workshop_id,
                                                          AuditEvent.id > after)
                                 .order_by(AuditEvent.id)).all())


def last_event_id(engine: Engine) -> int:
    with reading(engine) as session:
        return session.exec(select(func.max(AuditEvent.id))).one()


def test_a_new_target_is_audited_with_before_after_and_reason_and_lapses_approvals(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    approved = approve_current_summary(engine, workshop_id)
    assert approvals(engine, workshop_id) == (approved, False)
    a1c = measure_id(engine, workshop_id, A1C)
    since = last_event_id(engine)

    with writing(engine) as session:
        checkins.recalibrate_target(session, checkin_id=checkin_id, measure_id=a1c,
                                    expected_version=1, actor=ACTOR, data={
                                        "target_value": 27, "reason": "A1c moves slowly."})

    changed, recorded = events(engine, workshop_id, since)
    assert (changed.action, changed.entity, changed.entity_id) == ("update", "measure", a1c)
    assert (changed.before["target_value"], changed.after["target_value"]) == (26, 27)
    assert (recorded.action, recorded.entity, changed.actor) == ("create", "recalibration",
                                                                 ACTOR)
    assert {key: recorded.after[key] for key in ("kind", "subject", "before", "after",
                                                 "reason")} == {
        "kind": "target", "subject": "HbA1c poor control (above 9%): target", "before": "26 %",
        "after": "27 %", "reason": "A1c moves slowly."}
    version, lapsed = approvals(engine, workshop_id)
    assert version != approved and lapsed


def test_a_new_date_lapses_approvals_and_a_stale_one_is_refused(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    approved = approve_current_summary(engine, workshop_id)
    with reading(engine) as session:
        registry = row(session, Milestone, workshop_id=workshop_id, title=REGISTRY)
    data = {"due_on": date(2027, 4, 2), "reason": "The vendor needs two more weeks."}
    with writing(engine) as session:
        checkins.recalibrate_date(session, checkin_id=checkin_id, milestone_id=registry.id,
                                  data=data, expected_version=registry.version, actor=ACTOR)
    before = counts(engine)
    with pytest.raises(Conflict), writing(engine) as session:  # the version read is old now
        checkins.recalibrate_date(session, checkin_id=checkin_id, milestone_id=registry.id,
                                  data=dict(data, due_on=date(2027, 4, 9)),
                                  expected_version=registry.version, actor=ACTOR)
    assert counts(engine) == before
    with reading(engine) as session:
        assert session.get(Milestone, registry.id).due_on == date(2027, 4, 2)
        [made] = session.exec(select(Recalibration)).all()
    assert (made.before, made.after) == ("15 Mar 2027", "2 Apr 2027")
    version, lapsed = approvals(engine, workshop_id)
    assert version != approved and lapsed


def test_new_planned_hours_are_audited_and_lapse_approvals(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    approved = approve_current_summary(engine, workshop_id)
    with reading(engine) as session:
        partner = row(session, Partner, workshop_id=workshop_id, name=FQHC)
    since = last_event_id(engine)
    with writing(engine) as session:
        checkins.recalibrate_capacity(session, checkin_id=checkin_id, partner_id=partner.id,
                                      expected_version=1, actor=ACTOR, data={
                                          "month": date(2027, 7, 15), "hours": 45,
                                          "reason": "Summer leave."})
    changed, recorded = events(engine, workshop_id, since)
    assert changed.entity == "capacitycommitment"
    assert (changed.before["hours"], changed.after["hours"]) == (60, 45)
    assert (recorded.after["before"], recorded.after["after"]) == ("60 h", "45 h")
    version, lapsed = approvals(engine, workshop_id)
    assert version != approved and lapsed


def test_a_reopened_topic_goes_back_for_a_new_round_and_undo_brings_its_agreement_back(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    approved = approve_current_summary(engine, workshop_id)
    with writing(engine) as session:
        topic = row(session, Topic, workshop_id=workshop_id,
                    library_key="warm-handoff-response-time")
        agreement = row(session, Agreement, topic_id=topic.id)
        shares = len(session.exec(select(AgreementShare)
                                  .where(AgreementShare.agreement_id == agreement.id)).all())
        states = step_states(session, workshop_id)
        states[Step.SOLUTIONS].status = StepStatus.SETTLED
        session.add(states[Step.SOLUTIONS])
    since = last_event_id(engine)

    with writing(engine) as session:
        made = checkins.reopen_topic(session, checkin_id=checkin_id, topic_id=topic.id,
                                     actor=ACTOR, data={"reason": "Evening clinics started."})
    assert (made.before, made.after) == ("agreed: 15 minutes",
                                         "open for a new round in shared solutions")
    with writing(engine) as session:
        assert session.exec(select(Agreement).where(Agreement.topic_id == topic.id)).first() \
            is None
        assert step_states(session, workshop_id)[Step.SOLUTIONS].status == \
            StepStatus.IN_PROGRESS
        summary = summaries.build_summary(session, workshop_id)
        solutions.record_proposal(session, topic_id=topic.id, actor=ACTOR,
                                  data={"number": 20, "note": "A new round"})
    assert any(item.item == topic.title and item.state == "open"
               for item in summary.open_items)
    assert summary.version != approved

    removal = next(e for e in events(engine, workshop_id, since) if e.action == "delete")
    assert removal.entity == "agreement"
    with writing(engine) as session:
        audit.undo(session, workshop_id=workshop_id, event_id=removal.id, actor=ACTOR)
    with reading(engine) as session:
        back = row(session, Agreement, topic_id=topic.id)
        assert len(session.exec(select(AgreementShare)
                                .where(AgreementShare.agreement_id == back.id)).all()) == shares


def test_only_an_agreed_topic_is_reopened(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    with reading(engine) as session:
        parked = row(session, Topic, workshop_id=workshop_id,
                     library_key="same-day-billing-approach")
    assert refused(engine, lambda s: checkins.reopen_topic(
        s, checkin_id=checkin_id, topic_id=parked.id, actor=ACTOR,
        data={"reason": "Try again"})) == {
        "topic": "This topic is not agreed, so it is open for a new round already."}


def test_undoing_a_new_target_puts_the_old_one_back(demo):
    engine, workshop_id = demo
    checkin_id = open_checkin(engine, workshop_id)
    a1c = measure_id(engine, workshop_id, A1C)
    since = last_event_id(engine)
    with writing(engine) as session:
        checkins.recalibrate_target(session, checkin_id=checkin_id, measure_id=a1c,
                                    expected_version=1, actor=ACTOR,
                                    data={"target_value": 27, "reason": "A1c moves slowly."})
    changed, recorded = events(engine, workshop_id, since)
    with reading(engine) as session:
        entries = audit.trail(session, workshop_id, limit=2).entries
    assert entries[0].what == "Recalibration “HbA1c poor control (above 9%): target”"
    assert "Reason: A1c moves slowly." in entries[0].lines and entries[0].why_not == ""
    assert "Target value: 26 → 27" in entries[1].lines
    with writing(engine) as session:
        audit.undo(session, workshop_id=workshop_id, event_id=changed.id, actor=ACTOR)
        audit.undo(session, workshop_id=workshop_id, event_id=recorded.id, actor=ACTOR)
    with reading(engine) as session:
        assert session.get(Measure, a1c).target_value == 26
        assert session.exec(select(Recalibration)).all() == []


# --- three check-ins on the demo, and what they tell ---------------------------------------------


def test_three_checkins_on_the_demo_through_the_model_functions(demo):
    engine, workshop_id = demo
    with writing(engine) as session:
        ids = record_story(session, workshop_id)
    with reading(engine) as session:
        view = checkin_report.checkin_view(session, workshop_id)
        stored = counts(engine)
    assert [c.held_on for c in view.checkins] == [date(2027, 3, 1), date(2027, 3, 29),
                                                  date(2027, 4, 26)]
    assert [c.id for c in view.checkins] == ids
    assert (stored["measurereading"], stored["milestonereport"], stored["capacityactual"],
            stored["recalibration"]) == (12, 12, 12, 3)
    first, second, third = (view.report(c) for c in view.checkins)
    assert (first.previous_on, first.next_on) == (None, date(2027, 3, 29))
    assert (third.previous_on, third.next_on) == (date(2027, 3, 29), date(2027, 5, 3))
    assert view.next_on == date(2027, 5, 3)
    # The first check-in celebrates the early win reached and the huddle, since the workshop.
    assert [(s.kind, s.happened_on) for s in first.successes] == [
        ("early win", date(2027, 2, 5)), ("success", date(2027, 2, 9))]
    assert [s.text for s in third.successes] == [
        "Wait for a first therapy visit under ten days for the first time."]
    assert [d.lesson for d in second.disappointments] == [
        "Test the vendor's link a month ahead, not a week."]
    percents = {m.name: round(m.percent) for m in third.measures if m.percent is not None}
    assert percents == {"PHQ-9 response at 6 months": 59,       # (38 - 28) / (45 - 28)
                        "Wait time to first behavioral health visit": 86,  # (9-21) / (7-21)
                        "HbA1c poor control (above 9%)": 50}   # (29 - 31) / (27 - 31)
    assert [len(m.path) for m in third.measures] == [3, 3, 3, 3]
    assert [len(m.path) for m in first.measures] == [1, 1, 1, 1]
    registry = next(m for m in second.milestones if m.title == REGISTRY)
    assert (registry.state, registry.slip_days, registry.beyond_slack) == ("slipped", 18, 4)
    march = [c for c in first.capacity if c.month == date(2027, 3, 1)]
    assert all(c.given is None for c in march)  # reported only at the second check-in
    short = next(c for c in third.capacity if c.partner == FQHC
                 and c.month == date(2027, 3, 1))
    assert (short.planned, short.given) == (60, 42)
    assert [r.kind for r in third.recalibrations] == ["target", "capacity"]


def test_removing_a_checkin_keeps_its_log_and_undo_brings_everything_back(demo):
    engine, workshop_id = demo
    with writing(engine) as session:
        ids = record_story(session, workshop_id)
    before = counts(engine)
    with writing(engine) as session:
        checkins.delete_checkin(session, checkin_id=ids[1], actor=ACTOR)
    after = counts(engine)
    assert after["checkin"] == 2 and after["logentry"] == before["logentry"]
    assert after["measurereading"] == before["measurereading"] - 4
    assert after["recalibration"] == before["recalibration"] - 1
    removal = events(engine, workshop_id, 0)[-1]
    with writing(engine) as session:
        audit.undo(session, workshop_id=workshop_id, event_id=removal.id, actor=ACTOR)
    restored = counts(engine)
    assert {k: v for k, v in restored.items() if k != "auditevent"} == \
        {k: v for k, v in before.items() if k != "auditevent"}
    with reading(engine) as session:
        relinked = session.exec(select(LogEntry).where(LogEntry.checkin_id == ids[1])).all()
    assert len(relinked) == 2


def told(report: checkin_report.CheckInReport) -> tuple:
    """What a report tells, without the database's own numbers."""
    return (report.held_on, report.previous_on, report.next_on, report.note,
            tuple(replace(m, measure_id=0) for m in report.measures),
            tuple(replace(m, milestone_id=0) for m in report.milestones),
            tuple(replace(c, partner_id=0) for c in report.capacity),
            report.successes, report.disappointments, report.recalibrations)


def test_the_checkins_travel_in_the_json_backup_and_come_back_exactly(demo):
    engine, workshop_id = demo
    with writing(engine) as session:
        record_story(session, workshop_id)
    with reading(engine) as session:
        first = export_workshop(session, workshop_id)
    with writing(engine) as session:
        copy_id = import_workshop(session, first, actor=ACTOR)
    with reading(engine) as session:
        assert export_workshop(session, copy_id) == first
        original = checkin_report.checkin_view(session, workshop_id)
        copy = checkin_report.checkin_view(session, copy_id)
    assert [told(original.report(c)) for c in original.checkins] == \
        [told(copy.report(c)) for c in copy.checkins]


def test_a_workshop_gone_has_no_checkins_to_show(demo):
    engine, workshop_id = demo
    with reading(engine) as session:
        assert checkin_report.checkin_view(session, 10**6) is None
        assert checkin_report.latest_report(session, workshop_id) is None
        assert checkin_report.next_checkin_date(session, 10**6) is None
        assert session.get(Workshop, workshop_id) is not None
