"""Where the data lives: the engine, its settings, sessions, and migrations on start.

One engine per process (the app caches it); one short session per unit of work. Writes happen
one at a time and reads never wait for them, on either database:

- SQLite (the embedded default): the file runs in WAL mode so readers never wait for a writer,
  and a write session takes the write lock up front (``BEGIN IMMEDIATE``) so two writers queue
  instead of failing half-way.
- PostgreSQL (several app servers, one database): a write session takes one transaction-level
  advisory lock first, which does for every server what ``BEGIN IMMEDIATE`` does for one file
  (see ``_begin_postgresql_transaction``); everything else reads a consistent snapshot, as a
  SQLite read transaction does.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlmodel import Session

from models import stamps
from models.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "concord.db"
BUSY_TIMEOUT_MS = 10_000
# The keys of PostgreSQL's advisory locks: any two numbers no other program on the database uses.
WRITE_LOCK = 0x436F6E636F7264  # "Concord" in ASCII
MIGRATION_LOCK = WRITE_LOCK + 1
WRITE_SESSION = "concord_write"  # in Session.info of a write session


class WriteQueueTimeout(RuntimeError):
    """A write waited longer than the busy timeout for the writes before it."""


_write_queues: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_write_queues_lock = threading.Lock()


def _write_queue(engine: Engine) -> threading.Lock:
    """The lock this process's writes on ``engine`` take one after the other.

    The database serializes writers on its own (``BEGIN IMMEDIATE``, the advisory lock), but a
    SQLite writer that finds the file locked sleeps and polls, for up to 100 ms between tries,
    so forty partners saving at once waited mostly for nothing. Queued here, the next writer of
    this process starts the moment the one before it commits; writers in other processes still
    queue in the database as before."""
    with _write_queues_lock:
        queue = _write_queues.get(engine)
        if queue is None:
            queue = _write_queues[engine] = threading.Lock()
        return queue


def database_url() -> str:
    """``DATABASE_URL`` if set, else the SQLite file at ``CONCORD_DB_PATH`` or ./data/concord.db."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    path = Path(os.environ.get("CONCORD_DB_PATH", "") or DEFAULT_SQLITE_PATH).expanduser()
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql"):
        return _postgresql_engine(url)
    if not url.startswith("sqlite"):
        # Writes one at a time and the change stamps are written for these two only.
        scheme = url.split(":", 1)[0]
        raise ValueError(f"Concord runs on SQLite or PostgreSQL; DATABASE_URL names "
                         f"{scheme!r}. Use postgresql+psycopg://… or leave it unset for the "
                         f"SQLite file.")
    database = url.split("///", 1)[-1]
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:  # noqa: ANN001
    # Let SQLAlchemy's "begin" event decide how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(stamps.WRITE_OPTION, False)
    if immediate:
        stamps.begin_write(connection)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgresql_engine(url: str) -> Engine:
    # Every transaction sees one snapshot taken at its first statement, as on SQLite; a write
    # session changes that for itself when it begins (below).
    engine = create_engine(url, pool_pre_ping=True, isolation_level="REPEATABLE READ")
    event.listen(engine, "connect", _configure_postgresql_connection)
    event.listen(engine, "begin", _begin_postgresql_transaction)
    return engine


def _configure_postgresql_connection(dbapi_connection, _record) -> None:  # noqa: ANN001
    # Waiting for a lock gives up after the same time as SQLite's busy timeout, with an error
    # the page shows calmly, rather than hanging the page for good.
    dbapi_connection.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.commit()


def _begin_postgresql_transaction(connection: Connection) -> None:
    """Make a write session's transaction what ``BEGIN IMMEDIATE`` makes it on SQLite.

    The app relies on one writer at a time: a save reads, checks and then writes (a version
    that still matches, a counter-offer that was not there when the form was read, the next
    draft's number, a row made on the first save that must exist once). Row locks and version
    columns do not cover all of those when two sessions save at once, on one app server or on
    several, so each write transaction first takes one advisory lock, held until it commits or
    rolls back: writers from every server queue on it, readers never touch it. The transaction
    reads committed data, so once it holds the lock each statement sees everything the writers
    before it committed (a snapshot taken before the wait would not).
    """
    if connection.get_execution_options().get(stamps.WRITE_OPTION, False):
        stamps.begin_write(connection)
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        connection.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads; it never takes the write lock."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on any error.

    The change stamps of the tables it wrote to are replaced in the same transaction, so views
    kept from earlier reads of those tables (``models.kept``) are built again on every app
    server after the write, and only those.

    Writes of this process wait their turn in ``_write_queue`` before they begin; one that waits
    longer than the database's busy timeout fails as a locked database would."""
    queue = _write_queue(engine)
    if not queue.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
        raise WriteQueueTimeout(f"another save held the database for over "
                                f"{BUSY_TIMEOUT_MS // 1000} s")
    try:
        with Session(engine.execution_options(**{stamps.WRITE_OPTION: True}),
                     expire_on_commit=False) as session:
            session.info[WRITE_SESSION] = True
            try:
                yield session
                session.flush()  # so that every table written to is known
                stamps.replace(session, stamps.written(session))
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        queue.release()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, script_location: Path | None = None) -> Path | None:
    """Bring the database to the newest schema; run on every start, a no-op when current.

    Before it changes an existing SQLite file, a copy of the file is kept beside it (see
    ``backup_sqlite``); the copy's path is returned, None when nothing needed migrating.
    """
    config = alembic_config(engine)
    if script_location is not None:
        config.set_main_option("script_location", str(script_location))
    backup = None
    with _one_migration_at_a_time(engine):
        current, head = _revisions(engine, config)
        if engine.dialect.name == "sqlite" and current is not None and current != head:
            backup = backup_sqlite(engine, f"before-{current}-to-{head}")
        command.upgrade(config, "head")
    if current != head:
        # A migration may change any table's rows without a write session: every view kept
        # by a server still running on this database is built again.
        with writing(engine) as session:
            stamps.replace(session, {stamps.EVERY_TABLE})
    return backup


@contextmanager
def _one_migration_at_a_time(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, app servers starting together migrate one after the other: the first
    upgrades, the others then find the schema current. (Two at once would both create the
    same tables.) The lock is the transaction's, so it goes with the connection if the server
    dies; it waits as long as the first server's migration takes."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        yield


def _revisions(engine: Engine, config: Config) -> tuple[str | None, str | None]:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, ScriptDirectory.from_config(config).get_current_head()


def backup_sqlite(engine: Engine, label: str) -> Path:
    """A consistent copy of the SQLite file next to it, made with SQLite's online backup (safe
    while the app has the file open in WAL mode). Restoring is copying it back: see README."""
    source_path = Path(engine.url.database)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    target = source_path.with_name(f"{source_path.name}.{label}.{stamp}.bak")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target
