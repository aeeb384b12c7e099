"""Step 3 on screen: a topic taken through two rounds to agreement, a proposal that breaks a fixed
rule refused with the rule named, and private limits never shown."""

from __future__ import annotations

import re

from sqlmodel import select

from models import setup, solutions
from models.db import reading, writing
from models.schema import Agreement, Outcome, Partner, Proposal, RoundPosition, Stance, Topic
from models.solutions import save_flex_stance
from tests.pages.conftest import (
    as_role,
    chart_titles,
    demo_workshop_id,
    empty_workshop_id,
    new_app,
    texts,
)
from ui import sections


def solutions_app(engine, workshop_id, topic_id=None):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    if topic_id is not None:
        at.session_state["solutions_topic"] = topic_id
    at.run()
    at.switch_page("pages/solutions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def errors(at):
    return [e.value for e in at.error]


def workshop_with_topic(engine, key="warm-handoff-response-time"):
    workshop_id = empty_workshop_id(engine)
    with writing(engine) as session:
        [topic] = setup.add_library_topics(session, workshop_id=workshop_id, keys=[key],
                                           actor="test")
        partners = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                                .order_by(Partner.position)).all()
    return workshop_id, topic.id, partners


def test_a_topic_goes_through_two_rounds_to_agreement(app_db):
    workshop_id, topic_id, (bh, pc) = workshop_with_topic(app_db)
    with writing(app_db) as session:
        save_flex_stance(session, topic_id=topic_id, partner_id=bh.id, expected_version=None,
                         actor="test", data={"preferred_value": 20, "accept_min": 10,
                                             "accept_max": 30, "weight": 4})
    at = solutions_app(app_db, workshop_id, topic_id)
    click(at, "reveal_solutions")

    # the primary care partner did no pre-work: the facilitator enters its position live
    at.selectbox(key=f"stance{topic_id}_partner").set_value(pc.id).run()
    prefix = f"flex{topic_id}_{pc.id}"
    at.number_input(key=f"{prefix}_preferred").set_value(5)
    at.number_input(key=f"{prefix}_min").set_value(8)
    at.number_input(key=f"{prefix}_max").set_value(15)
    click(at, f"{prefix}_save")
    assert errors(at) == ["The preferred value must lie inside what it can accept."]
    assert at.number_input(key=f"{prefix}_max").value == 15
    at.number_input(key=f"{prefix}_min").set_value(0)
    click(at, f"{prefix}_save")
    assert errors(at) == []
    # overlap 10 to 15; weighted preference (20*4 + 5*3) / 7 = 13.57, which lies inside it and
    # is rounded to whole minutes on a 0-60 topic: 14
    assert any("Suggested compromise: 14 minutes" in m.value for m in at.markdown)
    click(at, "use_suggestion")
    assert at.number_input(key=f"proposal{topic_id}_number").value == 14

    at.number_input(key=f"proposal{topic_id}_number").set_value(10)
    click(at, f"proposal{topic_id}_save")
    round_one = proposal(app_db, topic_id, 1)
    grid = f"round{round_one.id}"
    at.button_group(key=f"{grid}_{bh.id}-all_value").set_value(6)
    at.text_input(key=f"{grid}_{bh.id}-all_reason").input("Not every hour of the day")
    at.button_group(key=f"{grid}_{pc.id}-all_value").set_value(2)
    click(at, f"{grid}_rate")
    assert "2 ratings: 50 % support (1 to 3), no blocking ratings. The decision rule is not " \
           "met yet." in [i.value for i in at.info]

    offers = f"offers{round_one.id}"
    at.number_input(key=f"{offers}_{bh.id}_number").set_value(15)
    at.number_input(key=f"{offers}_{pc.id}_number").set_value(10)
    click(at, f"{offers}_save")
    assert "Counter-offers: Only BH: 15 minutes · Only PC: 10 minutes" in [
        c.value.replace("\\", "") for c in at.caption]  # the Markdown escapes are not shown

    at.number_input(key=f"proposal{topic_id}_number").set_value(15)
    click(at, f"proposal{topic_id}_save")
    round_two = proposal(app_db, topic_id, 2)
    grid = f"round{round_two.id}"
    at.button_group(key=f"{grid}_{bh.id}-all_value").set_value(2)
    at.button_group(key=f"{grid}_{pc.id}-all_value").set_value(3)
    click(at, f"{grid}_rate")
    assert "2 ratings: 100 % support (1 to 3), no blocking ratings. The decision rule is met." \
        in [s.value for s in at.success]

    outcome = f"outcome{topic_id}"
    assert at.number_input(key=f"{outcome}_number").value == 15  # the latest proposal
    at.text_input(key=f"{outcome}_gave{bh.id}").input("A faster response than it wanted")
    at.text_input(key=f"{outcome}_gained{pc.id}").input("A response time it can promise")
    click(at, f"{outcome}_save")
    assert "Agreed: 15 minutes" in [s.value for s in at.success]
    with reading(app_db) as session:
        agreement = session.exec(select(Agreement).where(Agreement.topic_id == topic_id)).one()
    assert (agreement.outcome, agreement.value_number) == (Outcome.AGREED, 15)


