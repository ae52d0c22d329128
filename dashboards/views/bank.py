"""Project bank & siting (项目库与选址): capacity on a map, ranked candidates for a case, the
split proposal, and reserve / release."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps
from dashboards.i18n import money, vocab
from dashboards.ui import T, lang, require_staff, shown_errors
from restoration import bank as bank_api
from restoration.model import EcosystemType, ProjectStatus

require_staff()
L = lang()
st.title(T("page.bank"))

table = data.cached("restoration.bank.bank_table")
table = table.assign(remaining_fraction=(table["remaining"] / table["capacity"]).where(table["capacity"] > 0))
cases = data.layer("cases")
sites = data.layer("sites")
alt = cases[cases["restoration_modes"].map(lambda m: "alternative" in m)]["case_id"].tolist()
options = alt + [c for c in cases["case_id"] if c not in alt]
case_id = st.selectbox(T("bank.case"), options, key="bank_case",
                       format_func=lambda c: f"{c} · {cases.set_index('case_id').loc[c, 'title']}")

with st.expander(T("bank.weights")):
    w = st.columns(5)
    weights = {k: w[i].slider(T(f"bank.w_{k}"), 0.0, 1.0, v, 0.05, key=f"w_{k}")
               for i, (k, v) in enumerate({"cost": 0.35, "distance": 0.2, "time": 0.15, "match": 0.2,
                                            "locality": 0.1}.items())}

with shown_errors():
    ranking = data.cached("restoration.bank.rank_base_sites_dict", case_id, tuple(sorted(weights.items())))
    rank = ranking["table"]
    damaged = sites[sites["site_id"].isin(ranking["site_ids"])]
    top = rank[rank["eligible"]].head(5)["project_id"].tolist()
    m = maps.bank_map(table, lang=L, damaged=damaged, highlight=top, counties=data.layer("counties"),
                      watersheds=data.layer("watersheds"))
    st_folium(m, height=480, use_container_width=True, returned_objects=[], key="bank_map")

    c = st.columns(3)
    c[0].metric(T("bank.debit"), f"{ranking['debit']:,.2f} ha·yr")
    c[1].metric(T("bank.covered"), f"{ranking['covered_fraction'] * 100:,.0f}%")
    c[2].metric(T("bank.scenario_source"), ranking["scenario_source"])

    st.subheader(T("bank.candidates"))
    view = pd.DataFrame({
        T("bank.rank"): rank["rank"],
        T("bank.project"): rank["project_id"] + " " + rank["name"],
        T("bank.ecosystem"): rank["ecosystem_type"].map(lambda v: vocab(EcosystemType, v, L)),
        T("bank.status"): rank["status"].map(lambda v: vocab(ProjectStatus, v, L)),
        T("bank.eligible"): rank["eligible"],
        T("bank.required"): rank["required_amount"].round(2).astype(str) + " " + rank["capacity_unit"],
        T("bank.remaining"): rank["remaining"].round(2).astype(str) + " " + rank["capacity_unit"],
        T("bank.cost"): rank["cost_yuan"].map(lambda v: money(v, L)),
        T("bank.distance"): rank["distance_km"].round(1),
        T("bank.years_full"): rank["years_to_full_service"],
        T("bank.score"): rank["score"].round(3),
        T("bank.reasons"): rank["reasons"].map(lambda r: "；".join(r)),
    })
    st.dataframe(view, hide_index=True, width="stretch")
    if ranking["split"] is not None and len(ranking["split"]):
        st.subheader(T("bank.split"))
        split = ranking["split"]
        st.dataframe(split.assign(cost_yuan=split["cost_yuan"].map(lambda v: money(v, L))),
                     hide_index=True, width="stretch")
        if ranking["shortfall"] > 1e-9:
            st.warning(T("bank.shortfall", pct=f"{ranking['shortfall'] * 100:.0f}"))

    st.subheader(T("bank.reserve"))
    eligible = rank[rank["eligible"] & (rank["remaining"] > 0)]
    with st.form("reserve"):
        project = st.selectbox(T("bank.project"), eligible["project_id"].tolist(),
                               format_func=lambda p, L=L: f"{p} · {rank.set_index('project_id').loc[p, 'name']}")
        suggested = float(min(eligible.set_index("project_id").loc[project, "needed_amount"],
                              eligible.set_index("project_id").loc[project, "remaining"])) if project else 0.0
        amount = st.number_input(T("bank.amount"), min_value=0.0, value=round(suggested, 3), format="%.3f")
        go = st.form_submit_button(T("bank.reserve_button"))
    if go and project:
        done = bank_api.reserve(data.store(), project, case_id, amount, actor=data.actor())
        st.success(T("bank.reserved", id=done["allocation_id"], amount=f"{amount:,.3f}"))
        st.rerun()

    held = ranking["covered"]
    if len(held):
        st.subheader(T("bank.allocations"))
        st.dataframe(held, hide_index=True, width="stretch")
        with st.form("release"):
            alloc = st.selectbox(T("bank.allocation"), held["allocation_id"].tolist())
            go_release = st.form_submit_button(T("bank.release_button"))
        if go_release:
            bank_api.release(data.store(), alloc, actor=data.actor())
            st.success(T("bank.released", id=alloc))
            st.rerun()

st.subheader(T("bank.registry"))
st.dataframe(pd.DataFrame({
    T("bank.project"): table["project_id"] + " " + table["name"],
    T("bank.ecosystem"): table["ecosystem_type"].map(lambda v: vocab(EcosystemType, v, L)),
    T("bank.status"): table["status"].map(lambda v: vocab(ProjectStatus, v, L)),
    T("bank.capacity"): table["capacity"].round(2).astype(str) + " " + table["capacity_unit"],
    T("bank.allocated"): table["allocated"].round(2),
    T("bank.remaining"): table["remaining"].round(2),
    T("bank.unit_cost"): table["unit_cost_yuan"].map(lambda v: f"{v:,.0f}"),
}), hide_index=True, width="stretch")
