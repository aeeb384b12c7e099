"""A partner's own mission, values, what it brings and what it needs."""

import streamlit as st

from models import mission
from models.db import reading
from models.mission import MISSION_FIELDS
from models.prework import own_mission
from ui.forms import field_error, form_error, seed, show_conflict
from ui.prework import header, local_time, partner_link, save_section
from ui.state import engine, form_errors, show_flash

QUESTIONS = {
    "mission": ("Your organization's mission", "In a sentence or two: why does your "
                "organization exist, and for whom?"),
    "values": ("Your values", "The principles you will not give up, e.g. recovery, access "
               "for all, privacy."),
    "brings": ("What you bring to the partnership", "Staff, skills, space, data, funding, "
               "relationships…"),
    "needs": ("What you need from it", "What would make this partnership worth it for you?"),
}

access = partner_link()
locked = header(access, "1 · Your mission")
show_flash()
with reading(engine()) as session:
    row = own_mission(session, access)
if row is not None:
    st.caption(f"Last saved at {local_time(row.updated_at)} on {row.updated_at:%d %B}.")

errors = form_errors("mission")
for field in MISSION_FIELDS:
    label, help_text = QUESTIONS[field]
    seed(f"mine_{field}", getattr(row, field) if row else "")
    st.text_area(label, key=f"mine_{field}", help=help_text, placeholder=help_text,
                 disabled=locked, height=110)
    field_error(errors, field)

typed = {field: st.session_state[f"mine_{field}"] for field in MISSION_FIELDS}
theirs = show_conflict("mission", {f: QUESTIONS[f][0] for f in MISSION_FIELDS}, typed)
form_error(errors)


def save_mission(version: int | None) -> None:
    data = {field: st.session_state[f"mine_{field}"] for field in MISSION_FIELDS}
    save_section("mission", access, lambda s, p: mission.save_partner_mission(
        s, partner_id=p.id, data=data, expected_version=version, actor=f"partner:{p.id}"))


def take_theirs(saved: dict) -> None:
    for field in MISSION_FIELDS:
        st.session_state[f"mine_{field}"] = saved.get(field, "")
    st.session_state["conflicts"].pop("mission", None)
    st.session_state["form_errors"].pop("mission", None)


if theirs:
    keep, take = st.columns(2)
    keep.button("Save mine over theirs", key="mission_overwrite", disabled=locked,
                on_click=save_mission, args=(theirs.get("version"),))
    take.button("Use their version", key="mission_take", on_click=take_theirs, args=(theirs,))
else:
    st.button("Save", type="primary", key="mission_save", disabled=locked, on_click=save_mission,
              args=(row.version if row else None,))
