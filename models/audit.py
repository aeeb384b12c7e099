"""A workshop's audit trail as the facilitator reads it, and undo.

Every change is an ``AuditEvent`` with the row before and after (``models.changes``). The trail
puts them in words; it never shows what the room may not see: a partner's private limit is
"private", pre-work of a step not yet revealed is "shown once the step is revealed", and hashes
are left out. Undo puts the row back as it was before the change, and is itself an event, so an
undo can be undone too. It is refused, with the reason, when the row has changed again since,
when the change was already undone, or when the change is not the facilitator's to undo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, func, select

from models import changes, setup, steps
from models.changes import DEPENDENTS, UNLINKED, model_of, snapshot
from models.clock import utcnow
from models.schema import AuditEvent, Partner, Step, Workshop
from models.validation import Invalid

PAGE_SIZE = 50

# What each kind of row is called, and the field that names one.
NOUNS: dict[str, str] = {
    "workshop": "Workshop", "partner": "Partner", "participant": "Person",
    "stepstate": "Step", "preworkprogress": "Pre-work progress",
    "partnermission": "Partner's mission", "missiondraft": "Mission draft",
    "measure": "Measure", "expectedresult": "Expected result", "topic": "Topic",
    "stance": "Position", "fixedconstraint": "Fixed rule", "proposal": "Proposal",
    "rulecheck": "Rule confirmation", "roundposition": "Counter-offer", "rating": "Rating",
    "agreement": "Outcome", "agreementshare": "What a partner gave and gained",
    "milestone": "Milestone", "capacitycommitment": "Capacity", "earlywin": "Early win",
    "logentry": "Log entry", "checkin": "Check-in", "measurereading": "Measure reading",
    "milestonereport": "Milestone report", "capacityactual": "Hours given",
    "recalibration": "Recalibration",
    "signoff": "Leadership decision", "accesslink": "Private link",
    "facilitatoraccount": "Facilitator account", "appsetting": "Setting",
}
_NAMING_FIELDS = ("title", "name", "text", "step", "mission", "value_text", "username",
                  "subject", "held_on")
ACTIONS = {"create": "added", "update": "changed", "delete": "removed", "undo": "undid"}

# Never shown in the trail: bookkeeping, and secrets (even hashed ones).
_QUIET = {"id", "version", "updated_at", "created_at", "recorded_at", "workshop_id",
          "password_hash", "token_hash", DEPENDENTS, UNLINKED}
_PRIVATE_LIMIT = {"accept_min", "accept_max", "acceptable_options"}
# A partner's pre-work, hidden from the room until its step is revealed.
PREWORK_STEP: dict[str, Step] = {
    "partnermission": Step.MISSION, "expectedresult": Step.EXPECTATIONS,
    "stance": Step.SOLUTIONS, "fixedconstraint": Step.SOLUTIONS,
    "capacitycommitment": Step.PACING,
}
_OF_A_PARTNER = {*PREWORK_STEP, "roundposition", "rating", "agreementshare", "participant",
                 "preworkprogress"}
NOT_UNDONE_HERE: dict[str, str] = {
    "signoff": "A leader's decision is theirs; it is not undone here.",
    "accesslink": "Private links are replaced or revoked on Set-up.",
    "facilitatoraccount": "Accounts are managed on the Facilitators page.",
    "workshop": "",  # only its creation; see _why_not
}
_RULE_FIELDS = {"rule_min_support", "rule_block_from", "ratings_by"}


@dataclass(frozen=True)
class TrailEntry:
    id: int
    at: datetime
    actor: str
    action: str  # create | update | delete | undo
    verb: str  # added | changed | removed | undid
    what: str  # e.g. Milestone “Pilot starts”
    lines: tuple[str, ...]  # field by field, in words
    hidden: str  # why some of it is not shown, or ""
    undone_by: int | None
    why_not: str  # why it cannot be undone, or "" when it can


@dataclass(frozen=True)
class Trail:
    entries: list[TrailEntry]
    total: int  # how many changes match, of which ``entries`` are the newest


def trail(session: Session, workshop_id: int, *, actor: str | None = None,
          entity: str | None = None, limit: int = PAGE_SIZE) -> Trail:
    """The newest ``limit`` changes of the workshop, newest first, in a fixed number of queries."""
    where = [AuditEvent.workshop_id == workshop_id]
    if actor:
        where.append(AuditEvent.actor == actor)
    if entity:
        where.append(AuditEvent.entity == entity)
    events = session.exec(select(AuditEvent).where(*where)
                          .order_by(col(AuditEvent.id).desc()).limit(limit)).all()
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    ids = [event.id for event in events]
    undone = dict(session.exec(select(AuditEvent.undoes_id, AuditEvent.id)
                               .where(col(AuditEvent.undoes_id).in_(ids))).all()) if ids else {}
    context = _Context.read(session, workshop_id)
    return Trail([_entry(event, undone.get(event.id), context) for event in events], total)


def filters(session: Session, workshop_id: int) -> tuple[list[str], list[str]]:
    """Who has changed something in the workshop, and which kinds of record were changed."""
    actors = session.exec(select(AuditEvent.actor).where(AuditEvent.workshop_id == workshop_id)
                          .distinct().order_by(AuditEvent.actor)).all()
    entities = session.exec(select(AuditEvent.entity)
                            .where(AuditEvent.workshop_id == workshop_id)
                            .distinct().order_by(AuditEvent.entity)).all()
    return list(actors), list(entities)


@dataclass(frozen=True)
class _Context:
    partners: dict[int, str]
    revealed: set[Step]

    @classmethod
    def read(cls, session: Session, workshop_id: int) -> _Context:
        partners = dict(session.exec(select(Partner.id, Partner.name)
                                     .where(Partner.workshop_id == workshop_id)).all())
        return cls(partners, steps.revealed_steps(session, workshop_id))


def _entry(event: AuditEvent, undone_by: int | None, context: _Context) -> TrailEntry:
    before, after = event.before or {}, event.after or {}
    hidden = _hidden(event.entity, before, after, context)
    lines: tuple[str, ...] = ()
    if not hidden.startswith("Pre-work"):
        lines = tuple(_lines(event, before, after, context))
    return TrailEntry(id=event.id, at=event.at, actor=event.actor, action=event.action,
                      verb=ACTIONS.get(event.action, event.action),
                      what=_what(event.entity, after or before, hidden, context), lines=lines,
                      hidden=hidden, undone_by=undone_by,
                      why_not=_why_not(event, undone_by, context))


def _hidden(entity: str, before: dict, after: dict, context: _Context) -> str:
    step = PREWORK_STEP.get(entity)
    if step is not None and step not in context.revealed:
        return "Pre-work: shown once its step is revealed."
    if entity == "stance" and (before.get("limit_private") or after.get("limit_private")):
        return "The partner's limits are private."
    return ""


def _what(entity: str, row: dict, hidden: str, context: _Context) -> str:
    noun = NOUNS.get(entity, entity)
    partner_id = row.get("partner_id")
    partner = context.partners.get(partner_id) if isinstance(partner_id, int) else None
    if partner and entity in _OF_A_PARTNER:
        noun = f"{noun} of {partner}"
    if hidden.startswith("Pre-work"):
        return noun
    for field in _NAMING_FIELDS:
        value = row.get(field)
        if isinstance(value, str) and value.strip():
            words = " ".join(value.split())
            return f"{noun} “{words[:60]}{'…' if len(words) > 60 else ''}”"
    return noun


def _lines(event: AuditEvent, before: dict, after: dict, context: _Context) -> Iterable[str]:
    columns = model_of(event.entity).model_fields if event.entity in NOUNS else {}
    fields = [key for key in (*columns, *before, *after) if key not in _QUIET]
    fields = list(dict.fromkeys(fields))
    private = event.entity == "stance" and bool(before.get("limit_private")
                                                or after.get("limit_private"))
    for field in fields:
        old, new = before.get(field), after.get(field)
        if event.before is not None and event.after is not None and old == new:
            continue
        if field.endswith("_id") and "partner" not in field:
            continue  # a reference by number says nothing to the room
        label = field.removesuffix("_id").replace("_", " ").capitalize()
        if private and field in _PRIVATE_LIMIT:
            yield f"{label}: private"
            continue
        say = (lambda value: _partner_words(value, context)) if "partner" in field else _words
        if event.before is None:
            yield f"{label}: {say(new)}"
        elif event.after is None:
            yield f"{label} was: {say(old)}"
        else:
            yield f"{label}: {say(old)} → {say(new)}"
    dependents = len(before.get(DEPENDENTS, ()))
    if dependents:
        yield (f"With it went {dependents} record{'s' if dependents > 1 else ''} that "
               "belonged to it.")


def _words(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:120] + "…"


def _partner_words(value: Any, context: _Context) -> str:
    return context.partners.get(value, "(empty)") if value is not None else "(empty)"


def _why_not(event: AuditEvent, undone_by: int | None, context: _Context) -> str:
    if undone_by is not None:
        return "Already undone."
    if event.entity in NOT_UNDONE_HERE and (event.entity != "workshop" or event.before is None
                                            or event.after is None):
        return NOT_UNDONE_HERE[event.entity] or "A workshop is created or deleted on Set-up."
    step = PREWORK_STEP.get(event.entity)
    if step is not None and step not in context.revealed:
        return "A partner's pre-work can be undone once its step is revealed."
    if event.entity not in NOUNS:
        return "This kind of change is not undone here."
    return ""


# --- undo ----------------------------------------------------------------------------------------

CHANGED_SINCE = ("This has changed again since, so undoing it would lose the later change. "
                 "Undo the later change first.")
GONE = "What this changed no longer exists."


def undo(session: Session, *, workshop_id: int, event_id: int, actor: str) -> AuditEvent:
    """Put back what the change replaced: remove what it added, restore what it removed, set back
    what it changed. Recorded as an ``undo`` event pointing at the change."""
    event = session.get(AuditEvent, event_id)
    if event is None or event.workshop_id != workshop_id:
        raise Invalid({"form": "This change is not in this workshop's trail."})
    undone_by = session.exec(select(AuditEvent.id)
                             .where(AuditEvent.undoes_id == event_id)).first()
    reason = _why_not(event, undone_by, _Context.read(session, workshop_id))
    if reason:
        raise Invalid({"form": reason})
    table = model_of(event.entity)
    try:
        if event.before is None:
            row = _unchanged_since(session, table, event)
            changes.delete(session, row, actor=actor, workshop_id=workshop_id, undoes=event.id)
        elif event.after is None:
            restored = _restore(session, event.before, event.entity)
            changes.audit(session, actor=actor, action="undo", entity=event.entity,
                          entity_id=restored.id, workshop_id=workshop_id,
                          after=snapshot(restored), undoes=event.id)
        else:
            row = _unchanged_since(session, table, event)
            values = {field: value for field, value in _typed(table, event.before).items()
                      if field not in ("id", "version") and getattr(row, field) != value}
            _check_rule_lock(session, event, values)
            if hasattr(row, "updated_at"):
                values["updated_at"] = utcnow()
            changes.update(session, row, values, actor=actor, workshop_id=workshop_id,
                           expected_version=getattr(row, "version", None), undoes=event.id)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Invalid({"form": "This cannot be put back as it was: something it belongs to was "
                               "removed, or something new now has its name."}) from None
    return session.exec(select(AuditEvent).where(AuditEvent.undoes_id == event.id)).one()


def _unchanged_since(session: Session, table: type[SQLModel], event: AuditEvent) -> SQLModel:
    row = session.get(table, event.entity_id)
    if row is None:
        raise Invalid({"form": GONE})
    if _comparable(snapshot(row)) != _comparable(event.after or {}):
        raise Invalid({"form": CHANGED_SINCE})
    return row


def _comparable(row: dict) -> dict:
    return {key: value for key, value in row.items()
            if key not in ("version", "updated_at", DEPENDENTS, UNLINKED)}


def _typed(table: type[SQLModel], data: dict) -> dict[str, Any]:
    """A snapshot (JSON) back as the row's Python values: dates, enums, datetimes."""
    plain = {key: value for key, value in data.items() if key not in (DEPENDENTS, UNLINKED)}
    row = table.model_validate(plain)
    return {key: getattr(row, key) for key in plain}


