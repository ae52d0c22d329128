"""Equivalence calculator (等值计算): an interactive scenario editor with live results."""
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

import equivalence
from dashboards import equivalence_panels as panels
from dashboards.i18n import area
from dashboards.ui import T, lang, require_staff

require_staff()
L = lang()
st.title(T("page.equivalence"))
st.caption(T("eq.intro"))

scenario = panels.editor(L)
with st.expander(T("eq.yaml")):
    st.code(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), language="yaml")

try:
    result = equivalence.run_scenario(scenario)
except equivalence.ScenarioError as exc:
    st.error(f"{T('eq.invalid')}: {exc}")
    st.stop()

units = result.units
c = st.columns(4)
if result.debit is not None:
    c[0].metric(T("eq.debit"), f"{result.debit:,.2f} {units.get('debit', '')}")
if result.debit_value is not None:
    c[0].metric(T("eq.debit_value"), f"{result.debit_value / 1e4:,.2f} 万元")
c[1].metric(T("eq.credit_per_unit"), f"{result.credit_per_unit:,.4f} {units.get('credit_per_unit', '')}")
c[2].metric(T("eq.required_scale"), f"{result.required_scale:,.3f} {result.scale_unit}")
if result.required_area_ha is not None:
    c[3].metric(T("eq.required_area"), area(result.required_area_ha, L))
for note in result.notes:
    st.caption(note)

if result.percentiles:
    st.subheader(T("eq.uncertainty"))
    st.dataframe(pd.DataFrame(result.percentiles).T, width="stretch")

plots = st.columns(2 if result.monte_carlo is None else 3)
from equivalence import plotting  # noqa: E402  (matplotlib only when the page is shown)
with plots[0]:
    st.pyplot(plotting.plot_service_curves(result, lang=L), clear_figure=True)
if result.monte_carlo is not None:
    with plots[1]:
        st.pyplot(plotting.plot_tornado(result, lang=L), clear_figure=True)
    with plots[2]:
        st.pyplot(plotting.plot_mc_histogram(result, lang=L), clear_figure=True)

st.subheader(T("eq.yearly"))
left, right = st.columns(2)
left.caption(T("eq.debit_table"))
left.dataframe(result.debit_yearly, hide_index=True, width="stretch")
if result.credit_yearly is not None:
    right.caption(T("eq.credit_table"))
    right.dataframe(result.credit_yearly, hide_index=True, width="stretch")

from restoration.reports.equivalence_xlsx import write_equivalence_xlsx  # noqa: E402
with tempfile.TemporaryDirectory() as tmp:
    path = write_equivalence_xlsx(result, Path(tmp) / "equivalence.xlsx")
    st.download_button(T("eq.download_xlsx"), path.read_bytes(), file_name="equivalence.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
panels.case_link(scenario, result, L)
