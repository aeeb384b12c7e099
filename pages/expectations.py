"""Step 2, expectations: what each partner expects, where their expectations meet, and the
measures the room agrees to track them with."""

from html import escape

import streamlit as st

from models import expectations, library, steps
from models.db import reading
from models.expectations import ExpectationsView, MeasureView, ThemeGroup
from models.schema import Direction, ExpectedResult, ItemStatus, Measure, Step
from models.validation import EARLIEST, LATEST
from ui import charts, projector
from ui.chrome import workshop_or_stop
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_value,
    filled_version,
    form_error,
    pick_one,
    refill,
    save,
    seed,
    show_conflict,
)
from ui.partners import chip
from ui.state import engine, form_errors, require, show_flash
from ui.steps import step_header

DECISIONS = [ItemStatus.AGREED, ItemStatus.CONTESTED, ItemStatus.DROPPED]
STATUS_WORDS = {ItemStatus.OPEN: "not decided yet", ItemStatus.AGREED: "agreed",
                ItemStatus.CONTESTED: "contested", ItemStatus.DROPPED: "dropped"}
IMPORTANCE = {1: "1 · nice to have", 2: "2", 3: "3", 4: "4", 5: "5 · essential"}
DIRECTIONS = {Direction.HIGHER_IS_BETTER: "Higher is better",
              Direction.LOWER_IS_BETTER: "Lower is better"}
# Every field of a measure, with its label in the form.
MEASURE_FIELDS = {
    "name": "Name", "definition": "Definition", "data_source": "Where the number comes from",
    "unit": "Unit", "direction": "Which way is better", "baseline_value": "Baseline value",
    "baseline_date": "Date of the baseline value", "baseline_plan": "Plan to collect the baseline",
    "baseline_plan_date": "Baseline collected by", "target_value": "Target",
    "frequency": "How often it is measured", "owner_partner_id": "Owner",
    "owner_name": "Owner's name", "pilot_scope": "Pilot scope", "pilot_start": "Pilot starts",
    "pilot_end": "Pilot ends", "reevaluation_date": "Look at it again on",
    "plausible_min": "Lowest plausible value", "plausible_max": "Highest plausible value",
}


def actor() -> str:
    return require("facilitator").actor


def show_html(markup: str, style: str = "") -> None:
    """Markup built from escaped text, inside a block so that Markdown leaves it as it is."""
    st.markdown(f'<div style="{style}">{markup}</div>', unsafe_allow_html=True)


def show_text(text: str, *, bold: bool = False, size: str = "1rem") -> None:
    """User text exactly as written: escaped, so no markup in it can take effect."""
    show_html(escape(text).replace("\n", "<br>"),
              f"font-size:{size};font-weight:{700 if bold else 400};line-height:1.3")


# --- before the reveal -------------------------------------------------------------------------


def reveal_section(workshop_id: int) -> None:
    st.subheader("What each partner expects")
    st.info("The partners' expected results from their pre-work stay hidden until you reveal "
            "them. When the room is ready, show them all side by side.")
    form_error(form_errors("reveal"))
    st.button("Reveal the partners' expected results", type="primary", key="reveal",
              on_click=reveal, args=(workshop_id,))


def reveal(workshop_id: int) -> None:
    save("reveal", lambda s: steps.reveal(s, workshop_id=workshop_id, step=Step.EXPECTATIONS,
                                          actor=actor()),
         "Here is what each partner expects.")


# --- the expected results, side by side --------------------------------------------------------


def results_section(view: ExpectationsView, workshop_id: int) -> None:
    st.subheader("What each partner expects")
    st.caption("Side by side, grouped where they say the same thing. Give two results the same "
               "theme to group them.")
    for partner, column in zip(view.partners, st.columns(len(view.partners)), strict=True):
        with column:
            show_html(chip(partner.name, partner.colour))
            count = len(view.results.get(partner.id, []))
            st.caption(f"{count} expected result{'' if count == 1 else 's'}" if count
                       else "Nothing yet. Enter it below.")
    for group in view.groups:
        theme_group(view, group)
    st.divider()
    decide_on_a_result(view, workshop_id)
    if view.results:
        with st.expander("Chart: expectations side by side"):
            charts.show(charts.expectations_side_by_side(view.partners, view.results,
                                                         projector=projector.is_on()),
                        "chart_expectations")


