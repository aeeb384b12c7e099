"""The "Pre-work and links" tab: a new link is shown once and never again, the leadership review
link is made and stopped here, and each partner's note reaches the facilitator (not the wall)."""

from __future__ import annotations

import re

from sqlmodel import select

from models import prework
from models.db import reading, writing
from models.links import LinkAccess, resolve_link
from models.schema import AccessLink, LinkPurpose, Partner, PartnerMission
from tests.pages.conftest import as_role, empty_workshop_id, new_app, texts

ONCE = "Copy it now: it will not be shown again."


def facilitator_app(engine, workshop_id: int, *, projector: bool = False):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.session_state["projector"] = projector
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_tokens(at) -> list[str]:
    return [match for block in at.code
            for match in re.findall(r"\?link=([A-Za-z0-9_-]+)", block.value)]


def resolved(engine, token: str) -> LinkAccess | None:
    with reading(engine) as session:
        return resolve_link(session, token)


def partners(engine, workshop_id: int) -> list[Partner]:
    with reading(engine) as session:
        return list(session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                                 .order_by(Partner.position)).all())


def test_a_new_partner_link_is_shown_once_and_gone_after_a_rerun(app_db):
    workshop_id = empty_workshop_id(app_db)
    partner, _ = partners(app_db, workshop_id)
    at = facilitator_app(app_db, workshop_id)
    click(at, f"link_new_{partner.id}")

    [token] = shown_tokens(at)
    assert any(ONCE in w.value for w in at.warning)
    access = resolved(app_db, token)
    assert (access.purpose, access.partner_id) == (LinkPurpose.PREWORK, partner.id)

    at.run()
    assert shown_tokens(at) == []
    assert token not in texts(at)
    assert resolved(app_db, token) is not None  # gone from the screen, still working


def test_the_leadership_review_link_is_made_shown_once_replaced_and_revoked(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    assert "Leadership review link" in texts(at)
    assert at.button(key="review_link_revoke").disabled
    assert at.button(key="review_link_new").label == "Create the review link"

    click(at, "review_link_new")
    [token] = shown_tokens(at)
    access = resolved(app_db, token)
    assert (access.purpose, access.workshop_id, access.partner_id) == (
        LinkPurpose.REVIEW, workshop_id, None)
    at.run()
    assert shown_tokens(at) == []
    assert at.button(key="review_link_new").label == "Replace the review link"

    leader = new_app()
    leader.query_params["link"] = token
    leader.run()
    assert not leader.exception
    assert leader.title[0].value.startswith("Review: Empty Partnership")

    click(at, "review_link_new")
    [replacement] = shown_tokens(at)
    assert resolved(app_db, token) is None
    click(at, "review_link_revoke")
    assert resolved(app_db, replacement) is None
    with reading(app_db) as session:
        assert not [link for link in prework.live_links(session, workshop_id)
                    if link.purpose == LinkPurpose.REVIEW]
    assert at.button(key="review_link_revoke").disabled


def test_a_new_link_waits_while_the_projector_is_on(app_db):
    workshop_id = empty_workshop_id(app_db)
    at = facilitator_app(app_db, workshop_id)
    at.session_state["projector"] = True
    click(at, "review_link_new")
    assert shown_tokens(at) == []
    at.session_state["projector"] = False
    at.run()
    [token] = shown_tokens(at)
    assert resolved(app_db, token).purpose == LinkPurpose.REVIEW


def test_a_partners_note_is_shown_to_the_facilitator_but_not_on_the_wall(app_db):
    workshop_id = empty_workshop_id(app_db)
    partner, _ = partners(app_db, workshop_id)
    with writing(app_db) as session:
        prework.issue_link(session, workshop_id=workshop_id, purpose=LinkPurpose.PREWORK,
                           partner_id=partner.id, actor="test")
        link = session.exec(select(AccessLink).where(AccessLink.partner_id == partner.id)).one()
        access = LinkAccess(link_id=link.id, workshop_id=workshop_id,
                            purpose=LinkPurpose.PREWORK, partner_id=partner.id)
        row = prework.own_progress_row(session, access)
        prework.save_note(session, access=access, note="Our director joins after lunch.",
                          expected_version=row.version, actor="test")

    at = facilitator_app(app_db, workshop_id)
    assert "Our director joins after lunch" in texts(at)
    on_the_wall = facilitator_app(app_db, workshop_id, projector=True)
    assert "Our director joins after lunch" not in texts(on_the_wall)


def test_a_page_drawn_before_its_link_was_revoked_cannot_save(app_db):
    workshop_id = empty_workshop_id(app_db)
    partner, _ = partners(app_db, workshop_id)
    with writing(app_db) as session:
        token = prework.issue_link(session, workshop_id=workshop_id, actor="test",
                                   purpose=LinkPurpose.PREWORK, partner_id=partner.id)
    at = new_app()
    at.query_params["link"] = token
    at.run()
    at.switch_page("pages/prework_mission.py").run()
    at.text_area(key="mine_mission").input("Saved through a revoked link")
    facilitator = facilitator_app(app_db, workshop_id)
    click(facilitator, f"link_revoke_{partner.id}")

    click(at, "mission_save")
    assert [t.value for t in at.title] == ["This link is not valid"]
    with reading(app_db) as session:
        assert session.exec(select(PartnerMission)
                            .where(PartnerMission.partner_id == partner.id)).first() is None
