"""Step 3, shared solutions: each partner's stance on a topic, the rounds of proposals, ratings
and counter-offers, and the outcome recorded with who gave what.

A private limit never leaves this module: views carry ``StanceView``, in which a private range
is replaced by the word "private", and the common ground says only whether ranges overlap and
where a fair point lies.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import Field
from sqlmodel import Session, col, func, select

from models import changes, library, steps
from models.common_ground import CommonGround, common_ground
from models.kept import kept
from models.ratings import record_ratings, rule_verdict
from models.rows import (
    ShareRow,
    TopicOutcome,
    topic_outcomes,
    topic_positions,
    topic_proposals,
    workshop_partners,
    workshop_rounds,
    workshop_row,
)
from models.rules import Offer, Verdict, broken_rules, offer_problem, unconfirmed_rules
from models.schema import (
    Agreement,
    AgreementShare,
    FixedConstraint,
    Outcome,
    Partner,
    Proposal,
    Rating,
    RoundPosition,
    RuleCheck,
    RuleKind,
    Stance,
    StanceKind,
    Step,
    Topic,
    TopicKind,
    Workshop,
)
from models.validation import Conflict, InputModel, Invalid, parse


class FlexStanceIn(InputModel):
    preferred_value: float | None = None
    preferred_option: str | None = None
    preferred_text: str = Field(default="", max_length=2000)
    accept_min: float | None = None
    accept_max: float | None = None
    acceptable_options: list[str] = Field(default_factory=list)
    limit_private: bool = True
    weight: int = Field(ge=1, le=5)
    wants_in_return: str = Field(default="", max_length=2000)


class FixedRuleIn(InputModel):
    library_key: str | None = None
    rule_kind: RuleKind
    title: str = Field(min_length=1, max_length=200)
    citation: str = Field(min_length=1, max_length=200)
    explanation: str = Field(default="", max_length=2000)
    allowed_min: float | None = None
    allowed_max: float | None = None
    allowed_options: list[str] = Field(default_factory=list)
    allows_text: str = Field(default="", max_length=1000)


class OfferIn(InputModel):
    number: float | None = None
    option: str | None = None
    text: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)

    def offer(self) -> Offer:
        return Offer(number=self.number, option=self.option, text=self.text)


class ShareIn(InputModel):
    gave: str = Field(default="", max_length=1000)
    gained: str = Field(default="", max_length=1000)


# --- what the page sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class StanceView:
    """A partner's stance as it may be shown on the wall: a private limit is only "private"."""

    partner_id: int
    kind: StanceKind
    preferred: str
    acceptable: str
    weight: int
    wants_in_return: str
    rules: tuple[FixedConstraint, ...] = ()
    version: int = 1
    # For charts: the preferred value, and the acceptable range only when the partner shares it.
    preferred_number: float | None = None
    preferred_option: str | None = None
    public_min: float | None = None
    public_max: float | None = None
    public_options: tuple[str, ...] = ()


@dataclass
class RoundView:
    proposal: Proposal
    positions: dict[int, RoundPosition]
    ratings: list[Rating]
    verdict: Verdict
    confirmed_rule_ids: set[int]


@dataclass
class TopicView:
    topic: Topic
    workshop: Workshop
    partners: list[Partner]
    revealed: bool
    stances: dict[int, StanceView]  # empty until the step is revealed
    entered: set[int]  # partners that have a position, known before the reveal
    rules: list[FixedConstraint]  # the fixed rules on the topic, once the step is revealed
    ground: CommonGround
    rounds: list[RoundView]
    agreement: Agreement | None
    shares: dict[int, ShareRow] = field(default_factory=dict)

    @property
    def latest(self) -> RoundView | None:
        return self.rounds[-1] if self.rounds else None


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    rounds: int
    state: str


# --- stances -------------------------------------------------------------------------------------


