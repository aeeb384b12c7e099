"""The agreed summary: what the workshop settled, what is still open, and the version that a
leader's sign-off belongs to.

Everything here is what the room agreed and saw: no private limit, no pre-work that was never
revealed. The version is derived from the content, so any change makes a new one.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime

from pydantic import Field
from sqlmodel import Session, col, select

from models import changes
from models.clock import utcnow
from models.convergence import (
    Movement,
    WorkshopConvergence,
    balance_of_wins,
    settled_topics,
    workshop_convergence,
)
from models.kept import kept
from models.links import LinkAccess
from models.prework import LINK_GONE
from models.rows import (
    topic_outcomes,
    workshop_capacity,
    workshop_drafts,
    workshop_early_wins,
    workshop_expected_results,
    workshop_measures,
    workshop_milestones,
    workshop_partners,
    workshop_row,
)
from models.schema import (
    AccessLink,
    FixedConstraint,
    ItemStatus,
    LinkPurpose,
    Measure,
    Outcome,
    Participant,
    Partner,
    SignOff,
    SignOffDecision,
    Stance,
    Step,
)
from models.solutions import describe_value
from models.steps import is_revealed
from models.validation import Conflict, InputModel, Invalid, parse


@dataclass(frozen=True)
class PartnerLine:
    id: int
    name: str
    kind: str          # behavioral_health | primary_care | other
    colour: str
    people: tuple[str, ...]          # "Name, role"


@dataclass(frozen=True)
class MeasureLine:
    name: str
    definition: str
    data_source: str
    unit: str
    direction: str                   # higher_is_better | lower_is_better
    baseline: str                    # "28 % on 30 Sep 2026" or "Plan: … by 22 Jan 2027"
    target: str                      # "45 %"
    frequency: str
    owner: str                       # partner name and/or person
    pilot: str                       # "scope, 1 Feb 2027 to 31 Jul 2027" or ""
    reevaluation: date | None


@dataclass(frozen=True)
class ShareLine:
    partner: str
    gave: str
    gained: str


@dataclass(frozen=True)
class SolutionLine:
    topic: str
    category: str
    outcome: str                     # agreed | parked | escalated | no_agreement | open
    value: str                       # the agreed value in words, or ""
    note: str
    rules_honoured: tuple[str, ...]  # "Partner: Rule title (citation)"
    shares: tuple[ShareLine, ...]


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    kind: str
    due_on: date
    slack_days: int
    owner: str
    demand_hours: float


@dataclass(frozen=True)
class CapacityLine:
    partner: str
    month: date
    hours: float
    unavailable: bool
    note: str


@dataclass(frozen=True)
class OpenItem:
    step: str                        # "Shared mission" | "Expectations" | "Shared solutions"
    item: str
    state: str                       # e.g. "parked", "escalated", "no agreement", "not agreed"
    note: str
    category: str = ""               # a topic's category, for an open solution


@dataclass(frozen=True)
class Summary:
    workshop_id: int
    name: str
    held_on: date
    partners: tuple[PartnerLine, ...]
    decision_rule: str               # the rule in one sentence
    mission: str                     # the adopted joint mission, or ""
    mission_override: str            # the reason, when adopted without meeting the rule
    measures: tuple[MeasureLine, ...]        # status agreed
    solutions: tuple[SolutionLine, ...]      # outcome agreed
    milestones: tuple[MilestoneLine, ...]
    capacity: tuple[CapacityLine, ...]       # revealed only
    checkin_every_weeks: int | None
    early_wins: tuple[str, ...]
    open_items: tuple[OpenItem, ...]
    convergence: WorkshopConvergence
    version: str                     # content-derived, 12 hex characters
    made_at: datetime


# --- building the summary ----------------------------------------------------------------------


def build_summary(session: Session, workshop_id: int) -> Summary | None:
    """What the workshop settled and what is still open, made now; None when the workshop does
    not exist. Built once per change to the database (see ``models.kept``)."""
    summary = _settled(session, workshop_id)
    return None if summary is None else replace(summary, made_at=utcnow())


@kept
def _settled(session: Session, workshop_id: int) -> Summary | None:
    """The summary's content, from the rows the workshop's views share (``models.rows``) and a
    few queries of its own: a fixed number however large the workshop."""
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return None
    partners = list(workshop_partners(session, workshop_id))
    names = {p.id: p.name for p in partners}
    draft = next((draft for draft, _ in reversed(workshop_drafts(session, workshop_id))
                  if draft.adopted_at is not None), None)
    measures = workshop_measures(session, workshop_id)
    solutions, topic_items = _solutions(session, workshop_id, names)
    summary = Summary(
        workshop_id=workshop.id, name=workshop.name, held_on=workshop.held_on,
        partners=_partner_lines(session, workshop_id, partners),
        decision_rule=decision_rule_sentence(workshop.rule_min_support, workshop.rule_block_from),
        mission=draft.text if draft else "",
        mission_override=draft.override_reason if draft else "",
        measures=tuple(_measure_line(m, names) for m in measures
                       if m.status == ItemStatus.AGREED),
        solutions=solutions,
        milestones=_milestones(session, workshop_id, names),
        capacity=_capacity(session, workshop_id, names),
        checkin_every_weeks=workshop.checkin_every_weeks,
        early_wins=_early_wins(session, workshop_id, names),
        open_items=(
            ((OpenItem("Shared mission", "The joint mission statement", "not adopted",
                       "No draft has been adopted yet."),) if draft is None else ())
            + tuple(OpenItem("Expectations", m.name, "not agreed",
                             "Contested in the room." if m.status == ItemStatus.CONTESTED
                             else "Not settled yet.")
                    for m in measures if m.status in (ItemStatus.OPEN, ItemStatus.CONTESTED))
            + _contested_expectations(session, workshop_id, names)
            + topic_items),
        convergence=workshop_convergence(session, workshop_id),
        version="", made_at=utcnow())
    return replace(summary, version=summary_version(summary))


def summary_version(summary: Summary) -> str:
    """Twelve hex characters of the SHA-256 of the content: the same words, the same version."""
    content = _content(summary)
    content.pop("version")
    content.pop("made_at")
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=_iso)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


@kept
def summary_balance(session: Session, workshop_id: int) -> dict[int, list[Movement]]:
    """The balance of wins for the summary's chart; empty until positions on topics are
    revealed, because a partner's opening position is its pre-work."""
    if not is_revealed(session, workshop_id, Step.SOLUTIONS):
        return {}
    return balance_of_wins(settled_topics(session, workshop_id))


