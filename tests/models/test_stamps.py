"""Which tables a write changes (models/stamps.py), so that the views kept from them are built
again: found in the statement's text, comments and all, with what its deletes cascade to, and
every table for a statement it cannot read; a migration counts as a write to every table."""

from __future__ import annotations

import shutil

import pytest
from alembic.script import ScriptDirectory

from models import stamps
from models.db import ROOT, alembic_config, make_engine, reading, upgrade
from tests.models.test_backups import NEXT_REVISION


@pytest.mark.parametrize(("statement", "written"), [
    ("SELECT topic.title FROM topic WHERE topic.id = ?", set()),
    ("BEGIN IMMEDIATE", set()),
    ("SAVEPOINT sa_savepoint_1", set()),
    ("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", set()),
    ("SELECT pg_advisory_xact_lock(%(param_1)s)", set()),
    ("INSERT INTO rating (partner_id, value) VALUES (?, ?)", {"rating"}),
    ("UPDATE milestone SET slack_days=? WHERE milestone.id = ?", {"milestone"}),
    ("  /* a comment first */ UPDATE earlywin SET title = title", {"earlywin"}),
    ("-- a comment\nINSERT INTO logentry (text) VALUES ('x')", {"logentry"}),
])
def test_a_statement_changes_the_tables_it_names(statement, written):
    assert stamps.tables_written(statement) == written


def test_a_delete_changes_what_it_cascades_to_however_it_is_written():
    cascade = stamps.cascading_from("topic")
    assert {"topic", "stance", "proposal", "rating"} <= cascade
    for statement in ("DELETE FROM topic WHERE topic.id = ?",
                      "/* c */ DELETE FROM topic WHERE topic.id = ?",
                      "WITH gone AS (SELECT id FROM topic WHERE id = ?) "
                      "DELETE FROM topic WHERE id IN (SELECT id FROM gone)"):
        assert stamps.tables_written(statement) == cascade, statement


@pytest.mark.parametrize("statement", [
    "CREATE TABLE later (id INTEGER)",
    "ALTER TABLE topic ADD COLUMN colour TEXT",
    "MERGE INTO topic USING other ON topic.id = other.id WHEN MATCHED THEN DELETE",
    "COPY topic FROM STDIN",
])
def test_a_statement_it_cannot_read_changes_every_table(statement):
    assert stamps.tables_written(statement) == {stamps.EVERY_TABLE}


def test_a_migration_gives_every_table_a_new_stamp(tmp_path):
    """A migration changes rows without a write session; every server's kept views go."""
    engine = make_engine(f"sqlite:///{tmp_path / 'concord.db'}")
    upgrade(engine)
    with reading(engine) as session:
        before = stamps.read(session)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    scripts = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", scripts)
    (scripts / "versions" / "9999_later.py").write_text(NEXT_REVISION.replace("{head}", head))

    upgrade(engine, script_location=scripts)

    with reading(engine) as session:
        after = stamps.read(session)
    assert set(after) == set(before) == stamps.app_tables()
    assert all(after[table] != before[table] for table in before)
    upgrade(engine, script_location=scripts)  # current: nothing migrates, nothing replaced
    with reading(engine) as session:
        assert stamps.read(session) == after
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql+pymysql://concord@db/concord", "mssql://db/concord"])
def test_a_database_other_than_sqlite_or_postgresql_is_refused_plainly(url):
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        make_engine(url)
