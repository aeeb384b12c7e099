"""Step 4, pacing: milestones and how far each may slip, the hours each partner can give each
month against the hours the plan asks of it, early wins to aim for, how often the partners check
in, and the log of successes celebrated and disappointments discussed with their lessons.

A partner's own capacity is pre-work: the room sees it only once the facilitator reveals the step.
What the facilitator records live for a partner is the room's own, and shows at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, FiniteFloat
from sqlmodel import Session, SQLModel, select

from models import changes, steps
from models.kept import kept
from models.rows import (
    workshop_capacity,
    workshop_early_wins,
    workshop_log,
    workshop_milestones,
    workshop_partners,
    workshop_row,
)
from models.schema import (
    CapacityCommitment,
    EarlyWin,
    LogEntry,
    LogKind,
    Milestone,
    MilestoneKind,
    Partner,
    Step,
    Workshop,
)
from models.validation import EARLIEST, LATEST, InputModel, Invalid, existing, parse

MAX_HOURS = 10_000
PLANNING_MONTHS = 36
# How a partner's private link signs what it writes (ui.state.current_role).
PARTNER_ACTOR = "partner:"

Row = TypeVar("Row", bound=SQLModel)
MonthKey = tuple[int, date]  # (partner id, first day of the month)


def _within_hours(value: float) -> float:
    # Checked here rather than with ge/le, whose messages would read "at least 0.0".
    if value < 0:
        raise ValueError("Please give a number of at least 0.")
    if value > MAX_HOURS:
        raise ValueError(f"Please give a number no more than {MAX_HOURS}.")
    return value


Hours = Annotated[FiniteFloat, AfterValidator(_within_hours)]


def _date_problems(**dates: date | None) -> dict[str, str]:
    return {field: "Please give a date between 2000 and 2100."
            for field, value in dates.items()
            if value is not None and not EARLIEST <= value <= LATEST}


class MilestoneIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    kind: MilestoneKind = MilestoneKind.OTHER
    due_on: date
    slack_days: int = Field(default=0, ge=0, le=365)
    owner_partner_id: int | None = None
    demand_hours: Hours = 0

    def problems(self) -> dict[str, str]:
        return _date_problems(due_on=self.due_on)


class CapacityIn(InputModel):
    month: date
    hours: Hours | None = None
    unavailable: bool = False
    note: str = Field(default="", max_length=500)

    def problems(self) -> dict[str, str]:
        errors = _date_problems(month=self.month)
        if self.unavailable and not self.note:
            errors["note"] = "Please say in a few words why this month cannot be committed."
        elif not self.unavailable and self.hours is None:
            errors["hours"] = "Please give the hours, or tick that this month cannot be committed."
        return errors


class EarlyWinIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    target_date: date | None = None
    partner_id: int | None = None
    achieved_on: date | None = None

    def problems(self) -> dict[str, str]:
        return _date_problems(target_date=self.target_date, achieved_on=self.achieved_on)


class LogEntryIn(InputModel):
    kind: LogKind
    happened_on: date
    text: str = Field(min_length=1, max_length=2000)
    lesson: str = Field(default="", max_length=2000)
    partner_id: int | None = None

    def problems(self) -> dict[str, str]:
        errors = _date_problems(happened_on=self.happened_on)
        if self.kind == LogKind.DISAPPOINTMENT and not self.lesson:
            errors["lesson"] = "What did we learn? A disappointment is logged with its lesson."
        return errors


class CadenceIn(InputModel):
    weeks: int | None = Field(default=None, ge=1, le=52)


# --- months, demand and capacity: pure rules -----------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_from(start: date, count: int) -> list[date]:
    """``count`` consecutive months, as their first days, beginning with ``start``'s month."""
    first = first_of_month(start)
    return [date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
            for n in range(count)]


def latest_date(milestone: Milestone) -> date:
    """The last day the milestone may fall on once its slack is used up."""
    return milestone.due_on + timedelta(days=milestone.slack_days)


@dataclass(frozen=True)
class MonthBalance:
    """One partner's month: the hours it committed against the hours the milestones ask of it."""

    partner_id: int
    month: date
    committed: float
    demanded: float
    unavailable: bool
    note: str
    recorded: bool  # the partner said something about this month, even "nothing"

    @property
    def overloaded(self) -> bool:
        return self.demanded > self.committed or (self.unavailable and self.demanded > 0)


def demand_by_partner_month(milestones: Iterable[Milestone]) -> dict[MonthKey, float]:
    """Hours asked of each owner in the month each milestone falls due; unowned ones count for
    nobody."""
    totals: dict[MonthKey, float] = defaultdict(float)
    for milestone in milestones:
        if milestone.owner_partner_id is not None and milestone.demand_hours:
            totals[(milestone.owner_partner_id, first_of_month(milestone.due_on))] += (
                milestone.demand_hours)
    return dict(totals)


