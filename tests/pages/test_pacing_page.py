"""The pacing screen, driven as a facilitator drives it in the room."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models import pacing
from models.db import reading, writing
from models.schema import (
    CapacityCommitment,
    EarlyWin,
    LogEntry,
    Milestone,
    Partner,
    Step,
    StepState,
)
from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app, texts

LICENSING = "State licensing review of all programs"


def pacing_app(engine, workshop_id, *, projector=False):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.session_state["projector"] = projector
    at.run()
    at.switch_page("pages/pacing.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at):
    return [e.value for e in at.error]


def partner_id(engine, workshop_id, name):
    with reading(engine) as session:
        return session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id,
                                                     Partner.name == name)).one()


def hide_pacing_prework(engine, workshop_id):
    with writing(engine) as session:
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                                     StepState.step == Step.PACING)).one()
        state.revealed_at = None
        session.add(state)


def test_the_demo_shows_its_plan(app_db):
    at = pacing_app(app_db, demo_workshop_id(app_db))
    shown = texts(at)
    assert at.title[0].value == "4 · Pacing"
    assert [tab.label for tab in at.tabs] == ["Milestones", "Capacity", "Early wins",
                                              "Check-ins and log"]
    assert "Warm hand-off baseline count complete" in shown
    assert "May slip 7 days" in shown
    assert "The partners check in every 4 weeks." in shown
    assert "First warm hand-off completed in under fifteen minutes" in shown
    assert "Bring an independent appraisal next time" in shown
    assert [s.value for s in at.success] == [
        "No partner is asked for more than it can give in any month."]


def test_an_empty_workshop_invites_the_first_entries(app_db):
    at = pacing_app(app_db, empty_workshop_id(app_db))
    shown = texts(at)
    assert "No milestones yet." in shown
    assert "No early wins yet." in shown
    assert "No check-in rhythm agreed yet." in shown
    assert at.button(key="reveal_pacing").label == "Reveal the partners' capacity"


def test_a_milestone_with_a_bad_value_is_refused_kept_fixed_and_saved(app_db):
    workshop_id = empty_workshop_id(app_db)
    owner = partner_id(app_db, workshop_id, "Only PC")
    at = pacing_app(app_db, workshop_id)
    at.text_input(key="ms_new_title").input("Baseline count complete")
    at.selectbox(key="ms_new_kind").set_value("baseline")
    at.date_input(key="ms_new_due").set_value(date(2027, 3, 22))
    at.number_input(key="ms_new_slack").set_value(400)
    at.selectbox(key="ms_new_owner").set_value(owner)
    at.number_input(key="ms_new_hours").set_value(24.0)
    click(at, "ms_new_add")
    assert errors(at) == ["Please give a number no more than 365."]
    assert at.text_input(key="ms_new_title").value == "Baseline count complete"
    assert at.number_input(key="ms_new_hours").value == 24.0

    at.number_input(key="ms_new_slack").set_value(7)
    click(at, "ms_new_add")
    assert errors(at) == []
    assert at.success[0].value == "Milestone “Baseline count complete” added."
    assert at.text_input(key="ms_new_title").value == ""
    with reading(app_db) as session:
        rows = session.exec(select(Milestone).where(Milestone.workshop_id == workshop_id)).all()
    assert [(m.title, m.kind, m.due_on, m.slack_days, m.owner_partner_id, m.demand_hours)
            for m in rows] == [("Baseline count complete", "baseline", date(2027, 3, 22), 7,
                                owner, 24)]
    assert "until 29 Mar 2027" in texts(at)


def test_a_milestones_slack_is_edited(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        milestone = session.exec(select(Milestone).where(
            Milestone.workshop_id == workshop_id,
            Milestone.title == "Pilot starts at the Northside main site")).one()
    at = pacing_app(app_db, workshop_id)
    assert f"ms{milestone.id}_slack" not in [n.key for n in at.number_input]  # one form at a time
    at.selectbox(key="ms_pick").set_value(milestone.id).run()
    at.number_input(key=f"ms{milestone.id}_slack").set_value(3)
    click(at, f"ms{milestone.id}_save")
    assert errors(at) == []
    with reading(app_db) as session:
        saved = session.get(Milestone, milestone.id)
    assert (saved.slack_days, saved.version) == (3, 2)
    assert "until 4 Feb 2027" in texts(at)


def test_capacity_is_entered_for_a_partner_and_edited(app_db):
    workshop_id = empty_workshop_id(app_db)
    practice = partner_id(app_db, workshop_id, "Only PC")
    at = pacing_app(app_db, workshop_id)
    click(at, "reveal_pacing")  # live entry is for the room, once the partners' months show
    at.selectbox(key="cap_partner").set_value(practice)
    at.selectbox(key="cap_month").set_value(date(2027, 4, 1)).run()
    prefix = f"cap{practice}_2027_04"
    at.checkbox(key=f"{prefix}_unavailable").check().run()
    click(at, "cap_save")
    assert errors(at) == ["Please say in a few words why this month cannot be committed."]

    at.checkbox(key=f"{prefix}_unavailable").uncheck().run()
    at.number_input(key=f"{prefix}_hours").set_value(30.0)
    at.text_input(key=f"{prefix}_note").input("Electronic record upgrade")
    click(at, "cap_save")
    assert errors(at) == []
    assert "30 h committed" in texts(at)

    at.number_input(key=f"{prefix}_hours").set_value(45.0)
    click(at, "cap_save")
    assert errors(at) == []
    with reading(app_db) as session:
        rows = session.exec(select(CapacityCommitment)
                            .where(CapacityCommitment.partner_id == practice)).all()
    assert [(r.month, r.hours, r.note, r.version) for r in rows] == [
        (date(2027, 4, 1), 45, "Electronic record upgrade", 2)]


def test_partners_capacity_is_hidden_until_revealed_then_shown_with_overload_in_words(app_db):
    workshop_id = demo_workshop_id(app_db)
    hide_pacing_prework(app_db, workshop_id)
    riverbend = partner_id(app_db, workshop_id, "Riverbend Community Mental Health Center")
    with writing(app_db) as session:
        pacing.add_milestone(session, workshop_id=workshop_id, actor="facilitator:test",
                             data={"title": "Licensing visit walk-through", "kind": "other",
                                   "due_on": date(2027, 7, 12), "owner_partner_id": riverbend,
                                   "demand_hours": 10})
    at = pacing_app(app_db, workshop_id)
    assert LICENSING not in texts(at)
    assert "Overloaded" not in texts(at)
    assert not [s for s in at.selectbox if s.key == "cap_partner"]  # no entry form before

    click(at, "reveal_pacing")
    shown = texts(at)
    assert f"Cannot commit: {LICENSING}" in shown
    assert "⚠ Overloaded: 10 h asked, 0 h committed" in shown
    assert [w.value for w in at.warning] == [
        "The plan asks more than a partner can give in 1 month: Riverbend Community Mental "
        "Health Center in July 2027."]


def test_a_disappointment_without_a_lesson_is_refused(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = pacing_app(app_db, workshop_id)
    at.radio(key="log_new_kind").set_value("disappointment")
    at.date_input(key="log_new_date").set_value(date(2027, 3, 20))
    at.text_area(key="log_new_text").input("The registry went live two weeks late.")
    click(at, "log_new_add")
    assert errors(at) == ["What did we learn? A disappointment is logged with its lesson."]
    assert at.text_area(key="log_new_text").value == "The registry went live two weeks late."

    at.text_area(key="log_new_lesson").input("Ask for go-live dates in writing.")
    click(at, "log_new_add")
    assert errors(at) == []
    with reading(app_db) as session:
        entries = session.exec(select(LogEntry).where(LogEntry.workshop_id == workshop_id)).all()
    assert [(e.kind, e.text, e.lesson) for e in entries] == [
        ("disappointment", "The registry went live two weeks late.",
         "Ask for go-live dates in writing.")]


def test_the_checkin_cadence_is_checked_and_saved(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = pacing_app(app_db, workshop_id)
    at.number_input(key=f"cadence{workshop_id}_weeks").set_value(60)
    click(at, f"cadence{workshop_id}_save")
    assert errors(at) == ["Please give a number no more than 52."]
    at.number_input(key=f"cadence{workshop_id}_weeks").set_value(2)
    click(at, f"cadence{workshop_id}_save")
    assert "The partners check in every 2 weeks." in texts(at)


def test_projector_mode_hides_removing_but_keeps_recording(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        first = {table.__name__: session.exec(select(table.id).where(
            table.workshop_id == workshop_id).order_by(table.id)).first()
            for table in (Milestone, EarlyWin, LogEntry)}
    screens = []
    for projector in (False, True):
        at = pacing_app(app_db, workshop_id, projector=projector)
        for pick, table in (("ms_pick", "Milestone"), ("win_pick", "EarlyWin"),
                            ("log_pick", "LogEntry")):
            at.selectbox(key=pick).set_value(first[table]).run()
        screens.append(at)
    on_laptop, on_wall = screens
    laptop_keys = {b.key for b in on_laptop.button}
    wall_keys = {b.key for b in on_wall.button}
    removals = {key for key in laptop_keys if key.endswith(("_delete", "_remove"))}
    # The milestone, early win and log entry chosen to change, and the month the entry form
    # opens on (January 2027, the first milestone's month, which Riverbend gave in pre-work).
    assert removals == {f"ms{first['Milestone']}_delete", f"win{first['EarlyWin']}_delete",
                        f"log{first['LogEntry']}_delete", "cap_remove"}
    assert wall_keys == laptop_keys - removals
    assert {"ms_new_add", "cap_save", "win_new_add", "log_new_add"} <= wall_keys