def theme_group(view: ExpectationsView, group: ThemeGroup) -> None:
    st.divider()
    shared = len(group.partner_ids)
    show_text(group.theme, bold=True, size="1.3rem")
    if group.grouped:
        st.caption(f"Shared by {shared} partners" if shared > 1 else "One partner")
    for partner, column in zip(view.partners, st.columns(len(view.partners)), strict=True):
        with column:
            for result in group.of_partner(partner.id):
                expectation_card(view, result)


def expectation_card(view: ExpectationsView, result: ExpectedResult) -> None:
    """One expectation as the wall reads it; the room decides on it below the groups."""
    measure_names = {mv.measure.id: mv.measure.name for mv in view.measures}
    partner = view.partner_by_id[result.partner_id]
    with st.container(border=True):
        # The partner's chip on every card: once scrolled, the column headings are out of sight.
        show_html(chip(partner.name, partner.colour))
        show_text(result.text, bold=True)
        measured = measure_names.get(result.measure_id)
        show_html(f"importance {result.importance} of 5 · <strong>"
                  f"{escape(STATUS_WORDS[result.status])}</strong>"
                  + (f" · measured by {escape(measured)}" if measured else ""))


def decide_on_a_result(view: ExpectationsView, workshop_id: int) -> None:
    """The room's view, theme and measure of one expectation at a time: a control on every card
    of a long list makes every click slow to redraw."""
    results = {r.id: r for group in view.groups for r in group.results}
    if not results:
        return
    names = {rid: f"{view.partner_by_id[r.partner_id].name}: {r.text}"
             for rid, r in results.items()}
    chosen = pick_one("Decide on an expectation", names, "result_pick")
    if chosen is None:
        return
    result = results[chosen]
    prefix = f"result{result.id}"
    errors = form_errors(prefix)
    measure_names = {mv.measure.id: mv.measure.name for mv in view.measures}
    with st.container(border=True):
        status, theme, measure = st.columns(3)
        with status:
            st.session_state[f"{prefix}_status"] = result.status
            st.selectbox("The room's view", list(ItemStatus), key=f"{prefix}_status",
                         format_func=STATUS_WORDS.__getitem__, on_change=set_result_status,
                         args=(workshop_id, result.id, result.status))
            field_error(errors, "status")
        with theme:
            theme_field(workshop_id, result)
        with measure:
            measure_key = f"{prefix}_measure"
            st.session_state[measure_key] = result.measure_id
            st.selectbox("Measured by", [None, *measure_names], key=measure_key,
                         format_func=lambda m: "No measure yet" if m is None else measure_names[m],
                         placeholder="No measure yet", on_change=set_result_measure,
                         args=(workshop_id, result.id, result.measure_id))
        form_error(errors)
        if not projector.is_on():
            st.button("Remove this result", key=f"{prefix}_remove", on_click=remove_result,
                      args=(result.partner_id, result.id))


def theme_field(workshop_id: int, result: ExpectedResult) -> None:
    """The theme is typed, so it keeps the theme it was filled with: a theme someone else gives
    meanwhile is shown next to the one typed here rather than replaced without a word."""
    prefix, form = f"result{result.id}", f"theme{result.id}"
    fill(prefix, result.id, {"theme": result.theme}, result.version)
    errors = form_errors(form)
    st.text_input("Theme", key=f"{prefix}_theme", on_change=set_result_theme,
                  args=(workshop_id, result.id),
                  help="The same words as another result's theme put them together.")
    field_error(errors, "theme")
    theirs = show_conflict(form, {"theme": "Theme"},
                           {"theme": st.session_state.get(f"{prefix}_theme", "")})
    form_error(errors)
    if theirs:
        conflict_buttons(form, prefix, theirs,
                         lambda: set_result_theme(workshop_id, result.id, was=theirs["theme"]))


def set_result_status(workshop_id: int, result_id: int, was: ItemStatus) -> None:
    status = st.session_state[f"result{result_id}_status"]
    save(f"result{result_id}",
         lambda s: expectations.set_expectation_status(s, workshop_id=workshop_id,
                                                       result_id=result_id, status=status,
                                                       was=was, actor=actor()),
         f"Expectation marked {STATUS_WORDS[status]}.")


