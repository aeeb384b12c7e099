"""Every table of Concord, in one place.

A workshop owns everything else: each row is reachable from its workshop, and deleting a
workshop deletes its rows (foreign keys cascade; SQLite enforces them because the engine turns
``foreign_keys`` on). Rows that two people may edit at once carry a ``version`` column; a write
names the version it read and is refused when the row has moved on.

Table models are never validated by SQLModel itself, so user input goes through the ``*In``
models of the module that writes it (``models/setup.py`` and friends); the constraints below are
the second wall.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, TypeDecorator, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from models.clock import utcnow


def choice(enum_type: type[StrEnum], default: Any = ..., **kwargs: Any) -> Any:
    """A column that stores an enum's values as plain text (no native database enum type)."""
    column_type = SAEnum(enum_type, native_enum=False, length=40, validate_strings=True,
                         values_callable=lambda members: [m.value for m in members])
    return Field(default=default, sa_type=column_type, **kwargs)


class JSONList(TypeDecorator):
    """A JSON list, stored as before; an empty one, by far the most common (a numeric topic's
    options, a flexible stance's acceptable options), is read without parsing it. A large
    workshop reads thousands of them when its views are built."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect, coltype):  # noqa: ANN001, ANN201
        parse = self.impl_instance.result_processor(dialect, coltype)
        if parse is None:  # the driver parses JSON itself (PostgreSQL)
            return None

        def process(value):  # noqa: ANN001, ANN202
            return [] if value == "[]" else parse(value)

        return process


class PartnerKind(StrEnum):
    BEHAVIORAL_HEALTH = "behavioral_health"
    PRIMARY_CARE = "primary_care"
    OTHER = "other"


class Step(StrEnum):
    MISSION = "mission"
    EXPECTATIONS = "expectations"
    SOLUTIONS = "solutions"
    PACING = "pacing"


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SETTLED = "settled"


class RatingsBy(StrEnum):
    PARTICIPANT = "participant"
    PARTNER = "partner"


class TopicKind(StrEnum):
    NUMERIC = "numeric"
    OPTIONS = "options"
    TEXT = "text"


class StanceKind(StrEnum):
    FLEX = "flex"
    FIXED = "fixed"


class RuleKind(StrEnum):
    FEDERAL_REGULATION = "federal_regulation"
    STATE_LICENSURE = "state_licensure"
    ACCREDITATION = "accreditation"
    PAYER_CONTRACT = "payer_contract"
    BOARD_POLICY = "board_policy"


class ItemStatus(StrEnum):
    """Where an expectation or a measure stands in the room."""

    OPEN = "open"
    AGREED = "agreed"
    CONTESTED = "contested"
    DROPPED = "dropped"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Outcome(StrEnum):
    AGREED = "agreed"
    PARKED = "parked"
    ESCALATED = "escalated"
    NO_AGREEMENT = "no_agreement"


class LogKind(StrEnum):
    SUCCESS = "success"
    DISAPPOINTMENT = "disappointment"


class MilestoneKind(StrEnum):
    PILOT_START = "pilot_start"
    PILOT_END = "pilot_end"
    BASELINE = "baseline"
    REEVALUATION = "reevaluation"
    CHECK_IN = "check_in"
    OTHER = "other"


class MilestoneState(StrEnum):
    """Where a milestone stands at a check-in."""

    DONE = "done"
    ON_TRACK = "on_track"
    SLIPPED = "slipped"
    AT_RISK = "at_risk"


class RecalibrationKind(StrEnum):
    """What a check-in changed in the plan."""

    TARGET = "target"
    DATE = "date"
    CAPACITY = "capacity"
    TOPIC = "topic"


class LinkPurpose(StrEnum):
    PREWORK = "prework"
    REVIEW = "review"


class SignOffDecision(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


# --- the installation ------------------------------------------------------------------------


class AppSetting(SQLModel, table=True):
    """Facts about this installation, such as when the demo partnership was loaded."""

    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(default="", max_length=2000)


# --- accounts ------------------------------------------------------------------------------------


class FacilitatorAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    password_hash: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


# --- the workshop and who takes part -----------------------------------------------------------


class Workshop(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("rule_min_support > 0 AND rule_min_support <= 1", name="rule_support"),
        CheckConstraint("rule_block_from BETWEEN 5 AND 8", name="rule_block"),
        CheckConstraint("checkin_every_weeks IS NULL OR checkin_every_weeks BETWEEN 1 AND 52",
                        name="checkin_cadence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    held_on: date
    # The decision rule (PRODUCT.md, "Agreement"): consensus when no rating reaches
    # rule_block_from and at least rule_min_support of the ratings are 1-3.
    rule_min_support: float = 0.75
    rule_block_from: int = 7
    ratings_by: RatingsBy = choice(RatingsBy, default=RatingsBy.PARTICIPANT)
    prework_locked: bool = False
    checkin_every_weeks: int | None = None
    is_demo: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class Partner(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "name", name="uq_partner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=120)
    kind: PartnerKind = choice(PartnerKind)
    colour: str = Field(max_length=7)
    position: int = 0
    version: int = 1


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=120)
    role: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    version: int = 1


class StepState(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "step", name="uq_step"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    step: Step = choice(Step)
    status: StepStatus = choice(StepStatus, default=StepStatus.NOT_STARTED)
    # Nothing a partner wrote in pre-work for this step shows in the room until revealed.
    revealed_at: datetime | None = None
    version: int = 1


class PreworkProgress(SQLModel, table=True):
    """One partner's pre-work as a whole: when opened, last touched, submitted, its free note."""

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", unique=True)
    opened_at: datetime | None = None
    last_activity_at: datetime | None = None
    submitted_at: datetime | None = None
    note_to_facilitator: str = Field(default="", max_length=4000)
    version: int = 1


