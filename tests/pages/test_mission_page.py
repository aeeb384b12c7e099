"""Step 1 on screen: partner missions stay hidden until revealed; a draft is rated on the grid
and adopted once the decision rule is met, or with a reason."""

from __future__ import annotations

from sqlmodel import select

from models import mission
from models.db import reading, writing
from models.mission import save_partner_mission
from models.schema import MissionDraft, Partner, Rating, Step, StepState, StepStatus
from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app, texts


def mission_app(engine, workshop_id):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.run()
    at.switch_page("pages/mission.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def partners_of(engine, workshop_id):
    with reading(engine) as session:
        return session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                            .order_by(Partner.position)).all()


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_partner_missions_are_hidden_until_revealed(app_db):
    workshop_id = empty_workshop_id(app_db)
    bh, pc = partners_of(app_db, workshop_id)
    with writing(app_db) as session:
        for partner, words in ((bh, "Recovery close to home for every family"),
                               (pc, "A medical home for every family")):
            save_partner_mission(session, partner_id=partner.id, data={"mission": words},
                                 expected_version=None, actor="test")
    at = mission_app(app_db, workshop_id)
    before = texts(at) + "".join(h.value for h in at.get("html"))
    assert "Recovery close to" not in before
    assert "A medical" not in before
    # both partners wrote in pre-work, so neither is offered for live entry before the reveal
    assert not [s for s in at.selectbox if s.key == "mission_entry_partner"]

    click(at, "reveal_mission")
    shown = "".join(h.value for h in at.get("html"))
    # "home" and "family" are in both missions, so they come back highlighted.
    assert 'Recovery close to <mark class="concord-shared">home</mark>' in shown
    assert 'A medical <mark class="concord-shared">home</mark>' in shown
    assert '<mark class="concord-shared">family</mark>' in shown


def test_a_draft_is_rated_refused_without_reason_then_adopted(app_db):
    workshop_id = empty_workshop_id(app_db)
    bh, pc = partners_of(app_db, workshop_id)
    at = mission_app(app_db, workshop_id)

    at.text_area(key="new_draft_1").input("Care for body and mind in one place.")
    click(at, "new_draft_save")
    with reading(app_db) as session:
        draft = session.exec(select(MissionDraft)
                             .where(MissionDraft.workshop_id == workshop_id)).one()
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                                     StepState.step == Step.MISSION)).one()
    assert draft.number == 1
    assert state.status == StepStatus.IN_PROGRESS

    grid = f"draft{draft.id}"
    at.button_group(key=f"{grid}_{bh.id}-all_value").set_value(6)
    at.button_group(key=f"{grid}_{pc.id}-all_value").set_value(2)
    click(at, f"{grid}_rate")
    assert [e.value for e in at.error] == [
        "A rating of 6 needs a reason, so the room knows what to change."]
    at.text_input(key=f"{grid}_{bh.id}-all_reason").input("Say who we serve")
    click(at, f"{grid}_rate")
    assert "2 ratings: 50 % support (1 to 3), no blocking ratings. The decision rule is not " \
           "met yet." in [i.value for i in at.info]

    click(at, f"adopt{draft.id}_override")
    assert [e.value for e in at.error] == [
        "The decision rule is not met for this draft. To adopt it anyway, write down why."]

    at.text_area(key="new_draft_2").input("Care for body and mind for every north side family.")
    click(at, "new_draft_save")
    with reading(app_db) as session:
        second = session.exec(select(MissionDraft).where(MissionDraft.number == 2,
                                                         MissionDraft.workshop_id == workshop_id)
                              ).one()
    grid = f"draft{second.id}"
    at.button_group(key=f"{grid}_{bh.id}-all_value").set_value(2)
    at.button_group(key=f"{grid}_{pc.id}-all_value").set_value(1)
    click(at, f"{grid}_rate")
    click(at, f"adopt{second.id}")
    assert "Adopted: version 2." in [s.value for s in at.success]
    with reading(app_db) as session:
        adopted = session.exec(select(MissionDraft).where(
            MissionDraft.workshop_id == workshop_id, MissionDraft.adopted_at.is_not(None))).all()
    assert [d.number for d in adopted] == [2]


def test_the_step_bar_records_each_steps_status(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = mission_app(app_db, workshop_id)
    assert "○ not started · you are here" in [c.value for c in at.caption]
    at.button_group(key=f"status_{workshop_id}_mission").set_value(StepStatus.SETTLED).run()
    with reading(app_db) as session:
        state = session.exec(select(StepState).where(StepState.workshop_id == workshop_id,
                                                     StepState.step == Step.MISSION)).one()
    assert state.status == StepStatus.SETTLED
    assert "● settled · you are here" in [c.value for c in at.caption]


def test_projector_mode_stays_on_from_step_to_step(app_db):
    at = mission_app(app_db, demo_workshop_id(app_db))
    at.toggle(key="projector_switch").set_value(True).run()
    for page in ("pages/expectations.py", "pages/solutions.py", "pages/pacing.py",
                 "pages/mission.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.toggle(key="projector_switch").value is True, page
        assert any("html { font-size: 22px; }" in h.value for h in at.get("html")), page


def test_a_rating_given_meanwhile_in_another_window_is_refused_then_replaced_on_purpose(app_db):
    """Ana and Ben rate the same draft on two laptops. Ben records BH's 2; Ana's grid, drawn
    before, records BH's 6: refused, with Ben's rating named and Ana's typing kept. Recording
    again replaces it, knowingly."""
    workshop_id = empty_workshop_id(app_db)
    bh, pc = partners_of(app_db, workshop_id)
    with writing(app_db) as session:
        draft = mission.add_draft(session, workshop_id=workshop_id, actor="test",
                                  data={"text": "Care for body and mind in one place."})
    grid = f"draft{draft.id}"
    ana, ben = mission_app(app_db, workshop_id), mission_app(app_db, workshop_id)
    ben.button_group(key=f"{grid}_{bh.id}-all_value").set_value(2)
    click(ben, f"{grid}_rate")

    ana.button_group(key=f"{grid}_{bh.id}-all_value").set_value(6)
    ana.text_input(key=f"{grid}_{bh.id}-all_reason").input("Not at our staffing")
    ana.button_group(key=f"{grid}_{pc.id}-all_value").set_value(3)
    click(ana, f"{grid}_rate")
    assert [e.value for e in ana.error] == [
        "Only BH was rated 2 a moment ago, in another window; nothing was overwritten. Record "
        "again to replace that rating."]
    assert ana.button_group(key=f"{grid}_{bh.id}-all_value").value == 6
    assert stored_ratings(app_db, draft.id) == {bh.id: 2}

    click(ana, f"{grid}_rate")
    assert [e.value for e in ana.error] == []
    assert stored_ratings(app_db, draft.id) == {bh.id: 6, pc.id: 3}


def stored_ratings(engine, draft_id):
    with reading(engine) as session:
        rows = session.exec(select(Rating).where(Rating.mission_draft_id == draft_id)).all()
    return {row.partner_id: row.value for row in rows}