def proposal(engine, topic_id, round_no):
    with reading(engine) as session:
        return session.exec(select(Proposal).where(Proposal.topic_id == topic_id,
                                                   Proposal.round_no == round_no)).one()


def test_a_proposal_that_breaks_a_fixed_rule_is_refused_with_the_rule_named(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        topic = session.exec(select(Topic).where(
            Topic.library_key == "same-day-billing-approach")).one()
    at = solutions_app(app_db, workshop_id, topic.id)
    at.selectbox(key=f"proposal{topic.id}_option").set_value("Bill both visits the same day")
    click(at, f"proposal{topic.id}_save")
    [message] = errors(at)
    assert message.startswith("This breaks a fixed rule, so it cannot be proposed: "
                              "Northside Family Health Center's")
    assert "varies by state Medicaid plan" in message
    assert at.selectbox(key=f"proposal{topic.id}_option").value == "Bill both visits the same day"
    with reading(app_db) as session:
        assert session.exec(select(Proposal).where(Proposal.topic_id == topic.id)).all() == []


def test_a_free_text_proposal_needs_each_rule_confirmed(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        topic = session.exec(select(Topic).where(Topic.library_key == "dispute-handling")).one()
    at = solutions_app(app_db, workshop_id, topic.id)
    prefix = f"proposal{topic.id}"
    at.text_area(key=f"{prefix}_text").input("A mediator chosen from a list both boards keep")
    click(at, f"{prefix}_save")
    assert errors(at)[0].startswith("Please confirm that it honours every fixed rule: ")
    rule_box = next(c for c in at.checkbox if c.key.startswith(f"{prefix}_honours"))
    rule_box.check()
    click(at, f"{prefix}_save")
    assert errors(at) == []
    assert proposal(app_db, topic.id, 2).value_text == (
        "A mediator chosen from a list both boards keep")


def test_private_limits_are_never_shown(app_db):
    workshop_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        topic = session.exec(select(Topic).where(
            Topic.library_key == "warm-handoff-response-time")).one()
        private = session.exec(select(Stance).where(Stance.topic_id == topic.id,
                                                    Stance.limit_private)).all()
    assert len(private) == 2  # the mental health center's 10 to 30 and the county's 5 to 30
    at = solutions_app(app_db, workshop_id, topic.id)
    shown = texts(at) + "".join(h.value for h in at.get("html"))
    assert shown.count("**Can accept:** private") == 2
    assert "0 to 15 minutes" in shown  # the health center chose to share its range
    for stance in private:
        assert f"{stance.accept_min:g} to {stance.accept_max:g}" not in shown


def test_before_the_reveal_no_partner_rule_or_position_is_on_screen(app_db):
    workshop_id, topic_id, (bh, pc) = workshop_with_topic(app_db, "dispute-handling")
    with writing(app_db) as session:
        solutions.add_fixed_rule(session, topic_id=topic_id, partner_id=bh.id, actor="test",
                                 data={"rule_kind": "board_policy", "title": "Resolution 17",
                                       "citation": "Board minutes 2026-03"})
        save_flex_stance(session, topic_id=topic_id, partner_id=pc.id, expected_version=None,
                         actor="test", data={"preferred_text": "A mediator we both trust",
                                             "weight": 4})
    at = solutions_app(app_db, workshop_id, topic_id)
    on_screen = texts(at) + "".join(h.value for h in at.get("html")) + "".join(
        c.label for c in at.checkbox)
    for secret in ("Resolution 17", "Board minutes", "A mediator we both trust"):
        assert secret not in on_screen
    # neither partner is offered for live entry: both have given a position
    assert not [s for s in at.selectbox if s.key == f"stance{topic_id}_partner"]


def test_a_position_entered_live_does_not_stay_on_the_wall(app_db):
    workshop_id, topic_id, (bh, _) = workshop_with_topic(app_db)
    at = solutions_app(app_db, workshop_id, topic_id)
    click(at, "reveal_solutions")
    prefix = f"flex{topic_id}_{bh.id}"
    at.number_input(key=f"{prefix}_preferred").set_value(20)
    at.number_input(key=f"{prefix}_min").set_value(12)
    at.number_input(key=f"{prefix}_max").set_value(33)
    click(at, f"{prefix}_save")
    assert errors(at) == []
    numbers = [n.value for n in at.number_input if n.key.startswith(prefix)]
    assert 12 not in numbers and 33 not in numbers
    assert "**Can accept:** private" in texts(at)
    # once it has a position, the partner is no longer offered for live entry
    partner_box = [s for s in at.selectbox if s.key == f"stance{topic_id}_partner"]
    assert partner_box and bh.name not in partner_box[0].options


def test_a_counter_offer_recorded_meanwhile_is_named_and_replaced_only_on_a_second_click(app_db):
    workshop_id, topic_id, (bh, pc) = workshop_with_topic(app_db)
    with writing(app_db) as session:
        proposed = solutions.record_proposal(session, topic_id=topic_id, actor="test",
                                             data={"number": 10})
    at = solutions_app(app_db, workshop_id, topic_id)
    offers = f"offers{proposed.id}"
    with writing(app_db) as session:  # another facilitator, in another window
        solutions.record_counter_offers(session, proposal_id=proposed.id, actor="other",
                                        expected_versions={}, offers={bh.id: {"number": 25}})

    at.number_input(key=f"{offers}_{bh.id}_number").set_value(15)
    at.number_input(key=f"{offers}_{pc.id}_number").set_value(12)
    click(at, f"{offers}_save")
    assert errors(at) == ["Someone recorded Only BH's counter-offer a moment ago (25 minutes); "
                          "nothing was overwritten."]
    assert at.number_input(key=f"{offers}_{bh.id}_number").value == 15  # what was typed stays
    assert positions(app_db, proposed.id) == {bh.id: 25}

    click(at, f"{offers}_save")
    assert errors(at) == []
    assert positions(app_db, proposed.id) == {bh.id: 15, pc.id: 12}


def positions(engine, proposal_id):
    with reading(engine) as session:
        rows = session.exec(select(RoundPosition)
                            .where(RoundPosition.proposal_id == proposal_id)).all()
    return {row.partner_id: row.value_number for row in rows}


def test_the_map_and_the_package_deals_are_built_when_opened_and_only_then(app_db):
    at = solutions_app(app_db, demo_workshop_id(app_db))
    labels = [e.label for e in at.expander]
    assert "Package deals across the open topics" in labels
    assert any(label.startswith("All topics at a glance") for label in labels)
    assert not any(t.startswith("Where each partner can flex") for t in chart_titles(at))
    assert "Balanced" not in texts(at)

    for key in sections.KEYS:
        at.session_state[key] = True
    at.run()
    assert not at.exception
    assert any(t.startswith("Where each partner can flex") for t in chart_titles(at))
    shown = texts(at)
    # the demo's four open topics, of which three have ranges that meet (see test_compromise)
    assert "Over the 3 open topics where the partners' ranges meet." in shown
    assert "**Balanced**" in shown and "**Trade 1**" in shown
    assert re.search(r"(very content|content|lukewarm|reluctant)", shown)

    for key in sections.KEYS:
        at.session_state[key] = False
    at.run()
    assert "Balanced" not in texts(at)
    assert not any(t.startswith("Where each partner can flex") for t in chart_titles(at))


def test_no_package_deals_before_the_reveal(app_db):
    workshop_id, topic_id, _ = workshop_with_topic(app_db)
    at = solutions_app(app_db, workshop_id, topic_id)
    assert "Package deals across the open topics" not in [e.label for e in at.expander]
    at.session_state["solutions_map_open"] = True
    at.run()
    assert "Shown once the partners' positions are revealed." in texts(at)
    click(at, "reveal_solutions")
    at.session_state["solutions_packages_open"] = True
    at.run()
    # one topic without positions: nothing to trade
    assert "No package deal yet" in texts(at)
