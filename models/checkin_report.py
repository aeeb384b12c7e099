"""What a check-in tells: how far each measure has come from its baseline toward its target,
where each milestone stands against its slack, the hours given against the hours planned, what
to celebrate and what was learned, and when the partners meet next. The check-ins page, the
leadership review and the exports all read a check-in through ``CheckInReport``.

The rules here are pure; ``checkin_view`` reads everything a workshop's check-ins hold in a fixed
number of queries, however many measures, milestones and check-ins there are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models import steps
from models.clock import utcnow
from models.kept import kept
from models.pacing import first_of_month, months_from
from models.rows import (
    topic_outcomes,
    workshop_capacity,
    workshop_checkins,
    workshop_early_wins,
    workshop_log,
    workshop_measures,
    workshop_milestones,
    workshop_partners,
    workshop_row,
)
from models.schema import (
    Agreement,
    CapacityActual,
    CapacityCommitment,
    Checkin,
    Direction,
    EarlyWin,
    ItemStatus,
    LogEntry,
    LogKind,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneKind,
    MilestoneReport,
    MilestoneState,
    Partner,
    Recalibration,
    RecalibrationKind,
    Step,
    Topic,
    Workshop,
)
from models.summary import amount, day
from models.validation import LATEST

# --- progress: pure rules ------------------------------------------------------------------------


def share_of_the_way(baseline: float | None, target: float | None,
                     current: float | None) -> float | None:
    """Percent of the way from the baseline to the target:
    (current − baseline) / (target − baseline) × 100.

    The same sum serves a target below its baseline (a wait time to shorten). Past the target it
    is above 100; moving away from the target it is negative. None without a baseline, a target
    or a value, and when the target is the baseline (there is no way to go, only a level to hold).
    """
    if baseline is None or target is None or current is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline) * 100


def target_reached(current: float | None, target: float | None,
                   direction: Direction) -> bool | None:
    """Whether the value is at the target or on its better side; None when either is missing."""
    if current is None or target is None:
        return None
    return current >= target if direction == Direction.HIGHER_IS_BETTER else current <= target


def progress_words(baseline: float | None, target: float | None, current: float | None,
                   direction: Direction) -> str:
    """How far a measure has come, in a few words for the wall."""
    if current is None:
        return "No reading yet"
    if target is None:
        return "No target agreed"
    reached = target_reached(current, target, direction)
    if baseline is None:
        return "Target reached (no baseline to count from)" if reached else \
            "No baseline to count from"
    if target == baseline:
        return "Holding the target" if reached else "Not holding the target"
    percent = share_of_the_way(baseline, target, current)
    # Rounded so that the words never claim more than the sum: 99.6 % is not there yet.
    if percent >= 100:
        return f"Target reached: {round(percent)} % of the way"
    if percent < 0:
        return f"Moved away from the target: -{max(round(-percent), 1)} %"
    return f"{min(round(percent), 99)} % of the way to the target"


def next_checkin(held: list[date], scheduled: list[date], every_weeks: int | None,
                 workshop_day: date) -> date | None:
    """When the partners meet next.

    Before any check-in: the first check-in on the plan's timeline, else the workshop's day plus
    the agreed rhythm. After one: the earlier of the last check-in plus the rhythm and the next
    check-in on the timeline. None when there is neither a rhythm nor a check-in ahead.
    """
    last = max(held, default=None)
    ahead = sorted(d for d in scheduled if d > (last or workshop_day))
    if last is None:
        if ahead:
            return ahead[0]
        return workshop_day + timedelta(weeks=every_weeks) if every_weeks else None
    candidates = ahead[:1] + ([last + timedelta(weeks=every_weeks)] if every_weeks else [])
    return min(candidates, default=None)


# --- the report of one check-in, shared by the page, the review link and the exports --------------


@dataclass(frozen=True)
class PartnerMark:
    id: int
    name: str
    colour: str


@dataclass(frozen=True)
class ReadingLine:
    """One agreed measure at a check-in, and its path so far."""

    measure_id: int
    name: str
    unit: str
    direction: Direction
    baseline: float | None
    baseline_on: date | None
    target: float | None
    value: float | None          # reported at this check-in, or None
    measured_on: date | None
    source: str
    percent: float | None        # of the way from baseline to target, with this value
    words: str
    path: tuple[tuple[date, float], ...]   # every reading up to this check-in, by data date
    pilot_start: date | None
    pilot_end: date | None
    reevaluation: date | None

    def amount(self, value: float | None) -> str:
        return amount(value, self.unit) if value is not None else "—"


@dataclass(frozen=True)
class MilestoneProgress:
    milestone_id: int
    title: str
    due_on: date
    slack_days: int
    owner: str
    state: MilestoneState | None  # None: not reported at this check-in
    slip_days: int
    reason: str

    @property
    def beyond_slack(self) -> int:
        """Days slipped past the slack agreed, 0 when within it."""
        return max(self.slip_days - self.slack_days, 0)


@dataclass(frozen=True)
class HoursLine:
    partner_id: int
    partner: str
    month: date
    planned: float | None  # None: nothing planned, or the partners' capacity not revealed
    given: float | None    # None: not reported yet
    note: str


@dataclass(frozen=True)
class LogLine:
    kind: str                # success | disappointment | early win
    happened_on: date
    text: str
    lesson: str
    partner: str


@dataclass(frozen=True)
class RecalibrationLine:
    kind: RecalibrationKind
    subject: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class CheckInReport:
    workshop_id: int
    workshop: str
    checkin_id: int
    held_on: date
    previous_on: date | None
    next_on: date | None
    note: str
    partners: tuple[PartnerMark, ...]
    measures: tuple[ReadingLine, ...]
    milestones: tuple[MilestoneProgress, ...]
    capacity: tuple[HoursLine, ...]
    successes: tuple[LogLine, ...]        # since the last check-in, early wins reached included
    disappointments: tuple[LogLine, ...]  # talked through at this one, with their lessons
    recalibrations: tuple[RecalibrationLine, ...]
    made_at: datetime

    @property
    def since(self) -> str:
        return (f"since the check-in of {day(self.previous_on)}" if self.previous_on
                else "since the workshop")


# --- reading -------------------------------------------------------------------------------------


@dataclass
class CheckInView:
    """Everything the check-ins page needs, read in a fixed number of queries."""

    workshop: Workshop
    partners: list[Partner]
    checkins: list[Checkin]                     # by date
    measures: list[Measure]                     # agreed, as the summary lists them
    milestones: list[Milestone]                 # by date
    readings: list[MeasureReading]
    reports: list[MilestoneReport]
    actuals: list[CapacityActual]
    planned: list[CapacityCommitment]           # empty until the partners' capacity is revealed
    capacity_revealed: bool
    log: list[LogEntry]
    early_wins: list[EarlyWin]
    recalibrations: list[Recalibration]
    agreed_topics: list[tuple[Topic, Agreement]]

    def checkin(self, checkin_id: int | None) -> Checkin | None:
        return next((c for c in self.checkins if c.id == checkin_id), None)

    def previous(self, checkin: Checkin | None) -> Checkin | None:
        before = [c for c in self.checkins if checkin is None or c.held_on < checkin.held_on]
        return before[-1] if before else None

    def reading(self, checkin_id: int, measure_id: int) -> MeasureReading | None:
        return next((r for r in self.readings
                     if r.checkin_id == checkin_id and r.measure_id == measure_id), None)

    def report_of(self, checkin_id: int, milestone_id: int) -> MilestoneReport | None:
        return next((r for r in self.reports
                     if r.checkin_id == checkin_id and r.milestone_id == milestone_id), None)

    def actual(self, partner_id: int, month: date) -> CapacityActual | None:
        first = first_of_month(month)
        return next((a for a in self.actuals
                     if a.partner_id == partner_id and a.month == first), None)

    def planned_row(self, partner_id: int, month: date) -> CapacityCommitment | None:
        first = first_of_month(month)
        return next((p for p in self.planned
                     if p.partner_id == partner_id and p.month == first), None)

    def logged_at(self, checkin_id: int) -> list[LogEntry]:
        return [entry for entry in self.log if entry.checkin_id == checkin_id]

    def recalibrated_at(self, checkin_id: int) -> list[Recalibration]:
        return [r for r in self.recalibrations if r.checkin_id == checkin_id]

    def month_choices(self, checkin: Checkin) -> list[date]:
        """Months that have begun by the check-in, from the workshop's month on (newest first)."""
        start = first_of_month(self.workshop.held_on)
        end = first_of_month(checkin.held_on)
        count = (end.year - start.year) * 12 + end.month - start.month + 1
        return list(reversed(months_from(start, max(count, 1))))

    def plan_months(self) -> list[date]:
        """Months whose planned hours may be recalibrated: three years from the workshop, and
        any already planned."""
        return sorted(set(months_from(self.workshop.held_on, 36))
                      | {row.month for row in self.planned})

    @property
    def next_on(self) -> date | None:
        return next_checkin([c.held_on for c in self.checkins], self._scheduled(),
                            self.workshop.checkin_every_weeks, self.workshop.held_on)

    def _scheduled(self) -> list[date]:
        return [m.due_on for m in self.milestones if m.kind == MilestoneKind.CHECK_IN]

    def log_between(self, start: date, end: date, checkin_id: int | None,
                    kind: LogKind) -> tuple[LogLine, ...]:
        """Log entries of a kind dated after ``start`` up to ``end``, or talked through at the
        check-in; successes include the early wins reached in that time."""
        names = {p.id: p.name for p in self.partners}
        lines = [_log_line(e, names) for e in self.log if e.kind == kind and (
            start < e.happened_on <= end or (checkin_id is not None
                                             and e.checkin_id == checkin_id))]
        if kind == LogKind.SUCCESS:
            lines += [LogLine("early win", w.achieved_on, w.title, "",
                              names.get(w.partner_id, ""))
                      for w in self.early_wins
                      if w.achieved_on is not None and start < w.achieved_on <= end]
        return tuple(sorted(lines, key=lambda line: (line.happened_on, line.text)))

    def successes_since_last(self) -> tuple[LogLine, ...]:
        """What to celebrate at the next check-in: everything since the last one."""
        start = self.checkins[-1].held_on if self.checkins else self.workshop.held_on
        return self.log_between(start, LATEST, None, LogKind.SUCCESS)

    def report(self, checkin: Checkin) -> CheckInReport:
        """The check-in as the report, the charts and the review link tell it."""
        previous = self.previous(checkin)
        start = previous.held_on if previous else self.workshop.held_on
        names = {p.id: p.name for p in self.partners}
        held = [c.held_on for c in self.checkins if c.held_on <= checkin.held_on]
        return CheckInReport(
            workshop_id=self.workshop.id, workshop=self.workshop.name, checkin_id=checkin.id,
            held_on=checkin.held_on, previous_on=previous.held_on if previous else None,
            next_on=next_checkin(held, self._scheduled(), self.workshop.checkin_every_weeks,
                                 self.workshop.held_on),
            note=checkin.note,
            partners=tuple(PartnerMark(p.id, p.name, p.colour) for p in self.partners),
            measures=tuple(self._reading_line(m, checkin) for m in self.measures),
            milestones=self._milestone_lines(checkin, names),
            capacity=self._capacity_lines(checkin, names),
            successes=self.log_between(start, checkin.held_on, checkin.id, LogKind.SUCCESS),
            disappointments=self.log_between(start, checkin.held_on, checkin.id,
                                             LogKind.DISAPPOINTMENT),
            recalibrations=tuple(RecalibrationLine(r.kind, r.subject, r.before, r.after,
                                                   r.reason)
                                 for r in self.recalibrated_at(checkin.id)),
            made_at=utcnow())

    def _reading_line(self, measure: Measure, checkin: Checkin) -> ReadingLine:
        held_on = {c.id: c.held_on for c in self.checkins}
        path = sorted((r.measured_on, r.value) for r in self.readings
                      if r.measure_id == measure.id
                      and held_on.get(r.checkin_id, date.max) <= checkin.held_on)
        now = self.reading(checkin.id, measure.id)
        value = now.value if now else None
        return ReadingLine(
            measure_id=measure.id, name=measure.name, unit=measure.unit,
            direction=measure.direction, baseline=measure.baseline_value,
            baseline_on=measure.baseline_date, target=measure.target_value, value=value,
            measured_on=now.measured_on if now else None, source=now.source if now else "",
            percent=share_of_the_way(measure.baseline_value, measure.target_value, value),
            words=progress_words(measure.baseline_value, measure.target_value, value,
                                 measure.direction),
            path=tuple(path), pilot_start=measure.pilot_start, pilot_end=measure.pilot_end,
            reevaluation=measure.reevaluation_date)

    def _milestone_lines(self, checkin: Checkin,
                         names: dict[int, str]) -> tuple[MilestoneProgress, ...]:
        lines = []
        for milestone in self.milestones:
            report = self.report_of(checkin.id, milestone.id)
            lines.append(MilestoneProgress(
                milestone_id=milestone.id, title=milestone.title, due_on=milestone.due_on,
                slack_days=milestone.slack_days, owner=names.get(milestone.owner_partner_id, ""),
                state=report.state if report else None,
                slip_days=report.slip_days if report else 0,
                reason=report.reason if report else ""))
        return tuple(lines)

    def _capacity_lines(self, checkin: Checkin,
                        names: dict[int, str]) -> tuple[HoursLine, ...]:
        """Every partner-month up to the check-in's month with hours planned, or given as
        reported by this check-in."""
        last = first_of_month(checkin.held_on)
        held_on = {c.id: c.held_on for c in self.checkins}
        planned = {(p.partner_id, p.month): p for p in self.planned if p.month <= last}
        given = {(a.partner_id, a.month): a for a in self.actuals
                 if held_on.get(a.checkin_id, date.max) <= checkin.held_on}
        order = {p.id: i for i, p in enumerate(self.partners)}
        keys = sorted(set(planned) | set(given), key=lambda k: (order.get(k[0], 99), k[1]))
        lines = []
        for key in keys:
            plan, actual = planned.get(key), given.get(key)
            lines.append(HoursLine(
                partner_id=key[0], partner=names.get(key[0], ""), month=key[1],
                planned=(0.0 if plan.unavailable else plan.hours) if plan else None,
                given=actual.hours if actual else None,
                note=actual.note if actual and actual.note else (plan.note if plan else "")))
        return tuple(lines)


