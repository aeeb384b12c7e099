"""The rows the workshop's views share (models/rows.py): each table in one statement, in one
order that every view turns into its own, and nothing of a partner's pre-work before its step
is revealed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import checkin_report, convergence, pacing, rows, setup, solutions, summary
from models.db import reading, writing
from models.schema import (
    Agreement,
    AgreementShare,
    CapacityCommitment,
    Checkin,
    EarlyWin,
    ExpectedResult,
    LogEntry,
    LogKind,
    MissionDraft,
    Outcome,
    Partner,
    Proposal,
    Rating,
    Recalibration,
    RecalibrationKind,
    Step,
    Topic,
    TopicKind,
    Workshop,
)
from models.steps import reveal
from tests.conftest import statements_run

ROOM = "facilitator:test"
PARTNERS = [
    {"name": "Lakeside Counseling", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Lakeside Family Practice", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Lake County", "kind": "other", "colour": "#009E73"},
]
MARCH, APRIL = date(2027, 3, 1), date(2027, 4, 1)


def _workshop(engine) -> tuple[int, list[int]]:
    """A workshop whose partners are listed in another order than they were added; their ids
    in the listed order."""
    with writing(engine) as session:
        workshop = setup.create_workshop(session, actor=ROOM, partners=PARTNERS,
                                         workshop={"name": "Lakeside", "held_on": "2027-02-10"})
        first, second, third = session.exec(select(Partner).where(
            Partner.workshop_id == workshop.id).order_by(Partner.id)).all()
        first.position, second.position, third.position = 2, 0, 1
        return workshop.id, [second.id, third.id, first.id]


def _demo_id(engine) -> int:
    with reading(engine) as session:
        return session.exec(select(Workshop.id).where(Workshop.is_demo)).one()


def _topic_with_rounds(session, workshop_id: int, *, rounds: int) -> tuple[int, list[int]]:
    """A topic and the ids of its rounds' proposals, the later rounds added first."""
    topic = Topic(workshop_id=workshop_id, title="Hours", category="test", kind=TopicKind.TEXT)
    session.add(topic)
    session.flush()
    proposals = [Proposal(topic_id=topic.id, round_no=n) for n in range(1, rounds + 1)]
    session.add_all(reversed(proposals))
    session.flush()
    return topic.id, [proposal.id for proposal in proposals]


# --- one statement each --------------------------------------------------------------------------


@pytest.mark.parametrize(("loader", "statements"), [
    (rows.workshop_measures, 1), (rows.workshop_milestones, 1), (rows.workshop_early_wins, 1),
    (rows.workshop_log, 1), (rows.workshop_drafts, 1),
    (rows.workshop_checkins, 1), (rows.workshop_rounds, 1),
    (rows.workshop_agreements, 2),  # the outcomes, then what each partner gave and gained
    # the step states first, which every screen reads anyway
    (rows.workshop_capacity, 2), (rows.workshop_expected_results, 2),
    (rows.topic_outcomes, 3),  # the topics and the agreements side by side
], ids=lambda value: getattr(value, "__name__", str(value)))
def test_each_loader_reads_in_a_fixed_number_of_statements(demo_engine, loader, statements):
    workshop_id = _demo_id(demo_engine)
    assert statements_run(demo_engine, lambda session: loader(session, workshop_id),
                          selects_only=True) == statements


def test_a_topics_rounds_read_once_for_its_view_and_its_chart(demo_engine):
    workshop_id = _demo_id(demo_engine)
    with reading(demo_engine) as session:
        topic_id = session.exec(select(Proposal.topic_id)).first()

    def both(session) -> None:
        solutions.topic_view(session, workshop_id, topic_id)
        convergence.topic_rounds(session, topic_id)

    alone = statements_run(demo_engine,
                           lambda session: solutions.topic_view(session, workshop_id, topic_id))
    assert statements_run(demo_engine, both) == alone


# --- pre-work ------------------------------------------------------------------------------------


