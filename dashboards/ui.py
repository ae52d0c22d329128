"""Small helpers every page uses: language, labels, the signed-in user, readable errors."""
from __future__ import annotations

import re
from contextlib import contextmanager

import streamlit as st

from restoration.errors import ConflictError, InputError, RestorationError

from . import i18n


def lang() -> str:
    return st.session_state.get("lang", "zh")


def T(key: str, **fmt) -> str:
    return i18n.t(key, lang(), **fmt)


def user():
    return st.session_state.get("user")


def require_staff() -> None:
    """Stop the page for anyone not signed in (pages are also left out of the navigation)."""
    if user() is None:
        st.error(T("auth.required"))
        st.stop()


def md_text(value) -> str:
    """A stored value shown inside Markdown (st.warning, st.markdown) as plain text: Markdown and
    HTML characters escaped, control characters and line breaks removed, at most 200 characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(value))[:200]
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~&$])", r"\\\1", text)


@contextmanager
def shown_errors():
    """Turn the platform's errors into readable messages instead of tracebacks."""
    try:
        yield
    except ConflictError as exc:
        st.warning(f"{T('error.conflict')}: {exc}")
    except InputError as exc:
        st.error(T("error.input") + "\n\n" + "\n".join(f"- {i}" for i in exc.issues))
    except RestorationError as exc:
        st.error(f"{T('error.generic')}: {exc}")
