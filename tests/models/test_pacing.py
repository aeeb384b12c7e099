"""Pacing: milestones, capacity against demand, early wins, the log and the check-in cadence,
with every refusal keyed to its field, hand-computed sums, and partners' capacity kept hidden
until the facilitator reveals it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from models import pacing, setup
from models.db import reading, writing
from models.pacing import MonthBalance, PacingView
from models.schema import (
    AuditEvent,
    CapacityCommitment,
    EarlyWin,
    LogEntry,
    Milestone,
    Partner,
    Step,
    StepState,
    StepStatus,
    Workshop,
)
from models.steps import reveal
from models.validation import Conflict, Invalid
from tests.conftest import statements_run

ROOM = "facilitator:test"
TWO_PARTNERS = [
    {"name": "Lakeside Counseling", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Lakeside Family Practice", "kind": "primary_care", "colour": "#E69F00"},
]
MARCH, APRIL, MAY, JUNE = (date(2027, m, 1) for m in (3, 4, 5, 6))


def _workshop(engine, name: str = "Lakeside") -> tuple[int, list[int]]:
    with writing(engine) as session:
        workshop = setup.create_workshop(session, actor=ROOM,
                                         workshop={"name": name, "held_on": date(2027, 2, 10)},
                                         partners=TWO_PARTNERS)
        partner_ids = session.exec(select(Partner.id).where(Partner.workshop_id == workshop.id)
                                   .order_by(Partner.position)).all()
        return workshop.id, list(partner_ids)


def _milestone(**changes) -> dict:
    data = {"title": "Pilot starts", "kind": "pilot_start", "due_on": date(2027, 3, 1),
            "slack_days": 0, "owner_partner_id": None, "demand_hours": 20}
    return data | changes


def _errors(engine, write) -> dict[str, str]:
    with pytest.raises(Invalid) as caught, writing(engine) as session:
        write(session)
    return caught.value.errors


def _capacity(session, partner_id, month, hours=40.0, *, unavailable=False, note="",
              version=None, actor=ROOM) -> CapacityCommitment:
    return pacing.save_capacity(session, partner_id=partner_id, month=month, hours=hours,
                                unavailable=unavailable, note=note, expected_version=version,
                                actor=actor)


# --- milestones ----------------------------------------------------------------------------------


def test_a_milestone_with_bad_values_gets_one_plain_message_per_field(engine):
    workshop_id, _ = _workshop(engine)
    errors = _errors(engine, lambda s: pacing.add_milestone(
        s, workshop_id=workshop_id, actor=ROOM,
        data=_milestone(title="  ", slack_days=400, demand_hours=-5, due_on=None)))
    assert errors == {"title": "Please fill this in.",
                      "due_on": "Please give a date.",
                      "slack_days": "Please give a number no more than 365.",
                      "demand_hours": "Please give a number of at least 0."}

    assert _errors(engine, lambda s: pacing.add_milestone(
        s, workshop_id=workshop_id, actor=ROOM, data=_milestone(demand_hours=float("inf")))
    ) == {"demand_hours": "Please give a number."}
    assert _errors(engine, lambda s: pacing.add_milestone(
        s, workshop_id=workshop_id, actor=ROOM, data=_milestone(due_on=date(1999, 12, 31)))
    ) == {"due_on": "Please give a date between 2000 and 2100."}
    assert _errors(engine, lambda s: pacing.add_milestone(
        s, workshop_id=workshop_id, actor=ROOM, data=_milestone(demand_hours=10_001))
    ) == {"demand_hours": "Please give a number no more than 10000."}


def test_a_milestone_owned_by_another_workshops_partner_is_refused(engine):
    workshop_id, partner_ids = _workshop(engine)
    _, strangers = _workshop(engine, name="Elsewhere")
    refusal = {"owner_partner_id": "Please choose one of this workshop's partners."}
    assert _errors(engine, lambda s: pacing.add_milestone(
        s, workshop_id=workshop_id, actor=ROOM,
        data=_milestone(owner_partner_id=strangers[0]))) == refusal

    with writing(engine) as session:
        row = pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM,
                                   data=_milestone(owner_partner_id=partner_ids[0]))
    assert _errors(engine, lambda s: pacing.update_milestone(
        s, milestone_id=row.id, expected_version=row.version, actor=ROOM,
        data=_milestone(owner_partner_id=strangers[1]))) == refusal
    with reading(engine) as session:
        assert session.get(Milestone, row.id).owner_partner_id == partner_ids[0]


def test_milestones_are_added_edited_deleted_and_audited(engine):
    workshop_id, partner_ids = _workshop(engine)
    with writing(engine) as session:
        row = pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM,
                                   data=_milestone(title="  Baseline count  ", kind="baseline",
                                                   owner_partner_id=partner_ids[1],
                                                   slack_days=7, demand_hours=24))
    assert (row.title, row.kind, row.slack_days, row.demand_hours) == ("Baseline count",
                                                                       "baseline", 7, 24)
    with writing(engine) as session:
        row = pacing.update_milestone(session, milestone_id=row.id, expected_version=1,
                                      actor=ROOM, data=_milestone(title="Baseline count",
                                                                  kind="baseline", slack_days=10,
                                                                  demand_hours=30))
    assert (row.slack_days, row.demand_hours, row.owner_partner_id, row.version) == (10, 30,
                                                                                     None, 2)
    with writing(engine) as session:
        pacing.delete_milestone(session, milestone_id=row.id, actor=ROOM)
    with reading(engine) as session:
        assert session.get(Milestone, row.id) is None
        actions = session.exec(select(AuditEvent.action).where(
            AuditEvent.entity == "milestone", AuditEvent.entity_id == row.id)
            .order_by(AuditEvent.id)).all()
    assert actions == ["create", "update", "delete"]


def test_a_stale_milestone_edit_is_a_conflict_and_keeps_the_newer_value(engine):
    workshop_id, _ = _workshop(engine)
    with writing(engine) as session:
        row = pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM, data=_milestone())
    with writing(engine) as session:
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor=ROOM,
                                data=_milestone(slack_days=5))
    with pytest.raises(Conflict), writing(engine) as session:
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor=ROOM,
                                data=_milestone(slack_days=9))
    with reading(engine) as session:
        assert session.get(Milestone, row.id).slack_days == 5


def test_the_first_record_puts_the_step_in_progress(engine):
    workshop_id, _ = _workshop(engine)

    def status() -> StepStatus:
        with reading(engine) as session:
            return session.exec(select(StepState.status).where(
                StepState.workshop_id == workshop_id, StepState.step == Step.PACING)).one()

    assert status() == StepStatus.NOT_STARTED
    with writing(engine) as session:
        pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM, data=_milestone())
    assert status() == StepStatus.IN_PROGRESS


def test_the_latest_date_a_milestone_may_slip_to():
    milestone = Milestone(workshop_id=1, title="Baseline", due_on=date(2027, 1, 22), slack_days=14)
    assert pacing.latest_date(milestone) == date(2027, 2, 5)


# --- capacity ------------------------------------------------------------------------------------


def test_capacity_keeps_one_row_per_partner_per_month_dated_the_first(engine):
    _, partner_ids = _workshop(engine)
    with writing(engine) as session:
        first = _capacity(session, partner_ids[0], date(2027, 3, 17), 60)
    assert (first.month, first.hours, first.version) == (MARCH, 60, 1)

    with writing(engine) as session:
        again = _capacity(session, partner_ids[0], date(2027, 3, 31), 45, version=1)
    assert (again.id, again.month, again.hours, again.version) == (first.id, MARCH, 45, 2)

    # A month the caller never saw is not replaced blind.
    errors = _errors(engine, lambda s: _capacity(s, partner_ids[0], date(2027, 3, 2), 10))
    assert errors == {"month": "Lakeside Counseling has already recorded March 2027, perhaps in "
                               "pre-work. Reveal the partners' capacity to see it and change it."}
    with pytest.raises(Conflict), writing(engine) as session:
        _capacity(session, partner_ids[0], MARCH, 30, version=1)

    with writing(engine) as session:
        _capacity(session, partner_ids[1], MARCH, 20)
    with reading(engine) as session:
        rows = session.exec(select(CapacityCommitment.partner_id, CapacityCommitment.month,
                                   CapacityCommitment.hours)
                            .order_by(CapacityCommitment.partner_id)).all()
    assert rows == [(partner_ids[0], MARCH, 45), (partner_ids[1], MARCH, 20)]


def test_a_month_that_cannot_be_committed_needs_a_note_and_stores_no_hours(engine):
    _, partner_ids = _workshop(engine)
    assert _errors(engine, lambda s: _capacity(s, partner_ids[0], JUNE, 30, unavailable=True)) == {
        "note": "Please say in a few words why this month cannot be committed."}
    assert _errors(engine, lambda s: _capacity(s, partner_ids[0], JUNE, None)) == {
        "hours": "Please give the hours, or tick that this month cannot be committed."}
    assert _errors(engine, lambda s: _capacity(s, partner_ids[0], JUNE, -1)) == {
        "hours": "Please give a number of at least 0."}

    with writing(engine) as session:
        row = _capacity(session, partner_ids[0], JUNE, 30, unavailable=True,
                        note="State licensing review")
    assert (row.hours, row.unavailable, row.note) == (0, True, "State licensing review")


def test_capacity_can_be_removed(engine):
    _, partner_ids = _workshop(engine)
    with writing(engine) as session:
        row = _capacity(session, partner_ids[0], MARCH)
    with writing(engine) as session:
        pacing.delete_capacity(session, capacity_id=row.id, actor=ROOM)
    with reading(engine) as session:
        assert session.get(CapacityCommitment, row.id) is None


# --- demand against capacity: hand-computed ------------------------------------------------------


def _m(owner, due_on, hours) -> Milestone:
    return Milestone(workshop_id=1, title="m", due_on=due_on, owner_partner_id=owner,
                     demand_hours=hours)


def _c(partner_id, month, hours, unavailable=False, note="") -> CapacityCommitment:
    return CapacityCommitment(partner_id=partner_id, month=month, hours=hours,
                              unavailable=unavailable, note=note)


MILESTONES = [
    _m(1, date(2027, 3, 5), 30), _m(1, date(2027, 3, 28), 15),  # partner 1, March: 45
    _m(1, date(2027, 4, 30), 20),                                 # partner 1, April: 20
    _m(2, date(2027, 4, 10), 10),                                 # partner 2, April: 10
    _m(2, date(2027, 6, 15), 8),                                  # partner 2, June: 8
    _m(None, date(2027, 3, 1), 50),                               # nobody's: not counted
    _m(2, date(2027, 5, 2), 0),                                   # asks nothing
]
CAPACITY = [
    _c(1, MARCH, 40), _c(1, APRIL, 20),
    _c(2, APRIL, 0, unavailable=True, note="Licensing review"), _c(2, MAY, 12),
]


def test_demand_sums_each_owners_hours_by_the_month_they_fall_due():
    assert pacing.demand_by_partner_month(MILESTONES) == {
        (1, MARCH): 45, (1, APRIL): 20, (2, APRIL): 10, (2, JUNE): 8}


def test_capacity_against_demand_flags_each_overloaded_month():
    balance = pacing.capacity_against_demand(CAPACITY,
                                             pacing.demand_by_partner_month(MILESTONES))
    assert balance == {
        # 45 h asked of 40 h committed.
        (1, MARCH): MonthBalance(1, MARCH, committed=40, demanded=45, unavailable=False,
                                 note="", recorded=True),
        # 20 h asked of 20 h committed: full, not over.
        (1, APRIL): MonthBalance(1, APRIL, committed=20, demanded=20, unavailable=False,
                                 note="", recorded=True),
        # 10 h asked in a month the partner cannot commit.
        (2, APRIL): MonthBalance(2, APRIL, committed=0, demanded=10, unavailable=True,
                                 note="Licensing review", recorded=True),
        (2, MAY): MonthBalance(2, MAY, committed=12, demanded=0, unavailable=False,
                               note="", recorded=True),
        # 8 h asked where the partner said nothing.
        (2, JUNE): MonthBalance(2, JUNE, committed=0, demanded=8, unavailable=False,
                                note="", recorded=False),
    }
    overloaded = sorted(key for key, month in balance.items() if month.overloaded)
    assert overloaded == [(1, MARCH), (2, APRIL), (2, JUNE)]


def test_overloaded_months_are_listed_by_month_then_in_the_partners_order():
    demand = pacing.demand_by_partner_month([*MILESTONES, _m(2, date(2027, 3, 9), 5)])
    # Partner 2 sits first on screen, so it comes first within a month.
    partners = [Partner(id=partner_id, workshop_id=1, name=name, kind="other", colour="#000000")
                for partner_id, name in ((2, "B"), (1, "A"))]
    view = PacingView(workshop=Workshop(name="w", held_on=date(2027, 2, 1)), partners=partners,
                      milestones=[], revealed=True, capacity=CAPACITY,
                      balance=pacing.capacity_against_demand(CAPACITY, demand), unowned_hours=50,
                      early_wins=[], log=[])
    assert [(b.partner_id, b.month) for b in view.overloaded] == [
        (2, MARCH), (1, MARCH), (2, APRIL), (2, JUNE)]


def test_any_demand_in_a_month_that_cannot_be_committed_is_overload():
    assert MonthBalance(1, MARCH, committed=5, demanded=3, unavailable=True, note="Audit",
                        recorded=True).overloaded
    assert not MonthBalance(1, MARCH, committed=0, demanded=0, unavailable=True, note="Audit",
                            recorded=True).overloaded


def test_months_run_on_across_the_new_year():
    assert pacing.months_from(date(2026, 11, 17), 3) == [date(2026, 11, 1), date(2026, 12, 1),
                                                         date(2027, 1, 1)]


# --- early wins and the log ----------------------------------------------------------------------


def test_early_wins_are_added_edited_and_removed_undated_last(engine):
    workshop_id, partner_ids = _workshop(engine)
    _, strangers = _workshop(engine, name="Elsewhere")
    assert _errors(engine, lambda s: pacing.add_early_win(
        s, workshop_id=workshop_id, actor=ROOM, data={"title": "", "partner_id": strangers[0]})
    ) == {"title": "Please fill this in."}
    assert _errors(engine, lambda s: pacing.add_early_win(
        s, workshop_id=workshop_id, actor=ROOM,
        data={"title": "First hand-off", "partner_id": strangers[0]})
    ) == {"partner_id": "Please choose one of this workshop's partners."}

    with writing(engine) as session:
        undated = pacing.add_early_win(session, workshop_id=workshop_id, actor=ROOM,
                                       data={"title": "A shared lunch"})
        dated = pacing.add_early_win(session, workshop_id=workshop_id, actor=ROOM,
                                     data={"title": "First hand-off",
                                           "target_date": date(2027, 3, 5),
                                           "partner_id": partner_ids[0]})
    with writing(engine) as session:
        pacing.update_early_win(session, early_win_id=dated.id, actor=ROOM, expected_version=1,
                                data={"title": "First hand-off",
                                      "target_date": date(2027, 3, 5),
                                      "partner_id": partner_ids[0],
                                      "achieved_on": date(2027, 3, 3)})
    with reading(engine) as session:
        view = pacing.pacing_view(session, workshop_id)
    assert [(w.title, w.achieved_on) for w in view.early_wins] == [
        ("First hand-off", date(2027, 3, 3)), ("A shared lunch", None)]

    with writing(engine) as session:
        pacing.delete_early_win(session, early_win_id=undated.id, actor=ROOM)
    with reading(engine) as session:
        assert session.get(EarlyWin, undated.id) is None


def test_a_disappointment_is_logged_only_with_its_lesson(engine):
    workshop_id, partner_ids = _workshop(engine)
    base = {"happened_on": date(2027, 3, 20), "text": "The registry went live two weeks late."}
    assert _errors(engine, lambda s: pacing.add_log_entry(
        s, workshop_id=workshop_id, actor=ROOM, data=base | {"kind": "disappointment"})
    ) == {"lesson": "What did we learn? A disappointment is logged with its lesson."}
    assert _errors(engine, lambda s: pacing.add_log_entry(
        s, workshop_id=workshop_id, actor=ROOM,
        data=base | {"kind": "success", "text": "x" * 2001})
    ) == {"text": "Please keep this under 2000 characters."}

    with writing(engine) as session:
        late = pacing.add_log_entry(session, workshop_id=workshop_id, actor=ROOM,
                                    data=base | {"kind": "disappointment",
                                                 "lesson": "Ask IT for dates in writing.",
                                                 "partner_id": partner_ids[1]})
        pacing.add_log_entry(session, workshop_id=workshop_id, actor=ROOM,
                             data={"kind": "success", "happened_on": date(2027, 4, 2),
                                   "text": "Ten shared care plans."})
    assert _errors(engine, lambda s: pacing.update_log_entry(
        s, log_entry_id=late.id, actor=ROOM, expected_version=1,
        data=base | {"kind": "disappointment"})
    ) == {"lesson": "What did we learn? A disappointment is logged with its lesson."}
    with reading(engine) as session:
        view = pacing.pacing_view(session, workshop_id)
    assert [(e.kind, e.text, e.lesson) for e in view.log] == [
        ("success", "Ten shared care plans.", ""),
        ("disappointment", "The registry went live two weeks late.",
         "Ask IT for dates in writing."),
    ]
    with writing(engine) as session:
        pacing.delete_log_entry(session, log_entry_id=late.id, actor=ROOM)
    with reading(engine) as session:
        assert session.exec(select(func.count(LogEntry.id))).one() == 1


# --- check-ins -----------------------------------------------------------------------------------


def test_the_checkin_cadence_is_one_to_fifty_two_weeks_or_undecided(engine):
    workshop_id, _ = _workshop(engine)

    def cadence(weeks, version):
        with writing(engine) as session:
            row = pacing.set_checkin_cadence(session, workshop_id=workshop_id, weeks=weeks,
                                             expected_version=version, actor=ROOM)
            return row.checkin_every_weeks, row.version

    assert _errors(engine, lambda s: pacing.set_checkin_cadence(
        s, workshop_id=workshop_id, weeks=0, expected_version=1, actor=ROOM)
    ) == {"weeks": "Please give a number of at least 1."}
    assert _errors(engine, lambda s: pacing.set_checkin_cadence(
        s, workshop_id=workshop_id, weeks=53, expected_version=1, actor=ROOM)
    ) == {"weeks": "Please give a number no more than 52."}
    assert cadence(1, 1) == (1, 2)
    assert cadence(52, 2) == (52, 3)
    assert cadence(None, 3) == (None, 4)
    with pytest.raises(Conflict):
        cadence(4, 3)
    with reading(engine) as session:
        assert session.get(Workshop, workshop_id).checkin_every_weeks is None


# --- what the room sees --------------------------------------------------------------------------


def test_partners_capacity_shows_only_once_revealed(engine):
    workshop_id, (counseling, practice) = _workshop(engine)
    with writing(engine) as session:
        # Pre-work through the counseling center's own link, then the room's live entry.
        _capacity(session, counseling, MARCH, 30, actor=f"partner:{counseling}")
        _capacity(session, counseling, APRIL, 0, unavailable=True, note="Move to a new building",
                  actor=f"partner:{counseling}")
        _capacity(session, practice, MARCH, 25)
        pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM,
                             data=_milestone(owner_partner_id=counseling, demand_hours=40,
                                             due_on=date(2027, 3, 15)))

    with reading(engine) as session:
        hidden = pacing.pacing_view(session, workshop_id)
    assert hidden.capacity == []  # nothing of any partner's months before the reveal
    assert hidden.balance == {}

    with writing(engine) as session:
        reveal(session, workshop_id=workshop_id, step=Step.PACING, actor=ROOM)
    with reading(engine) as session:
        shown = pacing.pacing_view(session, workshop_id)
    assert [(row.partner_id, row.month, row.note) for row in shown.capacity] == [
        (counseling, MARCH, ""), (practice, MARCH, ""),
        (counseling, APRIL, "Move to a new building")]
    assert [(b.partner_id, b.month, b.committed, b.demanded) for b in shown.overloaded] == [
        (counseling, MARCH, 30, 40)]


def test_a_partners_pre_work_does_not_start_the_step(engine):
    workshop_id, (counseling, _) = _workshop(engine)
    with writing(engine) as session:
        _capacity(session, counseling, MARCH, 30, actor=f"partner:{counseling}")
    with reading(engine) as session:
        assert session.exec(select(StepState.status).where(
            StepState.workshop_id == workshop_id, StepState.step == Step.PACING)
        ).one() == StepStatus.NOT_STARTED


def test_the_demo_seeds_pre_work_that_stays_hidden_until_revealed(demo_engine):
    with writing(demo_engine) as session:
        workshop = session.exec(select(Workshop).where(Workshop.is_demo)).one()
        partners = {p.name.split()[0]: p.id for p in session.exec(
            select(Partner).where(Partner.workshop_id == workshop.id))}
        view = pacing.pacing_view(session, workshop.id)
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop.id,
                                                     StepState.step == Step.PACING)).one()
        state.revealed_at = None
        session.add(state)
    # Northside in February 2027: 20 h for the pilot's start and 12 h for the room, of 60 h.
    february = view.balance[(partners["Northside"], date(2027, 2, 1))]
    assert (february.committed, february.demanded, february.overloaded) == (60, 32, False)
    july = view.balance[(partners["Riverbend"], date(2027, 7, 1))]
    assert (july.unavailable, july.note) == (True, "State licensing review of all programs")
    assert view.overloaded == []
    # 9 milestones, all owned: nothing is asked of nobody.
    assert (len(view.milestones), view.unowned_hours) == (9, 0)
    # Capacity is entered from the first milestone's month, over three years from the workshop's.
    assert view.first_month == date(2027, 1, 1)
    assert (len(view.month_choices), view.month_choices[0], view.month_choices[-1]) == (
        36, date(2026, 11, 1), date(2029, 10, 1))

    with reading(demo_engine) as session:
        hidden = pacing.pacing_view(session, workshop.id)
    assert (hidden.capacity, hidden.balance) == ([], {})


def test_the_view_reads_in_a_fixed_number_of_queries(demo_engine):
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        partner_id = session.exec(select(Partner.id)
                                  .where(Partner.workshop_id == workshop_id)).first()

    def queries() -> int:
        return statements_run(demo_engine,
                              lambda session: pacing.pacing_view(session, workshop_id))

    before = queries()
    with writing(demo_engine) as session:
        for day in range(1, 6):
            pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM,
                                 data=_milestone(due_on=date(2027, 9, day),
                                                 owner_partner_id=partner_id))
            pacing.add_early_win(session, workshop_id=workshop_id, actor=ROOM,
                                 data={"title": f"Win {day}"})
            _capacity(session, partner_id, date(2028, day, 1))
    assert queries() == before <= 8
