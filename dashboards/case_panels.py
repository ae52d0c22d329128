"""The Case page's panels, one function each (kept out of the page script so it stays short).

All data comes through ``dashboards.data`` (typed reads of ``restoration``'s API); writes go
through the same API with the case's version, so a concurrent edit shows as a conflict. Every
table shows labelled, formatted columns — never codes, JSON, ``None`` or ``nan``.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import equivalence
from restoration import config
from restoration.cases import add_event
from restoration.access import APPRAISAL_EVENTS
from restoration.cases.attachments import MAX_ATTACHMENT_MB
from restoration.cases.events import event_label
from restoration.errors import InputError
from restoration.model import AllocationState, ModeStatus, RestorationMode, Stage
from restoration.vocab import label as vocab_label

from . import data, state
from .access_panels import gate, may
from .ui import flash, form_key, md, rows_height, shown_errors, submitted_once
from .i18n import message, money, number, scenario_message, t, text, unit_word, vocab

#: event details a form can set, by event type: (key, kind, profile list or None)
EVENT_FIELDS: dict[str, list[tuple[str, str, str | None]]] = {
    "not_started": [("reason", "choice", "not_started_reasons")],
    "terminated": [("reason", "choice", "termination_reasons")],
    "consultation_failed": [("circumstance", "choice", "consultation.failure_circumstances")],
    "effect_evaluation_exempted": [("reason", "choice", "effect_evaluation_exemptions")],
    "agreement_signed": [("clauses", "choices", "agreement_clauses"), ("amount_yuan", "yuan", None)],
    "meeting_held": [("extension_approved", "bool", None), ("complex_case", "bool", None)],
    "effect_evaluation": [("result", "verdict", None)],
    "supplementary_restoration": [("plan", "text", None)],
    "monitoring_note": [("indicator", "text", None)],
    "document_filed": [("document", "text", None)],
}
#: events whose form takes files (images or PDF, checked by content)
FILE_EVENTS = ("document_filed", "monitoring_note", "supplementary_restoration")
#: mode detail keys shown on the bank tab, in this order (others are internal)
MODE_DETAILS = ("plan", "work", "project", "person_days", "daily_rate_yuan", "gross_yuan", "credited_yuan",
                "cap_yuan", "cost_yuan", "offset_yuan", "raw_offset_yuan", "remaining_yuan")


def _today() -> date:
    return config.today()


def record(case_id: str) -> dict:
    return data.case_record(case_id)


def timeline(case_id: str, lang: str) -> None:
    rec = record(case_id)
    dl = pd.DataFrame(rec["deadlines"])
    took = rec.get("taken_over")
    if took:  # a case that arrived mid-procedure: what it was taken over at, and what that means
        st.info(t("case.taken_over", lang, date=took["event_date"],
                  stage=vocab(Stage, took["details"].get("stage"), lang)), icon=":material/move_down:")
    st.subheader(t("case.deadlines", lang))
    if dl.empty:
        st.info(t("empty.no_deadlines_case", lang), icon=":material/info:")
    else:
        overdue = dl[dl["overdue"].astype(bool)]
        if len(overdue):
            st.error(t("case.overdue_n", lang, n=len(overdue)) + t("punct.colon", lang) +
                     "；".join(f"{r[lang if lang == 'en' else 'zh']}（{r['due_date']}）" for _, r in overdue.iterrows())
                     + (("；" if lang == "zh" else "; ") + t("case.overdue_advisory", lang, n=n_adv)
                        if (n_adv := int(overdue["advisory"].notna().sum())) else ""),
                     icon=":material/warning:")
        unknown = dl[dl["status"] == "not_computable"]
        if len(unknown):
            st.warning(t("case.not_computable_n", lang, n=len(unknown)) + t("punct.colon", lang) +
                       "；".join(f"{r[lang if lang == 'en' else 'zh']}（{message(r['missing'], lang)}）"
                                 for _, r in unknown.iterrows()), icon=":material/help:")
        days = pd.to_numeric(dl["days_left"], errors="coerce")
        st.dataframe(pd.DataFrame({
            t("case.deadline", lang): dl["en" if lang == "en" else "zh"],
            t("case.due", lang): dl["due_date"].map(text),
            t("case.days_left", lang): days.map(lambda d: "—" if d != d else f"{d:,.0f}"),
            t("case.status", lang): dl["status"].map(lambda s: vocab_label("deadline_status", s, lang)),
            t("case.rule", lang): dl["source"].map(lambda m: message(m, lang)),
            t("case.advisory", lang): [r[f"advisory_{lang if lang == 'en' else 'zh'}"] if isinstance(r.get("advisory"), str)
                                       else t("case.binding", lang) for r in rec["deadlines"]],
            t("case.missing", lang): dl["missing"].map(lambda m: "" if m is None else message(m, lang)),
            # the holiday calendar's reason as a sentence in the interface language
            t("case.provisional", lang): [t("case.provisional_reason", lang, year=str(d)[:4]) if p is True else ""
                                          for p, d in zip(dl["provisional"], dl["nominal_due"])],
        }), hide_index=True, width="stretch", height=rows_height(len(dl)))
    st.subheader(t("case.events", lang))
    ev = pd.DataFrame(rec["events"])
    if ev.empty:
        st.info(t("empty.no_events", lang), icon=":material/info:")
    else:
        st.dataframe(pd.DataFrame({
            t("case.event_date", lang): ev["event_date"],
            t("case.event_type", lang): ev["event_type"].map(lambda c: event_label(c, lang)),
            t("case.actor", lang): ev["actor"].map(text),
            t("case.details", lang): ev["details"].map(lambda d: details_text(d, lang)),
        }), hide_index=True, width="stretch", height=rows_height(len(ev)))
    cons = rec["consultation"]
    if cons.get("meeting_count"):
        limit = cons["meeting_limit"]
        st.caption(t("case.meetings", lang, n=cons["meeting_count"], limit=limit.get("display", "—")))
    if rec["problems"]:
        st.warning(t("case.problems", lang) + "\n\n" + "\n".join(f"- {md(message(p, lang))}" for p in rec["problems"]))


def details_text(d, lang: str) -> str:
    """An event's details as readable text (labelled fields, never JSON)."""
    if not d:
        return ""
    parts = []
    if d.get("stage") in Stage._value2member_map_:  # a takeover or a correction
        parts.append(f"{t('detail.stage', lang)}{t('punct.colon', lang)}{vocab(Stage, d['stage'], lang)}")
    over = d.get("evaluation_override")
    if isinstance(over, dict):  # accepted against the evaluation: shown as such
        parts.append(t("detail.override_shown", lang, reason=text(over.get("reason")),
                       document=text(over.get("document"))))
    for key in ("inspector", "findings", "note", "reason", "document", "plan", "indicator", "circumstance"):
        if d.get(key):
            parts.append(f"{t('detail.' + key, lang)}{t('punct.colon', lang)}{d[key]}")
    verdict = {"met": "pass", "not_met": "fail"}.get(str(d.get("result")), str(d.get("result")))
    if verdict in ("pass", "fail", "incomplete"):  # a report's result as its label, never the code
        parts.append(f"{t('detail.result', lang)}{t('punct.colon', lang)}{t('mon.verdict_' + verdict, lang)}")
    if d.get("amount_yuan") not in (None, ""):
        parts.append(f"{t('detail.amount_yuan', lang)}{t('punct.colon', lang)}{money(float(d['amount_yuan']), lang)}")
    if d.get("clauses"):
        parts.append(f"{t('detail.clauses', lang)}{t('punct.colon', lang)}{len(d['clauses'])}")
    if d.get("extension_approved"):
        parts.append(t("detail.extension_approved", lang))
    if d.get("photos"):
        parts.append(t("detail.photos", lang, n=len(d["photos"])))
    if d.get("deadlines"):
        parts.append(t("detail.deadlines", lang, n=len(d["deadlines"])))
    return " · ".join(parts)


