"""Step 2, expectations: the results each partner expects, the themes where they coalesce, and
the measures the room agrees to track them with.

A partner's expected results are its pre-work: nothing of them is shown in the room until the
facilitator reveals the step. A measure can be marked agreed only once it says what is counted,
where the number starts, where it should get to, how often it is taken and who brings it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import Field
from sqlmodel import Session, select

from models import changes, library, steps
from models.kept import kept
from models.rows import workshop_expected_results, workshop_measures, workshop_partners
from models.schema import Direction, ExpectedResult, ItemStatus, Measure, Partner, Step
from models.validation import EARLIEST, LATEST, Conflict, InputModel, Invalid, parse

NOT_GROUPED = "Not grouped yet"
_DATES = ("baseline_date", "baseline_plan_date", "pilot_start", "pilot_end", "reevaluation_date")
_GONE = "This was removed a moment ago, perhaps in another window."


class ExpectedResultIn(InputModel):
    text: str = Field(min_length=1, max_length=1000)
    importance: int = Field(ge=1, le=5)
    theme: str = Field(default="", max_length=120)


class ThemeIn(InputModel):
    theme: str = Field(default="", max_length=120)


class StatusIn(InputModel):
    status: ItemStatus


class MeasureIn(InputModel):
    name: str = Field(min_length=1, max_length=200)
    definition: str = Field(default="", max_length=4000)
    data_source: str = Field(default="", max_length=1000)
    unit: str = Field(default="", max_length=60)
    direction: Direction = Direction.HIGHER_IS_BETTER
    baseline_value: float | None = None
    baseline_date: date | None = None
    baseline_plan: str = Field(default="", max_length=2000)
    baseline_plan_date: date | None = None
    target_value: float | None = None
    frequency: str = Field(default="", max_length=60)
    owner_partner_id: int | None = None
    owner_name: str = Field(default="", max_length=120)
    pilot_scope: str = Field(default="", max_length=2000)
    pilot_start: date | None = None
    pilot_end: date | None = None
    reevaluation_date: date | None = None
    plausible_min: float | None = None
    plausible_max: float | None = None

    def problems(self) -> dict[str, str]:
        errors = {name: "Please give a date between 2000 and 2100." for name in _DATES
                  if getattr(self, name) is not None
                  and not EARLIEST <= getattr(self, name) <= LATEST}
        if errors:
            return errors
        if self.pilot_start and self.pilot_end and self.pilot_start > self.pilot_end:
            errors["pilot_end"] = "The pilot must end on or after the day it starts."
        if (self.pilot_start and self.reevaluation_date
                and self.reevaluation_date < self.pilot_start):
            errors["reevaluation_date"] = "The re-evaluation comes after the pilot starts."
        low, high = self.plausible_min, self.plausible_max
        if low is not None and high is not None and low >= high:
            errors["plausible_max"] = "The highest plausible value must be above the lowest."
            return errors
        for name in ("baseline_value", "target_value"):
            value = getattr(self, name)
            if value is not None and not _plausible(value, low, high):
                errors[name] = f"This is outside what is plausible here ({_range(low, high)})."
        return errors


def _plausible(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"no more than {high:g}"


# --- what a measure still needs --------------------------------------------------------------


def missing_for_agreement(measure: Measure | MeasureIn, pilot_start: date | None) -> list[str]:
    """What the room still has to settle before this measure can be agreed, in plain words.

    ``pilot_start`` is the day the pilot starts, if known: a baseline still to be collected has
    to be in hand before then.
    """
    missing = []
    if not measure.definition.strip():
        missing.append("a definition")
    missing += _baseline_missing(measure, pilot_start)
    if measure.target_value is None:
        missing.append("a target")
    if not measure.frequency.strip():
        missing.append("how often it is measured")
    if measure.owner_partner_id is None and not measure.owner_name.strip():
        missing.append("an owner")
    return missing


def _baseline_missing(measure: Measure | MeasureIn, pilot_start: date | None) -> list[str]:
    """A baseline is today's value and its date, or a plan and the date it will be done by."""
    has_value, has_date = measure.baseline_value is not None, measure.baseline_date is not None
    has_plan, plan_date = bool(measure.baseline_plan.strip()), measure.baseline_plan_date
    if has_value and has_date:
        return []
    if has_value:
        return ["the date of the baseline value"]
    if has_date:
        return ["the baseline value"]
    if has_plan and plan_date is not None:
        if pilot_start is not None and plan_date >= pilot_start:
            return [f"a baseline plan date before the pilot starts ({_day(pilot_start)})"]
        return []
    if has_plan:
        return ["the date the baseline will be collected by"]
    if plan_date is not None:
        return ["the plan to collect the baseline"]
    return ["a baseline (today's value and its date, or a plan and a date to collect it)"]