def decision_rule_sentence(min_support: float, block_from: int) -> str:
    blocking = "8" if block_from == 8 else f"{block_from} to 8"
    return (f"Consensus when nobody rates {blocking} and at least {round(min_support * 100)} % "
            "of the ratings are 1 to 3.")


def day(value: date) -> str:
    """A date as the summary writes it: 30 Sep 2026."""
    return f"{value.day} {value:%b %Y}"


def amount(value: float, unit: str) -> str:
    """A measure's value with its unit: "28 %", "112 visits per 1,000 patients"."""
    word = "%" if unit == "percent" else unit
    return f"{value:g} {word}".strip()


def _content(value: object) -> object:
    """The summary as plain data, for its version: what ``dataclasses.asdict`` gives, read
    without copying every value on the way (a summary at the size of a state-wide program
    holds thousands of lines, and asdict took a sixth of rebuilding it)."""
    if isinstance(value, list | tuple):
        return [_content(item) for item in value]
    if isinstance(value, dict):
        return {key: _content(item) for key, item in value.items()}
    names = _field_names(type(value))
    if names is not None:
        return {name: _content(getattr(value, name)) for name in names}
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, in order; None for any other type."""
    return tuple(item.name for item in fields(kind)) if is_dataclass(kind) else None


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"Cannot put {type(value).__name__} in a summary version")


def _partner_lines(session: Session, workshop_id: int,
                   partners: list[Partner]) -> tuple[PartnerLine, ...]:
    people = session.exec(select(Participant).join(Partner, Partner.id == Participant.partner_id)
                          .where(Partner.workshop_id == workshop_id)
                          .order_by(Participant.id)).all()
    return tuple(PartnerLine(
        id=p.id, name=p.name, kind=p.kind.value, colour=p.colour,
        people=tuple(f"{person.name}, {person.role}" if person.role else person.name
                     for person in people if person.partner_id == p.id))
        for p in partners)


def _measure_line(measure: Measure, names: dict[int, str]) -> MeasureLine:
    if measure.baseline_value is not None:
        baseline = amount(measure.baseline_value, measure.unit)
        if measure.baseline_date is not None:
            baseline += f" on {day(measure.baseline_date)}"
    elif measure.baseline_plan:
        baseline = f"Plan: {measure.baseline_plan}"
        if measure.baseline_plan_date is not None:
            baseline += f" by {day(measure.baseline_plan_date)}"
    else:
        baseline = ""
    owner = ", ".join(part for part in (measure.owner_name,
                                        names.get(measure.owner_partner_id, "")) if part)
    dates = (f"{day(measure.pilot_start)} to {day(measure.pilot_end)}"
             if measure.pilot_start and measure.pilot_end else
             f"from {day(measure.pilot_start)}" if measure.pilot_start else "")
    pilot = ", ".join(part for part in (measure.pilot_scope, dates) if part)
    return MeasureLine(
        name=measure.name, definition=measure.definition, data_source=measure.data_source,
        unit=measure.unit, direction=measure.direction.value, baseline=baseline,
        target=amount(measure.target_value, measure.unit)
        if measure.target_value is not None else "",
        frequency=measure.frequency, owner=owner, pilot=pilot,
        reevaluation=measure.reevaluation_date)


OUTCOME_WORDS = {Outcome.PARKED: "parked", Outcome.ESCALATED: "escalated",
                 Outcome.NO_AGREEMENT: "no agreement"}


def _solutions(session: Session, workshop_id: int,
               names: dict[int, str]) -> tuple[tuple[SolutionLine, ...], tuple[OpenItem, ...]]:
    """The agreed topics with the rules they honour and who gave what; the rest as open items."""
    rules = session.exec(select(FixedConstraint, Stance.topic_id, Stance.partner_id)
                         .join(Stance, Stance.id == FixedConstraint.stance_id)
                         .join(Partner, Partner.id == Stance.partner_id)
                         .where(Partner.workshop_id == workshop_id)
                         .order_by(Partner.position, Partner.id, FixedConstraint.id)).all()
    honoured: dict[int, list[str]] = {}
    for rule, topic_id, partner_id in rules:
        honoured.setdefault(topic_id, []).append(
            f"{names[partner_id]}: {rule.title} ({rule.citation})")
    agreed: list[SolutionLine] = []
    still_open: list[OpenItem] = []
    for outcome in topic_outcomes(session, workshop_id):
        topic, agreement = outcome.topic, outcome.agreement
        if not outcome.agreed:
            still_open.append(OpenItem(
                "Shared solutions", topic.title,
                OUTCOME_WORDS.get(agreement.outcome, "open") if agreement else "open",
                agreement.note if agreement else "Not settled in the workshop.",
                category=topic.category))
            continue
        agreed.append(SolutionLine(
            topic=topic.title, category=topic.category, outcome=agreement.outcome.value,
            value=describe_value(topic, agreement.value_number, agreement.value_option,
                                 agreement.value_text),
            note=agreement.note,
            rules_honoured=tuple(honoured.get(topic.id, ())),
            shares=tuple(ShareLine(partner=names[share.partner_id], gave=share.gave,
                                   gained=share.gained) for share in outcome.shares)))
    return tuple(agreed), tuple(still_open)


def _milestones(session: Session, workshop_id: int,
                names: dict[int, str]) -> tuple[MilestoneLine, ...]:
    return tuple(MilestoneLine(title=m.title, kind=m.kind.value, due_on=m.due_on,
                               slack_days=m.slack_days,
                               owner=names.get(m.owner_partner_id, ""),
                               demand_hours=m.demand_hours)
                 for m in workshop_milestones(session, workshop_id))


def _capacity(session: Session, workshop_id: int,
              names: dict[int, str]) -> tuple[CapacityLine, ...]:
    """Empty until the partners' capacity is revealed (``workshop_capacity``)."""
    return tuple(CapacityLine(partner=names[row.partner_id], month=row.month, hours=row.hours,
                              unavailable=row.unavailable, note=row.note)
                 for row in workshop_capacity(session, workshop_id))


