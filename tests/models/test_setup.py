"""Set-up: creating a workshop, its partners and people, its topics and its decision rule, with
every refusal keyed to the field that caused it and every write audited."""

from __future__ import annotations

import math

import pytest
from sqlmodel import func, select

from models import library, setup
from models.db import reading, writing
from models.palette import PARTNER_COLOURS
from models.schema import (
    AuditEvent,
    Participant,
    Partner,
    PreworkProgress,
    Stance,
    StepState,
    Topic,
    TopicKind,
    Workshop,
)
from models.validation import Conflict, Invalid, parse

THREE_PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
SPRING = {"name": "Spring workshop", "held_on": "2027-03-04"}


def _partner(name: str, colour: str, kind: str = "other") -> dict:
    return {"name": name, "kind": kind, "colour": colour}


def _create(session, *, workshop=None, partners=None) -> Workshop:
    return setup.create_workshop(session, workshop=SPRING if workshop is None else workshop,
                                 partners=THREE_PARTNERS if partners is None else partners,
                                 actor="facilitator")


def _errors(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _count(session, column, *where) -> int:
    return session.exec(select(func.count(column)).where(*where)).one()


@pytest.fixture
def workshop_id(engine) -> int:
    """A workshop with the three partners of THREE_PARTNERS."""
    with writing(engine) as session:
        return _create(session).id


def _partner_ids(engine, workshop_id) -> list[int]:
    with reading(engine) as session:
        return list(session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                                 .order_by(Partner.position)).all())


# --- creating a workshop -------------------------------------------------------------------------


def test_create_workshop_makes_its_four_steps_and_a_prework_per_partner(engine):
    with writing(engine) as session:
        workshop = _create(session)

    with reading(engine) as session:
        steps = session.exec(select(StepState).where(StepState.workshop_id == workshop.id)
                             .order_by(StepState.id)).all()
        partners = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                                .order_by(Partner.position)).all()
        prework = session.exec(select(PreworkProgress.partner_id)
                               .order_by(PreworkProgress.partner_id)).all()
    assert [s.step for s in steps] == ["mission", "expectations", "solutions", "pacing"]
    assert {s.status for s in steps} == {"not_started"}
    assert [(p.name, p.kind, p.colour, p.position) for p in partners] == [
        ("Riverbend CMHC", "behavioral_health", "#0072B2", 0),
        ("Northside FHC", "primary_care", "#E69F00", 1),
        ("Marlow County", "other", "#009E73", 2),
    ]
    assert list(prework) == sorted(p.id for p in partners)
    assert workshop.name == "Spring workshop"
    assert workshop.held_on.isoformat() == "2027-03-04"
    assert (workshop.rule_min_support, workshop.rule_block_from, workshop.version) == (0.75, 7, 1)


def test_create_workshop_strips_whitespace_around_what_was_typed(engine):
    partners = [_partner("  Riverbend CMHC ", " #0072B2 "),
                _partner("\tNorthside FHC\n", "#E69F00")]

    with writing(engine) as session:
        workshop = _create(session, workshop={"name": "  Spring workshop  ",
                                              "held_on": "2027-03-04"}, partners=partners)

    with reading(engine) as session:
        stored = session.exec(select(Partner.name, Partner.colour).order_by(Partner.position)).all()
        assert session.get(Workshop, workshop.id).name == "Spring workshop"
    assert [tuple(row) for row in stored] == [("Riverbend CMHC", "#0072B2"),
                                              ("Northside FHC", "#E69F00")]


@pytest.mark.parametrize("held_on", ["2000-01-01", "2100-12-31"])
def test_create_workshop_accepts_the_first_and_last_day_of_its_date_range(engine, held_on):
    with writing(engine) as session:
        workshop = _create(session, workshop={"name": "Edge", "held_on": held_on})

    assert workshop.held_on.isoformat() == held_on


def _nine_partners() -> list[dict]:
    return [_partner(f"Partner {i}", f"#00000{i}") for i in range(9)]


