"""Step 1, the shared mission: each partner's own mission, and the joint statement the room
drafts, rates and adopts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field
from sqlmodel import Session, col, func, select

from models import changes, steps
from models.clock import utcnow
from models.kept import kept
from models.ratings import ratings_of, record_ratings, rule_verdict
from models.rows import workshop_drafts, workshop_partners, workshop_row
from models.rules import Verdict
from models.schema import MissionDraft, Partner, PartnerMission, Rating, Step, Workshop
from models.themes import shared_stems
from models.validation import Conflict, InputModel, Invalid, parse

MISSION_FIELDS = ("mission", "values", "brings", "needs")


class PartnerMissionIn(InputModel):
    mission: str = Field(default="", max_length=4000)
    values: str = Field(default="", max_length=4000)
    brings: str = Field(default="", max_length=4000)
    needs: str = Field(default="", max_length=4000)


class OverrideIn(InputModel):
    override_reason: str = Field(default="", max_length=2000)


class DraftIn(InputModel):
    text: str = Field(min_length=1, max_length=4000)


@dataclass
class DraftView:
    draft: MissionDraft
    ratings: list[Rating]
    verdict: Verdict


@dataclass
class MissionView:
    workshop: Workshop
    partners: list[Partner]
    missions: dict[int, PartnerMission]  # by partner id; empty until the step is revealed
    revealed: bool
    written: set[int]  # partners that have written something, known before the reveal
    shared: set[str]
    drafts: list[DraftView]  # newest first

    @property
    def current(self) -> DraftView | None:
        return self.drafts[0] if self.drafts else None

    @property
    def adopted(self) -> DraftView | None:
        return next((d for d in self.drafts if d.draft.adopted_at is not None), None)


def save_partner_mission(session: Session, *, partner_id: int, data: dict,
                         expected_version: int | None, actor: str) -> PartnerMission:
    """Create or update a partner's own mission; a stale version is refused, not overwritten."""
    mission_in = parse(PartnerMissionIn, data)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise Invalid({"form": "This partner was removed a moment ago."})
    row = session.exec(select(PartnerMission)
                       .where(PartnerMission.partner_id == partner_id)).first()
    values = dict(mission_in.model_dump(), updated_at=utcnow())
    if row is None:
        return changes.create(session, PartnerMission(partner_id=partner_id, **values),
                              actor=actor, workshop_id=partner.workshop_id)
    if expected_version is None:
        raise Conflict("This partner's mission was written meanwhile; nothing was overwritten. "
                       "Open it again to see it.")
    return changes.update(session, row, values, actor=actor, workshop_id=partner.workshop_id,
                          expected_version=expected_version)


def add_draft(session: Session, *, workshop_id: int, data: dict, actor: str) -> MissionDraft:
    """A new version of the joint mission; earlier versions stay as they were."""
    draft_in = parse(DraftIn, data)
    latest = session.exec(select(func.max(MissionDraft.number))
                          .where(MissionDraft.workshop_id == workshop_id)).one()
    steps.mark_started(session, workshop_id=workshop_id, step=Step.MISSION, actor=actor)
    return changes.create(session, MissionDraft(workshop_id=workshop_id,
                                                number=(latest or 0) + 1, text=draft_in.text),
                          actor=actor, workshop_id=workshop_id)


def adopt_draft(session: Session, *, workshop_id: int, draft_id: int, actor: str,
                override_reason: str = "") -> MissionDraft:
    """Adopt a draft once the decision rule is met, or with a recorded reason for overriding it."""
    draft = session.get(MissionDraft, draft_id)
    workshop = session.get(Workshop, workshop_id)
    if draft is None or draft.workshop_id != workshop_id:
        raise Invalid({"form": "This draft was removed a moment ago."})
    reason = parse(OverrideIn, {"override_reason": override_reason}).override_reason
    met = rule_verdict(workshop, ratings_of(session, mission_draft_ids=[draft_id])).met
    if not met and not reason:
        raise Invalid({"override_reason": "The decision rule is not met for this draft. To "
                                          "adopt it anyway, write down why."})
    for other in session.exec(select(MissionDraft).where(
            MissionDraft.workshop_id == workshop_id, col(MissionDraft.adopted_at).is_not(None),
            MissionDraft.id != draft_id)).all():
        changes.update(session, other, {"adopted_at": None}, actor=actor, workshop_id=workshop_id)
    return changes.update(session, draft, {"adopted_at": utcnow(),
                                           "override_reason": "" if met else reason},
                          actor=actor, workshop_id=workshop_id)


def record_draft_ratings(session: Session, *, workshop_id: int, draft_id: int,
                         ratings: list[dict], actor: str,
                         seen: Mapping[str, int | None] | None = None) -> int:
    """``seen``: the ratings the grid showed, by rater (see ``ratings.record_ratings``)."""
    draft = session.get(MissionDraft, draft_id)
    if draft is None or draft.workshop_id != workshop_id:
        raise Invalid({"form": "This draft was removed a moment ago."})
    steps.mark_started(session, workshop_id=workshop_id, step=Step.MISSION, actor=actor)
    return record_ratings(session, workshop_id=workshop_id, ratings=ratings, actor=actor,
                          mission_draft_id=draft_id, seen=seen)


@kept
def mission_view(session: Session, workshop_id: int) -> MissionView:
    workshop = workshop_row(session, workshop_id)
    partners = list(workshop_partners(session, workshop_id))
    revealed = steps.is_revealed(session, workshop_id, Step.MISSION)
    rows = session.exec(select(PartnerMission).where(
        col(PartnerMission.partner_id).in_([p.id for p in partners]))).all()
    written = {row.partner_id for row in rows if any(getattr(row, f) for f in MISSION_FIELDS)}
    missions = {row.partner_id: row for row in rows} if revealed else {}
    shared = shared_stems({pid: " ".join(getattr(m, f) for f in MISSION_FIELDS)
                           for pid, m in missions.items()})
    views = [DraftView(draft=draft, ratings=list(ratings), verdict=rule_verdict(workshop, ratings))
             for draft, ratings in reversed(workshop_drafts(session, workshop_id))]
    return MissionView(workshop=workshop, partners=partners, missions=missions, revealed=revealed,
                       written=written, shared=shared, drafts=views)


def partner_mission(session: Session, partner_id: int) -> PartnerMission | None:
    """One partner's own mission, for that partner's pre-work or the facilitator's live entry."""
    return session.exec(select(PartnerMission)
                        .where(PartnerMission.partner_id == partner_id)).first()
