"""Partner pre-work: private links, what each partner has filled in, submission, the lock, and
the facilitator's tracker.

A partner's writes always take the partner from its link (``LinkAccess``), never from the form,
and are refused once the facilitator locks pre-work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import Field
from sqlmodel import Session, col, func, select

from models import changes
from models.clock import utcnow
from models.kept import kept
from models.links import LinkAccess, create_link, hash_token
from models.mission import MISSION_FIELDS
from models.pacing import months_from
from models.rows import workshop_partners
from models.rows import workshop_topics as listed_topics
from models.schema import (
    AccessLink,
    CapacityCommitment,
    ExpectedResult,
    FixedConstraint,
    LinkPurpose,
    Partner,
    PartnerMission,
    PreworkProgress,
    Stance,
    Topic,
    Workshop,
)
from models.validation import InputModel, Invalid, parse

SECTIONS = ("mission", "expectations", "topics", "capacity")
SECTION_TITLES = {"mission": "Your mission", "expectations": "The results you expect",
                  "topics": "Your position on each topic",
                  "capacity": "What you can commit, month by month"}
MISSION_WORDS = {"mission": "your mission", "values": "your values",
                 "brings": "what you bring", "needs": "what you need"}
LINK_GONE = "This link is not valid any more. Please ask your facilitator for a new one."
LOCKED = ("The facilitator has locked pre-work, so it can no longer change. Thank you for your "
          "answers.")


# --- links ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkStatus:
    partner_id: int | None
    purpose: LinkPurpose
    created_at: datetime
    expires_at: datetime | None


def issue_link(session: Session, *, workshop_id: int, purpose: LinkPurpose, actor: str,
               partner_id: int | None = None, valid_days: int | None = None) -> str:
    """A new link for a partner (or the leadership review); any earlier one stops working."""
    if purpose == LinkPurpose.PREWORK:
        partner = session.get(Partner, partner_id) if partner_id is not None else None
        if partner is None or partner.workshop_id != workshop_id:
            raise Invalid({"form": "This partner is not in the workshop."})
    if valid_days is not None and not 1 <= valid_days <= 365:
        raise Invalid({"valid_days": "A link can last from 1 to 365 days."})
    revoke_links(session, workshop_id=workshop_id, purpose=purpose, partner_id=partner_id,
                 actor=actor)
    expires = utcnow() + timedelta(days=valid_days) if valid_days else None
    token = create_link(session, workshop_id=workshop_id, purpose=purpose,
                        partner_id=partner_id, expires_at=expires)
    link = session.exec(select(AccessLink)
                        .where(AccessLink.token_hash == hash_token(token))).one()
    changes.audit(session, actor=actor, action="create", entity="accesslink", entity_id=link.id,
                  workshop_id=workshop_id, after={"purpose": purpose.value,
                                                  "partner_id": partner_id,
                                                  "expires_at": str(expires) if expires else None})
    return token


def revoke_links(session: Session, *, workshop_id: int, purpose: LinkPurpose, actor: str,
                 partner_id: int | None = None) -> int:
    """Stop every live link of this kind (for this partner); returns how many were stopped."""
    live = session.exec(select(AccessLink).where(
        AccessLink.workshop_id == workshop_id, AccessLink.purpose == purpose,
        AccessLink.partner_id == partner_id if partner_id is not None
        else col(AccessLink.partner_id).is_(None),
        col(AccessLink.revoked_at).is_(None))).all()
    for link in live:
        changes.update(session, link, {"revoked_at": utcnow()}, actor=actor,
                       workshop_id=workshop_id)
    return len(live)


def live_links(session: Session, workshop_id: int) -> list[LinkStatus]:
    now = utcnow()
    rows = session.exec(select(AccessLink).where(
        AccessLink.workshop_id == workshop_id, col(AccessLink.revoked_at).is_(None))).all()
    return [LinkStatus(partner_id=r.partner_id, purpose=r.purpose, created_at=r.created_at,
                       expires_at=r.expires_at)
            for r in rows if r.expires_at is None or r.expires_at > now]


# --- the lock and submission ---------------------------------------------------------------------


def set_locked(session: Session, *, workshop_id: int, locked: bool, actor: str) -> None:
    workshop = session.get(Workshop, workshop_id)
    if workshop is not None and workshop.prework_locked != locked:
        changes.update(session, workshop, {"prework_locked": locked}, actor=actor,
                       workshop_id=workshop_id)


def ensure_link(session: Session, access: LinkAccess) -> None:
    """Refuse a link revoked or expired since the page read it: a button's callback runs with the
    access of the run before, so the link is checked again at the moment of the write."""
    _check_link(session.get(AccessLink, access.link_id), access)


def _check_link(link: AccessLink | None, access: LinkAccess) -> None:
    if (link is None or link.purpose != LinkPurpose.PREWORK or link.revoked_at is not None
            or (link.expires_at is not None and link.expires_at <= utcnow())
            or link.partner_id != access.partner_id or link.workshop_id != access.workshop_id):
        raise Invalid({"form": LINK_GONE})


def ensure_open(session: Session, access: LinkAccess) -> Partner:
    """The link's partner, when its pre-work may still change; otherwise a plain refusal.
    The link, its partner and its workshop are read together, in one statement."""
    found = session.exec(
        select(AccessLink, Partner, Workshop)
        .join(Partner, col(Partner.id) == AccessLink.partner_id)
        .join(Workshop, col(Workshop.id) == AccessLink.workshop_id)
        .where(AccessLink.id == access.link_id, Partner.workshop_id == Workshop.id)).first()
    if found is None:
        raise Invalid({"form": LINK_GONE})
    link, partner, workshop = found
    _check_link(link, access)
    if workshop.prework_locked:
        raise Invalid({"form": LOCKED})
    return partner


def partner_write(session: Session, access: LinkAccess, write: Callable[[Partner], object]) -> None:
    """Run a partner's write after the link and lock checks, and note the activity."""
    partner = ensure_open(session, access)
    write(partner)
    _note_activity(session, partner.id)


