"""Streamlit entry point: ``streamlit run dashboards/app.py`` (what ``restoration demo`` starts).

Public visitors see only the disclosure page and the sign-in page; staff pages are added to the
navigation only after sign-in, so they cannot be reached by URL without it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repository root
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards import assets  # noqa: E402
from dashboards.i18n import LANGUAGES, t  # noqa: E402

st.set_page_config(page_title="生态环境损害修复监管平台", page_icon="🌿", layout="wide")
assets.ensure_static()

if "lang" not in st.session_state:
    st.session_state["lang"] = "zh"
lang = st.sidebar.radio("语言 / Language", LANGUAGES, key="lang",
                        format_func=lambda code: {"zh": "中文", "en": "English"}[code], horizontal=True)

views = Path(__file__).with_name("views")
public = st.Page(views / "public.py", title=t("page.public", lang), icon="📢", url_path="public")
user = st.session_state.get("user")
if user is None:
    login = st.Page(views / "login.py", title=t("page.login", lang), icon="🔑", url_path="login")
    pages = {t("nav.public", lang): [public, login]}
else:
    staff = [
        st.Page(views / "overview.py", title=t("page.overview", lang), icon="🗺️", url_path="overview", default=True),
        st.Page(views / "case.py", title=t("page.case", lang), icon="📁", url_path="case"),
        st.Page(views / "bank.py", title=t("page.bank", lang), icon="🌳", url_path="bank"),
        st.Page(views / "monitoring.py", title=t("page.monitoring", lang), icon="📈", url_path="monitoring"),
        st.Page(views / "equivalence.py", title=t("page.equivalence", lang), icon="⚖️", url_path="equivalence"),
        st.Page(views / "appraisal.py", title=t("page.appraisal", lang), icon="🧮", url_path="appraisal"),
    ]
    pages = {t("nav.staff", lang): staff, t("nav.public", lang): [public]}
    st.sidebar.caption(t("auth.signed_in", lang, name=user["name"], role=user["role"]))
    if st.sidebar.button(t("auth.sign_out", lang)):
        del st.session_state["user"]
        st.rerun()

st.navigation(pages).run()
