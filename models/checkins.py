"""Recording a check-in after the workshop: the check-in on its date, each measure's value
(with the date and source of the data), where each milestone stands against its slack, the
hours each partner actually gave, the successes and disappointments talked through, and the
recalibrations decided. What a check-in tells is read in ``models.checkin_report``.

A recalibration changes the plan itself (a measure's target, a milestone's date, a month's
planned hours) through ``models.changes``, so its audit event holds the before and after, and
records a ``Recalibration`` with the reason. The agreed summary carries targets, dates and hours,
so its version changes and leaders' approvals lapse, as they should. Reopening an agreed topic
removes its agreement (undoable, with who gave what) so the room can propose a new round.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import Field, FiniteFloat
from sqlmodel import Session, select

from models import changes, steps
from models.pacing import Hours, LogEntryIn, first_of_month
from models.schema import (
    Agreement,
    CapacityActual,
    CapacityCommitment,
    Checkin,
    ItemStatus,
    LogEntry,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneReport,
    MilestoneState,
    Outcome,
    Partner,
    Recalibration,
    RecalibrationKind,
    Step,
    StepStatus,
    Topic,
    Workshop,
)
from models.solutions import describe_value
from models.summary import amount, day
from models.validation import EARLIEST, LATEST, Conflict, InputModel, Invalid, existing, parse

OUT_OF_RANGE = "Please give a date between 2000 and 2100."
Owned = TypeVar("Owned", Measure, Milestone, Partner, Topic)
NO_REASON = "Please say why: the reason is kept with the change, for everyone who reads it later."


# --- what a form sends ---------------------------------------------------------------------------


class CheckinIn(InputModel):
    held_on: date
    note: str = Field(default="", max_length=4000)

    def problems(self) -> dict[str, str]:
        return {"held_on": OUT_OF_RANGE} if not EARLIEST <= self.held_on <= LATEST else {}


class ReadingIn(InputModel):
    value: FiniteFloat
    measured_on: date
    source: str = Field(min_length=1, max_length=1000)

    def problems(self) -> dict[str, str]:
        return {"measured_on": OUT_OF_RANGE} if not EARLIEST <= self.measured_on <= LATEST else {}


class MilestoneReportIn(InputModel):
    state: MilestoneState
    slip_days: int | None = Field(default=None, ge=0, le=3650)
    reason: str = Field(default="", max_length=2000)

    def problems(self) -> dict[str, str]:
        errors = {}
        if self.state == MilestoneState.SLIPPED:
            if not self.slip_days:
                errors["slip_days"] = "By how many days has it slipped?"
            if not self.reason:
                errors["reason"] = ("Please say why it slipped: the partners can only help "
                                    "with what they know.")
        elif self.state == MilestoneState.AT_RISK and not self.reason:
            errors["reason"] = "Please say what puts it at risk, so the partners can help."
        return errors


class CapacityGivenIn(InputModel):
    month: date
    hours: Hours
    note: str = Field(default="", max_length=500)

    def problems(self) -> dict[str, str]:
        return {"month": OUT_OF_RANGE} if not EARLIEST <= self.month <= LATEST else {}


class _ReasonIn(InputModel):
    reason: str = Field(default="", max_length=2000)

    def problems(self) -> dict[str, str]:
        return {"reason": NO_REASON} if not self.reason else {}


class TargetChangeIn(_ReasonIn):
    target_value: FiniteFloat


class DateChangeIn(_ReasonIn):
    due_on: date

    def problems(self) -> dict[str, str]:
        errors = super().problems()
        if not EARLIEST <= self.due_on <= LATEST:
            errors["due_on"] = OUT_OF_RANGE
        return errors


class CapacityChangeIn(_ReasonIn):
    month: date
    hours: Hours | None = None
    unavailable: bool = False

    def problems(self) -> dict[str, str]:
        errors = super().problems()
        if not EARLIEST <= self.month <= LATEST:
            errors["month"] = OUT_OF_RANGE
        if not self.unavailable and self.hours is None:
            errors["hours"] = "Please give the hours, or tick that this month cannot be committed."
        return errors


class ReopenIn(_ReasonIn):
    """Reopening a topic needs only its reason."""


# --- the check-in itself -------------------------------------------------------------------------


def open_checkin(session: Session, *, workshop_id: int, data: dict, actor: str) -> Checkin:
    """A check-in on a date; one per date."""
    checkin_in = parse(CheckinIn, data)
    workshop = existing(session, Workshop, workshop_id)
    _check_date(session, workshop, checkin_in.held_on, None)
    return changes.create(session, Checkin(workshop_id=workshop_id, **checkin_in.model_dump()),
                          actor=actor, workshop_id=workshop_id)


def update_checkin(session: Session, *, checkin_id: int, data: dict, expected_version: int,
                   actor: str) -> Checkin:
    checkin_in = parse(CheckinIn, data)
    row = existing(session, Checkin, checkin_id)
    workshop = existing(session, Workshop, row.workshop_id)
    _check_date(session, workshop, checkin_in.held_on, row.id)
    return changes.update(session, row, checkin_in.model_dump(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_checkin(session: Session, *, checkin_id: int, actor: str) -> None:
    """Remove a check-in and what was reported at it; its log entries stay in the log."""
    row = existing(session, Checkin, checkin_id)
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


def _check_date(session: Session, workshop: Workshop, held_on: date,
                checkin_id: int | None) -> None:
    if held_on < workshop.held_on:
        raise Invalid({"held_on": f"A check-in comes after the workshop "
                                  f"({day(workshop.held_on)}); please check the date."})
    same_day = session.exec(select(Checkin.id).where(Checkin.workshop_id == workshop.id,
                                                     Checkin.held_on == held_on)).first()
    if same_day is not None and same_day != checkin_id:
        raise Invalid({"held_on": f"There is a check-in on {day(held_on)} already: choose it "
                                  "above to add to it."})


# --- what is reported at a check-in --------------------------------------------------------------


def record_reading(session: Session, *, checkin_id: int, measure_id: int, data: dict,
                   expected_version: int | None, actor: str) -> MeasureReading:
    """A measure's value at the check-in, with the date and source of the data: within what is
    plausible for the measure, dated no earlier than its baseline and no later than the
    check-in. One reading per measure per check-in; changing it needs the version read."""
    reading_in = parse(ReadingIn, data)
    checkin = existing(session, Checkin, checkin_id)
    measure = _own(session, Measure, measure_id, checkin.workshop_id, "measure")
    errors = _reading_problems(reading_in, measure, checkin)
    if errors:
        raise Invalid(errors)
    row = session.exec(select(MeasureReading).where(MeasureReading.checkin_id == checkin_id,
                                                    MeasureReading.measure_id == measure_id)
                       ).first()
    values = reading_in.model_dump()
    if row is None:
        return changes.create(session, MeasureReading(checkin_id=checkin_id,
                                                      measure_id=measure_id, **values),
                              actor=actor, workshop_id=checkin.workshop_id)
    _needs_version(row, expected_version)
    return changes.update(session, row, values, actor=actor, workshop_id=checkin.workshop_id,
                          expected_version=expected_version)


def _reading_problems(reading_in: ReadingIn, measure: Measure,
                      checkin: Checkin) -> dict[str, str]:
    errors = {}
    implausible = _implausible(reading_in.value, measure)
    if implausible:
        errors["value"] = implausible
    if measure.baseline_date is not None and reading_in.measured_on < measure.baseline_date:
        errors["measured_on"] = (f"This is before the baseline ({day(measure.baseline_date)}): "
                                 "please check the date of the data.")
    elif reading_in.measured_on > checkin.held_on:
        errors["measured_on"] = (f"This is after the check-in ({day(checkin.held_on)}): please "
                                 "check the date of the data.")
    return errors


def _implausible(value: float, measure: Measure) -> str | None:
    """What is wrong with a value outside the measure's plausible range; None when within."""
    low, high = measure.plausible_min, measure.plausible_max
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        limits = f"{low:g} to {high:g}"
    else:
        limits = f"at least {low:g}" if low is not None else f"no more than {high:g}"
    return f"This is outside what is plausible for this measure ({limits})."


