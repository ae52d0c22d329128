"""Equivalence calculator (等值计算): an interactive scenario editor with live results."""

import streamlit as st
import yaml

import equivalence
from dashboards import equivalence_panels as panels
from dashboards.case_panels import scenario_error
from dashboards.i18n import area, money
from dashboards.ui import T, lang, require_staff, show_flash

require_staff()
L = lang()
st.title(T("page.equivalence"))
st.caption(T("eq.intro"))
show_flash()

scenario = panels.editor(L)
with st.expander(T("eq.yaml")):
    st.code(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), language="yaml")

# invalid input: say what is wrong and show no result (never the previous one)
problems = panels.validate(scenario, L)
result = None
if problems:
    st.error(T("eq.invalid") + "\n\n" + "\n".join(f"- {p}" for p in problems), icon=":material/error:")
else:
    try:
        result = equivalence.run_scenario(scenario)
    except equivalence.ScenarioError as exc:
        st.error(scenario_error(exc, L), icon=":material/error:")

if result is not None:
    c = st.columns(4)
    if result.debit is not None:
        c[0].metric(T("eq.debit"), panels.debit_text(result, L))
    if result.debit_value is not None:
        c[0].metric(T("eq.debit_value"), money(result.debit_value, L))
    c[1].metric(panels.credit_label(result, L), panels.credit_text(result, L))
    c[2].metric(T("eq.required_scale"), panels.scale_text(result, L))
    if result.required_area_ha is not None:
        c[3].metric(T("eq.required_area"), f"{result.required_area_ha:,.2f} {T('unit.ha')}",
                    help=area(result.required_area_ha, L))

    if result.percentiles:
        st.subheader(T("eq.uncertainty"))
        st.dataframe(panels.percentiles_view(result.percentiles, L), hide_index=True, width="stretch")

    from equivalence import plotting  # noqa: E402  (matplotlib only when the page is shown)
    # the curves at the page's width (readable labels); the uncertainty charts side by side
    st.pyplot(plotting.plot_service_curves(result, lang=L, figsize=(10, 5.5)), clear_figure=True)
    if result.monte_carlo is not None:
        plots = st.columns(2)
        with plots[0]:
            st.pyplot(plotting.plot_tornado(result, lang=L, figsize=(7, 4.5)), clear_figure=True)
        with plots[1]:
            st.pyplot(plotting.plot_mc_histogram(result, lang=L, figsize=(7, 4.5)), clear_figure=True)

    st.subheader(T("eq.yearly"))
    left, right = st.columns(2)
    left.caption(T("eq.debit_table"))
    left.dataframe(panels.yearly_view(result.debit_yearly, L), hide_index=True, width="stretch")
    if result.credit_yearly is not None:
        right.caption(T("eq.credit_table"))
        right.dataframe(panels.yearly_view(result.credit_yearly, L), hide_index=True, width="stretch")

    from restoration.reports.equivalence_xlsx import equivalence_xlsx  # noqa: E402
    st.download_button(T("eq.download_xlsx"), equivalence_xlsx(result), file_name="equivalence.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:")
panels.case_link(scenario, result, L)
