"""models/db.py keeps the promise the writes rely on, on SQLite and on PostgreSQL alike: one
writer at a time, each seeing everything the writers before it committed, while readers go on
reading; and several app servers may start on one new database at the same moment.

The races run on every backend. How PostgreSQL keeps the promise (an advisory lock, isolation
levels) is checked on PostgreSQL alone, as the SQLite settings are in test_schema.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import func, select

from models import db, mission, setup
from models.db import (
    MIGRATION_LOCK,
    ROOT,
    WRITE_LOCK,
    WriteQueueTimeout,
    make_engine,
    reading,
    writing,
)
from models.schema import FacilitatorAccount, MissionDraft, Partner, PartnerMission, Workshop
from models.validation import Conflict
from tests.conftest import app_settings

THREADS = 16
WAIT_TIMEOUT = 20.0


@pytest.fixture
def workshop(engine: Engine) -> tuple[int, int]:
    """A workshop and its first partner, with nothing else."""
    with writing(engine) as session:
        row = setup.create_workshop(
            session, actor="test", workshop={"name": "Queue Partnership",
                                             "held_on": date(2027, 3, 1)},
            partners=[{"name": "Queue BH", "kind": "behavioral_health", "colour": "#0072B2"},
                      {"name": "Queue PC", "kind": "primary_care", "colour": "#E69F00"}])
        partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == row.id)
                                  .order_by(Partner.position)).first()
        return row.id, partner_id


def all_at_once(work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(n)`` in THREADS threads released together; what they raised."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait(timeout=10)
            work(number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return errors


# --- on every backend ----------------------------------------------------------------------------


def test_first_saves_of_one_row_at_once_create_it_once_and_refuse_the_rest(engine, workshop):
    _, partner_id = workshop

    def first_save(number: int) -> None:
        with writing(engine) as session:
            mission.save_partner_mission(session, partner_id=partner_id,
                                         data={"mission": f"mission {number}"},
                                         expected_version=None, actor="test")

    errors = all_at_once(first_save)

    # "Written meanwhile", never a duplicate row or a database error.
    assert [type(error) for error in errors] == [Conflict] * (THREADS - 1)
    with reading(engine) as session:
        rows = session.exec(select(PartnerMission)).all()
    assert len(rows) == 1
    assert rows[0].version == 1


def test_drafts_added_at_once_are_numbered_one_after_another(engine, workshop):
    """Each new draft's number is the highest so far plus one: a read, then a write."""
    workshop_id, _ = workshop
    per_thread = 3

    def add_drafts(number: int) -> None:
        for attempt in range(per_thread):
            with writing(engine) as session:
                mission.add_draft(session, workshop_id=workshop_id, actor="test",
                                  data={"text": f"Draft {number}-{attempt}"})

    errors = all_at_once(add_drafts)

    assert errors == []
    with reading(engine) as session:
        numbers = session.exec(select(MissionDraft.number).order_by(MissionDraft.number)).all()
    assert numbers == list(range(1, THREADS * per_thread + 1))


# --- writers of one process queue in it --------------------------------------------------------


@pytest.mark.only_on("sqlite", reason="SQLite's busy handler is what the queue spares")
def test_writers_of_one_process_queue_in_it_and_never_find_the_file_locked(engine, workshop):
    """With SQLite's busy timeout at zero, a writer that found the file locked would fail at
    once; the writers of one process wait their turn before they begin, so none does."""
    workshop_id, _ = workshop
    impatient = make_engine(str(engine.url))
    event.listen(impatient, "connect",
                 lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))

    def add_draft(number: int) -> None:
        with writing(impatient) as session:
            mission.add_draft(session, workshop_id=workshop_id, actor="test",
                              data={"text": f"Draft {number}"})

    try:
        errors = all_at_once(add_draft)
    finally:
        impatient.dispose()

    assert errors == []
    with reading(engine) as session:
        assert session.exec(select(func.count(MissionDraft.id))).one() == THREADS


def test_a_write_that_waits_too_long_for_the_one_before_fails_and_the_queue_goes_on(
        engine, workshop, monkeypatch):
    workshop_id, _ = workshop
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writing(engine) as session:
            mission.add_draft(session, workshop_id=workshop_id, actor="test",
                              data={"text": "Held"})
            holding.set()
            assert release.wait(timeout=WAIT_TIMEOUT)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=WAIT_TIMEOUT)
        with pytest.raises(WriteQueueTimeout, match="held the database"), \
                writing(engine) as session:
            mission.add_draft(session, workshop_id=workshop_id, actor="test",
                              data={"text": "Too late"})
    finally:
        release.set()
        holder.join(timeout=WAIT_TIMEOUT)

    with pytest.raises(ValueError), writing(engine) as session:  # an error releases the queue
        raise ValueError("a failed save")
    with writing(engine) as session:
        mission.add_draft(session, workshop_id=workshop_id, actor="test", data={"text": "Next"})
    with reading(engine) as session:
        texts = session.exec(select(MissionDraft.text).order_by(MissionDraft.number)).all()
    assert texts == ["Held", "Next"]


