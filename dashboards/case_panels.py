"""The Case page's panels, one function each (kept out of the page script so it stays short).

All data comes through ``restoration`` (cases, bank, monitoring, equivalence); writes go through
the same API with the case's version, so a concurrent edit shows as a conflict.
"""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

import equivalence
from restoration import config
from restoration.cases import EVENT_TYPES, add_event
from restoration.cases.events import event_label
from restoration.model import RestorationMode

from . import data
from .i18n import money, t, vocab


def _today() -> date:
    return config.today()


def record(case_id: str) -> dict:
    return data.cached("restoration.cases.case_record", case_id, today=_today())


def timeline(case_id: str, lang: str) -> None:
    rec = record(case_id)
    dl = pd.DataFrame(rec["deadlines"])
    st.subheader(t("case.deadlines", lang))
    if dl.empty:
        st.caption("—")
    else:
        overdue = dl[dl["overdue"]]
        if len(overdue):
            st.error(t("case.overdue_n", lang, n=len(overdue)) + "：" +
                     "；".join(f"{r[lang if lang == 'en' else 'zh']}（{r['due_date']}）" for _, r in overdue.iterrows()))
        st.dataframe(pd.DataFrame({
            t("case.deadline", lang): dl["en" if lang == "en" else "zh"],
            t("case.due", lang): dl["due_date"].fillna("—"),
            t("case.days_left", lang): dl["days_left"].astype("Int64"),
            t("case.overdue", lang): dl["overdue"].map({True: "⚠️", False: ""}),
            t("case.status", lang): dl["status_zh"] if lang == "zh" else dl["status"].str.replace("_", " "),
            t("case.rule", lang): dl["source"],
            t("case.provisional", lang): dl["provisional_reason"].fillna(""),
        }), hide_index=True, width="stretch")
    st.subheader(t("case.events", lang))
    ev = pd.DataFrame(rec["events"])
    if not ev.empty:
        st.dataframe(pd.DataFrame({
            t("case.event_date", lang): ev["event_date"],
            t("case.event_type", lang): ev["event_type"].map(lambda c: event_label(c, lang)),
            t("case.actor", lang): ev["actor"],
            t("case.details", lang): ev["details"].map(_details_text),
        }), hide_index=True, width="stretch")
    cons = rec["consultation"]
    if cons.get("meeting_count"):
        limit = cons["meeting_limit"]
        st.caption(t("case.meetings", lang, n=cons["meeting_count"], limit=limit.get("display", "—")))
    if rec["problems"]:
        st.warning("\n".join(f"- {p}" for p in rec["problems"]))


def _details_text(d) -> str:
    if not d:
        return ""
    parts = [str(d[k]) for k in ("note", "findings", "reason", "circumstance") if d.get(k)]
    if d.get("inspector"):
        parts.insert(0, f"{d['inspector']}")
    if d.get("photos"):
        parts.append(f"📷 {len(d['photos'])}")
    return " · ".join(parts)


def ndvi_overlay(case_sites):
    """The latest NDVI composite around the case's sites as an RGBA overlay (or None)."""
    from . import maps
    latest = data.cached("restoration.monitoring.overlay.raster_window",
                         tuple(float(v) for v in case_sites.total_bounds), "ndvi")
    if latest is None:
        return None
    return {"image": maps.ndvi_rgba(latest["values"]), "bounds": latest["bounds"],
            "name": f"NDVI {latest['time']}"}


def monitoring(case_id: str, case_sites, lang: str) -> None:
    from . import monitoring_panels
    monitoring_panels.case_progress(case_id, lang)


def equivalence_panel(case_id: str, lang: str) -> None:
    sc = data.cached("restoration.bank.case_scenario", case_id)
    scenario, source = sc["scenario"], sc["source"]
    st.caption(t("case.scenario_source", lang, source=source))
    try:
        result = equivalence.run_scenario(scenario)
    except equivalence.ScenarioError as exc:
        st.error(f"{t('eq.invalid', lang)}: {exc}")
        return
    c = st.columns(3)
    if result.debit is not None:
        c[0].metric(t("eq.debit", lang), f"{result.debit:,.2f} {result.units.get('debit', '')}")
    if result.debit_value is not None:
        c[0].metric(t("eq.debit_value", lang), money(result.debit_value, lang))
    c[1].metric(t("eq.required_scale", lang), f"{result.required_scale:,.3f} {result.scale_unit}")
    if result.required_area_ha is not None:
        c[2].metric(t("eq.required_area", lang), f"{result.required_area_ha:,.2f} ha")
    from equivalence import plotting
    st.pyplot(plotting.plot_service_curves(result, lang=lang), clear_figure=True)
    if st.button(t("case.open_calculator", lang), key=f"open_calc_{case_id}"):
        st.session_state["eq_loaded"] = scenario
        st.session_state["eq_case"] = case_id
        st.switch_page("views/equivalence.py")


