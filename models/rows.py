"""The rows most views of a workshop start from, each table read in one statement once per change
to the database (``models.kept``) however many views on one screen need it. Each comes in one
order; a view that shows another sorts in Python. They are shared: read them, never change them.

Only what the room may see is here. A partner's capacity and expected results are its pre-work
until the facilitator reveals the step, so before then their loaders hold nothing; stances and
fixed rules, with their private limits, are not here at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy
from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session, SQLModel, col, select

from models.kept import kept
from models.rules import SUPPORT_MAX
from models.schema import (
    Agreement,
    AgreementShare,
    CapacityCommitment,
    Checkin,
    EarlyWin,
    ExpectedResult,
    LogEntry,
    Measure,
    Milestone,
    MissionDraft,
    Outcome,
    Partner,
    Proposal,
    Rating,
    Recalibration,
    RoundPosition,
    Step,
    Topic,
    Workshop,
)
from models.steps import revealed_steps

Row = TypeVar("Row", bound=SQLModel)
# What a partner gave and gained for an outcome, as a plain row with AgreementShare's columns
# (agreement_id, partner_id, gave, gained): thousands at a large workshop, and only ever read.
ShareRow = sqlalchemy.Row
Parent = TypeVar("Parent", bound=SQLModel)
Child = TypeVar("Child", bound=SQLModel)


@kept
def workshop_row(session: Session, workshop_id: int) -> Workshop | None:
    return session.get(Workshop, workshop_id)


@kept
def workshop_partners(session: Session, workshop_id: int) -> tuple[Partner, ...]:
    """In the order the workshop lists them."""
    return _of_workshop(session, Partner, workshop_id, Partner.position, Partner.id)


@kept
def workshop_topics(session: Session, workshop_id: int) -> tuple[Topic, ...]:
    """In the order the workshop lists them."""
    return _of_workshop(session, Topic, workshop_id, Topic.position, Topic.id)


@kept
def workshop_measures(session: Session, workshop_id: int) -> tuple[Measure, ...]:
    """In the order they were added."""
    return _of_workshop(session, Measure, workshop_id, Measure.id)


@kept
def workshop_milestones(session: Session, workshop_id: int) -> tuple[Milestone, ...]:
    """By date."""
    return _of_workshop(session, Milestone, workshop_id, Milestone.due_on, Milestone.id)


@kept
def workshop_early_wins(session: Session, workshop_id: int) -> tuple[EarlyWin, ...]:
    """By target date, undated last."""
    return _of_workshop(session, EarlyWin, workshop_id, col(EarlyWin.target_date).is_(None),
                        EarlyWin.target_date, EarlyWin.id)


@kept
def workshop_log(session: Session, workshop_id: int) -> tuple[LogEntry, ...]:
    """Successes and disappointments, oldest first."""
    return _of_workshop(session, LogEntry, workshop_id, LogEntry.happened_on, LogEntry.id)


@kept
def workshop_capacity(session: Session, workshop_id: int) -> tuple[CapacityCommitment, ...]:
    """Every partner's months, partners in their order, once the partners' capacity is revealed;
    nothing before."""
    return _revealed_pre_work(session, CapacityCommitment, workshop_id, Step.PACING,
                              CapacityCommitment.month)


@kept
def workshop_expected_results(session: Session, workshop_id: int) -> tuple[ExpectedResult, ...]:
    """Every partner's expected results, partners in their order, once the step is revealed;
    nothing before."""
    return _revealed_pre_work(session, ExpectedResult, workshop_id, Step.EXPECTATIONS,
                              ExpectedResult.id)


@kept
def workshop_drafts(session: Session,
                    workshop_id: int) -> tuple[tuple[MissionDraft, tuple[Rating, ...]], ...]:
    """The joint mission's drafts, oldest first, each with its ratings in the order given."""
    return _with_children(session.exec(
        select(MissionDraft, Rating)
        .outerjoin(Rating, Rating.mission_draft_id == MissionDraft.id)
        .where(MissionDraft.workshop_id == workshop_id)
        .order_by(MissionDraft.number, Rating.id)).all())


@kept
def workshop_agreements(session: Session, workshop_id: int
                        ) -> tuple[tuple[Agreement, tuple[ShareRow, ...]], ...]:
    """The outcome recorded for each topic that has one, topics in their order, each with what
    every partner gave and gained, partners in their order. Two statements: joined, each
    outcome would come once per partner, and the session would look it up again each time."""
    agreements = session.exec(
        select(Agreement).join(Topic, Topic.id == Agreement.topic_id)
        .where(Topic.workshop_id == workshop_id).order_by(Topic.position, Topic.id)).all()
    shares: dict[int, list[ShareRow]] = {}
    for share in session.execute(
            select(AgreementShare.__table__)
            .join(Agreement, Agreement.id == AgreementShare.agreement_id)
            .join(Topic, Topic.id == Agreement.topic_id)
            .join(Partner, Partner.id == AgreementShare.partner_id)
            .where(Topic.workshop_id == workshop_id).order_by(Partner.position, Partner.id)):
        shares.setdefault(share.agreement_id, []).append(share)
    return tuple((agreement, tuple(shares.get(agreement.id, ()))) for agreement in agreements)