def delete_reading(session: Session, *, reading_id: int, actor: str) -> None:
    row = existing(session, MeasureReading, reading_id)
    checkin = existing(session, Checkin, row.checkin_id)
    changes.delete(session, row, actor=actor, workshop_id=checkin.workshop_id)


def report_milestone(session: Session, *, checkin_id: int, milestone_id: int, data: dict,
                     expected_version: int | None, actor: str) -> MilestoneReport:
    """Where a milestone stands: done, on track, slipped by some days (with why), or at risk
    (with what threatens it)."""
    report_in = parse(MilestoneReportIn, data)
    checkin = existing(session, Checkin, checkin_id)
    _own(session, Milestone, milestone_id, checkin.workshop_id, "milestone")
    values = {"state": report_in.state, "reason": report_in.reason,
              "slip_days": report_in.slip_days if report_in.state == MilestoneState.SLIPPED
              else 0}
    row = session.exec(select(MilestoneReport).where(
        MilestoneReport.checkin_id == checkin_id,
        MilestoneReport.milestone_id == milestone_id)).first()
    if row is None:
        return changes.create(session, MilestoneReport(checkin_id=checkin_id,
                                                       milestone_id=milestone_id, **values),
                              actor=actor, workshop_id=checkin.workshop_id)
    _needs_version(row, expected_version)
    return changes.update(session, row, values, actor=actor, workshop_id=checkin.workshop_id,
                          expected_version=expected_version)


