"""A whole workshop as one JSON file, and that file back as a new workshop.

The file is a faithful copy of everything the workshop owns — partners and their people, step
states, pre-work, missions and drafts, measures and expectations, topics, stances, fixed rules,
rounds, ratings, agreements, pacing, the log, the check-ins with all that was reported and
recalibrated at them, and sign-offs — EXCEPT:

- private limits: a stance whose limit is private comes out with ``accept_min``/``accept_max``
  null and ``acceptable_options`` empty, so they come back empty on import;
- a partner's pre-work for a step that has not been revealed yet (own missions, expected
  results, positions and their rules, capacity): nothing unrevealed appears in any export;
- access links and the audit trail, which are not exported at all (facilitator accounts never);
- which row a recalibration changed (``entity_id``, a number of this database only): its
  subject says what it changed, in words.

Rows refer to each other by ids that exist only in the file: each table is renumbered 1..n in
the order of its database ids, so exporting an imported file gives the same bytes again.
Timestamps are kept as they were (UTC), and an import writes the file's timestamps, not now.

An import checks everything before it writes anything — size, UTF-8, JSON, the format marker,
every row's types, lengths, choices and ranges, every reference, ids used twice — and refuses
with one plain sentence saying what is wrong and where. Then it inserts inside the caller's
session, so a failure after that rolls the whole import back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic import ValidationError as PydanticError
from sqlmodel import Session, SQLModel, col, select

from models import changes
from models.schema import (
    Agreement,
    AgreementShare,
    CapacityActual,
    CapacityCommitment,
    Checkin,
    Direction,
    EarlyWin,
    ExpectedResult,
    FixedConstraint,
    ItemStatus,
    LogEntry,
    LogKind,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneKind,
    MilestoneReport,
    MilestoneState,
    MissionDraft,
    Outcome,
    Participant,
    Partner,
    PartnerKind,
    PartnerMission,
    PreworkProgress,
    Proposal,
    Rating,
    RatingsBy,
    Recalibration,
    RecalibrationKind,
    RoundPosition,
    RuleCheck,
    RuleKind,
    SignOff,
    SignOffDecision,
    Stance,
    StanceKind,
    Step,
    StepState,
    StepStatus,
    Topic,
    TopicKind,
    Workshop,
)
from models.validation import EARLIEST, LATEST, Invalid

FORMAT, VERSION = "concord-workshop", 1
MAX_BYTES = 5 * 1024 * 1024
MIN_PARTNERS, MAX_PARTNERS = 2, 8
_BIGGEST = 1e12  # larger numbers are typing mistakes, and beyond what a float keeps exactly


# --- what one row of the file may hold ---------------------------------------------------------


def _within(low: float, high: float, message: str) -> AfterValidator:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(message)
        return value
    return AfterValidator(check)


def _day_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("must be a date between 2000 and 2100")
    return value


def _moment_in_range(value: datetime) -> datetime:
    """Naive times in the file are UTC, as the export writes them."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    _day_in_range(value.date())
    return value


def _text(max_length: int, *, required: bool = False) -> Any:
    return Annotated[str, Field(min_length=1 if required else 0, max_length=max_length)]


Id = Annotated[int, _within(1, 2**31, "must be a whole number from 1 up")]
Count = Annotated[int, _within(0, 1_000_000, "must be a whole number from 0 to 1000000")]
Version = Annotated[int, _within(1, 2**31, "must be a whole number from 1 up")]
Number = Annotated[float, Field(allow_inf_nan=False),
                   _within(-_BIGGEST, _BIGGEST, "must be an ordinary number")]
Amount = Annotated[float, Field(allow_inf_nan=False),
                   _within(0, _BIGGEST, "must be a number of 0 or more")]
