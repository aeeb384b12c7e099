"""The whole workshop as JSON: an exact round trip, no private limit in the file, and every
malformed or hostile file refused with a plain message and the database left as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel
from sqlmodel import select as select_rows

from models.db import reading, writing
from models.demo import load_demo_once
from models.export_json import FORMAT, MAX_BYTES, TABLES, export_workshop, import_workshop
from models.schema import AuditEvent, Partner, Stance, Step, StepState, Topic, Workshop
from models.validation import Invalid
from tests.conftest import Template, copy_of, template_database


@pytest.fixture(scope="module")
def template(backend, tmp_path_factory: pytest.TempPathFactory) -> tuple[Template, int]:
    return template_database(backend, tmp_path_factory, load_demo_once)


@pytest.fixture
def demo(template, tmp_path) -> Iterator[tuple[Engine, int]]:
    database, workshop_id = template
    for engine in copy_of(database, tmp_path):
        yield engine, workshop_id


def export(engine: Engine, workshop_id: int) -> bytes:
    with reading(engine) as session:
        return export_workshop(session, workshop_id)


def import_(engine: Engine, data: bytes) -> int:
    with writing(engine) as session:
        return import_workshop(session, data, actor="facilitator:test")


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table))
                .scalar_one() for table in SQLModel.metadata.sorted_tables}


def refused(engine: Engine, data: bytes) -> str:
    """Import ``data`` expecting a refusal; the message, after checking nothing was written."""
    before = row_counts(engine)
    with pytest.raises(Invalid) as caught:
        import_(engine, data)
    assert row_counts(engine) == before
    assert set(caught.value.errors) == {"file"}
    message = caught.value.errors["file"]
    assert message and "Traceback" not in message and len(message) < 400
    return message


# --- the round trip ---------------------------------------------------------------------------


def test_the_demo_round_trips_byte_for_byte(demo):
    engine, workshop_id = demo
    first = export(engine, workshop_id)
    copy_id = import_(engine, first)
    assert copy_id != workshop_id
    assert export(engine, copy_id) == first
    # and once more, from the copy
    assert export(engine, import_(engine, export(engine, copy_id))) == first


def test_the_file_holds_every_table_renumbered_from_one(demo):
    engine, workshop_id = demo
    document = json.loads(export(engine, workshop_id))
    assert document["format"] == FORMAT and document["version"] == 1
    assert list(document) == ["format", "version", "workshop", *(t.key for t in TABLES)]
    for table in TABLES:
        ids = [row["id"] for row in document[table.key]]
        assert ids == list(range(1, len(ids) + 1)), table.key
    assert len(document["partners"]) == 3
    assert len(document["ratings"]) > 0 and len(document["agreement_shares"]) > 0
    assert document["workshop"]["name"] == "Riverbend Integrated Care Partnership"


def test_the_import_is_a_new_workshop_with_the_same_rows_and_an_audit_event(demo):
    engine, workshop_id = demo
    before = row_counts(engine)
    copy_id = import_(engine, export(engine, workshop_id))
    after = row_counts(engine)
    with reading(engine) as session:
        original, copy = session.get(Workshop, workshop_id), session.get(Workshop, copy_id)
        assert copy.name == original.name and copy.created_at == original.created_at
        audit = session.exec(select(AuditEvent).where(AuditEvent.workshop_id == copy_id)).all()
    assert [(a.action, a.entity, a.entity_id) for (a,) in audit] == [
        ("create", "workshop", copy_id)]
    for table in TABLES:
        name = table.model.__tablename__
        assert after[name] == 2 * before[name], name
    assert after["accesslink"] == before["accesslink"]


def test_links_audit_and_accounts_are_never_exported(demo):
    engine, workshop_id = demo
    document = json.loads(export(engine, workshop_id))
    keys = {key for table in TABLES for row in document[table.key] for key in row}
    assert not keys & {"token_hash", "password_hash", "username", "actor", "before", "after",
                       "workshop_id"}
    with reading(engine) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent)).one()[0] > 0


def test_a_private_limit_is_empty_in_the_file_and_a_public_one_is_kept(demo):
    engine, workshop_id = demo
    with reading(engine) as session:
        stances = {(partner.name, topic.library_key): stance for stance, partner, topic in
                   session.exec(select(Stance, Partner, Topic)
                                .join(Partner, Partner.id == Stance.partner_id)
                                .join(Topic, Topic.id == Stance.topic_id)
                                .where(Topic.workshop_id == workshop_id)).all()}
    riverbend = stances[("Riverbend Community Mental Health Center", "warm-handoff-response-time")]
    assert riverbend.limit_private and (riverbend.accept_min, riverbend.accept_max) == (10, 30)
    document = json.loads(export(engine, workshop_id))
    partners = {row["name"]: row["id"] for row in document["partners"]}
    topic = next(t["id"] for t in document["topics"]
                 if t["library_key"] == "warm-handoff-response-time")
    in_file = {row["partner_id"]: row for row in document["stances"] if row["topic_id"] == topic}
    private = in_file[partners["Riverbend Community Mental Health Center"]]
    assert (private["accept_min"], private["accept_max"]) == (None, None)
    assert private["limit_private"] is True and private["preferred_value"] == 20
    public = in_file[partners["Northside Family Health Center"]]
    assert (public["accept_min"], public["accept_max"]) == (0, 15)
    for row in document["stances"]:
        if row["limit_private"]:
            assert row["accept_min"] is None and row["accept_max"] is None
            assert row["acceptable_options"] == []


# --- hostile and malformed files ----------------------------------------------------------------


def _document(engine: Engine, workshop_id: int) -> dict:
    return json.loads(export(engine, workshop_id))


def _dumped(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _set(table: str, index: int, field: str, value: Any) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        document[table][index][field] = value
    return change


def _nine_partners(document: dict) -> None:
    for n in range(6):
        document["partners"].append(dict(document["partners"][0], id=100 + n,
                                         name=f"Partner {n}", position=10 + n))


def _duplicate_topic_id(document: dict) -> None:
    document["topics"][1]["id"] = document["topics"][0]["id"]


def _workshop(field: str, value: Any) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        document["workshop"][field] = value
    return change


REFUSED_DOCUMENTS = [
    ("wrong format", lambda d: d.update(format="something-else"), "format marker"),
    ("newer version", lambda d: d.update(version=2), "version"),
    ("rating of 9", _set("ratings", 0, "value", 9), "Row 1 of ratings: value must be 1 to 8"),
    ("weight of 0", _set("stances", 2, "weight", 0), "Row 3 of stances: weight must be 1 to 5"),
    ("importance 6", _set("expected_results", 0, "importance", 6), "importance must be 1 to 5"),
    ("date of 1800", _workshop("held_on", "1800-01-01"),
     "The workshop: held_on must be a date between 2000 and 2100"),
    ("not a date", _set("milestones", 0, "due_on", "soon"), "Row 1 of milestones: due_on"),
    ("dangling topic", _set("stances", 0, "topic_id", 999),
     "Row 1 of stances: topic_id 999 does not match any of the topics in the file"),
    ("dangling optional", _set("milestones", 0, "owner_partner_id", 42),
     "owner_partner_id 42 does not match any of the partners"),
    ("nine partners", _nine_partners, "9 partners; a workshop has 2 to 8"),
    ("one partner", lambda d: d.update(partners=d["partners"][:1]), "partners"),
    ("duplicate ids", _duplicate_topic_id, "Row 2 of topics: id 1 is used by an earlier row"),
    ("duplicate partner name", _set("partners", 1, "name", "Riverbend Community Mental Health "
                                                          "Center"), "Row 2 of partners: name"),
    ("huge name", _workshop("name", "x" * 100_000),
     "The workshop: name must be at most 200 characters"),
    ("empty name", _set("partners", 0, "name", ""), "Row 1 of partners: name must not be empty"),
    ("unknown enum", _set("partners", 0, "kind", "hospital"), "kind must be one of"),
    ("string number", _set("stances", 0, "weight", "3"), "weight must be a whole number"),
    ("bool as number", _set("ratings", 0, "value", True), "value must be a whole number"),
    ("huge number", _set("topics", 0, "upper_bound", 1e300), "must be an ordinary number"),
    ("huge id", _set("topics", 0, "id", 2**80), "id must be a whole number"),
    ("unknown field", _set("topics", 0, "secret", 1), "secret is not something"),
    ("missing field", lambda d: d["topics"][0].pop("title"), "title is missing"),
    ("not a list", lambda d: d.update(topics={}), "topics must be a list"),
    ("two subjects", lambda d: d["ratings"][0].update(proposal_id=1, mission_draft_id=1),
     "either a proposal or"),
    ("limits reversed", lambda d: d["stances"][1].update(accept_min=20.0, accept_max=10.0),
     "accept_min is above accept_max"),
    ("lone surrogate", _set("partners", 0, "name", "\ud800"), "not valid Unicode"),
    ("nul character", _set("partners", 0, "name", "a\x00b"), "NUL character"),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in REFUSED_DOCUMENTS],
                         ids=[case[0] for case in REFUSED_DOCUMENTS])
def test_a_bad_row_is_refused_with_where_and_what(demo, change, expected):
    engine, workshop_id = demo
    document = _document(engine, workshop_id)
    change(document)
    assert expected in refused(engine, json.dumps(document).encode("ascii"))


def test_files_that_are_not_workshops_are_refused(demo):
    engine, workshop_id = demo
    good = export(engine, workshop_id)
    assert "not valid JSON" in refused(engine, b"this is not json")
    assert "not valid JSON" in refused(engine, good[: len(good) // 2])
    assert "not valid JSON" in refused(engine, b"")
    assert "not valid JSON" in refused(engine, b"[" * 200_000)
    assert "not UTF-8" in refused(engine, b"\xff\xfe" + good)
    assert "format marker" in refused(engine, b"[1, 2, 3]")
    assert "larger than 5 MB" in refused(engine, good + b" " * (6 * 1024 * 1024))
    assert len(good) < MAX_BYTES


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(demo, constant):
    engine, workshop_id = demo
    text = export(engine, workshop_id).decode("utf-8")
    hostile = text.replace('"rule_min_support": 0.75', f'"rule_min_support": {constant}', 1)
    assert hostile != text
    assert "NaN or Infinity" in refused(engine, hostile.encode("utf-8"))


def test_control_characters_and_sql_looking_text_are_stored_exactly(demo):
    engine, workshop_id = demo
    document = _document(engine, workshop_id)
    odd_name = "Tab\there, bell\x07, escape\x1b[31m, del\x7f, zero-width\u200b, 🙂"
    sql = "Robert'); DROP TABLE partner; --"
    document["workshop"]["name"] = odd_name
    document["partners"][0]["name"] = sql
    document["topics"][0]["description"] = "' OR 1=1 --\r\nline two"
    copy_id = import_(engine, _dumped(document))
    again = json.loads(export(engine, copy_id))
    assert again["workshop"]["name"] == odd_name
    assert again["partners"][0]["name"] == sql
    assert again["topics"][0]["description"] == "' OR 1=1 --\r\nline two"
    assert again == document
    with reading(engine) as session:
        assert session.get(Workshop, workshop_id) is not None  # nothing dropped


def test_a_hand_made_file_with_gaps_in_its_ids_imports_and_renumbers(demo):
    engine, workshop_id = demo
    document = _document(engine, workshop_id)
    for row in document["partners"]:
        row["id"] *= 10
    for table in TABLES:
        for row in document[table.key]:
            for field, target in table.refs.items():
                if target == "partners" and row[field] is not None:
                    row[field] *= 10
    copy_id = import_(engine, _dumped(document))
    assert export(engine, copy_id) == export(engine, workshop_id)


# --- random mutations ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_engine(template, tmp_path_factory) -> Iterator[tuple[Engine, dict]]:
    database, workshop_id = template
    for engine in copy_of(database, tmp_path_factory.mktemp("fuzz")):
        yield engine, _document(engine, workshop_id)


ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=300)
    | st.sampled_from(["2027-02-01", "1800-01-01", "2026-11-17T09:30:00Z", "#FFFFFF", "fixed",
                       "numeric", "agreed", "<script>", "'; DROP TABLE topic; --"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=5)


@st.composite
def mutated_files(draw: st.DrawFn, document: dict) -> bytes:
    document = json.loads(json.dumps(document))
    how = draw(st.sampled_from(["set", "drop", "copy_row", "truncate", "flip"]))
    table = draw(st.sampled_from(["workshop", *(t.key for t in TABLES)]))
    rows = [document["workshop"]] if table == "workshop" else document[table]
    if how in ("set", "drop", "copy_row") and rows:
        row = draw(st.sampled_from(rows))
        field = draw(st.sampled_from(sorted(row)))
        if how == "set":
            row[field] = draw(ANY_VALUE)
        elif how == "drop":
            del row[field]
        elif table != "workshop":
            rows.append(dict(row))
    data = json.dumps(document).encode("ascii")
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    if how == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    return data


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_imports_or_is_refused_plainly(fuzz_engine, data):
    engine, document = fuzz_engine
    file = data.draw(mutated_files(document))
    before = row_counts(engine)
    try:
        copy_id = import_(engine, file)
    except Invalid as refusal:
        assert set(refusal.errors) == {"file"} and refusal.errors["file"]
        assert row_counts(engine) == before
        return
    exported = export(engine, copy_id)
    assert export(engine, import_(engine, exported)) == exported


def test_a_file_without_its_workshop_says_so(demo):
    engine, workshop_id = demo
    document = _document(engine, workshop_id)
    del document["workshop"]
    assert refused(engine, _dumped(document)) == "The file: workshop is missing."


def test_unrevealed_prework_stays_out_of_the_file(demo_engine):
    with writing(demo_engine) as session:
        workshop_id = session.exec(select_rows(Workshop.id).where(Workshop.is_demo)).one()
        for state in session.exec(select_rows(StepState)
                                  .where(StepState.workshop_id == workshop_id)).all():
            if state.step in (Step.MISSION, Step.SOLUTIONS):
                state.revealed_at = None
                session.add(state)
    with reading(demo_engine) as session:
        document = json.loads(export_workshop(session, workshop_id))
    assert document["partner_missions"] == []
    assert document["stances"] == [] and document["fixed_constraints"] == []
    assert document["expected_results"] and document["capacity"]  # revealed steps stay
    assert "Help people in Riverbend" not in json.dumps(document)
    # an export of the import is the same file: the round trip stays exact
    with writing(demo_engine) as session:
        copy = import_workshop(session, export_workshop(session, workshop_id), actor="test")
    with reading(demo_engine) as session:
        first, second = export_workshop(session, workshop_id), export_workshop(session, copy)
    assert json.loads(first)["stances"] == json.loads(second)["stances"] == []
