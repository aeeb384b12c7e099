"""Step 3, shared solutions: for each topic, where each partner stands, the rounds of proposals
and ratings, and the outcome with who gave what."""

from html import escape

import streamlit as st

from models import compromise, convergence, solutions, steps
from models.db import reading
from models.ratings import raters
from models.rules import describe_rule
from models.schema import Outcome, Partner, StanceKind, Step, Topic, TopicKind
from models.solutions import RoundView, StanceView, TopicView, describe_value
from models.steps import reveal
from ui import charts, projector, sections
from ui.chrome import workshop_or_stop
from ui.forms import conflict, field_error, form_error, save, seed, seed_from
from ui.partners import chip
from ui.rating_grid import rating_grid, ratings_line, record_grid
from ui.stance_forms import flex_data, flex_fields, rule_data, rule_fields
from ui.state import engine, form_errors, require, show_flash
from ui.steps import step_header
from ui.text import plain

OUTCOMES = {Outcome.AGREED: "Agreed", Outcome.PARKED: "Parked for later",
            Outcome.ESCALATED: "Escalated to leadership", Outcome.NO_AGREEMENT: "No agreement"}

role = require("facilitator")
workshop_id = workshop_or_stop()


# --- choosing a topic ----------------------------------------------------------------------------


def choose_topic() -> int | None:
    with reading(engine()) as session:
        rows = solutions.topic_rows(session, workshop_id)
    if not rows:
        st.write("This workshop has no topics yet. Add them on the Set-up page.")
        return None
    labels = {row.topic.id: f"{row.topic.title} · {row.state}" for row in rows}
    if st.session_state.get("solutions_topic") not in labels:
        st.session_state["solutions_topic"] = rows[0].topic.id
    st.selectbox("Topic", list(labels), format_func=labels.__getitem__, key="solutions_topic")
    counts: dict[str, int] = {}
    for row in rows:
        word = row.state.split(" ·")[0]
        counts[word] = counts.get(word, 0) + 1
    st.caption(f"{len(rows)} topic{'s' if len(rows) != 1 else ''}: "
               + ", ".join(f"{n} {w}" for w, n in counts.items()))
    return st.session_state["solutions_topic"]


# --- where each partner stands -------------------------------------------------------------------


def stances(view: TopicView) -> None:
    st.subheader("Where each partner stands")
    if not view.revealed:
        st.write("The partners' positions stay hidden until you show them to the room.")
        st.button("Reveal the partners' positions", type="primary", key="reveal_solutions",
                  on_click=lambda: save("reveal", lambda s: reveal(
                      s, workshop_id=workshop_id, step=Step.SOLUTIONS, actor=role.actor),
                      "The partners' positions are on the screen."))
        return
    per_row = min(max(len(view.partners), 1), 3)
    for start in range(0, len(view.partners), per_row):
        for partner, column in zip(view.partners[start:start + per_row], st.columns(per_row),
                                   strict=False):
            with column:
                st.html(chip(partner.name, partner.colour))
                stance_card(view.topic, view.stances.get(partner.id))
    common_ground(view)
    position_chart(view)


def position_chart(view: TopicView) -> None:
    agreement = view.agreement if view.agreement and view.agreement.outcome == Outcome.AGREED \
        else None
    if view.topic.kind == TopicKind.NUMERIC and view.stances:
        charts.show(charts.topic_ranges(
            view.topic, view.partners, view.stances, view.rules,
            fair_point=view.ground.fair_point, projector=projector.is_on(),
            agreed=agreement.value_number if agreement else None), f"ranges{view.topic.id}")
    elif view.topic.kind == TopicKind.OPTIONS and view.stances:
        charts.show(charts.options_positions(
            view.topic, view.partners, view.stances, view.rules, projector=projector.is_on(),
            agreed=agreement.value_option if agreement else None), f"options{view.topic.id}")


def round_chart(view: TopicView) -> None:
    with reading(engine()) as session:
        inputs = convergence.topic_rounds(session, view.topic.id)
    stats = convergence.round_stats(inputs, min_support=view.workshop.rule_min_support,
                                    block_from=view.workshop.rule_block_from,
                                    span=convergence.topic_span(view.topic))
    agreement = view.agreement
    agreed = (agreement.value_number if agreement and agreement.outcome == Outcome.AGREED
              else None)
    with st.expander("Chart: round by round", expanded=projector.is_on()):
        charts.show(charts.topic_convergence(view.topic, view.partners, stats,
                                             [r.positions for r in inputs], agreed=agreed,
                                             projector=projector.is_on()),
                    f"rounds{view.topic.id}")


