"""Views kept between reruns (models/kept.py): reused while the tables they read are unchanged,
built again after a write to one of them, on this server or another one sharing the database,
and never inside a write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlmodel import Session, func, select

from models import kept, rows
from models.clock import utcnow
from models.db import make_engine, reading, writing
from models.schema import Partner, Stance, TableStamp, Topic
from models.solutions import partners_of
from tests.benchmark.pages import counting
from tests.conftest import is_stamp_read, opened


def names(engine: Engine, workshop_id: int) -> list[str]:
    with reading(engine) as session:
        return [partner.name for partner in partners_of(session, workshop_id)]


@pytest.fixture
def workshop_id(demo_engine: Engine) -> int:
    with reading(demo_engine) as session:
        return session.get(Partner, 1).workshop_id


def rename_first_partner(engine: Engine, workshop_id: int, name: str) -> None:
    with writing(engine) as session:
        partner = session.get(Partner, partners_of.uncached(session, workshop_id)[0].id)
        partner.name = name
        session.add(partner)


def test_while_nothing_is_written_a_view_is_built_once(demo_engine, workshop_id):
    first = names(demo_engine, workshop_id)
    with counting(demo_engine) as seen:
        again = names(demo_engine, workshop_id)

    assert again == first
    assert len(seen) == 1 and is_stamp_read(seen[0])  # the stamp, and nothing else


def test_any_write_makes_the_kept_view_stale(demo_engine, workshop_id):
    names(demo_engine, workshop_id)
    rename_first_partner(demo_engine, workshop_id, "Renamed in another window")

    with counting(demo_engine) as seen:
        after = names(demo_engine, workshop_id)

    assert after[0] == "Renamed in another window"
    assert len(seen) > 1


def test_a_write_through_another_server_is_seen_on_the_next_read(demo_engine, workshop_id):
    names(demo_engine, workshop_id)
    other_server = make_engine(demo_engine.url.render_as_string(hide_password=False))
    try:
        rename_first_partner(other_server, workshop_id, "Saved through the other server")
    finally:
        other_server.dispose()

    assert names(demo_engine, workshop_id)[0] == "Saved through the other server"


def test_a_write_reads_its_own_rows_and_a_rolled_back_write_leaves_nothing_kept(
        demo_engine, workshop_id):
    before = names(demo_engine, workshop_id)
    with pytest.raises(RuntimeError), writing(demo_engine) as session:
        partner = session.get(Partner, partners_of(session, workshop_id)[0].id)
        partner.name = "Not saved"
        session.add(partner)
        session.flush()
        assert partners_of(session, workshop_id)[0].name == "Not saved"
        raise RuntimeError("the save fails after the read")

    assert names(demo_engine, workshop_id) == before


def test_a_new_day_builds_the_view_again(demo_engine, workshop_id, monkeypatch):
    names(demo_engine, workshop_id)
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(kept, "utcnow", lambda: tomorrow)

    with counting(demo_engine) as seen:
        names(demo_engine, workshop_id)

    assert len(seen) > 1


def test_two_databases_never_share_a_view(backend, demo_engine, workshop_id, tmp_path):
    original = names(demo_engine, workshop_id)
    demo_engine.dispose()  # PostgreSQL copies only a database nobody is connected to
    (tmp_path / "copy").mkdir()
    with opened(backend, backend.copy(demo_engine.url.render_as_string(hide_password=False),
                                      tmp_path / "copy")) as copy:
        # The copy has the same stamp; change its rows behind the app's back, stamp untouched.
        with copy.begin() as connection:
            connection.execute(update(Partner).where(Partner.workshop_id == workshop_id)
                               .values(name="Only in the copy: " + Partner.name))
        assert names(copy, workshop_id) == [f"Only in the copy: {name}" for name in original]
    assert names(demo_engine, workshop_id) == original


def test_the_least_recently_used_views_go_first(demo_engine, workshop_id, monkeypatch):
    monkeypatch.setattr(kept, "MAX_VIEWS", 2)
    with reading(demo_engine) as session:
        for other in (workshop_id, workshop_id + 1000, workshop_id + 2000):
            partners_of(session, other)

    with counting(demo_engine) as seen:
        names(demo_engine, workshop_id)  # the oldest of the three: gone

    assert len(seen) > 1


def test_a_rerun_reads_the_stamp_once_and_again_after_its_own_write(demo_engine, workshop_id):
    with kept.one_stamp_per_rerun():
        with counting(demo_engine) as seen:
            names(demo_engine, workshop_id)
            names(demo_engine, workshop_id)
        assert sum(map(is_stamp_read, seen)) == 1

        rename_first_partner(demo_engine, workshop_id, "Saved during the rerun")
        assert names(demo_engine, workshop_id)[0] == "Saved during the rerun"


def test_a_session_that_read_before_the_rerun_stamp_reads_its_own(demo_engine, workshop_id):
    """A read session opened earlier sees the rows of its own moment: the newer stamp another
    session read later in the rerun must not label them, or they would pass for current."""
    with kept.one_stamp_per_rerun(), reading(demo_engine) as early:
        early.get(Partner, 1)  # its snapshot starts here
        rename_first_partner(demo_engine, workshop_id, "Saved after the early read")
        with reading(demo_engine) as later:
            kept.table_stamps(later)  # the rerun's stamps, now the newer ones
        old = [partner.name for partner in partners_of(early, workshop_id)]

    assert old[0] != "Saved after the early read"  # the early snapshot's rows …
    assert names(demo_engine, workshop_id)[0] == "Saved after the early read"  # … not kept as new


# --- what a view read decides when it is built again -------------------------------------------


@kept.kept
def partner_names(session: Session, workshop_id: int) -> tuple[str, ...]:
    """A view built on another kept view: it reads no table itself."""
    return tuple(partner.name for partner in rows.workshop_partners(session, workshop_id))


@kept.kept
def first_partner_name(session: Session) -> str:
    return session.get(Partner, 1).name


@kept.kept
def stances(session: Session) -> int:
    return session.exec(select(func.count(Stance.id))).one()


@kept.kept
def answer(session: Session) -> int:
    """A statement that names no table: the view depends on every table."""
    return session.execute(text("SELECT 42")).scalar_one()


def built_again(engine: Engine, view, *args) -> bool:
    """Whether reading ``view`` now issues statements beyond the stamps'."""
    with counting(engine) as seen, reading(engine) as session:
        view(session, *args)
    return any(not is_stamp_read(statement) for statement in seen)