Day = Annotated[date, AfterValidator(_day_in_range)]
Moment = Annotated[datetime, AfterValidator(_moment_in_range)]
Options = Annotated[list[_text(200)], Field(max_length=200)]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class _Fields(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class _Row(_Fields):
    id: Id


class WorkshopFields(_Fields):
    name: _text(200, required=True)
    held_on: Day
    rule_min_support: Annotated[float, Field(allow_inf_nan=False),
                                _within(0.01, 1, "must be 0.01 to 1")]
    rule_block_from: Annotated[int, _within(5, 8, "must be 5 to 8")]
    ratings_by: RatingsBy
    prework_locked: bool
    checkin_every_weeks: Annotated[int, _within(1, 52, "must be 1 to 52")] | None
    is_demo: bool
    created_at: Moment
    updated_at: Moment
    version: Version


class PartnerRow(_Row):
    name: _text(120, required=True)
    kind: PartnerKind
    colour: Colour
    position: Count
    version: Version


class ParticipantRow(_Row):
    partner_id: Id
    name: _text(120)
    role: _text(120)
    email: _text(254)


class StepStateRow(_Row):
    step: Step
    status: StepStatus
    revealed_at: Moment | None
    version: Version


class PreworkProgressRow(_Row):
    partner_id: Id
    opened_at: Moment | None
    last_activity_at: Moment | None
    submitted_at: Moment | None
    note_to_facilitator: _text(4000)
    version: Version


class PartnerMissionRow(_Row):
    partner_id: Id
    mission: _text(4000)
    values: _text(4000)
    brings: _text(4000)
    needs: _text(4000)
    updated_at: Moment
    version: Version


class MissionDraftRow(_Row):
    number: Annotated[int, _within(1, 1_000_000, "must be a whole number from 1 up")]
    text: _text(4000)
    created_at: Moment
    adopted_at: Moment | None
    override_reason: _text(2000)


class MeasureRow(_Row):
    library_key: _text(80) | None
    name: _text(200)
    definition: _text(4000)
    data_source: _text(1000)
    unit: _text(60)
    direction: Direction
    baseline_value: Number | None
    baseline_date: Day | None
    baseline_plan: _text(2000)
    baseline_plan_date: Day | None
    target_value: Number | None
    frequency: _text(60)
    owner_partner_id: Id | None
    owner_name: _text(120)
    pilot_scope: _text(2000)
    pilot_start: Day | None
    pilot_end: Day | None
    reevaluation_date: Day | None
    plausible_min: Number | None
    plausible_max: Number | None
    status: ItemStatus
    version: Version

    @model_validator(mode="after")
    def _pilot_in_order(self) -> MeasureRow:
        if self.pilot_start and self.pilot_end and self.pilot_start > self.pilot_end:
            raise ValueError("the pilot ends before it starts")
        return self


class ExpectedResultRow(_Row):
    partner_id: Id
    text: _text(1000)
    importance: Annotated[int, _within(1, 5, "must be 1 to 5")]
    theme: _text(120)
    status: ItemStatus
    measure_id: Id | None
    version: Version


class TopicRow(_Row):
    library_key: _text(80) | None
    title: _text(120)
    category: _text(80)
    description: _text(2000)
    kind: TopicKind
    unit: _text(40)
    lower_bound: Number | None
    upper_bound: Number | None
    options: Options
    position: Count
    version: Version

    @model_validator(mode="after")
    def _bounds_for_numbers(self) -> TopicRow:
        if self.kind == TopicKind.NUMERIC and (
                self.lower_bound is None or self.upper_bound is None
                or self.lower_bound >= self.upper_bound):
            raise ValueError("a number topic needs a lower_bound below its upper_bound")
        return self


class StanceRow(_Row):
    topic_id: Id
    partner_id: Id
    kind: StanceKind
    preferred_value: Number | None
    preferred_option: _text(200) | None
    preferred_text: _text(2000)
    accept_min: Number | None
    accept_max: Number | None
    acceptable_options: Options
    limit_private: bool
    weight: Annotated[int, _within(1, 5, "must be 1 to 5")]
    wants_in_return: _text(2000)
    updated_at: Moment
    version: Version

    @model_validator(mode="after")
    def _limits_in_order(self) -> StanceRow:
        if (self.accept_min is not None and self.accept_max is not None
                and self.accept_min > self.accept_max):
            raise ValueError("accept_min is above accept_max")
        return self


class FixedConstraintRow(_Row):
    stance_id: Id
    library_key: _text(80) | None
    rule_kind: RuleKind
    title: _text(200)
    citation: _text(200)
    explanation: _text(2000)
    allowed_min: Number | None
    allowed_max: Number | None
    allowed_options: Options
    allows_text: _text(1000)


class ProposalRow(_Row):
    topic_id: Id
    round_no: Annotated[int, _within(1, 1_000_000, "must be a whole number from 1 up")]
    value_number: Number | None
    value_option: _text(200) | None
    value_text: _text(2000)
    note: _text(2000)
    created_at: Moment


class RuleCheckRow(_Row):
    proposal_id: Id
    constraint_id: Id
    confirmed_at: Moment


class RoundPositionRow(_Row):
    proposal_id: Id
    partner_id: Id
    value_number: Number | None
    value_option: _text(200) | None
    value_text: _text(2000)


class RatingRow(_Row):
    partner_id: Id
    participant_id: Id | None
    proposal_id: Id | None
    mission_draft_id: Id | None
    value: Annotated[int, _within(1, 8, "must be 1 to 8")]
    reason: _text(2000)
    created_at: Moment

    @model_validator(mode="after")
    def _one_subject(self) -> RatingRow:
        if (self.proposal_id is None) == (self.mission_draft_id is None):
            raise ValueError("a rating rates either a proposal or a mission draft, not both "
                             "or neither")
        return self


class AgreementRow(_Row):
    topic_id: Id
    outcome: Outcome
    value_number: Number | None
    value_option: _text(200) | None
    value_text: _text(2000)
    note: _text(2000)
    recorded_at: Moment
    version: Version


class AgreementShareRow(_Row):
    agreement_id: Id
    partner_id: Id
    gave: _text(1000)
    gained: _text(1000)


class MilestoneRow(_Row):
    title: _text(200)
    kind: MilestoneKind
    due_on: Day
    slack_days: Annotated[int, _within(0, 3650, "must be 0 to 3650")]
    owner_partner_id: Id | None
    demand_hours: Amount
    version: Version


class CapacityRow(_Row):
    partner_id: Id
    month: Day
    hours: Amount
    unavailable: bool
    note: _text(500)
    version: Version


class EarlyWinRow(_Row):
    title: _text(200)
    target_date: Day | None
    partner_id: Id | None
    achieved_on: Day | None


class LogEntryRow(_Row):
    kind: LogKind
    happened_on: Day
    text: _text(2000)
    lesson: _text(2000)
    partner_id: Id | None
    checkin_id: Id | None = None  # files made before check-ins have none


class CheckinRow(_Row):
    held_on: Day
    note: _text(4000)
    created_at: Moment
    version: Version


class MeasureReadingRow(_Row):
    checkin_id: Id
    measure_id: Id
    value: Number
    measured_on: Day
    source: _text(1000)
    version: Version


class MilestoneReportRow(_Row):
    checkin_id: Id
    milestone_id: Id
    state: MilestoneState
    slip_days: Annotated[int, _within(0, 3650, "must be 0 to 3650")]
    reason: _text(2000)
    version: Version


class CapacityActualRow(_Row):
    checkin_id: Id
    partner_id: Id
    month: Day
    hours: Amount
    note: _text(500)
    version: Version


class RecalibrationRow(_Row):
    checkin_id: Id
    kind: RecalibrationKind
    subject: _text(300)
    entity: _text(60)
    before: _text(2000)
    after: _text(2000)
    reason: _text(2000)
    recorded_at: Moment


class SignOffRow(_Row):
    partner_id: Id | None
    summary_version: _text(64)
    decision: SignOffDecision
    name: _text(120)
    title: _text(120)
    comment: _text(4000)
    recorded_at: Moment


# --- the tables, in an order where every row's references come before it ----------------------


@dataclass(frozen=True)
class _Table:
    key: str                          # the table's name in the file
    model: type[SQLModel]
    row: type[_Row]
    owner: str | None                 # the field that ties a row to the workshop; None: direct
    refs: dict[str, str] = field(default_factory=dict)   # field -> key of the table it names
    unique: tuple[tuple[str, ...], ...] = ()             # what the database holds unique

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


TABLES: tuple[_Table, ...] = (
    _Table("partners", Partner, PartnerRow, None, unique=(("name",),)),
    _Table("participants", Participant, ParticipantRow, "partner_id", {"partner_id": "partners"}),
    _Table("step_states", StepState, StepStateRow, None, unique=(("step",),)),
    _Table("prework_progress", PreworkProgress, PreworkProgressRow, "partner_id",
           {"partner_id": "partners"}, unique=(("partner_id",),)),
    _Table("partner_missions", PartnerMission, PartnerMissionRow, "partner_id",
           {"partner_id": "partners"}, unique=(("partner_id",),)),
    _Table("mission_drafts", MissionDraft, MissionDraftRow, None, unique=(("number",),)),
    _Table("measures", Measure, MeasureRow, None, {"owner_partner_id": "partners"}),
    _Table("expected_results", ExpectedResult, ExpectedResultRow, "partner_id",
           {"partner_id": "partners", "measure_id": "measures"}),
    _Table("topics", Topic, TopicRow, None, unique=(("title",),)),
    _Table("stances", Stance, StanceRow, "topic_id",
           {"topic_id": "topics", "partner_id": "partners"}, unique=(("topic_id", "partner_id"),)),
    _Table("fixed_constraints", FixedConstraint, FixedConstraintRow, "stance_id",
           {"stance_id": "stances"}),
    _Table("proposals", Proposal, ProposalRow, "topic_id", {"topic_id": "topics"},
           unique=(("topic_id", "round_no"),)),
    _Table("rule_checks", RuleCheck, RuleCheckRow, "proposal_id",
           {"proposal_id": "proposals", "constraint_id": "fixed_constraints"},
           unique=(("proposal_id", "constraint_id"),)),
    _Table("round_positions", RoundPosition, RoundPositionRow, "proposal_id",
           {"proposal_id": "proposals", "partner_id": "partners"},
           unique=(("proposal_id", "partner_id"),)),
    _Table("ratings", Rating, RatingRow, "partner_id",
           {"partner_id": "partners", "participant_id": "participants",
            "proposal_id": "proposals", "mission_draft_id": "mission_drafts"}),
    _Table("agreements", Agreement, AgreementRow, "topic_id", {"topic_id": "topics"},
           unique=(("topic_id",),)),
    _Table("agreement_shares", AgreementShare, AgreementShareRow, "agreement_id",
           {"agreement_id": "agreements", "partner_id": "partners"},
           unique=(("agreement_id", "partner_id"),)),
    _Table("milestones", Milestone, MilestoneRow, None, {"owner_partner_id": "partners"}),
    _Table("capacity", CapacityCommitment, CapacityRow, "partner_id",
           {"partner_id": "partners"}, unique=(("partner_id", "month"),)),
    _Table("early_wins", EarlyWin, EarlyWinRow, None, {"partner_id": "partners"}),
    _Table("checkins", Checkin, CheckinRow, None, unique=(("held_on",),)),
    _Table("log_entries", LogEntry, LogEntryRow, None,
           {"partner_id": "partners", "checkin_id": "checkins"}),
    _Table("measure_readings", MeasureReading, MeasureReadingRow, "checkin_id",
           {"checkin_id": "checkins", "measure_id": "measures"},
           unique=(("checkin_id", "measure_id"),)),
    _Table("milestone_reports", MilestoneReport, MilestoneReportRow, "checkin_id",
           {"checkin_id": "checkins", "milestone_id": "milestones"},
           unique=(("checkin_id", "milestone_id"),)),
    _Table("capacity_given", CapacityActual, CapacityActualRow, "checkin_id",
           {"checkin_id": "checkins", "partner_id": "partners"},
           unique=(("partner_id", "month"),)),
    _Table("recalibrations", Recalibration, RecalibrationRow, "checkin_id",
           {"checkin_id": "checkins"}),
    _Table("sign_offs", SignOff, SignOffRow, None, {"partner_id": "partners"}),
)
_LABELS = {table.key: table.label for table in TABLES}

WorkshopFile = create_model(
    "WorkshopFile",
    __base__=_Fields,
    format=(Literal[FORMAT], ...),
    version=(Literal[VERSION], ...),
    workshop=(WorkshopFields, ...),
    **{table.key: (list[table.row], []) for table in TABLES},
)


# --- export ------------------------------------------------------------------------------------


def export_workshop(session: Session, workshop_id: int) -> bytes:
    """The workshop as UTF-8 JSON; the same workshop always gives the same bytes."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise Invalid({"file": "This workshop no longer exists."})
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                                "workshop": _values(workshop, WorkshopFields, {}, {})}
    file_ids: dict[str, dict[int, int]] = {}
    hidden = _unrevealed_prework(session, workshop_id)
    for table in TABLES:
        rows = [] if table.key in hidden else _rows_of(session, table, workshop_id, file_ids)
        file_ids[table.key] = {row.id: number for number, row in enumerate(rows, start=1)}
        document[table.key] = [_redacted(table, _values(row, table.row, table.refs, file_ids,
                                                        own=file_ids[table.key]))
                               for row in rows]
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
    return (text + "\n").encode("utf-8")


# A partner's pre-work for a step, and what hangs off it, stays out of the file until the
# facilitator reveals that step: nothing unrevealed appears in any export.
PREWORK_TABLES: dict[Step, tuple[str, ...]] = {
    Step.MISSION: ("partner_missions",),
    Step.EXPECTATIONS: ("expected_results",),
    Step.SOLUTIONS: ("stances", "fixed_constraints", "rule_checks"),
    Step.PACING: ("capacity",),
}


def _unrevealed_prework(session: Session, workshop_id: int) -> set[str]:
    revealed = {state.step for state in session.exec(
        select(StepState).where(StepState.workshop_id == workshop_id)).all()
        if state.revealed_at is not None}
    return {key for step, keys in PREWORK_TABLES.items() if step not in revealed
            for key in keys}


def _rows_of(session: Session, table: _Table, workshop_id: int,
             file_ids: dict[str, dict[int, int]]) -> list[SQLModel]:
    model = table.model
    if table.owner is None:
        where = model.workshop_id == workshop_id
    else:
        where = col(getattr(model, table.owner)).in_(list(file_ids[table.refs[table.owner]]))
    return list(session.exec(select(model).where(where).order_by(model.id)).all())


def _values(row: SQLModel, shape: type[BaseModel], refs: dict[str, str],
            file_ids: dict[str, dict[int, int]], own: dict[int, int] | None = None
            ) -> dict[str, Any]:
    """A row's fields as the file holds them, its id and references renumbered."""
    values = {}
    for name in shape.model_fields:
        value = getattr(row, name)
        if name == "id" and own is not None:
            value = own[value]
        elif name in refs and value is not None:
            value = file_ids[refs[name]][value]
        values[name] = _plain(value)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return list(value)
    return value


def _redacted(table: _Table, values: dict[str, Any]) -> dict[str, Any]:
    """A private limit never leaves the database."""
    if table.model is Stance and values["limit_private"]:
        return dict(values, accept_min=None, accept_max=None, acceptable_options=[])
    return values


# --- import ------------------------------------------------------------------------------------


def import_workshop(session: Session, data: bytes, *, actor: str) -> int:
    """A new workshop from an exported file; its id. ``Invalid`` when anything is wrong, before
    a single row is written."""
    parsed = _checked(data)
    workshop = Workshop(**parsed.workshop.model_dump())
    session.add(workshop)
    session.flush()
    new_ids: dict[str, dict[int, int]] = {}
    for table in TABLES:
        new_ids[table.key] = _insert(session, table, getattr(parsed, table.key), workshop.id,
                                     new_ids)
    changes.audit(session, actor=actor, action="create", entity="workshop",
                  entity_id=workshop.id, workshop_id=workshop.id,
                  after=changes.snapshot(workshop))
    session.flush()
    return workshop.id


def _insert(session: Session, table: _Table, rows: list[_Row], workshop_id: int,
            new_ids: dict[str, dict[int, int]]) -> dict[int, int]:
    created = []
    for row in sorted(rows, key=lambda r: r.id):
        values = row.model_dump(exclude={"id"})
        for name, target in table.refs.items():
            if values[name] is not None:
                values[name] = new_ids[target][values[name]]
        if table.owner is None:
            values["workshop_id"] = workshop_id
        created.append((row.id, table.model(**values)))
    session.add_all([model for _, model in created])
    session.flush()
    return {file_id: model.id for file_id, model in created}


def _checked(data: bytes) -> Any:
    """The file parsed and checked in full, or ``Invalid`` with the first problem found."""
    if len(data) > MAX_BYTES:
        raise _refusal("The file is larger than 5 MB, which is more than any workshop needs. "
                       "Please choose the file Concord exported.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refusal("The file is not UTF-8 text, so it cannot be a Concord export.") from None
    document = _json(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refusal("This is not a Concord workshop file: its format marker is missing "
                       "or different.")
    if document.get("version") != VERSION:
        raise _refusal(f"This file is version {document.get('version')!r}; this Concord reads "
                       f"version {VERSION} files.")
    try:
        parsed = WorkshopFile.model_validate_json(text)
    except PydanticError as exc:
        raise _refusal(_first_problem(exc)) from None
    problem = next(_cross_row_problems(parsed), None)
    if problem:
        raise _refusal(problem)
    return parsed


def _json(text: str) -> Any:
    def refuse_constant(name: str) -> Any:
        raise ValueError(name)
    try:
        document = json.loads(text, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        raise _refusal("The file is not valid JSON (it may be cut short or not an export "
                       "at all), or it holds numbers such as NaN or Infinity.") from None
    for text_value in _strings(document):
        if "\x00" in text_value:
            raise _refusal("The file holds a NUL character, which no text in Concord may hold.")
        try:
            text_value.encode("utf-8")
        except UnicodeEncodeError:
            raise _refusal("The file holds text that is not valid Unicode.") from None
    return document


def _strings(document: Any) -> Iterable[str]:
    """Every string in the parsed file, keys included, without recursion."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _cross_row_problems(parsed: Any) -> Iterable[str]:
    partners = len(parsed.partners)
    if not MIN_PARTNERS <= partners <= MAX_PARTNERS:
        yield (f"The file has {partners} partners; a workshop has {MIN_PARTNERS} to "
               f"{MAX_PARTNERS}.")
    ids = {table.key: {row.id for row in getattr(parsed, table.key)} for table in TABLES}
    for table in TABLES:
        rows = getattr(parsed, table.key)
        yield from _duplicates(table, rows, ("id",), "id {} is used by an earlier row too")
        for key in table.unique:
            yield from _duplicates(table, rows, key, "{} is the same as in an earlier row")
        yield from _dangling(table, rows, ids)


def _duplicates(table: _Table, rows: list[_Row], key: tuple[str, ...],
                message: str) -> Iterable[str]:
    seen: set[tuple] = set()
    for number, row in enumerate(rows, start=1):
        value = tuple(getattr(row, name) for name in key)
        if value in seen:
            shown = ", ".join(f"{name} {getattr(row, name)!s}" for name in key)
            if key == ("id",):
                shown = str(row.id)
            yield f"Row {number} of {table.label}: {message.format(shown)}."
        seen.add(value)


def _dangling(table: _Table, rows: list[_Row], ids: dict[str, set[int]]) -> Iterable[str]:
    for number, row in enumerate(rows, start=1):
        for name, target in table.refs.items():
            value = getattr(row, name)
            if value is not None and value not in ids[target]:
                yield (f"Row {number} of {table.label}: {name} {value} does not match any of "
                       f"the {_LABELS[target]} in the file.")


def _first_problem(exc: PydanticError) -> str:
    errors = exc.errors()
    first = errors[0]
    where, field_name = _where(first["loc"])
    words = _phrase(first)
    sentence = f"{where}: {field_name} {words}" if field_name else f"{where}: {words}"
    more = len(errors) - 1
    tail = f" ({more} more problem{'s' if more > 1 else ''} after this one.)" if more else ""
    return sentence.rstrip(".") + "." + tail


def _where(loc: tuple) -> tuple[str, str]:
    """("topics", 2, "weight") -> ("Row 3 of topics", "weight")."""
    if not loc:
        return "The file", ""
    head, rest = loc[0], loc[1:]
    if head == "workshop" and rest:
        return "The workshop", ".".join(str(part) for part in rest)
    if head in _LABELS:
        if rest and isinstance(rest[0], int):
            return f"Row {rest[0] + 1} of {_LABELS[head]}", ".".join(str(p) for p in rest[1:])
        return "The file", " ".join([_LABELS[head], *(str(p) for p in rest)])
    return "The file", str(head)


_PHRASES: dict[str, Callable[[dict], str]] = {
    "missing": lambda e: "is missing",
    "extra_forbidden": lambda e: "is not something a Concord file holds",
    "string_too_long": lambda e: f"must be at most {e['ctx']['max_length']} characters",
    "string_too_short": lambda e: "must not be empty",
    "too_long": lambda e: "has too many entries",
    "string_type": lambda e: "must be text",
    "string_pattern_mismatch": lambda e: "must be a colour such as #0072B2",
    "int_type": lambda e: "must be a whole number",
    "int_from_float": lambda e: "must be a whole number",
    "float_type": lambda e: "must be a number",
    "finite_number": lambda e: "must be an ordinary number, not NaN or infinity",
    "bool_type": lambda e: "must be true or false",
    "list_type": lambda e: "must be a list",
    "model_type": lambda e: "must be an object",
    "dict_type": lambda e: "must be an object",
    "enum": lambda e: f"must be one of {e['ctx']['expected']}",
    "literal_error": lambda e: f"must be {e['ctx']['expected']}",
    "value_error": lambda e: str(e["ctx"]["error"]),
}


def _phrase(error: dict) -> str:
    kind = error["type"]
    if kind in _PHRASES:
        return _PHRASES[kind](error)
    if kind.startswith("date"):
        return "must be a date such as 2027-02-01"
    if kind.startswith(("datetime", "timezone")):
        return "must be a date and time such as 2026-11-17T09:30:00Z"
    return str(error["msg"]).lower()


def _refusal(message: str) -> Invalid:
    return Invalid({"file": message})