def save_flex_stance(session: Session, *, topic_id: int, partner_id: int, data: dict,
                     expected_version: int | None, actor: str) -> Stance:
    """Create or replace a partner's flexible stance on a topic."""
    topic, partner = _topic_and_partner(session, topic_id, partner_id)
    stance_in = parse(FlexStanceIn, data)
    errors = _flex_problems(topic, stance_in)
    if errors:
        raise Invalid(errors)
    values = _flex_values(topic, stance_in)
    stance = _stance(session, topic_id, partner_id)
    if stance is None:
        return changes.create(session, Stance(topic_id=topic_id, partner_id=partner_id, **values),
                              actor=actor, workshop_id=partner.workshop_id)
    if expected_version is None:
        raise Conflict("This partner's position was given meanwhile; nothing was overwritten. "
                       "Open it again to see it.")
    for rule in _rules_of(session, [stance.id]):
        changes.delete(session, rule, actor=actor, workshop_id=partner.workshop_id)
    return changes.update(session, stance, values, actor=actor, workshop_id=partner.workshop_id,
                          expected_version=expected_version)


def add_fixed_rule(session: Session, *, topic_id: int, partner_id: int, data: dict,
                   actor: str, expected_version: int | None = None) -> FixedConstraint:
    """Add a rule that binds the partner on this topic; the stance becomes fixed. Replacing a
    flexible stance needs the version that was read, so a newer one is never discarded."""
    topic, partner = _topic_and_partner(session, topic_id, partner_id)
    rule_in = parse(FixedRuleIn, data)
    errors = _rule_problems(topic, rule_in)
    if errors:
        raise Invalid(errors)
    stance = _stance(session, topic_id, partner_id)
    fixed = {"kind": StanceKind.FIXED, "preferred_value": None, "preferred_option": None,
             "preferred_text": "", "accept_min": None, "accept_max": None,
             "acceptable_options": [], "wants_in_return": "", "weight": 5}
    if stance is None:
        stance = changes.create(session, Stance(topic_id=topic_id, partner_id=partner_id, **fixed),
                                actor=actor, workshop_id=partner.workshop_id)
    elif stance.kind != StanceKind.FIXED:
        if expected_version is None:
            raise Conflict("This partner's position was given meanwhile; nothing was "
                           "overwritten. Open it again to see it.")
        changes.update(session, stance, fixed, actor=actor, workshop_id=partner.workshop_id,
                       expected_version=expected_version)
    values = rule_in.model_dump()
    if topic.kind != TopicKind.NUMERIC:
        values.update(allowed_min=None, allowed_max=None)
    if topic.kind != TopicKind.OPTIONS:
        values["allowed_options"] = []
    return changes.create(session, FixedConstraint(stance_id=stance.id, **values), actor=actor,
                          workshop_id=partner.workshop_id)


def remove_fixed_rule(session: Session, *, rule_id: int, actor: str,
                      partner_id: int | None = None) -> None:
    """Remove a rule; with ``partner_id`` (a partner's own pre-work) only that partner's."""
    rule = session.get(FixedConstraint, rule_id)
    if rule is None:
        return
    stance = session.get(Stance, rule.stance_id)
    if partner_id is not None and stance.partner_id != partner_id:
        raise Invalid({"form": "This rule was removed a moment ago."})
    partner = session.get(Partner, stance.partner_id)
    changes.delete(session, rule, actor=actor, workshop_id=partner.workshop_id)
    if not _rules_of(session, [stance.id]):
        changes.delete(session, stance, actor=actor, workshop_id=partner.workshop_id)


def rule_from_library(key: str) -> dict:
    """A library rule as form data, ready for its topic-specific bounds or options."""
    entry = library.constraints()[key]
    return {"library_key": entry.key, "rule_kind": entry.kind, "title": entry.title,
            "citation": entry.citation, "explanation": entry.explanation,
            "allows_text": entry.allows}


def _flex_problems(topic: Topic, stance_in: FlexStanceIn) -> dict[str, str]:
    if topic.kind == TopicKind.NUMERIC:
        return _numeric_flex_problems(topic, stance_in)
    if topic.kind == TopicKind.OPTIONS:
        if stance_in.preferred_option not in topic.options:
            return {"preferred_option": "Please choose the option this partner prefers."}
        unknown = set(stance_in.acceptable_options) - set(topic.options)
        if unknown:
            return {"acceptable_options": "Please choose only from the topic's options."}
        if stance_in.acceptable_options and (stance_in.preferred_option
                                             not in stance_in.acceptable_options):
            return {"acceptable_options": "The preferred option must be one it can accept."}
        return {}
    if not stance_in.preferred_text:
        return {"preferred_text": "Please write what this partner would like."}
    return {}


