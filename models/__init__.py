"""Concord's domain: tables, rules, queries and writes. Never imports streamlit."""
