"""Changes: the workshop's audit trail, newest first, with undo.

Who changed what and when, with what it was before and after. A partner's private limits and
pre-work of steps not yet revealed stay hidden here as everywhere (``models.audit``).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from models import audit
from models.audit import NOUNS, PAGE_SIZE, TrailEntry
from models.db import reading
from ui.chrome import workshop_or_stop
from ui.forms import form_error, save
from ui.state import engine, form_errors, require, show_flash
from ui.text import plain

FORM = "audit"
EVERYONE, EVERYTHING = "Everyone", "Every kind of record"

role = require("facilitator")
workshop_id = workshop_or_stop()


def when(moment: datetime) -> str:
    zone = st.context.timezone
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    return f"{local:%H:%M}, {local.day} {local:%b %Y}"


def undo(entry: TrailEntry) -> None:
    save(FORM, lambda s: audit.undo(s, workshop_id=workshop_id, event_id=entry.id,
                                    actor=role.actor),
         f"Undone: {entry.verb} {entry.what}. The undo is at the top of the list, and can be "
         "undone too.")


def show_more() -> None:
    st.session_state["audit_limit"] = st.session_state.get("audit_limit", PAGE_SIZE) + PAGE_SIZE


def entry_card(entry: TrailEntry) -> None:
    with st.container(border=True):
        words, action = st.columns([5, 1], vertical_alignment="center")
        with words:
            st.markdown(f"**{when(entry.at)}** · {plain(entry.actor)} · {entry.verb} "
                        f"{plain(entry.what)}")
            if entry.lines:
                st.markdown("\n".join(f"- {plain(line)}" for line in entry.lines))
            if entry.hidden:
                st.caption(entry.hidden)
            if entry.undone_by is not None:
                st.caption("Undone since.")
        with action:
            st.button("Undo", key=f"undo{entry.id}", on_click=undo, args=(entry,),
                      disabled=bool(entry.why_not), help=entry.why_not or
                      "Put back what this change replaced.", width="stretch")


st.title("Changes")
show_flash()
st.write("Every change to this workshop: who made it, when, and what it was before and after. "
         "**Undo** puts back what a change replaced, and is recorded here too.")
errors = form_errors(FORM)
form_error(errors)

with reading(engine()) as session:
    actors, entities = audit.filters(session, workshop_id)
who_col, what_col = st.columns(2)
who = who_col.selectbox("Who", [EVERYONE, *actors], key="audit_who")
what = what_col.selectbox("What", [EVERYTHING, *entities], key="audit_what",
                          format_func=lambda name: NOUNS.get(name, name))
limit = st.session_state.get("audit_limit", PAGE_SIZE)
with reading(engine()) as session:
    shown = audit.trail(session, workshop_id, limit=limit,
                        actor=None if who == EVERYONE else who,
                        entity=None if what == EVERYTHING else what)

if not shown.entries:
    st.info("No changes recorded yet for this choice.")
for entry in shown.entries:
    entry_card(entry)
if shown.total > len(shown.entries):
    st.caption(f"Showing the latest {len(shown.entries)} of {shown.total} changes.")
    st.button(f"Show {PAGE_SIZE} more", key="audit_more", on_click=show_more)