def _numeric_flex_problems(topic: Topic, stance_in: FlexStanceIn) -> dict[str, str]:
    errors: dict[str, str] = {}
    span = f"from {topic.lower_bound:g} to {topic.upper_bound:g}"
    for name in ("preferred_value", "accept_min", "accept_max"):
        value = getattr(stance_in, name)
        if value is None:
            if name == "preferred_value":
                errors[name] = "Please give the value this partner would like."
        elif not math.isfinite(value) or not topic.lower_bound <= value <= topic.upper_bound:
            errors[name] = f"Please give a number {span}."
    if errors:
        return errors
    low, high = stance_in.accept_min, stance_in.accept_max
    if low is not None and high is not None and low > high:
        return {"accept_max": "The most it can accept must be at least the least."}
    preferred = stance_in.preferred_value
    if (low is not None and preferred < low) or (high is not None and preferred > high):
        return {"preferred_value": "The preferred value must lie inside what it can accept."}
    return {}


def _flex_values(topic: Topic, stance_in: FlexStanceIn) -> dict:
    numeric, options = topic.kind == TopicKind.NUMERIC, topic.kind == TopicKind.OPTIONS
    return {
        "kind": StanceKind.FLEX, "weight": stance_in.weight,
        "wants_in_return": stance_in.wants_in_return, "limit_private": stance_in.limit_private,
        "preferred_value": stance_in.preferred_value if numeric else None,
        "accept_min": stance_in.accept_min if numeric else None,
        "accept_max": stance_in.accept_max if numeric else None,
        "preferred_option": stance_in.preferred_option if options else None,
        "acceptable_options": list(stance_in.acceptable_options) if options else [],
        "preferred_text": stance_in.preferred_text if topic.kind == TopicKind.TEXT else "",
    }


def _rule_problems(topic: Topic, rule_in: FixedRuleIn) -> dict[str, str]:
    if topic.kind == TopicKind.NUMERIC:
        for name in ("allowed_min", "allowed_max"):
            value = getattr(rule_in, name)
            if value is not None and (not math.isfinite(value) or not
                                      topic.lower_bound <= value <= topic.upper_bound):
                return {name: f"Please give a number from {topic.lower_bound:g} to "
                              f"{topic.upper_bound:g}, or leave it empty."}
        low, high = rule_in.allowed_min, rule_in.allowed_max
        if low is not None and high is not None and low > high:
            return {"allowed_max": "The highest allowed value must be at least the lowest."}
    if topic.kind == TopicKind.OPTIONS:
        if not rule_in.allowed_options:
            return {"allowed_options": "Please choose the options this rule allows."}
        if set(rule_in.allowed_options) - set(topic.options):
            return {"allowed_options": "Please choose only from the topic's options."}
    return {}


# --- rounds --------------------------------------------------------------------------------------


def record_proposal(session: Session, *, topic_id: int, data: dict, actor: str,
                    confirmed_rule_ids: list[int] | None = None) -> Proposal:
    """Put a proposal to the room as the topic's next round.

    Refused when it does not fit the topic, when it breaks a partner's fixed rule (the rule is
    named), or, on a free-text topic, until the facilitator confirms it honours every rule.
    """
    topic = _topic(session, topic_id)
    if _agreement(session, topic_id) is not None and (
            _agreement(session, topic_id).outcome == Outcome.AGREED):
        raise Invalid({"form": "This topic is already agreed."})
    offer_in = parse(OfferIn, data)
    rules = _topic_rules(session, topic_id)
    _check_offer(session, topic, offer_in.offer(), rules, confirmed_rule_ids or [],
                 revealed=steps.is_revealed(session, topic.workshop_id, Step.SOLUTIONS))
    latest = session.exec(select(func.max(Proposal.round_no))
                          .where(Proposal.topic_id == topic_id)).one()
    value = _offer_columns(topic, offer_in.offer())
    proposal = changes.create(session, Proposal(topic_id=topic_id, round_no=(latest or 0) + 1,
                                                note=offer_in.note, **value),
                              actor=actor, workshop_id=topic.workshop_id)
    if topic.kind == TopicKind.TEXT:
        topic_rule_ids = {rule.id for rule in rules}
        for rule_id in set(confirmed_rule_ids or []) & topic_rule_ids:
            session.add(RuleCheck(proposal_id=proposal.id, constraint_id=rule_id))
    steps.mark_started(session, workshop_id=topic.workshop_id, step=Step.SOLUTIONS, actor=actor)
    return proposal


