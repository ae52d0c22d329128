"""Streamlit entry point: ``streamlit run dashboards/app.py`` (what ``restoration demo`` starts).

Public visitors see only the disclosure page and the sign-in page; staff pages are added to the
navigation only after sign-in, so they cannot be reached by URL without it. A session ends when
idle or open too long, or when its account is disabled or changed; a user whose password must
change sees only the password page. Writes act for the signed-in user: ``restoration`` checks
their role and region, and refuses any write that names no signed-in user.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repository root
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards import access_panels, assets, session  # noqa: E402
from dashboards import state  # noqa: E402
from dashboards.i18n import LANGUAGES, t  # noqa: E402
from dashboards.ui import md, page_css, uploader_text  # noqa: E402
from restoration import access  # noqa: E402

access.refuse_plain_names()  # in this server, only signed-in users act
st.set_page_config(page_title="生态环境损害修复监管平台", page_icon=":material/forest:", layout="wide")
assets.ensure_static()

if state.LANG not in st.session_state:
    st.session_state[state.LANG] = "zh"
lang = st.sidebar.radio("语言 / Language", LANGUAGES, key=state.LANG,
                        format_func=lambda code: {"zh": "中文", "en": "English"}[code], horizontal=True)

views = Path(__file__).with_name("views")
public = st.Page(views / "public.py", title=t("page.public", lang), icon=":material/campaign:", url_path="public")
register = st.Page(views / "register.py", title=t("page.register", lang), icon=":material/park:", url_path="register")
user = session.guard(lang)
if user is None:
    session.signed_out_notice(lang)
    login = st.Page(views / "login.py", title=t("page.login", lang), icon=":material/login:", url_path="login")
    pages = {t("nav.public", lang): [public, register, login]}
elif user.get("must_change"):
    password = st.Page(views / "password.py", title=t("page.password", lang), icon=":material/key:", url_path="password")
    pages = {t("nav.staff", lang): [password]}
else:
    staff = [
        st.Page(views / "overview.py", title=t("page.overview", lang), icon=":material/map:", url_path="overview", default=True),
        st.Page(views / "case.py", title=t("page.case", lang), icon=":material/folder_open:", url_path="case"),
        st.Page(views / "bank.py", title=t("page.bank", lang), icon=":material/park:", url_path="bank"),
        st.Page(views / "monitoring.py", title=t("page.monitoring", lang), icon=":material/monitoring:", url_path="monitoring"),
        st.Page(views / "equivalence.py", title=t("page.equivalence", lang), icon=":material/balance:", url_path="equivalence"),
        st.Page(views / "appraisal.py", title=t("page.appraisal", lang), icon=":material/calculate:", url_path="appraisal"),
        st.Page(views / "password.py", title=t("page.password", lang), icon=":material/key:", url_path="password"),
    ]
    pages = {t("nav.staff", lang): staff, t("nav.public", lang): [public, register]}
if user is not None:
    st.sidebar.caption(access_panels.user_caption(user, lang))
    if st.sidebar.button(t("auth.sign_out", lang)):
        session.end()
        st.rerun()
session.cookie_script()  # a reload or a new tab resumes the session; a signed-out page forgets it

uploader_text(lang)
page_css()
st.navigation(pages).run()
