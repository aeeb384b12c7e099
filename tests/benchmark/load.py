"""The load test of performance issue 9: partner sessions saving pre-work at once on one server.

Each session speaks Streamlit's own websocket protocol, as the browser does. It connects to
``/_stcore/stream`` offering the ``streamlit`` subprotocol, asks for a run of its partner's link on
the mission pre-work page (a ``BackMsg`` with ``rerun_script``: the link in the query string, the
page by its URL path) and reads ``ForwardMsg``s until ``script_finished``. A save is the next run,
whose widget states carry the four text areas (the mission with new text) and a click of Save:
what the browser sends when someone types and clicks. Its time runs from sending that message to
the run's end. The form is drawn in a fragment (``ui.prework.partner_form``), so, as a browser
does, the save names that fragment, and the server reruns the form alone; the rest of the page
stays as the opening drew it. All sessions save at the same moment, round after round.

Targets, on a 2-core machine: no errors, no lost saves, a save's p95 at most 500 ms, and the
server at most 1.5 GB with 40 idle sessions connected.

    .venv/bin/python -m tests.benchmark.load [--sessions 40] [--saves 5]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import logging
import math
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from sqlmodel import Session, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from models.db import make_engine, writing
from models.palette import PARTNER_COLOURS
from models.prework import issue_link
from models.schema import LinkPurpose, Partner, PartnerKind
from models.setup import MAX_PARTNERS, create_workshop
from models.startup import prepare

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long load-test password"
ACTOR = "benchmark"
PAGE = "prework_mission"  # the URL path of pages/prework_mission.py
MISSION_KEY, SAVE_KEY = "mine_mission", "mission_save"
SAVED = "Saved at"
START_TIMEOUT = 60.0
RUN_TIMEOUT = 60.0
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
TARGET_P95_MS = 500.0
TARGET_IDLE_MIB = 1536.0
MiB = 1024 * 1024

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class LoadResult:
    sessions: int
    saves: int  # saves sent, each timed
    errors: int  # runs that failed: an error on the screen, no "Saved at", no answer
    lost: int  # saves acknowledged with "Saved at" that the database does not hold
    p50_ms: float
    p95_ms: float
    max_ms: float
    idle_rss_mib: float  # the server and its children, with the sessions connected and idle
    peak_rss_mib: float  # the server's high-water mark (VmHWM)

    def lines(self) -> list[str]:
        cores = len(os.sched_getaffinity(0))
        return [
            f"Load: {self.sessions} partner sessions saving pre-work at once on one server "
            f"({cores} cores here; targets are for 2)",
            _row("saves", f"{self.saves}"),
            _row("errors", f"{self.errors}", "0", self.errors == 0),
            _row("lost saves", f"{self.lost}", "0", self.lost == 0),
            _row("save p50", f"{self.p50_ms:.0f} ms"),
            _row("save p95", f"{self.p95_ms:.0f} ms", f"≤ {TARGET_P95_MS:.0f} ms",
                 self.p95_ms <= TARGET_P95_MS),
            _row("save max", f"{self.max_ms:.0f} ms"),
            _row(f"server RSS, {self.sessions} idle", f"{self.idle_rss_mib:.0f} MiB",
                 f"≤ {TARGET_IDLE_MIB:.0f} MiB (40 idle)", self.idle_rss_mib <= TARGET_IDLE_MIB),
            _row("server peak RSS", f"{self.peak_rss_mib:.0f} MiB"),
        ]


def _row(label: str, value: str, target: str = "", met: bool | None = None) -> str:
    verdict = "" if met is None else ("met" if met else "MISSED")
    return f"  {label:<24}{value:>10}   {target:<26}{verdict}".rstrip()


# --- the data: partners with their pre-work links ------------------------------------------------


@dataclass(frozen=True)
class PartnerLink:
    partner_id: int
    token: str


def seed_partners(db_path: Path, count: int) -> list[PartnerLink]:
    """A new database with workshops of 8 partners, enough for ``count``, and a pre-work link for
    each of the first ``count`` partners, made through the app's own functions."""
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        prepare(engine, facilitator_password=PASSWORD)
        links: list[PartnerLink] = []
        for number in range(math.ceil(count / MAX_PARTNERS)):
            with writing(engine) as session:
                links += _workshop_with_links(session, number, count - len(links))
        return links
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file


