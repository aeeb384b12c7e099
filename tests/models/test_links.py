"""Private links: long random tokens, only their SHA-256 stored, and refusal of anything that is
not a live link."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import links
from models.db import reading, writing
from models.schema import AccessLink, LinkPurpose, Partner
from models.setup import create_workshop

PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
]


@pytest.fixture
def ids(engine) -> dict[str, int]:
    with writing(engine) as session:
        workshop = create_workshop(session, workshop={"name": "Links", "held_on": "2027-03-04"},
                                   partners=PARTNERS, actor="test")
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                               .order_by(Partner.position.desc())).first()
        return {"workshop": workshop.id, "partner": partner.id}


def _prework_link(engine, ids, **fields) -> str:
    with writing(engine) as session:
        return links.create_link(session, workshop_id=ids["workshop"],
                                 purpose=LinkPurpose.PREWORK, partner_id=ids["partner"],
                                 **fields)


def _resolve(engine, token):
    with reading(engine) as session:
        return links.resolve_link(session, token)


def test_new_token_is_32_random_bytes_in_url_safe_characters():
    token = links.new_token()

    # 32 random bytes in base64 without padding: ceil(32 * 8 / 6) = 43 characters.
    assert len(token) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_new_tokens_differ():
    tokens = {links.new_token() for _ in range(200)}

    assert len(tokens) == 200


def test_create_link_stores_only_the_sha256_of_the_token(engine, ids):
    token = _prework_link(engine, ids)

    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM accesslink")).mappings().one()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert len(row["token_hash"]) == 64
    assert [column for column, value in row.items() if token in str(value)] == []


def test_resolve_link_opens_a_partners_prework(engine, ids):
    token = _prework_link(engine, ids)

    access = _resolve(engine, token)

    assert (access.workshop_id, access.partner_id, access.purpose) == (
        ids["workshop"], ids["partner"], LinkPurpose.PREWORK)


def test_resolve_link_opens_the_review_for_no_one_partner(engine, ids):
    with writing(engine) as session:
        token = links.create_link(session, workshop_id=ids["workshop"],
                                  purpose=LinkPurpose.REVIEW)

    access = _resolve(engine, token)

    assert (access.workshop_id, access.partner_id, access.purpose) == (
        ids["workshop"], None, LinkPurpose.REVIEW)


def test_resolve_link_opens_a_link_that_expires_later(engine, ids):
    token = _prework_link(engine, ids, expires_at=datetime.now(UTC) + timedelta(days=14))

    assert _resolve(engine, token).partner_id == ids["partner"]


def test_resolve_link_refuses_an_unknown_token(engine, ids):
    _prework_link(engine, ids)

    assert _resolve(engine, links.new_token()) is None


def test_resolve_link_refuses_a_revoked_link(engine, ids):
    token = _prework_link(engine, ids)
    with writing(engine) as session:
        link = session.exec(select(AccessLink)).one()
        link.revoked_at = datetime.now(UTC)
        session.add(link)

    assert _resolve(engine, token) is None


def test_resolve_link_refuses_an_expired_link(engine, ids):
    token = _prework_link(engine, ids, expires_at=datetime.now(UTC) - timedelta(seconds=1))

    assert _resolve(engine, token) is None


def test_resolve_link_refuses_a_link_whose_expiry_was_given_in_another_zone(engine, ids):
    an_hour_ago_in_new_york = (datetime.now(ZoneInfo("America/New_York"))
                               - timedelta(hours=1))
    token = _prework_link(engine, ids, expires_at=an_hour_ago_in_new_york)

    assert _resolve(engine, token) is None


@pytest.mark.parametrize("token", [
    "", None, "short", "a" * 500, "'; DROP TABLE x;--", "ünïcode" * 10, "a" * 31,
], ids=["empty", "none", "short", "very long", "sql", "unicode", "one too short"])
def test_resolve_link_refuses_a_malformed_token(engine, ids, token):
    _prework_link(engine, ids)

    assert _resolve(engine, token) is None
    with reading(engine) as session:
        assert len(session.exec(select(AccessLink)).all()) == 1