def stance_card(topic: Topic, stance: StanceView | None) -> None:
    if stance is None:
        st.write("No position yet.")
        return
    if stance.kind == StanceKind.FIXED:
        st.markdown("**FIXED: not negotiable here**")
        for rule in stance.rules:
            st.markdown(plain(f"{rule.title} ({rule.citation}): {describe_rule(rule, topic)}."))
        return
    lines = [f"**Prefers:** {plain(stance.preferred)}"]
    if topic.kind != TopicKind.TEXT:
        lines.append(f"**Can accept:** {plain(stance.acceptable)}")
    lines.append(f"**Matters:** {stance.weight} of 5")
    if stance.wants_in_return:
        lines.append(f"**Wants in return:** {plain(stance.wants_in_return)}")
    st.markdown("  \n".join(lines))


def common_ground(view: TopicView) -> None:
    ground = view.ground
    if ground.exists is None:
        return
    if not ground.exists:
        st.warning("The partners' acceptable ranges do not meet yet: someone has to move, "
                   "or the topic needs a different shape.")
        return
    st.success("The partners' acceptable ranges meet.")
    if view.agreement is not None and view.agreement.outcome == Outcome.AGREED:
        return
    with reading(engine()) as session:
        suggestion = compromise.topic_suggestion(session, workshop_id, view.topic.id)
    if suggestion is None:
        return
    value = describe_value(view.topic, suggestion.number, suggestion.option, "")
    words, use = st.columns([3, 1], vertical_alignment="center")
    words.markdown(f"**Suggested compromise: {plain(value)}.** {plain(suggestion.why)}")
    use.button("Propose it", key="use_suggestion", on_click=use_suggestion,
               args=(view.topic, suggestion.number, suggestion.option))


def use_suggestion(topic: Topic, number: float | None, option: str | None) -> None:
    prefix = f"proposal{topic.id}"
    st.session_state[f"{prefix}_number"] = number
    st.session_state[f"{prefix}_option"] = option
    st.session_state[f"{prefix}_note"] = "The app's suggested compromise"


def package_deals() -> None:
    """Trades across the open topics: each partner gives where it cares least. Built only when
    opened: at a large workshop it weighs every open topic."""
    with reading(engine()) as session:
        if not steps.is_revealed(session, workshop_id, Step.SOLUTIONS):
            return
    with sections.on_demand("Package deals across the open topics",
                            "solutions_packages_open") as is_open:
        if not is_open:
            return
        with reading(engine()) as session:
            offer = compromise.workshop_packages(session, workshop_id)
            partners = solutions.partners_of(session, workshop_id)
        if not offer.packages:
            st.write("No package deal yet: a package needs open topics where every partner's "
                     "acceptable range meets the others'.")
            return
        count = len(offer.topics)
        st.caption(f"Over the {count} open topic{'s' if count != 1 else ''} where the partners' "
                   "ranges meet. Each package settles several topics at once: every partner "
                   "gives a little where the topic matters least to it and gains where it "
                   "matters most. Every value lies inside what all partners can accept.")
        for package in offer.packages:
            st.markdown(f"**{plain(package.label)}**")
            st.markdown("\n".join(
                f"- {plain(topic.title)}: "
                f"**{plain(describe_value(topic, *package.values[topic.id], ''))}**"
                for topic in offer.topics if topic.id in package.values))
            moods = [f"{p.name}: {compromise.satisfaction_words(package.satisfaction[p.id])}"
                     for p in partners if p.id in package.satisfaction]
            st.caption(plain(" · ".join(moods)))
            if (offer.balanced is not None and package.label != offer.balanced.label
                    and compromise.better_for_everyone(package, offer.balanced)):
                st.caption("Better for every partner than the balanced package.")


def stance_entry(view: TopicView) -> None:
    """The facilitator records a partner's position for a partner that did not do pre-work."""
    # Only for partners with no position yet: a position a partner gave is its own, and the
    # room moves it through counter-offers, never by typing over it.
    names = {p.id: p.name for p in view.partners if p.id not in view.entered}
    if projector.is_on() or not names:
        return
    topic = view.topic
    with st.expander("Enter a partner's position for them"):
        partner_id = st.selectbox("Partner", list(names), format_func=names.__getitem__,
                                  key=f"stance{topic.id}_partner")
        kind = st.radio("This partner", ["flex", "fixed"], horizontal=True,
                        key=f"stance{topic.id}_kind",
                        format_func={"flex": "can flex", "fixed": "is bound by a rule"}.get)
        if kind == "flex":
            flex_form(topic, partner_id)
        else:
            rule_form(topic, partner_id)


