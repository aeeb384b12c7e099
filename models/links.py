"""Private links: a partner's pre-work link and the leadership review link.

A token carries 256 random bits; only its SHA-256 is stored, so a copy of the database does not
open anyone's pre-work. A link is valid while it is neither revoked nor expired.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models.clock import utcnow
from models.schema import AccessLink, LinkPurpose

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


@dataclass(frozen=True)
class LinkAccess:
    """What a valid link opens: one workshop, and for pre-work one partner."""

    link_id: int
    workshop_id: int
    purpose: LinkPurpose
    partner_id: int | None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(session: Session, *, workshop_id: int, purpose: LinkPurpose,
                partner_id: int | None = None, expires_at: datetime | None = None) -> str:
    """Store a new link and return its token, which is never stored and cannot be shown again."""
    token = new_token()
    session.add(AccessLink(workshop_id=workshop_id, partner_id=partner_id, purpose=purpose,
                           token_hash=hash_token(token), expires_at=expires_at))
    session.flush()
    return token


def resolve_link(session: Session, token: str | None) -> LinkAccess | None:
    """The access a token grants, or None when it is malformed, unknown, revoked or expired."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    link = session.exec(select(AccessLink)
                        .where(AccessLink.token_hash == hash_token(token))).first()
    if link is None or link.revoked_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= utcnow():
        return None
    return LinkAccess(link_id=link.id, workshop_id=link.workshop_id, purpose=link.purpose,
                      partner_id=link.partner_id)
