"""Dashboard parts of access control: the client address, the jurisdiction and
disclosure panel of a case, the permission matrix and the sign-in log (the session guard is
``dashboards.session``).

``restoration`` enforces every rule; these parts only show and ask.
"""
from __future__ import annotations

import os

import streamlit as st

from restoration import access, auth

from . import data, state
from .i18n import t


def client_address() -> str:
    """The visitor's address (for the per-client sign-in limit).

    Streamlit sees the connection's address; behind a reverse proxy that is the proxy's
    (127.0.0.1, shown by Streamlit as none), so every visitor would share one sign-in limit.
    With ``RESTORATION_TRUSTED_PROXY=1`` (set only when Streamlit listens on 127.0.0.1 behind
    the proxy of docs/deployment.md) the proxy's ``X-Real-IP`` header is used instead.
    """
    try:
        if os.environ.get("RESTORATION_TRUSTED_PROXY", "").strip() == "1":
            forwarded = (st.context.headers.get("X-Real-IP") or "").strip()
            if forwarded:
                return forwarded[:64]
        return st.context.ip_address or "unknown"
    except Exception:  # noqa: BLE001 - older Streamlit, or a test harness without a request
        return "unknown"


def may(action: str, **target) -> bool:
    """Whether the signed-in user may take ``action`` on ``target`` (``case_id=``,
    ``project_id=``...): ``restoration.access.allowed`` on the whole store (the write function
    checks again)."""
    who = data.actor()
    return who is not None and access.allowed(who, action, data.raw_store(), **target)


def gate(action: str, lang: str, **target) -> bool:
    """True when the signed-in user may take ``action`` on ``target``; otherwise a one-line
    notice of why (role, jurisdiction, not assigned) in place of the form, and False."""
    who = data.actor()
    reason = "role" if who is None else access.why_not(who, action, data.raw_store(), **target)
    if reason is None:
        return True
    role = access.role_label(who.role, lang) if who is not None else "—"
    st.caption(":material/lock: " + t(f"access.locked_{reason}", lang, action=access.action_label(action, lang),
                                       role=role))
    return False


def user_caption(user: dict, lang: str) -> str:
    tree = access.region_tree(data.raw_store())
    return t("auth.signed_in_region", lang, name=user["name"], role=access.role_label(user["role"], lang),
             region=tree.label(user.get("region") or access.PROVINCE, lang))


def case_access_panel(case: dict, lang: str) -> None:
    """Handling region, joint handlers, assigned appraisers, disclosure and public title of a
    case — editable by whoever ``restoration`` allows (others see them read-only)."""
    from restoration.cases.records import update_case
    from restoration.disclosure import title_template

    from .ui import form_key, shown_errors, submitted_once
    who = data.actor()
    tree = access.region_tree(data.raw_store())
    codes = tree.codes()
    if who is not None and who.region != access.PROVINCE:  # offer only regions inside the user's jurisdiction
        held = {case.get("handling_region"), *(case.get("joint_regions") or [])}  # (and what the case holds)
        codes = [c for c in codes if tree.contains(who.region, c) or c in held]
    label = lambda c: tree.label(c, lang)  # noqa: E731
    with st.expander(t("access.panel", lang)):
        can_assign, can_disclose = who.can("case.assign"), who.can("case.disclose")
        handling = case.get("handling_region") if case.get("handling_region") in codes else None
        joint = [c for c in (case.get("joint_regions") or []) if c in codes]
        form = f"access_{case['case_id']}"
        with st.form(form_key(form)):
            new_handling = st.selectbox(t("access.handling_region", lang), codes, format_func=label,
                                        index=codes.index(handling) if handling else 0, disabled=not can_assign)
            new_joint = st.multiselect(t("access.joint_regions", lang), codes, default=joint, format_func=label,
                                       disabled=not can_assign)
            appraisers = st.text_input(t("access.appraisers", lang), value="、".join(case.get("appraisers") or []),
                                       max_chars=400, disabled=not can_assign)
            disclosed = st.checkbox(t("access.disclosed", lang), value=bool(case.get("disclosed")),
                                    disabled=not can_disclose)
            public_title = st.text_input(t("access.public_title", lang), value=case.get("public_title") or "",
                                         max_chars=120, disabled=not can_disclose)
            st.caption(t("access.public_title_template", lang, title=title_template(case, tree)))
            submitted = st.form_submit_button(t("access.save", lang), disabled=not (can_assign or can_disclose))
        if submitted and (request := submitted_once(form)):
            changes = {}
            if can_assign:
                names = [n.strip() for n in appraisers.replace(",", "、").replace("，", "、").split("、") if n.strip()]
                changes.update(handling_region=new_handling, joint_regions=list(new_joint), appraisers=names)
            if can_disclose:
                changes.update(disclosed=disclosed, public_title=public_title.strip() or None)
            with shown_errors():
                saved = update_case(data.store(), case["case_id"], changes, who, expected_version=case["version"],
                                    request_id=request)
                st.session_state[state.loaded_version(case['case_id'])] = int(saved["version"])
                st.success(t("access.saved", lang))


def matrix_panel(lang: str) -> None:
    """The role × action matrix, as ``restoration.access`` enforces it."""
    with st.expander(t("access.matrix", lang)):
        st.dataframe(access.matrix_table(lang), width="stretch")


def signin_log_panel(lang: str) -> None:
    """The latest sign-ins (administrators only)."""
    who = data.actor()
    if who is None or not who.can("users.manage"):
        return
    with st.expander(t("access.signins", lang)):
        frame = auth.sign_in_log(data.raw_store())
        st.dataframe(signin_view(frame, lang), hide_index=True, width="stretch")


def _word(prefix: str, code, lang: str) -> str:
    """An audit code in words (``<prefix>.<code>``), or the code itself when it has none."""
    if code is None or code != code or code == "":
        return "—"
    key = f"{prefix}.{str(code).replace(' ', '_').replace('-', '_')}"
    word = t(key, lang)
    return str(code) if word == key else word


def signin_view(frame, lang: str):
    """The sign-in log with labelled columns: the event and its reason in words, never a raw
    record."""
    import pandas as pd
    after = [a if isinstance(a, dict) else {} for a in frame.get("after", pd.Series(dtype=object))]
    return pd.DataFrame({
        t("access.log_at", lang): frame["at"].astype(str).str.replace("T", " "),
        t("access.log_user", lang): frame["actor"].map(lambda v: "—" if v is None else str(v)),
        t("access.log_event", lang): frame["action"].map(lambda a: _word("audit", a, lang)),
        t("access.log_detail", lang): [
            ("；" if lang == "zh" else "; ").join(p for p in (
                _word("signin_reason", a.get("reason"), lang) if a.get("reason") else "",
                t("access.log_role", lang, role=access.role_label(a["role"], lang)) if a.get("role") else "",
                a.get("client") or "") if p) or "—"
            for a in after],
    })