def touch(session: Session, access: LinkAccess, *, opened: bool = False) -> None:
    """Note for the tracker that the link's partner opened or changed its pre-work."""
    ensure_link(session, access)
    _note_activity(session, access.partner_id, opened=opened)


def _note_activity(session: Session, partner_id: int, *, opened: bool = False) -> None:
    progress = _progress_row(session, partner_id)
    now = utcnow()
    if opened and progress.opened_at is None:
        progress.opened_at = now
    if not opened:
        progress.last_activity_at = now
        progress.opened_at = progress.opened_at or now
    session.add(progress)


def mark_opened(session: Session, access: LinkAccess) -> None:
    touch(session, access, opened=True)


class NoteIn(InputModel):
    note: str = Field(default="", max_length=4000)


def save_note(session: Session, *, access: LinkAccess, note: str, expected_version: int,
              actor: str) -> PreworkProgress:
    note_in = parse(NoteIn, {"note": note})

    def write(partner: Partner) -> None:
        changes.update(session, _progress_row(session, partner.id),
                       {"note_to_facilitator": note_in.note}, actor=actor,
                       workshop_id=partner.workshop_id, expected_version=expected_version)

    partner_write(session, access, write)
    return _progress_row(session, access.partner_id)


def submit(session: Session, *, access: LinkAccess, actor: str) -> None:
    """Hand in pre-work. Incomplete sections are allowed: the facilitator fills gaps live."""

    def write(partner: Partner) -> None:
        changes.update(session, _progress_row(session, partner.id), {"submitted_at": utcnow()},
                       actor=actor, workshop_id=partner.workshop_id)

    partner_write(session, access, write)


# --- a partner's own answers (every query filtered by the link's partner) -----------------------


@dataclass(frozen=True)
class OwnStance:
    stance: Stance
    rules: tuple[FixedConstraint, ...]


def own_mission(session: Session, access: LinkAccess) -> PartnerMission | None:
    return session.exec(select(PartnerMission)
                        .where(PartnerMission.partner_id == access.partner_id)).first()


def own_progress_row(session: Session, access: LinkAccess) -> PreworkProgress:
    return _progress_row(session, access.partner_id)


def workshop_topics(session: Session, access: LinkAccess) -> list[Topic]:
    """The topics of the link's workshop: the same list every partner is asked about."""
    return list(session.exec(select(Topic).where(Topic.workshop_id == access.workshop_id)
                             .order_by(Topic.position, Topic.id)).all())


def own_stances(session: Session, access: LinkAccess) -> dict[int, OwnStance]:
    """The link's partner's positions by topic id, with its own rules (and its own limits)."""
    stances = session.exec(select(Stance).where(Stance.partner_id == access.partner_id)).all()
    rules = session.exec(select(FixedConstraint).where(
        col(FixedConstraint.stance_id).in_([s.id for s in stances]))
        .order_by(FixedConstraint.id)).all()
    return {s.topic_id: OwnStance(stance=s, rules=tuple(r for r in rules if r.stance_id == s.id))
            for s in stances}


def own_results(session: Session, access: LinkAccess) -> list[ExpectedResult]:
    return list(session.exec(select(ExpectedResult)
                             .where(ExpectedResult.partner_id == access.partner_id)
                             .order_by(ExpectedResult.id)).all())


def is_locked(session: Session, access: LinkAccess) -> bool:
    """Whether the link's pre-work can no longer change (locked, or the workshop is gone)."""
    workshop = session.get(Workshop, access.workshop_id)
    return workshop is None or workshop.prework_locked


def capacity_months(session: Session, access: LinkAccess, count: int = 18) -> list[date]:
    """The months a partner may give capacity for: from the workshop's month on, plus any
    month it has already given."""
    workshop = session.get(Workshop, access.workshop_id)
    given = {row.month for row in own_capacity(session, access)}
    return sorted(set(months_from(workshop.held_on, count)) | given)