def delete_milestone_report(session: Session, *, report_id: int, actor: str) -> None:
    row = existing(session, MilestoneReport, report_id)
    checkin = existing(session, Checkin, row.checkin_id)
    changes.delete(session, row, actor=actor, workshop_id=checkin.workshop_id)


def record_capacity_given(session: Session, *, checkin_id: int, partner_id: int, data: dict,
                          expected_version: int | None, actor: str) -> CapacityActual:
    """The hours a partner actually gave in a month that has begun by the check-in. A month is
    reported once; a later check-in may correct it (with the version it read)."""
    given_in = parse(CapacityGivenIn, data)
    checkin = existing(session, Checkin, checkin_id)
    _own(session, Partner, partner_id, checkin.workshop_id, "partner")
    month = first_of_month(given_in.month)
    if month > checkin.held_on:
        raise Invalid({"month": f"{month:%B %Y} has not begun by the check-in on "
                                f"{day(checkin.held_on)}."})
    row = session.exec(select(CapacityActual).where(CapacityActual.partner_id == partner_id,
                                                    CapacityActual.month == month)).first()
    values = {"hours": given_in.hours, "note": given_in.note}
    if row is None:
        return changes.create(session, CapacityActual(checkin_id=checkin_id,
                                                      partner_id=partner_id, month=month,
                                                      **values),
                              actor=actor, workshop_id=checkin.workshop_id)
    _needs_version(row, expected_version)
    return changes.update(session, row, values, actor=actor, workshop_id=checkin.workshop_id,
                          expected_version=expected_version)


def delete_capacity_given(session: Session, *, actual_id: int, actor: str) -> None:
    row = existing(session, CapacityActual, actual_id)
    checkin = existing(session, Checkin, row.checkin_id)
    changes.delete(session, row, actor=actor, workshop_id=checkin.workshop_id)


def add_log_entry(session: Session, *, checkin_id: int, data: dict, actor: str) -> LogEntry:
    """A success celebrated or a disappointment talked through at the check-in (a
    disappointment with its lesson); it joins the partnership's log."""
    entry_in = parse(LogEntryIn, data)
    checkin = existing(session, Checkin, checkin_id)
    if entry_in.partner_id is not None:
        _own(session, Partner, entry_in.partner_id, checkin.workshop_id, "partner_id")
    return changes.create(session, LogEntry(workshop_id=checkin.workshop_id,
                                            checkin_id=checkin_id, **entry_in.model_dump()),
                          actor=actor, workshop_id=checkin.workshop_id)


# --- recalibration -------------------------------------------------------------------------------


def recalibrate_target(session: Session, *, checkin_id: int, measure_id: int, data: dict,
                       expected_version: int, actor: str) -> Recalibration:
    """A new target for an agreed measure, with the reason."""
    change_in = parse(TargetChangeIn, data)
    checkin = existing(session, Checkin, checkin_id)
    measure = _own(session, Measure, measure_id, checkin.workshop_id, "measure")
    if measure.status != ItemStatus.AGREED:
        raise Invalid({"measure": "Please choose one of the agreed measures."})
    implausible = _implausible(change_in.target_value, measure)
    if implausible:
        raise Invalid({"target_value": implausible})
    if change_in.target_value == measure.target_value:
        raise Invalid({"target_value": "This is the target already."})
    before = amount(measure.target_value, measure.unit) if measure.target_value is not None \
        else "none"
    changes.update(session, measure, {"target_value": change_in.target_value}, actor=actor,
                   workshop_id=checkin.workshop_id, expected_version=expected_version)
    return _recalibration(session, checkin, RecalibrationKind.TARGET, f"{measure.name}: target",
                          measure, before, amount(change_in.target_value, measure.unit),
                          change_in.reason, actor)


def recalibrate_date(session: Session, *, checkin_id: int, milestone_id: int, data: dict,
                     expected_version: int, actor: str) -> Recalibration:
    """A new date for a milestone, with the reason."""
    change_in = parse(DateChangeIn, data)
    checkin = existing(session, Checkin, checkin_id)
    milestone = _own(session, Milestone, milestone_id, checkin.workshop_id, "milestone")
    if change_in.due_on == milestone.due_on:
        raise Invalid({"due_on": "This is its date already."})
    before = day(milestone.due_on)
    changes.update(session, milestone, {"due_on": change_in.due_on}, actor=actor,
                   workshop_id=checkin.workshop_id, expected_version=expected_version)
    return _recalibration(session, checkin, RecalibrationKind.DATE, f"{milestone.title}: date",
                          milestone, before, day(change_in.due_on), change_in.reason, actor)


