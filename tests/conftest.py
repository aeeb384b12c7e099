"""Fixtures every test shares: a fresh, migrated SQLite file per test, never the user's file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from models.db import make_engine, upgrade, writing
from models.demo import load_demo_once


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
