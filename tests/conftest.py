"""Fixtures every test shares: a fresh, migrated database per test, never the user's file.

The suite runs on SQLite, and also on PostgreSQL when ``CONCORD_TEST_POSTGRES_URL`` names a
database whose role may create databases (for example
``postgresql+psycopg://concord:concord@127.0.0.1:5432/concord``). Every test that uses a
database, through ``backend`` or a fixture built on it, then runs once per database, and its id
says which: ``test_…[sqlite]``, ``test_…[postgresql]``. A test that is about one database only
says so, with the reason: ``@pytest.mark.only_on("sqlite", reason="…")``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

import pytest
from sqlalchemy import Engine, create_engine, make_url
from sqlmodel import Session

from models.db import make_engine, upgrade, writing
from models.demo import load_demo_once
from models.kept import forget

T = TypeVar("T")
POSTGRES_URL = os.environ.get("CONCORD_TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


# --- the databases the suite runs on ------------------------------------------------------------


class Backend(ABC):
    """One kind of database: where a test's new databases come from, how one is copied, and how
    it goes away. Databases are named by their SQLAlchemy URL, as the app is given them."""

    name: ClassVar[str]

    def __init__(self, home: Path) -> None:
        self.home = home  # a folder of the session's own
        self._migrated: str | None = None

    @abstractmethod
    def new(self, folder: Path) -> str:
        """A new, empty database (its URL); ``folder`` is the test's own."""

    @abstractmethod
    def copy(self, url: str, folder: Path) -> str:
        """A new database holding what ``url`` holds; nobody may be connected to ``url``."""

    @abstractmethod
    def drop(self, url: str) -> None:
        """Remove the database, whoever is still connected to it."""

    @abstractmethod
    def close(self) -> None:
        """Remove whatever this session made and did not remove yet."""

    def migrated(self, folder: Path) -> str:
        """A new database at the newest schema: a copy of one migrated once per session, far
        faster than migrating for every test."""
        if self._migrated is None:
            url = self.new(self.home)
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()  # the last connection checkpoints SQLite's WAL into the file
            self._migrated = url
        return self.copy(self._migrated, folder)


class SQLiteBackend(Backend):
    """A file per database in the test's own folder; pytest removes the folders."""

    name = "sqlite"

    def new(self, folder: Path) -> str:
        return f"sqlite:///{_unused(folder)}"

    def copy(self, url: str, folder: Path) -> str:
        target = _unused(folder)
        shutil.copyfile(make_url(url).database, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        pass  # the file goes with the test's folder

    def close(self) -> None:
        pass  # and the session's template with the session's folder


def _unused(folder: Path) -> Path:
    """``concord.db`` in ``folder``, or ``concord-2.db`` and so on when a test needs several."""
    path, number = folder / "concord.db", 1
    while path.exists():
        number += 1
        path = folder / f"concord-{number}.db"
    return path


class PostgreSQLBackend(Backend):
    """A database per test on the server ``CONCORD_TEST_POSTGRES_URL`` names, created (from a
    template when it is a copy) and dropped through that URL's own database."""

    name = "postgresql"
    PREFIX = "concord_test_"

    def __init__(self, home: Path, url: str) -> None:
        super().__init__(home)
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.names = (f"{self.PREFIX}{os.getpid()}_{n}" for n in itertools.count(1))
        self.made: set[str] = set()
        self._drop_left_behind()

    def new(self, folder: Path) -> str:
        return self._create("")

    def copy(self, url: str, folder: Path) -> str:
        return self._create(f' TEMPLATE "{make_url(url).database}"')

    def drop(self, url: str) -> None:
        self._drop(make_url(url).database)

    def close(self) -> None:
        for name in sorted(self.made):
            self._drop(name)
        self.admin.dispose()

    def _create(self, template: str) -> str:
        name = next(self.names)
        self._run(f'CREATE DATABASE "{name}"{template}')
        self.made.add(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _drop(self, name: str) -> None:
        # The app under test may still hold connections in its cached engine: end them first.
        # (Not WITH (FORCE): that would also need the right to end autovacuum, which DROP
        # DATABASE stops by itself.)
        self._run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                  "AND usename = current_user AND pid <> pg_backend_pid()", name)
        self._run(f'DROP DATABASE IF EXISTS "{name}"')
        self.made.discard(name)

    def _drop_left_behind(self) -> None:
        """Drop the databases of earlier runs that were killed before they could."""
        with self.admin.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                (self.PREFIX,)).scalars().all()
        for name in names:
            pid = name.removeprefix(self.PREFIX).split("_")[0]
            if pid.isdigit() and not _running(int(pid)):
                self._drop(name)

    def _run(self, statement: str, *args: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement, args)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # somebody else's process, but running
    return True


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a database runs once per backend: SQLite always, PostgreSQL when
    ``CONCORD_TEST_POSTGRES_URL`` is set. ``only_on`` keeps a test to the backends it names;
    a test for PostgreSQL alone shows as skipped, with the reason, when there is none."""
    if "backend" not in metafunc.fixturenames:
        return
    names: list = BACKENDS
    marker = metafunc.definition.get_closest_marker("only_on")
    if marker is not None:
        if not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: only_on needs a reason=")
        names = [name for name in BACKENDS if name in marker.args]
        if not names:
            reason = (f"runs on {' and '.join(marker.args)} only ({marker.kwargs['reason']}); "
                      "set CONCORD_TEST_POSTGRES_URL to run it")
            names = [pytest.param(name, marks=pytest.mark.skip(reason=reason))
                     for name in marker.args]
    metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    home = tmp_path_factory.mktemp(request.param)
    chosen: Backend = (PostgreSQLBackend(home, POSTGRES_URL) if request.param == "postgresql"
                       else SQLiteBackend(home))
    yield chosen
    chosen.close()


@contextlib.contextmanager
def opened(backend: Backend, url: str) -> Iterator[Engine]:
    """An engine on the database ``url`` for the block; the database is dropped afterwards."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        backend.drop(url)


