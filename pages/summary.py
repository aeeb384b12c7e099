"""Step 5, the agreed summary: what the room settled and what is still open, the version a
leader's sign-off belongs to, and who has signed which version."""

import streamlit as st

from models import summary as summaries
from models.db import reading
from models.schema import SignOffDecision
from ui import projector
from ui.chrome import workshop_or_stop
from ui.downloads import download_buttons
from ui.prework import local_time
from ui.state import engine, require
from ui.summary_view import show_summary
from ui.text import plain

DECISIONS = {SignOffDecision.APPROVED: "approved",
             SignOffDecision.CHANGES_REQUESTED: "asked for changes"}

require("facilitator")
workshop_id = workshop_or_stop()
projector.apply_styles()

with reading(engine()) as session:
    summary = summaries.build_summary(session, workshop_id)
    if summary is not None:
        balance = summaries.summary_balance(session, workshop_id)
        signed = summaries.sign_offs(session, workshop_id, summary.version)
if summary is None:
    st.title("No workshop open")
    st.write("This workshop was removed. Choose another one in the sidebar.")
    st.stop()

title, toggle = st.columns([4, 1], vertical_alignment="center")
title.title(f"Agreed summary: {summary.name}")
with toggle:
    projector.toggle()
st.caption(f"Version {summary.version}, made {local_time(summary.made_at)}. Any change to what "
           "was agreed makes a new version, and approvals of earlier versions lapse.")

st.subheader("Sign-offs")
if summaries.approvals_lapsed(signed):
    st.warning("The summary changed after some approvals: they applied to an earlier version. "
               "Please ask those leaders to read it again and sign the new version.")
if signed:
    rows = ["| Partner | Signed by | Decision | Comment | Recorded | Version |",
            "| --- | --- | --- | --- | --- | --- |"]
    for view in signed:
        decision = DECISIONS[view.decision]
        if view.lapsed:
            decision = f"lapsed: {decision} an earlier version"
        who = view.name + (f", {view.title}" if view.title else "")
        rows.append(f"| {plain(view.partner)} | {plain(who)} | {decision} | "
                    f"{plain(' '.join(view.comment.split()))} | "
                    f"{view.recorded_at:%d %b %Y} {local_time(view.recorded_at)} | "
                    f"{view.version} |")
    st.markdown("\n".join(rows))
else:
    st.write("No leader has signed yet. Send the review link from Set-up, "
             "“Pre-work and links”.")

st.subheader("Downloads")
download_buttons(summary, with_backup=True)
st.caption("The JSON backup holds the whole workshop except private limits and pre-work not "
           "yet revealed; it imports back on the Set-up page as a new workshop.")

show_summary(summary, projector=projector.is_on(), balance=balance)
