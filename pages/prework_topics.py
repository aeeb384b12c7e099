"""A partner's position on each topic: where it can flex, or the rule that binds it."""

import streamlit as st

from models import prework, solutions
from models.db import reading
from models.prework import OwnStance
from models.rules import describe_rule
from models.schema import StanceKind, Topic, TopicKind
from ui.forms import (
    conflict_buttons,
    fill,
    filled_version,
    form_error,
    refill,
    show_conflict,
)
from ui.prework import header, partner_form, partner_link, save_section
from ui.stance_forms import flex_data, flex_fields, rule_data, rule_fields
from ui.state import engine, form_errors
from ui.text import plain

KINDS = {StanceKind.FLEX: "We can flex", StanceKind.FIXED: "A rule binds us"}

INTRO = ("For each topic, say where your organization has room to move, or which rule binds "
         "it. Your limits stay private unless you choose to share them: the room only learns "
         "whether the partners' ranges meet.")

access = partner_link()
locked = header(access, "3 · Your position on each topic")


def position_words(topic: Topic, own: OwnStance | None) -> str:
    if own is None:
        return "not answered yet"
    if own.stance.kind == StanceKind.FIXED:
        return "a rule binds us"
    stance = own.stance
    return "we can flex: we would like " + solutions.describe_value(
        topic, stance.preferred_value, stance.preferred_option, stance.preferred_text)


def position_values(topic: Topic, own: OwnStance | None) -> dict:
    """The form's fields as the saved position fills them; a rule leaves the flex fields blank."""
    flex = own.stance if own and own.stance.kind == StanceKind.FLEX else None
    preferred = {TopicKind.NUMERIC: flex.preferred_value, TopicKind.OPTIONS: flex.preferred_option,
                 TopicKind.TEXT: flex.preferred_text}[topic.kind] if flex else None
    return {"kind": own.stance.kind if own else StanceKind.FLEX,
            "preferred": "" if topic.kind == TopicKind.TEXT and preferred is None else preferred,
            "min": flex.accept_min if flex else None, "max": flex.accept_max if flex else None,
            "acceptable": list(flex.acceptable_options) if flex else [],
            "private": flex.limit_private if flex else True, "weight": flex.weight if flex else 3,
            "wants": flex.wants_in_return if flex else ""}


def stance_labels(topic: Topic) -> dict[str, str]:
    """The fields of a position, as the conflict warning names them."""
    preferred = {TopicKind.NUMERIC: {"preferred_value": "We would like",
                                     "accept_min": "We could accept from",
                                     "accept_max": "We could accept up to"},
                 TopicKind.OPTIONS: {"preferred_option": "We would like",
                                     "acceptable_options": "We could accept"},
                 TopicKind.TEXT: {"preferred_text": "We would like"}}[topic.kind]
    return {"kind": "On this topic", **preferred, "limit_private": "Keep the limit private",
            "weight": "How much this topic matters",
            "wants_in_return": "What we would want in return"}


def topic_section(topic: Topic, own: OwnStance | None) -> None:
    if topic.description:
        st.write(topic.description)
    prefix = f"mine{topic.id}"
    fill(prefix, topic.id, position_values(topic, own), own.stance.version if own else None)
    st.radio("On this topic", list(StanceKind), key=f"{prefix}_kind", horizontal=True,
             disabled=locked, format_func=KINDS.get)
    if st.session_state[f"{prefix}_kind"] == StanceKind.FLEX:
        flex_section(topic, own)
    else:
        rules_section(topic, own)


def position_conflict(form: str, topic: Topic, own: OwnStance | None) -> dict | None:
    """What the other person saved of this position, if a save from ``form`` was refused."""
    prefix = f"mine{topic.id}"
    typed = dict(flex_data(prefix, topic), kind=st.session_state[f"{prefix}_kind"])
    return show_conflict(form, stance_labels(topic), typed,
                         saved=own.stance.model_dump() if own else None,
                         words={"kind": lambda kind: KINDS.get(kind, "(not answered)")})