CREATE_REFUSALS = {
    "empty name": ({"name": "   ", "held_on": "2027-03-04"}, THREE_PARTNERS, {"name"}),
    "missing name": ({"held_on": "2027-03-04"}, THREE_PARTNERS, {"name"}),
    "date that is no date": ({"name": "W", "held_on": "next tuesday"}, THREE_PARTNERS,
                             {"held_on"}),
    "date before 2000": ({"name": "W", "held_on": "1999-12-31"}, THREE_PARTNERS, {"held_on"}),
    "date after 2100": ({"name": "W", "held_on": "2101-01-01"}, THREE_PARTNERS, {"held_on"}),
    "one partner": (SPRING, THREE_PARTNERS[:1], {"partners"}),
    "nine partners": (SPRING, _nine_partners(), {"partners"}),
    "same name in other case": (SPRING, [_partner("Northside FHC", "#0072B2"),
                                         _partner("NORTHSIDE fhc ", "#E69F00")],
                                {"partners.1.name"}),
    "same colour in other case": (SPRING, [*THREE_PARTNERS[:2], _partner("Marlow", "#0072b2")],
                                  {"partners.2.colour"}),
    "unknown kind": (SPRING, [_partner("Hospital", "#0072B2", kind="hospital"),
                              THREE_PARTNERS[1]], {"partners.0.kind"}),
    "colour by name": (SPRING, [THREE_PARTNERS[0], _partner("Northside", "orange")],
                       {"partners.1.colour"}),
    "colour too long": (SPRING, [THREE_PARTNERS[0], _partner("Northside", "#E69F001")],
                        {"partners.1.colour"}),
    "partner without a name": (SPRING, [*THREE_PARTNERS[:2], _partner(" ", "#009E73")],
                               {"partners.2.name"}),
    "several problems at once": ({"name": "", "held_on": "someday"},
                                 [_partner("", "#0072B2")],
                                 {"name", "held_on", "partners", "partners.0.name"}),
}


@pytest.mark.parametrize("case", CREATE_REFUSALS.values(), ids=CREATE_REFUSALS.keys())
def test_create_workshop_refuses_bad_input_keyed_by_field(engine, case):
    workshop, partners, expected_keys = case

    with writing(engine) as session:
        errors = _errors(_create, session, workshop=workshop, partners=partners)

    assert set(errors) == expected_keys


def test_create_workshop_says_plainly_what_is_wrong(engine):
    with writing(engine) as session:
        errors = _errors(_create, session, workshop={"name": "W", "held_on": "2101-01-01"},
                         partners=THREE_PARTNERS[:1])

    assert errors == {"held_on": "Please give a date between 2000 and 2100.",
                      "partners": "A workshop has 2 to 8 partners."}


def test_a_refused_create_writes_nothing(engine):
    clashing = [*THREE_PARTNERS[:2], _partner("Marlow County", "#0072B2")]

    with writing(engine) as session:
        with pytest.raises(Invalid):
            _create(session, partners=clashing)
        session.flush()
        counts = [_count(session, table.id) for table in
                  (Workshop, Partner, StepState, PreworkProgress, AuditEvent)]

    assert counts == [0, 0, 0, 0, 0]


# --- partners and their people -------------------------------------------------------------------


def test_add_partner_puts_the_new_partner_last_with_its_own_prework(engine, workshop_id):
    with writing(engine) as session:
        partner = setup.add_partner(session, workshop_id=workshop_id, actor="facilitator",
                                    data=_partner("Marlow Health Plan", "#D55E00"))

    with reading(engine) as session:
        assert partner.position == 3
        assert _count(session, PreworkProgress.id, PreworkProgress.partner_id == partner.id) == 1
        assert _count(session, Partner.id, Partner.workshop_id == workshop_id) == 4


def test_add_partner_refuses_a_ninth_partner(engine):
    eight = [_partner(f"Partner {name}", colour) for name, colour in PARTNER_COLOURS.items()]
    with writing(engine) as session:
        workshop = _create(session, partners=eight)

    with writing(engine) as session:
        errors = _errors(setup.add_partner, session, workshop_id=workshop.id, actor="facilitator",
                         data=_partner("Partner nine", "#123456"))

    with reading(engine) as session:
        assert _count(session, Partner.id, Partner.workshop_id == workshop.id) == 8
    assert set(errors) == {"form"}


@pytest.mark.parametrize(("data", "key"), [
    (_partner("northside fhc", "#D55E00"), "name"),
    (_partner("Marlow Health Plan", "#e69f00"), "colour"),
])
def test_add_partner_refuses_a_name_or_colour_already_in_the_workshop(engine, workshop_id, data,
                                                                      key):
    with writing(engine) as session:
        errors = _errors(setup.add_partner, session, workshop_id=workshop_id,
                         actor="facilitator", data=data)

    assert set(errors) == {key}


