"""The leadership review, reached only through the read-only review link."""

import streamlit as st

from models.db import reading
from models.overview import link_holder_view
from ui.state import engine, require

link = require("leadership").link
with reading(engine()) as session:
    view = link_holder_view(session, workshop_id=link.workshop_id, partner_id=None)

st.title(f"Review: {view.workshop_name}")
st.write(f"Workshop held on {view.held_on}. This link is read-only.")