def record_round_ratings(session: Session, *, proposal_id: int, ratings: list[dict],
                         actor: str, seen: Mapping[str, int | None] | None = None) -> int:
    """``seen``: the ratings the grid showed, by rater (see ``ratings.record_ratings``)."""
    proposal = _proposal(session, proposal_id)
    topic = _topic(session, proposal.topic_id)
    return record_ratings(session, workshop_id=topic.workshop_id, ratings=ratings, actor=actor,
                          proposal_id=proposal_id, seen=seen)


def record_counter_offers(session: Session, *, proposal_id: int, offers: dict[int, dict],
                          expected_versions: dict[int, int | None], actor: str) -> int:
    """Each partner may restate its position for the round; empty offers are skipped.

    ``expected_versions`` holds, per partner, the version of its counter-offer when the form was
    read (None: it had none). A counter-offer recorded or changed since is not overwritten.
    """
    proposal = _proposal(session, proposal_id)
    topic = _topic(session, proposal.topic_id)
    partners = {p.id: p for p in _partners(session, topic.workshop_id)}
    errors, rows = {}, []
    for partner_id, data in offers.items():
        offer_in = parse(OfferIn, data, prefix=f"offer.{partner_id}.")
        offer = offer_in.offer()
        if offer.number is None and offer.option is None and not offer.text:
            continue
        problem = offer_problem(topic, offer)
        if partner_id not in partners:
            problem = "This partner is not in the workshop."
        if problem:
            errors[f"offer.{partner_id}"] = problem
            continue
        rows.append((partner_id, _offer_columns(topic, offer)))
    if errors:
        raise Invalid(errors)
    existing = {p.partner_id: p for p in session.exec(
        select(RoundPosition).where(RoundPosition.proposal_id == proposal_id)).all()}
    for partner_id, value in rows:
        row, read = existing.get(partner_id), expected_versions.get(partner_id)
        if row is not None and row.version != read:
            raise Conflict(f"Someone recorded {partners[partner_id].name}'s counter-offer a moment "
                           f"ago ({describe_position(topic, row)}); nothing was overwritten.",
                           changes.snapshot(row))
        if row is not None:
            changes.update(session, row, value, actor=actor, workshop_id=topic.workshop_id,
                           expected_version=read)
        else:
            changes.create(session, RoundPosition(proposal_id=proposal_id, partner_id=partner_id,
                                                  **value),
                           actor=actor, workshop_id=topic.workshop_id)
    return len(rows)


def describe_position(topic: Topic, position: RoundPosition) -> str:
    return describe_value(topic, position.value_number, position.value_option,
                          position.value_text)


