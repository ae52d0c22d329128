"""Streamlit dashboards (issue 7)."""
