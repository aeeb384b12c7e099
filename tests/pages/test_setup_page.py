"""The set-up screen, driven as a facilitator drives it."""

from __future__ import annotations

from sqlmodel import select

from models.db import reading, writing
from models.schema import Participant, Partner, Topic, TopicKind, Workshop
from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app


def facilitator_app(engine, workshop_id):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    return at.run()


def click(at, label):
    next(button for button in at.button if button.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at):
    return [e.value for e in at.error]


def test_facilitator_sets_up_a_three_partner_workshop(app_db):
    at = facilitator_app(app_db, demo_workshop_id(app_db))
    click(at, "New workshop")
    assert at.subheader[0].value == "A new workshop"

    at.number_input(key="new_count").set_value(3).run()
    at.text_input(key="new_p0_name").input("Lakeside Behavioral Health")
    at.text_input(key="new_p1_name").input("lakeside behavioral health")
    at.selectbox(key="new_p1_kind").set_value("primary_care")
    at.text_input(key="new_p2_name").input("Bay County Health")
    at.selectbox(key="new_p2_colour").set_value("Blue")
    at.selectbox(key="new_p2_kind").set_value("other")
    click(at, "Create workshop")
    assert sorted(errors(at)) == sorted([
        "Please fill this in.",  # the partnership's name
        "Two partners have this name; please tell them apart.",
        "Another partner has this colour; please pick another.",
    ])
    assert at.text_input(key="new_p0_name").value == "Lakeside Behavioral Health"
    assert at.selectbox(key="new_p1_kind").value == "primary_care"

    at.text_input(key="new_name").input("Lakeside Partnership")
    at.text_input(key="new_p1_name").input("Harbor FQHC")
    at.selectbox(key="new_p2_colour").set_value("Bluish green")
    click(at, "Create workshop")
    assert errors(at) == []
    assert at.success[0].value.startswith("Workshop “Lakeside Partnership” created")
    assert at.subheader[0].value.startswith("Lakeside Partnership")

    with reading(app_db) as session:
        workshop = session.exec(select(Workshop)
                                .where(Workshop.name == "Lakeside Partnership")).one()
        partners = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                                .order_by(Partner.position)).all()
    assert [(p.name, p.kind.value, p.colour) for p in partners] == [
        ("Lakeside Behavioral Health", "behavioral_health", "#0072B2"),
        ("Harbor FQHC", "primary_care", "#E69F00"),
        ("Bay County Health", "other", "#009E73"),
    ]


def test_people_are_added_edited_and_removed_with_their_email_checked(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id,
                                                     Partner.name == "Only BH")).one()
    at = facilitator_app(app_db, workshop_id)
    prefix = f"person_new{partner.id}"
    at.text_input(key=f"{prefix}_name").input("Sam Ortiz")
    at.text_input(key=f"{prefix}_role").input("Therapist")
    at.text_input(key=f"{prefix}_email").input("sam at lakeside")
    at.button(key=f"{prefix}_add").click().run()
    assert errors(at) == ["This does not look like an email address (name@example.org)."]
    assert at.text_input(key=f"{prefix}_name").value == "Sam Ortiz"

    at.text_input(key=f"{prefix}_email").input("sam@lakeside.example.org")
    at.button(key=f"{prefix}_add").click().run()
    assert errors(at) == []
    assert at.text_input(key=f"{prefix}_name").value == ""
    with reading(app_db) as session:
        people = session.exec(select(Participant).where(Participant.partner_id == partner.id)).all()
    assert [(p.name, p.role, p.email) for p in people] == [
        ("Sam Ortiz", "Therapist", "sam@lakeside.example.org")]

    person_id = people[0].id
    at.text_input(key=f"person{person_id}_role").input("Lead therapist")
    at.text_input(key=f"person{person_id}_email").input("nope")
    at.button(key=f"person{person_id}_save").click().run()
    assert errors(at) == ["This does not look like an email address (name@example.org)."]
    at.text_input(key=f"person{person_id}_email").input("sam.ortiz@lakeside.example.org")
    at.button(key=f"person{person_id}_save").click().run()
    assert errors(at) == []
    with reading(app_db) as session:
        person = session.get(Participant, person_id)
    assert (person.role, person.email) == ("Lead therapist", "sam.ortiz@lakeside.example.org")

    at.button(key=f"person{person_id}_remove").click().run()
    with reading(app_db) as session:
        assert session.get(Participant, person_id) is None


