"""The case page's effect evaluation with the standard's structure: the result class (达到 /
部分达到 / 未达到), the plan's units and points, every evaluation in order, the supplementary
restoration path, the public-satisfaction survey, the stored control comparisons, long-term
monitoring advice and the report (PDF and Word) — read from
``restoration.reports.effect_structure``."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from restoration.document import to_docx, to_pdf
from restoration.monitoring.evaluation_plan import MEDIA, OBJECTIVES, RESULTS
from restoration.monitoring.indicators import indicator_label
from restoration.reports.effect_report import evaluation_document
from restoration.reports.effect_structure import evaluation_structure
from restoration.vocab import EVENT_LABELS

from . import data
from .i18n import number, t, text

_COLOUR = {"pass": "green", "partly": "orange", "fail": "red", "incomplete": "gray"}


def _pair(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _table(frame: pd.DataFrame) -> None:
    """A small table as HTML text (read by screen readers and copied as text; no index column)."""
    st.table(frame.style.hide(axis="index"))


def structure(case_id: str, lang: str) -> None:
    """The evaluation structure of ``case_id`` (see the module docstring)."""
    s = evaluation_structure(data.store(), case_id)
    st.subheader(t("eval.structure", lang))
    st.markdown(f"{t('eval.result', lang)}: :{_COLOUR[s.result]}-background[{_pair(RESULTS[s.result], lang)}]")
    if s.plan is None:
        st.caption(t("eval.no_plan", lang))
    else:
        p = s.plan
        st.markdown(f"**{t('eval.plan', lang)}** · " + t("eval.plan_period", lang, recorded=text(p.recorded_on),
                                                           start=text(p.start), end=text(p.end),
                                                           frequency=p.frequency or "—"))
        _table(pd.DataFrame({
            t("eval.unit", lang): [f"{u.unit} {u.name}".strip() for u in p.units],
            t("eval.site", lang): [u.site_id for u in p.units],
            t("eval.medium", lang): [_pair(MEDIA[u.medium], lang) for u in p.units],
            t("eval.objective", lang): [_pair(OBJECTIVES[u.objective], lang) for u in p.units],
            t("eval.area", lang): [number(u.area_m2, 0) for u in p.units],
            t("eval.points", lang): [str(u.points) for u in p.units],
            t("eval.rule", lang): [u.rule[1] if lang == "zh" else u.rule[2] for u in p.units],
        }))
    if s.evaluations:
        st.markdown(f"**{t('eval.history', lang)}**")
        _table(pd.DataFrame({
            t("eval.as_of", lang): [e["as_of"] for e in s.evaluations],
            t("eval.evaluation", lang): [e["evaluation_id"] for e in s.evaluations],
            t("eval.result", lang): [_pair(RESULTS[e["result"]], lang) for e in s.evaluations],
            t("eval.passed", lang): [f"{e['n_passed']}/{e['n_indicators']}" for e in s.evaluations],
        }))
    if s.path:
        st.markdown(f"**{t('eval.path', lang)}**")
        _table(pd.DataFrame({
            t("eval.date", lang): [p["date"] for p in s.path],
            t("eval.step", lang): [_pair(EVENT_LABELS.get(p["event_type"], (p["event_type"],) * 2), lang)
                                   for p in s.path],
            t("eval.note", lang): [(p["note"] or "—") if not p.get("override") else
                                   t("eval.override", lang, **p["override"]) for p in s.path],
        }))
    v = s.satisfaction
    st.markdown(t("eval.satisfaction", lang, satisfied=v["satisfied"], respondents=v["respondents"],
                  rate=f"{v['rate']:.1%}", method=v["method"], date=v["date"]) if v else t("eval.no_satisfaction", lang))
    if s.controls:
        st.markdown(f"**{t('eval.controls', lang)}**")
        _table(pd.DataFrame({
            t("eval.site", lang): [c["site_id"] for c in s.controls],
            t("mon.indicator", lang): [indicator_label(c["indicator"], lang) for c in s.controls],
            t("eval.result", lang): [c["verdict_zh"] if lang == "zh" else c["verdict_en"] for c in s.controls],
        }))
    st.markdown(f"**{t('eval.advice', lang)}**")
    for zh, en in s.advice:
        st.markdown(f"- {zh if lang == 'zh' else en}")
    doc = evaluation_document(s, "zh" if lang == "zh" else "en")
    left, right = st.columns(2)
    left.download_button(t("eval.report_pdf", lang), to_pdf(doc), file_name=f"{case_id}-效果评估报告.pdf",
                         mime="application/pdf", key=f"eval_pdf_{case_id}")
    right.download_button(t("eval.report_docx", lang), to_docx(doc), file_name=f"{case_id}-效果评估报告.docx",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          key=f"eval_docx_{case_id}")
    st.caption(t("eval.unchecked", lang))