def ndvi_overlay(case_sites):
    """The latest NDVI composite around the case's sites as an RGBA overlay (or None)."""
    from . import maps
    latest = data.raster_window(tuple(float(v) for v in case_sites.total_bounds), "ndvi")
    if latest is None:
        return None
    return {"image": maps.ndvi_rgba(latest["values"]), "bounds": latest["bounds"],
            "name": f"NDVI {latest['time']}"}


def monitoring(case_id: str, case_sites, lang: str) -> None:
    """Progress against plan, the form for the sites' targets, the effect evaluation."""
    from . import breaks_panels, evaluation_panels, monitoring_panels, target_panels
    monitoring_panels.case_progress(case_id, lang)
    breaks_panels.controls_beside_targets(case_id, lang)  # the verdict against controls beside the targets
    target_panels.target_form(case_id, case_sites, lang)
    monitoring_panels.evaluation(case_id, lang)
    evaluation_panels.structure(case_id, lang)


def scenario_source(source: str | None, lang: str) -> str:
    """Where a case's scenario came from, in words."""
    if not source:
        return "—"
    if source == "derived":
        return t("scenario.derived", lang)
    if source == "sample appraisal":
        return t("scenario.sample", lang)
    if source.startswith("calculator (") and source.endswith(")"):
        return t("scenario.calculator", lang, name=source[len("calculator ("):-1])
    return source


