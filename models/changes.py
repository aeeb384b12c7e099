"""Every change to the data goes through here: a version check where two people can edit, and
an audit event with who, when, what, before and after."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import update as sql_update
from sqlmodel import Session, SQLModel

from models.schema import AuditEvent
from models.validation import Conflict

Row = TypeVar("Row", bound=SQLModel)


def snapshot(row: SQLModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def audit(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None,
          workshop_id: int | None, before: dict | None = None, after: dict | None = None) -> None:
    session.add(AuditEvent(actor=actor, action=action, entity=entity, entity_id=entity_id,
                           workshop_id=workshop_id, before=before, after=after))


def create(session: Session, row: Row, *, actor: str, workshop_id: int | None) -> Row:
    session.add(row)
    session.flush()
    audit(session, actor=actor, action="create", entity=type(row).__tablename__,
          entity_id=row.id, workshop_id=workshop_id, after=snapshot(row))
    return row


def update(session: Session, row: Row, values: dict[str, Any], *, actor: str,
           workshop_id: int | None, expected_version: int | None = None) -> Row:
    """Apply ``values`` to ``row``; with ``expected_version``, refuse if someone saved meanwhile.

    The version test is part of the UPDATE itself, so it holds even when two servers race.
    """
    table = type(row)
    before = snapshot(row)
    versioned = hasattr(row, "version")
    if versioned and expected_version is not None:
        changes = dict(values, version=expected_version + 1)
        result = session.execute(
            sql_update(table).where(table.id == row.id, table.version == expected_version)
            .values(**changes)
        )
        if result.rowcount != 1:
            session.rollback()
            current = session.get(table, row.id)
            raise Conflict("Someone else saved this a moment ago, so nothing was overwritten. "
                           "Your changes are still in the form.",
                           snapshot(current) if current else None)
        session.refresh(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        if versioned:
            row.version += 1
        session.add(row)
        session.flush()
    audit(session, actor=actor, action="update", entity=table.__tablename__, entity_id=row.id,
          workshop_id=workshop_id, before=before, after=snapshot(row))
    return row


def delete(session: Session, row: SQLModel, *, actor: str, workshop_id: int | None) -> None:
    audit(session, actor=actor, action="delete", entity=type(row).__tablename__,
          entity_id=row.id, workshop_id=workshop_id, before=snapshot(row))
    session.delete(row)
    session.flush()