def set_result_theme(workshop_id: int, result_id: int, was: str | None = None) -> None:
    prefix = f"result{result_id}"
    theme = st.session_state.get(f"{prefix}_theme", "")
    seen = filled_value(prefix, "theme") if was is None else was
    if save(f"theme{result_id}",
            lambda s: expectations.set_expectation_theme(s, workshop_id=workshop_id,
                                                         result_id=result_id, theme=theme,
                                                         was=seen, actor=actor()),
            "Theme saved."):
        refill(prefix)


def set_result_measure(workshop_id: int, result_id: int, was: int | None) -> None:
    measure_id = st.session_state.get(f"result{result_id}_measure")
    save(f"result{result_id}",
         lambda s: expectations.link_measure(s, workshop_id=workshop_id, result_id=result_id,
                                             measure_id=measure_id, was=was, actor=actor()),
         "Measure linked." if measure_id is not None else "Measure unlinked.")


def remove_result(partner_id: int, result_id: int) -> None:
    save(f"result{result_id}",
         lambda s: expectations.delete_expected_result(s, partner_id=partner_id,
                                                       result_id=result_id, actor=actor()),
         "Expected result removed.")


# --- live entry for a partner ------------------------------------------------------------------


def live_entry(view: ExpectationsView, workshop_id: int) -> None:
    st.subheader("Enter for a partner")
    st.caption("For a partner that did not do its pre-work: write what it expects, in its "
               "people's words.")
    prefix = f"live{workshop_id}"
    errors = form_errors("live")
    names = {partner.id: partner.name for partner in view.partners}
    seed(f"{prefix}_importance", 3)
    partner_col, importance_col = st.columns([3, 2])
    with partner_col:
        st.selectbox("Partner", list(names), format_func=names.__getitem__,
                     key=f"{prefix}_partner")
    with importance_col:
        st.radio("How much it matters to them", list(IMPORTANCE), horizontal=True,
                 format_func=IMPORTANCE.__getitem__, key=f"{prefix}_importance")
        field_error(errors, "importance")
    st.text_area("What result do they expect?", key=f"{prefix}_text", height=80,
                 placeholder="e.g. Fewer weeks between a first concern and a first visit")
    field_error(errors, "text")
    st.text_input("Theme (optional)", key=f"{prefix}_theme",
                  placeholder="e.g. Faster access",
                  help="The same words as another result's theme put them together.")
    field_error(errors, "theme")
    form_error(errors)
    st.button("Add expected result", type="primary", key=f"{prefix}_add", on_click=add_live,
              args=(workshop_id,))


def add_live(workshop_id: int) -> None:
    prefix = f"live{workshop_id}"
    state = st.session_state
    partner_id = state[f"{prefix}_partner"]
    data = {"text": state[f"{prefix}_text"], "importance": state[f"{prefix}_importance"],
            "theme": state[f"{prefix}_theme"]}
    if save("live", lambda s: expectations.add_expected_result(s, partner_id=partner_id,
                                                               data=data, actor=actor()),
            "Expected result added."):
        state[f"{prefix}_text"] = ""
        state[f"{prefix}_theme"] = ""


# --- measures ----------------------------------------------------------------------------------


def measures_section(view: ExpectationsView, workshop_id: int) -> None:
    st.divider()
    st.subheader("Measures")
    st.caption("How the room will know each expectation is met. A measure can be agreed once "
               "it has a definition, a baseline, a target, how often it is measured, and an "
               "owner.")
    library_picker(view, workshop_id)
    with st.expander("Write a new measure"):
        errors = form_errors("measure_new")
        measure_fields(f"measure_new{workshop_id}", view, errors)
        form_error(errors)
        st.button("Add measure", key=f"measure_new{workshop_id}_add", on_click=add_new_measure,
                  args=(workshop_id,))
    if not view.measures:
        st.write("No measures yet. Add one from the library or write a new one.")
    for measure_view in view.measures:
        measure_card(view, measure_view, workshop_id)
    if view.measures:
        measures = {mv.measure.id: mv.measure for mv in view.measures}
        chosen = pick_one("Change every field of a measure",
                          {mid: m.name for mid, m in measures.items()},
                          f"measure_pick{workshop_id}")
        if chosen is not None:
            with st.container(border=True):
                measure_editor(view, measures[chosen], workshop_id)


