"""Staff sign-in (管理人员登录)."""
import streamlit as st

from dashboards import data, state
from dashboards.ui import T
from restoration import auth

st.title(T("page.login"))
with st.form("login"):
    name = st.text_input(T("auth.name"), max_chars=100)
    password = st.text_input(T("auth.password"), type="password", max_chars=200)
    submitted = st.form_submit_button(T("auth.sign_in"), icon=":material/login:")
if submitted:
    user = auth.authenticate(data.data_dir(), name.strip(), password)
    if user is None:
        st.error(T("auth.failed"))
    else:
        st.session_state[state.USER] = {"name": user.name, "role": user.role}
        st.rerun()
st.caption(T("auth.hint"))
