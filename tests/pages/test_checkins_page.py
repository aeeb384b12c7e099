"""The check-ins page, driven as a facilitator drives it at a check-in: bad input is refused in
words next to its field and kept as typed; a new target makes a new summary version; the story of
three check-ins reads on the laptop and on the wall; and the leadership review shows the latest
progress without a single way to change it."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models import checkins
from models import summary as summaries
from models.db import reading, writing
from models.schema import (
    CapacityActual,
    Checkin,
    LinkPurpose,
    LogEntry,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneReport,
    Partner,
)
from tests.checkin_story import A1C, ACTOR, FQHC, PHQ9, REGISTRY, record_story
from tests.pages.conftest import (
    as_role,
    demo_workshop_id,
    empty_workshop_id,
    link_token,
    new_app,
    texts,
)

PAGE = "pages/checkins.py"
SIGN_OFF = {"review_partner", "review_name", "review_title", "review_decision",
            "review_comment", "review_sign"}
WIDGETS = ("button", "checkbox", "color_picker", "date_input", "multiselect", "number_input",
           "radio", "select_slider", "selectbox", "slider", "text_area", "text_input",
           "time_input", "toggle")


def checkins_app(engine, workshop_id, *, projector=False):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.session_state["projector"] = projector
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at):
    return [e.value for e in at.error]


def open_checkin(engine, workshop_id, held_on=date(2027, 3, 1)) -> int:
    with writing(engine) as session:
        return checkins.open_checkin(session, workshop_id=workshop_id, actor=ACTOR,
                                     data={"held_on": held_on}).id


def ids_of(engine, workshop_id):
    with reading(engine) as session:
        measures = {m.library_key: m.id for m in session.exec(
            select(Measure).where(Measure.workshop_id == workshop_id)).all()}
        milestones = {m.title: m.id for m in session.exec(
            select(Milestone).where(Milestone.workshop_id == workshop_id)).all()}
        partners = {p.name: p.id for p in session.exec(
            select(Partner).where(Partner.workshop_id == workshop_id)).all()}
    return measures, milestones, partners


def test_an_empty_workshop_opens_its_first_checkin_after_a_date_is_put_right(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = checkins_app(app_db, workshop_id)
    shown = texts(at)
    assert at.title[0].value == "Check-ins"
    assert "Successes since the workshop" in shown and "Open a check-in" in shown
    at.date_input(key="ci_new_date").set_value(date(2027, 2, 1))
    at.text_input(key="ci_new_note").input("At the county office")
    click(at, "ci_new_open")
    assert errors(at) == ["A check-in comes after the workshop (1 Mar 2027); please check the "
                          "date."]
    assert at.date_input(key="ci_new_date").value == date(2027, 2, 1)
    assert at.text_input(key="ci_new_note").value == "At the county office"

    at.date_input(key="ci_new_date").set_value(date(2027, 4, 1))
    click(at, "ci_new_open")
    assert errors(at) == []
    with reading(app_db) as session:
        [checkin] = session.exec(select(Checkin).where(Checkin.workshop_id == workshop_id)).all()
    assert (checkin.held_on, checkin.note) == (date(2027, 4, 1), "At the county office")
    assert at.selectbox(key="ci_pick").value == checkin.id
    assert [t.label for t in at.tabs] == ["Measures", "Milestones", "Hours given",
                                          "Successes and disappointments", "Recalibrate",
                                          "This check-in"]
    assert "No measure has been agreed yet: agree measures in step 2 first." in texts(at)


def test_a_value_outside_the_plausible_range_is_refused_and_kept(app_db):
    workshop_id = demo_workshop_id(app_db)
    checkin_id = open_checkin(app_db, workshop_id)
    measures, _, _ = ids_of(app_db, workshop_id)
    at = checkins_app(app_db, workshop_id)
    at.selectbox(key="rd_pick").set_value(measures[PHQ9]).run()
    prefix = f"rd{checkin_id}_{measures[PHQ9]}"
    at.number_input(key=f"{prefix}_value").set_value(130.0)
    at.date_input(key=f"{prefix}_date").set_value(date(2026, 9, 1))
    at.text_input(key=f"{prefix}_source").input("Registry, February")
    click(at, f"{prefix}_save")
    assert errors(at) == [
        "This is outside what is plausible for this measure (0 to 100).",
        "This is before the baseline (30 Sep 2026): please check the date of the data."]
    assert at.number_input(key=f"{prefix}_value").value == 130.0
    assert at.text_input(key=f"{prefix}_source").value == "Registry, February"

    at.number_input(key=f"{prefix}_value").set_value(31.0)
    at.date_input(key=f"{prefix}_date").set_value(date(2027, 2, 26))
    click(at, f"{prefix}_save")
    assert errors(at) == []
    with reading(app_db) as session:
        saved = session.exec(select(MeasureReading)).one()
    assert (saved.value, saved.measured_on, saved.source) == (31, date(2027, 2, 26),
                                                               "Registry, February")
    assert "18 % of the way to the target" in texts(at)  # (31 - 28) / (45 - 28)


def test_a_slip_without_a_reason_is_refused_and_kept(app_db):
    workshop_id = demo_workshop_id(app_db)
    checkin_id = open_checkin(app_db, workshop_id, date(2027, 3, 29))
    _, milestones, _ = ids_of(app_db, workshop_id)
    at = checkins_app(app_db, workshop_id)
    at.selectbox(key="mr_pick").set_value(milestones[REGISTRY]).run()
    prefix = f"mr{checkin_id}_{milestones[REGISTRY]}"
    at.radio(key=f"{prefix}_state").set_value("slipped")
    at.number_input(key=f"{prefix}_slip").set_value(18)
    click(at, f"{prefix}_save")
    assert errors(at) == ["Please say why it slipped: the partners can only help with what "
                          "they know."]
    assert at.number_input(key=f"{prefix}_slip").value == 18
    assert at.radio(key=f"{prefix}_state").value == "slipped"

    at.text_area(key=f"{prefix}_reason").input("The vendor's link failed testing.")
    click(at, f"{prefix}_save")
    assert errors(at) == []
    with reading(app_db) as session:
        saved = session.exec(select(MilestoneReport)).one()
    assert (saved.state, saved.slip_days) == ("slipped", 18)
    assert "4 d beyond its slack" in texts(at)


def test_negative_hours_are_refused_and_kept(app_db):
    workshop_id = demo_workshop_id(app_db)
    open_checkin(app_db, workshop_id)
    _, _, partners = ids_of(app_db, workshop_id)
    at = checkins_app(app_db, workshop_id)
    at.selectbox(key="cg_partner").set_value(partners[FQHC])
    at.selectbox(key="cg_month").set_value(date(2027, 2, 1)).run()
    prefix = f"cg{partners[FQHC]}_2027_02"
    assert "It planned 60 hours." in texts(at)
    at.number_input(key=f"{prefix}_hours").set_value(-5.0)
    at.text_input(key=f"{prefix}_note").input("Flu season")
    click(at, "cg_save")
    assert errors(at) == ["Please give a number of at least 0."]
    assert at.number_input(key=f"{prefix}_hours").value == -5.0
    assert at.text_input(key=f"{prefix}_note").value == "Flu season"

    at.number_input(key=f"{prefix}_hours").set_value(55.0)
    click(at, "cg_save")
    assert errors(at) == []
    with reading(app_db) as session:
        saved = session.exec(select(CapacityActual)).one()
    assert (saved.month, saved.hours, saved.note) == (date(2027, 2, 1), 55, "Flu season")


def test_a_disappointment_without_its_lesson_is_refused_and_kept(app_db):
    workshop_id = demo_workshop_id(app_db)
    checkin_id = open_checkin(app_db, workshop_id)
    at = checkins_app(app_db, workshop_id)
    at.radio(key="cl_new_kind").set_value("disappointment")
    at.text_area(key="cl_new_text").input("Two referrals waited three weeks.")
    click(at, "cl_new_add")
    assert errors(at) == ["What did we learn? A disappointment is logged with its lesson."]
    assert at.text_area(key="cl_new_text").value == "Two referrals waited three weeks."
    at.text_area(key="cl_new_lesson").input("Cover the intake line during leave.")
    click(at, "cl_new_add")
    assert errors(at) == []
    with reading(app_db) as session:
        entry = session.exec(select(LogEntry).where(LogEntry.checkin_id == checkin_id)).one()
    assert (entry.kind, entry.happened_on) == ("disappointment", date(2027, 3, 1))
    assert at.text_area(key="cl_new_text").value == ""


def test_a_new_target_needs_a_reason_and_makes_a_new_summary_version(app_db):
    workshop_id = demo_workshop_id(app_db)
    open_checkin(app_db, workshop_id)
    measures, _, _ = ids_of(app_db, workshop_id)
    with reading(app_db) as session:
        before = summaries.build_summary(session, workshop_id).version
    at = checkins_app(app_db, workshop_id)
    at.selectbox(key="rt_pick").set_value(measures[A1C]).run()
    prefix = f"rt{measures[A1C]}"
    assert at.number_input(key=f"{prefix}_target").value == 26
    at.number_input(key=f"{prefix}_target").set_value(27.0)
    click(at, f"{prefix}_save")
    assert errors(at) == ["Please say why: the reason is kept with the change, for everyone "
                          "who reads it later."]
    assert at.number_input(key=f"{prefix}_target").value == 27.0

    at.text_area(key=f"{prefix}_reason").input("A1c moves slowly.")
    click(at, f"{prefix}_save")
    assert errors(at) == []
    assert at.success[0].value == "Target changed. The summary has a new version."
    with reading(app_db) as session:
        assert session.get(Measure, measures[A1C]).target_value == 27
        assert summaries.build_summary(session, workshop_id).version != before
    assert "A1c moves slowly." in texts(at)


def test_three_checkins_read_on_the_laptop_and_on_the_wall(app_db):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        record_story(session, workshop_id)
    at = checkins_app(app_db, workshop_id)
    shown = texts(at)
    assert at.subheader[0].value.endswith("Successes since the check-in of 29 Mar 2027")
    assert "Wait for a first therapy visit under ten days for the first time." in shown
    assert "Next check-in: 3 May 2027." in shown
    assert "59 % of the way to the target" in shown and "86 % of the way to the target" in shown
    assert len(at.get("plotly_chart")) == 4  # how far, each measure, milestones, hours
    assert {b.label for b in at.get("download_button")} == {
        "Report (PDF)", "Report (Markdown)", "Calendar"}
    assert any(b.key and b.key.endswith("_remove") for b in at.button)

    wall = checkins_app(app_db, workshop_id, projector=True)
    assert "59 % of the way to the target" in texts(wall)
    assert not [b.key for b in wall.button if b.key and b.key.endswith("_remove")]


def test_an_earlier_checkin_shows_what_was_known_then(app_db):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        first, _, _ = record_story(session, workshop_id)
    at = checkins_app(app_db, workshop_id)
    at.selectbox(key="ci_pick").set_value(first).run()
    shown = texts(at)
    assert "Successes since the workshop" in at.subheader[0].value
    assert "The first joint huddle of front desk and therapist." in shown
    assert "18 % of the way to the target" in shown  # (31 - 28) / (45 - 28)


def test_the_review_shows_the_latest_progress_and_only_the_sign_off_can_write(app_db):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        record_story(session, workshop_id)
    at = new_app()
    at.query_params["link"] = link_token(app_db, workshop_id, LinkPurpose.REVIEW)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "Progress since the workshop: the check-in of 26 Apr 2027" in shown
    assert "59 % of the way to the target" in shown
    assert "Wait for a first therapy visit under ten days for the first time" in shown
    keys = {widget.key for kind in WIDGETS for widget in getattr(at, kind)}
    assert keys == SIGN_OFF
    assert {b.label for b in at.get("download_button")} >= {"Report (PDF)",
                                                            "Report (Markdown)"}


def test_the_review_without_checkins_shows_no_progress(app_db):
    workshop_id = demo_workshop_id(app_db)
    at = new_app()
    at.query_params["link"] = link_token(app_db, workshop_id, LinkPurpose.REVIEW)
    at.run()
    assert not at.exception
    assert "Progress since the workshop" not in texts(at)
    assert {widget.key for kind in WIDGETS for widget in getattr(at, kind)} == SIGN_OFF