def flex_form(topic: Topic, partner_id: int) -> None:
    prefix = f"flex{topic.id}_{partner_id}"
    errors = form_errors(prefix)
    flex_fields(prefix, topic, errors)
    form_error(errors)
    st.button("Save this position", key=f"{prefix}_save", on_click=save_flex,
              args=(topic, partner_id))


def save_flex(topic: Topic, partner_id: int) -> None:
    prefix = f"flex{topic.id}_{partner_id}"
    data = flex_data(prefix, topic)
    if save(prefix, lambda s: solutions.save_flex_stance(
            s, topic_id=topic.id, partner_id=partner_id, data=data, actor=role.actor,
            expected_version=None), "Position saved."):
        # A limit typed for a partner must not stay on the wall once it is stored as private.
        for field in ("preferred", "min", "max", "acceptable", "wants"):
            st.session_state.pop(f"{prefix}_{field}", None)


def rule_form(topic: Topic, partner_id: int) -> None:
    prefix = f"rule{topic.id}_{partner_id}"
    errors = form_errors(prefix)
    rule_fields(prefix, topic, errors)
    form_error(errors)
    st.button("Add this rule", key=f"{prefix}_save", on_click=save_rule,
              args=(topic, partner_id))


def save_rule(topic: Topic, partner_id: int) -> None:
    prefix = f"rule{topic.id}_{partner_id}"
    data = rule_data(prefix)
    save(prefix, lambda s: solutions.add_fixed_rule(s, topic_id=topic.id, partner_id=partner_id,
                                                    data=data, actor=role.actor),
         "Rule added.")


# --- rounds --------------------------------------------------------------------------------------


def rounds(view: TopicView) -> None:
    st.subheader("Rounds")
    if view.rounds:
        round_chart(view)
    for earlier in view.rounds[:-1]:
        with st.expander(f"Round {earlier.proposal.round_no}: {proposal_words(view, earlier)}"):
            round_summary(view, earlier)
    latest = view.latest
    agreed = view.agreement is not None and view.agreement.outcome == Outcome.AGREED
    if latest is not None:
        st.markdown(f"#### Round {latest.proposal.round_no}: {proposal_words(view, latest)}")
        round_summary(view, latest)
        if not agreed:
            rate_round(view, latest)
            counter_offers(view, latest)
    if not agreed:
        new_proposal(view)


def proposal_words(view: TopicView, round_view: RoundView) -> str:
    p = round_view.proposal
    return describe_value(view.topic, p.value_number, p.value_option, p.value_text)


def round_summary(view: TopicView, round_view: RoundView) -> None:
    if round_view.proposal.note:
        st.markdown(plain(round_view.proposal.note))
    (st.success if round_view.verdict.met else st.info)(round_view.verdict.sentence())
    st.caption(ratings_line(round_view.ratings, view.partners))
    offers = [f"{p.name}: " + describe_value(view.topic, o.value_number, o.value_option,
                                             o.value_text)
              for p in view.partners if (o := round_view.positions.get(p.id)) is not None]
    if offers:
        st.caption(plain("Counter-offers: " + " · ".join(offers)))
    reasons = [f"{r.value}: {r.reason}" for r in round_view.ratings if r.reason]
    if reasons:
        st.caption(plain("Reasons given: " + " · ".join(reasons)))


def rate_round(view: TopicView, round_view: RoundView) -> None:
    prefix = f"round{round_view.proposal.id}"
    errors = form_errors(prefix)
    with reading(engine()) as session:
        who = raters(session, workshop_id)
    with st.expander("Rate this round", expanded=not round_view.ratings):
        rating_grid(prefix, who, view.partners, round_view.ratings, errors)
        form_error(errors)
        st.button("Record these ratings", type="primary", key=f"{prefix}_rate",
                  on_click=record_ratings, args=(round_view.proposal.id, prefix, who))


def record_ratings(proposal_id: int, prefix: str, who: list) -> None:
    record_grid(prefix, who, lambda s, ratings, seen: solutions.record_round_ratings(
        s, proposal_id=proposal_id, ratings=ratings, actor=role.actor, seen=seen))


