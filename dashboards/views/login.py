"""Staff sign-in (管理人员登录): throttled and audited by ``restoration.auth``."""
import streamlit as st

from dashboards import data, session
from dashboards.access_panels import client_address
from dashboards.ui import T
from restoration import auth

st.title(T("page.login"))
with st.form("login"):
    name = st.text_input(T("auth.name"), max_chars=100)
    password = st.text_input(T("auth.password"), type="password", max_chars=200)
    submitted = st.form_submit_button(T("auth.sign_in"), icon=":material/login:")
if submitted:
    result = auth.sign_in(data.data_dir(), name.strip(), password, client=client_address())
    if result.status == "locked":
        st.error(T("auth.locked", seconds=result.retry_after))
    elif not result.ok:
        st.error(T("auth.failed"))
    else:
        session.begin(result.user)  # a signed session: a reload or a new tab stays signed in
        st.rerun()
st.caption(T("auth.hint"))