def flex_section(topic: Topic, own: OwnStance | None) -> None:
    prefix = f"mine{topic.id}"
    errors = form_errors(prefix)
    flex_fields(prefix, topic, errors, we="We", disabled=locked)
    theirs = position_conflict(prefix, topic, own)
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_flex(topic), disabled=locked)
    else:
        st.button("Save this position", key=f"{prefix}_save", disabled=locked,
                  on_click=save_flex, args=(topic,))


def save_flex(topic: Topic) -> None:
    prefix = f"mine{topic.id}"
    if save_section(prefix, access, lambda s, p: solutions.save_flex_stance(
            s, topic_id=topic.id, partner_id=p.id, data=flex_data(prefix, topic),
            expected_version=filled_version(prefix), actor=f"partner:{p.id}")):
        refill(prefix)


def rules_section(topic: Topic, own: OwnStance | None) -> None:
    rules = own.rules if own and own.stance.kind == StanceKind.FIXED else ()
    for rule in rules:
        words, remove = st.columns([5, 1])
        words.write(f"**{rule.title}** ({rule.citation}): {describe_rule(rule, topic)}.")
        remove.button("Remove", key=f"minerule{rule.id}_remove", disabled=locked,
                      on_click=remove_rule, args=(topic, rule.id))
    form_error(form_errors(f"minerules{topic.id}"))
    form = f"minerule{topic.id}"
    errors = form_errors(form)
    st.caption("Add the rule that binds you here (pick one from the library or write your own)"
               if not rules else "Another rule binds you here too? Add it:")
    rule_fields(form, topic, errors, disabled=locked)
    theirs = position_conflict(form, topic, own)
    form_error(errors)
    if theirs:
        conflict_buttons(form, f"mine{topic.id}", theirs, lambda: add_rule(topic),
                         disabled=locked)
    else:
        st.button("Add this rule", key=f"{form}_save", disabled=locked, on_click=add_rule,
                  args=(topic,))


def add_rule(topic: Topic) -> None:
    """A flexible position this rule replaces must be the one the form was filled with."""
    form = f"minerule{topic.id}"
    if save_section(form, access, lambda s, p: solutions.add_fixed_rule(
            s, topic_id=topic.id, partner_id=p.id, data=rule_data(form),
            expected_version=filled_version(f"mine{topic.id}"), actor=f"partner:{p.id}")):
        refill(f"mine{topic.id}")


def remove_rule(topic: Topic, rule_id: int) -> None:
    if save_section(f"minerules{topic.id}", access, lambda s, p: solutions.remove_fixed_rule(
            s, rule_id=rule_id, actor=f"partner:{p.id}")):
        refill(f"mine{topic.id}")


TOPIC_KEY = "mine_topic"


@partner_form(INTRO)
def positions_form() -> None:
    """The list, then one topic's form at a time: a form for each of a hundred topics would
    make the page slow to redraw after every click. It opens on the first topic not answered
    yet."""
    with reading(engine()) as session:
        topics = prework.workshop_topics(session, access)
        mine = prework.own_stances(session, access)
    if not topics:
        st.write("The facilitator has not added topics yet. Please come back later.")
        return
    st.markdown("\n".join(
        f"- {'✓' if t.id in mine else '○'} {plain(t.title)} · "
        f"{plain(position_words(t, mine.get(t.id)))}" for t in topics))
    by_id = {t.id: t for t in topics}
    if st.session_state.get(TOPIC_KEY) not in by_id:
        st.session_state[TOPIC_KEY] = next((t.id for t in topics if t.id not in mine),
                                           topics[0].id)
    chosen = by_id[st.selectbox("The topic you are answering", list(by_id), key=TOPIC_KEY,
                                format_func=lambda tid: by_id[tid].title)]
    with st.container(border=True):
        st.subheader(chosen.title)
        topic_section(chosen, mine.get(chosen.id))


positions_form()
