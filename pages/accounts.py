"""Facilitators: who may sign in to run workshops, adding a colleague, changing one's password."""

import streamlit as st

from models.auth import MIN_PASSWORD_LENGTH, change_password, create_facilitator, list_facilitators
from models.db import reading
from models.summary import day
from ui.forms import field_error, form_error, save
from ui.state import engine, form_errors, require, show_flash
from ui.text import plain

ADD = "add_facilitator"
CHANGE = "change_password"
ADD_FIELDS = ("username", "password", "repeat")
CHANGE_FIELDS = ("current", "password", "repeat")


def add_facilitator(actor: str) -> None:
    data = {field: st.session_state[f"add_{field}"] for field in ADD_FIELDS}
    name = data["username"].strip()
    if save(ADD, lambda session: create_facilitator(session, data=data, actor=actor),
            f"{name} can now sign in as a facilitator."):
        for field in ADD_FIELDS:
            st.session_state[f"add_{field}"] = ""


def change_own_password(account_id: int, actor: str) -> None:
    data = {field: st.session_state[f"change_{field}"] for field in CHANGE_FIELDS}
    if save(CHANGE, lambda session: change_password(session, account_id=account_id, data=data,
                                                    actor=actor),
            "Your password is changed. Use the new one next time you sign in."):
        for field in CHANGE_FIELDS:
            st.session_state[f"change_{field}"] = ""


role = require("facilitator")
st.title("Facilitators")
show_flash()
st.write("Everyone here can sign in to set up and run workshops. Partners never need an account: "
         "they get private links.")

with reading(engine()) as session:
    accounts = list_facilitators(session)
for account in accounts:
    you = " (you)" if account.id == role.account_id else ""
    st.markdown(f"- **{plain(account.username)}**{you} · added {day(account.created_at)}")

st.subheader("Add a facilitator")
errors = form_errors(ADD)
with st.form("new_facilitator"):
    st.text_input("Name", key="add_username", max_chars=80)
    field_error(errors, "username")
    st.text_input(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", type="password",
                  key="add_password", max_chars=200)
    field_error(errors, "password")
    st.text_input("The same password again", type="password", key="add_repeat", max_chars=200)
    field_error(errors, "repeat")
    form_error(errors)
    st.form_submit_button("Add facilitator", type="primary", on_click=add_facilitator,
                          args=(role.actor,))

st.subheader("Change your password")
errors = form_errors(CHANGE)
with st.form("own_password"):
    st.text_input("Your current password", type="password", key="change_current",
                  max_chars=200)
    field_error(errors, "current")
    st.text_input(f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password",
                  key="change_password", max_chars=200)
    field_error(errors, "password")
    st.text_input("The same new password again", type="password", key="change_repeat",
                  max_chars=200)
    field_error(errors, "repeat")
    form_error(errors)
    st.form_submit_button("Change password", type="primary", on_click=change_own_password,
                          args=(role.account_id, role.actor))
