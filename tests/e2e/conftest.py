"""Fixtures for tests against the real server: ``streamlit run app.py`` on a free port and a
database of the test's backend, ready once ``/_stcore/health`` answers, and killed when the test
ends, whatever happened; and Debian's Chromium, driven by Playwright, for the tests that use the
app the way people do."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine

from tests.conftest import app_settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
START_TIMEOUT = 30.0
# Playwright's own browser download does not work on our machines: CI installs Debian's.
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CONCORD_ARTIFACTS") or ROOT / "test-artifacts")
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def get(self, path: str, timeout: float = 5.0) -> int:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            response.read()
            return response.status

    def kill(self) -> None:
        """SIGKILL the server and everything it started: no shutdown, no clean-up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_environment(database: str, *, password: str | None = PASSWORD,
                    settings: dict[str, str] | None = None) -> dict[str, str]:
    """The app's environment on the database at the URL ``database``, plus any other
    ``settings``; without ``password`` the first start asks for one."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "CONCORD_DB_PATH", "CONCORD_FACILITATOR_PASSWORD")}
    env.update(app_settings(database), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    if password is not None:
        env["CONCORD_FACILITATOR_PASSWORD"] = password
    env.update(settings or {})
    return env


def start_server(database: str, log_path: Path, *, password: str | None = PASSWORD,
                 settings: dict[str, str] | None = None) -> Server:
    """``streamlit run app.py`` on a free port and the database at the URL ``database``,
    healthy; the caller kills it."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=app_environment(database, password=password, settings=settings),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_healthy(server)
    except BaseException:
        server.kill()
        raise
    return server


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start the app on a database (its URL, and any other settings for its environment);
    every server started is killed at the end."""
    started: list[Server] = []

    def start(database: str, settings: dict[str, str] | None = None) -> Server:
        server = start_server(database, tmp_path / f"server-{len(started)}.log",
                              settings=settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "the server exited while starting"
        with contextlib.suppress(OSError):  # not listening yet: ask again shortly
            if server.get("/_stcore/health", timeout=1) == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"{server.url} was not healthy within {START_TIMEOUT:.0f} s")


def read_rows(database: str, sql: str, *args: object) -> list[tuple]:
    """What the database at the URL ``database`` holds now, read through a connection of the
    test's own (``?`` marks each argument), as the app wrote it."""
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            if connection.dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            return [tuple(row) for row in connection.exec_driver_sql(sql, args).all()]
    finally:
        engine.dispose()


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing, it is a failure, never a skip: CI installs it, and a
    browser test that quietly does not run would be a check that cannot fail."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; install it with "
                    "`apt-get install chromium` (.ci/run does this on a fresh machine).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def artifact_folder(*parts: str) -> Path:
    """A folder under ``CONCORD_ARTIFACTS`` (default ``test-artifacts/``), created if need be."""
    folder = ARTIFACTS.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fresh_artifact_folder(*parts: str) -> Path:
    """The same, emptied first, so what it holds is from this run only."""
    shutil.rmtree(ARTIFACTS.joinpath(*parts), ignore_errors=True)
    return artifact_folder(*parts)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Keep each phase's report on the test, so a fixture can tell whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(REPORTS, {})
    return any(report.failed for report in reports.values())
