"""The Case page's panels, one function each (kept out of the page script so it stays short)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from . import data
from .i18n import t


def timeline(case_id: str, lang: str) -> None:
    events = data.layer("case_events")
    ev = events[events["case_id"] == case_id].sort_values(["event_date", "fid"])
    st.subheader(t("case.events", lang))
    st.dataframe(pd.DataFrame({
        t("case.event_date", lang): ev["event_date"],
        t("case.event_type", lang): ev["event_type"],
        t("case.actor", lang): ev["actor"],
        t("case.details", lang): ev["details"].map(lambda d: (d or {}).get("note", "")),
    }), hide_index=True, width="stretch")


def ndvi_overlay(case_sites):
    return None


def monitoring(case_id: str, case_sites, lang: str) -> None:
    st.info("—")


def equivalence(case_id: str, lang: str) -> None:
    st.info("—")


def bank(case_id: str, lang: str) -> None:
    st.info("—")


def funds(case_id: str, lang: str) -> None:
    st.info("—")


def forms(case_id: str, version: int, lang: str) -> None:
    st.info("—")
