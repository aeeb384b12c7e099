"""Fixtures every test shares: a fresh, migrated SQLite file per test, never the user's file."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.db import make_engine, upgrade, writing
from models.demo import load_demo_once

T = TypeVar("T")


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Whatever a test runs, the app's default database points into the test's own folder."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CONCORD_DB_PATH", str(tmp_path / "app.db"))


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'concord.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """A database holding the demo partnership from seeds/, loaded the way a first start does."""
    with writing(engine) as session:
        load_demo_once(session)
    return engine


def template_database(tmp_path_factory: pytest.TempPathFactory,
                      build: Callable[[Session], T]) -> tuple[Path, T]:
    """A migrated database set up once by ``build`` (for a module's tests), and what it built.

    Each test then works on its own copy (``copy_of``): far faster than migrating and setting up
    a new database for every test.
    """
    path = tmp_path_factory.mktemp("template") / "concord.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with writing(engine) as session:
        built = build(session)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path, built


def copy_of(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "concord.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def statements_run(engine: Engine, read: Callable[[Session], object]) -> int:
    """How many SQL statements ``read`` issues in one reading session."""
    from sqlalchemy import event

    from models.db import reading

    seen: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with reading(engine) as session:
            read(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)