def record_outcome(session: Session, *, topic_id: int, outcome: Outcome, data: dict,
                   shares: dict[int, dict], actor: str,
                   confirmed_rule_ids: list[int] | None = None,
                   expected_version: int | None = None) -> Agreement:
    """Record how the topic ends: agreed on a value that honours every fixed rule, or parked,
    escalated, or without agreement; and, per partner, what it gave and what it gained."""
    topic = _topic(session, topic_id)
    offer_in = parse(OfferIn, data)
    value: dict = {"value_number": None, "value_option": None, "value_text": ""}
    if outcome == Outcome.AGREED:
        _check_offer(session, topic, offer_in.offer(), _topic_rules(session, topic_id),
                     confirmed_rule_ids or [],
                     revealed=steps.is_revealed(session, topic.workshop_id, Step.SOLUTIONS))
        value = _offer_columns(topic, offer_in.offer())
    share_ins = {pid: parse(ShareIn, share, prefix=f"share.{pid}.")
                 for pid, share in shares.items()}
    values = dict(value, outcome=outcome, note=offer_in.note)
    agreement = _agreement(session, topic_id)
    partner_ids = {p.id for p in _partners(session, topic.workshop_id)}
    if set(share_ins) - partner_ids:
        raise Invalid({"form": "A partner named here is not in the workshop."})
    if agreement is None:
        agreement = changes.create(session, Agreement(topic_id=topic_id, **values), actor=actor,
                                   workshop_id=topic.workshop_id)
    elif expected_version is None:
        raise Conflict("Someone recorded an outcome for this topic a moment ago; nothing was "
                       "overwritten. Open the topic again to see it.")
    else:
        agreement = changes.update(session, agreement, values, actor=actor,
                                   workshop_id=topic.workshop_id,
                                   expected_version=expected_version)
    _save_shares(session, agreement, topic.workshop_id, share_ins, actor)
    steps.mark_started(session, workshop_id=topic.workshop_id, step=Step.SOLUTIONS, actor=actor)
    return agreement


def _save_shares(session: Session, agreement: Agreement, workshop_id: int,
                 share_ins: dict[int, ShareIn], actor: str) -> None:
    """The shares are written only with their outcome, whose version was checked just before
    (``record_outcome``), so a stale form cannot overwrite shares either."""
    existing = {s.partner_id: s for s in session.exec(
        select(AgreementShare).where(AgreementShare.agreement_id == agreement.id)).all()}
    for partner_id, share_in in share_ins.items():
        row = existing.get(partner_id)
        if row is None and (share_in.gave or share_in.gained):
            changes.create(session, AgreementShare(agreement_id=agreement.id,
                                                   partner_id=partner_id,
                                                   **share_in.model_dump()),
                           actor=actor, workshop_id=workshop_id)
        elif row is not None:
            changes.update(session, row, share_in.model_dump(), actor=actor,
                           workshop_id=workshop_id)


def _check_offer(session: Session, topic: Topic, offer: Offer, rules: list[FixedConstraint],
                 confirmed_rule_ids: list[int], *, revealed: bool) -> None:
    """Refuse an offer that does not fit the topic or breaks a fixed rule. Before the reveal
    the rules are still the partners' pre-work, so a refusal does not say whose rule, and a
    free-text offer waits: the room can only confirm rules it can see."""
    problem = offer_problem(topic, offer)
    if problem:
        raise Invalid({"value": problem})
    if not revealed and topic.kind == TopicKind.TEXT:
        raise Invalid({"rules": "Reveal the partners' positions first, so the room can check a "
                                "written proposal against each partner's rules."})
    broken = broken_rules(topic, offer, rules)
    if broken and not revealed:
        raise Invalid({"value": "This breaks a partner's fixed rule, so it cannot be proposed. "
                                "Reveal the partners' positions to see which rule."})
    if broken:
        owners = _rule_owners(session, broken)
        raise Invalid({"value": "This breaks a fixed rule, so it cannot be proposed: " + "; ".join(
            f"{owners[rule.id]}'s {rule.title} ({rule.citation})" for rule in broken) + "."})
    unconfirmed = unconfirmed_rules(topic, rules, confirmed_rule_ids)
    if unconfirmed:
        raise Invalid({"rules": "Please confirm that it honours every fixed rule: " + "; ".join(
            f"{rule.title} ({rule.citation})" for rule in unconfirmed) + "."})


def _offer_columns(topic: Topic, offer: Offer) -> dict:
    return {"value_number": offer.number if topic.kind == TopicKind.NUMERIC else None,
            "value_option": offer.option if topic.kind == TopicKind.OPTIONS else None,
            "value_text": offer.text if topic.kind == TopicKind.TEXT else ""}


# --- views ---------------------------------------------------------------------------------------


@kept
def topic_rows(session: Session, workshop_id: int) -> list[TopicRow]:
    """Every topic with its state in words, for the list on the left of the screen."""
    rounds = Counter(tally.topic_id for tally in workshop_rounds(session, workshop_id))
    return [TopicRow(topic=item.topic, rounds=rounds[item.topic.id],
                     state=_state_words(item.agreement.outcome if item.agreement else None,
                                        rounds[item.topic.id]))
            for item in topic_outcomes(session, workshop_id)]


