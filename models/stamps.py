"""Which tables a statement reads or writes, and their change stamps (``TableStamp``).

A write transaction notes the tables its statements write to (``note_written`` listens to every
statement of a write connection); before it commits, ``replace`` gives those tables new stamps
in the same transaction. A deleted row takes with it the rows that cascade from it, so a delete
also replaces the stamps of the tables its foreign keys cascade to. Reads are told apart the
same way (``tables_in``): ``models.kept`` records which tables each kept view read.

Tables are found by name in the SQL text: every table a statement reads or writes is named in
it, and a name that only looks like one (none does today) would cost a view built again, never
a stale one. A statement that names no table, or changes the schema, counts as every table.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, Insert, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.schema import TableStamp

EVERY_TABLE = "*"
WRITE_OPTION = "concord_write"  # the execution option of a write session's connections
_TOUCHED = "concord_tables_written"  # in Connection.info during a write transaction
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENTS = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.DOTALL)
# Statements that change no rows: reads and transaction control. On a write connection every
# other statement counts as a write to the tables it names; one that may delete (a DELETE, or a
# WITH that may hold one) also to the tables its deletes cascade to; one that changes the
# schema, or that this list does not know (MERGE, COPY…), to every table.
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_CHANGE_NOTHING = TRANSACTION_CONTROL | {"SELECT", "SET", "SHOW", "PRAGMA", "EXPLAIN"}
_CHANGE_ROWS = frozenset({"INSERT", "UPDATE", "REPLACE"})
_MAY_DELETE = frozenset({"DELETE", "WITH"})
_cascades: dict[str, frozenset[str]] = {}
_upserts: dict[str, Insert] = {}
_app_tables: tuple[int, frozenset[str]] = (-1, frozenset())
_cascades_lock = threading.Lock()


def app_tables() -> frozenset[str]:
    """Every table of the app that has a stamp (all but the stamps' own). Asked for on every
    statement, so worked out again only when the models' tables change (they only grow)."""
    global _app_tables  # one tuple, replaced whole
    count, names = _app_tables
    tables = SQLModel.metadata.tables
    if count != len(tables):
        names = frozenset(tables) - {TableStamp.__tablename__}
        _app_tables = (len(tables), names)
    return names


def tables_in(statement: str) -> frozenset[str]:
    """The app's tables a statement names, or ``{EVERY_TABLE}`` if it names none."""
    found = app_tables().intersection(_WORD.findall(statement))
    return frozenset(found) if found else frozenset({EVERY_TABLE})


def verb(statement: str) -> str:
    """A statement's first word, upper case, after any leading comments ("" if none)."""
    text = statement.lstrip()
    if text.startswith(("--", "/*")):
        text = _COMMENTS.sub(" ", text)
    words = text.split(None, 1)
    return words[0].upper() if words else ""


def cascading_from(table: str) -> frozenset[str]:
    """``table`` and every table a delete from it reaches through ON DELETE CASCADE or SET NULL."""
    with _cascades_lock:
        if not _cascades:
            _cascades.update(_cascade_map())
    return _cascades.get(table, frozenset({table}))


def _cascade_map() -> dict[str, frozenset[str]]:
    children: dict[str, set[str]] = {}
    for child in SQLModel.metadata.tables.values():
        for key in child.foreign_keys:
            if key.ondelete and key.ondelete.upper() in ("CASCADE", "SET NULL"):
                children.setdefault(key.column.table.name, set()).add(child.name)
    reached = {}
    for start in SQLModel.metadata.tables:
        seen, todo = {start}, [start]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        reached[start] = frozenset(seen)
    return reached


def begin_write(connection: Connection) -> None:
    """A write transaction begins on ``connection``: nothing written yet."""
    connection.info[_TOUCHED] = set()


@event.listens_for(Engine, "before_cursor_execute")
def note_written(connection: Connection, _cursor, statement: str,  # noqa: ANN001
                 *_args: object) -> None:
    if not connection.get_execution_options().get(WRITE_OPTION):
        return
    tables = tables_written(statement)
    if tables:
        connection.info.setdefault(_TOUCHED, set()).update(tables)


def tables_written(statement: str) -> frozenset[str]:
    """The tables whose rows ``statement`` may change (``{EVERY_TABLE}`` for any of them)."""
    first = verb(statement)
    if first in _CHANGE_NOTHING or not first:
        return frozenset()
    if first in _CHANGE_ROWS:
        return tables_in(statement)
    if first in _MAY_DELETE:
        return frozenset().union(*(cascading_from(table) for table in tables_in(statement)))
    return frozenset({EVERY_TABLE})


def written(session: Session) -> set[str]:
    """The tables the write session's transaction has written to so far (after a flush)."""
    if not session.in_transaction():
        return set()
    return set(session.connection().info.get(_TOUCHED, ()))


def replace(session: Session, tables: Iterable[str]) -> None:
    """New stamps for ``tables`` (all of them for ``EVERY_TABLE``), in the session's transaction.
    A table with no stamp row yet (one a later migration added) gets one."""
    names = set(tables)
    if EVERY_TABLE in names:
        names = set(app_tables())
    names &= app_tables()
    if not names:
        return
    connection = session.connection()
    value = secrets.randbits(62)
    connection.execute(_upsert(connection.dialect.name),
                       [{"name": name, "value": value} for name in sorted(names)])


def _upsert(dialect: str) -> Insert:
    """The insert-or-update of one stamp, built once for each database (every save runs it)."""
    statement = _upserts.get(dialect)
    if statement is None:
        # Only these two are served (``models.db.make_engine``).
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = TableStamp.__table__
        inserted = insert(table)
        statement = _upserts[dialect] = inserted.on_conflict_do_update(
            index_elements=[table.c.name], set_={"value": inserted.excluded.value})
    return statement


def read(session: Session) -> dict[str, int]:
    """Every table's stamp as this session's snapshot sees it: one statement."""
    return dict(session.exec(select(TableStamp.name, TableStamp.value)).all())
