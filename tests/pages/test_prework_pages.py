"""Partner pre-work through a private link: scoped to one partner, never losing work, locked
when the facilitator says so, and honest about two people saving at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import prework
from models.clock import utcnow
from models.db import reading, writing
from models.schema import (
    AccessLink,
    CapacityCommitment,
    ExpectedResult,
    LinkPurpose,
    Partner,
    PartnerMission,
    PreworkProgress,
    Workshop,
)
from tests.pages.conftest import demo_workshop_id, empty_workshop_id, new_app, texts
from ui.navigation import screens_for

PARTNER_PAGES = [screen.path for screen in screens_for("partner")]


def issue(engine, workshop_id, partner_id, **kwargs):
    with writing(engine) as session:
        return prework.issue_link(session, workshop_id=workshop_id, actor="test",
                                  purpose=LinkPurpose.PREWORK, partner_id=partner_id, **kwargs)


def partner_app(token, page=None):
    at = new_app()
    at.query_params["link"] = token
    at.run()
    if page is not None and page != PARTNER_PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def demo_partners(engine):
    with reading(engine) as session:
        return session.exec(select(Partner).where(Partner.workshop_id == demo_workshop_id(engine))
                            .order_by(Partner.position)).all()


def everything_of(engine, partner_id):
    """Every piece of text a partner wrote, to look for on another partner's pages."""
    with reading(engine) as session:
        mission = session.exec(select(PartnerMission)
                               .where(PartnerMission.partner_id == partner_id)).one()
        results = session.exec(select(ExpectedResult.text)
                               .where(ExpectedResult.partner_id == partner_id)).all()
        notes = session.exec(select(CapacityCommitment.note).where(
            CapacityCommitment.partner_id == partner_id, CapacityCommitment.note != "")).all()
        note = session.exec(select(PreworkProgress.note_to_facilitator)
                            .where(PreworkProgress.partner_id == partner_id)).one()
        partner = session.get(Partner, partner_id)
    pieces = [mission.mission, mission.values, mission.brings, mission.needs, *results, *notes,
              note, partner.name]
    return [piece[:40] for piece in pieces if piece]


def shown(at):
    return texts(at) + "".join(h.value for h in at.get("html")) + "".join(
        str(widget.value) for widget in at.get("multiselect"))


@pytest.mark.parametrize("page", PARTNER_PAGES)
def test_a_partner_link_shows_nothing_of_another_partner(app_db, page):
    cmhc, fqhc, county = demo_partners(app_db)
    with writing(app_db) as session:
        prework.set_locked(session, workshop_id=cmhc.workshop_id, locked=False, actor="test")
    token = issue(app_db, fqhc.workshop_id, fqhc.id)
    at = partner_app(token, page)
    on_screen = shown(at)
    assert "Northside Family Health Center" in on_screen
    for other in (cmhc, county):
        for piece in everything_of(app_db, other.id):
            assert piece not in on_screen, f"{other.name}'s “{piece}” is on {page}"