def library_picker(view: ExpectationsView, workshop_id: int) -> None:
    entries = library.measures()
    key = f"library{workshop_id}"
    pick, add = st.columns([4, 1], vertical_alignment="bottom")
    pick.selectbox("Add a measure from the library", view.unused_library_keys, index=None,
                   format_func=lambda k: entries[k].name, placeholder="Choose a measure",
                   key=key)
    add.button("Add", key=f"{key}_add", on_click=add_library_measure, args=(workshop_id,),
               disabled=st.session_state.get(key) is None)
    field_error(form_errors("library"), "library")


def add_library_measure(workshop_id: int) -> None:
    key = st.session_state.get(f"library{workshop_id}")
    if save("library", lambda s: expectations.add_library_measure(s, workshop_id=workshop_id,
                                                                  key=key, actor=actor()),
            f"“{library.measures()[key].name}” added. Fill in its baseline, target and owner."):
        st.session_state[f"library{workshop_id}"] = None


def add_new_measure(workshop_id: int) -> None:
    prefix = f"measure_new{workshop_id}"
    data = measure_data(prefix)
    if save("measure_new", lambda s: expectations.add_measure(s, workshop_id=workshop_id,
                                                              data=data, actor=actor()),
            f"“{data['name'].strip()}” added."):
        for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
            del st.session_state[key]


def measure_card(view: ExpectationsView, measure_view: MeasureView, workshop_id: int) -> None:
    measure = measure_view.measure
    prefix = f"measure{measure.id}"
    errors = form_errors(prefix)
    with st.container(border=True):
        about, decision = st.columns([3, 2])
        with about:
            show_text(measure.name, bold=True, size="1.2rem")
            for result in measure_view.serves:
                partner = view.partner_by_id[result.partner_id]
                show_html(f"{chip(partner.name, partner.colour)} {escape(result.text)}",
                          "margin-bottom:0.3rem")
            if measure_view.missing:
                st.markdown("**Still needed to agree:** "
                            + expectations.listed(measure_view.missing) + ".")
            else:
                st.markdown("**Complete:** everything needed to agree is in place.")
        with decision:
            status_key = f"{prefix}_status"
            st.session_state[status_key] = (None if measure.status == ItemStatus.OPEN
                                            else measure.status)
            st.segmented_control("The room's view", DECISIONS, key=status_key,
                                 format_func=STATUS_WORDS.__getitem__,
                                 on_change=set_measure_status, args=(workshop_id, measure.id))
            field_error(errors, "status")


def measure_editor(view: ExpectationsView, measure: Measure, workshop_id: int) -> None:
    prefix = f"measure{measure.id}"
    errors = form_errors(prefix)
    fill(prefix, measure.id, {name: getattr(measure, name) for name in MEASURE_FIELDS},
         measure.version)
    measure_fields(prefix, view, errors)
    theirs = show_conflict(prefix, MEASURE_FIELDS, measure_data(prefix), words={
        "direction": lambda d: DIRECTIONS.get(d, "(empty)"),
        "owner_partner_id": lambda p: owner_name(view, p)})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_measure(workshop_id, measure.id))
    save_col, remove_col = st.columns([1, 1])
    if not theirs:
        save_col.button("Save", type="primary", key=f"{prefix}_save", on_click=save_measure,
                        args=(workshop_id, measure.id))
    if not projector.is_on():
        remove_col.button("Remove this measure", key=f"{prefix}_remove", on_click=remove_measure,
                          args=(workshop_id, measure.id, measure.name))


