"""Two people on one form: a save carries the version the form was filled from, so a save made
after someone else's, even with reruns in between, is refused with their version shown, never a
silent overwrite; and "Save mine over theirs" then lands on purpose."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import expectations, pacing, prework, setup
from models.db import reading, writing
from models.schema import (
    CapacityCommitment,
    EarlyWin,
    ExpectedResult,
    LinkPurpose,
    LogEntry,
    Milestone,
    Participant,
    Partner,
    PartnerMission,
    Stance,
    Workshop,
)
from tests.pages.conftest import as_role, empty_workshop_id, new_app

STALE = "Someone else saved this a moment ago"


def first_partner(engine, workshop_id: int) -> Partner:
    with reading(engine) as session:
        return session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                            .order_by(Partner.position)).first()


def partner_token(engine) -> tuple[str, Partner]:
    workshop_id = empty_workshop_id(engine)
    partner = first_partner(engine, workshop_id)
    with writing(engine) as session:
        token = prework.issue_link(session, workshop_id=workshop_id, actor="test",
                                   purpose=LinkPurpose.PREWORK, partner_id=partner.id)
    return token, partner


def partner_app(token: str, page: str):
    at = new_app()
    at.query_params["link"] = token
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def facilitator_app(engine, workshop_id: int, page: str | None = None):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def refused(at) -> bool:
    return any(STALE in e.value for e in at.error)


def warned(at, words: str) -> bool:
    return any(words in w.value for w in at.warning)


# --- a partner's own mission ---------------------------------------------------------------------


def saved_mission(engine, partner_id: int) -> PartnerMission:
    with reading(engine) as session:
        return session.exec(select(PartnerMission)
                            .where(PartnerMission.partner_id == partner_id)).one()


def test_a_rerun_after_someone_elses_save_does_not_let_an_old_form_overwrite_it(app_db):
    token, partner = partner_token(app_db)
    first = partner_app(token, "pages/prework_mission.py")
    for field in ("mission", "values", "brings", "needs"):
        first.text_area(key=f"mine_{field}").input(f"Original {field}")
    click(first, "mission_save")

    ana = partner_app(token, "pages/prework_mission.py")
    ben = partner_app(token, "pages/prework_mission.py")
    ana.text_area(key="mine_values").input("Ana's values")
    click(ana, "mission_save")

    ben.text_area(key="mine_mission").input("Ben's mission")
    ben.run()  # leaving the box: the rerun that used to pick up Ana's version
    ben.text_area(key="mine_needs").input("Ben's needs")
    click(ben, "mission_save")

    assert refused(ben)
    assert warned(ben, "Ana's values")
    assert saved_mission(app_db, partner.id).values == "Ana's values"
    assert ben.text_area(key="mine_mission").value == "Ben's mission"
    assert ben.text_area(key="mine_needs").value == "Ben's needs"
    assert ben.text_area(key="mine_values").value == "Original values"

    click(ben, "mission_overwrite")
    saved = saved_mission(app_db, partner.id)
    assert (saved.mission, saved.values, saved.needs) == (
        "Ben's mission", "Original values", "Ben's needs")
    assert not ben.warning


def test_a_form_follows_the_database_until_something_is_typed_and_after_each_save(app_db):
    token, partner = partner_token(app_db)
    ana = partner_app(token, "pages/prework_mission.py")
    ana.text_area(key="mine_mission").input("First words")
    click(ana, "mission_save")
    ben = partner_app(token, "pages/prework_mission.py")
    ben.text_area(key="mine_mission").input("Second words")
    click(ben, "mission_save")

    ana.run()  # nothing typed since her save: the form shows Ben's words and takes his version
    assert ana.text_area(key="mine_mission").value == "Second words"
    ana.text_area(key="mine_mission").input("Third words")
    click(ana, "mission_save")
    ana.text_area(key="mine_mission").input("Fourth words")
    click(ana, "mission_save")  # her own save refreshed the version: no conflict with herself
    assert not refused(ana)
    assert saved_mission(app_db, partner.id).mission == "Fourth words"


def test_use_their_version_fills_the_form_with_what_they_saved(app_db):
    token, partner = partner_token(app_db)
    first = partner_app(token, "pages/prework_mission.py")
    first.text_area(key="mine_mission").input("Start")
    click(first, "mission_save")
    ana = partner_app(token, "pages/prework_mission.py")
    ben = partner_app(token, "pages/prework_mission.py")
    ana.text_area(key="mine_mission").input("Ana's")
    click(ana, "mission_save")
    ben.text_area(key="mine_mission").input("Ben's")
    ben.run()
    click(ben, "mission_save")
    assert refused(ben)

    click(ben, "mission_take")
    assert ben.text_area(key="mine_mission").value == "Ana's"
    assert not ben.warning and not ben.error
    ben.text_area(key="mine_needs").input("Ben's needs")
    click(ben, "mission_save")
    saved = saved_mission(app_db, partner.id)
    assert (saved.mission, saved.needs) == ("Ana's", "Ben's needs")


def test_two_people_writing_the_first_mission_get_a_conflict_they_can_resolve(app_db):
    token, partner = partner_token(app_db)
    ana = partner_app(token, "pages/prework_mission.py")
    ben = partner_app(token, "pages/prework_mission.py")
    ana.text_area(key="mine_mission").input("Ana first")
    click(ana, "mission_save")
    ben.text_area(key="mine_mission").input("Ben second")
    ben.run()
    click(ben, "mission_save")

    assert any("written meanwhile" in e.value for e in ben.error)
    assert warned(ben, "Ana first")
    assert ben.text_area(key="mine_mission").value == "Ben second"
    click(ben, "mission_overwrite")
    assert saved_mission(app_db, partner.id).mission == "Ben second"


# --- a partner's expected results ----------------------------------------------------------------


def one_result(engine, partner_id: int, theme: str = "") -> int:
    with writing(engine) as session:
        row = expectations.add_expected_result(
            session, partner_id=partner_id, actor="test",
            data={"text": "Shorter waits", "importance": 3, "theme": theme})
        return row.id


def saved_result(engine, result_id: int) -> ExpectedResult:
    with reading(engine) as session:
        return session.get(ExpectedResult, result_id)


def test_a_stale_expected_result_is_refused_after_a_rerun(app_db):
    token, partner = partner_token(app_db)
    result_id = one_result(app_db, partner.id)
    prefix = f"result{result_id}"
    ana = partner_app(token, "pages/prework_expectations.py")
    ben = partner_app(token, "pages/prework_expectations.py")
    ben.select_slider(key=f"{prefix}_importance").set_value(5)
    click(ben, f"{prefix}_save")

    ana.text_area(key=f"{prefix}_text").input("Waits under a week")
    ana.run()
    click(ana, f"{prefix}_save")

    assert refused(ana)
    assert warned(ana, "How much it matters")
    assert saved_result(app_db, result_id).importance == 5
    assert saved_result(app_db, result_id).text == "Shorter waits"
    assert ana.text_area(key=f"{prefix}_text").value == "Waits under a week"

    click(ana, f"{prefix}_overwrite")
    saved = saved_result(app_db, result_id)
    assert (saved.text, saved.importance) == ("Waits under a week", 3)


def test_a_partner_resaving_an_expected_result_keeps_the_rooms_theme(app_db):
    token, partner = partner_token(app_db)
    result_id = one_result(app_db, partner.id, theme="Faster access")
    prefix = f"result{result_id}"
    at = partner_app(token, "pages/prework_expectations.py")
    at.text_area(key=f"{prefix}_text").input("Waits under a week")
    click(at, f"{prefix}_save")
    assert not at.error
    assert saved_result(app_db, result_id).theme == "Faster access"


def test_a_theme_the_room_gives_meanwhile_is_a_conflict_and_survives_save_over(app_db):
    token, partner = partner_token(app_db)
    result_id = one_result(app_db, partner.id)
    prefix = f"result{result_id}"
    at = partner_app(token, "pages/prework_expectations.py")
    at.text_area(key=f"{prefix}_text").input("Waits under a week")
    at.run()
    with writing(app_db) as session:
        expectations.set_expectation_theme(session, workshop_id=partner.workshop_id,
                                           result_id=result_id, theme="Faster access",
                                           was="", actor="test")
    at.run()
    click(at, f"{prefix}_save")
    assert refused(at)
    assert saved_result(app_db, result_id).theme == "Faster access"

    click(at, f"{prefix}_overwrite")
    saved = saved_result(app_db, result_id)
    assert (saved.text, saved.theme) == ("Waits under a week", "Faster access")


# --- a partner's position on a topic -------------------------------------------------------------


def numeric_topic(engine, workshop_id: int) -> int:
    with writing(engine) as session:
        return setup.add_topic(session, workshop_id=workshop_id, actor="test", data={
            "title": "Days to a first visit", "category": "access", "kind": "numeric",
            "unit": "days", "lower_bound": 0, "upper_bound": 60}).id


def stance_of(engine, topic_id: int) -> Stance:
    with reading(engine) as session:
        return session.exec(select(Stance).where(Stance.topic_id == topic_id)).one()


def two_on_one_position(engine):
    """Ana and Ben on a partner's position of 10 days; Ana then saves 30 days."""
    token, partner = partner_token(engine)
    topic_id = numeric_topic(engine, partner.workshop_id)
    prefix = f"mine{topic_id}"
    first = partner_app(token, "pages/prework_topics.py")
    first.number_input(key=f"{prefix}_preferred").set_value(10)
    click(first, f"{prefix}_save")
    ana = partner_app(token, "pages/prework_topics.py")
    ben = partner_app(token, "pages/prework_topics.py")
    assert ben.number_input(key=f"{prefix}_preferred").value == 10
    ana.number_input(key=f"{prefix}_preferred").set_value(30)
    click(ana, f"{prefix}_save")
    return ben, topic_id


