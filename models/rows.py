"""The rows most views of a workshop start from, each read once per change to the database
(``models.kept``) however many views on one screen need them. They are shared: read them,
never change them."""

from __future__ import annotations

from sqlmodel import Session, select

from models.kept import kept
from models.schema import Partner, Topic, Workshop


@kept
def workshop_row(session: Session, workshop_id: int) -> Workshop | None:
    return session.get(Workshop, workshop_id)


@kept
def workshop_partners(session: Session, workshop_id: int) -> tuple[Partner, ...]:
    """In the order the workshop lists them."""
    return tuple(session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                              .order_by(Partner.position, Partner.id)).all())


@kept
def workshop_topics(session: Session, workshop_id: int) -> tuple[Topic, ...]:
    """In the order the workshop lists them."""
    return tuple(session.exec(select(Topic).where(Topic.workshop_id == workshop_id)
                              .order_by(Topic.position, Topic.id)).all())
