"""Views of a workshop kept between reruns for as long as nothing has been written.

Streamlit runs a page's whole script after every click, also after clicks that change nothing
in the database: opening a section, choosing another topic, turning projector mode on. At the
size of a state-wide program a view such as the summary or the package deals reads and
recomputes thousands of rows, so each of those clicks would cost the room seconds.

Every write transaction replaces one stamp in the database, in that same transaction
(``models.db.writing``). A view decorated with ``@kept`` is stored with the stamp its read
transaction saw, and used again while a later read sees the same stamp. Reading the stamp is
one primary-key lookup per rerun (``one_stamp_per_rerun``; per read session outside one).
Because the stamp lives in the database, a save
through another app server on the same database is seen on the next rerun of every server; a
stamp is a fresh random number, never a count, so a database restored from a backup cannot
bring back an old stamp with different rows.

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
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import event
from sqlmodel import Session, select

from models.clock import utcnow
from models.db import WRITE_SESSION
from models.schema import ChangeStamp

P = ParamSpec("P")
T = TypeVar("T")
MAX_VIEWS = 256  # the least recently used go first; the largest views are a few MiB each
_STAMP = "concord_change_stamp"
_lock = threading.Lock()
_views: OrderedDict[tuple, tuple[int, Any]] = OrderedDict()


# The stamps read during this rerun, by database; None outside a rerun.
_this_rerun: ContextVar[dict[str, int] | None] = ContextVar("concord_stamps", default=None)


@contextmanager
def one_stamp_per_rerun() -> Iterator[None]:
    """Read the change stamp once for the whole rerun, not once per read session. Rows read
    later in the rerun can only be newer than the stamp, never older, so a view is never kept
    under a stamp newer than its rows; a write during the rerun forgets the stamp read."""
    token = _this_rerun.set({})
    try:
        yield
    finally:
        _this_rerun.reset(token)


@event.listens_for(Session, "after_commit")
def _forget_stamp_after_a_write(session: Session) -> None:
    stamps = _this_rerun.get()
    if stamps and session.info.get(WRITE_SESSION):
        stamps.clear()


def stamp(session: Session) -> int:
    """The change stamp this read session sees; read once per rerun, or per session."""
    seen = session.info.get(_STAMP)
    if seen is None:
        # The rerun's stamp may serve only a session that has read nothing yet, whose rows
        # will be at least as new. A session already reading (one opened before the stamp was
        # read, say) reads the stamp in its own snapshot.
        stamps = _this_rerun.get() if not session.in_transaction() else None
        database = str(session.get_bind().url)
        seen = stamps.get(database) if stamps is not None else None
        if seen is None:
            seen = session.exec(select(ChangeStamp.value).where(ChangeStamp.id == 1)).one()
            if stamps is not None:
                stamps[database] = seen
        session.info[_STAMP] = seen
    return seen


def kept(function: Callable[P, T]) -> Callable[P, T]:
    """Keep ``function(session, *args)``'s result until the next write to the database."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        session = args[0]
        assert isinstance(session, Session)
        if session.info.get(WRITE_SESSION):
            return function(*args, **kwargs)
        # The day is part of the key: a view that says "overdue" or "in 3 days" is built anew
        # each day even when nothing was written.
        key = (str(session.get_bind().url), utcnow().date(), function.__module__,
               function.__qualname__, args[1:], tuple(sorted(kwargs.items())))
        current = stamp(session)
        with _lock:
            found = _views.get(key)
            if found is not None and found[0] == current:
                _views.move_to_end(key)
                return found[1]
        value = function(*args, **kwargs)
        with _lock:
            _views[key] = (current, value)
            _views.move_to_end(key)
            while len(_views) > MAX_VIEWS:
                _views.popitem(last=False)
        return value

    wrapper.uncached = function  # type: ignore[attr-defined]
    return wrapper


def forget() -> None:
    """Drop every kept view (for tests that compare a kept view with a fresh one)."""
    with _lock:
        _views.clear()
