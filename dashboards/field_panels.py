"""The case page's field evidence and review queue: each field photo with its SHA-256, the
camera's time and position, who took it and what was found odd about it; the conflicts of a
field import (``restoration field conflicts``) with the values on both sides. Staff pages only:
the public page reads the disclosure functions, which never carry a field photo."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import data
from dashboards.i18n import t, text
from dashboards.ui import md

_KIND = {"value": "field.kind_value", "geometry": "field.kind_geometry", "deleted": "field.kind_deleted",
         "added": "field.kind_added"}


def _where(lon, lat) -> str:
    if lon is None or lat is None or lon != lon or lat != lat:
        return "—"
    return f"{lat:.5f}, {lon:.5f}"


def evidence(case_id: str, lang: str) -> None:
    st.subheader(t("field.evidence", lang))
    rows = data.case_record(case_id).get("field_evidence") or []
    if not rows:
        st.info(t("field.no_evidence", lang), icon=":material/info:")
        return
    frame = pd.DataFrame(rows)
    st.dataframe(pd.DataFrame({
        t("field.photo", lang): frame["name"].map(text),
        t("field.site", lang): frame["site_id"].map(text),
        t("field.taken_at", lang): frame["taken_at"].map(lambda v: text(v).replace("T", " ")),
        t("field.position", lang): [_where(a, b) for a, b in zip(frame["lon"], frame["lat"])],
        t("field.inside", lang): frame["inside_site"].map(
            lambda v: "—" if v is None or v != v else t("field.yes" if v else "field.no", lang)),
        t("field.taken_by", lang): frame["taken_by"].map(text),
        t("field.sha256", lang): frame["sha256"],
        t("field.warnings", lang): frame["warnings"].map(lambda w: "；".join(w) if w else "—"),
    }), hide_index=True, use_container_width=True)


def conflicts(case_id: str, lang: str) -> None:
    st.subheader(t("field.conflicts", lang))
    frame = data.field_conflicts(case_id)
    if frame.empty:
        st.info(t("field.no_conflicts", lang), icon=":material/info:")
        return
    open_n = int((frame["status"] == "open").sum())
    if open_n:
        st.warning(t("field.open_n", lang, n=open_n), icon=":material/rule:")
    st.dataframe(pd.DataFrame({
        t("field.conflict_id", lang): frame["conflict_id"],
        t("field.kind", lang): frame["kind"].map(lambda k: t(_KIND.get(k, "field.kind_value"), lang)),
        t("field.site", lang): frame["record_id"].map(text),
        t("field.attribute", lang): frame["field"].map(text),
        t("field.office_value", lang): frame["office_value"].map(text),
        t("field.field_value", lang): frame["field_value"].map(text),
        t("field.status", lang): frame["status"].map(lambda s: t("field.open" if s == "open" else "field.resolved", lang)),
    }), hide_index=True, use_container_width=True)
    st.caption(md(t("field.resolve_how", lang)))
