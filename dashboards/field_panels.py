"""The case page's field evidence and review queue: each field photo with its SHA-256, the
camera's time and position, who took it and what was found odd about it; the conflicts of a
field import (``restoration field conflicts``) with the values on both sides; the control that
marks one photo public (or withdraws it) with a reason. Staff pages only: the public page reads
``restoration.field.public_photos``, the thumbnails of photos marked public and nothing else."""
from __future__ import annotations

import base64

import pandas as pd
import streamlit as st

from dashboards import data
from dashboards.access_panels import may
from dashboards.i18n import t, text
from dashboards.ui import flash, form_key, md, shown_errors, submitted_once
from restoration.field import set_public

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
    thumbs = data.field_thumbnails(case_id)
    shown = t("field.thumbnail", lang)
    st.dataframe(pd.DataFrame({
        shown: frame["photo_id"].map(lambda i: _data_uri(thumbs.get(int(i)))),
        t("field.photo_id", lang): frame["photo_id"].astype(int).astype(str),
        t("field.photo", lang): frame["name"].map(text),
        t("field.site", lang): frame["site_id"].map(text),
        t("field.taken_at", lang): frame["taken_at"].map(lambda v: text(v).replace("T", " ")),
        t("field.position", lang): [_where(a, b) for a, b in zip(frame["lon"], frame["lat"])],
        t("field.inside", lang): frame["inside_site"].map(
            lambda v: "—" if v is None or v != v else t("field.yes" if v else "field.no", lang)),
        t("field.taken_by", lang): frame["taken_by"].map(text),
        t("field.sha256", lang): frame["sha256"],
        t("field.warnings", lang): frame["warnings"].map(lambda w: "；".join(w) if w else "—"),
        t("field.public", lang): frame["public"].map(lambda v: t("field.yes" if _yes(v) else "field.no", lang)),
    }), hide_index=True, use_container_width=True, row_height=84,
        column_config={shown: st.column_config.ImageColumn(shown, width="small")})
    publication(case_id, frame, lang)


def _yes(value) -> bool:
    return bool(value) and value == value


def _data_uri(jpeg: bytes | None) -> str | None:
    return None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def publication(case_id: str, frame: pd.DataFrame, lang: str) -> None:
    """Mark one field photo public, or withdraw it, with a reason (``field photo publish``)."""
    if not may("case.disclose", case_id=case_id):
        return
    with st.expander(t("field.publish_title", lang)):
        st.caption(md(t("field.publish_help", lang)))
        names = dict(zip(frame["photo_id"].astype(int), frame["name"].map(text)))
        public = dict(zip(frame["photo_id"].astype(int), frame["public"].map(_yes)))
        form = f"field_publish_{case_id}"
        with st.form(form_key(form)):
            chosen = st.selectbox(t("field.publish_photo", lang), list(names),
                                  format_func=lambda i: f"{i} · {names[i]} · "
                                  f"{t('field.public' if public[i] else 'field.no', lang)}")
            reason = st.text_input(t("field.publish_reason", lang), max_chars=500)
            left, right = st.columns(2)
            publish = left.form_submit_button(t("field.publish", lang), icon=":material/public:")
            withdraw = right.form_submit_button(t("field.unpublish", lang), icon=":material/public_off:")
        if (publish or withdraw) and submitted_once(form):
            with shown_errors():
                set_public(data.store(), chosen, bool(publish), reason, data.actor())
                flash(t("field.published" if publish else "field.unpublished", lang, id=chosen))
                st.rerun()


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
