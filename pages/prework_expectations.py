"""The results a partner expects from the partnership, and how much each matters."""

import streamlit as st

from models import expectations, prework
from models.db import reading
from models.schema import ExpectedResult
from ui.forms import field_error, form_error, seed, show_conflict
from ui.prework import header, partner_link, save_section
from ui.state import engine, form_errors, show_flash

IMPORTANCE = {1: "1 · nice to have", 2: "2", 3: "3 · matters", 4: "4", 5: "5 · essential"}

access = partner_link()
locked = header(access, "2 · The results you expect")
show_flash()
st.write("What would make this partnership a success for your organization? Write each result "
         "you expect on its own, and say how much it matters. The room will turn the shared "
         "ones into measures with a baseline and a target.")
with reading(engine()) as session:
    results = prework.own_results(session, access)


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
    seed(f"{prefix}_text", result.text)
    seed(f"{prefix}_importance", result.importance)
    result_fields(prefix, errors)
    theirs = show_conflict(prefix, {"text": "Result", "importance": "How much it matters"},
                           data_of(prefix))
    form_error(errors)
    version = theirs.get("version") if theirs else result.version
    save_col, remove_col = st.columns(2)
    save_col.button("Save mine over theirs" if theirs else "Save", key=f"{prefix}_save",
                    disabled=locked, on_click=lambda: save_section(
                        prefix, access, lambda s, p: expectations.update_expected_result(
                            s, partner_id=p.id, result_id=result.id, data=data_of(prefix),
                            expected_version=version, actor=f"partner:{p.id}")))
    remove_col.button("Remove", key=f"{prefix}_remove", disabled=locked,
                      on_click=lambda: save_section(
                          prefix, access, lambda s, p: expectations.delete_expected_result(
                              s, partner_id=p.id, result_id=result.id, actor=f"partner:{p.id}")))


def add_result() -> None:
    if save_section("result_new", access, lambda s, p: expectations.add_expected_result(
            s, partner_id=p.id, data=data_of("result_new"), actor=f"partner:{p.id}")):
        st.session_state["result_new_text"] = ""
        st.session_state["result_new_importance"] = 3


for number, result in enumerate(results, start=1):
    with st.expander(f"{number}. {result.text} · importance {result.importance} of 5"):
        existing(result)

st.subheader("Add a result you expect" if results else "Your first expected result")
new_errors = form_errors("result_new")
result_fields("result_new", new_errors)
form_error(new_errors)
st.button("Add this result", type="primary", key="result_new_add", disabled=locked,
          on_click=add_result)