def scenario_error(exc: Exception, lang: str) -> str:
    """A scenario problem in the interface language (the key path stays as the engine gave it)."""
    return f"{t('eq.invalid', lang)}{t('punct.colon', lang)}{md(scenario_message(exc, lang))}"


def equivalence_panel(case_id: str, lang: str) -> None:
    sc = data.case_scenario(case_id)
    scenario, source = sc["scenario"], sc["source"]
    st.caption(t("case.scenario_source", lang, source=md(scenario_source(source, lang))))
    try:
        result = equivalence.run_scenario(scenario)
    except equivalence.ScenarioError as exc:
        st.error(scenario_error(exc, lang))
        return
    from .equivalence_panels import debit_text, scale_text
    c = st.columns(3)
    if result.debit is not None:
        c[0].metric(t("eq.debit", lang), debit_text(result, lang))
    if result.debit_value is not None:
        c[0].metric(t("eq.debit_value", lang), money(result.debit_value, lang))
    c[1].metric(t("eq.required_scale", lang), scale_text(result, lang))
    if result.required_area_ha is not None:
        c[2].metric(t("eq.required_area", lang), number(result.required_area_ha, 2, t("unit.ha", lang)))
    from equivalence import plotting
    st.pyplot(plotting.plot_service_curves(result, lang=lang), clear_figure=True)
    if st.button(t("case.open_calculator", lang), key=f"open_calc_{case_id}", icon=":material/calculate:"):
        st.session_state[state.EQ_LOADED] = scenario
        st.session_state[state.EQ_CASE] = case_id
        st.switch_page("views/equivalence.py")


def allocations_view(allocs: list[dict] | pd.DataFrame, lang: str) -> pd.DataFrame:
    """A case's bank allocations with labelled columns."""
    a = pd.DataFrame(allocs)
    if a.empty:
        return a
    return pd.DataFrame({
        t("bank.allocation", lang): a["allocation_id"],
        t("bank.project", lang): a["project_id"] + (" " + a["name"].map(text) if "name" in a else ""),
        t("bank.amount_held", lang): [number(v, 2, unit_word(u, lang)) for v, u in zip(a["amount"], a["unit"])],
        t("bank.alloc_state", lang): a["state"].map(lambda s: vocab(AllocationState, s, lang)),
        t("bank.cost", lang): a["cost_yuan"].map(lambda v: money(v, lang)),
        t("bank.share", lang): a["fraction"].map(lambda f: number(f * 100 if f == f else f, 0, "%")),
        t("bank.escrow", lang): a["escrow_id"].map(lambda v: text(v) if v else "—"),
        # capacity at a project that may not restore this damage covers nothing: say why
        **({t("bank.not_counted", lang): ["—" if c else text(w) for c, w in
                                          zip(a["counted"], a[f"not_counted_{lang}"])]}
           if "counted" in a and not a["counted"].astype(bool).all() else {}),
    })


