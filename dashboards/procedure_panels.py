"""The Case page's procedure tab: jurisdiction and joint handling, supervision
(督办) reports, public comment, credit, the technical-upgrade offset workflow, disclosures,
information sharing, responsibility and commendation, fund use and the case archive (档案)
download; and the Overview page's screening reports (线索筛查情况报告) with their form.

Everything comes from ``restoration.cases.case_record`` (its ``procedure`` part) and
``restoration.cases.procedure``; user-supplied values are shown only inside tables (never as
Markdown), so nothing typed into a record can change the page.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from restoration import access, config
from restoration.cases import load_profile
from restoration.profiles import base_profile

from . import data, state
from .i18n import message, money, t

_STATUS = ("met", "met_late", "overdue", "open", "ended")


def _table(rows: list[dict], columns: dict[str, str], lang: str, empty: str | None = None) -> None:
    """Rows as a table with headers from the dictionaries; empty → the ``empty`` message (a key),
    or a dash."""
    if not rows:
        st.caption(t(empty, lang) if empty else "—")
        return
    frame = pd.DataFrame(rows)
    shown = pd.DataFrame({t(label, lang): frame[key].map(_cell) if key in frame else "—"
                          for key, label in columns.items()})
    st.dataframe(shown, hide_index=True, width="stretch")


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v) or "—"
    if isinstance(v, bool):
        return "✓" if v else "✗"
    return str(v)


def _label(row: dict, lang: str) -> str:
    return row["label_en"] if lang == "en" else row["label_zh"]


def procedure(case_id: str, lang: str) -> None:
    rec = data.case_record(case_id)["procedure"]
    _jurisdiction(rec, lang)
    _links_and_appraisal(rec, lang)
    _supervision(rec, lang)
    _public_participation(rec, lang)
    _offset_and_credit(rec, lang)
    _sharing_and_accountability(rec, lang)
    _fund_use(case_id, lang)
    st.download_button(t("proc.archive", lang),
                       lambda: data.archive_bytes(case_id),
                       file_name=f"{case_id}-archive.zip", mime="application/zip")


def _jurisdiction(rec: dict, lang: str) -> None:
    """Who handles the case: jurisdiction, joint handling and investigation, exclusion."""
    st.subheader(t("proc.jurisdiction", lang))
    j = rec["jurisdiction"]
    _table([{**j, "level": t(f"proc.level.{j['level']}", lang),
             "basis": j["basis_en"] if lang == "en" else j["basis_zh"]}] if j else [],
           {"level": "proc.level", "handling_region": "proc.handling_region", "basis": "proc.basis",
            "designated_department": "proc.designated_department", "date": "case.event_date"}, lang)
    _table([{**r, "label": _label(r, lang), "departments": r.get("departments") or r.get("members") or []}
            for r in rec["joint_handling"] + rec["joint_investigation_groups"]],
           {"date": "case.event_date", "label": "case.event_type", "lead_department": "proc.lead_department",
            "departments": "proc.departments", "joint_regions": "proc.joint_regions"}, lang)
    if rec["exclusion"]:
        x = rec["exclusion"]
        st.warning(t("proc.excluded", lang, reason=x["en"] if lang == "en" else x["zh"]))


def _links_and_appraisal(rec: dict, lang: str) -> None:
    """Referrals and enforcement links; appraisal institutions, objections and reviews."""
    links = rec["referrals"] + rec["enforcement_links"]
    if links:
        st.subheader(t("proc.links", lang))
        _table([{**r, "label": _label(r, lang) + (f"：{r['action_en'] if lang == 'en' else r['action_zh']}"
                                                   if r.get("action_zh") else "")} for r in links],
               {"date": "case.event_date", "label": "case.event_type", "department": "proc.department",
                "to_department": "proc.to_department", "reference": "proc.reference"}, lang)
    app = rec["appraisal"]
    rows = app["institutions"] + app["objections"] + app["third_party_reviews"]
    if rows:
        st.subheader(t("proc.appraisal", lang))
        _table([{**r, "label": _label(r, lang), "what": r.get("institution") or r.get("grounds")
                 or r.get("conclusion") or (t(f"proc.outcome.{r['outcome']}", lang) if r.get("outcome") else None)}
                for r in rows], {"date": "case.event_date", "label": "case.event_type", "what": "case.details"}, lang)


def _supervision(rec: dict, lang: str) -> None:
    """The supervision schedule of restoration reports (overdue ones flagged)."""
    sup = rec["supervision"]
    st.subheader(t("proc.supervision", lang))
    if sup["schedule"]:
        late = [s for s in sup["schedule"] if s["status"] == "overdue"]
        if late:
            st.error(t("proc.supervision_overdue", lang, n=len(late)))
        _table([{**s, "status": t(f"proc.status.{s['status']}", lang)} for s in sup["schedule"]],
               {"report_no": "proc.report_no", "due_date": "case.due", "status": "case.status",
                "report_date": "proc.report_date", "authority": "proc.authority"}, lang)
    else:
        st.caption(t("proc.not_supervised", lang))


def _public_participation(rec: dict, lang: str) -> None:
    """Public participation rounds and comments (unanswered ones flagged)."""
    pp = rec["public_participation"]
    st.subheader(t("proc.public", lang))
    if pp["rounds"]:
        _table([{**r, "document": t(f"proc.doc.{r['document']}", lang)} for r in pp["rounds"]],
               {"document": "proc.document", "opened": "proc.opened", "until": "proc.until"}, lang)
        if pp["unanswered"]:
            st.warning(t("proc.unanswered", lang, n=pp["unanswered"]))
        _table(pp["comments"], {"date": "case.event_date", "commenter": "proc.commenter", "text": "proc.comment",
                                "answered": "proc.answered", "answer": "proc.answer"}, lang)
    else:
        st.caption("—")


def _offset_and_credit(rec: dict, lang: str) -> None:
    """The offset against the compensation and its conditions; credit and disclosure records."""
    off = rec["offset"]
    if off:
        st.subheader(t("proc.offset", lang))
        st.metric(t("proc.offset_status", lang), t(f"proc.offset.{off['status']}", lang),
                  help=t("proc.offset_help", lang))
        _table([{**c, "label": c["en"] if lang == "en" else c["zh"], "state": t(f"proc.cond.{c['state']}", lang),
                 "rule_verified": c["rule_verified"]} for c in off["conditions"]],
               {"label": "proc.condition", "state": "case.status", "rule_verified": "proc.rule_verified"}, lang)
        if off["granted_offset_yuan"] is not None:
            st.caption(f"{t('proc.granted', lang)}: {money(off['granted_offset_yuan'], lang)}")
    if rec["credit"] or rec["disclosures"]:
        st.subheader(t("proc.credit_disclosure", lang))
        _table([{**r, "label": _label(r, lang),
                 "measure": r.get("measure_en" if lang == "en" else "measure_zh"),
                 "item": r.get("item_en" if lang == "en" else "item_zh")} for r in rec["credit"] + rec["disclosures"]],
               {"date": "case.event_date", "label": "case.event_type", "measure": "proc.measure",
                "item": "proc.item", "court": "proc.court"}, lang)


def _sharing_and_accountability(rec: dict, lang: str) -> None:
    """Information shared with other departments; accountability decisions."""
    if rec["information_sharing"]:
        st.subheader(t("proc.sharing", lang))
        en = lang == "en"
        _table([{**r, "direction": r["direction_en" if en else "direction_zh"],
                 "items": r["items_en" if en else "items_zh"]} for r in rec["information_sharing"]],
               {"date": "case.event_date", "direction": "proc.direction", "with_department": "proc.with_department",
                "items": "proc.items_shared", "reference": "proc.reference"}, lang)
    if rec["accountability"]:
        st.subheader(t("proc.accountability", lang))
        _table([{**r, "label": _label(r, lang)} for r in rec["accountability"]],
               {"date": "case.event_date", "label": "case.event_type", "subject": "proc.subject",
                "why": "proc.why", "measure": "proc.measure", "decided_by": "proc.decided_by"}, lang)


def _fund_use(case_id: str, lang: str) -> None:
    """What the case's funds were spent on, and where (outside the damaged place flagged)."""
    st.subheader(t("proc.fund_use", lang))
    use = data.fund_use(case_id)
    if len(use):
        flagged = use[use["at_damaged_place"].ne(True)]
        if len(flagged):
            st.warning(t("proc.fund_flagged", lang, n=len(flagged)))
        _table([{**r, "amount": money(r["amount_yuan"], lang),
                 "where": t("proc.at_place" if r["at_damaged_place"] is True else
                            ("proc.elsewhere" if r["at_damaged_place"] is False else "proc.not_stated"), lang)}
                for r in use.to_dict("records")],
               {"entry_date": "case.event_date", "amount": "proc.amount", "site_id": "proc.site", "where": "proc.where",
                "purpose": "proc.purpose"}, lang)
    else:
        st.caption("—")



