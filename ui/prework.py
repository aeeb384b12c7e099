"""What every pre-work page shares: the partner's link, the lock, and "saved at" in local time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st
from sqlmodel import Session

from models import prework
from models.clock import utcnow
from models.db import reading, writing
from models.links import LinkAccess
from models.overview import link_holder_view
from models.schema import Partner
from ui.forms import save
from ui.state import engine, form_errors, require, show_flash


def partner_link() -> LinkAccess:
    """The partner's access; the first page it opens in a session counts as "opened"."""
    access = require("partner").link
    if not st.session_state.get("prework_opened"):
        with writing(engine()) as session:
            prework.mark_opened(session, access)
        st.session_state["prework_opened"] = True
    return access


def partner_form(intro: str = "") -> Callable[[Callable[[], None]], Callable[[], None]]:
    """A pre-work page's forms, drawn as a Streamlit fragment under the "Saved at" message and
    the page's ``intro``: a click in them (Save, Remove, Submit) runs the fragment again, and
    only it. The title, the partner's name, the lock notice and the navigation stay as drawn,
    and the server redraws one form rather than the page: forty partners saving at once is the
    load test's case (BENCHMARKS.md). Whatever a save changes is drawn inside it."""

    def fragment(draw: Callable[[], None]) -> Callable[[], None]:
        @st.fragment
        @functools.wraps(draw)  # Streamlit tells fragments apart by module and name
        def form() -> None:
            show_flash()
            if intro:
                st.write(intro)
            draw()

        return form

    return fragment


def is_locked(access: LinkAccess) -> bool:
    with reading(engine()) as session:
        return prework.is_locked(session, access)


def header(access: LinkAccess, title: str) -> bool:
    """The page's title with the partner's name; returns whether pre-work is locked."""
    with reading(engine()) as session:
        view = link_holder_view(session, workshop_id=access.workshop_id,
                                partner_id=access.partner_id)
    st.title(title)
    st.caption(f"{view.partner_name} · {view.workshop_name} · workshop on {view.held_on}")
    locked = is_locked(access)
    if locked:
        st.info("The facilitator has locked pre-work for the workshop. You can read your "
                "answers here, but they can no longer change.")
    return locked


def local_time(moment: datetime) -> str:
    zone = st.context.timezone
    return f"{(moment.astimezone(ZoneInfo(zone)) if zone else moment):%H:%M}"


def save_section(form: str, access: LinkAccess,
                 write: Callable[[Session, Partner], object]) -> bool:
    """Save one section of pre-work for the link's partner, with "Saved at hh:mm" on success."""
    saved = save(form, lambda s: prework.partner_write(s, access, lambda p: write(s, p)),
                 f"Saved at {local_time(utcnow())}. You can come back and change it until the "
                 "facilitator locks pre-work.")
    if not saved:
        redraw_page_if_closed(form)
    return saved


def redraw_page_if_closed(form: str) -> None:
    """A save refused because pre-work was locked, or the link stopped, meanwhile: the page
    around the form changes too (the lock notice, every field read-only), so the whole page runs
    again, not only the form's fragment. The message and what was typed stay."""
    if form_errors(form).get("form") in (prework.LOCKED, prework.LINK_GONE):
        st.rerun(scope="app")