def bank(case_id: str, lang: str) -> None:
    ob = data.case_obligation(case_id)
    c = st.columns(3)
    c[0].metric(t("bank.covered", lang), f"{ob['covered_fraction'] * 100:,.0f}%")
    c[1].metric(t("case.committed", lang), f"{ob['committed_fraction'] * 100:,.0f}%")
    c[2].metric(t("case.escrow_waiting", lang), money(ob["escrow_awaiting_match_yuan"], lang))
    st.caption(t(f"obligation.{ob['status']}", lang))
    if ob["allocations"]:
        st.dataframe(allocations_view(ob["allocations"], lang), hide_index=True, width="stretch")
    rec = record(case_id)
    st.subheader(t("field.restoration_modes", lang))
    if not rec["modes"]:
        st.info(t("empty.no_modes", lang), icon=":material/info:")
        return
    st.dataframe(pd.DataFrame({
        t("case.mode", lang): [vocab(RestorationMode, m["mode"], lang) for m in rec["modes"]],
        t("case.mode_status", lang): [vocab(ModeStatus, m.get("status"), lang) for m in rec["modes"]],
        t("case.mode_value", lang): [money(m.get("value_yuan"), lang) for m in rec["modes"]],
        t("case.details", lang): [mode_details(m.get("details") or {}, lang) for m in rec["modes"]],
    }), hide_index=True, width="stretch")


def mode_details(d: dict, lang: str) -> str:
    parts = []
    for key in MODE_DETAILS:
        v = d.get(key)
        if v is None or v == "":
            continue
        if key.endswith("_yuan"):
            v = money(float(v), lang)
        elif isinstance(v, float):
            v = f"{v:,.1f}"
        parts.append(f"{t('mode.' + key, lang)}{t('punct.colon', lang)}{v}")
    if d.get("capped"):
        parts.append(t("mode.capped", lang))
    return "；".join(parts)


def funds(case_id: str, lang: str) -> None:
    led = record(case_id)["ledger"]
    c = st.columns(5)
    c[0].metric(t("kpi.funds_due", lang), money(led["due_yuan"] or led["scheduled_yuan"], lang))
    c[1].metric(t("kpi.funds_received", lang), money(led["received_yuan"], lang))
    c[2].metric(t("kpi.funds_disbursed", lang), money(led["disbursed_yuan"], lang))
    c[3].metric(t("case.balance", lang), money(led["balance_yuan"], lang))
    c[4].metric(t("case.arrears", lang), money(led["arrears_yuan"], lang))
    if not led["instalments"]:
        st.info(t("empty.no_funds", lang), icon=":material/info:")
        return
    inst = pd.DataFrame(led["instalments"])
    st.dataframe(pd.DataFrame({
        t("funds.no", lang): inst["instalment_no"],
        t("case.due", lang): inst["due_date"].map(text),
        t("funds.amount", lang): inst["amount_yuan"].map(lambda v: money(v, lang)),
        t("funds.paid", lang): inst["paid_yuan"].map(lambda v: money(v, lang)),
        t("funds.unpaid", lang): inst["unpaid_yuan"].map(lambda v: money(v, lang)),
        t("funds.paid_on", lang): inst["paid_on"].map(text),
        t("case.status", lang): inst["status"].map(lambda s: vocab_label("instalment_status", s, lang)),
    }), hide_index=True, width="stretch")


def _profile_list(case_id: str, path: str):
    from restoration.cases.records import profile_for
    case = data.cases().set_index("case_id").loc[case_id].to_dict()
    case["case_id"] = case_id
    try:
        return profile_for(case).list(path).items
    except Exception:  # an unknown profile or list: the form offers no choice, the write will say why
        return ()


