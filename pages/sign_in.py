"""Sign in: on the very first start, the facilitator chooses a password here."""

import streamlit as st

from models.auth import TooManyTries, create_facilitator, has_facilitator, sign_in
from models.db import reading, writing
from models.validation import Invalid
from ui.forms import field_error, form_error
from ui.state import engine, form_errors, require, set_form_errors, start_facilitator_session

FORM = "sign_in"


def _choose_password() -> None:
    data = {key: st.session_state[f"first_{key}"] for key in ("username", "password", "repeat")}
    try:
        with writing(engine()) as session:
            account = create_facilitator(session, data=data)
    except Invalid as exc:
        set_form_errors(FORM, exc.errors)
        return
    set_form_errors(FORM, {})
    start_facilitator_session(account.id)


def _sign_in() -> None:
    try:
        with writing(engine()) as session:
            account_id = sign_in(session, username=st.session_state["signin_username"],
                                 password=st.session_state["signin_password"])
    except TooManyTries as exc:
        set_form_errors(FORM, {"form": str(exc)})
        return
    if account_id is None:
        set_form_errors(FORM, {"form": "That name and password do not match. Please try again."})
        return
    set_form_errors(FORM, {})
    start_facilitator_session(account_id)


require("nobody")
st.title("Concord")
st.write("A workshop for behavioral health and primary care partners to agree a shared mission, "
         "measures, solutions and a pace they can keep.")
errors = form_errors(FORM)
with reading(engine()) as session:
    first_start = not has_facilitator(session)

if first_start:
    st.subheader("Welcome. Choose the facilitator's password")
    st.write("This is the first start. The facilitator signs in with this name and password to "
             "set up workshops. Partners never need it: they get private links.")
    with st.form("first_start"):
        st.text_input("Facilitator name", value="facilitator", key="first_username")
        field_error(errors, "username")
        st.text_input("Password (at least 10 characters)", type="password", key="first_password")
        field_error(errors, "password")
        st.text_input("The same password again", type="password", key="first_repeat")
        field_error(errors, "repeat")
        st.form_submit_button("Save and sign in", type="primary", on_click=_choose_password)
else:
    st.subheader("Facilitator sign-in")
    note = st.session_state.pop("signed_out_note", None)
    if note:
        st.info(note)
    st.caption("Partner representatives and leaders: please open the private link you were sent.")
    with st.form("sign_in"):
        st.text_input("Name", value="facilitator", key="signin_username")
        st.text_input("Password", type="password", key="signin_password")
        form_error(errors)
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in)