def test_a_write_rebuilds_only_the_views_that_read_what_it_wrote(demo_engine, workshop_id):
    with reading(demo_engine) as session:
        rows.workshop_topics(session, workshop_id)
        stances(session)
    names(demo_engine, workshop_id)

    rename_first_partner(demo_engine, workshop_id, "Only the partners changed")

    assert not built_again(demo_engine, rows.workshop_topics, workshop_id)
    assert not built_again(demo_engine, stances)
    assert names(demo_engine, workshop_id)[0] == "Only the partners changed"


def test_a_write_that_wrote_nothing_leaves_every_view_kept(demo_engine, workshop_id):
    names(demo_engine, workshop_id)
    with writing(demo_engine) as session:
        session.exec(select(Partner)).all()  # read in a write session, nothing written

    assert not built_again(demo_engine, partners_of, workshop_id)


def test_a_view_built_on_a_kept_view_reads_what_that_one_read(demo_engine, workshop_id):
    with reading(demo_engine) as session:
        rows.workshop_partners(session, workshop_id)  # kept first, so the next view reuses it
        assert partner_names(session, workshop_id)[0] != "Renamed under the inner view"

    rename_first_partner(demo_engine, workshop_id, "Renamed under the inner view")

    with reading(demo_engine) as session:
        assert partner_names(session, workshop_id)[0] == "Renamed under the inner view"


def test_a_row_the_caller_had_loaded_still_counts_as_read(demo_engine, workshop_id):
    """The view is built in a session of its own, so ``session.get`` reads the row anew (and
    notes its table) even when the caller's session holds it already."""
    with reading(demo_engine) as session:
        loaded = session.get(Partner, 1)  # held, so the session's identity map keeps it
        assert first_partner_name(session) == loaded.name

    with writing(demo_engine) as session:
        partner = session.get(Partner, 1)
        partner.name = "Renamed after the caller's read"
        session.add(partner)

    with reading(demo_engine) as session:
        assert first_partner_name(session) == "Renamed after the caller's read"


def test_a_delete_rebuilds_the_views_of_the_rows_that_cascade_from_it(demo_engine, workshop_id):
    with reading(demo_engine) as session:
        before = stances(session)
        topic_id = session.exec(select(Stance.topic_id)).first()
    with writing(demo_engine) as session:  # the database deletes the topic's stances
        session.execute(Topic.__table__.delete().where(Topic.id == topic_id))

    with reading(demo_engine) as session:
        assert stances(session) < before


def test_a_statement_that_names_no_table_depends_on_every_table(demo_engine, workshop_id):
    with reading(demo_engine) as session:
        answer(session)
    assert not built_again(demo_engine, answer)

    with writing(demo_engine) as session:  # written as plain SQL: still noticed
        session.connection().exec_driver_sql("UPDATE earlywin SET title = title")

    assert built_again(demo_engine, answer)


def test_a_view_a_session_reads_first_in_a_rerun_depends_on_its_own_tables(demo_engine,
                                                                            workshop_id):
    """In a rerun the stamps are read once, so a later session's first statement may be a kept
    view's own: the BEGIN that opens its transaction reads no table."""
    with kept.one_stamp_per_rerun():
        with reading(demo_engine) as first:
            kept.table_stamps(first)
        with reading(demo_engine) as session:
            rows.workshop_topics(session, workshop_id)

    rename_first_partner(demo_engine, workshop_id, "Topics untouched")

    assert not built_again(demo_engine, rows.workshop_topics, workshop_id)


def test_a_view_of_every_table_watches_one_with_no_stamp_yet(demo_engine):
    """A table a later migration adds has no stamp row until its first write."""
    with demo_engine.begin() as connection:
        connection.execute(delete(TableStamp).where(TableStamp.name == "earlywin"))
    with reading(demo_engine) as session:
        answer(session)

    with writing(demo_engine) as session:
        session.connection().exec_driver_sql("UPDATE earlywin SET title = title")

    assert built_again(demo_engine, answer)


def test_a_session_sees_a_save_made_later_in_its_rerun(demo_engine, workshop_id):
    """A session that so far only reused kept views has no snapshot of its own: after a save
    later in the rerun it reads the new stamps, as its next plain query reads the new rows."""
    with kept.one_stamp_per_rerun():
        names(demo_engine, workshop_id)  # the rerun's stamps read, the view kept
        with reading(demo_engine) as session:
            partners_of(session, workshop_id)  # reused: nothing read
            rename_first_partner(demo_engine, workshop_id, "Saved later in the rerun")
            assert partners_of(session, workshop_id)[0].name == "Saved later in the rerun"
