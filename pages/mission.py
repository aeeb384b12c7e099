"""Step 1, shared mission: each partner's own mission side by side, then the joint statement the
room drafts, rates and adopts."""

import streamlit as st

from models import mission
from models.db import reading
from models.mission import MISSION_FIELDS, DraftView, MissionView
from models.ratings import raters
from models.schema import Step
from models.steps import reveal
from ui import projector
from ui.chrome import workshop_or_stop
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    refill,
    save,
    seed,
    show_conflict,
)
from ui.partners import chip, marked
from ui.rating_grid import rating_grid, ratings_line, record_grid
from ui.state import engine, form_errors, require, show_flash
from ui.steps import step_header

FIELD_TITLES = {"mission": "Mission", "values": "Values", "brings": "What it brings",
                "needs": "What it needs"}

role = require("facilitator")
workshop_id = workshop_or_stop()


# --- each partner's own mission ----------------------------------------------------------------


def partner_missions(view: MissionView) -> None:
    st.header("Each partner's own mission")
    if not view.revealed:
        st.write("The partners' missions stay hidden until you show them to the room.")
        st.button("Reveal the partners' missions", type="primary", key="reveal_mission",
                  on_click=lambda: save("reveal", lambda s: reveal(
                      s, workshop_id=workshop_id, step=Step.MISSION, actor=role.actor),
                      "The partners' missions are on the screen."))
        return
    st.caption("Highlighted words appear in more than one partner's answers: common ground.")
    per_row = 3 if len(view.partners) > 4 else max(len(view.partners), 1)
    for start in range(0, len(view.partners), per_row):
        for partner, column in zip(view.partners[start:start + per_row], st.columns(per_row),
                                   strict=False):
            with column:
                st.html(chip(partner.name, partner.colour))
                own = view.missions.get(partner.id)
                if own is None or not any(getattr(own, f) for f in MISSION_FIELDS):
                    st.write("Nothing written yet.")
                    continue
                for field in MISSION_FIELDS:
                    if getattr(own, field):
                        st.html(f"<p><strong>{FIELD_TITLES[field]}.</strong> "
                                f"{marked(getattr(own, field), view.shared)}</p>")


def live_entry(view: MissionView) -> None:
    """For a partner that did no pre-work. Before the reveal, only partners that have written
    nothing are offered, so no pre-work reaches the wall early or is overwritten."""
    names = {p.id: p.name for p in view.partners
             if view.revealed or p.id not in view.written}
    if not names:
        return
    with st.expander("Enter a partner's own mission for them"):
        partner_id = st.selectbox("Partner", list(names), format_func=names.__getitem__,
                                  key="mission_entry_partner")
        own = None
        if view.revealed:
            with reading(engine()) as session:
                own = mission.partner_mission(session, partner_id)
        prefix = f"mission_entry_{partner_id}"
        errors = form_errors(prefix)
        fill(prefix, partner_id, {field: getattr(own, field) if own else ""
                                  for field in MISSION_FIELDS}, own.version if own else None)
        for field in MISSION_FIELDS:
            st.text_area(FIELD_TITLES[field], key=f"{prefix}_{field}", height=90)
            field_error(errors, field)
        typed = {field: st.session_state[f"{prefix}_{field}"] for field in MISSION_FIELDS}
        theirs = show_conflict(prefix, FIELD_TITLES, typed,
                               saved=own.model_dump() if own else None)
        form_error(errors)
        if theirs:
            conflict_buttons(prefix, prefix, theirs, lambda: save_partner_mission(partner_id))
        else:
            st.button("Save for this partner", key=f"{prefix}_save",
                      on_click=save_partner_mission, args=(partner_id,))


def save_partner_mission(partner_id: int) -> None:
    prefix = f"mission_entry_{partner_id}"
    data = {field: st.session_state[f"{prefix}_{field}"] for field in MISSION_FIELDS}
    if save(prefix, lambda s: mission.save_partner_mission(
            s, partner_id=partner_id, data=data, expected_version=filled_version(prefix),
            actor=role.actor), "Saved."):
        refill(prefix)


# --- the joint mission -------------------------------------------------------------------------


