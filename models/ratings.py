"""Ratings on the Gradients of Agreement, for a mission draft or a topic's proposal.

The room rates on one grid: each person (or each partner speaking as one) gives 1-8, with a reason
for 5-8. Recording the grid again replaces a rater's earlier rating of the same thing, so a
correction never counts twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field, ValidationError
from sqlmodel import Session, col, select

from models import changes
from models.rows import workshop_partners, workshop_row
from models.rules import Verdict, needs_reason, verdict
from models.schema import Participant, Partner, Rating, RatingsBy, Workshop
from models.validation import Conflict, InputModel, Invalid, plain_message


@dataclass(frozen=True)
class Rater:
    """Someone who rates: a person, or a partner speaking as one (``participant_id`` None)."""

    partner_id: int
    participant_id: int | None
    label: str

    @property
    def key(self) -> str:
        return f"{self.partner_id}-{self.participant_id or 'all'}"


class RatingIn(InputModel):
    partner_id: int
    participant_id: int | None = None
    value: int = Field(ge=1, le=8)
    reason: str = Field(default="", max_length=2000)


def raters(session: Session, workshop_id: int) -> list[Rater]:
    """Who rates in this workshop: every person, or every partner, as the decision rule says.

    A partner with nobody listed rates as one even when people rate, so nobody is left out.
    """
    workshop = workshop_row(session, workshop_id)
    partners = workshop_partners(session, workshop_id)
    people = session.exec(select(Participant).join(Partner)
                          .where(Partner.workshop_id == workshop_id)
                          .order_by(Participant.id)).all()
    result = []
    for partner in partners:
        own = [p for p in people if p.partner_id == partner.id]
        if workshop.ratings_by == RatingsBy.PARTICIPANT and own:
            result += [Rater(partner.id, person.id, person.name) for person in own]
        else:
            result.append(Rater(partner.id, None, partner.name))
    return result


def record_ratings(session: Session, *, workshop_id: int, ratings: list[dict], actor: str,
                   proposal_id: int | None = None, mission_draft_id: int | None = None,
                   seen: Mapping[str, int | None] | None = None) -> int:
    """Record a grid of ratings for one subject; returns how many were recorded.

    Errors are keyed ``rating.<rater key>.value`` / ``.reason`` so the grid can show each one
    on its own row. ``seen`` holds, per rater key, the id of the rating the grid showed when it
    was drawn (none: no rating); a rating given meanwhile in another window is not replaced.
    """
    seen = seen or {}
    if (proposal_id is None) == (mission_draft_id is None):
        raise ValueError("rate exactly one thing: a proposal or a mission draft")
    allowed = {r.key: r for r in raters(session, workshop_id)}
    parsed, errors = [], {}
    for data in ratings:
        rater_key = f"{data.get('partner_id')}-{data.get('participant_id') or 'all'}"
        try:
            rating_in = RatingIn.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                if error["loc"] and error["loc"][0] == "reason":
                    errors.setdefault(f"rating.{rater_key}.reason", plain_message(error))
                else:
                    errors[f"rating.{rater_key}.value"] = "Please choose a rating from 1 to 8."
            continue
        if rater_key not in allowed:
            errors[f"rating.{rater_key}.value"] = "This person is not in the workshop any more."
        elif needs_reason(rating_in.value) and not rating_in.reason:
            errors[f"rating.{rater_key}.reason"] = (f"A rating of {rating_in.value} needs a "
                                                    "reason, so the room knows what to change.")
        else:
            parsed.append(rating_in)
    if errors:
        raise Invalid(errors)
    if not parsed:
        raise Invalid({"form": "No ratings were given. Pick a number for at least one person."})
    subject = Rating.proposal_id == proposal_id if proposal_id else (
        Rating.mission_draft_id == mission_draft_id)
    for rating_in in parsed:
        same_rater = (col(Rating.participant_id).is_(None) if rating_in.participant_id is None
                      else Rating.participant_id == rating_in.participant_id)
        earlier = session.exec(select(Rating).where(subject,
                                                    Rating.partner_id == rating_in.partner_id,
                                                    same_rater)).all()
        key = f"{rating_in.partner_id}-{rating_in.participant_id or 'all'}"
        if earlier and earlier[-1].id != seen.get(key):
            raise Conflict(f"{allowed[key].label} was rated {earlier[-1].value} a moment ago, "
                           "in another window; nothing was overwritten. Record again to "
                           "replace that rating.", changes.snapshot(earlier[-1]))
        for rating in earlier:
            changes.delete(session, rating, actor=actor, workshop_id=workshop_id)
        changes.create(session, Rating(proposal_id=proposal_id, mission_draft_id=mission_draft_id,
                                       **rating_in.model_dump()),
                       actor=actor, workshop_id=workshop_id)
    return len(parsed)


def ratings_of(session: Session, *, proposal_ids: list[int] | None = None,
               mission_draft_ids: list[int] | None = None) -> list[Rating]:
    statement = select(Rating)
    if proposal_ids is not None:
        statement = statement.where(col(Rating.proposal_id).in_(proposal_ids))
    if mission_draft_ids is not None:
        statement = statement.where(col(Rating.mission_draft_id).in_(mission_draft_ids))
    return list(session.exec(statement.order_by(Rating.id)).all())


def rule_verdict(workshop: Workshop, ratings: Sequence[Rating]) -> Verdict:
    return verdict([r.value for r in ratings], min_support=workshop.rule_min_support,
                   block_from=workshop.rule_block_from)
