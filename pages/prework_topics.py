"""A partner's position on each topic: where it can flex, or the rule that binds it."""

import streamlit as st

from models import prework, solutions
from models.db import reading
from models.prework import OwnStance
from models.rules import describe_rule
from models.schema import StanceKind, Topic, TopicKind
from ui.forms import form_error, seed_from
from ui.prework import header, partner_link, save_section
from ui.stance_forms import flex_data, flex_fields, rule_data, rule_fields
from ui.state import engine, form_errors, show_flash

access = partner_link()
locked = header(access, "3 · Your position on each topic")
show_flash()
st.write("For each topic, say where your organization has room to move, or which rule binds "
         "it. Your limits stay private unless you choose to share them: the room only learns "
         "whether the partners' ranges meet.")

with reading(engine()) as session:
    topics = prework.workshop_topics(session, access)
    mine = prework.own_stances(session, access)
if not topics:
    st.write("The facilitator has not added topics yet. Please come back later.")


def position_words(topic: Topic, own: OwnStance | None) -> str:
    if own is None:
        return "not answered yet"
    if own.stance.kind == StanceKind.FIXED:
        return "a rule binds us"
    stance = own.stance
    return "we can flex: we would like " + solutions.describe_value(
        topic, stance.preferred_value, stance.preferred_option, stance.preferred_text)


def topic_section(topic: Topic, own: OwnStance | None) -> None:
    if topic.description:
        st.write(topic.description)
    choice_key = f"mine{topic.id}_kind"
    seed_from(f"mine{topic.id}", ("kind", own.stance.kind if own else None),
              {"kind": own.stance.kind if own else StanceKind.FLEX})
    st.radio("On this topic", list(StanceKind), key=choice_key, horizontal=True,
             disabled=locked, format_func={StanceKind.FLEX: "We can flex",
                                           StanceKind.FIXED: "A rule binds us"}.get)
    if st.session_state[choice_key] == StanceKind.FLEX:
        flex_section(topic, own)
    else:
        rules_section(topic, own)


def flex_section(topic: Topic, own: OwnStance | None) -> None:
    prefix = f"mineflex{topic.id}"
    stance = own.stance if own and own.stance.kind == StanceKind.FLEX else None
    if stance is not None:
        seed_from(prefix, ("stance", stance.id, stance.version), {
            "preferred": (stance.preferred_value if topic.kind == TopicKind.NUMERIC else
                          stance.preferred_option if topic.kind == TopicKind.OPTIONS else
                          stance.preferred_text),
            "min": stance.accept_min, "max": stance.accept_max,
            "acceptable": list(stance.acceptable_options), "private": stance.limit_private,
            "weight": stance.weight, "wants": stance.wants_in_return})
    errors = form_errors(prefix)
    flex_fields(prefix, topic, errors, we="We", disabled=locked)
    form_error(errors)
    version = own.stance.version if own else None
    st.button("Save this position", key=f"{prefix}_save", disabled=locked,
              on_click=lambda: save_section(prefix, access, lambda s, p: solutions.save_flex_stance(
                  s, topic_id=topic.id, partner_id=p.id, data=flex_data(prefix, topic),
                  expected_version=version, actor=f"partner:{p.id}")))


def rules_section(topic: Topic, own: OwnStance | None) -> None:
    rules = own.rules if own and own.stance.kind == StanceKind.FIXED else ()
    for rule in rules:
        words, remove = st.columns([5, 1])
        words.write(f"**{rule.title}** ({rule.citation}): {describe_rule(rule, topic)}.")
        remove.button("Remove", key=f"minerule{rule.id}_remove", disabled=locked,
                      on_click=lambda rule_id=rule.id: save_section(
                          f"minerules{topic.id}", access,
                          lambda s, p: solutions.remove_fixed_rule(s, rule_id=rule_id,
                                                                   actor=f"partner:{p.id}")))
    prefix = f"minerule{topic.id}"
    errors = form_errors(prefix)
    st.caption("Add the rule that binds you here (pick one from the library or write your own)"
               if not rules else "Another rule binds you here too? Add it:")
    rule_fields(prefix, topic, errors, disabled=locked)
    form_error(errors)
    st.button("Add this rule", key=f"{prefix}_save", disabled=locked,
              on_click=lambda: save_section(prefix, access, lambda s, p: solutions.add_fixed_rule(
                  s, topic_id=topic.id, partner_id=p.id, data=rule_data(prefix),
                  actor=f"partner:{p.id}")))


for topic in topics:
    own = mine.get(topic.id)
    marker = "✓" if own else "○"
    with st.expander(f"{marker} {topic.title} · {position_words(topic, own)}"):
        topic_section(topic, own)