def test_delete_partner_refuses_to_leave_fewer_than_two(engine):
    with writing(engine) as session:
        workshop = _create(session, partners=THREE_PARTNERS[:2])
    first, _second = _partner_ids(engine, workshop.id)

    with writing(engine) as session:
        errors = _errors(setup.delete_partner, session, partner_id=first, actor="facilitator")

    assert set(errors) == {"form"}
    assert len(_partner_ids(engine, workshop.id)) == 2


def test_delete_partner_removes_one_of_three(engine, workshop_id):
    first, second, third = _partner_ids(engine, workshop_id)

    with writing(engine) as session:
        setup.delete_partner(session, partner_id=second, actor="facilitator")

    assert _partner_ids(engine, workshop_id) == [first, third]


def test_update_partner_with_a_stale_version_raises_conflict_and_changes_nothing(engine,
                                                                               workshop_id):
    partner_id = _partner_ids(engine, workshop_id)[0]
    with writing(engine) as session:
        setup.update_partner(session, partner_id=partner_id, expected_version=1,
                             actor="first window",
                             data=_partner("Riverbend Behavioral Health", "#0072B2",
                                           "behavioral_health"))

    with pytest.raises(Conflict) as caught, writing(engine) as session:
        setup.update_partner(session, partner_id=partner_id, expected_version=1,
                             actor="second window",
                             data=_partner("Riverbend Mental Health", "#CC79A7",
                                           "behavioral_health"))

    with reading(engine) as session:
        row = session.get(Partner, partner_id)
    assert (row.name, row.colour, row.version) == ("Riverbend Behavioral Health", "#0072B2", 2)
    assert caught.value.current["name"] == "Riverbend Behavioral Health"
    assert caught.value.current["version"] == 2


@pytest.mark.parametrize(("email", "stored"), [
    ("", ""),
    ("  dana@riverbend.example.org ", "dana@riverbend.example.org"),
])
def test_add_participant_accepts_an_email_or_none(engine, workshop_id, email, stored):
    partner_id = _partner_ids(engine, workshop_id)[0]

    with writing(engine) as session:
        person = setup.add_participant(session, partner_id=partner_id, actor="facilitator",
                                       data={"name": "Dana Whitfield", "email": email})

    with reading(engine) as session:
        assert session.get(Participant, person.id).email == stored


@pytest.mark.parametrize("email", ["not-an-email", "dana@", "dana@riverbend", "da na@x.org"])
def test_add_participant_refuses_what_is_not_an_email(engine, workshop_id, email):
    partner_id = _partner_ids(engine, workshop_id)[0]

    with writing(engine) as session:
        errors = _errors(setup.add_participant, session, partner_id=partner_id,
                         actor="facilitator", data={"name": "Dana Whitfield", "email": email})

    assert set(errors) == {"email"}


# --- topics: what a topic needs ------------------------------------------------------------------


def _topic(kind: str, **fields) -> dict:
    return {"title": "Rent for the room", "category": "space and scheduling", "kind": kind,
            **fields}


TOPIC_REFUSALS = {
    "number without bounds": (_topic("numeric"), {"lower_bound", "upper_bound"}),
    "number without upper bound": (_topic("numeric", lower_bound=0), {"upper_bound"}),
    "number without lower bound": (_topic("numeric", upper_bound=10), {"lower_bound"}),
    "equal bounds": (_topic("numeric", lower_bound=5, upper_bound=5), {"upper_bound"}),
    "bounds upside down": (_topic("numeric", lower_bound=10, upper_bound=5), {"upper_bound"}),
    "lower bound NaN": (_topic("numeric", lower_bound=math.nan, upper_bound=5), {"lower_bound"}),
    "lower bound 'nan' as text": (_topic("numeric", lower_bound="nan", upper_bound=5),
                                  {"lower_bound"}),
    "upper bound infinite": (_topic("numeric", lower_bound=0, upper_bound=math.inf),
                             {"upper_bound"}),
    "lower bound minus infinity": (_topic("numeric", lower_bound=-math.inf, upper_bound=5),
                                   {"lower_bound"}),
    "bound beyond a trillion": (_topic("numeric", lower_bound=0, upper_bound=2e12),
                                {"upper_bound"}),
    "bound that is no number": (_topic("numeric", lower_bound="ten", upper_bound=20),
                                {"lower_bound"}),
    "no options": (_topic("options"), {"options"}),
    "one option": (_topic("options", options=["Weekly"]), {"options"}),
    "one option and a blank": (_topic("options", options=["Weekly", "   "]), {"options"}),
    "same option twice": (_topic("options", options=["Weekly", " weekly "]), {"options"}),
    "option too long": (_topic("options", options=["Weekly", "x" * 201]), {"options"}),
    "unknown kind": (_topic("slider"), {"kind"}),
    "no title": ({**_topic("text"), "title": " "}, {"title"}),
}