def test_a_conflict_on_a_position_keeps_what_was_typed_and_shows_theirs(app_db):
    ben, topic_id = two_on_one_position(app_db)
    prefix = f"mine{topic_id}"
    ben.number_input(key=f"{prefix}_preferred").set_value(7)
    ben.run()
    ben.text_input(key=f"{prefix}_wants").input("Shared intake staff")
    click(ben, f"{prefix}_save")

    assert refused(ben)
    assert warned(ben, "We would like**: 30")
    assert ben.number_input(key=f"{prefix}_preferred").value == 7
    assert ben.text_input(key=f"{prefix}_wants").value == "Shared intake staff"
    assert stance_of(app_db, topic_id).preferred_value == 30

    click(ben, f"{prefix}_overwrite")
    stance = stance_of(app_db, topic_id)
    assert (stance.preferred_value, stance.wants_in_return) == (7, "Shared intake staff")


def test_a_rule_replacing_a_position_someone_just_changed_is_refused(app_db):
    ben, topic_id = two_on_one_position(app_db)
    ben.radio(key=f"mine{topic_id}_kind").set_value("fixed").run()
    rule = f"minerule{topic_id}"
    ben.text_input(key=f"{rule}_title").input("Licensed staff only")
    ben.text_input(key=f"{rule}_citation").input("State code 9.1")
    click(ben, f"{rule}_save")

    assert any("given meanwhile" in e.value or STALE in e.value for e in ben.error)
    assert warned(ben, "We would like**: 30")
    assert ben.text_input(key=f"{rule}_title").value == "Licensed staff only"
    assert stance_of(app_db, topic_id).kind == "flex"

    click(ben, f"{rule}_overwrite")
    assert stance_of(app_db, topic_id).kind == "fixed"
    assert ben.radio(key=f"mine{topic_id}_kind").value == "fixed"
    assert "Licensed staff only" in "".join(m.value for m in ben.markdown)