@kept
def workshop_checkins(session: Session,
                      workshop_id: int) -> tuple[tuple[Checkin, tuple[Recalibration, ...]], ...]:
    """The check-ins by date, each with the changes to the plan decided at it, in the order
    they were recorded."""
    return _with_children(session.exec(
        select(Checkin, Recalibration)
        .outerjoin(Recalibration, Recalibration.checkin_id == Checkin.id)
        .where(Checkin.workshop_id == workshop_id)
        .order_by(Checkin.held_on, Recalibration.id)).all())


@dataclass(frozen=True)
class TopicOutcome:
    """A topic with the outcome recorded for it, if any, and who gave and gained what."""

    topic: Topic
    agreement: Agreement | None
    shares: tuple[ShareRow, ...]  # partners in their order

    @property
    def agreed(self) -> bool:
        return self.agreement is not None and self.agreement.outcome == Outcome.AGREED


@kept
def topic_outcomes(session: Session, workshop_id: int) -> tuple[TopicOutcome, ...]:
    """Every topic in the workshop's order with its outcome (``workshop_topics`` and
    ``workshop_agreements`` side by side)."""
    recorded = {agreement.topic_id: (agreement, shares)
                for agreement, shares in workshop_agreements(session, workshop_id)}
    return tuple(TopicOutcome(topic, *recorded.get(topic.id, (None, ())))
                 for topic in workshop_topics(session, workshop_id))


@dataclass(frozen=True)
class RoundTally:
    """One round of a topic: how many ratings its proposal received, how many of them support
    it (1-3) and how many block it (the workshop's ``rule_block_from`` and above)."""

    topic_id: int
    round_no: int
    ratings: int
    support: int
    blocks: int


@kept
def workshop_rounds(session: Session, workshop_id: int) -> tuple[RoundTally, ...]:
    """Every round of every topic, by round number: counted by the database, one row per
    round, not one per rating."""
    rows = session.exec(
        select(Proposal.topic_id, Proposal.round_no, func.count(Rating.id),
               func.count(case((col(Rating.value) <= SUPPORT_MAX, 1))),
               func.count(case((col(Rating.value) >= Workshop.rule_block_from, 1))))
        .join(Topic, Topic.id == Proposal.topic_id)
        .join(Workshop, Workshop.id == Topic.workshop_id)
        .outerjoin(Rating, Rating.proposal_id == Proposal.id)
        .where(Topic.workshop_id == workshop_id)
        .group_by(Proposal.id)
        .order_by(Proposal.round_no, Proposal.id)).all()
    return tuple(RoundTally(*row) for row in rows)


@kept
def topic_proposals(session: Session,
                    topic_id: int) -> tuple[tuple[Proposal, tuple[Rating, ...]], ...]:
    """A topic's proposals by round, each with its ratings, partners in their order."""
    return _with_children(session.exec(
        select(Proposal, Rating)
        .outerjoin(Rating, Rating.proposal_id == Proposal.id)
        .outerjoin(Partner, Partner.id == Rating.partner_id)
        .where(Proposal.topic_id == topic_id)
        .order_by(Proposal.round_no, Partner.position, Partner.id, Rating.id)).all())


@kept
def topic_positions(session: Session, topic_id: int) -> tuple[RoundPosition, ...]:
    """The partners' counter-offers in every round of a topic, partners in their order."""
    return tuple(session.exec(
        select(RoundPosition).join(Proposal, Proposal.id == RoundPosition.proposal_id)
        .join(Partner, Partner.id == RoundPosition.partner_id)
        .where(Proposal.topic_id == topic_id)
        .order_by(Proposal.round_no, Partner.position, Partner.id)).all())


def _of_workshop(session: Session, table: type[Row], workshop_id: int,
                 *order: ColumnElement | InstrumentedAttribute) -> tuple[Row, ...]:
    """The rows of a table that has the workshop's id, in the order given."""
    return tuple(session.exec(select(table).where(table.workshop_id == workshop_id)
                              .order_by(*order)).all())


def _revealed_pre_work(session: Session, table: type[Row], workshop_id: int, step: Step,
                       *order: ColumnElement | InstrumentedAttribute) -> tuple[Row, ...]:
    """A table of the partners' pre-work, partners in their order: nothing until the
    facilitator reveals the step, so no view can show it before the room sees it."""
    if step not in revealed_steps(session, workshop_id):
        return ()
    return tuple(session.exec(select(table).join(Partner, Partner.id == table.partner_id)
                              .where(Partner.workshop_id == workshop_id)
                              .order_by(Partner.position, Partner.id, *order)).all())


def _with_children(rows: Iterable[tuple[Parent, Child | None]]
                   ) -> tuple[tuple[Parent, tuple[Child, ...]], ...]:
    """Rows of a LEFT JOIN, parent by parent in the order they come, each with its children."""
    grouped: dict[int, tuple[Parent, list[Child]]] = {}
    for parent, child in rows:
        children = grouped.setdefault(parent.id, (parent, []))[1]
        if child is not None:
            children.append(child)
    return tuple((parent, tuple(children)) for parent, children in grouped.values())
