"""Where data lives.

The data folder: ``--data DIR`` > ``RESTORATION_DATA`` > ``./restoration-data``. The store: a
database server when ``--db URL`` or ``RESTORATION_DB`` names one (``postgresql://…``), else the
GeoPackage ``platform.gpkg`` in the data folder (the default, with no configuration).
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

STORE_FILE = "platform.gpkg"
ENV_VAR = "RESTORATION_DATA"
DB_ENV_VAR = "RESTORATION_DB"
DEFAULT_DIR = "restoration-data"


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data folder: the explicit value, else $RESTORATION_DATA, else ./restoration-data."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path.cwd() / DEFAULT_DIR


def store_path(explicit: str | os.PathLike | None = None) -> Path:
    return data_dir(explicit) / STORE_FILE


def store_location(data: str | os.PathLike | None = None, db: str | None = None) -> str | Path:
    """Where the store is: ``db`` (``--db``) > ``$RESTORATION_DB`` > the data folder's GeoPackage."""
    url = db or os.environ.get(DB_ENV_VAR)
    if url:
        return url
    return store_path(data)


def sample_dir() -> Path:
    """The committed sample data next to the package (an editable install / source checkout)."""
    return Path(__file__).resolve().parents[1] / "sample_data"


def today() -> date:
    """The date deadlines and progress are computed for: ``RESTORATION_TODAY`` (YYYY-MM-DD) when
    set — for reproducible demos and tests of a fixed sample — else the real date."""
    fixed = os.environ.get("RESTORATION_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()
