"""Overview (总览): every case and site on one map, KPI cards, filters."""
import html

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import clue_panels, data, maps, maps_scale, procedure_panels, state
from dashboards.i18n import area_short, message, money, money_short, t, text, vocab
from dashboards.kpis import deadline_column
from dashboards.ui import T, empty_state, lang, md_text, require_staff, rows_height, shown_errors
from restoration.model import OPEN_STAGES, CaseClass, EcosystemType, Stage

require_staff()
L = lang()
st.title(T("page.overview"))

cases = data.cases()
sites = data.sites()
if cases.empty and sites.empty:
    empty_state("empty.no_cases", "empty.no_cases_how")

with st.sidebar:
    st.subheader(T("filter.title"))
    any_ = T("filter.any")
    counties = st.multiselect(T("filter.county"), sorted(cases["region"].dropna().unique()), key=state.F_COUNTY,
                              placeholder=any_)
    classes = st.multiselect(T("filter.class"), [c.value for c in CaseClass], placeholder=any_,
                             format_func=lambda v: vocab(CaseClass, v, L), key=state.F_CLASS)
    stages = st.multiselect(T("filter.stage"), [s.value for s in Stage], placeholder=any_,
                            format_func=lambda v: vocab(Stage, v, L), key=state.F_STAGE)
    ecos = st.multiselect(T("filter.ecosystem"), [e.value for e in EcosystemType], placeholder=any_,
                          format_func=lambda v: vocab(EcosystemType, v, L), key=state.F_ECO)

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
    k = data.overview_numbers(tuple(sel["case_id"]))
    unknown = k["not_computable"]
    c = st.columns(6)
    c[0].metric(T("kpi.open_cases"), k["open_cases"])
    # while some deadlines cannot be computed, the overdue count covers only the others: say so
    c[1].metric(T("kpi.overdue_known") if unknown else T("kpi.overdue"), k["overdue"],
                help=T("kpi.overdue_advisory_help", n=k["overdue_advisory"]) if k["overdue_advisory"] else None)
    c[2].metric(T("kpi.not_computable"), unknown, help=T("kpi.not_computable_help"))
    c[3].metric(T("kpi.on_track_area"), area_short(k["on_track_ha"], L), help=T("unit.area_help"))
    c[4].metric(T("kpi.lagging_area"), area_short(k["lagging_ha"], L), help=T("unit.area_help"))
    c[5].metric(T("kpi.damage_total"), money_short(k["damage_yuan"], L), help=money(k["damage_yuan"], L))
    if unknown:
        c[2].markdown(f"[{T('kpi.not_computable_link')}](#not-computable)")
    f = st.columns(3)
    f[0].metric(T("kpi.funds_due"), money_short(k["funds"]["due"], L))
    f[1].metric(T("kpi.funds_received"), money_short(k["funds"]["received"], L))
    f[2].metric(T("kpi.funds_disbursed"), money_short(k["funds"]["disbursed"], L))
    if k["not_computed"]:
        from restoration.cases import available_profiles
        st.warning("\n".join("- " + T("overview.profile_problem", case_id=md_text(cid), profile=md_text(p),
                                       known=", ".join(available_profiles()))
                             for cid, p in k["not_computed"].items()))
    if unknown:
        gaps = k["not_computable_table"]
        st.markdown('<div id="not-computable"></div>', unsafe_allow_html=True)  # the KPI's link lands here
        with st.expander(T("kpi.not_computable_list", n=unknown), expanded=not k["overdue"]):
            st.dataframe(pd.DataFrame({  # what is missing before the (long) title: it is the point
                T("field.case_id"): gaps["case_id"], T("case.deadline"): gaps["en" if L == "en" else "zh"],
                T("case.missing"): gaps["missing"].map(lambda m: message(m, L)),
                T("field.title"): gaps["title"].map(text)}), hide_index=True, width="stretch")
    if k["overdue"]:
        od = k["overdue_table"]
        with st.expander(T("kpi.overdue_list", n=k["overdue"]), expanded=False):
            st.dataframe(pd.DataFrame({
                T("field.case_id"): od["case_id"], T("field.title"): od["title"],
                T("case.deadline"): od["en" if L == "en" else "zh"], T("case.due"): od["due_date"],
                T("case.days_overdue"): (-pd.to_numeric(od["days_left"], errors="coerce")).map(
                    lambda d: "—" if d != d else f"{d:,.0f}")}), hide_index=True, width="stretch")