@pytest.mark.parametrize("case", TOPIC_REFUSALS.values(), ids=TOPIC_REFUSALS.keys())
def test_topic_input_refuses_what_its_kind_cannot_use(case):
    data, expected_keys = case

    errors = _errors(parse, setup.TopicIn, data)

    assert set(errors) == expected_keys


@pytest.mark.parametrize("data", [
    _topic("numeric", lower_bound=0, upper_bound=6000, unit="dollars a month"),
    _topic("numeric", lower_bound=-1e12, upper_bound=1e12),
    _topic("options", options=["Weekly", "Monthly"]),
    _topic("text"),
], ids=["number", "widest number", "two options", "text"])
def test_topic_input_accepts_what_its_kind_needs(data):
    topic_in = parse(setup.TopicIn, data)

    assert topic_in.kind == data["kind"]


def test_cleaned_number_topic_keeps_bounds_and_unit_and_drops_options():
    topic_in = parse(setup.TopicIn, _topic("numeric", lower_bound=0, upper_bound=6000,
                                           unit="dollars", options=["Weekly", "Monthly"]))

    cleaned = topic_in.cleaned()

    assert (cleaned["lower_bound"], cleaned["upper_bound"], cleaned["unit"]) == (0, 6000,
                                                                                 "dollars")
    assert cleaned["options"] == []


def test_cleaned_options_topic_drops_bounds_and_unit_and_trims_options():
    topic_in = parse(setup.TopicIn, _topic("options", lower_bound=0, upper_bound=10,
                                           unit="dollars", options=[" Weekly ", "", "Monthly"]))

    cleaned = topic_in.cleaned()

    assert (cleaned["lower_bound"], cleaned["upper_bound"], cleaned["unit"]) == (None, None, "")
    assert cleaned["options"] == ["Weekly", "Monthly"]


def test_cleaned_text_topic_drops_bounds_unit_and_options():
    topic_in = parse(setup.TopicIn, _topic("text", lower_bound=0, upper_bound=10, unit="days",
                                           options=["Weekly", "Monthly"]))

    cleaned = topic_in.cleaned()

    assert cleaned == {"title": "Rent for the room", "category": "space and scheduling",
                       "description": "", "kind": TopicKind.TEXT, "unit": "",
                       "lower_bound": None, "upper_bound": None, "options": []}


def test_options_from_lines_keeps_each_non_blank_line_trimmed():
    assert setup.options_from_lines(" Weekly \n\n  \nMonthly\r\nEvery six weeks") == [
        "Weekly", "Monthly", "Every six weeks"]


# --- topics: adding and changing -----------------------------------------------------------------


def test_add_topic_numbers_topics_in_the_order_added(engine, workshop_id):
    with writing(engine) as session:
        first = setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                                data=_topic("text", title="Crisis protocol"))
        second = setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                                 data=_topic("options", title="Billing",
                                             options=["We bill", "You bill"]))

    assert (first.position, second.position) == (0, 1)
    assert second.options == ["We bill", "You bill"]


def test_add_topic_refuses_a_title_already_used_in_another_case(engine, workshop_id):
    with writing(engine) as session:
        setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                        data=_topic("text", title="Rent for the room"))

    with writing(engine) as session:
        errors = _errors(setup.add_topic, session, workshop_id=workshop_id, actor="facilitator",
                         data=_topic("text", title="  RENT FOR THE ROOM "))

    assert set(errors) == {"title"}


def test_add_topic_refuses_a_title_differing_only_in_the_case_of_an_accented_letter(
        engine, workshop_id):
    with writing(engine) as session:
        setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                        data=_topic("text", title="Éxito compartido"))

    with writing(engine) as session:
        errors = _errors(setup.add_topic, session, workshop_id=workshop_id, actor="facilitator",
                         data=_topic("text", title="éxito compartido"))

    assert set(errors) == {"title"}