def own_capacity(session: Session, access: LinkAccess) -> list[CapacityCommitment]:
    return list(session.exec(select(CapacityCommitment)
                             .where(CapacityCommitment.partner_id == access.partner_id)
                             .order_by(CapacityCommitment.month)).all())


def delete_own_capacity(session: Session, *, access: LinkAccess, capacity_id: int,
                        actor: str) -> None:
    """Remove one of the link's partner's months; another partner's month is never reachable."""
    row = session.get(CapacityCommitment, capacity_id)
    if row is None or row.partner_id != access.partner_id:
        raise Invalid({"form": "This month was removed a moment ago."})
    partner_write(session, access, lambda partner: changes.delete(
        session, row, actor=actor, workshop_id=partner.workshop_id))


# --- progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionProgress:
    section: str
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class PartnerProgress:
    partner: Partner
    sections: tuple[SectionProgress, ...]
    opened_at: datetime | None
    last_activity_at: datetime | None
    submitted_at: datetime | None
    note_to_facilitator: str = ""

    @property
    def percent(self) -> int:
        return round(100 * sum(s.complete for s in self.sections) / len(self.sections))

    @property
    def state(self) -> str:
        if self.submitted_at is not None:
            return "submitted"
        if self.opened_at is None:
            return "not opened"
        return f"in progress ({self.percent} %)"


@kept
def progress(session: Session, workshop_id: int,
             partner_id: int | None = None) -> list[PartnerProgress]:
    """Each partner's progress (or one partner's), in a fixed handful of queries."""
    partners = workshop_partners(session, workshop_id)
    if partner_id is not None:
        partners = [p for p in partners if p.id == partner_id]
    ids = [p.id for p in partners]
    missions = {m.partner_id: m for m in session.exec(
        select(PartnerMission).where(col(PartnerMission.partner_id).in_(ids))).all()}
    results = _counts(session, ExpectedResult.partner_id, ids)
    months = _counts(session, CapacityCommitment.partner_id, ids)
    topics = [(topic.id, topic.title) for topic in listed_topics(session, workshop_id)]
    stances = set(session.exec(select(Stance.partner_id, Stance.topic_id)
                               .where(col(Stance.partner_id).in_(ids))).all())
    rows = {p.partner_id: p for p in session.exec(
        select(PreworkProgress).where(col(PreworkProgress.partner_id).in_(ids))).all()}
    report = []
    for partner in partners:
        mission = missions.get(partner.id)
        open_topics = [title for topic_id, title in topics if (partner.id, topic_id) not in stances]
        sections = (
            SectionProgress("mission", tuple(
                MISSION_WORDS[f] for f in MISSION_FIELDS if not (mission and getattr(mission, f)))),
            SectionProgress("expectations", () if results.get(partner.id) else
                            ("at least one result you expect",)),
            SectionProgress("topics", tuple(f"your position on “{t}”" for t in open_topics)),
            SectionProgress("capacity", () if months.get(partner.id) else
                            ("at least one month of capacity",)),
        )
        row = rows.get(partner.id)
        report.append(PartnerProgress(partner=partner, sections=sections,
                                      opened_at=row.opened_at if row else None,
                                      last_activity_at=row.last_activity_at if row else None,
                                      submitted_at=row.submitted_at if row else None,
                                      note_to_facilitator=row.note_to_facilitator if row else ""))
    return report


def reminder_text(workshop: Workshop, partner_progress: PartnerProgress) -> str:
    """A short, friendly reminder the facilitator can copy into an email."""
    missing = [item for s in partner_progress.sections for item in s.missing]
    days = (workshop.held_on - date.today()).days
    when = (f"on {workshop.held_on:%A %d %B}" if days > 1 else
            "tomorrow" if days == 1 else "soon")
    lines = [f"Hello {partner_progress.partner.name} team,", "",
             f"A friendly reminder about the pre-work for {workshop.name}, which meets {when}."]
    if missing:
        lines += ["Still to fill in: " + "; ".join(missing[:6])
                  + ("; and a few more." if len(missing) > 6 else ".")]
    else:
        lines += ["Everything is filled in: please press “Submit pre-work” when you are ready."]
    lines += ["", "Use the private link we sent you; your answers so far are saved.", "",
              "Thank you!"]
    return "\n".join(lines)


def _counts(session: Session, column: object, ids: list[int]) -> dict[int, int]:
    return dict(session.exec(select(column, func.count()).where(col(column).in_(ids))
                             .group_by(column)).all())


def _progress_row(session: Session, partner_id: int) -> PreworkProgress:
    row = session.exec(select(PreworkProgress)
                       .where(PreworkProgress.partner_id == partner_id)).first()
    if row is None:
        row = PreworkProgress(partner_id=partner_id)
        session.add(row)
        session.flush()
    return row
