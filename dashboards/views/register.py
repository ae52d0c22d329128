"""The project bank's public register (项目库公开登记簿): read-only, no sign-in, built by
``restoration.bank.register`` from the disclosure allow-list; every text it shows passed the
personal-data detector there."""
import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps
from dashboards.i18n import number, unit_word, vocab, vocab_code
from dashboards.ui import T, lang, rows_height
from restoration.bank.register import search
from restoration.model import EcosystemType, ProjectStatus

L = lang()
st.title(T("page.register"))
st.caption(T("register.intro"))
register = data.public_register()

if register.empty:
    st.info(T("register.none"), icon=":material/info:")
else:
    c = st.columns(3)
    county = c[0].selectbox(T("register.county"), [""] + sorted(set(register["county"]) - {"—"}),
                            format_func=lambda v: v or T("register.all"), key=f"register_county_{L}")
    ecosystem = c[1].selectbox(T("register.ecosystem"), [""] + sorted(set(register["ecosystem_type"])),
                               format_func=lambda v: vocab(EcosystemType, v, L) if v else T("register.all"),
                               key=f"register_ecosystem_{L}")  # worded options: one widget per language
    least = c[2].number_input(T("register.min_remaining"), min_value=0.0, value=0.0, step=1.0)
    shown = search(register, county=county or None, ecosystem=ecosystem or None, min_remaining=least or None)
    st.caption(T("register.count", n=len(shown), total=len(register)))
    if len(shown) or len(data.counties()):
        cap = shown["capacity"].where(shown["capacity"] > 0)
        frame = shown.assign(remaining_fraction=shown["remaining_released"] / cap,
                             name=shown["name"] if L == "zh" else shown["name_en"])
        m = maps.bank_map(frame, lang=L, counties=data.counties(), watersheds=data.watersheds())
        st_folium(m, height=440, use_container_width=True, returned_objects=[], key="register_map")
    units = [unit_word(u, L) for u in shown["capacity_unit"]]
    st.dataframe(pd.DataFrame({
        T("register.project"): shown["project_id"] + " " + (shown["name"] if L == "zh" else shown["name_en"]),
        T("register.county"): shown["county"],
        T("register.ecosystem"): shown["ecosystem_type"].map(lambda v: vocab(EcosystemType, v, L)),
        T("bank.status"): shown["status"].map(lambda v: vocab(ProjectStatus, v, L)),
        T("bank.capacity"): [number(v, 2, u) for v, u in zip(shown["capacity"], units)],
        T("bank.col_released"): [number(v, 2, u) for v, u in zip(shown["released"], units)],
        T("bank.allocated"): [number(v, 2, u) for v, u in zip(shown["allocated"], units)],
        T("bank.remaining_released"): [number(v, 2, u) for v, u in zip(shown["remaining_released"], units)],
        T("bank.next_milestone"): shown["next_milestone"].map(lambda c: vocab_code("bank_milestone", c or None, L)),
    }), hide_index=True, width="stretch", height=rows_height(len(shown)))
    if len(shown):
        pick = st.selectbox(T("register.details"), shown["project_id"].tolist(), key="register_project")
        row = shown.set_index("project_id").loc[pick]
        u = unit_word(row["capacity_unit"], L)
        tranches = json.loads(row["tranches"])
        if tranches:
            st.subheader(T("register.tranches"))
            st.dataframe(pd.DataFrame({
                T("register.share"): [f"{t['share'] * 100:.0f}%" for t in tranches],
                T("register.milestone"): [vocab_code("bank_milestone", t["milestone"], L) for t in tranches],
                T("bank.status"): [vocab_code("bank_tranche_state", t["state"], L) for t in tranches],
                T("register.reached_on"): [t["reached_on"] or "—" for t in tranches],
            }), hide_index=True, width="stretch")
        allocs = json.loads(row["allocations"])
        if allocs:
            st.subheader(T("register.allocations"))
            st.dataframe(pd.DataFrame({
                T("register.case"): [a["case"] or "—" for a in allocs],
                T("register.title"): [(a["title"] if L == "zh" else a["title_en"]) or "—" for a in allocs],
                T("register.amount"): [number(a["amount"], 2, u) for a in allocs],
            }), hide_index=True, width="stretch")