def test_add_topic_allows_the_same_title_in_another_workshop(engine, workshop_id):
    with writing(engine) as session:
        other = _create(session, workshop={"name": "Autumn workshop", "held_on": "2027-10-01"})
        setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                        data=_topic("text"))
        again = setup.add_topic(session, workshop_id=other.id, actor="facilitator",
                                data=_topic("text"))

    assert again.title == "Rent for the room"


def test_add_library_topics_adds_each_library_topic_once_over_two_calls(engine, workshop_id):
    keys = list(library.topics())

    with writing(engine) as session:
        first = setup.add_library_topics(session, workshop_id=workshop_id, keys=keys,
                                         actor="facilitator")
    with writing(engine) as session:
        second = setup.add_library_topics(session, workshop_id=workshop_id, keys=keys,
                                          actor="facilitator")

    with reading(engine) as session:
        stored = session.exec(select(Topic.library_key).where(Topic.workshop_id == workshop_id)
                              .order_by(Topic.position)).all()
    assert [t.library_key for t in first] == keys
    assert second == []
    assert list(stored) == keys


def test_add_library_topics_skips_a_key_given_twice_in_one_call(engine, workshop_id):
    with writing(engine) as session:
        added = setup.add_library_topics(session, workshop_id=workshop_id,
                                         keys=["space-rent", "space-rent"], actor="facilitator")

    with reading(engine) as session:
        stored = session.exec(select(Topic.library_key)
                              .where(Topic.workshop_id == workshop_id)).all()
    assert [t.library_key for t in added] == ["space-rent"]
    assert list(stored) == ["space-rent"]


def test_add_library_topics_refuses_unknown_keys_and_adds_none(engine, workshop_id):
    with writing(engine) as session:
        errors = _errors(setup.add_library_topics, session, workshop_id=workshop_id,
                         keys=["space-rent", "no-such-topic"], actor="facilitator")
        session.flush()
        count = _count(session, Topic.id, Topic.workshop_id == workshop_id)

    assert errors == {"library": "These topics are not in the library: no-such-topic."}
    assert count == 0


def test_add_library_topics_copies_the_library_entry(engine, workshop_id):
    entry = library.topics()["space-rent"]

    with writing(engine) as session:
        (topic,) = setup.add_library_topics(session, workshop_id=workshop_id,
                                            keys=["space-rent"], actor="facilitator")

    assert (topic.title, topic.category, topic.kind, topic.unit, topic.lower_bound,
            topic.upper_bound) == (entry.title, entry.category, entry.kind, entry.unit,
                                   entry.lower_bound, entry.upper_bound)


def _topic_with_stance(engine, workshop_id) -> int:
    partner_id = _partner_ids(engine, workshop_id)[0]
    with writing(engine) as session:
        topic = setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                                data=_topic("text", title="Crisis protocol"))
        session.add(Stance(topic_id=topic.id, partner_id=partner_id))
        return topic.id


def test_update_topic_refuses_a_new_kind_once_a_partner_has_a_stance(engine, workshop_id):
    topic_id = _topic_with_stance(engine, workshop_id)

    with writing(engine) as session:
        errors = _errors(setup.update_topic, session, topic_id=topic_id, expected_version=1,
                         actor="facilitator",
                         data=_topic("options", title="Crisis protocol",
                                     options=["Call 988", "Call the county team"]))

    with reading(engine) as session:
        assert session.get(Topic, topic_id).kind == "text"
    assert set(errors) == {"kind"}


def test_update_topic_still_allows_other_changes_once_a_partner_has_a_stance(engine,
                                                                             workshop_id):
    topic_id = _topic_with_stance(engine, workshop_id)

    with writing(engine) as session:
        topic = setup.update_topic(session, topic_id=topic_id, expected_version=1,
                                   actor="facilitator",
                                   data=_topic("text", title="Crisis protocol",
                                               description="Who is called first"))

    assert (topic.description, topic.version) == ("Who is called first", 2)


def test_update_topic_changes_kind_while_nobody_has_a_stance(engine, workshop_id):
    with writing(engine) as session:
        topic = setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                                data=_topic("text"))

    with writing(engine) as session:
        topic = setup.update_topic(session, topic_id=topic.id, expected_version=1,
                                   actor="facilitator",
                                   data=_topic("numeric", lower_bound=0, upper_bound=6000))

    assert (topic.kind, topic.lower_bound, topic.upper_bound) == ("numeric", 0, 6000)


