"""Widgets of the appraisal calculator page (虚拟治理成本法): the input form, the calculation table
in the interface language, the class the amount implies, downloads and recording on a case."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from .i18n import money, t

BASES = ("survey", "cost_function", "reference_fee")
STANDARDS = ("gbt39793_2", "gbt39793_1", "multiplier_2017")


def form(lang: str) -> dict:
    """The appraisal input (the same keys as an input file for ``restoration appraisal abatement``)."""
    from restoration.appraisal import coefficient_tables
    tables = coefficient_tables()["forms"]
    top = st.columns(3)
    standard = top[0].selectbox(t("ap.standard", lang), STANDARDS, key="ap_standard",
                                format_func=lambda s: tables[s]["name_zh"] if lang == "zh" else tables[s]["name_en"])
    amount = top[1].number_input(t("ap.discharge", lang), min_value=0.0, max_value=1e12, value=12000.0, step=100.0,
                                 key="ap_e")
    unit = top[2].selectbox(t("ap.discharge_unit", lang), ("m3", "t"), key="ap_unit",
                            format_func=lambda u: {"m3": "m³", "t": "t"}[u])
    dsrc = st.text_input(t("ap.discharge_source", lang), value="", key="ap_esrc", max_chars=300)
    st.caption(t("ap.unit_cost_help", lang))
    labels = {b: t(f"ap.basis_{b}", lang) for b in BASES}  # the editor shows words, never codes
    codes = {t(f"ap.basis_{b}", other): b for b in BASES for other in ("zh", "en")}  # edits survive a language switch
    costs = st.data_editor(
        pd.DataFrame([{"value": 3.5, "basis": labels["survey"], "source": ""}]), num_rows="dynamic", key="ap_costs",
        hide_index=True, column_config={
            "value": st.column_config.NumberColumn(t("ap.unit_cost", lang), min_value=0.0, max_value=1e9),
            "basis": st.column_config.SelectboxColumn(t("ap.basis", lang), options=list(labels.values()),
                                                      required=True),
            "source": st.column_config.TextColumn(t("ap.source", lang), max_chars=300)})
    unit_cost = [{"value": float(r["value"]), "basis": codes.get(r["basis"], r["basis"]), "source": r["source"] or ""}
                 for r in costs.dropna(subset=["value", "basis"]).to_dict("records")]
    coeffs: dict = {}
    spec: dict = {"standard": standard, "discharge": {"amount": amount, "unit": unit, "source": dsrc},
                  "unit_cost": unit_cost, "coefficients": coeffs}
    form_ = tables[standard]
    cols = st.columns(len(form_["coefficients"]) + (1 if standard == "multiplier_2017" else 0))
    for i, (sym, meta) in enumerate(form_["coefficients"].items()):
        greek = {"alpha": "α", "beta": "β", "omega": "ω", "tau": "τ", "k": "k"}[sym]
        label = f"{meta['name_zh'] if lang == 'zh' else meta['name_en']} {greek}"
        with cols[i]:
            if sym == "tau" and "tier_values" in meta and st.checkbox(t("ap.tau_from_exceedance", lang), value=True,
                                                                      key=f"ap_tau_ex_{standard}"):
                z = st.number_input(t("ap.measured", lang), min_value=0.0, value=350.0, key=f"ap_z_{standard}")
                b = st.number_input(t("ap.limit", lang), min_value=0.001, value=100.0, key=f"ap_b_{standard}")
                coeffs["tau"] = {"exceedance": {"measured": z, "limit": b}}
                continue
            v = st.number_input(label, min_value=0.0, max_value=1000.0, value=1.0 if sym != "k" else 5.0, step=0.05,
                                key=f"ap_{sym}_{standard}")
            s = st.text_input(t("ap.source", lang), value="", key=f"ap_{sym}_src_{standard}", max_chars=300)
            coeffs[sym] = {"value": v, "source": s}
    if standard == "multiplier_2017":
        ranges = form_["ranges"]
        spec["function_class"] = cols[-1].selectbox(
            t("ap.function_class", lang), list(ranges), key="ap_fc",
            format_func=lambda k: ranges[k]["name_zh"] if lang == "zh" else ranges[k]["name_en"])
    return spec


#: the calculator's own bilingual source phrases, shown in the interface language (a citation of
#: a standard or the appraiser's own words stay as written)
_SOURCE_PHRASES = {"输入 input": "ap.src_input",
                   "鉴定人取值，来源未填 stated by the appraiser, source not given": "ap.src_appraiser",
                   "来源未填 source not given": "ap.src_not_given"}


def source_text(source, lang: str) -> str:
    text_ = "" if source is None else str(source)
    for phrase, key in _SOURCE_PHRASES.items():
        text_ = text_.replace(phrase, t(key, lang))
    return text_


def unit_text(unit, lang: str) -> str:
    """元 in Chinese, yuan in English (the calculator writes both: "元 yuan", "元/m³")."""
    u = "" if unit is None else str(unit)
    return u.replace("元 yuan", "元") if lang == "zh" else u.replace("元 yuan", "yuan").replace("元", "yuan")


def result_table(result, lang: str) -> pd.DataFrame:
    """The calculation table with headers, steps and flags in the interface language."""
    rows = []
    for r in result.rows:
        v = r["value"]
        rows.append({t("ap.col_step", lang): t(f"ap.step_{r['step']}", lang), t("ap.col_symbol", lang): r["symbol"],
                     t("ap.col_name", lang): r["name_zh"] if lang == "zh" else r["name_en"],
                     t("ap.col_value", lang): f"{v:,.6g}" if isinstance(v, (int, float)) else str(v),
                     t("ap.col_unit", lang): unit_text(r["unit"], lang),
                     t("ap.col_source", lang): source_text(r.get(f"source_{lang}", r["source"]), lang),
                     t("ap.col_verified", lang): t("ap.yes", lang) if r["verified"] else t("ap.unverified", lang)})
    return pd.DataFrame(rows)


def implied_class(amount_yuan: float, lang: str) -> str:
    """The case class this amount implies under the national profile's simple-case cap (facts clear,
    liability undisputed), said in words with the cap's source."""
    from restoration.cases import load_profile
    rule = load_profile("national").rule("classification.simple.amount_cap_yuan")
    if not rule.is_set:
        return t("ap.cap_not_set", lang)
    key = "ap.class_simple" if amount_yuan <= rule.value else "ap.class_not_simple"
    return t(key, lang, cap=money(rule.value, lang), source=rule.source)