def public_items(lang: str) -> None:
    """The public page's published agreements, restoration results and fund use (only what a
    ``disclosed`` event published, through ``restoration.cases.publication.public_case_items``)."""
    from restoration.model import RestorationMode, Verdict

    from .i18n import vocab
    items = data.public_case_items()
    st.subheader(t("proc.published", lang))
    if items.empty:
        st.caption(t("proc.none_published", lang))
        return
    def when(r):
        return r["agreement_date"] or r["accepted_on"] or r["closed_on"]

    def what(r) -> str:
        if r["item"] == "agreement":
            modes = "、".join(vocab(RestorationMode, m, lang) for m in (r["restoration_modes"] or []))
            return f"{money(r['agreement_amount_yuan'], lang)}；{modes or '—'}"
        if r["item"] == "restoration_result":
            verdict = vocab(Verdict, r["effect_verdict"], lang) if r["effect_verdict"] else "—"
            return t("proc.result_text", lang, verdict=verdict, accepted=r["accepted_on"] or "—",
                     closed=r["closed_on"] or "—")
        return t("proc.funds_text", lang, received=money(r["funds_received_yuan"], lang),
                 used=money(r["funds_used_yuan"], lang), here=money(r["funds_used_at_damaged_place_yuan"], lang))
    # missing values as None (a frame mixing items reads them as NaN, which is truthy)
    rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in items.to_dict("records")]
    st.dataframe(pd.DataFrame({
        t("field.case_id", lang): [r["case_id"] for r in rows],
        t("proc.item", lang): [r["item_en"] if lang == "en" else r["item_zh"] for r in rows],
        t("proc.opened", lang): [r["published_on"] for r in rows],
        t("case.details", lang): [what(r) for r in rows],
    }), hide_index=True, width="stretch")


