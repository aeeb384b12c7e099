"""The expectations screen, driven as a facilitator drives it in the room."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import expectations, steps
from models.db import reading, writing
from models.schema import ExpectedResult, ItemStatus, Measure, Partner, Step, StepState
from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app, texts

PAGE = "pages/expectations.py"


def open_page(engine, workshop_id):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at):
    return [e.value for e in at.error]


def partner_ids(engine, workshop_id):
    with reading(engine) as session:
        return list(session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                                 .order_by(Partner.position)).all())


def reveal(engine, workshop_id):
    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor="test")


def test_the_demo_shows_each_partners_results_side_by_side_by_theme(app_db):
    at = open_page(app_db, demo_workshop_id(app_db))
    shown = texts(at)
    assert at.title[0].value == "2 · Expectations"
    for text in ("Fewer weeks between a first concern and a first therapy visit",
                 "A behavioral health clinician reachable during clinic hours",
                 "Fewer emergency visits for mental health crises",
                 "Faster access", "Shared by 2 partners", "importance 5 of 5"):
        assert text in shown
    assert "Reveal the partners' expected results" not in [b.label for b in at.button]
    assert "Still needed to agree" not in shown  # every demo measure is complete
    assert shown.count("**Complete:** everything needed to agree is in place.") == 5


def test_an_empty_workshop_offers_the_reveal_and_no_measures_yet(app_db):
    at = open_page(app_db, empty_workshop_id(app_db))
    shown = texts(at)
    assert "Reveal the partners' expected results" in [b.label for b in at.button]
    assert "No measures yet. Add one from the library or write a new one." in shown


def test_nothing_a_partner_wrote_shows_until_the_reveal(app_db):
    workshop_id = empty_workshop_id(app_db)
    bh, pc = partner_ids(app_db, workshop_id)
    with writing(app_db) as session:
        for partner_id, text in ((bh, "Therapy within a week of referral"),
                                 (pc, "A clinician on site every weekday")):
            expectations.add_expected_result(session, partner_id=partner_id, actor="test",
                                             data={"text": text, "importance": 4})
    at = open_page(app_db, workshop_id)
    shown = texts(at)
    assert "Therapy within a week" not in shown
    assert "A clinician on site" not in shown
    assert "importance" not in shown

    ok(at.button(key="reveal").click().run())
    shown = texts(at)
    assert "Therapy within a week of referral" in shown
    assert "A clinician on site every weekday" in shown
    assert shown.count("importance 4 of 5") == 2
    with reading(app_db) as session:
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                                     StepState.step == Step.EXPECTATIONS)).one()
    assert state.revealed_at is not None


def test_what_a_partner_wrote_is_shown_literally(app_db):
    workshop_id = empty_workshop_id(app_db)
    bh, _ = partner_ids(app_db, workshop_id)
    with writing(app_db) as session:
        expectations.add_expected_result(session, partner_id=bh, actor="test",
                                         data={"text": "<b>Bold</b> claims", "importance": 2})
    reveal(app_db, workshop_id)
    at = open_page(app_db, workshop_id)
    shown = texts(at)
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in shown
    assert "<b>Bold</b>" not in shown


def test_an_incomplete_measure_cannot_be_agreed_until_it_is_complete(app_db):
    workshop_id = empty_workshop_id(app_db)
    bh, _ = partner_ids(app_db, workshop_id)
    at = open_page(app_db, workshop_id)
    ok(at.selectbox(key=f"library{workshop_id}").set_value("warm-handoff-rate").run())
    ok(at.button(key=f"library{workshop_id}_add").click().run())
    assert at.success[0].value.startswith("“Warm hand-off rate” added.")
    with reading(app_db) as session:
        measure = session.exec(select(Measure).where(Measure.workshop_id == workshop_id)).one()
    prefix = f"measure{measure.id}"
    assert ("**Still needed to agree:** a baseline (today's value and its date, or a plan and "
            "a date to collect it), a target and an owner.") in texts(at)

    ok(at.segmented_control(key=f"{prefix}_status").set_value(ItemStatus.AGREED).run())
    assert errors(at) == ["To agree this measure, first add a baseline (today's value and its "
                          "date, or a plan and a date to collect it), a target and an owner."]
    assert at.segmented_control(key=f"{prefix}_status").value is None
    with reading(app_db) as session:
        assert session.get(Measure, measure.id).status == ItemStatus.OPEN

    at.selectbox(key=f"measure_pick{workshop_id}").set_value(measure.id).run()
    at.text_input(key=f"{prefix}_baseline_plan").input("Count hand-offs from the log")
    at.date_input(key=f"{prefix}_baseline_plan_date").set_value(date(2027, 3, 10))
    at.date_input(key=f"{prefix}_pilot_start").set_value(date(2027, 3, 1))
    at.number_input(key=f"{prefix}_target_value").set_value(60)
    at.selectbox(key=f"{prefix}_owner_partner_id").set_value(bh)
    ok(at.button(key=f"{prefix}_save").click().run())
    assert errors(at) == []
    assert ("**Still needed to agree:** a baseline plan date before the pilot starts "
            "(1 March 2027).") in texts(at)

    at.date_input(key=f"{prefix}_baseline_plan_date").set_value(date(2027, 2, 20))
    ok(at.button(key=f"{prefix}_save").click().run())
    assert "**Complete:** everything needed to agree is in place." in texts(at)
    ok(at.segmented_control(key=f"{prefix}_status").set_value(ItemStatus.AGREED).run())
    assert errors(at) == []
    with reading(app_db) as session:
        stored = session.get(Measure, measure.id)
    assert (stored.status, stored.target_value, stored.owner_partner_id,
            stored.baseline_plan_date) == (ItemStatus.AGREED, 60, bh, date(2027, 2, 20))
    assert at.segmented_control(key=f"{prefix}_status").value == ItemStatus.AGREED


def test_a_bad_measure_field_is_named_next_to_it_and_keeps_the_input(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = open_page(app_db, workshop_id)
    prefix = f"measure_new{workshop_id}"
    at.text_input(key=f"{prefix}_name").input("Same-day visits")
    at.number_input(key=f"{prefix}_plausible_min").set_value(100)
    at.number_input(key=f"{prefix}_plausible_max").set_value(0)
    ok(at.button(key=f"{prefix}_add").click().run())
    assert errors(at) == ["The highest plausible value must be above the lowest."]
    assert at.text_input(key=f"{prefix}_name").value == "Same-day visits"

    at.number_input(key=f"{prefix}_plausible_max").set_value(200)
    ok(at.button(key=f"{prefix}_add").click().run())
    assert errors(at) == []
    with reading(app_db) as session:
        stored = session.exec(select(Measure).where(Measure.workshop_id == workshop_id)).one()
    assert (stored.name, stored.plausible_min, stored.plausible_max) == ("Same-day visits",
                                                                         100, 200)


def test_the_facilitator_enters_an_expected_result_for_a_partner(app_db):
    workshop_id = empty_workshop_id(app_db)
    _, pc = partner_ids(app_db, workshop_id)
    reveal(app_db, workshop_id)
    at = open_page(app_db, workshop_id)
    prefix = f"live{workshop_id}"
    at.selectbox(key=f"{prefix}_partner").set_value(pc)
    at.radio(key=f"{prefix}_importance").set_value(5)
    at.text_input(key=f"{prefix}_theme").input("Faster access")
    ok(at.button(key=f"{prefix}_add").click().run())
    assert errors(at) == ["Please fill this in."]
    assert at.text_input(key=f"{prefix}_theme").value == "Faster access"
    assert at.radio(key=f"{prefix}_importance").value == 5

    at.text_area(key=f"{prefix}_text").input("Someone to see a patient in crisis today")
    ok(at.button(key=f"{prefix}_add").click().run())
    assert errors(at) == []
    assert at.text_area(key=f"{prefix}_text").value == ""
    shown = texts(at)
    assert "Someone to see a patient in crisis today" in shown
    assert "importance 5 of 5" in shown
    with reading(app_db) as session:
        stored = session.exec(select(ExpectedResult).join(Partner)
                              .where(Partner.workshop_id == workshop_id)).one()
        status = session.exec(select(StepState.status).where(
            StepState.workshop_id == workshop_id, StepState.step == Step.EXPECTATIONS)).one()
    assert (stored.partner_id, stored.importance, stored.theme) == (pc, 5, "Faster access")
    assert status == "in_progress"


def test_the_room_records_each_expectations_status_theme_and_measure(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        result = session.exec(select(ExpectedResult).where(
            ExpectedResult.text == "Fewer emergency visits among shared patients")).one()
        measure = session.exec(select(Measure).where(Measure.workshop_id == workshop_id,
                                                     Measure.library_key == "ed-visits")).one()
    at = open_page(app_db, workshop_id)
    prefix = f"result{result.id}"
    ok(at.selectbox(key="result_pick").set_value(result.id).run())
    assert at.selectbox(key=f"{prefix}_status").value == ItemStatus.CONTESTED

    ok(at.selectbox(key=f"{prefix}_status").set_value(ItemStatus.DROPPED).run())
    at.text_input(key=f"{prefix}_theme").input("Fewer ED visits")
    ok(at.run())
    ok(at.selectbox(key=f"{prefix}_measure").set_value(measure.id).run())
    assert errors(at) == []
    with reading(app_db) as session:
        stored = session.get(ExpectedResult, result.id)
    assert (stored.status, stored.theme, stored.measure_id) == (
        ItemStatus.DROPPED, "Fewer ED visits", measure.id)
    assert ("importance 3 of 5 · <strong>dropped</strong> · measured by Emergency department "
            "visits") in texts(at)


@pytest.mark.parametrize("projector", [False, True])
def test_projector_mode_hides_removal_but_keeps_recording(app_db, projector):
    workshop_id = demo_workshop_id(app_db)
    at = open_page(app_db, workshop_id)
    if projector:
        ok(at.toggle(key="projector_switch").set_value(True).run())
    with reading(app_db) as session:
        first = session.exec(select(Measure.id).where(Measure.workshop_id == workshop_id)
                             .order_by(Measure.id)).first()
    at.selectbox(key=f"measure_pick{workshop_id}").set_value(first).run()
    at.selectbox(key="result_pick").set_value(at.selectbox(key="result_pick").options[0]).run()
    removals = [b for b in at.button if b.label in ("Remove this measure", "Remove this result")]
    assert len(removals) == (0 if projector else 2)  # the measure and the result chosen
    assert len(at.segmented_control) == 1 + 5  # the step's status and the 5 measures
    assert len([s for s in at.selectbox if s.label == "The room's view"]) == 1
    assert [b.label for b in at.button].count("Save") == 1


def demo_ed_result(engine) -> tuple[int, ExpectedResult]:
    with reading(engine) as session:
        return demo_workshop_id(engine), session.exec(select(ExpectedResult).where(
            ExpectedResult.text == "Fewer emergency visits among shared patients")).one()


def test_a_theme_given_meanwhile_in_another_window_is_shown_not_replaced(app_db):
    workshop_id, result = demo_ed_result(app_db)
    prefix = f"result{result.id}"
    at = open_page(app_db, workshop_id)
    ok(at.selectbox(key="result_pick").set_value(result.id).run())
    with writing(app_db) as session:  # the other facilitator's window
        expectations.set_expectation_theme(session, workshop_id=workshop_id,
                                           result_id=result.id, theme="Hospital use",
                                           was=result.theme, actor="other")
        expectations.set_expectation_status(session, workshop_id=workshop_id,
                                            result_id=result.id, status=ItemStatus.AGREED,
                                            was=result.status, actor="other")

    at.text_input(key=f"{prefix}_theme").input("Fewer ED visits")
    ok(at.run())
    assert "Someone else changed this a moment ago, so nothing was overwritten." in errors(at)
    assert any("Hospital use" in w.value for w in at.warning)
    assert at.text_input(key=f"{prefix}_theme").value == "Fewer ED visits"  # nothing typed lost
    with reading(app_db) as session:
        assert session.get(ExpectedResult, result.id).theme == "Hospital use"

    ok(at.button(key=f"theme{result.id}_overwrite").click().run())
    with reading(app_db) as session:
        stored = session.get(ExpectedResult, result.id)
    assert (stored.theme, stored.status) == ("Fewer ED visits", ItemStatus.AGREED)


def test_a_status_chosen_from_a_stale_screen_is_refused_and_the_new_one_shown(app_db):
    workshop_id, result = demo_ed_result(app_db)
    prefix = f"result{result.id}"
    at = open_page(app_db, workshop_id)
    ok(at.selectbox(key="result_pick").set_value(result.id).run())
    with writing(app_db) as session:
        expectations.set_expectation_status(session, workshop_id=workshop_id,
                                            result_id=result.id, status=ItemStatus.AGREED,
                                            was=result.status, actor="other")

    ok(at.selectbox(key=f"{prefix}_status").set_value(ItemStatus.DROPPED).run())
    assert "Someone else changed this a moment ago, so nothing was overwritten." in errors(at)
    assert at.selectbox(key=f"{prefix}_status").value == ItemStatus.AGREED
    with reading(app_db) as session:
        assert session.get(ExpectedResult, result.id).status == ItemStatus.AGREED
