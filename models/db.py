"""Where the data lives: the engine, its SQLite settings, sessions, and migrations on start.

One engine per process (the app caches it); one short session per unit of work. On SQLite the
file runs in WAL mode so readers never wait for a writer, and a write session takes the write
lock up front (``BEGIN IMMEDIATE``) so two writers queue instead of failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from models.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "concord.db"
BUSY_TIMEOUT_MS = 10_000


def database_url() -> str:
    """``DATABASE_URL`` if set, else the SQLite file at ``CONCORD_DB_PATH`` or ./data/concord.db."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    path = Path(os.environ.get("CONCORD_DB_PATH", "") or DEFAULT_SQLITE_PATH).expanduser()
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
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


def _begin_sqlite_transaction(connection) -> None:  # noqa: ANN001
    immediate = connection.get_execution_options().get("concord_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads; it never takes the write lock."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on any error."""
    with Session(engine.execution_options(concord_write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


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
    current, head = _revisions(engine, config)
    if engine.dialect.name == "sqlite" and current is not None and current != head:
        backup = backup_sqlite(engine, f"before-{current}-to-{head}")
    command.upgrade(config, "head")
    return backup


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
