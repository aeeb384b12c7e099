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
from collections.abc import Iterable

from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.schema import TableStamp

EVERY_TABLE = "*"
WRITE_OPTION = "concord_write"  # the execution option of a write session's connections
_TOUCHED = "concord_tables_written"  # in Connection.info during a write transaction
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")
_DDL = ("CREATE", "ALTER", "DROP", "TRUNCATE")
_cascades: dict[str, frozenset[str]] = {}


def _tables() -> frozenset[str]:
    return frozenset(SQLModel.metadata.tables) - {TableStamp.__tablename__}


def tables_in(statement: str) -> frozenset[str]:
    """The app's tables a statement names, or ``{EVERY_TABLE}`` if it names none."""
    found = _tables().intersection(_WORD.findall(statement))
    return frozenset(found) if found else frozenset({EVERY_TABLE})


def cascading_from(table: str) -> frozenset[str]:
    """``table`` and every table a delete from it reaches through ON DELETE CASCADE or SET NULL."""
    if not _cascades:
        children: dict[str, set[str]] = {}
        for child in SQLModel.metadata.tables.values():
            for key in child.foreign_keys:
                if key.ondelete and key.ondelete.upper() in ("CASCADE", "SET NULL"):
                    children.setdefault(key.column.table.name, set()).add(child.name)
        for start in SQLModel.metadata.tables:
            seen, todo = {start}, [start]
            while todo:
                for child in children.get(todo.pop(), ()):
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            _cascades[start] = frozenset(seen)
    return _cascades.get(table, frozenset({table}))


def begin_write(connection: Connection) -> None:
    """A write transaction begins on ``connection``: nothing written yet."""
    connection.info[_TOUCHED] = set()


@event.listens_for(Engine, "before_cursor_execute")
def note_written(connection: Connection, _cursor, statement: str,  # noqa: ANN001
                 *_args: object) -> None:
    if not connection.get_execution_options().get(WRITE_OPTION):
        return
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if verb in _DDL:
        connection.info.setdefault(_TOUCHED, set()).add(EVERY_TABLE)
    elif verb in _DML:
        tables = tables_in(statement)
        if verb == "DELETE":
            tables = frozenset().union(*(cascading_from(t) for t in tables))
        connection.info.setdefault(_TOUCHED, set()).update(tables)


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
        names = set(_tables())
    names &= _tables()
    if not names:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    value = secrets.randbits(62)
    statement = insert(TableStamp).values([{"name": name, "value": value}
                                           for name in sorted(names)])
    session.execute(statement.on_conflict_do_update(index_elements=[TableStamp.name],
                                                    set_={"value": statement.excluded.value}))


def read(session: Session) -> dict[str, int]:
    """Every table's stamp as this session's snapshot sees it: one statement."""
    return dict(session.exec(select(TableStamp.name, TableStamp.value)).all())