# --- how PostgreSQL does it ----------------------------------------------------------------------


def advisory_waiters(engine: Engine, key: int) -> int:
    """How many sessions wait for the advisory lock ``key`` now."""
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND (classid::bigint << 32) + objid::bigint = :key"), {"key": key}).scalar_one()


def wait_for_waiters(engine: Engine, key: int, count: int) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT
    while advisory_waiters(engine, key) < count:
        assert time.monotonic() < deadline, f"{count} sessions never queued on lock {key}"
        time.sleep(0.02)


@pytest.mark.only_on("postgresql", reason="how PostgreSQL stands in for BEGIN IMMEDIATE")
def test_postgresql_write_sessions_hold_the_write_lock_and_reads_see_one_snapshot(engine):
    held = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid()")
    with writing(engine) as session:
        write = (session.execute(text("SHOW transaction_isolation")).scalar_one(),
                 session.execute(text(held)).scalar_one(),
                 session.execute(text("SHOW lock_timeout")).scalar_one())
    with reading(engine) as session:
        read = (session.execute(text("SHOW transaction_isolation")).scalar_one(),
                session.execute(text(held)).scalar_one())

    assert write == ("read committed", 1, "10s")
    assert read == ("repeatable read", 0)


@pytest.mark.only_on("postgresql", reason="watches PostgreSQL's own lock table")
def test_postgresql_writer_waits_for_the_one_before_it_while_readers_go_on(engine, workshop):
    """Two app servers' writers: each has its own engine, so they queue on the advisory lock."""
    workshop_id, _ = workshop
    first_wrote, release = threading.Event(), threading.Event()
    numbers: list[int] = []
    other_server = make_engine(engine.url.render_as_string(hide_password=False))

    def add_draft(text_: str, hold: bool) -> None:
        with writing(engine if hold else other_server) as session:
            draft = mission.add_draft(session, workshop_id=workshop_id, actor="test",
                                      data={"text": text_})
            numbers.append(draft.number)
            if hold:
                first_wrote.set()
                assert release.wait(timeout=WAIT_TIMEOUT)

    first = threading.Thread(target=add_draft, args=("First", True))
    second = threading.Thread(target=add_draft, args=("Second", False))
    first.start()
    try:
        assert first_wrote.wait(timeout=WAIT_TIMEOUT)
        second.start()
        wait_for_waiters(engine, WRITE_LOCK, 1)
        with reading(engine) as session:  # not held up, and sees nothing uncommitted
            drafts = session.exec(select(func.count(MissionDraft.id))).one()
        assert drafts == 0
        assert numbers == [1]
    finally:
        release.set()
        first.join(timeout=WAIT_TIMEOUT)
        if second.ident is not None:  # it was started
            second.join(timeout=WAIT_TIMEOUT)
        other_server.dispose()

    assert numbers == [1, 2]  # the second saw the first's draft once it had the lock


STARTER = """
from models.db import database_url, make_engine
from models.startup import prepare

prepare(make_engine(database_url()), facilitator_password="a long test password")
"""


@pytest.mark.only_on("postgresql", reason="several servers share only a PostgreSQL database")
def test_servers_starting_at_once_on_a_new_database_migrate_it_once(backend, tmp_path):
    """Three app servers start together: the first migrates, the others wait and find the
    schema current; the demo and the first facilitator are made once."""
    database = backend.new(tmp_path)
    engine = make_engine(database)
    env = {**os.environ, **app_settings(database), "PYTHONPATH": str(ROOT)}
    try:
        with engine.connect() as gate, gate.begin():
            # Hold the migration lock so that all three reach it before any goes on.
            gate.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            starters = [subprocess.Popen([sys.executable, "-c", STARTER], cwd=ROOT, env=env,
                                         stderr=subprocess.PIPE, text=True)
                        for _ in range(3)]
            wait_for_waiters(engine, MIGRATION_LOCK, 3)
        errors = [starter.communicate(timeout=60)[1] for starter in starters]

        assert [starter.returncode for starter in starters] == [0, 0, 0], errors
        with reading(engine) as session:
            demos = session.exec(select(func.count(Workshop.id)).where(Workshop.is_demo)).one()
            accounts = session.exec(select(func.count(FacilitatorAccount.id))).one()
        assert (demos, accounts) == (1, 1)
    finally:
        engine.dispose()
        backend.drop(database)