def downloads(result, lang: str) -> None:
    from restoration.reports.appraisal_pdf import abatement_pdf
    from restoration.reports.appraisal_xlsx import abatement_sheets
    from restoration.workbook import workbook_bytes
    left, right = st.columns(2)
    left.download_button(t("ap.download_xlsx", lang), workbook_bytes(abatement_sheets(result)),
                         file_name="abatement.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with tempfile.TemporaryDirectory() as tmp:  # reportlab writes a file: a private folder, then the bytes
        p = abatement_pdf(result, Path(tmp) / "abatement.pdf")
        right.download_button(t("ap.download_pdf", lang), p.read_bytes(), file_name="abatement.pdf",
                              mime="application/pdf")


def record_on_case(result, lang: str) -> None:
    """Store the result with a case (sets its damage amount; the case remembers the appraisal)."""
    from restoration.appraisal import record_appraisal

    from . import data
    from .ui import form_key, shown_errors, submitted_once, user
    st.subheader(t("ap.record", lang))
    cases = data.cases()
    if cases.empty:  # say which command brings cases in
        st.info(f"{t('empty.no_cases', lang)}\n\n{t('empty.no_cases_how', lang)}", icon=":material/info:")
        return
    ids = cases["case_id"].tolist()
    titles = cases.set_index("case_id")["title"]
    case_id = st.selectbox(t("bank.case", lang), ids, key="ap_case", format_func=lambda c: f"{c} · {titles.loc[c]}")
    from .access_panels import gate
    # as record_appraisal checks: a supervisor through case.event, an appraiser on assigned cases
    who = data.actor()
    action = "case.event" if who is not None and who.can("case.event") else "case.appraisal"
    may_record = gate(action, lang, case_id=case_id)  # else: why not, and the workbook only
    with shown_errors():
        if may_record:
            appraiser = st.text_input(t("ap.appraiser", lang), value=user()["name"], key="ap_appraiser",
                                      max_chars=120)
        # a new request id for every render: a double click or a retried request records once
        if may_record and st.button(t("ap.record_button", lang), key=form_key("ap_record")) and \
                (request := submitted_once("ap_record")):
            row = record_appraisal(data.store(), case_id, result, appraiser=appraiser, actor=data.actor(),
                                   request_id=request)
            st.success(t("ap.recorded", lang, id=row["appraisal_id"], case=case_id,
                         amount=money(row["amount_yuan"], lang)))
        from restoration.reports.appraisal_xlsx import case_appraisal_sheets
        from restoration.workbook import workbook_bytes
        st.download_button(t("ap.download_case_book", lang), workbook_bytes(case_appraisal_sheets(data.store(), case_id)),
                           file_name=f"{case_id}-appraisal.xlsx", key="ap_case_book",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def amount_source(case_id: str, lang: str) -> None:
    """Under a case's damage amount: where it came from (which appraisal, or typed by hand).
    Drawn with ``st.text`` (no markdown), so names typed by users show as they are."""
    from restoration.appraisal import amount_provenance

    from . import data
    store = data.store()
    prov = amount_provenance(store, store.get("cases", case_id))
    if prov.get("source") is None:
        return
    if prov["source"] == "manual":
        st.text(t("ap.source_manual", lang))
        return
    if prov["source"] == "claim_items":
        _claim_items(prov["items"], lang)
        return
    st.text(t("ap.source_appraisal", lang, id=prov["appraisal_id"],
              method=prov["method_zh"] if lang == "zh" else prov["method_en"], who=prov["appraiser"],
              date=prov["appraised_on"])
            + ("" if prov["all_verified"] else t("ap.source_unverified", lang)))


def _claim_items(items: list[dict], lang: str) -> None:
    """The claim item by item: a small table (item, amount in 元 and 万元, source), and for an
    item an appraisal computed, which one, by whom and when."""
    import pandas as pd
    from restoration.appraisal.common import yuan_text
    st.text(t("ap.source_claim_items", lang))
    rows = [{t("ap.claim_item", lang): it["item_zh"] if lang == "zh" else it["item_en"],
             t("ap.claim_amount", lang): yuan_text(it["amount_yuan"]),
             t("ap.claim_source", lang): it["source"]} for it in items]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for it in items:
        if it.get("appraisal_id") and it.get("method_zh"):
            st.text(t("ap.source_appraisal", lang, id=it["appraisal_id"],
                      method=it["method_zh"] if lang == "zh" else it["method_en"], who=it["appraiser"],
                      date=it["appraised_on"]) + ("" if it["all_verified"] else t("ap.source_unverified", lang)))
