"""Every change to the data goes through here: a version check where two people can edit, and
an audit event with who, when, what, before and after."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, select

from models.schema import AuditEvent, Workshop
from models.validation import Conflict

Row = TypeVar("Row", bound=SQLModel)


def snapshot(row: SQLModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def audit(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None,
          workshop_id: int | None, before: dict | None = None, after: dict | None = None,
          undoes: int | None = None) -> None:
    session.add(AuditEvent(actor=actor, action=action, entity=entity, entity_id=entity_id,
                           workshop_id=workshop_id, before=before, after=after,
                           undoes_id=undoes))


def create(session: Session, row: Row, *, actor: str, workshop_id: int | None) -> Row:
    session.add(row)
    session.flush()
    audit(session, actor=actor, action="create", entity=type(row).__tablename__,
          entity_id=row.id, workshop_id=workshop_id, after=snapshot(row))
    return row


def update(session: Session, row: Row, values: dict[str, Any], *, actor: str,
           workshop_id: int | None, expected_version: int | None = None,
           undoes: int | None = None) -> Row:
    """Apply ``values`` to ``row``; with ``expected_version``, refuse if someone saved meanwhile.

    The version test is part of the UPDATE itself, so it holds even when two servers race.
    """
    table = type(row)
    before = snapshot(row)
    versioned = hasattr(row, "version")
    if versioned and expected_version is not None:
        changes = dict(values, version=expected_version + 1)
        columns = table.__table__.c
        result = session.execute(
            sql_update(table.__table__)
            .where(columns.id == row.id, columns.version == expected_version)
            .values(**changes)
        )
        if result.rowcount != 1:
            session.rollback()
            current = session.get(table, row.id)
            raise Conflict("Someone else saved this a moment ago, so nothing was overwritten. "
                           "Your changes are still in the form.",
                           snapshot(current) if current else None)
        # The row now holds exactly these values: give them to ``row`` as loaded, without a
        # second read and without marking it changed.
        for key, value in changes.items():
            set_committed_value(row, key, value)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        if versioned:
            row.version += 1
        session.add(row)
        session.flush()
    audit(session, actor=actor, action="undo" if undoes else "update",
          entity=table.__tablename__, entity_id=row.id, workshop_id=workshop_id, before=before,
          after=snapshot(row), undoes=undoes)
    return row


def delete(session: Session, row: SQLModel, *, actor: str, workshop_id: int | None,
           undoes: int | None = None) -> None:
    """Delete a row and, through the database's cascades, what belongs to it. The audit event
    keeps the row and everything the cascade removes, so an undo can put all of it back."""
    before = snapshot(row)
    if not isinstance(row, Workshop):  # a whole workshop is deleted on purpose, not undone
        before.update(belongings(session, row))
    audit(session, actor=actor, action="undo" if undoes else "delete",
          entity=type(row).__tablename__, entity_id=row.id, workshop_id=workshop_id,
          before=before, undoes=undoes)
    session.delete(row)
    session.flush()


# --- what a row takes with it when it goes --------------------------------------------------------

DEPENDENTS, UNLINKED = "__dependents__", "__unlinked__"


def model_of(table_name: str) -> type[SQLModel]:
    return _MODELS[table_name]


def belongings(session: Session, row: SQLModel) -> dict[str, list]:
    """The rows a delete of ``row`` removes by cascade (parents before children, each once), and
    the references to them that it sets to empty; nothing when there are none."""
    found: dict[tuple[str, int], dict] = {}
    unlinked: list[dict] = []
    pending = [row]
    while pending:
        parent = pending.pop()
        for child, column, ondelete in _REFERRERS.get(type(parent).__tablename__, ()):
            rows = session.exec(select(child).where(getattr(child, column) == parent.id)).all()
            for found_row in rows:
                key = (child.__tablename__, found_row.id)
                if ondelete == "CASCADE" and key not in found:
                    found[key] = snapshot(found_row)
                    pending.append(found_row)
                elif ondelete == "SET NULL":
                    unlinked.append({"entity": key[0], "id": key[1], "column": column,
                                     "value": parent.id})
    order = {table.name: i for i, table in enumerate(SQLModel.metadata.sorted_tables)}
    ordered = sorted(found.items(), key=lambda item: order[item[0][0]])
    dependents = [{"entity": entity, "row": data} for (entity, _), data in ordered]
    kept: dict[str, list] = {}
    if dependents:
        kept[DEPENDENTS] = dependents
    if unlinked:
        kept[UNLINKED] = [link for link in unlinked if (link["entity"], link["id"]) not in found]
    return kept


def _referrers() -> dict[str, list[tuple[type[SQLModel], str, str]]]:
    referrers: dict[str, list[tuple[type[SQLModel], str, str]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == AuditEvent.__tablename__:
            continue
        for key in table.foreign_keys:
            referrers.setdefault(key.column.table.name, []).append(
                (_MODELS[table.name], key.parent.name, (key.ondelete or "").upper()))
    return referrers


_MODELS: dict[str, type[SQLModel]] = {
    mapper.local_table.name: mapper.class_ for mapper in SQLModel._sa_registry.mappers}
_REFERRERS = _referrers()
