"""Set-up: creating and changing a workshop, its partners and their people, its topics, and its
decision rule. Every function validates its input, writes in the caller's session, and audits.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from models import changes, library
from models.kept import kept
from models.schema import (
    Participant,
    Partner,
    PartnerKind,
    PreworkProgress,
    Proposal,
    Rating,
    RatingsBy,
    Stance,
    Step,
    StepState,
    Topic,
    TopicKind,
    Workshop,
)
from models.validation import EARLIEST, LATEST, InputModel, Invalid, existing, parse

MIN_PARTNERS, MAX_PARTNERS = 2, 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


class WorkshopIn(InputModel):
    name: str = Field(min_length=1, max_length=200)
    held_on: date

    def problems(self) -> dict[str, str]:
        if not EARLIEST <= self.held_on <= LATEST:
            return {"held_on": "Please give a date between 2000 and 2100."}
        return {}


class ParticipantIn(InputModel):
    name: str = Field(min_length=1, max_length=120)
    role: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)

    def problems(self) -> dict[str, str]:
        if self.email and not _EMAIL.match(self.email):
            return {"email": "This does not look like an email address (name@example.org)."}
        return {}


class PartnerIn(InputModel):
    name: str = Field(min_length=1, max_length=120)
    kind: PartnerKind
    colour: str = Field(max_length=7)

    def problems(self) -> dict[str, str]:
        if not _HEX.match(self.colour):
            return {"colour": "Please pick a colour from the list."}
        return {}


class DecisionRuleIn(InputModel):
    min_support_percent: int = Field(ge=50, le=100)
    block_from: int = Field(ge=5, le=8)
    ratings_by: RatingsBy = RatingsBy.PARTICIPANT


class TopicIn(InputModel):
    title: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    kind: TopicKind
    unit: str = Field(default="", max_length=40)
    lower_bound: float | None = None
    upper_bound: float | None = None
    options: list[str] = Field(default_factory=list)

    def problems(self) -> dict[str, str]:
        if self.kind == TopicKind.NUMERIC:
            return self._numeric_problems()
        if self.kind == TopicKind.OPTIONS:
            return self._options_problems()
        return {}

    def _numeric_problems(self) -> dict[str, str]:
        errors = {}
        for field in ("lower_bound", "upper_bound"):
            value = getattr(self, field)
            if value is None:
                errors[field] = "A number topic needs its lowest and highest sensible value."
            elif abs(value) > 1e12:
                errors[field] = "Please give an ordinary number."
        if not errors and self.lower_bound >= self.upper_bound:
            errors["upper_bound"] = "The highest value must be above the lowest."
        return errors

    def _options_problems(self) -> dict[str, str]:
        options = [option.strip() for option in self.options if option.strip()]
        if len(options) < 2:
            return {"options": "Please list at least two options, one per line."}
        if len({option.lower() for option in options}) != len(options):
            return {"options": "Each option should appear only once."}
        if any(len(option) > 200 for option in options):
            return {"options": "Please keep each option under 200 characters."}
        return {}

    def cleaned(self) -> dict:
        """The topic's fields as stored: bounds only for numbers, options only for lists."""
        numeric = self.kind == TopicKind.NUMERIC
        return {
            "title": self.title, "category": self.category, "description": self.description,
            "kind": self.kind, "unit": self.unit if numeric else "",
            "lower_bound": self.lower_bound if numeric else None,
            "upper_bound": self.upper_bound if numeric else None,
            "options": ([o.strip() for o in self.options if o.strip()]
                        if self.kind == TopicKind.OPTIONS else []),
        }


def options_from_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- workshops -------------------------------------------------------------------------------


def create_workshop(session: Session, *, workshop: dict, partners: list[dict], actor: str,
                    is_demo: bool = False) -> Workshop:
    """A new workshop with its 2-8 partners, its four steps, and an empty pre-work per partner."""
    workshop_in = _parse_collecting(WorkshopIn, workshop, "")
    partner_ins = [_parse_collecting(PartnerIn, data, f"partners.{i}.")
                   for i, data in enumerate(partners)]
    errors = {}
    for item in [workshop_in, *partner_ins]:
        if isinstance(item, Invalid):
            errors.update(item.errors)
    if not MIN_PARTNERS <= len(partners) <= MAX_PARTNERS:
        errors["partners"] = f"A workshop has {MIN_PARTNERS} to {MAX_PARTNERS} partners."
    for field, message in _partner_set_problems(partner_ins).items():
        errors.setdefault(field, message)
    if errors:
        raise Invalid(errors)
    row = changes.create(session, Workshop(**workshop_in.model_dump(), is_demo=is_demo),
                         actor=actor, workshop_id=None)
    for step in Step:
        session.add(StepState(workshop_id=row.id, step=step))
    for position, partner_in in enumerate(partner_ins):
        _insert_partner(session, row.id, partner_in, position, actor)
    return row