def procedure_forms(case_id: str, version: int, lang: str) -> None:
    """Two everyday steps as forms: a progress report to the supervising authority, and the answer
    to a public comment. Both write through ``add_event`` with the version the page was built from."""
    from datetime import date as _date

    from restoration.cases import add_event

    from restoration.cases.events import event_label

    from .access_panels import may
    from .ui import flash, form_key, shown_errors, submitted_once
    if not may("case.event", case_id=case_id):
        return  # the case's forms tab says why this user may not record events
    rec = data.case_record(case_id)["procedure"]
    today: _date = config.today()

    def save(event: dict, form: str) -> None:
        request = submitted_once(form)
        if request is None:  # this render's submission was already written
            return
        with shown_errors():
            saved = add_event(data.store(), case_id, event, data.actor(), expected_version=version, today=today,
                              request_id=request)
            st.session_state[state.loaded_version(case_id)] = int(saved["version"])
            # confirm at the top of the page after a rerun, so the tables show the new record
            flash(t("proc.saved_event", lang, event=event_label(event["event_type"], lang), date=event["event_date"]))
            st.rerun()

    if rec["supervision"]["under_supervision"]:
        st.subheader(t("proc.form_report", lang))
        with st.form(form_key(f"sup_report_{case_id}"), clear_on_submit=True):
            when = st.date_input(t("form.event_date", lang), value=today, max_value=today, key=f"sup_d_{case_id}")
            summary = st.text_area(t("proc.report_summary", lang), max_chars=2000)
            sent = st.form_submit_button(t("form.save", lang))
        if sent:
            if not summary.strip():
                st.error(t("proc.report_summary_required", lang))
            else:
                save({"event_type": "supervision_report", "event_date": when.isoformat(),
                      "details": {"summary": summary.strip()}}, f"sup_report_{case_id}")
    open_ = [c for c in rec["public_participation"]["comments"] if not c["answered"]]
    if open_:
        st.subheader(t("proc.form_answer", lang))
        with st.form(form_key(f"answer_{case_id}"), clear_on_submit=True):
            cid = st.selectbox(t("proc.comment", lang), [c["comment_id"] for c in open_],
                               format_func=lambda c: next(f"{x['comment_id']} · {x['text'][:40]}" for x in open_
                                                          if x["comment_id"] == c))
            when = st.date_input(t("form.event_date", lang), value=today, max_value=today, key=f"ans_d_{case_id}")
            answer = st.text_area(t("proc.answer", lang), max_chars=2000)
            sent = st.form_submit_button(t("form.save", lang))
        if sent:
            if not answer.strip():
                st.error(t("proc.answer_required", lang))
            else:
                save({"event_type": "public_comment_answered", "event_date": when.isoformat(),
                      "details": {"comment_id": cid, "answer": answer.strip()}}, f"answer_{case_id}")