def counter_offers(view: TopicView, round_view: RoundView) -> None:
    prefix = f"offers{round_view.proposal.id}"
    # The counter-offers as they stood when the form was first shown: a save names them, so one
    # recorded meanwhile in another window is not replaced without anyone seeing it.
    seed(f"{prefix}__versions", {pid: p.version for pid, p in round_view.positions.items()})
    errors = form_errors(prefix)
    with st.expander("Counter-offers for this round", expanded=bool(errors)):
        st.caption("Each partner may say where it stands now. Leave a partner empty to skip it.")
        for partner in view.partners:
            value_input(f"{prefix}_{partner.id}", view.topic, f"{partner.name} now offers")
            field_error(errors, f"offer.{partner.id}")
        if conflict(prefix) is not None:
            st.caption("Record again to put these in place of what was recorded meanwhile.")
        form_error(errors)
        st.button("Record counter-offers", key=f"{prefix}_save", on_click=record_offers,
                  args=(view.topic, round_view.proposal.id, view.partners))


def record_offers(topic: Topic, proposal_id: int, partners: list[Partner]) -> None:
    prefix = f"offers{proposal_id}"
    offers = {p.id: offer_data(f"{prefix}_{p.id}", topic) for p in partners}
    read = st.session_state.get(f"{prefix}__versions", {})
    if save(prefix, lambda s: solutions.record_counter_offers(
            s, proposal_id=proposal_id, offers=offers, expected_versions=read,
            actor=role.actor), "Counter-offers recorded."):
        st.session_state.pop(f"{prefix}__versions", None)
    elif conflict(prefix) is not None:
        # The person has now seen what was recorded meanwhile; a second click replaces it.
        theirs = conflict(prefix)
        read = {**read, theirs["partner_id"]: theirs["version"]}
        st.session_state[f"{prefix}__versions"] = read


def new_proposal(view: TopicView) -> None:
    number = view.latest.proposal.round_no + 1 if view.latest else 1
    prefix = f"proposal{view.topic.id}"
    errors = form_errors(prefix)
    with st.expander(f"Put a proposal to the room (round {number})", expanded=view.latest is None):
        value_input(prefix, view.topic, "Proposal")
        field_error(errors, "value")
        st.text_input("Note for the room (optional)", key=f"{prefix}_note")
        rule_confirmations(prefix, view)
        field_error(errors, "rules")
        form_error(errors)
        st.button(f"Put round {number} to the room", type="primary", key=f"{prefix}_save",
                  on_click=put_proposal, args=(view.topic, prefix,
                                               [rule.id for rule in view.rules]))


def rule_confirmations(prefix: str, view: TopicView) -> None:
    """On a free-text topic the facilitator confirms, rule by rule, that the text honours it."""
    if view.topic.kind != TopicKind.TEXT or not view.rules:
        return
    st.caption("Confirm, rule by rule, that the text honours it:")
    for rule in view.rules:
        st.checkbox(f"It honours {rule.title} ({rule.citation}): "
                    f"{describe_rule(rule, view.topic)}", key=f"{prefix}_honours{rule.id}")


def confirmed(prefix: str, rule_ids: list[int]) -> list[int]:
    return [rule_id for rule_id in rule_ids if st.session_state.get(f"{prefix}_honours{rule_id}")]


def put_proposal(topic: Topic, prefix: str, rule_ids: list[int]) -> None:
    data = dict(offer_data(prefix, topic), note=st.session_state.get(f"{prefix}_note", ""))
    if save(prefix, lambda s: solutions.record_proposal(
            s, topic_id=topic.id, data=data, actor=role.actor,
            confirmed_rule_ids=confirmed(prefix, rule_ids)), "The proposal is on the table."):
        for suffix in ("number", "option", "text", "note"):
            st.session_state.pop(f"{prefix}_{suffix}", None)


def value_input(prefix: str, topic: Topic, label: str) -> None:
    if topic.kind == TopicKind.NUMERIC:
        unit = f" ({topic.unit})" if topic.unit else ""
        st.number_input(f"{label}{unit}", value=None, key=f"{prefix}_number", format="%g",
                        help=f"From {topic.lower_bound:g} to {topic.upper_bound:g}")
    elif topic.kind == TopicKind.OPTIONS:
        st.selectbox(label, topic.options, index=None, key=f"{prefix}_option",
                     placeholder="Choose an option")
    else:
        st.text_area(label, key=f"{prefix}_text", height=90)


def offer_data(prefix: str, topic: Topic) -> dict:
    state = st.session_state
    return {"number": state.get(f"{prefix}_number"), "option": state.get(f"{prefix}_option"),
            "text": state.get(f"{prefix}_text", "")}


# --- the outcome ---------------------------------------------------------------------------------


