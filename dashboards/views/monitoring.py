"""Monitoring (监测): alert list across cases, per-site series and progress, raster date slider."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps, monitoring_panels as panels
from dashboards.ui import T, lang, require_staff, shown_errors
from restoration import config

require_staff()
L = lang()
st.title(T("page.monitoring"))

with shown_errors():
    alerts = data.cached("restoration.monitoring.alerts", None, today=config.today())
    st.subheader(T("mon.alerts", n=len(alerts)))
    if len(alerts):
        icon = {"high": "🔴", "medium": "🟠", "low": "🟡"}
        st.dataframe(pd.DataFrame({
            T("mon.severity"): alerts["severity"].map(icon),
            T("field.case_id"): alerts["case_id"], T("mon.site"): alerts["site_id"],
            T("mon.message"): alerts["message_en" if L == "en" else "message_zh"],
        }), hide_index=True, width="stretch")

    table = panels.progress_frame(None)
    st.subheader(T("mon.progress_all"))
    st.dataframe(panels.progress_view(table, L), hide_index=True, width="stretch")

    sites = data.layer("sites")
    monitored = sorted(set(table["site_id"]))
    site_id = st.selectbox(T("mon.site"), monitored, key="mon_site",
                           format_func=lambda s: f"{s} · {sites.set_index('site_id').loc[s, 'name']}")
    rows = table[table["site_id"] == site_id]
    panels.charts(rows, L)

    times = data.cached("restoration.monitoring.overlay.raster_times", "ndvi")
    site = sites[sites["site_id"] == site_id]
    if times and len(site):
        labels = [str(pd.Timestamp(x).date()) for x in times]
        chosen = st.select_slider(T("mon.raster_date"), options=labels, value=labels[-1], key="mon_date")
        window = data.cached("restoration.monitoring.overlay.raster_window",
                             tuple(float(v) for v in site.total_bounds), "ndvi", chosen)
        overlay = None if window is None else {"image": maps.ndvi_rgba(window["values"]),
                                               "bounds": window["bounds"], "name": f"NDVI {window['time']}"}
        m = maps.case_map(site, lang=L, overlay=overlay, counties=data.layer("counties"),
                          watersheds=data.layer("watersheds"))
        st_folium(m, height=420, use_container_width=True, returned_objects=[], key="mon_map")