def test_capacity_and_expected_results_stay_out_until_their_step_is_revealed(engine):
    workshop_id, (b, c, a) = _workshop(engine)
    with writing(engine) as session:
        session.add_all([CapacityCommitment(partner_id=a, month=MARCH, hours=10),
                         CapacityCommitment(partner_id=b, month=APRIL, hours=20),
                         CapacityCommitment(partner_id=b, month=MARCH, hours=30)])
        session.add_all([ExpectedResult(partner_id=a, text="Fewer no-shows", importance=3),
                         ExpectedResult(partner_id=c, text="Shared records", importance=4),
                         ExpectedResult(partner_id=a, text="Faster hand-offs", importance=5)])

    with reading(engine) as session:
        assert rows.workshop_capacity(session, workshop_id) == ()
        assert rows.workshop_expected_results(session, workshop_id) == ()

    with writing(engine) as session:
        reveal(session, workshop_id=workshop_id, step=Step.PACING, actor=ROOM)
        reveal(session, workshop_id=workshop_id, step=Step.EXPECTATIONS, actor=ROOM)
    with reading(engine) as session:
        capacity = rows.workshop_capacity(session, workshop_id)
        expected = rows.workshop_expected_results(session, workshop_id)
        plan = pacing.pacing_view(session, workshop_id)
    # Partners in their listed order, then months; the pacing screen goes month by month.
    assert [(row.partner_id, row.month) for row in capacity] == [
        (b, MARCH), (b, APRIL), (a, MARCH)]
    assert [(row.partner_id, row.month) for row in plan.capacity] == [
        (b, MARCH), (a, MARCH), (b, APRIL)]
    assert [row.text for row in expected] == ["Shared records", "Fewer no-shows",
                                              "Faster hand-offs"]


# --- rows with the rows that belong to them ------------------------------------------------------


def test_each_draft_comes_with_its_own_ratings(engine):
    workshop_id, (b, _, a) = _workshop(engine)
    with writing(engine) as session:
        first = MissionDraft(workshop_id=workshop_id, number=1, text="One")
        second = MissionDraft(workshop_id=workshop_id, number=2, text="Two")
        session.add_all([second, first])
        session.flush()
        session.add_all([Rating(partner_id=a, mission_draft_id=first.id, value=2),
                         Rating(partner_id=b, mission_draft_id=first.id, value=6, reason="No")])
    with reading(engine) as session:
        drafts = rows.workshop_drafts(session, workshop_id)
    assert [(draft.text, [(r.partner_id, r.value) for r in ratings])
            for draft, ratings in drafts] == [("One", [(a, 2), (b, 6)]), ("Two", [])]


def test_every_topic_comes_with_its_outcome_and_the_shares_in_partner_order(engine):
    workshop_id, (b, c, a) = _workshop(engine)
    with writing(engine) as session:
        topics = [Topic(workshop_id=workshop_id, title=title, category="test",
                        kind=TopicKind.TEXT, position=position)
                  for title, position in (("Agreed", 2), ("Open", 0), ("Parked", 1))]
        session.add_all(topics)
        session.flush()
        agreed, _, parked = topics
        agreement = Agreement(topic_id=agreed.id, outcome=Outcome.AGREED, value_text="Yes")
        session.add_all([agreement, Agreement(topic_id=parked.id, outcome=Outcome.PARKED)])
        session.flush()
        session.add_all(AgreementShare(agreement_id=agreement.id, partner_id=p, gave=f"{p}")
                        for p in sorted((a, b, c)))
    with reading(engine) as session:
        outcomes = rows.topic_outcomes(session, workshop_id)
        listed = solutions.topic_rows(session, workshop_id)
    assert [(o.topic.title, o.agreement.outcome if o.agreement else None, o.agreed)
            for o in outcomes] == [("Open", None, False), ("Parked", Outcome.PARKED, False),
                                   ("Agreed", Outcome.AGREED, True)]
    assert [(share.partner_id, share.gave) for share in outcomes[2].shares] == [
        (b, f"{b}"), (c, f"{c}"), (a, f"{a}")]
    assert outcomes[1].shares == ()  # parked, with nobody's give and take recorded
    assert [row.state for row in listed] == ["open · not yet discussed", "parked", "agreed"]


def test_a_rounds_tally_counts_each_value_rated(engine):
    workshop_id, (b, c, a) = _workshop(engine)
    with writing(engine) as session:
        topic_id, (first, _) = _topic_with_rounds(session, workshop_id, rounds=2)
        session.add_all([Rating(partner_id=a, proposal_id=first, value=3),
                         Rating(partner_id=b, proposal_id=first, value=8, reason="No"),
                         Rating(partner_id=c, proposal_id=first, value=3)])
    with reading(engine) as session:
        tallies = rows.workshop_rounds(session, workshop_id)
        listed = solutions.topic_rows(session, workshop_id)
    # three ratings, two of them support (3), one blocks (8, the default rule blocks from 7)
    assert tallies == (rows.RoundTally(topic_id, 1, ratings=3, support=2, blocks=1),
                       rows.RoundTally(topic_id, 2, ratings=0, support=0, blocks=0))
    assert (listed[0].rounds, listed[0].state) == (2, "open · 2 rounds")


