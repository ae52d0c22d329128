"""Overview (总览): every case and site on one map, KPI cards, filters."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps
from dashboards.i18n import area, money, t, vocab
from dashboards.ui import T, lang, require_staff, shown_errors
from restoration import config
from restoration.model import OPEN_STAGES, CaseClass, EcosystemType, Stage

require_staff()
L = lang()
st.title(T("page.overview"))

cases = data.layer("cases")
sites = data.layer("sites")

with st.sidebar:
    st.subheader(T("filter.title"))
    counties = st.multiselect(T("filter.county"), sorted(cases["region"].dropna().unique()), key="f_county")
    classes = st.multiselect(T("filter.class"), [c.value for c in CaseClass],
                             format_func=lambda v: vocab(CaseClass, v, L), key="f_class")
    stages = st.multiselect(T("filter.stage"), [s.value for s in Stage],
                            format_func=lambda v: vocab(Stage, v, L), key="f_stage")
    ecos = st.multiselect(T("filter.ecosystem"), [e.value for e in EcosystemType],
                          format_func=lambda v: vocab(EcosystemType, v, L), key="f_eco")

sel = cases
if counties:
    sel = sel[sel["region"].isin(counties)]
if classes:
    sel = sel[sel["case_class"].isin(classes)]
if stages:
    sel = sel[sel["stage"].isin(stages)]
if ecos:
    with_eco = set(sites.loc[sites["ecosystem_type"].isin(ecos), "case_id"].dropna())
    sel = sel[sel["case_id"].isin(with_eco)]
filtered = bool(counties or classes or stages or ecos)
shown_sites = sites[sites["case_id"].isin(sel["case_id"])] if filtered else sites

with shown_errors():
    k = data.cached("dashboards.kpis.overview_numbers", tuple(sel["case_id"]), config.today())
    c = st.columns(5)
    c[0].metric(T("kpi.open_cases"), k["open_cases"])
    c[1].metric(T("kpi.overdue"), k["overdue"])
    c[2].metric(T("kpi.on_track_area"), area(k["on_track_ha"], L))
    c[3].metric(T("kpi.lagging_area"), area(k["lagging_ha"], L))
    c[4].metric(T("kpi.damage_total"), money(k["damage_yuan"], L))
    f = st.columns(3)
    f[0].metric(T("kpi.funds_due"), money(k["funds"]["due"], L))
    f[1].metric(T("kpi.funds_received"), money(k["funds"]["received"], L))
    f[2].metric(T("kpi.funds_disbursed"), money(k["funds"]["disbursed"], L))
    if k["overdue"]:
        od = k["overdue_table"]
        with st.expander(T("kpi.overdue_list", n=k["overdue"]), expanded=False):
            st.dataframe(pd.DataFrame({
                T("field.case_id"): od["case_id"], T("field.title"): od["title"],
                T("case.deadline"): od["en" if L == "en" else "zh"], T("case.due"): od["due_date"],
                T("case.days_left"): od["days_left"]}), hide_index=True, width="stretch")

left, right = st.columns([3, 1])
with right:
    colour_by = st.radio(T("map.colour_by"), ["stage", "class"], horizontal=True,
                         format_func=lambda v, lang=L: t(f"map.colour_{v}", lang), key="colour_by")
    open_sel = sel[sel["stage"].isin([s.value for s in OPEN_STAGES])]
    by_stage = open_sel["stage"].value_counts().reindex([s.value for s in OPEN_STAGES], fill_value=0)
    st.caption(T("kpi.by_stage"))
    st.bar_chart(pd.DataFrame({T("kpi.cases"): by_stage.to_numpy()},
                              index=[vocab(Stage, s, L) for s in by_stage.index]), horizontal=True)
    by_class = open_sel["case_class"].value_counts()
    st.caption(T("kpi.by_class"))
    st.dataframe(pd.DataFrame({T("field.case_class"): [vocab(CaseClass, c, L) for c in by_class.index],
                               T("kpi.cases"): by_class.to_numpy()}), hide_index=True)
with left:
    m = maps.overview_map(shown_sites, cases, colour_by=colour_by, lang=L,
                          counties=data.layer("counties"), watersheds=data.layer("watersheds"))
    clicked = st_folium(m, height=560, use_container_width=True, key="overview_map",
                        returned_objects=["last_active_drawing"])

feature = (clicked or {}).get("last_active_drawing") or {}
case_id = (feature.get("properties") or {}).get("case_id")
if case_id:
    st.session_state["case_id"] = case_id
    st.switch_page("views/case.py")

st.subheader(T("overview.register"))
table = sel.assign(
    case_class=sel["case_class"].map(lambda v: vocab(CaseClass, v, L)),
    stage=sel["stage"].map(lambda v: vocab(Stage, v, L)),
    damage_amount_yuan=sel["damage_amount_yuan"].map(lambda v: money(v, L)),
)[["case_id", "title", "region", "case_class", "stage", "damage_amount_yuan", "discovered_date"]]
table.columns = [T(f"field.{c}") if c != "damage_amount_yuan" else T("field.damage_amount") for c in table.columns]
st.dataframe(table, hide_index=True, width="stretch")

d = st.columns(2)
with shown_errors():
    # files are built when clicked (a callable), not sent with every visit: at 20,000 sites the
    # layers GeoPackage alone is several MB (benchmarks/dashboard.py)
    d[0].download_button(T("download.register"), lambda: data.cached("dashboards.downloads.register_xlsx", config.today()),
                         file_name="case-register.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    d[1].download_button(T("download.layers"), lambda: data.cached("dashboards.downloads.layers_gpkg"),
                         file_name="restoration-layers.gpkg", mime="application/geopackage+sqlite3")
