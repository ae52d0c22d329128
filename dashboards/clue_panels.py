"""The Overview page's clues from imagery (遥感疑似线索): each candidate clue of the screening
register — a disturbed patch inside a protected area, a restoration site or a bank project —
with its evidence (before/after image chips, years, area in ha and 亩, index drop, where it lies)
and the two decisions a person takes: accept it as a case, or dismiss it with a reason.

Values from the store are shown in tables or escaped (``md``), so a protected area's name cannot
change the page.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from restoration.cases.clues import accept_candidate, dismiss_candidate
from restoration.model import CaseClass
from restoration.monitoring.patches import MU_PER_HA
from restoration.vocab import label

from . import data
from .i18n import t
from .ui import flash, form_key, md, show_flash, shown_errors, submitted_once

#: candidates shown at once (the newest); the rest are counted
MAX_SHOWN = 20
#: both chips shown at one width [px], so before and after compare
CHIP_WIDTH = 240


def _where(inside, lang: str) -> str:
    return ("、" if lang == "zh" else "; ").join(
        t("clues.where_item", lang, layer=t("clues.layer." + h["layer"], lang), name=h["name"], id=h["id"])
        for h in inside or []) or "—"


def candidate_clues(lang: str) -> None:
    """The candidate clues to be checked, each with its chips and the accept / dismiss forms; the
    decided ones in a table below."""
    st.subheader(t("clues.title", lang))
    show_flash()
    frame = data.clue_candidates()
    if frame is None or frame.empty:
        st.info(f"{t('clues.empty', lang)}\n\n{t('clues.empty_how', lang)}", icon=":material/info:")
        return
    open_ = frame[frame["status"] == "candidate"]
    st.caption(t("clues.count", lang, open=len(open_), total=len(frame)))
    who = data.actor()
    for row in open_.head(MAX_SHOWN).to_dict("records"):
        _candidate(row, who, lang)
    if len(open_) > MAX_SHOWN:
        st.caption(t("clues.more", lang, n=len(open_) - MAX_SHOWN))
    decided = frame[frame["status"] != "candidate"]
    if len(decided):
        st.caption(t("clues.decided", lang))
        st.dataframe(pd.DataFrame({
            t("clues.id", lang): decided["candidate_id"],
            t("case.status", lang): decided["status"].map(lambda s: label("candidate_status", s, lang)),
            t("clues.case", lang): decided["case_id"].fillna("—"),
            t("clues.reason", lang): decided["dismiss_reason"].fillna("—"),
            t("clues.decided_by", lang): decided["decided_by"].fillna("—")}), hide_index=True, width="stretch")


def _candidate(row: dict, who, lang: str) -> None:
    cid = row["candidate_id"]
    ev = row.get("evidence") or {}
    with st.container(border=True):
        st.markdown(f"**{md(cid)}** · {t('clues.year', lang, year=int(row['break_year']))} · "
                    + t("clues.area", lang, ha=f"{row['area_ha']:.2f}", mu=f"{row['area_ha'] * MU_PER_HA:.1f}"))
        st.caption(t("clues.facts", lang, drop=f"{row['index_drop']:.3f}" if row.get("index_drop") is not None else "—",
                     unc=f"{row['uncertainty_years']:g}" if row.get("uncertainty_years") is not None else "—",
                     where=md(_where(row.get("inside"), lang)), county=md(row.get("county") or "—")))
        if row.get("chip_before") is not None and row.get("chip_after") is not None:
            c = st.columns(2)
            c[0].image(bytes(row["chip_before"]), caption=t("clues.before", lang, year=ev.get("before_year")),
                       width=CHIP_WIDTH)
            c[1].image(bytes(row["chip_after"]), caption=t("clues.after", lang, year=ev.get("after_year")),
                       width=CHIP_WIDTH)
        else:
            st.caption(t("clues.no_chips", lang))
        if who is None or not who.can("case.event"):
            return
        a, d = st.columns(2)
        if who.can("data.import"):
            with a.expander(t("clues.accept", lang)):
                _accept_form(row, who, lang)
        with d.expander(t("clues.dismiss", lang)):
            _dismiss_form(row, who, lang)


def _accept_form(row: dict, who, lang: str) -> None:
    cid = row["candidate_id"]
    form = f"clue_accept_{cid}"
    classes = [c.value for c in CaseClass]
    with st.form(form_key(form), clear_on_submit=False):
        case_id = st.text_input(t("clues.case_id", lang), max_chars=60, key=f"{form}_id")
        title = st.text_input(t("clues.case_title", lang), max_chars=200, key=f"{form}_title")
        region = st.text_input(t("proc.region", lang), value=row.get("county") or "", max_chars=60,
                               key=f"{form}_region")
        case_class = st.selectbox(t("clues.case_class", lang), classes, index=classes.index("ordinary"),
                                  format_func=lambda c: label("case_class", c, lang), key=f"{form}_class")
        agency = st.text_input(t("clues.agency", lang), max_chars=200, key=f"{form}_agency")
        sent = st.form_submit_button(t("clues.accept_button", lang))
    if not sent:
        return
    if not (case_id.strip() and title.strip() and agency.strip() and region.strip()):
        st.error(t("clues.accept_missing", lang))
        return
    request = submitted_once(form)
    if request is None:
        return
    with shown_errors():
        done = accept_candidate(data.store(), cid, {
            "case_id": case_id.strip(), "title": title.strip(), "region": region.strip(), "case_class": case_class,
            "claimant_agency": agency.strip()}, who, request_id=request)
        flash(t("clues.accepted", lang, id=cid, case=done["case_id"]))
        st.rerun()


def _dismiss_form(row: dict, who, lang: str) -> None:
    cid = row["candidate_id"]
    form = f"clue_dismiss_{cid}"
    with st.form(form_key(form), clear_on_submit=False):
        reason = st.text_area(t("clues.reason", lang), max_chars=2000, key=f"{form}_reason")
        sent = st.form_submit_button(t("clues.dismiss_button", lang))
    if not sent:
        return
    if not reason.strip():  # checked before the submission is used: the form stays as it is
        st.error(t("clues.reason_missing", lang))
        return
    request = submitted_once(form)
    if request is None:
        return
    with shown_errors():
        dismiss_candidate(data.store(), cid, reason, who, request_id=request)
        flash(t("clues.dismissed", lang, id=cid))
        st.rerun()