def app_settings(url: str) -> dict[str, str]:
    """The environment that makes the app open ``url``: a SQLite file's path, as people set it
    (``CONCORD_DB_PATH``), or any other database's URL (``DATABASE_URL``)."""
    if url.startswith("sqlite"):
        return {"CONCORD_DB_PATH": make_url(url).database}
    return {"DATABASE_URL": url}


def point_app_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Make the app under test (AppTest, in this process) open ``url``."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for key, value in app_settings(url).items():
        monkeypatch.setenv(key, value)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Whatever a test runs, the app's default database points into the test's own folder."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CONCORD_DB_PATH", str(tmp_path / "app.db"))


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    """Each test starts with no view kept from another test (models/kept.py)."""
    forget()


@pytest.fixture
def engine(backend: Backend, tmp_path) -> Iterator[Engine]:
    with opened(backend, backend.migrated(tmp_path)) as engine:
        yield engine


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """A database holding the demo partnership from seeds/, loaded the way a first start does."""
    with writing(engine) as session:
        load_demo_once(session)
    return engine


@contextlib.contextmanager
def migrated_database(backend: Backend, folder: Path) -> Iterator[Engine]:
    """A migrated database for a module's tests to share, dropped after them."""
    with opened(backend, backend.migrated(folder)) as engine:
        yield engine


@dataclass(frozen=True)
class Template:
    """A database that tests copy and never open themselves (PostgreSQL copies only a database
    nobody is connected to)."""

    backend: Backend
    url: str


def template_database(backend: Backend, tmp_path_factory: pytest.TempPathFactory,
                      build: Callable[[Session], T]) -> tuple[Template, T]:
    """A migrated database set up once by ``build`` (for a module's tests), and what it built.

    Each test then works on its own copy (``copy_of``): far faster than migrating and setting up
    a new database for every test. The template goes when the session ends.
    """
    url = backend.migrated(tmp_path_factory.mktemp("template"))
    engine = make_engine(url)
    with writing(engine) as session:
        built = build(session)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return Template(backend, url), built


def copy_of(template: Template, tmp_path: Path) -> Iterator[Engine]:
    with opened(template.backend, template.backend.copy(template.url, tmp_path)) as engine:
        yield engine


def is_stamp_read(statement: str) -> bool:
    """The read of the change stamp, once per read session (models/kept.py): not a view's own."""
    return "FROM tablestamp" in statement


def statements_run(engine: Engine, read: Callable[[Session], object], *,
                   selects_only: bool = False) -> int:
    """How many SQL statements ``read`` issues in one reading session, nothing kept before;
    ``selects_only`` leaves out the transaction's own (SQLite's BEGIN), which PostgreSQL has
    not."""
    from sqlalchemy import event

    from models.db import reading

    seen: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        selected = statement.lstrip().upper().startswith("SELECT")
        if not is_stamp_read(statement) and (selected or not selects_only):
            seen.append(statement)

    forget()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with reading(engine) as session:
            read(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)
