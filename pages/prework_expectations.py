"""The results a partner expects from the partnership, and how much each matters."""

import streamlit as st

from models import expectations, prework
from models.db import reading
from models.schema import ExpectedResult
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_value,
    filled_version,
    form_error,
    refill,
    seed,
    show_conflict,
)
from ui.prework import header, partner_form, partner_link, save_section
from ui.state import engine, form_errors

IMPORTANCE = {1: "1 · nice to have", 2: "2", 3: "3 · matters", 4: "4", 5: "5 · essential"}

INTRO = ("What would make this partnership a success for your organization? Write each result "
         "you expect on its own, and say how much it matters. The room will turn the shared "
         "ones into measures with a baseline and a target.")

access = partner_link()
locked = header(access, "2 · The results you expect")


def result_fields(prefix: str, errors: dict) -> None:
    st.text_area("A result we expect", key=f"{prefix}_text", disabled=locked, height=80,
                 placeholder="e.g. Patients see a therapist within a week of a referral")
    field_error(errors, "text")
    seed(f"{prefix}_importance", 3)
    st.select_slider("How much it matters", options=list(IMPORTANCE), key=f"{prefix}_importance",
                     format_func=IMPORTANCE.__getitem__, disabled=locked)
    field_error(errors, "importance")


def data_of(prefix: str) -> dict:
    return {"text": st.session_state[f"{prefix}_text"],
            "importance": st.session_state[f"{prefix}_importance"]}


def existing(result: ExpectedResult) -> None:
    prefix = f"result{result.id}"
    errors = form_errors(prefix)
    fill(prefix, result.id, {"text": result.text, "importance": result.importance,
                             "theme": result.theme}, result.version)
    result_fields(prefix, errors)
    theirs = show_conflict(prefix, {"text": "Result", "importance": "How much it matters"},
                           data_of(prefix))
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs,
                         lambda: save_result(result.id, theirs.get("theme", "")),
                         disabled=locked)
    save_col, remove_col = st.columns(2)
    if not theirs:
        save_col.button("Save", key=f"{prefix}_save", disabled=locked,
                        on_click=lambda: save_result(result.id, filled_value(prefix, "theme")))
    remove_col.button("Remove", key=f"{prefix}_remove", disabled=locked,
                      on_click=lambda: save_section(
                          prefix, access, lambda s, p: expectations.delete_expected_result(
                              s, partner_id=p.id, result_id=result.id, actor=f"partner:{p.id}")))


def save_result(result_id: int, theme: str) -> None:
    """``theme`` is the room's, which the partner never sees: the one the form was filled with,
    or, saving over someone else's version, the one they saved. It is never wiped."""
    prefix = f"result{result_id}"
    data = dict(data_of(prefix), theme=theme)
    if save_section(prefix, access, lambda s, p: expectations.update_expected_result(
            s, partner_id=p.id, result_id=result_id, data=data,
            expected_version=filled_version(prefix), actor=f"partner:{p.id}")):
        refill(prefix)


def add_result() -> None:
    if save_section("result_new", access, lambda s, p: expectations.add_expected_result(
            s, partner_id=p.id, data=data_of("result_new"), actor=f"partner:{p.id}")):
        st.session_state["result_new_text"] = ""
        st.session_state["result_new_importance"] = 3


@partner_form(INTRO)
def results_form() -> None:
    with reading(engine()) as session:
        results = prework.own_results(session, access)
    for number, result in enumerate(results, start=1):
        with st.expander(f"{number}. {result.text} · importance {result.importance} of 5"):
            existing(result)

    st.subheader("Add a result you expect" if results else "Your first expected result")
    new_errors = form_errors("result_new")
    result_fields("result_new", new_errors)
    form_error(new_errors)
    st.button("Add this result", type="primary", key="result_new_add", disabled=locked,
              on_click=add_result)


results_form()