def test_topics_come_from_the_library_or_are_written_new(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    at.multiselect(key="library_pick").select("warm-handoff-response-time").select("billing-entity")
    at.run()
    at.button(key="library_add").click().run()
    assert at.success[0].value == "2 topics added from the library."

    at.text_input(key="topic_new_title").input("Evening clinic hours")
    at.radio(key="topic_new_kind").set_value(TopicKind.NUMERIC).run()
    at.text_input(key="topic_new_unit").input("hours per week")
    at.number_input(key="topic_new_lower").set_value(10)
    at.number_input(key="topic_new_upper").set_value(2)
    at.button(key="topic_new_add").click().run()
    assert errors(at) == ["The highest value must be above the lowest."]
    assert at.text_input(key="topic_new_title").value == "Evening clinic hours"

    at.number_input(key="topic_new_upper").set_value(20)
    at.button(key="topic_new_add").click().run()
    assert errors(at) == []

    at.text_input(key="topic_new_title").input("Who answers the after-hours line")
    at.radio(key="topic_new_kind").set_value(TopicKind.OPTIONS).run()
    at.text_area(key="topic_new_options").input("The clinic")
    at.button(key="topic_new_add").click().run()
    assert errors(at) == ["Please list at least two options, one per line."]
    at.text_area(key="topic_new_options").input("The clinic\nThe mental health center\n")
    at.button(key="topic_new_add").click().run()
    assert errors(at) == []

    with reading(app_db) as session:
        topics = session.exec(select(Topic).where(Topic.workshop_id == workshop_id)
                              .order_by(Topic.position)).all()
    assert [(t.title, t.kind.value) for t in topics] == [
        ("Warm hand-off response time", "numeric"),
        ("Who bills for behavioral health visits", "options"),
        ("Evening clinic hours", "numeric"),
        ("Who answers the after-hours line", "options"),
    ]
    assert (topics[2].lower_bound, topics[2].upper_bound, topics[2].unit) == (10, 20,
                                                                              "hours per week")
    assert topics[3].options == ["The clinic", "The mental health center"]
    assert topics[1].library_key == "billing-entity"


def test_a_topic_is_edited_and_removed(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    at.multiselect(key="library_pick").select("space-rent").run()
    at.button(key="library_add").click().run()
    with reading(app_db) as session:
        topic = session.exec(select(Topic).where(Topic.workshop_id == workshop_id)).one()
    at.selectbox(key="topic_pick").set_value(topic.id).run()
    at.number_input(key=f"topic{topic.id}_upper").set_value(4500)
    at.button(key=f"topic{topic.id}_save").click().run()
    assert errors(at) == []
    with reading(app_db) as session:
        assert session.get(Topic, topic.id).upper_bound == 4500
    at.button(key=f"topic{topic.id}_remove").click().run()
    with reading(app_db) as session:
        assert session.get(Topic, topic.id) is None
    assert not [b for b in at.button if b.key == f"topic{topic.id}_save"]  # its form is gone


def test_decision_rule_is_set_before_the_first_vote_only(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    at.slider(key=f"rule{workshop_id}_support").set_value(80)
    at.radio(key=f"rule{workshop_id}_block").set_value(8)
    at.button(key=f"rule{workshop_id}_save").click().run()
    assert at.success[0].value == "Decision rule saved."
    with reading(app_db) as session:
        workshop = session.get(Workshop, workshop_id)
    assert (workshop.rule_min_support, workshop.rule_block_from) == (0.8, 8)
    assert ("Consensus when nobody rates 8 and at least 80 % of the ratings are 1 to 3."
            in [i.value for i in at.info])

    demo_id = demo_workshop_id(app_db)
    at = facilitator_app(app_db, demo_id)
    assert at.button(key=f"rule{demo_id}_save").disabled
    assert at.slider(key=f"rule{demo_id}_support").disabled


def test_a_stale_partner_edit_is_refused_and_keeps_the_input(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    with writing(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id,
                                                     Partner.name == "Only PC")).one()
        partner.name = "Renamed elsewhere"
        partner.version += 1
        session.add(partner)
    at.text_input(key=f"partner{partner.id}_name").input("My new name")
    at.button(key=f"partner{partner.id}_save").click().run()
    assert any("Someone else saved this a moment ago" in message for message in errors(at))
    assert at.text_input(key=f"partner{partner.id}_name").value == "My new name"
    with reading(app_db) as session:
        assert session.get(Partner, partner.id).name == "Renamed elsewhere"


def test_partners_are_added_and_removed_within_two_to_eight(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    with reading(app_db) as session:
        first = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                             .order_by(Partner.position)).first()
    at.checkbox(key=f"partner{first.id}_confirm_delete").check().run()
    at.button(key=f"partner{first.id}_delete").click().run()
    assert any("needs at least 2 partners" in message for message in errors(at))

    at.text_input(key="partner_new_name").input("Valley Hospital")
    at.selectbox(key="partner_new_kind").set_value("other")
    at.button(key="partner_new_add").click().run()
    assert errors(at) == []
    at.checkbox(key=f"partner{first.id}_confirm_delete").check().run()
    at.button(key=f"partner{first.id}_delete").click().run()
    with reading(app_db) as session:
        names = session.exec(select(Partner.name).where(Partner.workshop_id == workshop_id)).all()
    assert sorted(names) == ["Only PC", "Valley Hospital"]


def test_deleting_a_workshop_needs_a_confirmation(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    assert at.button(key=f"ws{workshop_id}_delete").disabled
    at.checkbox(key=f"ws{workshop_id}_confirm_delete").check().run()
    at.button(key=f"ws{workshop_id}_delete").click().run()
    assert not at.exception
    with reading(app_db) as session:
        assert session.get(Workshop, workshop_id) is None
    assert at.title[0].value == "Set-up"
