"""Case (案件): the record, timeline and deadlines, sites map, monitoring, equivalence,
bank allocations, funds, and forms that write to the store."""
import streamlit as st
from streamlit_folium import st_folium

from dashboards import (access_panels, appraisal_panels, breaks_panels, case_panels, data, field_panels, maps,
                        procedure_panels, recovery_panels, state)
from dashboards.i18n import money_short, money, text, vocab
from dashboards.ui import T, empty_state, lang, md, require_staff, show_flash, shown_errors
from restoration.model import CaseClass, RestorationMode, Stage

require_staff()
L = lang()
cases = data.cases()
if cases.empty:
    st.title(T("page.case"))
    empty_state("empty.no_cases", "empty.no_cases_how")
    st.stop()
ids = cases["case_id"].tolist()
titles = cases.set_index("case_id")["title"]
wanted = st.query_params.get("case_id") or st.session_state.get(state.CASE_ID) or ids[0]
index = ids.index(wanted) if wanted in ids else 0
case_id = st.selectbox(T("case.choose"), ids, index=index, format_func=lambda c: f"{c} · {titles.get(c) or ''}")
st.session_state[state.CASE_ID] = case_id
case = cases.set_index("case_id").loc[case_id]

st.title(md(case["title"]))
show_flash()
c = st.columns(4)
def _heading(word: str) -> str:
    """A vocabulary word as a card's value: capitalised in English ("Appraisal", not "appraisal")."""
    return word[:1].upper() + word[1:]


c[0].metric(T("field.stage"), _heading(vocab(Stage, case["stage"], L)))
c[1].metric(T("field.case_class"), _heading(vocab(CaseClass, case["case_class"], L)))
c[2].metric(T("field.damage_amount"), money_short(case["damage_amount_yuan"], L),
            help=money(case["damage_amount_yuan"], L))
c[3].metric(T("field.version"), int(case["version"]))
appraisal_panels.amount_source(case_id, L)
st.markdown(f"**{T('field.liable_party')}**{T('punct.colon')}{md(text(case['liable_party']))} · "
            f"**{T('field.claimant_agency')}**{T('punct.colon')}{md(text(case['claimant_agency']))} · "
            f"**{T('field.region')}**{T('punct.colon')}{md(text(case['region']))} · "
            f"**{T('field.restoration_modes')}**{T('punct.colon')}"
            + ((", " if L == "en" else "、").join(vocab(RestorationMode, m, L) for m in case["restoration_modes"]) or "—"))

with shown_errors():
    st.download_button(T("download.case_report"), lambda: data.case_report(case_id), file_name=f"{case_id}-report.html",
                       mime="text/html", icon=":material/download:")

sites = data.sites()
case_sites = sites[sites["case_id"] == case_id]
tabs = st.tabs([T("case.tab_timeline"), T("case.tab_map"), T("case.tab_monitoring"),
                T("case.tab_equivalence"), T("case.tab_bank"), T("case.tab_funds"), T("case.tab_forms"),
                T("case.tab_procedure")])
with tabs[0], shown_errors():
    case_panels.timeline(case_id, L)
    field_panels.evidence(case_id, L)
    field_panels.conflicts(case_id, L)
with tabs[1], shown_errors():
    if case_sites.empty:
        empty_state("empty.no_case_sites", "empty.no_sites_how")
    else:
        overlay = case_panels.ndvi_overlay(case_sites)
        # built while its tab is hidden: the map fits itself when the tab first shows it
        m = maps.case_map(case_sites, lang=L, overlay=overlay, counties=data.counties(),
                          watersheds=data.watersheds())
        st_folium(m, height=480, use_container_width=True, returned_objects=[], key=f"case_map_{case_id}")
with tabs[2], shown_errors():
    case_panels.monitoring(case_id, case_sites, L)
    recovery_panels.case_recovery(case_id, L)
    breaks_panels.case_breaks(case_id, L)
with tabs[3], shown_errors():
    case_panels.equivalence_panel(case_id, L)
with tabs[4], shown_errors():
    case_panels.bank(case_id, L)
with tabs[5], shown_errors():
    case_panels.funds(case_id, L)
with tabs[6]:
    # edits carry the version the user loaded, not the one on the rerun that submits them, so a
    # change saved by someone else in between is a conflict, not a silent overwrite
    loaded_key = state.loaded_version(case_id)
    if loaded_key not in st.session_state:
        st.session_state[loaded_key] = int(case["version"])
    if st.session_state[loaded_key] != int(case["version"]):
        st.info(T("case.changed_since", loaded=st.session_state[loaded_key], now=int(case["version"])))
        if st.button(T("case.reload")):
            st.session_state[loaded_key] = int(case["version"])
            st.rerun()
    case_panels.forms(case_id, st.session_state[loaded_key], L)
    access_panels.case_access_panel({**case.to_dict(), "case_id": case_id,
                                     "version": st.session_state[loaded_key]}, L)
with tabs[7], shown_errors():
    procedure_panels.procedure(case_id, L)
    procedure_panels.procedure_forms(case_id, st.session_state[loaded_key], L)