def test_the_link_survives_a_page_switch_and_a_new_session_finds_saved_answers(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()
    token = issue(app_db, workshop_id, partner.id)

    at = partner_app(token, "pages/prework_mission.py")
    at.query_params.clear()  # Streamlit drops query parameters when the page changes
    at.text_area(key="mine_mission").input("Recovery close to home")
    at.text_area(key="mine_needs").input("Referrals within a week")
    at.button(key="mission_save").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Saved at ")
    assert at.query_params["link"] == token  # put back from session state

    later = partner_app(token, "pages/prework_mission.py")  # another sitting, another session
    assert later.text_area(key="mine_mission").value == "Recovery close to home"
    assert later.text_area(key="mine_needs").value == "Referrals within a week"


def test_bad_input_is_explained_and_kept(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()
    at = partner_app(issue(app_db, workshop_id, partner.id), "pages/prework_capacity.py")
    march = "cap_2027_03"  # the workshop's own month comes first
    at.checkbox(key=f"{march}_unavailable").check().run()
    at.button(key="cap_save").click().run()
    assert [e.value for e in at.error] == [
        "Please say in a few words why this month cannot be committed."]
    assert at.checkbox(key=f"{march}_unavailable").value is True

    at.switch_page("pages/prework_expectations.py").run()
    at.text_area(key="result_new_text").input("x" * 1001)
    at.button(key="result_new_add").click().run()
    assert [e.value for e in at.error] == ["Please keep this under 1000 characters."]
    assert at.text_area(key="result_new_text").value == "x" * 1001


def test_two_people_saving_the_same_section_get_a_conflict_not_an_overwrite(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()
    token = issue(app_db, workshop_id, partner.id)
    first = partner_app(token, "pages/prework_mission.py")
    first.text_area(key="mine_mission").input("Whole-person care")
    first.button(key="mission_save").click().run()
    ana = partner_app(token, "pages/prework_mission.py")
    ben = partner_app(token, "pages/prework_mission.py")

    ana.text_area(key="mine_mission").input("Whole-person care, close to home")
    ana.button(key="mission_save").click().run()
    ben.text_area(key="mine_mission").input("Care that follows the family")
    ben.button(key="mission_save").click().run()

    assert any("Someone else saved this a moment ago" in e.value for e in ben.error)
    assert any("Whole-person care, close to home" in w.value.replace("\\", "")
               for w in ben.warning)  # Markdown escapes aside
    assert ben.text_area(key="mine_mission").value == "Care that follows the family"
    with reading(app_db) as session:
        assert session.exec(select(PartnerMission.mission).where(
            PartnerMission.partner_id == partner.id)).one() == "Whole-person care, close to home"

    ben.button(key="mission_overwrite").click().run()
    with reading(app_db) as session:
        assert session.exec(select(PartnerMission.mission).where(
            PartnerMission.partner_id == partner.id)).one() == "Care that follows the family"


def test_locked_pre_work_is_read_only(app_db):
    cmhc, *_ = demo_partners(app_db)  # the demo's pre-work is locked
    at = partner_app(issue(app_db, cmhc.workshop_id, cmhc.id), "pages/prework_mission.py")
    assert "locked pre-work" in at.info[0].value
    assert at.text_area(key="mine_mission").disabled
    assert at.button(key="mission_save").disabled
    with pytest.raises(prework.Invalid), writing(app_db) as session:
        access = _access(session, cmhc)
        prework.submit(session, access=access, actor="test")


def _access(session, partner):
    from models.links import LinkAccess

    link = session.exec(select(AccessLink).where(AccessLink.partner_id == partner.id)).first()
    return LinkAccess(link_id=link.id, workshop_id=partner.workshop_id,
                      purpose=LinkPurpose.PREWORK, partner_id=partner.id)


@pytest.mark.parametrize("how", ["revoked", "expired", "replaced", "unknown"])
def test_a_link_that_no_longer_works_shows_only_that(app_db, how):
    cmhc, *_ = demo_partners(app_db)
    token = issue(app_db, cmhc.workshop_id, cmhc.id)
    with writing(app_db) as session:
        link = session.exec(select(AccessLink).where(AccessLink.partner_id == cmhc.id)).one()
        if how == "revoked":
            prework.revoke_links(session, workshop_id=cmhc.workshop_id, partner_id=cmhc.id,
                                 purpose=LinkPurpose.PREWORK, actor="test")
        elif how == "expired":
            link.expires_at = utcnow() - timedelta(minutes=1)
            session.add(link)
    if how == "replaced":
        issue(app_db, cmhc.workshop_id, cmhc.id)
    if how == "unknown":
        token = token[::-1]
    at = partner_app(token)
    assert [t.value for t in at.title] == ["This link is not valid"]
    assert "Riverbend" not in shown(at)


def test_the_facilitator_tracks_each_partner_from_not_opened_to_submitted(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()

    def state():
        with reading(app_db) as session:
            [mine] = prework.progress(session, workshop_id, partner_id=partner.id)
        return mine.state

    assert state() == "not opened"
    token = issue(app_db, workshop_id, partner.id)
    at = partner_app(token, "pages/prework_expectations.py")
    # this workshop has no topics yet, so that section has nothing missing: 1 of 4 complete
    assert state() == "in progress (25 %)"
    at.text_area(key="result_new_text").input("A therapist within a week")
    at.button(key="result_new_add").click().run()
    assert state() == "in progress (50 %)"
    at.switch_page("pages/prework.py").run()
    at.button(key="submit").click().run()
    assert state() == "submitted"
    assert at.success[-1].value.startswith("Submitted at ")


def test_the_facilitator_makes_a_link_sees_it_once_and_locks_pre_work(app_db):
    workshop_id = empty_workshop_id(app_db)
    with reading(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)).first()
    at = new_app()
    at.session_state["facilitator_id"] = 1
    at.session_state["workshop_id"] = workshop_id
    at.run()
    at.number_input(key=f"link_days_{partner.id}").set_value(14)
    at.button(key=f"link_new_{partner.id}").click().run()
    [link_code] = [c.value for c in at.code if "?link=" in c.value]
    token = link_code.split("?link=")[1]
    with reading(app_db) as session:
        link = session.exec(select(AccessLink).where(AccessLink.partner_id == partner.id)).one()
    assert token not in link.token_hash and link.expires_at is not None
    assert 13 <= (link.expires_at - utcnow()).days <= 14

    at.button(key="prework_lock").click().run()
    with reading(app_db) as session:
        assert session.get(Workshop, workshop_id).prework_locked
    assert partner_app(token, "pages/prework_mission.py").text_area(key="mine_mission").disabled