def _state_words(outcome: Outcome | None, rounds: int) -> str:
    if outcome is not None:
        return {Outcome.AGREED: "agreed", Outcome.PARKED: "parked",
                Outcome.ESCALATED: "escalated", Outcome.NO_AGREEMENT: "no agreement"}[outcome]
    if rounds:
        return f"open · {rounds} round{'s' if rounds != 1 else ''}"
    return "open · not yet discussed"


@kept
def topic_view(session: Session, workshop_id: int, topic_id: int) -> TopicView:
    outcome = _outcome(session, workshop_id, topic_id)
    topic = outcome.topic
    workshop = workshop_row(session, workshop_id)
    partners = _partners(session, workshop_id)
    revealed = steps.is_revealed(session, workshop_id, Step.SOLUTIONS)
    stance_rows = list(session.exec(select(Stance).where(Stance.topic_id == topic_id)).all())
    rules = _rules_of(session, [s.id for s in stance_rows])
    rules_by_stance: dict[int, list[FixedConstraint]] = {}
    for rule in rules:
        rules_by_stance.setdefault(rule.stance_id, []).append(rule)
    stances = ({s.partner_id: _stance_view(topic, s, rules_by_stance.get(s.id, []))
                for s in stance_rows} if revealed else {})
    ground = (common_ground(topic, stance_rows, rules) if revealed
              else CommonGround(exists=None))
    return TopicView(topic=topic, workshop=workshop, partners=partners, revealed=revealed,
                     stances=stances, entered={s.partner_id for s in stance_rows},
                     rules=rules if revealed else [], ground=ground,
                     rounds=_rounds(session, topic_id, workshop), agreement=outcome.agreement,
                     shares={share.partner_id: share for share in outcome.shares})


def _outcome(session: Session, workshop_id: int, topic_id: int) -> TopicOutcome:
    """One of the workshop's topics with its outcome, from the rows its other views read."""
    found = next((item for item in topic_outcomes(session, workshop_id)
                  if item.topic.id == topic_id), None)
    if found is None:
        raise Invalid({"form": "This topic was removed a moment ago."})
    return found


@dataclass(frozen=True)
class MapCell:
    """One partner on one topic, as the map of every topic shows it."""

    kind: StanceKind
    weight: int  # how much the topic matters to the partner, 1-5


@kept
def stance_map(session: Session, workshop_id: int) -> dict[tuple[int, int], MapCell]:
    """Whether each partner can flex on each topic (and how much it matters) or holds a fixed
    rule, keyed (topic id, partner id); empty until the step is revealed. One query of four
    columns, however many topics: at a thousand topics the map is eight thousand cells."""
    if not steps.is_revealed(session, workshop_id, Step.SOLUTIONS):
        return {}
    cells = session.exec(select(Stance.topic_id, Stance.partner_id, Stance.kind, Stance.weight)
                         .join(Topic, Topic.id == Stance.topic_id)
                         .where(Topic.workshop_id == workshop_id)).all()
    return {(topic_id, partner_id): MapCell(kind, weight)
            for topic_id, partner_id, kind, weight in cells}


def _rounds(session: Session, topic_id: int, workshop: Workshop) -> list[RoundView]:
    positions = topic_positions(session, topic_id)
    checks = session.exec(select(RuleCheck).join(Proposal, Proposal.id == RuleCheck.proposal_id)
                          .where(Proposal.topic_id == topic_id)).all()
    views = []
    for proposal, ratings in topic_proposals(session, topic_id):
        own = sorted(ratings, key=lambda rating: rating.id)  # in the order they were given
        views.append(RoundView(
            proposal=proposal,
            positions={p.partner_id: p for p in positions if p.proposal_id == proposal.id},
            ratings=own, verdict=rule_verdict(workshop, own),
            confirmed_rule_ids={c.constraint_id for c in checks if c.proposal_id == proposal.id}))
    return views


