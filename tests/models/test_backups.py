"""Before a migration changes an existing SQLite file, a consistent copy is kept beside it.

SQLite only, as the copy is: on PostgreSQL, backups are pg_dump's (docs/deploy.md)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlmodel import func, select

from models.db import ROOT, alembic_config, make_engine, reading, upgrade, writing
from models.demo import load_demo_once
from models.schema import Rating

NEXT_REVISION = '''"""a later revision, for the test only

Revision ID: 9999
Revises: {head}
"""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{head}"
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

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    scripts = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", scripts)
    (scripts / "versions" / "9999_later.py").write_text(NEXT_REVISION.replace("{head}", head))
    backup = upgrade(engine, script_location=scripts)

    assert backup is not None and backup.exists()
    assert backup.name.startswith(f"concord.db.before-{head}-to-9999.")
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
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


def test_a_file_made_by_the_first_migration_upgrades_with_its_rows_versioned(tmp_path: Path):
    """A workshop database from before version columns were added keeps every row, and the
    rows that gained a version start at 1."""
    path = tmp_path / "concord.db"
    engine = make_engine(f"sqlite:///{path}")
    from alembic import command

    command.upgrade(alembic_config(engine), "0001")
    old = sqlite3.connect(path)
    try:
        old.execute("INSERT INTO workshop (id, name, held_on, rule_min_support, rule_block_from, "
                    "ratings_by, prework_locked, is_demo, created_at, updated_at, version) "
                    "VALUES (1, 'Old one', '2026-01-05', 0.75, 7, 'partner', 0, 0, "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 3)")
        old.execute("INSERT INTO earlywin (workshop_id, title) VALUES (1, 'First referral')")
        old.commit()
    finally:
        old.close()
    backup = upgrade(engine)
    assert backup is not None and backup.name.startswith("concord.db.before-0001-to-")
    live = sqlite3.connect(path)
    try:
        assert live.execute("SELECT name, version FROM workshop").fetchall() == [("Old one", 3)]
        assert live.execute("SELECT title, version FROM earlywin").fetchall() == [
            ("First referral", 1)]
        for table in ("participant", "roundposition", "earlywin", "logentry"):
            columns = {row[1]: row for row in live.execute(f"PRAGMA table_info({table})")}
            assert "version" in columns, table
            assert columns["version"][3] == 1  # NOT NULL
    finally:
        live.close()
    engine.dispose()
