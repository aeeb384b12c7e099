"""Views of a workshop kept between reruns for as long as the tables they read are unchanged.

Streamlit runs a page's whole script after every click, also after clicks that change nothing
in the database: opening a section, choosing another topic, turning projector mode on. At the
size of a state-wide program a view such as the summary or the package deals reads and
recomputes thousands of rows, so each of those clicks would cost the room seconds.

Every table has a change stamp in the database, and a write transaction replaces the stamps of
the tables it writes to, in that same transaction (``models.db.writing``, ``models.stamps``). A
view decorated with ``@kept`` is stored with the stamps, as its read transaction saw them, of
the tables it read: the tables its own statements name and those of the kept views it used. It
is used again while a later read sees the same stamps for those tables, so a save of a rating
rebuilds what reads ratings and leaves the measures, the milestones and the rest as they were.
The stamps are read with one statement per rerun (``one_stamp_per_rerun``; per read session
outside one). Because they live in the database, a save through another app server on the same
database is seen on the next rerun of every server; a stamp is a fresh random number, never a
count, so a stamp once replaced never comes back. Views are kept per database (its URL), and a
database is restored with the servers stopped (docs/deploy.md), which forgets what they kept.

A view is built in a session of its own on the caller's connection (the same snapshot), with
nothing loaded yet, so every row it uses is read by a statement and its table noted: a row the
caller had already loaded cannot slip in unnoticed.

What may be kept: only functions whose result is the same for everyone allowed to call them
with the same arguments (facilitator and leadership views). A partner's own pre-work and
anything that depends on who is looking are never decorated. Kept values are shared between
sessions, so callers must not change them; they are read-only views.

Inside a write session nothing is kept or reused: a write reads its own uncommitted rows.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import stamps
from models.clock import utcnow
from models.db import WRITE_SESSION

P = ParamSpec("P")
T = TypeVar("T")
MAX_VIEWS = 256  # the least recently used go first; the largest views are a few MiB each
_STAMPS = "concord_table_stamps"  # in Session.info: the stamps this session has seen
_lock = threading.Lock()


@dataclass(frozen=True)
class _View:
    value: Any
    read: tuple[tuple[str, int | None], ...]  # each table it read, with its stamp then

    def still_right(self, now: dict[str, int]) -> bool:
        return all(now.get(table) == stamp for table, stamp in self.read)


@dataclass
class _Building:
    """A view being built: the stamps its snapshot saw, and the tables it has read so far."""

    stamps: dict[str, int]
    tables: set[str] = field(default_factory=set)


_views: OrderedDict[tuple, _View] = OrderedDict()
# The stamps read during this rerun, by database; None outside a rerun.
_this_rerun: ContextVar[dict[str, dict[str, int]] | None] = ContextVar("concord_stamps",
                                                                       default=None)
_building: ContextVar[_Building | None] = ContextVar("concord_building", default=None)


@contextmanager
def one_stamp_per_rerun() -> Iterator[None]:
    """Read the stamps once for the whole rerun, not once per read session. Rows read later in
    the rerun can only be newer than the stamps, never older, so a view is never kept under a
    stamp newer than its rows; a write during the rerun forgets the stamps read."""
    token = _this_rerun.set({})
    try:
        yield
    finally:
        _this_rerun.reset(token)


@event.listens_for(Session, "after_commit")
def _forget_stamps_after_a_write(session: Session) -> None:
    seen = _this_rerun.get()
    if seen and session.info.get(WRITE_SESSION):
        seen.clear()


@event.listens_for(Session, "after_transaction_end")
def _forget_session_stamps(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:  # the session's next transaction may see newer rows
        session.info.pop(_STAMPS, None)


@event.listens_for(Engine, "before_cursor_execute")
def _note_tables_read(_connection: Connection, _cursor, statement: str,  # noqa: ANN001
                      *_args: object) -> None:
    building = _building.get()
    if building is not None and stamps.verb(statement) not in stamps.TRANSACTION_CONTROL:
        building.tables.update(stamps.tables_in(statement))


def table_stamps(session: Session) -> dict[str, int]:
    """The tables' stamps this read session sees; read once per rerun, or per transaction.

    A session that has read nothing yet in a transaction takes the rerun's stamps: the rows
    it reads next are at least as new. One already in a transaction keeps the stamps it took
    for it, or reads them in its own snapshot (one opened before the rerun's were read, say);
    at the transaction's end it forgets them."""
    seen = session.info.get(_STAMPS) if session.in_transaction() else None
    if seen is None:
        this_rerun = _this_rerun.get() if not session.in_transaction() else None
        database = str(session.get_bind().engine.url)
        seen = this_rerun.get(database) if this_rerun is not None else None
        if seen is None:
            seen = stamps.read(session)
            if this_rerun is not None:
                this_rerun[database] = seen
        session.info[_STAMPS] = seen
    return seen


def kept(function: Callable[P, T]) -> Callable[P, T]:
    """Keep ``function(session, *args)``'s result until a table it read is written to."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        session = args[0]
        assert isinstance(session, Session)
        if session.info.get(WRITE_SESSION):
            return function(*args, **kwargs)
        # The day is part of the key: a view that says "overdue" or "in 3 days" is built anew
        # each day even when nothing was written.
        key = (str(session.get_bind().engine.url), utcnow().date(), function.__module__,
               function.__qualname__, args[1:], tuple(sorted(kwargs.items())))
        outer = _building.get()
        now = outer.stamps if outer is not None else table_stamps(session)
        with _lock:
            view = _views.get(key)
            if view is not None and view.still_right(now):
                _views.move_to_end(key)
            else:
                view = None
        if view is None:
            view = _build(function, session, now, args[1:], kwargs)
            with _lock:
                _views[key] = view
                _views.move_to_end(key)
                while len(_views) > MAX_VIEWS:
                    _views.popitem(last=False)
        if outer is not None:  # what this view read, the view that uses it read too
            outer.tables.update(table for table, _ in view.read)
        return view.value

    wrapper.uncached = function  # type: ignore[attr-defined]
    return wrapper


def _build(function: Callable[..., Any], session: Session, now: dict[str, int],
           args: tuple, kwargs: dict) -> _View:
    connection = session.connection()  # its BEGIN, if any, before the reads are noted
    building = _Building(now)
    token = _building.set(building)
    try:
        with Session(bind=connection, expire_on_commit=False) as own:
            value = function(own, *args, **kwargs)
    finally:
        _building.reset(token)
    tables = building.tables
    if stamps.EVERY_TABLE in tables:  # every table, also one with no stamp row yet
        tables = stamps.app_tables()
    return _View(value, tuple((table, now.get(table)) for table in sorted(tables)))


def forget() -> None:
    """Drop every kept view (for tests that compare a kept view with a fresh one)."""
    with _lock:
        _views.clear()
