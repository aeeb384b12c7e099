"""What a Streamlit session knows: the engine, who is using the app, and per-form messages.

Session state holds ids and UI state only, never ORM objects or engines.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from models.auth import account as facilitator_account
from models.auth import session_expired
from models.clock import utcnow
from models.db import database_url, make_engine, reading
from models.links import LinkAccess, resolve_link
from models.schema import LinkPurpose
from models.startup import prepare

LINK_PARAM = "link"
FACILITATOR_KEYS = ("facilitator_id", "facilitator_signed_in_at", "facilitator_seen_at")
EXPIRED_NOTE = "You were signed out after a while without activity. Please sign in again."
RoleKind = Literal["facilitator", "partner", "leadership", "invalid_link", "nobody"]

# The server process: the views it keeps between reruns (models/kept.py) are many long-lived
# objects. With Python's default thresholds, building them at the size of a state-wide program
# set off full collections that took half the rerun (BENCHMARKS.md); collecting the young
# generation every 10,000 allocations rather than 700, and each older one ten times more
# rarely, keeps the collector's work in proportion. Set here, where every page (also one run
# on its own) starts; memory is watched by the benchmark's load test.
gc.set_threshold(10_000, 10, 10)


@dataclass(frozen=True)
class Role:
    kind: RoleKind
    actor: str = ""
    account_id: int | None = None
    link: LinkAccess | None = None


def facilitator_secret() -> str | None:
    """The first facilitator password, from the environment or a Streamlit secret."""
    from_env = os.environ.get("CONCORD_FACILITATOR_PASSWORD")
    if from_env:
        return from_env
    try:
        return st.secrets.get("facilitator_password")
    except FileNotFoundError:
        return None


@st.cache_resource(show_spinner="Opening the database…")
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    prepare(engine, facilitator_password=facilitator_secret())
    return engine


_opened: dict[str, Engine] = {}


def engine() -> Engine:
    """The engine of the configured database, opened (and migrated) once per server process.

    Pages ask for it several times a run and each save once more; a dictionary answers that
    faster than Streamlit's cache, which hashes its arguments on every call."""
    url = database_url()
    found = _opened.get(url)
    if found is None:
        found = _opened[url] = _engine_for(url)
    return found


def current_role() -> Role:
    """Who is here: a private link wins over a sign-in, so a link never shows facilitator pages."""
    token = _link_token()
    if token is not None:
        with reading(engine()) as session:
            access = resolve_link(session, token)
        if access is None:
            return Role("invalid_link")
        if access.purpose == LinkPurpose.PREWORK:
            return Role("partner", actor=f"partner:{access.partner_id}", link=access)
        return Role("leadership", actor=f"leadership:{access.workshop_id}", link=access)
    account_id = st.session_state.get("facilitator_id")
    if account_id is None:
        return Role("nobody")
    if not _facilitator_session_alive():
        sign_out()
        st.session_state["signed_out_note"] = EXPIRED_NOTE
        return Role("nobody")
    with reading(engine()) as session:
        account = facilitator_account(session, account_id)
    if account is not None:
        return Role("facilitator", actor=f"facilitator:{account.username}",
                    account_id=account.id)
    sign_out()
    return Role("nobody")


def start_facilitator_session(account_id: int) -> None:
    """Signed in now: the session lasts ``SESSION_LIFETIME`` unless idle for ``IDLE_LIMIT``."""
    now = utcnow().timestamp()
    st.session_state["facilitator_id"] = account_id
    st.session_state["facilitator_signed_in_at"] = now
    st.session_state["facilitator_seen_at"] = now
    st.session_state.pop("signed_out_note", None)


def sign_out() -> None:
    """Forget who signed in, the open workshop and any messages, as a fresh visitor starts."""
    for key in (*FACILITATOR_KEYS, "workshop_id", "form_errors"):
        st.session_state.pop(key, None)


def _facilitator_session_alive() -> bool:
    """Check the sign-in's age and idle time, and count this run as activity.

    An id set without times (by code, never by the user) starts its clock now.
    """
    now = utcnow().timestamp()
    signed_in_at = st.session_state.setdefault("facilitator_signed_in_at", now)
    seen_at = st.session_state.setdefault("facilitator_seen_at", now)
    if session_expired(signed_in_at, seen_at, now):
        return False
    st.session_state["facilitator_seen_at"] = now
    return True


_ROLE_THIS_RUN: ContextVar[Role | None] = ContextVar("concord_role_this_run", default=None)


@contextmanager
def role_for_this_run(role: Role) -> Iterator[None]:
    """The role app.py worked out, for the page it runs next, so the page need not ask the
    database again. A page run without app.py works it out itself."""
    token = _ROLE_THIS_RUN.set(role)
    try:
        yield
    finally:
        _ROLE_THIS_RUN.reset(token)


def require(*kinds: RoleKind) -> Role:
    """The current role if it may see this page; otherwise a plain refusal and nothing else."""
    role = _ROLE_THIS_RUN.get()
    if role is None:  # this page runs without app.py
        _leave_the_pages_folder_mode()
        role = current_role()
    if role.kind not in kinds:
        st.title("This page is not available")
        st.write("Please sign in, or open the private link you were sent.")
        st.stop()
    return role


def _leave_the_pages_folder_mode() -> None:
    """Run this request again through app.py, and every later one on this server.

    Until some run calls ``st.navigation``, Streamlit treats an app with a ``pages/`` folder the
    old way: a first request that names a page (a deep link, a bookmark, a reload on a freshly
    started server) runs that page file alone, and every later run of the session too, each
    time building a page object for every file in the folder and a sidebar listing all of them.
    Once the flag is off, app.py runs first: one look at the role, and the navigation of that
    role only. The flag is Streamlit's own (held still by pyproject's pin of Streamlit 1.67);
    a page run alone by the tests (AppTest) never has it set, and checks the role itself."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _link_token() -> str | None:
    """The link's token, kept in session state because a page switch clears query parameters."""
    from_url = st.query_params.get(LINK_PARAM)
    if from_url:
        st.session_state["link_token"] = from_url
    token = st.session_state.get("link_token")
    if token and st.query_params.get(LINK_PARAM) != token:
        st.query_params[LINK_PARAM] = token
    return token


def form_errors(form: str) -> dict[str, str]:
    return st.session_state.setdefault("form_errors", {}).get(form, {})


def set_form_errors(form: str, errors: dict[str, str]) -> None:
    st.session_state.setdefault("form_errors", {})[form] = errors


def clear_form_errors() -> None:
    st.session_state["form_errors"] = {}


def flash(message: str) -> None:
    """A short confirmation shown once on the next run ("Saved at 14:05")."""
    st.session_state["flash"] = message


def show_flash() -> None:
    """The flash, in a place kept on every run even when empty: if it came and went, whatever
    follows would move, and Streamlit would redraw tabs below it on their first tab."""
    slot = st.empty()
    message = st.session_state.pop("flash", None)
    if message:
        slot.success(message)
