"""A partner's pre-work, reached only through that partner's private link."""

import streamlit as st

from models.db import reading
from models.overview import link_holder_view
from ui.state import engine, require

link = require("partner").link
with reading(engine()) as session:
    view = link_holder_view(session, workshop_id=link.workshop_id, partner_id=link.partner_id)

st.title(f"Pre-work for {view.partner_name}")
st.write(f"{view.workshop_name}, workshop on {view.held_on}.")
if view.people:
    st.write("Representing your organization: " + ", ".join(view.people) + ".")
st.info("This link is private to your organization. Nobody from another partner can see what "
        "you write here until the facilitator shows it in the workshop.")
