"""Page reruns measured with Streamlit's AppTest: the real app.py and page, the real database.

A rerun is what happens after every click in the room: the whole script runs again. Each page
is warmed up once, then run again ``reruns`` times; the SQL statements of each rerun are counted
on the app's own engine (transaction control, BEGIN and COMMIT, is not counted).

Three kinds of rerun are measured. After a click that changed nothing in the database, the
page reuses the views it kept (``models.kept``). After a save, here or in another window, the
views that read a table the save wrote to are read and built again:
``measure(..., change=saved_elsewhere(engine, tables))`` writes to those tables before each
rerun, outside the timing, for each of the saves made in the room (``SAVES``). And with every
view built again (``built_from_nothing``), as on a newly started server.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, event, func, select
from sqlmodel import SQLModel
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from models.db import writing
from models.kept import forget
from tests.pages.conftest import ROOT
from ui.navigation import screens_for
from ui.sections import PAGES

EMPTY_PAGE = "import streamlit as st\n\nst.write('')\n"
TIMEOUT = 120


@dataclass(frozen=True)
class PageRun:
    page: str
    role: str
    median_ms: float
    p95_ms: float
    statements: int  # per rerun (all reruns issue the same number, else the maximum)
    peak_mib: float  # Python allocations during one rerun, at their highest
    exception: bool

    def ratio(self, empty: PageRun) -> float:
        return self.median_ms / empty.median_ms


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@contextmanager
def counting(engine: type[Engine] | Engine = Engine) -> Iterator[list[str]]:
    """The SQL statements issued meanwhile, by every engine unless one is named."""
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def navigation_as_served() -> Iterator[None]:
    """Every rerun starts at app.py, as on a running server (see tests/pages/conftest.py)."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        PagesManager.__init__ = original  # type: ignore[method-assign]


def measure(app: AppTest, page: str, role: str, reruns: int, *,
            change: Callable[[], None] | None = None, memory_reruns: int = 3) -> PageRun:
    """Time ``reruns`` reruns of an AppTest already on its page, then take peak memory over
    ``memory_reruns`` more. Tracing every allocation slows Python code two to four times, so
    the timed reruns run without it. ``change``, if given, runs before every rerun, untimed."""
    before = change or (lambda: None)
    times: list[float] = []
    counts: list[int] = []
    for _ in range(reruns):
        before()
        gc.collect()
        with counting() as seen:
            start = time.perf_counter()
            app.run()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(seen))
    peaks: list[float] = [0.0]
    for _ in range(memory_reruns):
        before()
        gc.collect()
        tracemalloc.start()
        app.run()
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return PageRun(page, role, statistics.median(times), p95(times), max(counts), max(peaks),
                   bool(app.exception))


def measure_side_by_side(apps: dict[int, AppTest], page: str, role: str, reruns: int,
                         before: dict[int, Callable[[], None]]) -> dict[int, PageRun]:
    """Time the same page on several workshops, their reruns taking turns: each round runs
    every workshop's page once (``before[key]`` first, untimed). A machine that speeds up or
    slows down meanwhile does so for every workshop alike, so the ratios between them hold."""
    times: dict[int, list[float]] = {key: [] for key in apps}
    counts: dict[int, list[int]] = {key: [] for key in apps}
    for _ in range(reruns):
        for key, app in apps.items():
            before[key]()
            gc.collect()
            with counting() as seen:
                start = time.perf_counter()
                app.run()
                times[key].append((time.perf_counter() - start) * 1000)
            counts[key].append(len(seen))
    return {key: PageRun(page, role, statistics.median(times[key]), p95(times[key]),
                         max(counts[key]), 0.0, bool(app.exception))
            for key, app in apps.items()}


# Saves made in the room, by the tables each writes (as the app's own saves wrote them over the
# page tests; every save also adds to the audit trail).
SAVES: dict[str, tuple[str, ...]] = {
    "a rating": ("rating", "auditevent"),
    "a counter-offer": ("proposal", "rulecheck", "auditevent"),
    "a partner's round position": ("roundposition", "auditevent"),
    "a topic agreed": ("agreement", "agreementshare", "stepstate", "auditevent"),
    "a fixed rule": ("fixedconstraint", "rulecheck", "stance", "auditevent"),
    "a partner's pre-work position": ("stance", "preworkprogress", "auditevent"),
    "a partner's pre-work mission": ("partnermission", "preworkprogress", "auditevent"),
    "a mission draft": ("missiondraft", "stepstate", "auditevent"),
    "an expected result": ("expectedresult", "auditevent"),
    "a measure recalibrated": ("measure", "recalibration", "auditevent"),
    "a milestone": ("milestone", "stepstate", "auditevent"),
    "a month of capacity": ("capacitycommitment", "auditevent"),
    "an early win or log entry": ("earlywin", "logentry", "stepstate", "auditevent"),
    "a check-in reading": ("measurereading", "auditevent"),
    "a check-in recorded": ("checkin", "measurereading", "milestonereport", "capacityactual",
                            "recalibration", "auditevent"),
    "a step revealed": ("stepstate", "workshop", "auditevent"),
    "a topic edited": ("topic", "auditevent"),
    "a partner renamed": ("partner", "auditevent"),
    "a sign-off": ("signoff", "auditevent"),
}


def saved_elsewhere(engine: Engine, tables: tuple[str, ...]) -> Callable[[], None]:
    """A save in another window that writes to ``tables``: one row of each is written (its
    first column set to itself), so each table's change stamp is replaced, as the real save
    replaces them; every view kept from those tables is built again at the next rerun."""
    def change() -> None:
        with writing(engine) as session:
            for name in tables:
                table = SQLModel.metadata.tables[name]
                key = next(iter(table.primary_key.columns))
                column = next(c for c in table.columns if not c.primary_key)
                first = select(func.min(key)).scalar_subquery()
                session.execute(table.update().where(key == first).values({column: column}))
    return change


def built_from_nothing() -> None:
    """Every kept view forgotten: the page builds them all, as on a newly started server."""
    forget()


def empty_page(reruns: int) -> PageRun:
    app = AppTest.from_string(EMPTY_PAGE, default_timeout=TIMEOUT)
    app.run()
    times = []
    for _ in range(reruns):
        gc.collect()  # as before every page's rerun
        start = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - start) * 1000)
    return PageRun("(empty page)", "-", statistics.median(times), p95(times), 0, 0.0, False)


@dataclass(frozen=True)
class Screen:
    """A page as measured: as it opens, or with its sections built on demand open."""

    label: str
    path: str
    opened: tuple[str, ...] = ()  # the keys of the sections open (ui.sections)


def screens(kind: str) -> list[Screen]:
    """Every page of a role, and once more with its on-demand sections open, if it has any."""
    return [screen for page in screens_for(kind)  # type: ignore[arg-type]
            for screen in (Screen(page.path, page.path),
                           *([Screen(f"{page.path}, opened", page.path, PAGES[page.path])]
                             if page.path in PAGES else []))]


def open_page(page: str, setup: Callable[[AppTest], None],
              opened: tuple[str, ...] = ()) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    setup(app)
    for key in opened:
        app.session_state[key] = True
    app.run()
    app.switch_page(page).run()  # and its first run: caches warm, as in a workshop under way
    return app