def capacity_against_demand(capacity: Iterable[CapacityCommitment],
                            demand: dict[MonthKey, float]) -> dict[MonthKey, MonthBalance]:
    """Every month a partner committed something or was asked for something, side by side."""
    rows = {(row.partner_id, first_of_month(row.month)): row for row in capacity}
    balance = {}
    for key in sorted(set(rows) | set(demand)):
        row = rows.get(key)
        unavailable = row is not None and row.unavailable
        balance[key] = MonthBalance(
            partner_id=key[0], month=key[1],
            committed=0.0 if row is None or unavailable else row.hours,
            demanded=demand.get(key, 0.0), unavailable=unavailable,
            note=row.note if row is not None else "", recorded=row is not None)
    return balance


# --- what the page shows -------------------------------------------------------------------------


@dataclass
class PacingView:
    workshop: Workshop
    partners: list[Partner]
    milestones: list[Milestone]  # by date
    revealed: bool
    capacity: list[CapacityCommitment]  # every partner's months, once revealed; else empty
    balance: dict[MonthKey, MonthBalance]  # empty until revealed: hidden months would mislead
    unowned_hours: float  # asked by milestones nobody owns yet, so counted for no partner
    early_wins: list[EarlyWin]  # by target date, undated last
    log: list[LogEntry]  # newest first

    def partner(self, partner_id: int | None) -> Partner | None:
        return next((p for p in self.partners if p.id == partner_id), None)

    def capacity_of(self, partner_id: int, month: date) -> CapacityCommitment | None:
        first = first_of_month(month)
        return next((row for row in self.capacity
                     if row.partner_id == partner_id and row.month == first), None)

    @property
    def months(self) -> list[date]:
        return sorted({month for _, month in self.balance})

    @property
    def overloaded(self) -> list[MonthBalance]:
        """The months that ask too much, in calendar order, partners in their usual order."""
        order = {p.id: i for i, p in enumerate(self.partners)}
        return sorted((b for b in self.balance.values() if b.overloaded),
                      key=lambda b: (b.month, order.get(b.partner_id, len(order))))

    @property
    def first_month(self) -> date:
        """Where the plan starts: the first milestone's month, else the workshop's."""
        return first_of_month(self.milestones[0].due_on if self.milestones
                              else self.workshop.held_on)

    @property
    def month_choices(self) -> list[date]:
        """Months to record capacity for: three years from the workshop, and any already used."""
        used = {row.month for row in self.capacity} | {first_of_month(m.due_on)
                                                       for m in self.milestones}
        return sorted(set(months_from(self.workshop.held_on, PLANNING_MONTHS)) | used)


@kept
def pacing_view(session: Session, workshop_id: int) -> PacingView:
    workshop = workshop_row(session, workshop_id)
    partners = list(workshop_partners(session, workshop_id))
    revealed = steps.is_revealed(session, workshop_id, Step.PACING)
    milestones = list(workshop_milestones(session, workshop_id))
    # Partners' months are their pre-work: empty until revealed, so nothing reaches the wall.
    capacity = sorted(workshop_capacity(session, workshop_id), key=lambda row: row.month)
    balance = (capacity_against_demand(capacity, demand_by_partner_month(milestones))
               if revealed else {})
    unowned = sum(m.demand_hours for m in milestones if m.owner_partner_id is None)
    return PacingView(workshop=workshop, partners=partners, milestones=milestones,
                      revealed=revealed, capacity=capacity, balance=balance,
                      unowned_hours=unowned,
                      early_wins=list(workshop_early_wins(session, workshop_id)),
                      log=list(reversed(workshop_log(session, workshop_id))))


# --- milestones ----------------------------------------------------------------------------------


def add_milestone(session: Session, *, workshop_id: int, data: dict, actor: str) -> Milestone:
    milestone_in = parse(MilestoneIn, data)
    _check_partner(session, workshop_id, milestone_in.owner_partner_id, "owner_partner_id")
    _record_progress(session, workshop_id, actor)
    return changes.create(session, Milestone(workshop_id=workshop_id, **milestone_in.model_dump()),
                          actor=actor, workshop_id=workshop_id)