def _workshop_with_links(session: Session, number: int, wanted: int) -> list[PartnerLink]:
    kinds = list(PartnerKind)
    partners = [{"name": f"Partner {number + 1}.{i + 1}", "kind": kinds[i % len(kinds)],
                 "colour": colour} for i, colour in enumerate(PARTNER_COLOURS.values())]
    workshop = create_workshop(session, workshop={"name": f"Load workshop {number + 1}",
                                                  "held_on": date(2027, 3, 1)},
                               partners=partners[:MAX_PARTNERS], actor=ACTOR)
    rows = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                        .order_by(Partner.position)).all()
    return [PartnerLink(row.id, issue_link(session, workshop_id=workshop.id,
                                           purpose=LinkPurpose.PREWORK, partner_id=row.id,
                                           actor=ACTOR))
            for row in rows[:wanted]]


# --- the server ----------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def stream_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        """Whether ``/_stcore/health`` answers; before the server listens, it cannot."""
        health = f"{self.origin}/_stcore/health"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=1) as answer:
            return answer.status == 200
        return False

    def kill(self) -> None:
        """SIGKILL the server and everything it started."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(db_path: Path, log_path: Path) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port, healthy; killed at the end whatever happens."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(CONCORD_DB_PATH=str(db_path), CONCORD_FACILITATOR_PASSWORD=PASSWORD,
               PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, port, log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        server.kill()


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited while starting:\n{server.log_tail()}")
        if server.healthy():
            return
        time.sleep(0.1)
    raise RuntimeError(f"the server was not healthy within {START_TIMEOUT:.0f} s")


def server_memory_mib(pid: int) -> tuple[float, float]:
    """The resident memory of the server's process group now, and the server's own peak."""
    resident = sum(_status_kib(member, "VmRSS") for member in _group(pid))
    return resident * 1024 / MiB, _status_kib(pid, "VmHWM") * 1024 / MiB


def server_cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the server's process group has used so far."""
    ticks = 0
    for member in _group(pid):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            # the fields after the command's closing parenthesis; utime and stime are 14 and 15
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _group(pid: int) -> list[int]:
    """The server and every process it started: ``start_new_session`` made it their group."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # a process that ended meanwhile
                if os.getpgid(int(entry.name)) == pid:
                    members.append(int(entry.name))
    return members


def _status_kib(pid: int, name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    return 0


# --- one browser's worth of protocol -------------------------------------------------------------


@dataclass
class Run:
    """What one script run sent back, and what went wrong with it."""

    seconds: float = 0.0
    elements: list[Element] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)  # each element's fragment ("" if none)
    fragment: str = ""  # the fragment this run was asked to rerun alone; "" for the whole page
    page: str = ""
    page_hash: str = ""
    problems: list[str] = field(default_factory=list)

    def widget(self, key: str) -> Element | None:
        """The widget whose user key is ``key``: Streamlit ends such ids with ``-<key>``."""
        found = self._widget_at(key)
        return None if found is None else self.elements[found]

    def fragment_of(self, key: str) -> str:
        """The fragment the widget ``key`` was drawn in, "" if none: a browser reruns only that
        fragment when the widget is used."""
        found = self._widget_at(key)
        return "" if found is None else self.fragments[found]

    def _widget_at(self, key: str) -> int | None:
        for index, element in enumerate(self.elements):
            kind = element.WhichOneof("type")
            if kind and getattr(getattr(element, kind), "id", "").endswith(f"-{key}"):
                return index
        return None

    def keep_outside(self, earlier: Run, fragment: str) -> None:
        """A fragment's run redraws that fragment only: the browser keeps the rest of the page."""
        kept = [(e, f) for e, f in zip(earlier.elements, earlier.fragments, strict=True)
                if f != fragment]
        self.elements[:0] = [e for e, _ in kept]
        self.fragments[:0] = [f for _, f in kept]
        self.page = self.page or earlier.page

    def saved(self) -> bool:
        return any(e.WhichOneof("type") == "alert" and e.alert.format == e.alert.SUCCESS
                   and e.alert.body.startswith(SAVED) for e in self.elements)

    def check(self, *, save: bool) -> None:
        """Note what a person would see as wrong: an error, the wrong page, no "Saved at"."""
        for element in self.elements:
            kind = element.WhichOneof("type")
            if kind == "exception":
                self.problems.append(f"exception: {element.exception.message}")
            elif kind == "alert" and element.alert.format == element.alert.ERROR:
                self.problems.append(f"error shown: {element.alert.body}")
        if self.page != PAGE:
            self.problems.append(f"ran page {self.page!r}, not {PAGE!r}")
        if self.widget(MISSION_KEY) is None or self.widget(SAVE_KEY) is None:
            self.problems.append("the mission form is not on the page")
        if save and not self.saved():
            self.problems.append(f"no {SAVED!r} message after the save")