def test_update_topic_refuses_the_title_of_another_topic(engine, workshop_id):
    with writing(engine) as session:
        setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                        data=_topic("text", title="Crisis protocol"))
        topic = setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                                data=_topic("text", title="Billing"))

    with writing(engine) as session:
        errors = _errors(setup.update_topic, session, topic_id=topic.id, expected_version=1,
                         actor="facilitator", data=_topic("text", title="crisis PROTOCOL"))

    assert set(errors) == {"title"}


# --- the decision rule ---------------------------------------------------------------------------


def test_set_decision_rule_stores_a_percentage_as_a_fraction(engine, workshop_id):
    with writing(engine) as session:
        workshop = setup.set_decision_rule(
            session, workshop_id=workshop_id, expected_version=1, actor="facilitator",
            data={"min_support_percent": 80, "block_from": 6, "ratings_by": "partner"})

    with reading(engine) as session:
        stored = session.get(Workshop, workshop.id)
    assert stored.rule_min_support == 0.8
    assert (stored.rule_block_from, stored.ratings_by, stored.version) == (6, "partner", 2)


@pytest.mark.parametrize(("data", "key"), [
    ({"min_support_percent": 40, "block_from": 7}, "min_support_percent"),
    ({"min_support_percent": 101, "block_from": 7}, "min_support_percent"),
    ({"min_support_percent": 75, "block_from": 4}, "block_from"),
    ({"min_support_percent": 75, "block_from": 9}, "block_from"),
    ({"min_support_percent": 75, "block_from": 7, "ratings_by": "everyone"}, "ratings_by"),
])
def test_set_decision_rule_refuses_a_rule_out_of_range(engine, workshop_id, data, key):
    with writing(engine) as session:
        errors = _errors(setup.set_decision_rule, session, workshop_id=workshop_id, data=data,
                         expected_version=1, actor="facilitator")

    assert set(errors) == {key}


def test_set_decision_rule_refuses_any_change_once_ratings_exist(demo_engine):
    with reading(demo_engine) as session:
        workshop = session.exec(select(Workshop)).one()

    with writing(demo_engine) as session:
        errors = _errors(setup.set_decision_rule, session, workshop_id=workshop.id,
                         expected_version=workshop.version, actor="facilitator",
                         data={"min_support_percent": 60, "block_from": 8})

    with reading(demo_engine) as session:
        stored = session.get(Workshop, workshop.id)
    assert set(errors) == {"form"}
    assert (stored.rule_min_support, stored.rule_block_from) == (0.75, 7)


def test_count_ratings_counts_every_rating_in_the_demo(demo_engine):
    # Two mission drafts rated by all five people (10), two rounds on three topics (30), one
    # round on three more (15): 55 ratings.
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id)).one()
        assert setup.count_ratings(session, workshop_id) == 55


# --- audit ---------------------------------------------------------------------------------------


def test_create_workshop_audits_the_workshop_and_each_partner(engine):
    with writing(engine) as session:
        workshop = _create(session)

    with reading(engine) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action, e.entity, e.workshop_id) for e in events] == [
        ("facilitator", "create", "workshop", None),
        ("facilitator", "create", "partner", workshop.id),
        ("facilitator", "create", "partner", workshop.id),
        ("facilitator", "create", "partner", workshop.id),
    ]
    assert events[0].before is None
    assert events[0].after["name"] == "Spring workshop"
    assert [e.after["name"] for e in events[1:]] == [p["name"] for p in THREE_PARTNERS]


def test_an_update_audits_the_row_before_and_after(engine, workshop_id):
    partner_id = _partner_ids(engine, workshop_id)[1]

    with writing(engine) as session:
        setup.update_partner(session, partner_id=partner_id, expected_version=1,
                             actor="facilitator:ana",
                             data=_partner("Northside Family Health", "#E69F00",
                                           "primary_care"))

    with reading(engine) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.action, event.entity, event.entity_id, event.workshop_id) == (
        "facilitator:ana", "update", "partner", partner_id, workshop_id)
    assert (event.before["name"], event.before["version"]) == ("Northside FHC", 1)
    assert (event.after["name"], event.after["version"]) == ("Northside Family Health", 2)


def test_a_delete_audits_the_row_it_removed(engine, workshop_id):
    third = _partner_ids(engine, workshop_id)[2]

    with writing(engine) as session:
        setup.delete_partner(session, partner_id=third, actor="facilitator")

    with reading(engine) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.entity, event.entity_id) == ("delete", "partner", third)
    assert event.before["name"] == "Marlow County"
    assert event.after is None
