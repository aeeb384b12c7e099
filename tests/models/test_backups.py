"""Before a migration changes an existing SQLite file, a consistent copy is kept beside it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlmodel import func, select

from models.db import ROOT, make_engine, reading, upgrade, writing
from models.demo import load_demo_once
from models.schema import Rating

NEXT_REVISION = '''"""a later revision, for the test only

Revision ID: 9999
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("test_only", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("test_only")
'''


def test_a_migration_keeps_a_faithful_copy_of_the_file_first(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'concord.db'}")
    assert upgrade(engine) is None  # a new file: nothing to keep
    assert upgrade(engine) is None  # already current: nothing to migrate
    with writing(engine) as session:
        load_demo_once(session)
    with reading(engine) as session:
        ratings = session.exec(select(func.count()).select_from(Rating)).one()

    scripts = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", scripts)
    (scripts / "versions" / "9999_later.py").write_text(NEXT_REVISION)
    backup = upgrade(engine, script_location=scripts)

    assert backup is not None and backup.exists()
    assert backup.name.startswith("concord.db.before-0001-to-9999.")
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT count(*) FROM rating").fetchone() == (ratings,)
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        assert "test_only" not in tables
    finally:
        copy.close()
    live = sqlite3.connect(tmp_path / "concord.db")
    try:
        assert live.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
    finally:
        live.close()
    engine.dispose()


def test_restoring_is_copying_the_backup_back(tmp_path: Path):
    path = tmp_path / "concord.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with writing(engine) as session:
        load_demo_once(session)
    from models.db import backup_sqlite

    backup = backup_sqlite(engine, "manual")
    with writing(engine) as session:
        for rating in session.exec(select(Rating)).all():
            session.delete(rating)
    engine.dispose()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    restored = make_engine(f"sqlite:///{path}")
    with reading(restored) as session:
        assert session.exec(select(func.count()).select_from(Rating)).one() == 55
    restored.dispose()