def listed(items: list[str]) -> str:
    """Items as a sentence reads them: a, b and c."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- a partner's expected results --------------------------------------------------------------


def add_expected_result(session: Session, *, partner_id: int, data: dict,
                        actor: str) -> ExpectedResult:
    """One result a partner expects, from its pre-work or entered live by the facilitator."""
    result_in = parse(ExpectedResultIn, data)
    partner = _partner(session, partner_id)
    _started_if_in_room(session, partner.workshop_id, actor)
    return changes.create(session, ExpectedResult(partner_id=partner_id,
                                                  **result_in.model_dump()),
                          actor=actor, workshop_id=partner.workshop_id)


def update_expected_result(session: Session, *, partner_id: int, result_id: int, data: dict,
                           expected_version: int, actor: str) -> ExpectedResult:
    result_in = parse(ExpectedResultIn, data)
    partner = _partner(session, partner_id)
    row = _own_result(session, partner_id, result_id)
    _started_if_in_room(session, partner.workshop_id, actor)
    return changes.update(session, row, result_in.model_dump(), actor=actor,
                          workshop_id=partner.workshop_id, expected_version=expected_version)


def delete_expected_result(session: Session, *, partner_id: int, result_id: int,
                           actor: str) -> None:
    partner = _partner(session, partner_id)
    row = _own_result(session, partner_id, result_id)
    _started_if_in_room(session, partner.workshop_id, actor)
    changes.delete(session, row, actor=actor, workshop_id=partner.workshop_id)


def _started_if_in_room(session: Session, workshop_id: int, actor: str) -> None:
    """Before the reveal a change is pre-work; once the results are on the wall it is the room's
    work, and the first such change puts the step in progress."""
    if steps.is_revealed(session, workshop_id, Step.EXPECTATIONS):
        steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)


# --- what the room decides about each expectation ----------------------------------------------


def set_expectation_status(session: Session, *, workshop_id: int, result_id: int,
                           status: ItemStatus | str, was: ItemStatus | str,
                           actor: str) -> ExpectedResult:
    """``was`` is the status the person saw: a status someone else set since is not replaced."""
    status_in = parse(StatusIn, {"status": status})
    return _room_update(session, workshop_id, result_id, "status", status_in.status, was, actor)


def set_expectation_theme(session: Session, *, workshop_id: int, result_id: int, theme: str,
                          was: str, actor: str) -> ExpectedResult:
    """Expectations of different partners that say the same thing share a theme."""
    theme_in = parse(ThemeIn, {"theme": theme})
    return _room_update(session, workshop_id, result_id, "theme", theme_in.theme, was, actor)


def link_measure(session: Session, *, workshop_id: int, result_id: int, measure_id: int | None,
                 was: int | None, actor: str) -> ExpectedResult:
    """Say which measure will show whether this expectation is met (None: none yet)."""
    if measure_id is not None:
        _measure(session, workshop_id, measure_id)
    return _room_update(session, workshop_id, result_id, "measure_id", measure_id, was, actor)


def _room_update(session: Session, workshop_id: int, result_id: int, field: str, value: object,
                 was: object, actor: str) -> ExpectedResult:
    """Change one thing the room decides about an expectation, unless someone else changed that
    same thing since it was read. A change to another field of the row is no conflict."""
    row = session.exec(select(ExpectedResult).join(Partner)
                       .where(ExpectedResult.id == result_id,
                              Partner.workshop_id == workshop_id)).first()
    if row is None:
        raise Invalid({"form": _GONE})
    if getattr(row, field) != was:
        raise Conflict("Someone else changed this a moment ago, so nothing was overwritten.",
                       changes.snapshot(row))
    steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)
    return changes.update(session, row, {field: value}, actor=actor, workshop_id=workshop_id,
                          expected_version=row.version)


# --- measures ----------------------------------------------------------------------------------


def add_measure(session: Session, *, workshop_id: int, data: dict, actor: str,
                library_key: str | None = None) -> Measure:
    measure_in = parse(MeasureIn, data)
    _check_owner(session, workshop_id, measure_in.owner_partner_id)
    _raise_if_name_taken(session, workshop_id, measure_in.name)
    steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)
    return changes.create(session, Measure(workshop_id=workshop_id, library_key=library_key,
                                           **measure_in.model_dump()),
                          actor=actor, workshop_id=workshop_id)


def add_library_measure(session: Session, *, workshop_id: int, key: str, actor: str) -> Measure:
    """A measure from the library, with its definition, source, unit and range filled in."""
    entry = library.measures().get(key)
    if entry is None:
        raise Invalid({"library": "Please choose a measure from the library."})
    used = session.exec(select(Measure.id).where(Measure.workshop_id == workshop_id,
                                                 Measure.library_key == key)).first()
    if used is not None:
        raise Invalid({"library": "This workshop already has this measure."})
    data = entry.model_dump(include={"name", "definition", "data_source", "unit", "direction",
                                     "frequency", "plausible_min", "plausible_max"})
    return add_measure(session, workshop_id=workshop_id, data=data, actor=actor,
                       library_key=key)


def update_measure(session: Session, *, workshop_id: int, measure_id: int, data: dict,
                   expected_version: int, actor: str) -> Measure:
    """Save every field; an agreed measure must stay complete, or be un-agreed first."""
    measure_in = parse(MeasureIn, data)
    row = _measure(session, workshop_id, measure_id)
    _check_owner(session, workshop_id, measure_in.owner_partner_id)
    if measure_in.name.casefold() != row.name.casefold():
        _raise_if_name_taken(session, workshop_id, measure_in.name)
    missing = missing_for_agreement(measure_in, measure_in.pilot_start)
    if row.status == ItemStatus.AGREED and missing:
        raise Invalid({"form": "This measure is agreed, so it needs " + listed(missing)
                               + ". To leave that out, change its status first."})
    steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)
    return changes.update(session, row, measure_in.model_dump(), actor=actor,
                          workshop_id=workshop_id, expected_version=expected_version)


def delete_measure(session: Session, *, workshop_id: int, measure_id: int, actor: str) -> None:
    """Remove a measure; the expectations it served stay, no longer measured (the database sets
    their link to empty, and the audit event of the removal lists them, for an undo)."""
    row = _measure(session, workshop_id, measure_id)
    steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)
    changes.delete(session, row, actor=actor, workshop_id=workshop_id)


def set_measure_status(session: Session, *, workshop_id: int, measure_id: int,
                       status: ItemStatus | str, actor: str) -> Measure:
    """Agreed only when complete; the refusal says what is still missing."""
    status_in = parse(StatusIn, {"status": status})
    row = _measure(session, workshop_id, measure_id)
    missing = missing_for_agreement(row, row.pilot_start)
    if status_in.status == ItemStatus.AGREED and missing:
        raise Invalid({"status": "To agree this measure, first add " + listed(missing) + "."})
    steps.mark_started(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=actor)
    return changes.update(session, row, {"status": status_in.status}, actor=actor,
                          workshop_id=workshop_id)


def _check_owner(session: Session, workshop_id: int, partner_id: int | None) -> None:
    if partner_id is None:
        return
    partner = session.get(Partner, partner_id)
    if partner is None or partner.workshop_id != workshop_id:
        raise Invalid({"owner_partner_id": "Please choose one of this workshop's partners."})


def _raise_if_name_taken(session: Session, workshop_id: int, name: str) -> None:
    names = session.exec(select(Measure.name).where(Measure.workshop_id == workshop_id)).all()
    if name.casefold() in {other.casefold() for other in names}:
        raise Invalid({"name": "This workshop already has a measure with this name."})


# --- what the screen shows ---------------------------------------------------------------------


@dataclass
class ThemeGroup:
    """Expectations that say the same thing, across partners; ``grouped`` is False for the rest."""

    theme: str
    grouped: bool
    results: list[ExpectedResult] = field(default_factory=list)

    @property
    def partner_ids(self) -> list[int]:
        return list(dict.fromkeys(result.partner_id for result in self.results))

    def of_partner(self, partner_id: int) -> list[ExpectedResult]:
        return [result for result in self.results if result.partner_id == partner_id]


@dataclass
class MeasureView:
    measure: Measure
    missing: list[str]
    serves: list[ExpectedResult]  # empty until the step is revealed


@dataclass
class ExpectationsView:
    partners: list[Partner]
    revealed: bool
    results: dict[int, list[ExpectedResult]]  # by partner id; empty until revealed
    groups: list[ThemeGroup]
    measures: list[MeasureView]

    @property
    def partner_by_id(self) -> dict[int, Partner]:
        return {partner.id: partner for partner in self.partners}

    @property
    def unused_library_keys(self) -> list[str]:
        used = {view.measure.library_key for view in self.measures}
        return [key for key in library.measures() if key not in used]


@kept
def expectations_view(session: Session, workshop_id: int) -> ExpectationsView:
    """Everything the step's screen shows, from the rows the workshop's views share."""
    partners = list(workshop_partners(session, workshop_id))
    revealed = steps.is_revealed(session, workshop_id, Step.EXPECTATIONS)
    # Partners in their order; none before the reveal, when they are each partner's pre-work.
    rows = list(workshop_expected_results(session, workshop_id))
    results: dict[int, list[ExpectedResult]] = {}
    for row in rows:
        results.setdefault(row.partner_id, []).append(row)
    views = [MeasureView(measure=m, missing=missing_for_agreement(m, m.pilot_start),
                         serves=[row for row in rows if row.measure_id == m.id])
             for m in workshop_measures(session, workshop_id)]
    return ExpectationsView(partners=partners, revealed=revealed, results=results,
                            groups=group_by_theme(rows), measures=views)


def group_by_theme(results: list[ExpectedResult]) -> list[ThemeGroup]:
    """One group per theme, whatever its case or spacing; themes shared by the most partners
    first, then in the order they first appear; results without a theme last."""
    groups: dict[str, ThemeGroup] = {}
    for result in results:
        theme = " ".join(result.theme.split())
        group = groups.setdefault(theme.casefold(), ThemeGroup(theme=theme or NOT_GROUPED,
                                                               grouped=bool(theme)))
        group.results.append(result)
    loose = groups.pop("", None)
    ordered = sorted(groups.values(), key=lambda group: -len(group.partner_ids))
    return ordered + ([loose] if loose else [])


def _partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise Invalid({"form": "This partner was removed a moment ago."})
    return partner


def _own_result(session: Session, partner_id: int, result_id: int) -> ExpectedResult:
    """A partner's own expected result; another partner's is as good as not there."""
    row = session.exec(select(ExpectedResult).where(ExpectedResult.id == result_id,
                                                    ExpectedResult.partner_id == partner_id)
                       ).first()
    if row is None:
        raise Invalid({"form": _GONE})
    return row


def _measure(session: Session, workshop_id: int, measure_id: int) -> Measure:
    row = session.exec(select(Measure).where(Measure.id == measure_id,
                                             Measure.workshop_id == workshop_id)).first()
    if row is None:
        raise Invalid({"form": _GONE})
    return row