def outcome(view: TopicView) -> None:
    st.subheader("Outcome")
    agreement = view.agreement
    if agreement is not None:
        value = describe_value(view.topic, agreement.value_number, agreement.value_option,
                               agreement.value_text)
        heading = OUTCOMES[agreement.outcome] + (f": {value}" if value else "")
        (st.success if agreement.outcome == Outcome.AGREED else st.warning)(heading)
        if agreement.note:
            st.markdown(plain(agreement.note))
        for partner in view.partners:
            share = view.shares.get(partner.id)
            if share is not None and (share.gave or share.gained):
                st.html(f"<p>{chip(partner.name, partner.colour)} gave: {escape(share.gave)}"
                        f" · gained: {escape(share.gained)}</p>")
    label = "Change the outcome" if agreement else "Record the outcome"
    with st.expander(label, expanded=False):
        outcome_form(view)


def outcome_form(view: TopicView) -> None:
    topic, prefix = view.topic, f"outcome{view.topic.id}"
    errors = form_errors(prefix)
    agreement = view.agreement
    latest = view.latest.proposal if view.latest else None
    source = agreement if agreement and agreement.outcome == Outcome.AGREED else latest
    if source is not None:
        seed_from(prefix, (type(source).__name__, source.id),
                  {"number": source.value_number, "option": source.value_option,
                   "text": source.value_text})
    seed(f"{prefix}_outcome", agreement.outcome if agreement else Outcome.AGREED)
    st.radio("Outcome", list(OUTCOMES), format_func=OUTCOMES.__getitem__, horizontal=True,
             key=f"{prefix}_outcome")
    if st.session_state[f"{prefix}_outcome"] == Outcome.AGREED:
        value_input(prefix, topic, "Agreed value")
        field_error(errors, "value")
        rule_confirmations(prefix, view)
        field_error(errors, "rules")
    seed(f"{prefix}_note", agreement.note if agreement else "")
    st.text_input("Note (what exactly was agreed, or why it is parked)", key=f"{prefix}_note")
    st.caption("What each partner gave, and what it gained:")
    for partner in view.partners:
        share = view.shares.get(partner.id)
        seed(f"{prefix}_gave{partner.id}", share.gave if share else "")
        seed(f"{prefix}_gained{partner.id}", share.gained if share else "")
        gave, gained = st.columns(2)
        gave.text_input(f"{partner.name} gave", key=f"{prefix}_gave{partner.id}")
        gained.text_input(f"{partner.name} gained", key=f"{prefix}_gained{partner.id}")
    form_error(errors)
    st.button("Record the outcome", type="primary", key=f"{prefix}_save", on_click=put_outcome,
              args=(view, prefix))


def put_outcome(view: TopicView, prefix: str) -> None:
    state = st.session_state
    data = dict(offer_data(prefix, view.topic), note=state.get(f"{prefix}_note", ""))
    shares = {p.id: {"gave": state.get(f"{prefix}_gave{p.id}", ""),
                     "gained": state.get(f"{prefix}_gained{p.id}", "")} for p in view.partners}
    version = view.agreement.version if view.agreement else None
    save(prefix, lambda s: solutions.record_outcome(
        s, topic_id=view.topic.id, outcome=state[f"{prefix}_outcome"], data=data, shares=shares,
        actor=role.actor, confirmed_rule_ids=confirmed(prefix, [r.id for r in view.rules]),
        expected_version=version), "Outcome recorded.")


# --- the screen ----------------------------------------------------------------------------------

step_header(Step.SOLUTIONS, workshop_id, role.actor)
show_flash()
form_error(form_errors("reveal"))
with sections.on_demand("All topics at a glance: who can flex, and where a rule is fixed",
                        "solutions_map_open") as map_open:
    if map_open:
        with reading(engine()) as session:
            everyone = solutions.stance_map(session, workshop_id)
            listed = solutions.topic_rows(session, workshop_id)
            partners = solutions.partners_of(session, workshop_id)
        if everyone:
            charts.show(charts.flex_fixed_map([row.topic for row in listed], partners, everyone,
                                              projector=projector.is_on()), "chart_map")
        else:
            st.write("Shown once the partners' positions are revealed.")
topic_id = choose_topic()
package_deals()
if topic_id is not None:
    with reading(engine()) as session:
        view = solutions.topic_view(session, workshop_id, topic_id)
    st.header(plain(view.topic.title))
    if view.topic.description:
        st.markdown(plain(view.topic.description))
    stances(view)
    stance_entry(view)
    st.divider()
    rounds(view)
    st.divider()
    outcome(view)
