"""The dashboards' only door to data: ``restoration``'s API, cached on the store's version.

Every cached read takes the store version as part of its key, so a write (which bumps the
version) makes the next rerun read fresh data, and nothing stale survives an edit.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from restoration import config, ensure_store
from restoration.store import Store


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    """One Store per location for the whole server (on PostGIS its pooled connections are shared
    by every session)."""
    if path.startswith(("postgresql://", "postgres://")):
        return ensure_store(db=path)
    return ensure_store(Path(path))


def data_dir() -> Path:
    return config.data_dir()


def _location() -> str:
    """The store's location as a cache key: the database URL, else the data folder."""
    location = config.store_location()
    return location if isinstance(location, str) else str(data_dir().resolve())


def store() -> Store:
    return _store(_location())


def version() -> int:
    return store().version


@st.cache_data(show_spinner=False, max_entries=64)
def _layer(path: str, store_version: int, layer: str) -> pd.DataFrame:
    return _store(path).read(layer)


def layer(name: str) -> pd.DataFrame:
    """A whole layer, cached until the store changes."""
    return _layer(_location(), version(), name)


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_call(path: str, store_version: int, fn_name: str, args: tuple, kwargs: tuple) -> object:
    import importlib
    module_name, attr = fn_name.rsplit(".", 1)
    fn = getattr(importlib.import_module(module_name), attr)
    return fn(_store(path), *args, **dict(kwargs))


def cached(fn_name: str, *args, **kwargs) -> object:
    """Call ``module.function(store, *args, **kwargs)`` through the cache, keyed on the store
    version (so any write makes the next call recompute)."""
    return _cached_call(_location(), version(), fn_name, args, tuple(sorted(kwargs.items())))