def store_profiles(cases: pd.DataFrame, today) -> dict:
    """The rule profiles the store's cases are handled under, the most used first (a Guangxi
    register is not screened by Zhejiang's half-yearly rule); with no case yet, the model's
    default profile. Profiles that cannot be loaded are left out (the overview warns of them)."""
    used = cases["profile"].map(base_profile).value_counts() if len(cases) else pd.Series(dtype=int)
    names = sorted(used.index, key=lambda n: (-int(used[n]), n)) or [base_profile(None)]
    profiles = {}
    for name in names:
        try:
            profiles[name] = load_profile(name, on=today)
        except Exception:  # noqa: BLE001 - a broken profile is reported elsewhere (overview warning)
            continue
    return profiles


def screening_reports(lang: str) -> None:
    """The Overview page's clue-screening reports (线索筛查情况报告, Zhejiang art. 2: every six
    months to the province, with referrals): each region's completed periods under the chosen
    profile's cycle, the reports recorded, and a form to record one (``add_screening_report``)."""
    from datetime import timedelta

    from restoration.cases.procedure import add_screening_report
    from restoration.cases.procedure import reporting_period

    from .ui import form_key, shown_errors, submitted_once
    today = config.today()
    st.subheader(t("proc.screening", lang))
    profiles = store_profiles(data.cases(), today)
    if not profiles:
        st.caption("—")
        return
    names = list(profiles)  # the store's cases' profiles, the most used first
    name = st.selectbox(t("proc.screening_profile", lang), names, index=0, key="screening_profile",
                        format_func=lambda n: profiles[n].name_en if lang == "en" else profiles[n].name_zh)
    info = data.screening(name)
    months = info["months"]
    if months:
        st.caption(t("proc.screening_cycle", lang, months=int(months), to=info["report_to"] or "—",
                     source=message(info["source"], lang)))
    else:
        st.caption(t("proc.screening_no_cycle", lang, source=message(info["source"], lang)))
    status = info["status"]
    if len(status):  # the latest periods first
        status = status.sort_values(["period_start", "region"], ascending=[False, True])
        missing = int((status["status"] == "missing").sum())
        if missing:
            st.warning(t("proc.screening_missing", lang, n=missing))
        _table([{**r, "period": f"{r['period_start']} – {r['period_end']}",
                 "status": t(f"proc.screening_status.{r['status']}", lang)} for r in status.to_dict("records")],
               {"region": "proc.region", "period": "proc.period", "status": "case.status",
                "submitted_on": "proc.submitted_on", "submitted_to": "proc.submitted_to", "n_clues": "proc.n_clues"},
               lang)
    st.caption(t("proc.screening_recorded", lang))
    reports = info["reports"]
    _table([{**r, "period": f"{str(r['period_start'])[:10]} – {str(r['period_end'])[:10]}",
             "submitted_on": str(r["submitted_on"])[:10],
             **{k: None if r.get(k) is None or r.get(k) != r.get(k) else int(r[k])
                for k in ("n_clues", "n_referred", "n_filed")}}
            for r in reports.sort_values(["period_start", "region"], ascending=[False, True]).to_dict("records")]
           if len(reports) else [],
           {"region": "proc.region", "period": "proc.period", "submitted_on": "proc.submitted_on",
            "submitted_to": "proc.submitted_to", "n_clues": "proc.n_clues", "n_referred": "proc.n_referred",
            "n_filed": "proc.n_filed", "note": "proc.note"}, lang, empty="proc.no_screening_reports")

    who = data.actor()
    if who is None or not who.can("case.event"):
        return
    cases = data.cases()
    regions = sorted({str(r) for r in cases["region"].dropna()} |
                     ({str(r) for r in data.counties()["name"].dropna()} if "name" in data.counties() else set()))
    level = profiles[name].rule("screening.reporting_level")
    if level.is_set and level.value == "province":  # the province's report: recorded at province level
        regions = [profiles[name].name_zh] if who.region == access.PROVINCE else []
    elif who.region != access.PROVINCE:  # only the regions inside the user's jurisdiction
        tree = access.region_tree(data.raw_store())
        regions = [r for r in regions if (code := tree.resolve(r)) and tree.contains(who.region, code)]
    st.subheader(t("proc.form_screening", lang))
    if not regions:
        st.caption(t("proc.screening_no_regions", lang))
        return
    start, _end = reporting_period(today, int(months) if months else 6)
    prev_start, prev_end = reporting_period(start - timedelta(days=1), int(months) if months else 6)
    with st.form(form_key("screening_report"), clear_on_submit=True):
        region = st.selectbox(t("proc.region", lang), regions, key="screening_region")
        c = st.columns(3)
        p_start = c[0].date_input(t("proc.period_start", lang), value=prev_start, max_value=today, key="scr_from")
        p_end = c[1].date_input(t("proc.period_end", lang), value=prev_end, max_value=today, key="scr_to")
        sub_on = c[2].date_input(t("proc.submitted_on", lang), value=today, max_value=today, key="scr_on")
        sub_to = st.text_input(t("proc.submitted_to", lang), value=info["report_to"] or "", max_chars=200)
        n = st.columns(3)
        clues = n[0].number_input(t("proc.n_clues", lang), min_value=0, max_value=1_000_000, value=None, step=1)
        referred = n[1].number_input(t("proc.n_referred", lang), min_value=0, max_value=1_000_000, value=None, step=1)
        filed = n[2].number_input(t("proc.n_filed", lang), min_value=0, max_value=1_000_000, value=None, step=1)
        note = st.text_area(t("proc.note", lang), max_chars=2000)
        sent = st.form_submit_button(t("form.save", lang))
    if not sent:
        return
    if not sub_to.strip():
        st.error(t("proc.submitted_to_required", lang))
        return
    request = submitted_once("screening_report")
    if request is None:
        return  # this submission was already written (a double click)
    with shown_errors():
        add_screening_report(data.store(), {
            "region": region, "period_start": p_start.isoformat(), "period_end": p_end.isoformat(),
            "submitted_on": sub_on.isoformat(), "submitted_to": sub_to.strip(),
            "n_clues": None if clues is None else int(clues), "n_referred": None if referred is None else int(referred),
            "n_filed": None if filed is None else int(filed), "note": note.strip() or None}, who, request_id=request)
        st.success(t("form.saved", lang))
