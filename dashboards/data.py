"""The dashboards' only door to data: ``restoration``'s API, cached on the store's version.

Every cached read takes the store version as part of its key, so a write (which bumps the
version) makes the next rerun read fresh data, and nothing stale survives an edit.

Staff read through ``restoration.access``: the store handed to ``restoration``'s functions is the
signed-in user's scoped view (only their region's cases, sites and bank projects), and every
table a call returns is restricted the same way; the cache key holds the user. The public page
reads only ``public(...)`` — the disclosure functions, which publish by allow-list.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from restoration import access, config, ensure_store
from restoration.store import Store


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return ensure_store(Path(path))


def data_dir() -> Path:
    return config.data_dir()


def actor() -> access.Actor | None:
    """The signed-in user as ``restoration`` sees them (None for a public visitor)."""
    user = st.session_state.get("user")
    if not user:
        return None
    return access.Actor(user["name"], user["role"], user.get("region") or access.PROVINCE)


def _key(who: access.Actor | None) -> tuple | None:
    return None if who is None else (who.name, who.role, who.region)


def _actor_of(key: tuple | None) -> access.Actor | None:
    return None if key is None else access.Actor(*key)


def raw_store() -> Store:
    """The whole store (sign-in and the public page's allow-listed functions only)."""
    return _store(str(data_dir().resolve()))


def store():
    """The store as the signed-in user may see it (their region); writes check their role."""
    who = actor()
    if who is None:
        raise access.PermissionDenied("sign in to read staff data")
    return access.scoped(raw_store(), who)


def version() -> int:
    return raw_store().version


@st.cache_data(show_spinner=False, max_entries=64)
def _layer(path: str, store_version: int, layer: str, who: tuple | None) -> pd.DataFrame:
    s = _store(path)
    frame = s.read(layer)
    return frame if who is None else access.restrict(s, _actor_of(who), frame, layer)


def layer(name: str) -> pd.DataFrame:
    """A whole layer as the signed-in user may see it, cached until the store changes (a public
    visitor gets only the reference layers: counties and watersheds)."""
    who = actor()
    if who is None and name not in ("counties", "watersheds"):
        raise access.PermissionDenied("sign in to read staff data")
    return _layer(str(data_dir().resolve()), version(), name, _key(who))


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_call(path: str, store_version: int, fn_name: str, args: tuple, kwargs: tuple,
                 who: tuple | None) -> object:
    import importlib
    module_name, attr = fn_name.rsplit(".", 1)
    fn = getattr(importlib.import_module(module_name), attr)
    if who is None:  # the public page: the disclosure functions on the whole store
        return fn(_store(path), *args, **dict(kwargs))
    user = _actor_of(who)
    result = fn(access.scoped(_store(path), user), *args, **dict(kwargs))
    return access.restrict(_store(path), user, result)


def cached(fn_name: str, *args, **kwargs) -> object:
    """Call ``module.function(store, *args, **kwargs)`` through the cache, keyed on the store
    version and the signed-in user (so any write makes the next call recompute)."""
    who = actor()
    if who is None:
        raise access.PermissionDenied("sign in to read staff data")
    return _cached_call(str(data_dir().resolve()), version(), fn_name, args, tuple(sorted(kwargs.items())),
                        _key(who))


#: what the public page may call: the allow-listed disclosure functions, nothing else
PUBLIC_CALLS = ("restoration.disclosure.public_cases", "restoration.disclosure.public_sites",
                "restoration.disclosure.public_case_items")


def public(fn_name: str) -> object:
    """A disclosure function's result for the public page (the same for every visitor)."""
    if fn_name not in PUBLIC_CALLS:
        raise access.PermissionDenied(f"{fn_name} is not a public disclosure function")
    return _cached_call(str(data_dir().resolve()), version(), fn_name, (), (), None)