class PartnerSession:
    """One partner's browser tab on the mission pre-work page, opened from its private link."""

    def __init__(self, server: Server, link: PartnerLink) -> None:
        self.server = server
        self.link = link
        self.connection: ClientConnection | None = None
        self.last: Run | None = None

    async def open(self) -> Run:
        """Connect and render the page once, as a browser opening the link does."""
        try:
            self.connection = await connect(
                self.server.stream_url, subprotocols=["streamlit"], origin=self.server.origin,
                proxy=None, max_size=16 * MiB)
        except (OSError, TimeoutError, WebSocketException) as exc:
            return Run(problems=[f"could not connect: {exc!r}"])
        run = await self._run([], page_hash="")
        run.check(save=False)
        self.last = run
        return run

    async def save(self, text: str) -> Run:
        """Type ``text`` as the mission and click Save; the run that follows is the save."""
        if self.last is None or self.connection is None:
            return Run(problems=["the page was never opened"])
        mission, button = self.last.widget(MISSION_KEY), self.last.widget(SAVE_KEY)
        if mission is None or button is None:
            return Run(problems=["the mission form is not on the page"])
        states = [WidgetState(id=e.text_area.id,
                              string_value=e.text_area.value if e.text_area.set_value
                              else e.text_area.default)
                  for e in self.last.elements if e.WhichOneof("type") == "text_area"]
        for state in states:
            if state.id == mission.text_area.id:
                state.string_value = text
        states.append(WidgetState(id=button.button.id, trigger_value=True))
        fragment = self.last.fragment_of(SAVE_KEY)
        run = await self._run(states, page_hash=self.last.page_hash, fragment=fragment)
        if fragment:
            run.keep_outside(self.last, fragment)
        run.check(save=True)
        self.last = run
        return run

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def _run(self, states: list[WidgetState], *, page_hash: str,
                   fragment: str = "") -> Run:
        message = BackMsg()
        client = message.rerun_script
        client.query_string = urlencode({"link": self.link.token})
        client.page_script_hash = page_hash
        client.page_name = PAGE
        client.fragment_id = fragment
        client.widget_states.widgets.extend(states)
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        run = Run(fragment=fragment)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(RUN_TIMEOUT):
                await self.connection.send(message.SerializeToString())
                await self._read_until_finished(run, fragment=fragment)
        except TimeoutError:
            run.problems.append(f"no end of the run within {RUN_TIMEOUT:.0f} s")
        except WebSocketException as exc:
            run.problems.append(f"the connection failed: {exc!r}")
        run.seconds = time.perf_counter() - started
        return run

    async def _read_until_finished(self, run: Run, *, fragment: str) -> None:
        pages: dict[str, str] = {}
        while True:
            reply = ForwardMsg.FromString(await self.connection.recv(decode=False))
            kind = reply.WhichOneof("type")
            if kind == "new_session":  # a run starts: what came before was an earlier run's
                run.elements.clear()
                run.fragments.clear()
                run.page_hash = reply.new_session.page_script_hash
            elif kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                run.elements.append(reply.delta.new_element)
                run.fragments.append(reply.delta.fragment_id)
            elif kind == "navigation":
                pages = {p.page_script_hash: p.url_pathname for p in reply.navigation.app_pages}
                run.page_hash = reply.navigation.page_script_hash
            elif kind == "page_not_found":
                run.problems.append("the server did not find the page")
            elif kind == "script_finished" and reply.script_finished != EARLY_FOR_RERUN:
                if reply.script_finished != (FRAGMENT_FINISHED if fragment else FINISHED):
                    run.problems.append(f"the run ended with status {reply.script_finished}")
                run.page = pages.get(run.page_hash, "")  # a fragment's run names no page
                return


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Tally:
    saves: int = 0
    failed_runs: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: dict[int, list[str]] = field(default_factory=dict)  # texts by partner id
    idle_rss_mib: float = 0.0
    peak_rss_mib: float = 0.0
    server_cpu_s: float = 0.0  # the server's CPU time over the save rounds
    wall_s: float = 0.0  # the save rounds' time on the clock

    def note(self, session: PartnerSession, run: Run, what: str) -> None:
        if run.problems:
            self.failed_runs += 1
            log.warning("partner %s, %s: %s", session.link.partner_id, what,
                        "; ".join(run.problems))


def save_text(link: PartnerLink, number: int) -> str:
    return f"Partner {link.partner_id}, save {number}: {secrets.token_hex(8)}"


