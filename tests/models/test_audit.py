"""The audit trail and undo: every change in words with who and when, private limits and
unrevealed pre-work never shown, and undo that puts back exactly what was there, audited itself."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from models import (
    audit,
    changes,
    expectations,
    mission,
    pacing,
    prework,
    setup,
    solutions,
    steps,
)
from models.db import reading, writing
from models.schema import (
    AuditEvent,
    ExpectedResult,
    LinkPurpose,
    Milestone,
    Partner,
    Step,
    Topic,
    Workshop,
)
from models.validation import Invalid
from tests.conftest import statements_run

ROOM = "facilitator"


def demo_ids(engine) -> tuple[int, list[Partner]]:
    with reading(engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        partners = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                                .order_by(Partner.position)).all()
    return workshop_id, list(partners)


def every_row(engine) -> dict[str, list[tuple]]:
    """The whole database but the trail itself and the change stamps (which writes
    replaces), table by table, in id order."""
    dump = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in ("auditevent", "tablestamp"):
                continue
            rows = connection.execute(table.select().order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    return dump


def last_event(engine, workshop_id: int) -> AuditEvent:
    with reading(engine) as session:
        return session.exec(select(AuditEvent).where(AuditEvent.workshop_id == workshop_id)
                            .order_by(AuditEvent.id.desc())).first()


def undo(engine, workshop_id: int, event_id: int, actor: str = "Ana") -> AuditEvent:
    with writing(engine) as session:
        return audit.undo(session, workshop_id=workshop_id, event_id=event_id, actor=actor)


def refusal(engine, workshop_id: int, event_id: int) -> str:
    with pytest.raises(Invalid) as refused, writing(engine) as session:
        audit.undo(session, workshop_id=workshop_id, event_id=event_id, actor="Ana")
    return refused.value.errors["form"]


def new_workshop(session, name: str = "Spring workshop") -> Workshop:
    return setup.create_workshop(
        session, actor=ROOM, workshop={"name": name, "held_on": date(2027, 3, 1)},
        partners=[{"name": "Only BH", "kind": "behavioral_health", "colour": "#0072B2"},
                  {"name": "Only PC", "kind": "primary_care", "colour": "#E69F00"}])


def milestone(session, workshop_id: int, **values) -> Milestone:
    data = {"title": "Pilot starts", "kind": "pilot_start", "due_on": date(2027, 4, 1),
            "slack_days": 0, "owner_partner_id": None, "demand_hours": 0} | values
    return pacing.add_milestone(session, workshop_id=workshop_id, actor=ROOM, data=data)


# --- undo ----------------------------------------------------------------------------------------


def test_undoing_a_change_sets_it_back_and_is_itself_audited_and_undoable(demo_engine):
    workshop_id, _ = demo_ids(demo_engine)
    with writing(demo_engine) as session:
        row = milestone(session, workshop_id)
    with writing(demo_engine) as session:
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor="Ben",
                                data={"title": "Pilot starts at two sites",
                                      "kind": "pilot_start", "due_on": date(2027, 5, 3),
                                      "slack_days": 10, "owner_partner_id": None,
                                      "demand_hours": 0})
    change = last_event(demo_engine, workshop_id)
    before_change = every_row(demo_engine)

    undone = undo(demo_engine, workshop_id, change.id)

    with reading(demo_engine) as session:
        back = session.get(Milestone, row.id)
    assert (back.title, back.due_on, back.slack_days, back.version) == (
        "Pilot starts", date(2027, 4, 1), 0, 3)
    assert (undone.action, undone.actor, undone.undoes_id, undone.entity_id) == (
        "undo", "Ana", change.id, row.id)
    assert undone.before["title"] == "Pilot starts at two sites"
    assert undone.after["title"] == "Pilot starts"
    assert refusal(demo_engine, workshop_id, change.id) == "Already undone."

    undo(demo_engine, workshop_id, undone.id)  # undo the undo: the change is back
    after_redo = every_row(demo_engine)
    with reading(demo_engine) as session:
        again = session.get(Milestone, row.id)
    assert (again.title, again.slack_days, again.version) == ("Pilot starts at two sites", 10, 4)
    assert _without(after_redo, "milestone") == _without(before_change, "milestone")


def _without(dump: dict, table: str) -> dict:
    return {name: rows for name, rows in dump.items() if name != table}


def test_undoing_an_addition_removes_it_and_undoing_that_brings_it_back_as_it_was(demo_engine):
    workshop_id, _ = demo_ids(demo_engine)
    before = every_row(demo_engine)
    with writing(demo_engine) as session:
        row = milestone(session, workshop_id, title="Shared huddle every Tuesday")
    added = last_event(demo_engine, workshop_id)
    with_it = every_row(demo_engine)

    removal = undo(demo_engine, workshop_id, added.id)
    assert every_row(demo_engine) == before
    assert removal.before["title"] == "Shared huddle every Tuesday" and removal.after is None

    undo(demo_engine, workshop_id, removal.id)
    assert every_row(demo_engine) == with_it
    with reading(demo_engine) as session:
        assert session.get(Milestone, row.id).title == "Shared huddle every Tuesday"


@pytest.mark.parametrize("what", ["partner", "topic", "measure", "proposal"])
def test_undoing_a_removal_restores_it_with_everything_that_went_with_it(demo_engine, what):
    """Removing a demo partner takes its people, positions, fixed rules, ratings, pre-work and
    links with it, and empties the milestones and measures it owned; undo puts every row back
    exactly, references included."""
    workshop_id, partners = demo_ids(demo_engine)
    before = every_row(demo_engine)
    with writing(demo_engine) as session:
        if what == "partner":
            setup.delete_partner(session, partner_id=partners[0].id, actor=ROOM)
        elif what == "topic":
            topic = session.exec(select(Topic).where(Topic.workshop_id == workshop_id)
                                 .order_by(Topic.id)).first()
            setup.delete_topic(session, topic_id=topic.id, actor=ROOM)
        elif what == "measure":
            linked = session.exec(select(ExpectedResult)
                                  .where(ExpectedResult.measure_id.is_not(None))).first()
            expectations.delete_measure(session, workshop_id=workshop_id,
                                        measure_id=linked.measure_id, actor=ROOM)
        else:
            topic_id = session.exec(text(
                "SELECT topic_id FROM proposal GROUP BY topic_id HAVING count(*) > 1")).first()[0]
            view = solutions.topic_view(session, workshop_id, topic_id)
            changes.delete(session, view.latest.proposal, actor=ROOM, workshop_id=workshop_id)
    removed = last_event(demo_engine, workshop_id)
    assert every_row(demo_engine) != before
    assert removed.before.get("__dependents__") or removed.before.get("__unlinked__")

    undo(demo_engine, workshop_id, removed.id)

    assert every_row(demo_engine) == before


def test_a_change_made_again_since_is_not_lost_by_undoing_the_earlier_one(demo_engine):
    workshop_id, _ = demo_ids(demo_engine)
    with writing(demo_engine) as session:
        row = milestone(session, workshop_id)
    with writing(demo_engine) as session:
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor=ROOM,
                                data={"title": "First", "kind": "pilot_start",
                                      "due_on": date(2027, 4, 1), "slack_days": 0,
                                      "owner_partner_id": None, "demand_hours": 0})
    first = last_event(demo_engine, workshop_id)
    with writing(demo_engine) as session:
        pacing.update_milestone(session, milestone_id=row.id, expected_version=2, actor=ROOM,
                                data={"title": "Second", "kind": "pilot_start",
                                      "due_on": date(2027, 4, 1), "slack_days": 0,
                                      "owner_partner_id": None, "demand_hours": 0})
    before = every_row(demo_engine)

    assert refusal(demo_engine, workshop_id, first.id) == audit.CHANGED_SINCE
    assert every_row(demo_engine) == before


def test_a_restored_row_whose_id_was_taken_meanwhile_gets_a_new_one(engine):
    with writing(engine) as session:
        workshop_id = new_workshop(session).id
        last = milestone(session, workshop_id, title="Last one")
    with writing(engine) as session:
        pacing.delete_milestone(session, milestone_id=last.id, actor=ROOM)
    removed = last_event(engine, workshop_id)
    with writing(engine) as session:
        newer = milestone(session, workshop_id, title="Took its place")

    undo(engine, workshop_id, removed.id)

    with reading(engine) as session:
        titles = {m.id: m.title for m in session.exec(
            select(Milestone).where(Milestone.workshop_id == workshop_id)).all()}
    assert sorted(titles.values()) == ["Last one", "Took its place"]
    assert titles[newer.id] == "Took its place"


def test_the_decision_rule_stays_locked_against_undo_once_ratings_exist(demo_engine):
    with writing(demo_engine) as session:
        empty = new_workshop(session, "Rule test")
        setup.set_decision_rule(session, workshop_id=empty.id, expected_version=empty.version,
                                actor=ROOM, data={"min_support_percent": 90, "block_from": 6,
                                                  "ratings_by": "partner"})
    changed = last_event(demo_engine, empty.id)
    with writing(demo_engine) as session:
        partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == empty.id)).first()
        draft = mission.add_draft(session, workshop_id=empty.id, actor=ROOM,
                                  data={"text": "Together we care for the whole person."})
        mission.record_draft_ratings(session, workshop_id=empty.id, draft_id=draft.id,
                                     actor=ROOM, ratings=[{"partner_id": partner_id, "value": 1}])

    assert "locked" in refusal(demo_engine, empty.id, changed.id)
    with reading(demo_engine) as session:
        assert session.get(Workshop, empty.id).rule_min_support == 0.9


def test_what_is_not_the_facilitators_to_undo_is_refused_with_the_reason(demo_engine):
    workshop_id, partners = demo_ids(demo_engine)
    with writing(demo_engine) as session:
        setup.update_partner(session, partner_id=partners[0].id, expected_version=1,
                             actor=ROOM, data={"name": "Renamed", "kind": partners[0].kind,
                                               "colour": partners[0].colour})
    renamed = last_event(demo_engine, workshop_id)
    with writing(demo_engine) as session:
        other = new_workshop(session, "Another")

    assert refusal(demo_engine, other.id, renamed.id) == ("This change is not in this "
                                                          "workshop's trail.")
    with writing(demo_engine) as session:
        prework.issue_link(session, workshop_id=other.id, actor=ROOM,
                           purpose=LinkPurpose.REVIEW)
    link = last_event(demo_engine, other.id)
    assert link.entity == "accesslink"
    assert refusal(demo_engine, other.id, link.id) == (
        "Private links are replaced or revoked on Set-up.")


def workshop_with_private_position(engine) -> tuple[int, int, int]:
    """A workshop whose first partner gave, in its pre-work, a private limit on a topic."""
    with writing(engine) as session:
        workshop = new_workshop(session)
        partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == workshop.id)
                                  .order_by(Partner.position)).first()
        topic = setup.add_topic(session, workshop_id=workshop.id, actor=ROOM, data={
            "title": "Days to a first visit", "category": "access", "kind": "numeric",
            "unit": "days", "lower_bound": 0, "upper_bound": 60})
        solutions.save_flex_stance(session, topic_id=topic.id, partner_id=partner_id,
                                   expected_version=None, actor="partner", data={
                                       "preferred_value": SECRET_LIMIT + 1,
                                       "accept_min": SECRET_LIMIT, "accept_max": 40,
                                       "weight": 4, "limit_private": True,
                                       "wants_in_return": "Quietly hoping for weekend cover"})
    return workshop.id, partner_id, topic.id


SECRET_LIMIT = 17.25


def test_a_partners_pre_work_is_not_undone_before_its_step_is_revealed(engine):
    workshop_id, _, _ = workshop_with_private_position(engine)
    given = last_event(engine, workshop_id)
    assert given.entity == "stance"
    assert refusal(engine, workshop_id, given.id) == (
        "A partner's pre-work can be undone once its step is revealed.")


# --- the trail in words --------------------------------------------------------------------------


def test_the_trail_says_who_did_what_and_when_newest_first(demo_engine):
    workshop_id, partners = demo_ids(demo_engine)
    with writing(demo_engine) as session:
        row = milestone(session, workshop_id, owner_partner_id=partners[1].id)
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor="Ben",
                                data={"title": "Pilot starts", "kind": "pilot_start",
                                      "due_on": date(2027, 4, 1), "slack_days": 14,
                                      "owner_partner_id": partners[1].id, "demand_hours": 0})
    with reading(demo_engine) as session:
        trail = audit.trail(session, workshop_id)
    changed, added = trail.entries[0], trail.entries[1]
    assert (changed.actor, changed.verb, changed.what) == ("Ben", "changed",
                                                           "Milestone “Pilot starts”")
    assert changed.lines == ("Slack days: 0 → 14",)
    assert (added.actor, added.verb) == (ROOM, "added")
    assert f"Owner partner: {partners[1].name}" in added.lines
    assert changed.at >= added.at and changed.why_not == ""
    with reading(demo_engine) as session:
        actors, entities = audit.filters(session, workshop_id)
    assert {"Ben", ROOM} <= set(actors) and "milestone" in entities

    with reading(demo_engine) as session:
        only_ben = audit.trail(session, workshop_id, actor="Ben")
    assert [e.id for e in only_ben.entries] == [changed.id] and only_ben.total == 1


def test_the_trail_never_shows_a_private_limit_or_unrevealed_pre_work(engine):
    workshop_id, _, _ = workshop_with_private_position(engine)

    def everything_shown() -> str:
        with reading(engine) as session:
            entries = audit.trail(session, workshop_id, limit=1000).entries
        return " ".join(" ".join((e.what, e.hidden, *e.lines)) for e in entries)

    hidden = everything_shown()
    assert "weekend cover" not in hidden and f"{SECRET_LIMIT:g}" not in hidden
    assert "Pre-work: shown once its step is revealed." in hidden

    with writing(engine) as session:
        steps.reveal(session, workshop_id=workshop_id, step=Step.SOLUTIONS, actor=ROOM)
    shown = everything_shown()
    assert "weekend cover" in shown  # revealed pre-work is shown,
    assert f"{SECRET_LIMIT:g}" not in shown  # but never the private limit
    assert "Accept min: private" in shown
    assert f"Preferred value: {SECRET_LIMIT + 1:g}" in shown


def test_the_trail_reads_in_a_fixed_number_of_queries(demo_engine):
    workshop_id, _ = demo_ids(demo_engine)

    def queries() -> int:
        return statements_run(demo_engine, lambda session: audit.trail(session, workshop_id))

    with writing(demo_engine) as session:
        milestone(session, workshop_id)
    few = queries()
    with writing(demo_engine) as session:
        for day in range(1, 29):
            milestone(session, workshop_id, due_on=date(2027, 2, day))
    assert queries() == few <= 8
