"""Shared Streamlit pieces: the session's engine and role, form errors, chrome and styles."""
