"""Monitoring (监测): alert list across cases, per-site series and progress, raster date slider."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps, monitoring_panels as panels, state
from dashboards.i18n import text
from dashboards.ui import T, empty_state, lang, require_staff, rows_height, shown_errors

require_staff()
L = lang()
st.title(T("page.monitoring"))

with shown_errors():
    table = panels.progress_frame(None)
    if table.empty:
        # nothing to follow yet: say what is missing and how to add it
        sites = data.sites()
        if sites.empty:
            empty_state("empty.no_sites", "empty.no_sites_how")
        else:
            empty_state("empty.no_monitoring", "empty.no_monitoring_how")
        st.stop()

    alerts = data.alerts()
    st.subheader(T("mon.alerts", n=len(alerts)))
    if len(alerts):
        st.dataframe(panels.alerts_view(alerts, L), hide_index=True, width="stretch")
    else:
        st.caption(T("empty.no_alerts"))

    st.subheader(T("mon.progress_all"))
    st.dataframe(panels.progress_view(table, L), hide_index=True, width="stretch", height=rows_height(len(table)))

    sites = data.sites()
    names = sites.set_index("site_id")["name"]
    monitored = sorted(set(table["site_id"]))
    site_id = st.selectbox(T("mon.site"), monitored, key=state.MON_SITE,
                           format_func=lambda s: f"{s} · {text(names.get(s))}")
    rows = table[table["site_id"] == site_id]
    panels.charts(rows, L)

    times = data.raster_times("ndvi")
    site = sites[sites["site_id"] == site_id]
    if len(site):
        overlay = None
        if times:
            labels = [str(pd.Timestamp(x).date()) for x in times]
            chosen = st.select_slider(T("mon.raster_date"), options=labels, value=labels[-1], key=state.MON_DATE)
            window = data.raster_window(tuple(float(v) for v in site.total_bounds), "ndvi", chosen)
            overlay = None if window is None else {"image": maps.ndvi_rgba(window["values"]),
                                                   "bounds": window["bounds"], "name": f"NDVI {window['time']}"}
        else:
            st.caption(T("empty.no_rasters"))
        m = maps.case_map(site, lang=L, overlay=overlay, counties=data.counties(), watersheds=data.watersheds())
        st_folium(m, height=420, use_container_width=True, returned_objects=[], key="mon_map")
