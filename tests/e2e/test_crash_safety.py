"""A crashed server loses nothing that was saved: the real server runs on the database while a
burst of saves lands in it; both are killed with SIGKILL mid-burst; after a restart every
acknowledged save is there, whole, and the database is intact.

The saves come from a separate Python process that writes through models/ the way a page does
(one unit of work per save, ``writing``), and prints each token once its commit has returned.
On SQLite both processes share the file, as on a crashed laptop; on PostgreSQL they are two app
servers whose connections die mid-transaction, and the database server keeps running.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from models import pacing
from models.db import alembic_config, make_engine, reading, upgrade, writing
from models.schema import AuditEvent, Milestone, Workshop
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
# What each database says about its own health after the crash: empty lists when all is well.
INTEGRITY_CHECKS = {
    "sqlite": ["PRAGMA integrity_check", "PRAGMA foreign_key_check"],
    "postgresql": [
        # Every constraint still holds for every row, and every index is usable.
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace AND NOT convalidated",
        "SELECT indexrelid::regclass::text FROM pg_index JOIN pg_class ON pg_class.oid = indrelid "
        "WHERE relnamespace = 'public'::regnamespace AND NOT (indisvalid AND indisready)",
        # No transaction of the killed processes is left half-done, holding locks.
        "SELECT gid FROM pg_prepared_xacts",
    ],
}
HEALTHY = {"PRAGMA integrity_check": [("ok",)]}


class Writer:
    """The saving process, and the tokens it acknowledged, read as they arrive."""

    def __init__(self, database: str, workshop_id: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(workshop_id)], cwd=ROOT,
            env=app_environment(database), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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


def demo_workshop(database: str) -> int:
    """The database as the app leaves it on first start: migrated, with the demo partnership."""
    engine = make_engine(database)
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


def test_every_acknowledged_save_survives_sigkill(serve, backend, tmp_path):
    database = backend.new(tmp_path)
    workshop_id = demo_workshop(database)
    server = serve(database)
    writer = Writer(database, workshop_id)
    try:
        served = burst_while_serving(server, writer)
        server.kill()
    finally:
        acknowledged = writer.kill()
    assert served >= 4
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    restarted = serve(database)  # the same database, after the crash
    assert restarted.get("/") == 200

    engine = make_engine(database)
    try:
        with reading(engine) as session:
            saved = milestones(session, workshop_id)
            created = audited_creations(session, workshop_id)
            found = {check: [tuple(row) for row in session.exec(text(check)).all()]
                     for check in INTEGRITY_CHECKS[backend.name]}
        assert set(acknowledged) <= saved, sorted(set(acknowledged) - saved)[:5]
        # A save is whole or absent: its row and its audit event went in together, once.
        assert created == sorted(saved)
        assert found == {check: HEALTHY.get(check, []) for check in found}
        # Nothing the killed processes held still blocks the next save.
        with writing(engine) as session:
            pacing.add_milestone(session, workshop_id=workshop_id, actor="test",
                                 data={"title": "after the crash", "due_on": date(2027, 3, 1)})
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert current_revision(engine) == head
        upgrade(engine)  # a no-op on a database at head
        assert current_revision(engine) == head
    finally:
        engine.dispose()
        backend.drop(database)


def milestones(session: Session, workshop_id: int) -> set[str]:
    return set(session.exec(select(Milestone.title).where(Milestone.workshop_id == workshop_id,
                                                          Milestone.title.startswith("crash-")))
               .all())


def audited_creations(session: Session, workshop_id: int) -> list[str]:
    """The burst's milestones as the audit trail records their creation, one per event."""
    events = session.exec(select(AuditEvent.after).where(
        AuditEvent.workshop_id == workshop_id, AuditEvent.entity == "milestone",
        AuditEvent.action == "create")).all()
    return sorted(event["title"] for event in events if event["title"].startswith("crash-"))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
