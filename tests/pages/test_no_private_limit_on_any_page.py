"""No private limit on any page the facilitator can open, charts included, with every step
revealed and the wall in projector mode."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from models import audit, changes, steps
from models.db import writing
from models.schema import (
    Agreement,
    AuditEvent,
    Proposal,
    RoundPosition,
    Stance,
    Step,
    Topic,
    TopicKind,
)
from tests.pages.conftest import (
    as_role,
    chart_titles,
    demo_workshop_id,
    figures,
    new_app,
    texts,
)
from ui import sections
from ui.navigation import screens_for


def chart_numbers(at, title: str) -> set[float]:
    """Every x or y value plotted by the page's charts about one topic."""
    found: set[float] = set()
    for figure in figures(at):
        if not figure["layout"]["title"]["text"].startswith(title):
            continue
        for trace in figure.get("data", []):
            for axis in ("x", "y"):
                for value in trace.get(axis) or []:
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        found.add(float(value))
    return found


def said_in_the_room(session, topic_id) -> set[float]:
    """Values the room has said out loud on a topic: proposals, counter-offers, the outcome."""
    proposals = session.exec(select(Proposal).where(Proposal.topic_id == topic_id)).all()
    offers = session.exec(select(RoundPosition.value_number).where(
        RoundPosition.proposal_id.in_([p.id for p in proposals]))).all()
    agreed = session.exec(select(Agreement.value_number)
                          .where(Agreement.topic_id == topic_id)).all()
    return {v for v in [*(p.value_number for p in proposals), *offers, *agreed] if v is not None}


@pytest.mark.parametrize("page", [s.path for s in screens_for("facilitator")])
def test_no_private_limit_on_any_facilitator_page(app_db, page):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        for step in Step:
            steps.reveal(session, workshop_id=workshop_id, step=step, actor="test")
        private = session.exec(select(Stance, Topic).join(Topic).where(
            Stance.limit_private, Topic.kind == TopicKind.NUMERIC)).all()
        # values the room sees anyway: preferences, topic bounds, what was said in rounds
        public = {t.id: {v for s in session.exec(select(Stance).where(Stance.topic_id == t.id))
                         for v in (s.preferred_value, t.lower_bound, t.upper_bound)
                         if v is not None} | said_in_the_room(session, t.id)
                  for t in session.exec(select(Topic)).all()}
        # every private position removed and put back, so the trail of changes holds the limits
        # as stored (before and after) and the Changes page must keep them out of sight
        for stance, _ in private:
            changes.delete(session, stance, actor="test", workshop_id=workshop_id)
            removal = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            audit.undo(session, workshop_id=workshop_id, event_id=removal.id, actor="test")
    assert len(private) >= 5
    at = new_app()
    as_role(app_db, "facilitator", workshop_id)(at)
    at.session_state["projector"] = True
    for key in sections.KEYS:  # the sections built only when opened, opened
        at.session_state[key] = True
    topic_ids = [topic.id for _, topic in private]
    for topic_id in dict.fromkeys(topic_ids) if page == "pages/solutions.py" else [None]:
        if topic_id is not None:
            at.session_state["solutions_topic"] = topic_id
        at.run()
        if page != "pages/setup.py":
            at.switch_page(page).run()
        assert not at.exception
        words = texts(at) + "".join(h.value for h in at.get("html"))
        assert not re.search(r"Accept (min|max)( was)?: -?\d", words), page  # the trail
        if page == "pages/audit.py":
            assert "Accept min: private" in words  # the trail did show these changes
        if page == "pages/solutions.py":  # the package deals and the map of topics were built
            assert "Balanced" in words
            assert any(t.startswith("Where each partner can flex") for t in chart_titles(at))
        for stance, topic in private:
            low, high = stance.accept_min, stance.accept_max
            assert f"{low:g} to {high:g}" not in words, (page, topic.title)
            plotted = chart_numbers(at, topic.title)
            assert not plotted & ({low, high} - public[topic.id]), (page, topic.title)