# --- step 1: shared mission --------------------------------------------------------------------


class PartnerMission(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", unique=True)
    mission: str = Field(default="", max_length=4000)
    values: str = Field(default="", max_length=4000)
    brings: str = Field(default="", max_length=4000)
    needs: str = Field(default="", max_length=4000)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class MissionDraft(SQLModel, table=True):
    """A version of the joint mission statement; an edit makes a new row, never changes one."""

    __table_args__ = (UniqueConstraint("workshop_id", "number", name="uq_draft_number"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    number: int = Field(ge=1)
    text: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
    adopted_at: datetime | None = None
    override_reason: str = Field(default="", max_length=2000)


# --- step 2: expectations ----------------------------------------------------------------------


class Measure(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("pilot_start IS NULL OR pilot_end IS NULL OR pilot_start <= pilot_end",
                        name="pilot_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    library_key: str | None = Field(default=None, max_length=80)
    name: str = Field(max_length=200)
    definition: str = Field(default="", max_length=4000)
    data_source: str = Field(default="", max_length=1000)
    unit: str = Field(default="", max_length=60)
    direction: Direction = choice(Direction, default=Direction.HIGHER_IS_BETTER)
    baseline_value: float | None = None
    baseline_date: date | None = None
    baseline_plan: str = Field(default="", max_length=2000)
    baseline_plan_date: date | None = None
    target_value: float | None = None
    frequency: str = Field(default="", max_length=60)
    owner_partner_id: int | None = Field(default=None, foreign_key="partner.id",
                                         ondelete="SET NULL")
    owner_name: str = Field(default="", max_length=120)
    pilot_scope: str = Field(default="", max_length=2000)
    pilot_start: date | None = None
    pilot_end: date | None = None
    reevaluation_date: date | None = None
    plausible_min: float | None = None
    plausible_max: float | None = None
    status: ItemStatus = choice(ItemStatus, default=ItemStatus.OPEN)
    version: int = 1


class ExpectedResult(SQLModel, table=True):
    __table_args__ = (CheckConstraint("importance BETWEEN 1 AND 5", name="importance_range"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    text: str = Field(max_length=1000)
    importance: int = 3
    # Expectations from different partners that say the same thing share a theme.
    theme: str = Field(default="", max_length=120)
    status: ItemStatus = choice(ItemStatus, default=ItemStatus.OPEN)
    measure_id: int | None = Field(default=None, foreign_key="measure.id", ondelete="SET NULL")
    version: int = 1


# --- step 3: shared solutions ------------------------------------------------------------------


class Topic(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workshop_id", "title", name="uq_topic_title"),
        CheckConstraint("kind != 'numeric' OR (lower_bound IS NOT NULL AND upper_bound IS NOT NULL"
                        " AND lower_bound < upper_bound)", name="numeric_bounds"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    library_key: str | None = Field(default=None, max_length=80)
    title: str = Field(max_length=120)
    category: str = Field(max_length=80)
    description: str = Field(default="", max_length=2000)
    kind: TopicKind = choice(TopicKind)
    unit: str = Field(default="", max_length=40)
    lower_bound: float | None = None
    upper_bound: float | None = None
    options: list[str] = Field(default_factory=list, sa_column=Column(JSONList, nullable=False))
    position: int = 0
    version: int = 1


class Stance(SQLModel, table=True):
    """A partner's position on a topic before the rounds: where it can flex, or that it cannot."""

    __table_args__ = (
        UniqueConstraint("topic_id", "partner_id", name="uq_stance"),
        CheckConstraint("weight BETWEEN 1 AND 5", name="weight_range"),
        CheckConstraint("accept_min IS NULL OR accept_max IS NULL OR accept_min <= accept_max",
                        name="accept_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    kind: StanceKind = choice(StanceKind, default=StanceKind.FLEX)
    preferred_value: float | None = None
    preferred_option: str | None = Field(default=None, max_length=200)
    preferred_text: str = Field(default="", max_length=2000)
    accept_min: float | None = None
    accept_max: float | None = None
    acceptable_options: list[str] = Field(default_factory=list,
                                          sa_column=Column(JSONList, nullable=False))
    # Private by default: the app may say whether ranges overlap, never where this limit is.
    limit_private: bool = True
    weight: int = 3
    wants_in_return: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class FixedConstraint(SQLModel, table=True):
    """A rule that binds a partner on a topic, and what it still allows there."""

    id: int | None = Field(default=None, primary_key=True)
    stance_id: int = Field(foreign_key="stance.id", ondelete="CASCADE", index=True)
    library_key: str | None = Field(default=None, max_length=80)
    rule_kind: RuleKind = choice(RuleKind)
    title: str = Field(max_length=200)
    citation: str = Field(max_length=200)
    explanation: str = Field(default="", max_length=2000)
    allowed_min: float | None = None
    allowed_max: float | None = None
    allowed_options: list[str] = Field(default_factory=list,
                                       sa_column=Column(JSONList, nullable=False))
    allows_text: str = Field(default="", max_length=1000)


class Proposal(SQLModel, table=True):
    """What the facilitator put to the room in one round of one topic."""

    __table_args__ = (UniqueConstraint("topic_id", "round_no", name="uq_round"),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", index=True)
    round_no: int = Field(ge=1)
    value_number: float | None = None
    value_option: str | None = Field(default=None, max_length=200)
    value_text: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class RuleCheck(SQLModel, table=True):
    """On a free-text topic the facilitator confirms, rule by rule, that a proposal honours it."""

    __table_args__ = (UniqueConstraint("proposal_id", "constraint_id", name="uq_rule_check"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    constraint_id: int = Field(foreign_key="fixedconstraint.id", ondelete="CASCADE")
    confirmed_at: datetime = Field(default_factory=utcnow)


class RoundPosition(SQLModel, table=True):
    """A partner's counter-offer in a round, so movement toward agreement can be shown."""

    __table_args__ = (UniqueConstraint("proposal_id", "partner_id", name="uq_round_position"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", ondelete="CASCADE", index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    value_number: float | None = None
    value_option: str | None = Field(default=None, max_length=200)
    value_text: str = Field(default="", max_length=2000)
    version: int = 1


class Rating(SQLModel, table=True):
    """A Gradients of Agreement rating (1-8) of a proposal or of a mission draft."""

    __table_args__ = (
        CheckConstraint("value BETWEEN 1 AND 8", name="rating_range"),
        CheckConstraint("(proposal_id IS NULL) != (mission_draft_id IS NULL)",
                        name="rating_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    # Empty when the partner speaks as one.
    participant_id: int | None = Field(default=None, foreign_key="participant.id",
                                       ondelete="CASCADE")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="CASCADE",
                                    index=True)
    mission_draft_id: int | None = Field(default=None, foreign_key="missiondraft.id",
                                         ondelete="CASCADE", index=True)
    value: int
    reason: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Agreement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", unique=True)
    outcome: Outcome = choice(Outcome)
    value_number: float | None = None
    value_option: str | None = Field(default=None, max_length=200)
    value_text: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class AgreementShare(SQLModel, table=True):
    """What one partner gave and what it gained in an agreement."""

    __table_args__ = (UniqueConstraint("agreement_id", "partner_id", name="uq_share"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", ondelete="CASCADE", index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    gave: str = Field(default="", max_length=1000)
    gained: str = Field(default="", max_length=1000)


# --- step 4: pacing ----------------------------------------------------------------------------


class Milestone(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("slack_days >= 0", name="slack_positive"),
        CheckConstraint("demand_hours >= 0", name="demand_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    kind: MilestoneKind = choice(MilestoneKind, default=MilestoneKind.OTHER)
    due_on: date
    slack_days: int = 0
    owner_partner_id: int | None = Field(default=None, foreign_key="partner.id",
                                         ondelete="SET NULL")
    # Staff hours the milestone asks of its owner in the month it falls due.
    demand_hours: float = 0
    version: int = 1


class CapacityCommitment(SQLModel, table=True):
    """Staff hours a partner can commit in one month, or that it cannot commit that month."""

    __table_args__ = (
        UniqueConstraint("partner_id", "month", name="uq_capacity_month"),
        CheckConstraint("hours >= 0", name="hours_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    month: date  # the first day of the month
    hours: float = 0
    unavailable: bool = False
    note: str = Field(default="", max_length=500)
    version: int = 1


class EarlyWin(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    target_date: date | None = None
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    achieved_on: date | None = None
    version: int = 1


class LogEntry(SQLModel, table=True):
    """A success celebrated or a disappointment discussed, with the lesson drawn from it."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    kind: LogKind = choice(LogKind)
    happened_on: date
    text: str = Field(max_length=2000)
    lesson: str = Field(default="", max_length=2000)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    version: int = 1
    # The check-in it was talked through at, if any; the entry outlives a removed check-in.
    checkin_id: int | None = Field(default=None, foreign_key="checkin.id", ondelete="SET NULL",
                                   index=True)


# --- after the workshop: check-ins -------------------------------------------------------------


class Checkin(SQLModel, table=True):
    """A meeting of the partners after the workshop, on one date, to look at their progress."""

    __table_args__ = (UniqueConstraint("workshop_id", "held_on", name="uq_checkin_date"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    held_on: date
    note: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class MeasureReading(SQLModel, table=True):
    """A measure's value as reported at a check-in, with the date and source of the data."""

    __table_args__ = (UniqueConstraint("checkin_id", "measure_id", name="uq_measure_reading"),)

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", ondelete="CASCADE", index=True)
    measure_id: int = Field(foreign_key="measure.id", ondelete="CASCADE", index=True)
    value: float
    measured_on: date
    source: str = Field(max_length=1000)
    version: int = 1


class MilestoneReport(SQLModel, table=True):
    """Where a milestone stood at a check-in, and by how many days it slipped, with why."""

    __table_args__ = (
        UniqueConstraint("checkin_id", "milestone_id", name="uq_milestone_report"),
        CheckConstraint("slip_days >= 0", name="slip_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", ondelete="CASCADE", index=True)
    milestone_id: int = Field(foreign_key="milestone.id", ondelete="CASCADE", index=True)
    state: MilestoneState = choice(MilestoneState)
    slip_days: int = 0
    reason: str = Field(default="", max_length=2000)
    version: int = 1


class CapacityActual(SQLModel, table=True):
    """The staff hours a partner actually gave in one month, as reported at a check-in."""

    __table_args__ = (
        UniqueConstraint("partner_id", "month", name="uq_actual_month"),
        CheckConstraint("hours >= 0", name="actual_hours_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", ondelete="CASCADE", index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    month: date  # the first day of the month
    hours: float = 0
    note: str = Field(default="", max_length=500)
    version: int = 1


class Recalibration(SQLModel, table=True):
    """A change to the plan decided at a check-in: a target, a date or a month's capacity moved,
    or an agreed topic reopened for a new round; what it was, what it became, and why. The
    changed row itself carries its own audit event with the before and after."""

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", ondelete="CASCADE", index=True)
    kind: RecalibrationKind = choice(RecalibrationKind)
    subject: str = Field(max_length=300)  # what changed, in words
    entity: str = Field(max_length=60)  # the table of the changed row
    entity_id: int | None = None
    before: str = Field(default="", max_length=2000)
    after: str = Field(default="", max_length=2000)
    reason: str = Field(max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)


# --- review, links and audit -------------------------------------------------------------------


class SignOff(SQLModel, table=True):
    """A leader's decision on one version of the agreed summary."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    summary_version: str = Field(max_length=64)
    decision: SignOffDecision = choice(SignOffDecision)
    name: str = Field(max_length=120)
    title: str = Field(default="", max_length=120)
    comment: str = Field(default="", max_length=4000)
    recorded_at: datetime = Field(default_factory=utcnow)


class AccessLink(SQLModel, table=True):
    """A private link: the token itself is never stored, only its SHA-256."""

    __table_args__ = (
        CheckConstraint("purpose != 'prework' OR partner_id IS NOT NULL", name="prework_partner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="CASCADE")
    purpose: LinkPurpose = choice(LinkPurpose)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the row before and after (JSON), so a change can be undone."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int | None = Field(default=None, foreign_key="workshop.id", ondelete="CASCADE",
                                    index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=20)  # create | update | delete | undo
    entity: str = Field(max_length=60)
    entity_id: int | None = None
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    undoes_id: int | None = Field(default=None, foreign_key="auditevent.id", ondelete="SET NULL")


class TableStamp(SQLModel, table=True):
    """One row per table, whose value a write transaction replaces with a new random number,
    in that transaction, when it writes to the table (``models.db.writing``). A view kept from
    an earlier read is still right while the tables it read have the values it was built
    under (``models.kept``)."""

    name: str = Field(primary_key=True, max_length=60)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