def joint_mission(view: MissionView) -> None:
    st.header("Our joint mission")
    adopted = view.adopted
    if adopted is not None:
        st.success(f"Adopted: version {adopted.draft.number}.")
        if adopted.draft.override_reason:
            st.caption(f"Adopted without meeting the decision rule, because: "
                       f"{adopted.draft.override_reason}")
    current = view.current
    if current is None:
        st.write("No draft yet. Write the first one below, in the room's words.")
    else:
        draft_to_rate(view, current)
    new_version(view)
    earlier_versions(view)


def draft_to_rate(view: MissionView, current: DraftView) -> None:
    draft = current.draft
    st.subheader(f"Version {draft.number}")
    st.markdown(f"> {draft.text}")
    (st.success if current.verdict.met else st.info)(current.verdict.sentence())
    st.caption(ratings_line(current.ratings, view.partners))
    prefix = f"draft{draft.id}"
    errors = form_errors(prefix)
    with reading(engine()) as session:
        who = raters(session, workshop_id)
    rating_grid(prefix, who, view.partners, current.ratings, errors)
    form_error(errors)
    st.button("Record these ratings", type="primary", key=f"{prefix}_rate",
              on_click=record_ratings, args=(draft.id, prefix, who))
    if draft.adopted_at is None:
        adopt_controls(current)


def record_ratings(draft_id: int, prefix: str, who: list) -> None:
    record_grid(prefix, who, lambda s, ratings, seen: mission.record_draft_ratings(
        s, workshop_id=workshop_id, draft_id=draft_id, ratings=ratings, actor=role.actor,
        seen=seen))


def adopt_controls(current: DraftView) -> None:
    draft = current.draft
    errors = form_errors(f"adopt{draft.id}")
    if current.verdict.met:
        st.button(f"Adopt version {draft.number} as our joint mission", key=f"adopt{draft.id}",
                  on_click=adopt, args=(draft.id, ""))
        return
    if projector.is_on():
        return
    with st.expander("Adopt without meeting the decision rule"):
        st.text_area("Why the room adopts it anyway", key=f"adopt{draft.id}_reason")
        field_error(errors, "override_reason")
        st.button(f"Adopt version {draft.number} anyway", key=f"adopt{draft.id}_override",
                  on_click=lambda: adopt(draft.id, st.session_state[f"adopt{draft.id}_reason"]))


def adopt(draft_id: int, reason: str) -> None:
    save(f"adopt{draft_id}", lambda s: mission.adopt_draft(s, workshop_id=workshop_id,
                                                           draft_id=draft_id, actor=role.actor,
                                                           override_reason=reason),
         "The joint mission is adopted.")


def new_version(view: MissionView) -> None:
    number = view.current.draft.number + 1 if view.current else 1
    label = "Write the first draft" if number == 1 else f"Write version {number}"
    with st.expander(label, expanded=view.current is None):
        errors = form_errors("new_draft")
        seed(f"new_draft_{number}", view.current.draft.text if view.current else "")
        st.text_area("Joint mission statement", key=f"new_draft_{number}", height=120)
        field_error(errors, "text")
        st.button(f"Save as version {number}", key="new_draft_save", on_click=add_draft,
                  args=(number,))


def add_draft(number: int) -> None:
    data = {"text": st.session_state[f"new_draft_{number}"]}
    save("new_draft", lambda s: mission.add_draft(s, workshop_id=workshop_id, data=data,
                                                  actor=role.actor),
         f"Version {number} saved. The room can rate it now.")


def earlier_versions(view: MissionView) -> None:
    for earlier in view.drafts[1:]:
        with st.expander(f"Version {earlier.draft.number}"
                         + (" (adopted)" if earlier.draft.adopted_at else "")):
            st.markdown(f"> {earlier.draft.text}")
            st.write(earlier.verdict.sentence())
            st.caption(ratings_line(earlier.ratings, view.partners))


# --- the screen --------------------------------------------------------------------------------

step_header(Step.MISSION, workshop_id, role.actor)
show_flash()
form_error(form_errors("reveal"))
with reading(engine()) as session:
    view = mission.mission_view(session, workshop_id)
partner_missions(view)
live_entry(view)
st.divider()
joint_mission(view)