def forms(case_id: str, version: int, lang: str) -> None:
    """The inspection form and the event form; both write through ``restoration.cases.add_event``
    with the version the page was built from (optimistic lock). Each form confirms the write,
    and its key changes after the write so a double submit writes once."""
    # forms only for whom restoration would let write (the others see why); the write checks again
    try:
        valid = data.next_events(case_id)  # only what the case's history allows next, none preselected
    except InputError as exc:  # e.g. an unusable rule profile: no step can be checked, so none is offered
        with shown_errors():
            raise exc
        return
    if may("case.event", case_id=case_id):
        inspection_form(case_id, version, lang)
        codes = [c for c in valid if c != "inspection"]  # the inspection has its own form above
    elif may("case.appraisal", case_id=case_id):  # an appraiser on a case assigned to them
        codes = [c for c in valid if c in APPRAISAL_EVENTS]
    else:
        st.subheader(t("form.event", lang))
        who = data.actor()
        appraiser = who is not None and who.can("case.appraisal") and not who.can("case.event")
        gate("case.appraisal" if appraiser else "case.event", lang, case_id=case_id)  # says why not
        return
    event_form(case_id, version, lang, codes)


def inspection_form(case_id: str, version: int, lang: str) -> None:
    actor = data.actor()  # the signed-in user: restoration checks role and region
    st.subheader(t("form.inspection", lang))
    form = f"inspection_{case_id}"
    # typed fields keep their values when the write is refused (keyed: the form's key changes with
    # every submission); they are cleared only after a successful write. The photos are not kept
    # (a refused file must be chosen again).
    keys = {f: f"{form}_{f}" for f in ("date", "inspector", "findings")}
    with st.form(form_key(form)):
        when = st.date_input(t("form.inspection_date", lang), value=_today(), max_value=_today(), key=keys["date"])
        inspector = st.text_input(t("form.inspector", lang), max_chars=100, key=keys["inspector"])
        findings = st.text_area(t("form.findings", lang), max_chars=4000, key=keys["findings"])
        photos = st.file_uploader(t("form.photos", lang), type=["jpg", "jpeg", "png"], accept_multiple_files=True,
                                  max_upload_size=MAX_ATTACHMENT_MB)
        submitted = st.form_submit_button(t("form.save", lang), icon=":material/save:")
    if submitted:
        problems = [t("form.inspector_required", lang)] if not inspector.strip() else []
        problems += [t("form.findings_required", lang)] if not findings.strip() else []
        if problems:
            st.error("\n".join(problems))
        elif request := submitted_once(form):
            files = [(p.name, p.type or "application/octet-stream", p.getvalue()) for p in photos or []]
            with shown_errors():
                saved = add_event(data.store(), case_id, {
                    "event_type": "inspection", "event_date": when.isoformat(),
                    "details": {"inspector": inspector.strip(), "findings": findings.strip(),
                                "photos": []}},  # restoration fills in the stored (safe) names
                    actor, expected_version=version, today=_today(), attachments=files, request_id=request)
                st.session_state[state.loaded_version(case_id)] = int(saved["version"])
                for key in keys.values():  # written: the next inspection starts from an empty form
                    st.session_state.pop(key, None)
                flash(t("form.saved_inspection", lang, date=when.isoformat(), version=int(saved["version"])))
                st.rerun()



def _field(etype: str, key: str, kind: str, source: str | None, case_id: str, lang: str, wkey: str):
    """One detail of the event form (a choice from the case's profile, an amount, a yes/no, a
    verdict or a line of text)."""
    label = t(f"detail.{key}", lang)
    if kind in ("choice", "choices"):
        items = _profile_list(case_id, source)
        ids = [i.id for i in items]
        names = {i.id: (i.en if lang == "en" else i.zh) for i in items}
        if kind == "choice":
            return st.selectbox(label, ids, index=None, placeholder=t("form.choose", lang),
                                format_func=lambda v, n=names: n.get(v, v), key=wkey)
        return st.multiselect(label, ids, placeholder=t("form.choose", lang),
                              format_func=lambda v, n=names: n.get(v, v), key=wkey)
    if kind == "yuan":
        return st.number_input(label, min_value=0.0, value=None, step=1000.0, format="%.2f", key=wkey)
    if kind == "bool":
        return st.checkbox(label, key=wkey)
    if kind == "verdict":
        return st.selectbox(label, ["pass", "fail"], index=None, placeholder=t("form.choose", lang),
                            format_func=lambda v: t(f"mon.verdict_{v}", lang), key=wkey)
    return st.text_input(label, max_chars=200, key=wkey).strip()