def _log_line(entry: LogEntry, names: dict[int, str]) -> LogLine:
    return LogLine(entry.kind.value, entry.happened_on, entry.text, entry.lesson,
                   names.get(entry.partner_id, ""))


@kept
def checkin_view(session: Session, workshop_id: int) -> CheckInView | None:
    """The workshop's check-ins and all they hold; None when the workshop is gone."""
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return None
    checkins = workshop_checkins(session, workshop_id)
    of_checkins = col(Checkin.workshop_id) == workshop_id
    return CheckInView(
        workshop=workshop, partners=list(workshop_partners(session, workshop_id)),
        checkins=[checkin for checkin, _ in checkins],
        measures=[m for m in workshop_measures(session, workshop_id)
                  if m.status == ItemStatus.AGREED],
        milestones=list(workshop_milestones(session, workshop_id)),
        readings=list(session.exec(select(MeasureReading).join(Checkin).where(of_checkins)
                                   .order_by(MeasureReading.measured_on)).all()),
        reports=list(session.exec(select(MilestoneReport).join(Checkin).where(of_checkins))
                     .all()),
        actuals=list(session.exec(select(CapacityActual).join(Checkin).where(of_checkins)
                                  .order_by(CapacityActual.month)).all()),
        planned=sorted(workshop_capacity(session, workshop_id), key=lambda row: row.month),
        capacity_revealed=steps.is_revealed(session, workshop_id, Step.PACING),
        log=list(workshop_log(session, workshop_id)),
        early_wins=sorted(workshop_early_wins(session, workshop_id), key=lambda win: win.id),
        recalibrations=sorted((r for _, changed in checkins for r in changed),
                              key=lambda r: r.id),
        agreed_topics=[(item.topic, item.agreement)
                       for item in topic_outcomes(session, workshop_id) if item.agreed])


def latest_report(session: Session, workshop_id: int) -> CheckInReport | None:
    """The most recent check-in, as the leadership review shows it, made now; None before the
    first."""
    report = _latest(session, workshop_id)
    return None if report is None else replace(report, made_at=utcnow())


@kept
def _latest(session: Session, workshop_id: int) -> CheckInReport | None:
    view = checkin_view(session, workshop_id)
    if view is None or not view.checkins:
        return None
    return view.report(view.checkins[-1])


@kept
def next_checkin_date(session: Session, workshop_id: int) -> date | None:
    """When the partners meet next (see ``next_checkin``)."""
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return None
    held = [checkin.held_on for checkin, _ in workshop_checkins(session, workshop_id)]
    scheduled = [m.due_on for m in workshop_milestones(session, workshop_id)
                 if m.kind == MilestoneKind.CHECK_IN]
    return next_checkin(held, scheduled, workshop.checkin_every_weeks, workshop.held_on)
