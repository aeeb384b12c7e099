"""The chrome around every page: who is signed in, which workshop is open, and signing out."""

from __future__ import annotations

import streamlit as st

from models.db import reading
from models.overview import workshop_names
from ui.state import Role, engine, sign_out


def sidebar(role: Role) -> None:
    if role.kind != "facilitator":
        return
    with st.sidebar:
        choose_workshop()
        st.caption(f"Signed in as {role.actor.split(':', 1)[1]}")
        st.button("Sign out", on_click=sign_out, key="sign_out")


def choose_workshop() -> int | None:
    """The open workshop, kept in session state by id; the first one when none is chosen yet."""
    with reading(engine()) as session:
        workshops = workshop_names(session)
    if not workshops:
        st.session_state.pop("workshop_id", None)
        return None
    names = {row_id: f"{name} · {held_on}" for row_id, name, held_on in workshops}
    ids = list(names)
    if st.session_state.get("workshop_id") not in ids:
        st.session_state["workshop_id"] = ids[0]
    st.selectbox("Workshop", ids, format_func=names.__getitem__, key="workshop_id")
    return st.session_state["workshop_id"]


def current_workshop_id() -> int | None:
    return st.session_state.get("workshop_id")


def workshop_or_stop() -> int:
    """The open workshop's id; without one, a pointer to Set-up and nothing else."""
    workshop_id = current_workshop_id()
    if workshop_id is None:
        st.title("No workshop open")
        st.write("Create or choose a workshop on the Set-up page first.")
        st.page_link("pages/setup.py", label="Go to Set-up")
        st.stop()
    return workshop_id

