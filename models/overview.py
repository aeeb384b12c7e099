"""What the set-up screens show: read-only views of workshops, a fixed handful of queries each."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, func, select

from models.kept import kept
from models.rows import workshop_partners, workshop_row, workshop_topics
from models.schema import Participant, Partner, Step, StepState, Topic, Workshop
from models.steps import step_states


@dataclass(frozen=True)
class WorkshopCard:
    id: int
    name: str
    held_on: str
    partners: int
    topics: int
    is_demo: bool


@dataclass
class PartnerView:
    partner: Partner
    people: list[Participant] = field(default_factory=list)


@dataclass
class SetupView:
    workshop: Workshop
    partners: list[PartnerView]
    topics: list[Topic]
    steps: list[StepState]


def list_workshops(session: Session) -> list[WorkshopCard]:
    partner_counts = dict(session.exec(select(Partner.workshop_id, func.count(Partner.id))
                                       .group_by(Partner.workshop_id)).all())
    topic_counts = dict(session.exec(select(Topic.workshop_id, func.count(Topic.id))
                                     .group_by(Topic.workshop_id)).all())
    rows = session.exec(select(Workshop).order_by(Workshop.held_on.desc(), Workshop.id)).all()
    return [WorkshopCard(id=w.id, name=w.name, held_on=w.held_on.isoformat(),
                         partners=partner_counts.get(w.id, 0), topics=topic_counts.get(w.id, 0),
                         is_demo=w.is_demo) for w in rows]


@kept
def workshop_names(session: Session) -> list[tuple[int, str, str]]:
    """Each workshop's id, name and date, newest first: what the workshop chooser shows."""
    rows = session.exec(select(Workshop.id, Workshop.name, Workshop.held_on)
                        .order_by(Workshop.held_on.desc(), Workshop.id)).all()
    return [(row_id, name, held_on.isoformat()) for row_id, name, held_on in rows]


@kept
def setup_view(session: Session, workshop_id: int) -> SetupView | None:
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return None
    partners = workshop_partners(session, workshop_id)
    people = session.exec(select(Participant).join(Partner)
                          .where(Partner.workshop_id == workshop_id)
                          .order_by(Participant.id)).all()
    views = {p.id: PartnerView(partner=p) for p in partners}
    for person in people:
        views[person.partner_id].people.append(person)
    topics = workshop_topics(session, workshop_id)
    steps = step_states(session, workshop_id).values()
    return SetupView(workshop=workshop, partners=list(views.values()), topics=list(topics),
                     steps=sorted(steps, key=lambda s: list(Step).index(s.step)))


@dataclass(frozen=True)
class LinkHolderView:
    """What a link holder may see of the workshop before their own forms open: names only."""

    workshop_name: str
    held_on: str
    partner_name: str | None
    people: list[str]


def link_holder_view(session: Session, *, workshop_id: int,
                     partner_id: int | None) -> LinkHolderView | None:
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return None
    partner = session.get(Partner, partner_id) if partner_id is not None else None
    if partner is not None and partner.workshop_id != workshop_id:
        return None
    people = []
    if partner is not None:
        people = list(session.exec(select(Participant.name)
                                   .where(Participant.partner_id == partner.id)).all())
    return LinkHolderView(workshop_name=workshop.name, held_on=workshop.held_on.isoformat(),
                          partner_name=partner.name if partner else None, people=people)