# --- the facilitator's forms ---------------------------------------------------------------------


def test_a_stale_partner_edit_on_set_up_is_refused_after_a_rerun(app_db):
    workshop_id = empty_workshop_id(app_db)
    partner = first_partner(app_db, workshop_id)
    prefix = f"partner{partner.id}"
    ana = facilitator_app(app_db, workshop_id)
    ben = facilitator_app(app_db, workshop_id)
    ben.text_input(key=f"{prefix}_name").input("Ben's name")
    click(ben, f"{prefix}_save")

    ana.selectbox(key=f"{prefix}_kind").set_value("other")
    ana.run()
    click(ana, f"{prefix}_save")

    assert refused(ana)
    assert warned(ana, "Ben's name")
    assert ana.selectbox(key=f"{prefix}_kind").value == "other"
    with reading(app_db) as session:
        assert session.get(Partner, partner.id).name == "Ben's name"

    click(ana, f"{prefix}_overwrite")
    with reading(app_db) as session:
        saved = session.get(Partner, partner.id)
    assert (saved.name, saved.kind.value) == (partner.name, "other")


def test_saving_one_part_of_a_workshop_does_not_make_another_part_stale(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    at.text_input(key=f"ws{workshop_id}_name").input("Renamed Partnership")
    at.slider(key=f"rule{workshop_id}_support").set_value(80)
    click(at, f"ws{workshop_id}_save")
    click(at, f"rule{workshop_id}_save")
    assert not at.error
    with reading(app_db) as session:
        workshop = session.get(Workshop, workshop_id)
    assert (workshop.name, workshop.rule_min_support) == ("Renamed Partnership", 0.8)


def add_milestone(engine, workshop_id: int) -> int:
    with writing(engine) as session:
        return pacing.add_milestone(session, workshop_id=workshop_id, actor="test", data={
            "title": "Pilot starts", "kind": "pilot_start", "due_on": date(2027, 4, 1),
            "slack_days": 0, "owner_partner_id": None, "demand_hours": 0}).id


@pytest.mark.parametrize("field", ["title", "slack"])
def test_a_stale_milestone_is_refused_after_a_rerun(app_db, field):
    workshop_id = empty_workshop_id(app_db)
    milestone_id = add_milestone(app_db, workshop_id)
    prefix = f"ms{milestone_id}"
    ana = facilitator_app(app_db, workshop_id, "pages/pacing.py")
    ben = facilitator_app(app_db, workshop_id, "pages/pacing.py")
    for at in (ana, ben):
        at.selectbox(key="ms_pick").set_value(milestone_id).run()
    ben.number_input(key=f"{prefix}_slack").set_value(14)
    click(ben, f"{prefix}_save")

    if field == "title":
        ana.text_input(key=f"{prefix}_title").input("Pilot starts at the main site")
    else:
        ana.number_input(key=f"{prefix}_slack").set_value(3)
    ana.run()
    click(ana, f"{prefix}_save")

    assert refused(ana)
    assert warned(ana, "Days it may slip**: 14")
    with reading(app_db) as session:
        assert session.get(Milestone, milestone_id).slack_days == 14
    typed = (ana.text_input(key=f"{prefix}_title").value if field == "title"
             else ana.number_input(key=f"{prefix}_slack").value)
    assert typed == ("Pilot starts at the main site" if field == "title" else 3)

    click(ana, f"{prefix}_overwrite")
    with reading(app_db) as session:
        saved = session.get(Milestone, milestone_id)
    assert (saved.title, saved.slack_days) == (
        ("Pilot starts at the main site", 0) if field == "title" else ("Pilot starts", 3))


def test_capacity_month_conflict_after_a_rerun_keeps_input_and_their_save(app_db):
    token, partner = partner_token(app_db)
    month = date(2027, 3, 1)
    with writing(app_db) as session:
        pacing.save_capacity(session, partner_id=partner.id, month=month, hours=40,
                             unavailable=False, note="", expected_version=None,
                             actor=f"partner:{partner.id}")
    ana = partner_app(token, "pages/prework_capacity.py")
    ben = partner_app(token, "pages/prework_capacity.py")
    prefix = "cap_2027_03"
    assert ana.number_input(key=f"{prefix}_hours").value == 40

    ben.number_input(key=f"{prefix}_hours").set_value(55)
    ben.button(key="cap_save").click().run()
    ana.text_input(key=f"{prefix}_note").input("Two staff on leave")
    ana.run()  # a rerun between typing and saving: the case that used to overwrite silently
    ana.button(key="cap_save").click().run()

    assert any(STALE in e.value for e in ana.error)
    assert ana.text_input(key=f"{prefix}_note").value == "Two staff on leave"
    with reading(app_db) as session:
        row = session.exec(select(CapacityCommitment)
                           .where(CapacityCommitment.partner_id == partner.id)).one()
    assert (row.hours, row.note) == (55, "")
    ana.button(key="capacity_overwrite").click().run()
    with reading(app_db) as session:
        row = session.exec(select(CapacityCommitment)
                           .where(CapacityCommitment.partner_id == partner.id)).one()
    assert (row.hours, row.note) == (40, "Two staff on leave")


# --- early wins, the log and the people of a partner: the same protection ----------------------


def add_win_and_entry(engine, workshop_id: int) -> tuple[int, int]:
    with writing(engine) as session:
        win = pacing.add_early_win(session, workshop_id=workshop_id, actor="test",
                                   data={"title": "First shared care plan"})
        entry = pacing.add_log_entry(session, workshop_id=workshop_id, actor="test",
                                     data={"kind": "success", "happened_on": date(2027, 4, 2),
                                           "text": "Ten shared care plans."})
    return win.id, entry.id


@pytest.mark.parametrize("form", ["win", "log"])
def test_a_stale_early_win_or_log_entry_is_refused_and_save_over_lands(app_db, form):
    workshop_id = empty_workshop_id(app_db)
    win_id, entry_id = add_win_and_entry(app_db, workshop_id)
    prefix, field, table, row_id = (
        (f"win{win_id}", "title", EarlyWin, win_id) if form == "win"
        else (f"log{entry_id}", "text", LogEntry, entry_id))
    widget = (lambda at: at.text_input(key=f"{prefix}_{field}")) if form == "win" else (
        lambda at: at.text_area(key=f"{prefix}_{field}"))
    ana = facilitator_app(app_db, workshop_id, "pages/pacing.py")
    ben = facilitator_app(app_db, workshop_id, "pages/pacing.py")
    for at in (ana, ben):
        at.selectbox(key=f"{form}_pick").set_value(row_id).run()
    widget(ben).input("Ben's words")
    click(ben, f"{prefix}_save")

    widget(ana).input("Ana's words")
    ana.run()
    click(ana, f"{prefix}_save")

    assert refused(ana)
    assert warned(ana, "Ben's words")
    assert widget(ana).value == "Ana's words"
    with reading(app_db) as session:
        assert getattr(session.get(table, row_id), field) == "Ben's words"

    click(ana, f"{prefix}_overwrite")
    with reading(app_db) as session:
        assert getattr(session.get(table, row_id), field) == "Ana's words"


def test_a_stale_edit_of_a_partners_person_is_refused_and_keeps_the_input(app_db):
    workshop_id = empty_workshop_id(app_db)
    partner = first_partner(app_db, workshop_id)
    with writing(app_db) as session:
        person = setup.add_participant(session, partner_id=partner.id, actor="test",
                                       data={"name": "Dana Ruiz", "role": "Clinical director"})
    prefix = f"person{person.id}"
    ana = facilitator_app(app_db, workshop_id, "pages/setup.py")
    with writing(app_db) as session:
        setup.update_participant(session, participant_id=person.id, expected_version=1,
                                 actor="test", data={"name": "Dana Ruiz", "role": "Medical lead"})

    ana.text_input(key=f"{prefix}_role").input("Program manager")
    ana.run()
    click(ana, f"{prefix}_save")

    assert refused(ana)
    assert warned(ana, "Medical lead")
    assert ana.text_input(key=f"{prefix}_role").value == "Program manager"
    with reading(app_db) as session:
        assert session.get(Participant, person.id).role == "Medical lead"
    click(ana, f"{prefix}_take")
    assert ana.text_input(key=f"{prefix}_role").value == "Medical lead"
