"""Fixtures for tests against the real server: ``streamlit run app.py`` on a free port, ready
once ``/_stcore/health`` answers, and killed when the test ends, whatever happened."""

from __future__ import annotations

import contextlib
import os
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

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
START_TIMEOUT = 30.0


@dataclass
class Server:
    process: subprocess.Popen
    url: str

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


def app_environment(db_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(CONCORD_DB_PATH=str(db_path), CONCORD_FACILITATOR_PASSWORD=PASSWORD,
               PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], Server]]:
    """Start the app on a database file; every server started is killed at the end."""
    started: list[Server] = []

    def start(db_path: Path) -> Server:
        port = free_port()
        log = (tmp_path / f"server-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=app_environment(db_path), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        server = Server(process, f"http://127.0.0.1:{port}")
        started.append(server)
        wait_until_healthy(server)
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
