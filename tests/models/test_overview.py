"""What the set-up screens read: the list of workshops, one workshop's set-up, and the little a
link holder may see before their forms open."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import overview, setup
from models.db import reading, writing
from models.schema import Partner, Step, StepState

RIVERBEND = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
LAKESIDE = [
    {"name": "Lakeside Counseling", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Lakeside Family Practice", "kind": "primary_care", "colour": "#E69F00"},
]


def _workshop(session, name: str, held_on: str, partners: list[dict]) -> int:
    return setup.create_workshop(session, workshop={"name": name, "held_on": held_on},
                                 partners=partners, actor="facilitator").id


def _partner_ids(session, workshop_id: int) -> list[int]:
    return list(session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                             .order_by(Partner.position)).all())


def _add_text_topic(session, workshop_id: int, title: str) -> None:
    setup.add_topic(session, workshop_id=workshop_id, actor="facilitator",
                    data={"title": title, "category": "governance", "kind": "text"})


def _add_person(session, partner_id: int, name: str) -> None:
    setup.add_participant(session, partner_id=partner_id, actor="facilitator",
                          data={"name": name})


@pytest.fixture
def two_workshops(engine) -> dict[str, int]:
    """Riverbend (3 partners, 2 topics, held later) and Lakeside (2 partners, no topics)."""
    with writing(engine) as session:
        lakeside = _workshop(session, "Lakeside", "2027-01-15", LAKESIDE)
        riverbend = _workshop(session, "Riverbend", "2027-03-04", RIVERBEND)
        _add_text_topic(session, riverbend, "How we settle disagreements")
        _add_text_topic(session, riverbend, "Crisis protocol")
        return {"riverbend": riverbend, "lakeside": lakeside}


# --- the list of workshops -----------------------------------------------------------------------


def test_list_workshops_counts_partners_and_topics_newest_first(engine, two_workshops):
    with reading(engine) as session:
        cards = overview.list_workshops(session)

    assert [(c.id, c.name, c.held_on, c.partners, c.topics, c.is_demo) for c in cards] == [
        (two_workshops["riverbend"], "Riverbend", "2027-03-04", 3, 2, False),
        (two_workshops["lakeside"], "Lakeside", "2027-01-15", 2, 0, False),
    ]


def test_list_workshops_is_empty_without_workshops(engine):
    with reading(engine) as session:
        assert overview.list_workshops(session) == []


def test_list_workshops_marks_the_demo(demo_engine):
    with reading(demo_engine) as session:
        (card,) = overview.list_workshops(session)

    assert (card.partners, card.topics, card.is_demo) == (3, 8, True)


# --- one workshop's set-up -----------------------------------------------------------------------


def test_setup_view_orders_the_steps_mission_to_pacing_whatever_their_row_order(
        engine, two_workshops):
    workshop_id = two_workshops["riverbend"]
    with writing(engine) as session:
        for row in session.exec(select(StepState)
                                .where(StepState.workshop_id == workshop_id)).all():
            session.delete(row)
        session.flush()
        for step in reversed(list(Step)):
            session.add(StepState(workshop_id=workshop_id, step=step))

    with reading(engine) as session:
        view = overview.setup_view(session, workshop_id)

    assert [s.step for s in view.steps] == ["mission", "expectations", "solutions", "pacing"]


def test_setup_view_groups_people_under_their_own_partner(engine, two_workshops):
    workshop_id = two_workshops["riverbend"]
    with writing(engine) as session:
        cmhc, fqhc, _county = _partner_ids(session, workshop_id)
        lakeside_partner = _partner_ids(session, two_workshops["lakeside"])[0]
        _add_person(session, fqhc, "Dr. Priya Raman")
        _add_person(session, cmhc, "Dana Whitfield")
        _add_person(session, lakeside_partner, "Someone from Lakeside")
        _add_person(session, fqhc, "Luis Carrasco")
        _add_person(session, cmhc, "Marcus Oyelaran")

    with reading(engine) as session:
        view = overview.setup_view(session, workshop_id)

    assert view.workshop.name == "Riverbend"
    assert [(pv.partner.name, [p.name for p in pv.people]) for pv in view.partners] == [
        ("Riverbend CMHC", ["Dana Whitfield", "Marcus Oyelaran"]),
        ("Northside FHC", ["Dr. Priya Raman", "Luis Carrasco"]),
        ("Marlow County", []),
    ]
    assert [t.title for t in view.topics] == ["How we settle disagreements", "Crisis protocol"]


def test_setup_view_of_a_missing_workshop_is_none(engine, two_workshops):
    with reading(engine) as session:
        assert overview.setup_view(session, 999) is None


# --- what a link holder sees ---------------------------------------------------------------------


def test_link_holder_view_shows_the_workshop_and_the_partners_people(engine, two_workshops):
    workshop_id = two_workshops["riverbend"]
    with writing(engine) as session:
        fqhc = _partner_ids(session, workshop_id)[1]
        _add_person(session, fqhc, "Dr. Priya Raman")
        _add_person(session, fqhc, "Luis Carrasco")

    with reading(engine) as session:
        view = overview.link_holder_view(session, workshop_id=workshop_id, partner_id=fqhc)

    assert (view.workshop_name, view.held_on, view.partner_name) == (
        "Riverbend", "2027-03-04", "Northside FHC")
    assert sorted(view.people) == ["Dr. Priya Raman", "Luis Carrasco"]


def test_link_holder_view_for_the_review_names_no_partner(engine, two_workshops):
    with reading(engine) as session:
        view = overview.link_holder_view(session, workshop_id=two_workshops["lakeside"],
                                         partner_id=None)

    assert (view.workshop_name, view.partner_name, view.people) == ("Lakeside", None, [])


def test_link_holder_view_refuses_a_partner_of_another_workshop(engine, two_workshops):
    with reading(engine) as session:
        lakeside_partner = _partner_ids(session, two_workshops["lakeside"])[0]
        view = overview.link_holder_view(session, workshop_id=two_workshops["riverbend"],
                                         partner_id=lakeside_partner)

    assert view is None


def test_link_holder_view_of_a_missing_workshop_is_none(engine, two_workshops):
    with reading(engine) as session:
        assert overview.link_holder_view(session, workshop_id=999, partner_id=None) is None