def measure_fields(prefix: str, view: ExpectationsView, errors: dict[str, str]) -> None:
    owners = {partner.id: partner.name for partner in view.partners}
    name, unit, direction = st.columns([3, 2, 2])
    with name:
        st.text_input("Name", key=f"{prefix}_name")
        field_error(errors, "name")
    with unit:
        st.text_input("Unit", key=f"{prefix}_unit", placeholder="e.g. percent")
        field_error(errors, "unit")
    with direction:
        st.radio("Which way is better", list(DIRECTIONS), key=f"{prefix}_direction",
                 format_func=DIRECTIONS.__getitem__)
        field_error(errors, "direction")
    st.text_area("Definition: who is counted, and what", key=f"{prefix}_definition")
    field_error(errors, "definition")
    st.text_input("Where the number comes from", key=f"{prefix}_data_source")
    field_error(errors, "data_source")

    st.markdown("**Baseline:** today's value and its date, or a plan and a date to collect it "
                "before the pilot starts.")
    value, when, plan_date = st.columns(3)
    with value:
        st.number_input("Baseline value", key=f"{prefix}_baseline_value", value=None,
                        format="%g")
        field_error(errors, "baseline_value")
    with when:
        date_field("Date of the baseline value", f"{prefix}_baseline_date")
        field_error(errors, "baseline_date")
    with plan_date:
        date_field("Baseline collected by", f"{prefix}_baseline_plan_date")
        field_error(errors, "baseline_plan_date")
    st.text_input("Plan to collect the baseline", key=f"{prefix}_baseline_plan")
    field_error(errors, "baseline_plan")

    target, frequency, owner, owner_name = st.columns(4)
    with target:
        st.number_input("Target", key=f"{prefix}_target_value", value=None, format="%g")
        field_error(errors, "target_value")
    with frequency:
        st.text_input("How often it is measured", key=f"{prefix}_frequency",
                      placeholder="e.g. monthly")
        field_error(errors, "frequency")
    with owner:
        st.selectbox("Owner", [None, *owners], key=f"{prefix}_owner_partner_id",
                     format_func=lambda p: "No partner yet" if p is None else owners[p],
                     placeholder="No partner yet")
        field_error(errors, "owner_partner_id")
    with owner_name:
        st.text_input("Owner's name", key=f"{prefix}_owner_name")
        field_error(errors, "owner_name")

    st.text_input("Pilot scope: where and for whom", key=f"{prefix}_pilot_scope")
    field_error(errors, "pilot_scope")
    start, end, again = st.columns(3)
    with start:
        date_field("Pilot starts", f"{prefix}_pilot_start")
        field_error(errors, "pilot_start")
    with end:
        date_field("Pilot ends", f"{prefix}_pilot_end")
        field_error(errors, "pilot_end")
    with again:
        date_field("Look at it again on", f"{prefix}_reevaluation_date")
        field_error(errors, "reevaluation_date")

    low, high = st.columns(2)
    with low:
        st.number_input("Lowest plausible value", key=f"{prefix}_plausible_min", value=None,
                        format="%g")
        field_error(errors, "plausible_min")
    with high:
        st.number_input("Highest plausible value", key=f"{prefix}_plausible_max", value=None,
                        format="%g")
        field_error(errors, "plausible_max")


def date_field(label: str, key: str) -> None:
    st.date_input(label, key=key, value=None, min_value=EARLIEST, max_value=LATEST,
                  format="YYYY-MM-DD")


def measure_data(prefix: str) -> dict:
    return {name: st.session_state.get(f"{prefix}_{name}") for name in MEASURE_FIELDS}


def owner_name(view: ExpectationsView, partner_id: int | None) -> str:
    partner = view.partner_by_id.get(partner_id)
    return partner.name if partner else "No partner yet"


def save_measure(workshop_id: int, measure_id: int) -> None:
    prefix = f"measure{measure_id}"
    data = measure_data(prefix)
    if save(prefix, lambda s: expectations.update_measure(
            s, workshop_id=workshop_id, measure_id=measure_id, data=data,
            expected_version=filled_version(prefix), actor=actor()),
            f"“{data['name'].strip()}” saved."):
        refill(prefix)


def set_measure_status(workshop_id: int, measure_id: int) -> None:
    status = st.session_state.get(f"measure{measure_id}_status") or ItemStatus.OPEN
    save(f"measure{measure_id}",
         lambda s: expectations.set_measure_status(s, workshop_id=workshop_id,
                                                   measure_id=measure_id, status=status,
                                                   actor=actor()),
         f"Measure marked {STATUS_WORDS[status]}.")


def remove_measure(workshop_id: int, measure_id: int, name: str) -> None:
    save(f"measure{measure_id}",
         lambda s: expectations.delete_measure(s, workshop_id=workshop_id,
                                               measure_id=measure_id, actor=actor()),
         f"“{name}” removed.")


# --- the screen --------------------------------------------------------------------------------

role = require("facilitator")
workshop_id = workshop_or_stop()
step_header(Step.EXPECTATIONS, workshop_id, role.actor)
show_flash()
with reading(engine()) as session:
    view = expectations.expectations_view(session, workshop_id)

if view.revealed:
    results_section(view, workshop_id)
    st.divider()
    live_entry(view, workshop_id)
else:
    reveal_section(workshop_id)
measures_section(view, workshop_id)