def _stance_view(topic: Topic, stance: Stance, rules: list[FixedConstraint]) -> StanceView:
    if stance.kind == StanceKind.FIXED:
        return StanceView(partner_id=stance.partner_id, kind=stance.kind, preferred="",
                          acceptable="", weight=stance.weight, wants_in_return="",
                          rules=tuple(rules), version=stance.version)
    public = not stance.limit_private
    numeric = topic.kind == TopicKind.NUMERIC
    return StanceView(partner_id=stance.partner_id, kind=stance.kind,
                      preferred=describe_value(topic, stance.preferred_value,
                                               stance.preferred_option, stance.preferred_text),
                      acceptable=_acceptable_words(topic, stance), weight=stance.weight,
                      wants_in_return=stance.wants_in_return, version=stance.version,
                      preferred_number=stance.preferred_value,
                      preferred_option=stance.preferred_option,
                      public_min=(stance.accept_min if stance.accept_min is not None
                                  else topic.lower_bound) if public and numeric else None,
                      public_max=(stance.accept_max if stance.accept_max is not None
                                  else topic.upper_bound) if public and numeric else None,
                      public_options=tuple(stance.acceptable_options) if public else ())


def _acceptable_words(topic: Topic, stance: Stance) -> str:
    if stance.limit_private:
        return "private"
    if topic.kind == TopicKind.NUMERIC:
        low = stance.accept_min if stance.accept_min is not None else topic.lower_bound
        high = stance.accept_max if stance.accept_max is not None else topic.upper_bound
        return f"{low:g} to {high:g} {topic.unit}".strip()
    if topic.kind == TopicKind.OPTIONS:
        return "; ".join(stance.acceptable_options) or "any option"
    return ""


def describe_value(topic: Topic, number: float | None, option: str | None, text: str) -> str:
    """A value as the room reads it: "15 minutes", an option's label, or the text itself."""
    if topic.kind == TopicKind.NUMERIC:
        return f"{number:g} {topic.unit}".strip() if number is not None else ""
    if topic.kind == TopicKind.OPTIONS:
        return option or ""
    return text


# --- shared --------------------------------------------------------------------------------------


def _topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise Invalid({"form": "This topic was removed a moment ago."})
    return topic


def _proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise Invalid({"form": "This round was removed a moment ago."})
    return proposal


def _topic_and_partner(session: Session, topic_id: int, partner_id: int) -> tuple[Topic, Partner]:
    topic = _topic(session, topic_id)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.workshop_id != topic.workshop_id:
        raise Invalid({"form": "This partner is not in the topic's workshop."})
    return topic, partner


@kept
def partners_of(session: Session, workshop_id: int) -> list[Partner]:
    """The workshop's partners in their on-screen order."""
    return _partners(session, workshop_id)


def _partners(session: Session, workshop_id: int) -> list[Partner]:
    return list(workshop_partners(session, workshop_id))


def _stance(session: Session, topic_id: int, partner_id: int) -> Stance | None:
    return session.exec(select(Stance).where(Stance.topic_id == topic_id,
                                             Stance.partner_id == partner_id)).first()


def _rules_of(session: Session, stance_ids: list[int]) -> list[FixedConstraint]:
    return list(session.exec(select(FixedConstraint)
                             .where(col(FixedConstraint.stance_id).in_(stance_ids))
                             .order_by(FixedConstraint.id)).all())


def _topic_rules(session: Session, topic_id: int) -> list[FixedConstraint]:
    return list(session.exec(select(FixedConstraint).join(Stance)
                             .where(Stance.topic_id == topic_id)
                             .order_by(FixedConstraint.id)).all())


def _rule_owners(session: Session, rules: list[FixedConstraint]) -> dict[int, str]:
    rows = session.exec(select(FixedConstraint.id, Partner.name)
                        .join(Stance, Stance.id == FixedConstraint.stance_id)
                        .join(Partner, Partner.id == Stance.partner_id)
                        .where(col(FixedConstraint.id).in_([r.id for r in rules]))).all()
    return dict(rows)


def _agreement(session: Session, topic_id: int) -> Agreement | None:
    return session.exec(select(Agreement).where(Agreement.topic_id == topic_id)).first()