def update_workshop(session: Session, *, workshop_id: int, data: dict, expected_version: int,
                    actor: str) -> Workshop:
    workshop_in = parse(WorkshopIn, data)
    row = existing(session, Workshop, workshop_id)
    return changes.update(session, row, workshop_in.model_dump(), actor=actor,
                          workshop_id=workshop_id, expected_version=expected_version)


def delete_workshop(session: Session, *, workshop_id: int, actor: str) -> None:
    row = existing(session, Workshop, workshop_id)
    changes.delete(session, row, actor=actor, workshop_id=None)


def set_decision_rule(session: Session, *, workshop_id: int, data: dict, expected_version: int,
                      actor: str) -> Workshop:
    """The rule is fixed before the first vote, so nobody can move the goalposts mid-workshop."""
    rule_in = parse(DecisionRuleIn, data)
    if count_ratings(session, workshop_id):
        raise Invalid({"form": "Ratings have already been given in this workshop, so the "
                               "decision rule can no longer change."})
    row = existing(session, Workshop, workshop_id)
    values = {"rule_min_support": rule_in.min_support_percent / 100,
              "rule_block_from": rule_in.block_from, "ratings_by": rule_in.ratings_by}
    return changes.update(session, row, values, actor=actor, workshop_id=workshop_id,
                          expected_version=expected_version)


@kept
def count_ratings(session: Session, workshop_id: int) -> int:
    statement = (select(func.count(Rating.id)).join(Partner, Partner.id == Rating.partner_id)
                 .where(Partner.workshop_id == workshop_id))
    return session.exec(statement).one()


# --- partners and their people -----------------------------------------------------------------


def add_partner(session: Session, *, workshop_id: int, data: dict, actor: str) -> Partner:
    partner_in = parse(PartnerIn, data)
    existing = _partners(session, workshop_id)
    if len(existing) >= MAX_PARTNERS:
        raise Invalid({"form": f"A workshop has at most {MAX_PARTNERS} partners."})
    _raise_if_clashes(partner_in, existing)
    position = max((p.position for p in existing), default=-1) + 1
    return _insert_partner(session, workshop_id, partner_in, position, actor)