def recalibrate_capacity(session: Session, *, checkin_id: int, partner_id: int, data: dict,
                         expected_version: int | None, actor: str) -> Recalibration:
    """New planned hours for a partner's month (or that it cannot commit it), with the reason.
    Only once the partners' capacity is revealed: a plan the room cannot see is not changed."""
    change_in = parse(CapacityChangeIn, data)
    checkin = existing(session, Checkin, checkin_id)
    partner = _own(session, Partner, partner_id, checkin.workshop_id, "partner")
    if not steps.is_revealed(session, checkin.workshop_id, Step.PACING):
        raise Invalid({"form": "Reveal the partners' capacity on the Pacing step first."})
    month = first_of_month(change_in.month)
    values = {"hours": 0.0 if change_in.unavailable else change_in.hours,
              "unavailable": change_in.unavailable}
    row = session.exec(select(CapacityCommitment).where(
        CapacityCommitment.partner_id == partner_id, CapacityCommitment.month == month)).first()
    subject = f"{partner.name}: hours planned for {month:%B %Y}"
    if row is None:
        row = changes.create(session, CapacityCommitment(partner_id=partner_id, month=month,
                                                         **values),
                             actor=actor, workshop_id=checkin.workshop_id)
        before = "nothing planned"
    else:
        _needs_version(row, expected_version)
        if (row.unavailable, row.hours) == (values["unavailable"], values["hours"]):
            raise Invalid({"hours": "This is the plan already."})
        before = _planned_words(row.hours, row.unavailable)
        changes.update(session, row, values, actor=actor, workshop_id=checkin.workshop_id,
                       expected_version=expected_version)
    return _recalibration(session, checkin, RecalibrationKind.CAPACITY, subject, row, before,
                          _planned_words(values["hours"], values["unavailable"]),
                          change_in.reason, actor)


def reopen_topic(session: Session, *, checkin_id: int, topic_id: int, data: dict,
                 actor: str) -> Recalibration:
    """Send an agreed topic back to shared solutions for a new round: its agreement goes (the
    audit keeps it, with who gave what, and can put it back), and the step is in progress."""
    change_in = parse(ReopenIn, data)
    checkin = existing(session, Checkin, checkin_id)
    topic = _own(session, Topic, topic_id, checkin.workshop_id, "topic")
    agreement = session.exec(select(Agreement).where(Agreement.topic_id == topic_id)).first()
    if agreement is None or agreement.outcome != Outcome.AGREED:
        raise Invalid({"topic": "This topic is not agreed, so it is open for a new round "
                                "already."})
    before = describe_value(topic, agreement.value_number, agreement.value_option,
                            agreement.value_text) or "agreed"
    changes.delete(session, agreement, actor=actor, workshop_id=checkin.workshop_id)
    state = steps.step_states(session, checkin.workshop_id)[Step.SOLUTIONS]
    if state.status == StepStatus.SETTLED:
        steps.set_status(session, workshop_id=checkin.workshop_id, step=Step.SOLUTIONS,
                         status=StepStatus.IN_PROGRESS, actor=actor)
    return _recalibration(session, checkin, RecalibrationKind.TOPIC, f"{topic.title}: reopened",
                          topic, f"agreed: {before}", "open for a new round in shared solutions",
                          change_in.reason, actor)


def _recalibration(session: Session, checkin: Checkin, kind: RecalibrationKind, subject: str,
                   changed: Measure | Milestone | CapacityCommitment | Topic, before: str,
                   after: str, reason: str, actor: str) -> Recalibration:
    return changes.create(session, Recalibration(
        checkin_id=checkin.id, kind=kind, subject=subject[:300],
        entity=type(changed).__tablename__, entity_id=changed.id, before=before[:2000],
        after=after[:2000], reason=reason), actor=actor, workshop_id=checkin.workshop_id)


def _planned_words(hours: float, unavailable: bool) -> str:
    return "cannot commit" if unavailable else f"{hours:g} h"


# --- shared --------------------------------------------------------------------------------------


def _own(session: Session, table: type[Owned], row_id: int, workshop_id: int,
         field_name: str) -> Owned:
    """A row of this workshop, or a plain refusal naming the field."""
    row = session.get(table, row_id)
    if row is None or row.workshop_id != workshop_id:
        raise Invalid({field_name: "This was removed a moment ago, perhaps in another window."})
    return row


def _needs_version(row: MeasureReading | MilestoneReport | CapacityActual | CapacityCommitment,
                   expected_version: int | None) -> None:
    """A row recorded meanwhile (here or in another window) is never replaced blind."""
    if expected_version is None:
        raise Conflict("Someone recorded this a moment ago, so nothing was overwritten. Your "
                       "changes are still in the form.", changes.snapshot(row))