async def drive(server: Server, links: list[PartnerLink], saves_per_session: int) -> Tally:
    """Open every session, then let all of them save at once, ``saves_per_session`` rounds;
    the server's memory is read at the end, with every session still connected and idle."""
    tally = Tally()
    sessions = [PartnerSession(server, link) for link in links]
    try:
        opened = await asyncio.gather(*(session.open() for session in sessions))
        for session, run in zip(sessions, opened, strict=True):
            tally.note(session, run, "opening the page")
        ready = [session for session, run in zip(sessions, opened, strict=True)
                 if not run.problems]
        cpu, wall = server_cpu_seconds(server.process.pid), time.perf_counter()
        for number in range(1, saves_per_session + 1):
            texts = [save_text(session.link, number) for session in ready]
            runs = await asyncio.gather(*(session.save(text)
                                          for session, text in zip(ready, texts, strict=True)))
            for session, text, run in zip(ready, texts, runs, strict=True):
                tally.saves += 1
                tally.latencies_ms.append(run.seconds * 1000)
                tally.note(session, run, f"save {number}")
                if run.saved():
                    tally.acknowledged.setdefault(session.link.partner_id, []).append(text)
        tally.server_cpu_s = server_cpu_seconds(server.process.pid) - cpu
        tally.wall_s = time.perf_counter() - wall
        tally.idle_rss_mib, tally.peak_rss_mib = server_memory_mib(server.process.pid)
    finally:
        await asyncio.gather(*(session.close() for session in sessions),
                             return_exceptions=True)
    return tally


def lost_saves(db_path: Path, acknowledged: dict[int, list[str]]) -> int:
    """Acknowledged saves missing from the partner's mission history (its audit events), plus a
    last acknowledged save that is not what the partner's mission holds now."""
    lost = 0
    with contextlib.closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)) as db:
        for partner_id, texts in acknowledged.items():
            row = db.execute("SELECT id, mission FROM partnermission WHERE partner_id = ?",
                             (partner_id,)).fetchone()
            history = set() if row is None else {
                json.loads(after)["mission"] for (after,) in db.execute(
                    "SELECT after FROM auditevent WHERE entity = 'partnermission' "
                    "AND entity_id = ? AND after IS NOT NULL", (row[0],))}
            missing = [text for text in texts if text not in history]
            if texts[-1] not in missing and (row is None or row[1] != texts[-1]):
                missing.append(texts[-1])
            if missing:
                log.warning("partner %s: %d acknowledged saves lost", partner_id, len(missing))
            lost += len(missing)
    return lost


def run_in_own_loop(coroutine: Coroutine[object, object, T]) -> T:
    """``asyncio.run`` in a thread of its own: the calling thread may be running an event loop
    already (in the test suite, Playwright's synchronous API keeps one open for the session)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of them at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_load(sessions: int = 40, saves_per_session: int = 5) -> LoadResult:
    """Seed ``sessions`` partners, start the real server, and let every partner save its mission
    ``saves_per_session`` times, all at once; the figures of the run."""
    with tempfile.TemporaryDirectory(prefix="concord-load-") as folder:
        db_path = Path(folder) / "concord.db"
        links = seed_partners(db_path, sessions)
        with running_server(db_path, Path(folder) / "server.log") as server:
            tally = run_in_own_loop(drive(server, links, saves_per_session))
            lost = lost_saves(db_path, tally.acknowledged)
            if tally.failed_runs or lost:
                log.warning("the server's log ends with:\n%s", server.log_tail())
    log.info("The saves took %.1f s on the clock and %.1f s of the server's CPU (%.0f ms per "
             "save); load average of this machine now %.1f.", tally.wall_s, tally.server_cpu_s,
             1000 * tally.server_cpu_s / max(tally.saves, 1), os.getloadavg()[0])
    return LoadResult(
        sessions=sessions, saves=tally.saves, errors=tally.failed_runs, lost=lost,
        p50_ms=percentile(tally.latencies_ms, 0.50), p95_ms=percentile(tally.latencies_ms, 0.95),
        max_ms=max(tally.latencies_ms, default=math.nan), idle_rss_mib=tally.idle_rss_mib,
        peak_rss_mib=tally.peak_rss_mib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=40, help="partner sessions (40)")
    parser.add_argument("--saves", type=int, default=5, help="saves per session (5)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
    log.setLevel(logging.INFO)
    result = run_load(sessions=args.sessions, saves_per_session=args.saves)
    print("\n".join(result.lines()))
    # Timings depend on the machine and what else it runs; errors and lost saves never do.
    return 0 if result.errors == 0 and result.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