def update_milestone(session: Session, *, milestone_id: int, data: dict, expected_version: int,
                     actor: str) -> Milestone:
    milestone_in = parse(MilestoneIn, data)
    row = existing(session, Milestone, milestone_id)
    _check_partner(session, row.workshop_id, milestone_in.owner_partner_id, "owner_partner_id")
    _record_progress(session, row.workshop_id, actor)
    return changes.update(session, row, milestone_in.model_dump(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_milestone(session: Session, *, milestone_id: int, actor: str) -> None:
    row = existing(session, Milestone, milestone_id)
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


# --- capacity ------------------------------------------------------------------------------------


def save_capacity(session: Session, *, partner_id: int, month: date, hours: float | None,
                  unavailable: bool, note: str, expected_version: int | None,
                  actor: str) -> CapacityCommitment:
    """Record one partner's month (one row per partner per month, dated the 1st).

    A month the partner cannot commit stores no hours and says why. Changing a month needs the
    version that was read, so two people typing into the same month get a conflict, not a silent
    overwrite; and a month recorded where the caller could not see it is never replaced blind.
    """
    capacity_in = parse(CapacityIn, {"month": month, "hours": hours, "unavailable": unavailable,
                                     "note": note})
    partner = existing(session, Partner, partner_id)
    first = first_of_month(capacity_in.month)
    values = {"hours": 0.0 if capacity_in.unavailable else capacity_in.hours,
              "unavailable": capacity_in.unavailable, "note": capacity_in.note}
    row = session.exec(select(CapacityCommitment).where(
        CapacityCommitment.partner_id == partner_id, CapacityCommitment.month == first)).first()
    if row is not None and expected_version is None:
        raise Invalid({"month": f"{partner.name} has already recorded {first:%B %Y}, perhaps in "
                                "pre-work. Reveal the partners' capacity to see it and change "
                                "it."})
    _record_progress(session, partner.workshop_id, actor)
    if row is None:
        return changes.create(session, CapacityCommitment(partner_id=partner_id, month=first,
                                                          **values),
                              actor=actor, workshop_id=partner.workshop_id)
    return changes.update(session, row, values, actor=actor, workshop_id=partner.workshop_id,
                          expected_version=expected_version)


def delete_capacity(session: Session, *, capacity_id: int, actor: str) -> None:
    row = existing(session, CapacityCommitment, capacity_id)
    partner = existing(session, Partner, row.partner_id)
    changes.delete(session, row, actor=actor, workshop_id=partner.workshop_id)


# --- early wins ----------------------------------------------------------------------------------


def add_early_win(session: Session, *, workshop_id: int, data: dict, actor: str) -> EarlyWin:
    win_in = parse(EarlyWinIn, data)
    _check_partner(session, workshop_id, win_in.partner_id, "partner_id")
    _record_progress(session, workshop_id, actor)
    return changes.create(session, EarlyWin(workshop_id=workshop_id, **win_in.model_dump()),
                          actor=actor, workshop_id=workshop_id)


def update_early_win(session: Session, *, early_win_id: int, data: dict, expected_version: int,
                     actor: str) -> EarlyWin:
    win_in = parse(EarlyWinIn, data)
    row = existing(session, EarlyWin, early_win_id)
    _check_partner(session, row.workshop_id, win_in.partner_id, "partner_id")
    _record_progress(session, row.workshop_id, actor)
    return changes.update(session, row, win_in.model_dump(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_early_win(session: Session, *, early_win_id: int, actor: str) -> None:
    row = existing(session, EarlyWin, early_win_id)
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


# --- the log of successes and disappointments ----------------------------------------------------


def add_log_entry(session: Session, *, workshop_id: int, data: dict, actor: str) -> LogEntry:
    entry_in = parse(LogEntryIn, data)
    _check_partner(session, workshop_id, entry_in.partner_id, "partner_id")
    _record_progress(session, workshop_id, actor)
    return changes.create(session, LogEntry(workshop_id=workshop_id, **entry_in.model_dump()),
                          actor=actor, workshop_id=workshop_id)


def update_log_entry(session: Session, *, log_entry_id: int, data: dict, expected_version: int,
                     actor: str) -> LogEntry:
    entry_in = parse(LogEntryIn, data)
    row = existing(session, LogEntry, log_entry_id)
    _check_partner(session, row.workshop_id, entry_in.partner_id, "partner_id")
    _record_progress(session, row.workshop_id, actor)
    return changes.update(session, row, entry_in.model_dump(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_log_entry(session: Session, *, log_entry_id: int, actor: str) -> None:
    row = existing(session, LogEntry, log_entry_id)
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


# --- check-ins -----------------------------------------------------------------------------------


def set_checkin_cadence(session: Session, *, workshop_id: int, weeks: int | None,
                        expected_version: int, actor: str) -> Workshop:
    """How many weeks between check-ins; None while the partners have not decided."""
    cadence_in = parse(CadenceIn, {"weeks": weeks})
    row = existing(session, Workshop, workshop_id)
    _record_progress(session, workshop_id, actor)
    return changes.update(session, row, {"checkin_every_weeks": cadence_in.weeks}, actor=actor,
                          workshop_id=workshop_id, expected_version=expected_version)


# --- shared --------------------------------------------------------------------------------------


def _record_progress(session: Session, workshop_id: int, actor: str) -> None:
    """The room's first record in this step puts it in progress; a partner's pre-work does not."""
    if not actor.startswith(PARTNER_ACTOR):
        steps.mark_started(session, workshop_id=workshop_id, step=Step.PACING, actor=actor)


def _check_partner(session: Session, workshop_id: int, partner_id: int | None,
                   field: str) -> None:
    if partner_id is None:
        return
    partner = session.get(Partner, partner_id)
    if partner is None or partner.workshop_id != workshop_id:
        raise Invalid({field: "Please choose one of this workshop's partners."})

