"""Appraisal calculator (损害数额计算): imputed abatement cost with every value's source."""
import streamlit as st

from dashboards import appraisal_panels as panels
from dashboards.i18n import message, money
from dashboards.ui import T, lang, md, require_staff, rows_height, shown_errors

require_staff()
L = lang()
st.title(T("page.appraisal"))
st.caption(T("ap.intro"))

spec = panels.form(L)
result = None
with shown_errors():
    from restoration.appraisal import appraise_abatement
    result = appraise_abatement(spec, file_name=T("ap.form_name"))
if result is None:
    st.stop()

c = st.columns(3)
c[0].metric(T("ap.amount"), money(result.amount_yuan, L))
c[1].metric(T("ap.amount_yuan"), f"{result.amount_yuan:,.2f}")
c[2].metric(T("ap.gamma"), f"{next(r['value'] for r in result.rows if r['symbol'] == 'γ'):,.4g}")
st.info(panels.implied_class(result.amount_yuan, L))
if result.unverified:
    listed = result.unverified_zh if L == "zh" and result.unverified_zh else result.unverified
    st.warning(T("ap.unverified_warning") + "\n\n" + "\n".join(f"- {md(u)}" for u in listed))
for note in result.notes:  # the calculation's remarks, worded in the interface language
    st.caption(message(note, L))
steps = panels.result_table(result, L)
st.dataframe(steps, hide_index=True, width="stretch", height=rows_height(len(steps)))
panels.downloads(result, L)
panels.record_on_case(result, L)