def _evaluation_blocks(case_id: str) -> bool:
    """Whether the case's latest stored effect evaluation fails or is incomplete (acceptance then
    needs an override with its reason and document)."""
    evals = data.evaluations(case_id)
    return bool(len(evals)) and evals.sort_values("evaluated_at")["verdict"].iloc[-1] != "pass"


def event_form(case_id: str, version: int, lang: str, codes: list[str]) -> None:
    actor = data.actor()
    st.subheader(t("form.event", lang))
    if not codes:
        st.info(t("form.no_next_event", lang), icon=":material/info:")
        return
    etype = st.selectbox(t("form.event_type", lang), codes, index=None, placeholder=t("form.choose_event", lang),
                         key=f"ev_type_{case_id}", format_func=lambda c, lang=lang: event_label(c, lang),
                         help=t("form.event_type_help", lang))
    form = f"event_{case_id}"
    # keyed fields: kept when the write is refused, cleared after a successful one (as the inspection form)
    prefix = f"{form}_field_"
    override = etype in ("accepted", "closed") and _evaluation_blocks(case_id) and may("case.correct", case_id=case_id)
    with st.form(form_key(form)):
        when = st.date_input(t("form.event_date", lang), value=_today(), max_value=_today(), key=prefix + "date")
        details: dict = {}
        for key, kind, source in EVENT_FIELDS.get(etype, []) if etype else []:
            details[key] = _field(etype, key, kind, source, case_id, lang, f"{prefix}{etype}_{key}")
        if override:  # the latest evaluation did not pass: acceptance only as a recorded exception
            st.warning(t("form.override_needed", lang), icon=":material/gpp_maybe:")
            reason = st.text_input(t("detail.override_reason", lang), max_chars=500, key=prefix + "override_reason")
            document = st.text_input(t("detail.override_document", lang), max_chars=200,
                                     key=prefix + "override_document")
        files = st.file_uploader(t("form.attachments", lang), type=["jpg", "jpeg", "png", "webp", "pdf"],
                                 accept_multiple_files=True, max_upload_size=MAX_ATTACHMENT_MB,
                                 key=prefix + "files") if etype in FILE_EVENTS else None
        note = st.text_area(t("form.note", lang), max_chars=2000, key=prefix + "note")
        submitted = st.form_submit_button(t("form.save", lang), icon=":material/save:")
    if submitted and etype is None:
        st.error(t("form.choose_event_first", lang))
    elif submitted and (request := submitted_once(form)):
        details = {k: v for k, v in details.items() if v not in (None, "", [], False)}
        if note.strip():
            details["note"] = note.strip()
        if override and (reason.strip() or document.strip()):
            details["evaluation_override"] = {"reason": reason.strip(), "document": document.strip()}
        uploads = [(f.name, f.type or "application/octet-stream", f.getvalue()) for f in files or []]
        with shown_errors():
            saved = add_event(data.store(), case_id, {"event_type": etype, "event_date": when.isoformat(),
                                                      "details": details},
                              actor, expected_version=version, today=_today(), attachments=uploads,
                              request_id=request)
            st.session_state[state.loaded_version(case_id)] = int(saved["version"])
            for key in [k for k in st.session_state if str(k).startswith(prefix)] + [f"ev_type_{case_id}"]:
                st.session_state.pop(key, None)  # written: the next event starts from an empty form
            flash(t("form.saved_event", lang, event=event_label(etype, lang), date=when.isoformat(),
                    version=int(saved["version"])))
            st.rerun()
