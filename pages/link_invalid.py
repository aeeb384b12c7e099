"""What an unknown, revoked, expired or malformed link sees: this, and nothing else."""

import streamlit as st

from ui.state import require

require("invalid_link")

st.title("This link is not valid")
st.write("It may have expired or been replaced by a newer one. Please ask your facilitator "
         "for a new link.")
