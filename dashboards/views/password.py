"""Change one's own password (forced after a reset and for the demo account)."""
import streamlit as st

from dashboards import data, session
from dashboards.ui import T, shown_errors, user
from restoration import auth

st.title(T("page.password"))
me = user()
if me and me.get("must_change"):
    st.warning(T("auth.must_change"))
with st.form("password"):
    old = st.text_input(T("auth.old_password"), type="password", max_chars=200)
    new = st.text_input(T("auth.new_password"), type="password", max_chars=200)
    again = st.text_input(T("auth.new_password2"), type="password", max_chars=200)
    submitted = st.form_submit_button(T("auth.change"))
if submitted and me:
    if new != again:
        st.error(T("auth.mismatch"))
    else:
        with shown_errors():
            changed = auth.change_password(data.data_dir(), me["name"], old, new)
            session.begin(changed)  # the old password's sessions ended with it: this one goes on
            st.success(T("auth.changed"))
            st.rerun()

from dashboards import access_panels  # noqa: E402
from dashboards.ui import lang  # noqa: E402

access_panels.matrix_panel(lang())
access_panels.signin_log_panel(lang())
