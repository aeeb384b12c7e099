"""The Changes page: the facilitator reads the workshop's trail and undoes a change with one
click; the undo is listed too, and a change that cannot be undone says why."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models import pacing
from models.db import reading, writing
from models.schema import AuditEvent, Milestone
from tests.pages.conftest import as_role, demo_workshop_id, new_app, texts

MILESTONE = {"title": "Pilot starts", "kind": "pilot_start", "due_on": date(2027, 4, 1),
             "slack_days": 0, "owner_partner_id": None, "demand_hours": 0}


def changes_app(engine, workshop_id):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def milestone_changed_by_ben(engine) -> tuple[int, Milestone]:
    workshop_id = demo_workshop_id(engine)
    with writing(engine) as session:
        row = pacing.add_milestone(session, workshop_id=workshop_id, actor="Ben", data=MILESTONE)
        pacing.update_milestone(session, milestone_id=row.id, expected_version=1, actor="Ben",
                                data=MILESTONE | {"slack_days": 21})
    return workshop_id, row


def test_the_facilitator_undoes_a_change_and_sees_the_undo_listed(app_db):
    workshop_id, row = milestone_changed_by_ben(app_db)
    with reading(app_db) as session:
        change = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    at = changes_app(app_db, workshop_id)
    shown = texts(at)
    assert "Ben · changed Milestone “Pilot starts”" in shown
    assert "- Slack days: 0 → 21" in shown

    at.button(key=f"undo{change.id}").click().run()

    assert not at.exception
    assert any(s.value.startswith("Undone: changed Milestone “Pilot starts”.") for s in at.success)
    with reading(app_db) as session:
        assert session.get(Milestone, row.id).slack_days == 0
        undo = session.exec(select(AuditEvent).where(AuditEvent.undoes_id == change.id)).one()
    assert "facilitator · undid Milestone “Pilot starts”" in texts(at)
    assert at.button(key=f"undo{change.id}").disabled  # already undone
    assert not at.button(key=f"undo{undo.id}").disabled  # and the undo can be undone


def test_an_undo_refused_says_why_and_changes_nothing(app_db):
    workshop_id, row = milestone_changed_by_ben(app_db)
    with reading(app_db) as session:
        first = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    at = changes_app(app_db, workshop_id)
    with writing(app_db) as session:  # someone changes it again while the page is open
        pacing.update_milestone(session, milestone_id=row.id, expected_version=2, actor="Cy",
                                data=MILESTONE | {"slack_days": 30})

    at.button(key=f"undo{first.id}").click().run()

    assert [e.value for e in at.error] == [
        "This has changed again since, so undoing it would lose the later change. Undo the "
        "later change first."]
    with reading(app_db) as session:
        assert session.get(Milestone, row.id).slack_days == 30


def test_the_trail_is_filtered_by_who_and_what(app_db):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        pacing.add_milestone(session, workshop_id=workshop_id, actor="Ben", data=MILESTONE)
        pacing.add_early_win(session, workshop_id=workshop_id, actor="Cy",
                             data={"title": "First shared care plan"})
    at = changes_app(app_db, workshop_id)
    at.selectbox(key="audit_who").set_value("Cy").run()
    shown = texts(at)
    assert "Cy · added Early win “First shared care plan”" in shown
    assert "Ben · added" not in shown
    at.selectbox(key="audit_who").set_value("Everyone").run()
    at.selectbox(key="audit_what").set_value("milestone").run()
    shown = texts(at)
    assert "Ben · added Milestone “Pilot starts”" in shown and "Early win" not in shown