def _early_wins(session: Session, workshop_id: int, names: dict[int, str]) -> tuple[str, ...]:
    return tuple(", ".join(part for part in (
        win.title, f"by {day(win.target_date)}" if win.target_date else "",
        names.get(win.partner_id, ""), f"achieved {day(win.achieved_on)}"
        if win.achieved_on else "") if part) for win in workshop_early_wins(session, workshop_id))


def _contested_expectations(session: Session, workshop_id: int,
                            names: dict[int, str]) -> tuple[OpenItem, ...]:
    """Nothing until the expectations are revealed (``workshop_expected_results``)."""
    return tuple(OpenItem("Expectations", f"{names[row.partner_id]}: {row.text}", "contested", "")
                 for row in workshop_expected_results(session, workshop_id)
                 if row.status == ItemStatus.CONTESTED)


# --- leadership sign-off -----------------------------------------------------------------------


STALE = ("The summary changed while you were reading it: please read the new version before "
         "signing.")


class SignOffIn(InputModel):
    partner_id: int | None = None
    decision: SignOffDecision
    name: str = Field(min_length=1, max_length=120)
    title: str = Field(default="", max_length=120)
    comment: str = Field(default="", max_length=4000)

    def problems(self) -> dict[str, str]:
        found = {}
        if self.partner_id is None:
            found["partner_id"] = "Please choose your organization."
        if self.decision == SignOffDecision.CHANGES_REQUESTED and not self.comment:
            found["comment"] = "Please say what should change."
        return found