left, right = st.columns([5, 2])
draw_map = bool(len(shown_sites) or len(data.counties()))  # nothing to draw: no empty map
with right:
    colour_by = "stage"
    if draw_map:  # the map's colours: no choice without a map
        colour_by = st.radio(T("map.colour_by"), ["stage", "class"], horizontal=True,
                             format_func=lambda v, lang=L: t(f"map.colour_{v}", lang), key=state.COLOUR_BY)
    open_sel = sel[sel["stage"].isin([s.value for s in OPEN_STAGES])]
    st.caption(T("kpi.by_stage"))
    if open_sel.empty:
        st.caption(T("empty.no_open_cases"))
    else:
        by_stage = open_sel["stage"].value_counts().reindex([s.value for s in OPEN_STAGES], fill_value=0)
        by_stage = by_stage[by_stage > 0]
        labels = [vocab(Stage, s, L) for s in by_stage.index]
        chart = alt.Chart(pd.DataFrame({"stage": labels, "n": by_stage.to_numpy()})).mark_bar().encode(
            y=alt.Y("stage:N", sort=labels, title=None, axis=alt.Axis(labelLimit=110)),  # workflow order
            x=alt.X("n:Q", title=T("kpi.cases"), axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("stage:N", title=T("field.stage")), alt.Tooltip("n:Q", title=T("kpi.cases"))])
        st.altair_chart(chart.properties(height=28 * len(labels) + 40), use_container_width=True)
        by_class = open_sel["case_class"].value_counts().reindex([c.value for c in CaseClass]).dropna()
        st.caption(T("kpi.by_class"))
        st.dataframe(pd.DataFrame({T("field.case_class"): [vocab(CaseClass, c, L) for c in by_class.index],
                                   T("kpi.cases"): by_class.astype(int).to_numpy()}), hide_index=True)
with left:
    if shown_sites.empty:
        empty_state("empty.no_sites", "empty.no_sites_how")
    clicked = None
    if draw_map:
        m = maps.overview_map(shown_sites, cases, colour_by=colour_by, lang=L,
                              counties=data.counties(), watersheds=data.watersheds())
        detail, watched = None, ["last_active_drawing"]
        if maps_scale.use_scaled(len(shown_sites)):
            # many sites: the map carries points; zoomed in, the sites in view come as polygons
            # (the view the browser reported on the run this pan or zoom started)
            view = st.session_state.get(state.OVERVIEW_MAP) or {}
            detail = maps_scale.view_detail(shown_sites, cases, view.get("bounds"), view.get("zoom"),
                                            colour_by=colour_by, lang=L)
            watched += ["bounds", "zoom"]
        clicked = st_folium(m, height=560, use_container_width=True, key=state.OVERVIEW_MAP,
                            returned_objects=watched, feature_group_to_add=detail)

feature = (clicked or {}).get("last_active_drawing") or {}
case_id = (feature.get("properties") or {}).get("case_id")
if case_id:
    st.session_state[state.CASE_ID] = html.unescape(case_id)  # map properties are HTML-escaped
    st.switch_page("views/case.py")

st.subheader(T("overview.register"))
if sel.empty:
    st.caption(T("empty.no_cases_short"))
else:
    table = sel.assign(
        case_class=sel["case_class"].map(lambda v: vocab(CaseClass, v, L)),
        stage=sel["stage"].map(lambda v: vocab(Stage, v, L)),
        damage_amount_yuan=sel["damage_amount_yuan"].map(lambda v: money(v, L)),
        region=sel["region"].fillna("—"), discovered_date=sel["discovered_date"].fillna("—"),
        deadlines=deadline_column(sel["case_id"], k, L),
    )[["case_id", "title", "region", "case_class", "stage", "deadlines", "damage_amount_yuan", "discovered_date"]]
    table.columns = [T(f"field.{c}") if c not in ("damage_amount_yuan", "deadlines") else
                     T("field.damage_amount") if c == "damage_amount_yuan" else T("case.deadlines")
                     for c in table.columns]
    st.dataframe(table, hide_index=True, width="stretch", height=rows_height(len(table)))

d = st.columns(2)
with shown_errors():
    # files are built when clicked (a callable), not sent with every visit
    d[0].download_button(T("download.register"), data.register_xlsx, file_name="case-register.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:")
    d[1].download_button(T("download.layers"), data.layers_gpkg, file_name="restoration-layers.gpkg",
                         mime="application/geopackage+sqlite3", icon=":material/download:")

with shown_errors():
    procedure_panels.screening_reports(L)  # clue screening reports and their form

with shown_errors():
    clue_panels.candidate_clues(L)  # candidate clues from imagery: evidence, accept, dismiss
