"""The fields of a position on a topic, shared by the facilitator's live entry and a partner's
pre-work: where the partner can flex, or the rule that binds it."""

from __future__ import annotations

import streamlit as st

from models import library
from models.schema import RuleKind, Topic, TopicKind
from models.solutions import rule_from_library
from ui.forms import field_error, seed

RULE_KINDS = {RuleKind.FEDERAL_REGULATION: "Federal regulation",
              RuleKind.STATE_LICENSURE: "State licensure", RuleKind.ACCREDITATION: "Accreditation",
              RuleKind.PAYER_CONTRACT: "Payer contract", RuleKind.BOARD_POLICY: "Board policy"}


def flex_fields(prefix: str, topic: Topic, errors: dict[str, str], *, we: str = "It",
                disabled: bool = False) -> None:
    """``we`` is "It" for the facilitator speaking of a partner, "We" for the partner itself."""
    if topic.kind == TopicKind.NUMERIC:
        unit = f" ({topic.unit})" if topic.unit else ""
        preferred, low, high = st.columns(3)
        with preferred:
            st.number_input(f"{we} would like{unit}", value=None, key=f"{prefix}_preferred",
                            format="%g", disabled=disabled,
                            help=f"From {topic.lower_bound:g} to {topic.upper_bound:g}")
            field_error(errors, "preferred_value")
        with low:
            st.number_input(f"{we} could accept from{unit}", value=None, key=f"{prefix}_min",
                            format="%g", disabled=disabled)
            field_error(errors, "accept_min")
        with high:
            st.number_input(f"{we} could accept up to{unit}", value=None, key=f"{prefix}_max",
                            format="%g", disabled=disabled)
            field_error(errors, "accept_max")
    elif topic.kind == TopicKind.OPTIONS:
        st.selectbox(f"{we} would like", topic.options, index=None, key=f"{prefix}_preferred",
                     disabled=disabled, placeholder="Choose an option")
        field_error(errors, "preferred_option")
        st.multiselect(f"{we} could accept", topic.options, key=f"{prefix}_acceptable",
                       disabled=disabled)
        field_error(errors, "acceptable_options")
    else:
        st.text_area(f"{we} would like", key=f"{prefix}_preferred", disabled=disabled)
        field_error(errors, "preferred_text")
    seed(f"{prefix}_private", True)
    st.checkbox("Keep the limit private: the room sees only whether the ranges meet, "
                "never the limit itself", key=f"{prefix}_private", disabled=disabled)
    seed(f"{prefix}_weight", 3)
    st.slider("How much this topic matters (1 a little, 5 a great deal)", 1, 5,
              key=f"{prefix}_weight", disabled=disabled)
    st.text_input(f"What {we.lower()} would want in return", key=f"{prefix}_wants",
                  disabled=disabled)
    field_error(errors, "wants_in_return")


def flex_data(prefix: str, topic: Topic) -> dict:
    state = st.session_state
    preferred = state.get(f"{prefix}_preferred")
    return {"preferred_value": preferred if topic.kind == TopicKind.NUMERIC else None,
            "preferred_option": preferred if topic.kind == TopicKind.OPTIONS else None,
            "preferred_text": (preferred or "") if topic.kind == TopicKind.TEXT else "",
            "accept_min": state.get(f"{prefix}_min"), "accept_max": state.get(f"{prefix}_max"),
            "acceptable_options": state.get(f"{prefix}_acceptable", []),
            "limit_private": state.get(f"{prefix}_private", True),
            "weight": state.get(f"{prefix}_weight", 3),
            "wants_in_return": state.get(f"{prefix}_wants", "")}


def rule_fields(prefix: str, topic: Topic, errors: dict[str, str], *,
                disabled: bool = False) -> None:
    rules = library.constraints()
    st.selectbox("From the rule library", [None, *rules], key=f"{prefix}_library",
                 format_func=lambda k: "A rule of our own" if k is None else
                 f"{rules[k].title} ({rules[k].citation})", on_change=_fill_rule, args=(prefix,),
                 disabled=disabled)
    seed(f"{prefix}_kind", RuleKind.FEDERAL_REGULATION)
    st.selectbox("Kind of rule", list(RULE_KINDS), format_func=RULE_KINDS.__getitem__,
                  key=f"{prefix}_kind", disabled=disabled)
    title, citation = st.columns(2)
    with title:
        st.text_input("Rule", key=f"{prefix}_title", disabled=disabled)
        field_error(errors, "title")
    with citation:
        st.text_input("Citation", key=f"{prefix}_citation", disabled=disabled,
                      placeholder="e.g. 42 CFR § 2.31")
        field_error(errors, "citation")
    st.text_area("What it requires, in plain words", key=f"{prefix}_explanation",
                 disabled=disabled)
    if topic.kind == TopicKind.NUMERIC:
        low, high = st.columns(2)
        with low:
            st.number_input("Lowest value it allows (empty: no limit)", value=None,
                            key=f"{prefix}_min", format="%g", disabled=disabled)
            field_error(errors, "allowed_min")
        with high:
            st.number_input("Highest value it allows (empty: no limit)", value=None,
                            key=f"{prefix}_max", format="%g", disabled=disabled)
            field_error(errors, "allowed_max")
    elif topic.kind == TopicKind.OPTIONS:
        st.multiselect("Options it allows", topic.options, key=f"{prefix}_options",
                       disabled=disabled)
        field_error(errors, "allowed_options")
    st.text_input("What it allows on this topic, in words", key=f"{prefix}_allows",
                  disabled=disabled)


def rule_data(prefix: str) -> dict:
    state = st.session_state
    return {"library_key": state.get(f"{prefix}_library"), "rule_kind": state[f"{prefix}_kind"],
            "title": state.get(f"{prefix}_title", ""),
            "citation": state.get(f"{prefix}_citation", ""),
            "explanation": state.get(f"{prefix}_explanation", ""),
            "allowed_min": state.get(f"{prefix}_min"), "allowed_max": state.get(f"{prefix}_max"),
            "allowed_options": state.get(f"{prefix}_options", []),
            "allows_text": state.get(f"{prefix}_allows", "")}


def _fill_rule(prefix: str) -> None:
    key = st.session_state.get(f"{prefix}_library")
    if key is None:
        return
    entry = rule_from_library(key)
    st.session_state[f"{prefix}_kind"] = entry["rule_kind"]
    for field in ("title", "citation", "explanation"):
        st.session_state[f"{prefix}_{field}"] = entry[field]
    st.session_state[f"{prefix}_allows"] = entry["allows_text"]