def _restore(session: Session, before: dict, entity: str) -> SQLModel:
    """Insert the removed row and what went with it, parents first; a row whose id was taken
    meanwhile gets a new one, and the rows that belonged to it follow it."""
    new_ids: dict[tuple[str, int], int] = {}
    top = _insert(session, entity, before, new_ids)
    for dependent in before.get(DEPENDENTS, ()):
        _insert(session, dependent["entity"], dependent["row"], new_ids)
    for link in before.get(UNLINKED, ()):
        row = session.get(model_of(link["entity"]), link["id"])
        if row is not None and getattr(row, link["column"]) is None:
            setattr(row, link["column"], new_ids.get((entity, link["value"]), link["value"]))
            session.add(row)
    return top


def _insert(session: Session, entity: str, data: dict,
            new_ids: dict[tuple[str, int], int]) -> SQLModel:
    table = model_of(entity)
    values = _typed(table, data)
    for column in table.__table__.columns:
        for key in column.foreign_keys:
            target = (key.column.table.name, values.get(column.name))
            if target in new_ids:
                values[column.name] = new_ids[target]
    old_id = values.get("id")
    if old_id is not None and session.get(table, old_id) is not None:
        values["id"] = None
    row = table(**values)
    session.add(row)
    session.flush()
    if old_id is not None and row.id != old_id:
        new_ids[(entity, old_id)] = row.id
    return row


def _check_rule_lock(session: Session, event: AuditEvent, values: dict) -> None:
    if event.entity != Workshop.__tablename__ or not _RULE_FIELDS & set(values):
        return
    if setup.count_ratings(session, event.workshop_id):
        raise Invalid({"form": "The decision rule is locked once the first rating is recorded, "
                               "so this change to it stays."})