def update_partner(session: Session, *, partner_id: int, data: dict, expected_version: int,
                   actor: str) -> Partner:
    partner_in = parse(PartnerIn, data)
    row = existing(session, Partner, partner_id)
    others = [p for p in _partners(session, row.workshop_id) if p.id != partner_id]
    _raise_if_clashes(partner_in, others)
    return changes.update(session, row, partner_in.model_dump(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_partner(session: Session, *, partner_id: int, actor: str) -> None:
    row = existing(session, Partner, partner_id)
    if len(_partners(session, row.workshop_id)) <= MIN_PARTNERS:
        raise Invalid({"form": f"A workshop needs at least {MIN_PARTNERS} partners; add another "
                               "before removing this one."})
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


def add_participant(session: Session, *, partner_id: int, data: dict, actor: str) -> Participant:
    participant_in = parse(ParticipantIn, data)
    partner = existing(session, Partner, partner_id)
    return changes.create(session, Participant(partner_id=partner_id,
                                               **participant_in.model_dump()),
                          actor=actor, workshop_id=partner.workshop_id)


def update_participant(session: Session, *, participant_id: int, data: dict,
                       expected_version: int, actor: str) -> Participant:
    participant_in = parse(ParticipantIn, data)
    row = existing(session, Participant, participant_id)
    partner = existing(session, Partner, row.partner_id)
    return changes.update(session, row, participant_in.model_dump(), actor=actor,
                          workshop_id=partner.workshop_id, expected_version=expected_version)


def delete_participant(session: Session, *, participant_id: int, actor: str) -> None:
    row = existing(session, Participant, participant_id)
    partner = existing(session, Partner, row.partner_id)
    changes.delete(session, row, actor=actor, workshop_id=partner.workshop_id)


def _insert_partner(session: Session, workshop_id: int, partner_in: PartnerIn, position: int,
                    actor: str) -> Partner:
    row = changes.create(session, Partner(workshop_id=workshop_id, position=position,
                                          **partner_in.model_dump()),
                         actor=actor, workshop_id=workshop_id)
    session.add(PreworkProgress(partner_id=row.id))
    return row


def _partner_set_problems(partner_ins: list[PartnerIn | Invalid]) -> dict[str, str]:
    """Names and colours that two partners share (partners with bad input are skipped)."""
    errors: dict[str, str] = {}
    seen_names: set[str] = set()
    seen_colours: set[str] = set()
    for i, partner_in in enumerate(partner_ins):
        if isinstance(partner_in, Invalid):
            continue
        if partner_in.name.lower() in seen_names:
            errors[f"partners.{i}.name"] = "Two partners have this name; please tell them apart."
        if partner_in.colour.lower() in seen_colours:
            errors[f"partners.{i}.colour"] = "Another partner has this colour; please pick another."
        seen_names.add(partner_in.name.lower())
        seen_colours.add(partner_in.colour.lower())
    return errors


def _raise_if_clashes(partner_in: PartnerIn, others: list[Partner]) -> None:
    if any(p.name.lower() == partner_in.name.lower() for p in others):
        raise Invalid({"name": "Another partner in this workshop has this name."})
    if any(p.colour.lower() == partner_in.colour.lower() for p in others):
        raise Invalid({"colour": "Another partner has this colour; please pick another."})


# --- topics ------------------------------------------------------------------------------------


def add_topic(session: Session, *, workshop_id: int, data: dict, actor: str,
              library_key: str | None = None) -> Topic:
    topic_in = parse(TopicIn, data)
    _raise_if_title_taken(session, workshop_id, topic_in.title)
    position = session.exec(select(func.count(Topic.id))
                            .where(Topic.workshop_id == workshop_id)).one()
    row = Topic(workshop_id=workshop_id, library_key=library_key, position=position,
                **topic_in.cleaned())
    return changes.create(session, row, actor=actor, workshop_id=workshop_id)


def add_library_topics(session: Session, *, workshop_id: int, keys: list[str],
                       actor: str) -> list[Topic]:
    """Add topics from the library; ones already in the workshop are skipped, not doubled."""
    present = set(session.exec(select(Topic.library_key)
                               .where(Topic.workshop_id == workshop_id)).all())
    unknown = [key for key in keys if key not in library.topics()]
    if unknown:
        raise Invalid({"library": f"These topics are not in the library: {', '.join(unknown)}."})
    added = []
    for key in keys:
        if key in present:
            continue
        present.add(key)
        entry = library.topics()[key]
        data = entry.model_dump(include={"title", "category", "description", "kind", "unit",
                                         "lower_bound", "upper_bound", "options"})
        added.append(add_topic(session, workshop_id=workshop_id, data=data, actor=actor,
                               library_key=key))
    return added


def update_topic(session: Session, *, topic_id: int, data: dict, expected_version: int,
                 actor: str) -> Topic:
    topic_in = parse(TopicIn, data)
    row = existing(session, Topic, topic_id)
    if topic_in.title.casefold() != row.title.casefold():
        _raise_if_title_taken(session, row.workshop_id, topic_in.title)
    if _topic_in_use(session, topic_id):
        _raise_if_answers_left_behind(row, topic_in)
    return changes.update(session, row, topic_in.cleaned(), actor=actor,
                          workshop_id=row.workshop_id, expected_version=expected_version)


def delete_topic(session: Session, *, topic_id: int, actor: str) -> None:
    row = existing(session, Topic, topic_id)
    changes.delete(session, row, actor=actor, workshop_id=row.workshop_id)


def _raise_if_answers_left_behind(row: Topic, topic_in: TopicIn) -> None:
    """Once partners have answered a topic, it may grow but not shrink: an option may be added,
    the range widened, but nothing an answer points at may disappear."""
    if topic_in.kind != row.kind:
        raise Invalid({"kind": "Partners have already taken positions on this topic, so its "
                               "kind cannot change. Add a new topic instead."})
    if row.kind == TopicKind.OPTIONS:
        kept = set(topic_in.cleaned()["options"])
        gone = [option for option in row.options if option not in kept]
        if gone:
            raise Invalid({"options": "Partners have answered with these options, so they must "
                                      "stay (you may add new ones): " + "; ".join(gone)})
    if row.kind == TopicKind.NUMERIC and (topic_in.lower_bound > row.lower_bound
                                          or topic_in.upper_bound < row.upper_bound):
        raise Invalid({"upper_bound": f"Partners have answered within {row.lower_bound:g} to "
                                      f"{row.upper_bound:g}, so the range may widen but not "
                                      "narrow."})


def _topic_in_use(session: Session, topic_id: int) -> bool:
    stances = session.exec(select(func.count(Stance.id)).where(Stance.topic_id == topic_id)).one()
    rounds = session.exec(select(func.count(Proposal.id))
                          .where(Proposal.topic_id == topic_id)).one()
    return bool(stances or rounds)


def _raise_if_title_taken(session: Session, workshop_id: int, title: str) -> None:
    # Compared in Python: SQLite's lower() only folds A-Z, so "Éxito" would slip past it.
    titles = session.exec(select(Topic.title).where(Topic.workshop_id == workshop_id)).all()
    if title.casefold() in {existing.casefold() for existing in titles}:
        raise Invalid({"title": "This workshop already has a topic with this title."})


# --- shared ------------------------------------------------------------------------------------


def _partners(session: Session, workshop_id: int) -> list[Partner]:
    return list(session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                             .order_by(Partner.position)).all())



def _parse_collecting(model: type[BaseModel], data: dict, prefix: str) -> BaseModel | Invalid:
    try:
        return parse(model, data, prefix)
    except Invalid as exc:
        return exc