@dataclass(frozen=True)
class SignOffView:
    partner: str
    name: str
    title: str
    decision: SignOffDecision
    comment: str
    recorded_at: datetime
    version: str
    lapsed: bool  # it belongs to an earlier version of the summary


def record_sign_off(session: Session, *, access: LinkAccess, version: str,
                    data: dict) -> SignOff:
    """A leader's decision on the version of the summary they read; refused when the summary
    has changed since, so an approval never lands on words its signer did not see."""
    _ensure_review_link(session, access)
    sign_in = parse(SignOffIn, data)
    partner = session.get(Partner, sign_in.partner_id) if sign_in.partner_id else None
    if partner is None or partner.workshop_id != access.workshop_id:
        raise Invalid({"partner_id": "Please choose one of the partners of this workshop."})
    current = build_summary(session, access.workshop_id)
    if current is None:
        raise Invalid({"form": LINK_GONE})
    if version != current.version:
        raise Conflict(STALE)
    return changes.create(session, SignOff(
        workshop_id=access.workshop_id, partner_id=partner.id, summary_version=version,
        decision=sign_in.decision, name=sign_in.name, title=sign_in.title,
        comment=sign_in.comment), actor=f"leadership:{access.workshop_id}",
        workshop_id=access.workshop_id)


@kept
def sign_offs(session: Session, workshop_id: int, current_version: str) -> list[SignOffView]:
    """Every decision recorded on this workshop's summary, newest first."""
    rows = session.exec(select(SignOff, Partner.name)
                        .outerjoin(Partner, Partner.id == SignOff.partner_id)
                        .where(SignOff.workshop_id == workshop_id)
                        .order_by(col(SignOff.recorded_at).desc(), col(SignOff.id).desc())).all()
    return [SignOffView(partner=partner or "", name=row.name, title=row.title,
                        decision=row.decision, comment=row.comment,
                        recorded_at=row.recorded_at, version=row.summary_version,
                        lapsed=row.summary_version != current_version)
            for row, partner in rows]


def approvals_lapsed(views: list[SignOffView]) -> bool:
    """Whether someone approved a version of the summary that has changed since."""
    return any(v.lapsed and v.decision == SignOffDecision.APPROVED for v in views)


def _ensure_review_link(session: Session, access: LinkAccess) -> None:
    """The review link, checked again at the moment of the write: it may have been revoked or
    have expired since the page was read."""
    link = session.get(AccessLink, access.link_id)
    if (access.purpose != LinkPurpose.REVIEW or link is None
            or link.purpose != LinkPurpose.REVIEW or link.revoked_at is not None
            or (link.expires_at is not None and link.expires_at <= utcnow())
            or link.workshop_id != access.workshop_id):
        raise Invalid({"form": LINK_GONE})
