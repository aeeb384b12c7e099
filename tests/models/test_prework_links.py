"""A partner's writes check the link itself at the moment of writing: a page's button keeps the
access it was drawn with, so a link revoked or expired since then must still be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import mission, prework
from models.clock import utcnow
from models.db import reading, writing
from models.links import LinkAccess, resolve_link
from models.schema import AccessLink, LinkPurpose, Partner, PartnerMission, PreworkProgress
from models.setup import create_workshop
from models.validation import Invalid

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
]
GONE = "This link is not valid any more. Please ask your facilitator for a new one."


@pytest.fixture
def access(engine) -> LinkAccess:
    """A partner's access as a page captured it, while the link still worked."""
    with writing(engine) as session:
        workshop = create_workshop(session, workshop={"name": "Links", "held_on": "2027-03-04"},
                                   partners=PARTNERS, actor="test")
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                               .order_by(Partner.position)).first()
        token = prework.issue_link(session, workshop_id=workshop.id, actor="test",
                                   purpose=LinkPurpose.PREWORK, partner_id=partner.id)
    with reading(engine) as session:
        return resolve_link(session, token)


def stop(engine, access: LinkAccess, how: str) -> None:
    with writing(engine) as session:
        if how == "revoked":
            prework.revoke_links(session, workshop_id=access.workshop_id, actor="test",
                                 purpose=LinkPurpose.PREWORK, partner_id=access.partner_id)
        elif how == "replaced":
            prework.issue_link(session, workshop_id=access.workshop_id, actor="test",
                               purpose=LinkPurpose.PREWORK, partner_id=access.partner_id)
        else:
            link = session.get(AccessLink, access.link_id)
            link.expires_at = utcnow() - timedelta(seconds=1)
            session.add(link)


def activity(engine, access: LinkAccess) -> tuple:
    """When the tracker thinks the partner opened its pre-work, and last changed it."""
    with reading(engine) as session:
        row = session.exec(select(PreworkProgress)
                           .where(PreworkProgress.partner_id == access.partner_id)).first()
    return (row.opened_at, row.last_activity_at) if row else (None, None)


def write_mission(session, access: LinkAccess) -> None:
    prework.partner_write(session, access, lambda partner: mission.save_partner_mission(
        session, partner_id=partner.id, data={"mission": "Written through the link"},
        expected_version=None, actor="test"))


def test_a_live_link_writes_and_notes_the_activity(engine, access):
    with writing(engine) as session:
        write_mission(session, access)
    with reading(engine) as session:
        assert session.exec(select(PartnerMission.mission)).one() == "Written through the link"
    assert activity(engine, access)[1] is not None


@pytest.mark.parametrize("how", ["revoked", "replaced", "expired"])
def test_a_stale_callback_cannot_write_through_a_link_that_stopped(engine, access, how):
    stop(engine, access, how)

    with pytest.raises(Invalid) as refused, writing(engine) as session:
        write_mission(session, access)

    assert refused.value.errors == {"form": GONE}
    with reading(engine) as session:
        assert session.exec(select(PartnerMission)).all() == []
    assert activity(engine, access) == (None, None)


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_link_that_stopped_is_not_counted_as_opened(engine, access, how):
    stop(engine, access, how)
    with pytest.raises(Invalid), writing(engine) as session:
        prework.mark_opened(session, access)
    with pytest.raises(Invalid), writing(engine) as session:
        prework.touch(session, access)
    assert activity(engine, access) == (None, None)


def test_a_review_link_cannot_write_pre_work(engine, access):
    with writing(engine) as session:
        token = prework.issue_link(session, workshop_id=access.workshop_id, actor="test",
                                   purpose=LinkPurpose.REVIEW)
    with reading(engine) as session:
        review = resolve_link(session, token)
    posing = LinkAccess(link_id=review.link_id, workshop_id=review.workshop_id,
                        purpose=LinkPurpose.PREWORK, partner_id=access.partner_id)
    with pytest.raises(Invalid), writing(engine) as session:
        write_mission(session, posing)
