"""Small helpers every page uses: language, labels, the signed-in user, readable errors."""
from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from restoration.errors import ConflictError, InputError, PermissionDenied, RestorationError

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


@contextmanager
def shown_errors():
    """Turn the platform's errors into readable messages instead of tracebacks."""
    try:
        yield
    except ConflictError as exc:
        st.warning(f"{T('error.conflict')}: {exc}")
    except InputError as exc:
        st.error(T("error.input") + "\n\n" + "\n".join(f"- {i}" for i in exc.issues))
    except PermissionDenied as exc:
        st.error(f"{T('error.denied')}: {exc}")
    except RestorationError as exc:
        st.error(f"{T('error.generic')}: {exc}")