def bank(case_id: str, lang: str) -> None:
    ob = data.cached("restoration.bank.case_obligation", case_id)
    c = st.columns(3)
    c[0].metric(t("bank.covered", lang), f"{ob['covered_fraction'] * 100:,.0f}%")
    c[1].metric(t("case.committed", lang), f"{ob['committed_fraction'] * 100:,.0f}%")
    c[2].metric(t("case.escrow_waiting", lang), money(ob["escrow_awaiting_match_yuan"], lang))
    st.caption(ob["status_label"])
    if ob["allocations"]:
        st.dataframe(pd.DataFrame(ob["allocations"]), hide_index=True, width="stretch")
    rec = record(case_id)
    if rec["modes"]:
        st.subheader(t("field.restoration_modes", lang))
        st.dataframe(pd.DataFrame({
            t("case.mode", lang): [vocab(RestorationMode, m["mode"], lang) for m in rec["modes"]],
            t("case.mode_value", lang): [money(m.get("value_yuan"), lang) for m in rec["modes"]],
            t("case.details", lang): [json.dumps(m.get("details") or {}, ensure_ascii=False) for m in rec["modes"]],
        }), hide_index=True, width="stretch")


def funds(case_id: str, lang: str) -> None:
    led = record(case_id)["ledger"]
    c = st.columns(5)
    c[0].metric(t("kpi.funds_due", lang), money(led["due_yuan"] or led["scheduled_yuan"], lang))
    c[1].metric(t("kpi.funds_received", lang), money(led["received_yuan"], lang))
    c[2].metric(t("kpi.funds_disbursed", lang), money(led["disbursed_yuan"], lang))
    c[3].metric(t("case.balance", lang), money(led["balance_yuan"], lang))
    c[4].metric(t("case.arrears", lang), money(led["arrears_yuan"], lang))
    if led["instalments"]:
        inst = pd.DataFrame(led["instalments"])
        st.dataframe(inst.drop(columns=[c for c in ("status",) if c in inst and lang == "zh"]),
                     hide_index=True, width="stretch")


def forms(case_id: str, version: int, lang: str) -> None:
    """The inspection form and the event form; both write through ``restoration.cases.add_event``
    with the version the page was built from (optimistic lock)."""
    from .ui import shown_errors
    actor = data.actor()  # the signed-in user: restoration checks role and region
    st.subheader(t("form.inspection", lang))
    with st.form(f"inspection_{case_id}", clear_on_submit=True):
        when = st.date_input(t("form.inspection_date", lang), value=_today(), max_value=_today())
        inspector = st.text_input(t("form.inspector", lang))
        findings = st.text_area(t("form.findings", lang))
        photos = st.file_uploader(t("form.photos", lang), type=["jpg", "jpeg", "png"], accept_multiple_files=True)
        submitted = st.form_submit_button(t("form.save", lang))
    if submitted:
        problems = [t("form.inspector_required", lang)] if not inspector.strip() else []
        problems += [t("form.findings_required", lang)] if not findings.strip() else []
        if problems:
            st.error("\n".join(problems))
        else:
            files = [(p.name, p.type or "application/octet-stream", p.getvalue()) for p in photos or []]
            with shown_errors():
                saved = add_event(data.store(), case_id, {
                    "event_type": "inspection", "event_date": when.isoformat(),
                    "details": {"inspector": inspector.strip(), "findings": findings.strip(),
                                "photos": [f[0] for f in files]}},
                    actor, expected_version=version, today=_today(), attachments=files)
                st.session_state[f"loaded_version_{case_id}"] = int(saved["version"])
                st.success(t("form.saved", lang))

    st.subheader(t("form.event", lang))
    codes = list(EVENT_TYPES)
    with st.form(f"event_{case_id}", clear_on_submit=True):
        etype = st.selectbox(t("form.event_type", lang), codes, format_func=lambda c, lang=lang: event_label(c, lang))
        when = st.date_input(t("form.event_date", lang), value=_today(), key=f"ev_date_{case_id}")
        note = st.text_input(t("form.note", lang))
        extra = st.text_area(t("form.details_json", lang), value="{}")
        submitted = st.form_submit_button(t("form.save", lang))
    if submitted:
        try:
            details = json.loads(extra or "{}")
            if not isinstance(details, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            st.error(f"{t('form.details_bad', lang)}: {exc}")
            return
        if note.strip():
            details["note"] = note.strip()
        with shown_errors():
            saved = add_event(data.store(), case_id, {"event_type": etype, "event_date": when.isoformat(),
                                                      "details": details},
                              actor, expected_version=version, today=_today())
            st.session_state[f"loaded_version_{case_id}"] = int(saved["version"])
            st.success(t("form.saved", lang))