def test_a_round_blocks_from_the_workshops_own_rule(engine):
    workshop_id, (b, c, a) = _workshop(engine)
    with writing(engine) as session:
        session.get(Workshop, workshop_id).rule_block_from = 5
        _, (first,) = _topic_with_rounds(session, workshop_id, rounds=1)
        session.add_all([Rating(partner_id=a, proposal_id=first, value=4),
                         Rating(partner_id=b, proposal_id=first, value=5),
                         Rating(partner_id=c, proposal_id=first, value=6)])
    with reading(engine) as session:
        [tally] = rows.workshop_rounds(session, workshop_id)
    assert (tally.ratings, tally.support, tally.blocks) == (3, 0, 2)


def test_a_rounds_ratings_in_the_partners_order_for_charts_and_as_given_for_the_grid(engine):
    workshop_id, (b, c, a) = _workshop(engine)
    with writing(engine) as session:
        topic_id, (proposal_id,) = _topic_with_rounds(session, workshop_id, rounds=1)
        for partner_id, value in ((a, 1), (c, 2), (b, 3)):
            session.add(Rating(partner_id=partner_id, proposal_id=proposal_id, value=value))
            session.flush()
    with reading(engine) as session:
        view = solutions.topic_view(session, workshop_id, topic_id)
        inputs = convergence.topic_rounds(session, topic_id)
    assert [r.partner_id for r in view.rounds[0].ratings] == [a, c, b]
    assert inputs[0].ratings == ((b, 3), (c, 2), (a, 1))


def test_the_check_ins_come_by_date_with_the_changes_decided_at_them(engine):
    workshop_id, _ = _workshop(engine)
    with writing(engine) as session:
        late, early = (Checkin(workshop_id=workshop_id, held_on=date(2027, month, 1))
                       for month in (6, 4))
        session.add_all([late, early])
        session.flush()
        session.add_all(Recalibration(checkin_id=checkin.id, kind=RecalibrationKind.TARGET,
                                      subject=subject, entity="measure", reason="Because")
                        for checkin, subject in ((late, "First"), (early, "Second"),
                                                 (late, "Third")))
    with reading(engine) as session:
        checkins = rows.workshop_checkins(session, workshop_id)
        view = checkin_report.checkin_view(session, workshop_id)
    assert [(c.held_on.month, [r.subject for r in changed]) for c, changed in checkins] == [
        (4, ["Second"]), (6, ["First", "Third"])]
    assert [r.subject for r in view.recalibrations] == ["First", "Second", "Third"]
    assert [c.held_on.month for c in view.checkins] == [4, 6]


# --- one order, each view's own ------------------------------------------------------------------


def test_the_log_and_early_wins_in_the_order_each_view_shows(engine):
    workshop_id, (b, _, _) = _workshop(engine)
    with writing(engine) as session:
        for day, text in ((20, "Same day A"), (2, "Earlier"), (20, "Same day B")):
            session.add(LogEntry(workshop_id=workshop_id, kind=LogKind.SUCCESS,
                                 happened_on=date(2027, 3, day), text=text))
            session.flush()
        for title, target in (("Undated", None), ("Later", date(2027, 5, 1)),
                              ("Soon A", date(2027, 4, 1)), ("Soon B", date(2027, 4, 1))):
            session.add(EarlyWin(workshop_id=workshop_id, title=title, target_date=target,
                                 partner_id=b))
            session.flush()
    with reading(engine) as session:
        plan = pacing.pacing_view(session, workshop_id)
        checkins = checkin_report.checkin_view(session, workshop_id)
        settled = summary.build_summary(session, workshop_id)
    # Pacing: newest first; the check-ins count from the oldest.
    assert [e.text for e in plan.log] == ["Same day B", "Same day A", "Earlier"]
    assert [e.text for e in checkins.log] == ["Earlier", "Same day A", "Same day B"]
    # Pacing and the summary: by target date, undated last; the check-ins as they were added.
    assert [w.title for w in plan.early_wins] == ["Soon A", "Soon B", "Later", "Undated"]
    assert [win.split(",")[0] for win in settled.early_wins] == ["Soon A", "Soon B", "Later",
                                                                 "Undated"]
    assert [w.title for w in checkins.early_wins] == ["Undated", "Later", "Soon A", "Soon B"]
