"""A crashed laptop loses nothing that was saved: the real server runs on a SQLite file while a
burst of saves lands in it; both are killed with SIGKILL mid-burst; after a restart every
acknowledged save is there and the file is intact.

The saves come from a separate Python process that writes through models/ the way a page does
(one unit of work per save, ``writing``), and prints each token once its commit has returned.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import select

from models.db import alembic_config, make_engine, reading, upgrade, writing
from models.schema import Milestone, Workshop
from models.startup import prepare
from tests.e2e.conftest import PASSWORD, ROOT, Server, app_environment

pytestmark = pytest.mark.slow

WRITER = """
import sys
from datetime import date

from models import pacing
from models.db import database_url, make_engine, writing

engine = make_engine(database_url())
for n in range(100_000):
    token = f"crash-{n:06d}"
    with writing(engine) as session:
        pacing.add_milestone(session, workshop_id=int(sys.argv[1]), actor="writer",
                             data={"title": token, "due_on": date(2027, 3, 1)})
    print(token, flush=True)  # the commit returned: this save is acknowledged
"""
ACKNOWLEDGED_BEFORE_KILL = 60
BURST_TIMEOUT = 20.0


class Writer:
    """The saving process, and the tokens it acknowledged, read as they arrive."""

    def __init__(self, db_path: Path, workshop_id: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(workshop_id)], cwd=ROOT,
            env=app_environment(db_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1)
        self.acknowledged: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.acknowledged.append(line.strip())

    def kill(self) -> list[str]:
        """SIGKILL mid-burst; every token printed before the kill was acknowledged."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        return [token for token in self.acknowledged if token.startswith("crash-")]


def demo_workshop(db_path: Path) -> int:
    """The file as the app leaves it on first start: migrated, with the demo partnership."""
    engine = make_engine(f"sqlite:///{db_path}")
    prepare(engine, facilitator_password=PASSWORD)
    with writing(engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
    engine.dispose()
    return workshop_id


def burst_while_serving(server: Server, writer: Writer) -> int:
    """Serve page loads and health checks until enough saves were acknowledged; count them."""
    served = 0
    deadline = time.monotonic() + BURST_TIMEOUT
    while len(writer.acknowledged) < ACKNOWLEDGED_BEFORE_KILL or served < 4:
        assert time.monotonic() < deadline, "the burst did not get going"
        assert writer.process.poll() is None, writer.process.stderr.read()
        assert server.get("/" if served % 2 else "/_stcore/health") == 200
        served += 1
        time.sleep(0.05)
    return served


def test_every_acknowledged_save_survives_sigkill(serve, tmp_path):
    db_path = tmp_path / "crash.db"
    workshop_id = demo_workshop(db_path)
    server = serve(db_path)
    writer = Writer(db_path, workshop_id)
    try:
        served = burst_while_serving(server, writer)
        server.kill()
    finally:
        acknowledged = writer.kill()
    assert served >= 4
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    restarted = serve(db_path)  # the same file, after the crash
    assert restarted.get("/") == 200

    engine = make_engine(f"sqlite:///{db_path}")
    try:
        with reading(engine) as session:
            saved = set(session.exec(select(Milestone.title)
                                     .where(Milestone.workshop_id == workshop_id)).all())
            integrity = session.exec(text("PRAGMA integrity_check")).all()
        assert set(acknowledged) <= saved, sorted(set(acknowledged) - saved)[:5]
        assert integrity == [("ok",)]
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert current_revision(engine) == head
        upgrade(engine)  # a no-op on a file at head
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
