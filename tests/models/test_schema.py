"""The schema as the database holds it: migrations match the tables, SQLite runs with its safety
settings on, every row belongs to a workshop and goes when the workshop goes, and the database's
own checks refuse rows that break the rules."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from models.db import alembic_config, make_engine, reading, upgrade, writing
from models.links import create_link
from models.schema import (
    AccessLink,
    AppSetting,
    CapacityActual,
    CapacityCommitment,
    Checkin,
    ExpectedResult,
    LinkPurpose,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneReport,
    MilestoneState,
    MissionDraft,
    Partner,
    Rating,
    Recalibration,
    RecalibrationKind,
    SignOff,
    SignOffDecision,
    Stance,
    Topic,
    Workshop,
)
from models.setup import add_topic, create_workshop, delete_workshop

INSTALLATION_TABLES = {"appsetting", "facilitatoraccount", "tablestamp"}
# 33 tables in models/schema.py, less the three installation tables and the workshop itself.
WORKSHOP_OWNED_TABLE_COUNT = 29

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
]


def _owned_tables() -> set[str]:
    return set(SQLModel.metadata.tables) - INSTALLATION_TABLES - {"workshop"}


def _reaches_workshop(table_name: str, *, cascading_only: bool) -> bool:
    """Whether foreign keys lead from ``table_name`` to ``workshop`` (a breadth-first walk)."""
    seen: set[str] = set()
    queue = [table_name]
    while queue:
        current = queue.pop(0)
        if current == "workshop":
            return True
        if current in seen:
            continue
        seen.add(current)
        for foreign_key in SQLModel.metadata.tables[current].foreign_keys:
            if cascading_only and (foreign_key.ondelete or "").upper() != "CASCADE":
                continue
            queue.append(foreign_key.column.table.name)
    return False


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in SQLModel.metadata.tables}


SCHEMA_SQL = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name",
    # PostgreSQL keeps no statement text: every column, index and constraint, as it describes it.
    "postgresql": """
        SELECT table_name || '.' || column_name, concat_ws(' ', data_type,
               character_maximum_length, is_nullable, column_default)
          FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        ORDER BY 1""",
}


def _schema_sql(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return list(connection.execute(text(SCHEMA_SQL[engine.dialect.name])).all())


# --- migrations ----------------------------------------------------------------------------


def test_migrations_create_every_table_of_the_metadata(engine):
    in_database = set(inspect(engine).get_table_names())

    assert in_database == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert len(SQLModel.metadata.tables) == 33


def test_migrations_and_metadata_have_no_autogenerate_difference(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        difference = compare_metadata(context, SQLModel.metadata)

    assert difference == []


def test_foreign_keys_in_the_database_delete_as_the_metadata_declares(engine):
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        declared = {(fk.parent.name, fk.column.table.name, (fk.ondelete or "").upper())
                    for fk in table.foreign_keys}
        in_database = {(fk["constrained_columns"][0], fk["referred_table"],
                        (fk["options"].get("ondelete") or "").upper())
                       for fk in inspector.get_foreign_keys(table.name)}
        assert in_database == declared, table.name


def test_upgrading_a_current_database_again_changes_nothing(engine):
    with writing(engine) as session:
        session.add(AppSetting(key="kept", value="still here"))
    schema_before = _schema_sql(engine)

    upgrade(engine)

    assert _schema_sql(engine) == schema_before
    with engine.connect() as connection:
        revisions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert [row[0] for row in revisions] == [head]
    with reading(engine) as session:
        assert session.get(AppSetting, "kept").value == "still here"


# --- SQLite settings -------------------------------------------------------------------------


@pytest.mark.only_on("sqlite", reason="WAL, foreign keys and the busy timeout are SQLite's")
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(engine):
    with engine.connect() as connection:
        journal_mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()

    assert journal_mode == "wal"
    assert foreign_keys == 1
    assert busy_timeout == 10_000


# --- ownership by workshop ---------------------------------------------------------------------


def test_every_table_but_the_installation_tables_has_a_foreign_key_path_to_workshop():
    owned = _owned_tables()
    without_path = sorted(name for name in owned
                          if not _reaches_workshop(name, cascading_only=False))

    assert len(owned) == WORKSHOP_OWNED_TABLE_COUNT
    assert without_path == []


def test_every_workshop_owned_table_reaches_workshop_through_cascading_keys():
    without_cascade = sorted(name for name in _owned_tables()
                             if not _reaches_workshop(name, cascading_only=True))

    assert without_cascade == []


def test_installation_tables_have_no_path_to_workshop():
    assert not _reaches_workshop("appsetting", cascading_only=False)
    assert not _reaches_workshop("facilitatoraccount", cascading_only=False)


def test_deleting_the_demo_workshop_leaves_no_row_it_owned(demo_engine):
    with writing(demo_engine) as session:
        workshop = session.exec(select(Workshop)).one()
        partner = session.exec(select(Partner).order_by(Partner.position)).first()
        workshop_id = workshop.id
        # The demo has no links, sign-offs or check-ins; add one of each so those tables are
        # tested too.
        create_link(session, workshop_id=workshop_id, purpose=LinkPurpose.PREWORK,
                    partner_id=partner.id)
        session.add(SignOff(workshop_id=workshop_id, partner_id=partner.id, summary_version="v1",
                            decision=SignOffDecision.APPROVED, name="Dana Whitfield"))
        _one_checkin_of_each_kind(session, workshop_id, partner.id)
    before = _row_counts(demo_engine)
    empty_before = sorted(name for name in _owned_tables() if before[name] == 0)

    with writing(demo_engine) as session:
        delete_workshop(session, workshop_id=workshop_id, actor="facilitator")

    after = _row_counts(demo_engine)
    left_over = {name: after[name] for name in _owned_tables() - {"auditevent"} if after[name]}
    with reading(demo_engine) as session:
        audit_left = session.exec(text(
            "SELECT workshop_id, action, entity FROM auditevent ORDER BY id")).all()
    assert empty_before == []
    assert after["workshop"] == 0
    assert left_over == {}
    assert [tuple(row) for row in audit_left] == [(None, "create", "workshop"),
                                                  (None, "delete", "workshop")]


def _one_checkin_of_each_kind(session: Session, workshop_id: int, partner_id: int) -> None:
    checkin = Checkin(workshop_id=workshop_id, held_on=date(2027, 3, 1))
    session.add(checkin)
    session.flush()
    measure = session.exec(select(Measure).where(Measure.workshop_id == workshop_id)).first()
    milestone = session.exec(select(Milestone).where(Milestone.workshop_id == workshop_id)).first()
    session.add_all([
        MeasureReading(checkin_id=checkin.id, measure_id=measure.id, value=30,
                       measured_on=date(2027, 2, 28), source="Registry"),
        MilestoneReport(checkin_id=checkin.id, milestone_id=milestone.id,
                        state=MilestoneState.DONE),
        CapacityActual(checkin_id=checkin.id, partner_id=partner_id, month=date(2027, 2, 1),
                       hours=70),
        Recalibration(checkin_id=checkin.id, kind=RecalibrationKind.TARGET, subject="Target",
                      entity="measure", entity_id=measure.id, reason="Too ambitious"),
    ])


# --- checks in the database ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def room(backend, tmp_path_factory):
    """A database holding a small workshop (two partners, one text topic, one mission draft),
    shared by the checks below; each check rolls its row back, so they cannot disturb each other.
    """
    url = backend.migrated(tmp_path_factory.mktemp("checks"))
    engine = make_engine(url)
    with writing(engine) as session:
        workshop = create_workshop(session, workshop={"name": "Check room",
                                                      "held_on": "2027-03-04"},
                                   partners=PARTNERS, actor="test")
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                               .order_by(Partner.position)).first()
        topic = add_topic(session, workshop_id=workshop.id, actor="test",
                          data={"title": "Crisis protocol", "category": "clinical workflow",
                                "kind": "text"})
        draft = MissionDraft(workshop_id=workshop.id, number=1, text="Together we care.")
        checkin = Checkin(workshop_id=workshop.id, held_on=date(2027, 4, 1))
        milestone = Milestone(workshop_id=workshop.id, title="Pilot starts",
                              due_on=date(2027, 3, 15))
        session.add_all([draft, checkin, milestone])
        session.flush()
        ids = {"workshop": workshop.id, "partner": partner.id, "topic": topic.id,
               "draft": draft.id, "checkin": checkin.id, "milestone": milestone.id}
    yield engine, ids
    engine.dispose()
    backend.drop(url)


def _rating(ids, **values):
    return Rating(**{"partner_id": ids["partner"], "mission_draft_id": ids["draft"], "value": 3,
                     **values})


def _stance(ids, **values):
    return Stance(**{"topic_id": ids["topic"], "partner_id": ids["partner"], **values})


def _topic(ids, **values):
    return Topic(**{"workshop_id": ids["workshop"], "title": "Rent", "category": "space",
                    "kind": "numeric", "lower_bound": 0, "upper_bound": 10, **values})


def _workshop(_ids, **values):
    return Workshop(**{"name": "Another", "held_on": date(2027, 1, 1), **values})


def _expected_result(ids, **values):
    return ExpectedResult(**{"partner_id": ids["partner"], "text": "Faster access", **values})


def _milestone(ids, **values):
    return Milestone(**{"workshop_id": ids["workshop"], "title": "Pilot starts",
                        "due_on": date(2027, 2, 1), **values})


def _measure(ids, **values):
    return Measure(**{"workshop_id": ids["workshop"], "name": "PHQ-9 response", **values})


def _capacity(ids, **values):
    return CapacityCommitment(**{"partner_id": ids["partner"], "month": date(2027, 1, 1),
                                 **values})


def _milestone_report(ids, **values):
    return MilestoneReport(**{"checkin_id": ids["checkin"], "milestone_id": ids["milestone"],
                              "state": MilestoneState.SLIPPED, **values})


def _capacity_actual(ids, **values):
    return CapacityActual(**{"checkin_id": ids["checkin"], "partner_id": ids["partner"],
                             "month": date(2027, 3, 1), **values})


def _link(ids, **values):
    return AccessLink(**{"workshop_id": ids["workshop"], "purpose": LinkPurpose.PREWORK,
                         "token_hash": "0" * 64, **values})


# (row builder, values that break the check, values at its edge that pass, constraint name)
CHECKS = {
    "rating of 9": (_rating, {"value": 9}, {"value": 8}, "rating_range"),
    "rating of 0": (_rating, {"value": 0}, {"value": 1}, "rating_range"),
    "rating of nothing": (_rating, {"mission_draft_id": None}, {}, "rating_subject"),
    "stance weight 0": (_stance, {"weight": 0}, {"weight": 1}, "weight_range"),
    "stance weight 6": (_stance, {"weight": 6}, {"weight": 5}, "weight_range"),
    "stance accepts backwards": (_stance, {"accept_min": 5, "accept_max": 4},
                                 {"accept_min": 4, "accept_max": 4}, "accept_order"),
    "numeric topic without bounds": (_topic, {"lower_bound": None, "upper_bound": None},
                                     {"kind": "text", "lower_bound": None, "upper_bound": None},
                                     "numeric_bounds"),
    "numeric topic with equal bounds": (_topic, {"lower_bound": 10}, {"lower_bound": 9.5},
                                        "numeric_bounds"),
    "decision rule blocking from 4": (_workshop, {"rule_block_from": 4},
                                      {"rule_block_from": 5}, "rule_block"),
    "decision rule needing no support": (_workshop, {"rule_min_support": 0},
                                         {"rule_min_support": 1}, "rule_support"),
    "check-ins every 53 weeks": (_workshop, {"checkin_every_weeks": 53},
                                 {"checkin_every_weeks": 52}, "checkin_cadence"),
    "importance 6": (_expected_result, {"importance": 6}, {"importance": 5},
                     "importance_range"),
    "negative slack": (_milestone, {"slack_days": -1}, {"slack_days": 0}, "slack_positive"),
    "pilot ending before it starts": (_measure, {"pilot_start": date(2027, 2, 2),
                                                 "pilot_end": date(2027, 2, 1)},
                                      {"pilot_start": date(2027, 2, 1),
                                       "pilot_end": date(2027, 2, 1)}, "pilot_dates"),
    "negative hours": (_capacity, {"hours": -1}, {"hours": 0}, "hours_positive"),
    "negative slip": (_milestone_report, {"slip_days": -1}, {"slip_days": 0}, "slip_positive"),
    "negative hours given": (_capacity_actual, {"hours": -1}, {"hours": 0},
                             "actual_hours_positive"),
    "pre-work link for nobody": (_link, {}, {"purpose": LinkPurpose.REVIEW}, "prework_partner"),
}


@pytest.mark.parametrize("case", CHECKS.values(), ids=CHECKS.keys())
def test_database_refuses_a_row_that_breaks_a_check(room, case):
    engine, ids = room
    build, bad, _good, constraint = case

    with pytest.raises(IntegrityError, match=constraint), writing(engine) as session:
        session.add(build(ids, **bad))
        session.flush()


@pytest.mark.parametrize("case", CHECKS.values(), ids=CHECKS.keys())
def test_database_accepts_the_same_row_at_the_edge_of_its_check(room, case):
    engine, ids = room
    build, _bad, good, _constraint = case

    with Session(engine) as session:
        row = build(ids, **good)
        session.add(row)
        session.flush()  # SQLite checks each row as it is inserted
        inserted = row.id
        session.rollback()

    assert inserted is not None


# --- how enums are stored ------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT kind FROM partner ORDER BY position", ["behavioral_health", "primary_care"]),
    ("SELECT step FROM stepstate ORDER BY id",
     ["mission", "expectations", "solutions", "pacing"]),
    ("SELECT DISTINCT status FROM stepstate", ["not_started"]),
    ("SELECT ratings_by FROM workshop", ["participant"]),
    ("SELECT kind FROM topic", ["text"]),
])
def test_enum_columns_store_their_lowercase_values(room, query, expected):
    engine, _ids = room
    with engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text(query)).all()]

    assert stored == expected


def test_json_lists_read_back_as_written_and_empty_ones_are_new_each_time(engine):
    """``JSONList`` reads an empty list without parsing it: it must still be a list of its own
    per row, and a list with items must still be parsed."""
    with writing(engine) as session:
        workshop = create_workshop(session, workshop={"name": "Lists", "held_on": "2027-03-04"},
                                   partners=PARTNERS, actor="test")
        numeric = add_topic(session, workshop_id=workshop.id, actor="test",
                            data={"title": "Response time", "category": "access",
                                  "kind": "numeric", "unit": "days", "lower_bound": 0,
                                  "upper_bound": 30})
        options = add_topic(session, workshop_id=workshop.id, actor="test",
                            data={"title": "Shared record", "category": "data",
                                  "kind": "options", "options": ["Portal", "Fax, then “scan”"]})
        ids = (numeric.id, options.id)
    with reading(engine) as session:
        first, second = (session.get(Topic, topic_id) for topic_id in ids)
        raw = session.execute(text("SELECT options FROM topic WHERE id = :id"),
                              {"id": ids[0]}).scalar_one()
        empty_again = session.execute(select(Topic.__table__.c.options)
                                      .where(Topic.__table__.c.id == ids[0])).scalar_one()

    assert first.options == [] and empty_again == []
    assert raw in ("[]", [])  # as SQLite stores it; PostgreSQL's driver hands back a list
    assert first.options is not empty_again, "one list shared between rows"
    assert second.options == ["Portal", "Fax, then “scan”"]
