"""Where data lives.

The data folder: ``--data DIR`` > ``RESTORATION_DATA`` > ``./restoration-data``. The store: a
database server when ``--db URL`` or ``RESTORATION_DB`` names one (``postgresql://…``), else the
GeoPackage ``platform.gpkg`` in the data folder (the default, with no configuration).
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

STORE_FILE = "platform.gpkg"
ENV_VAR = "RESTORATION_DATA"
DB_ENV_VAR = "RESTORATION_DB"
DEFAULT_DIR = "restoration-data"
#: how the audit log, ``updated_at`` and other stored UTC times are written (ISO 8601, seconds)
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: the rule profile of a case that names none (``restoration/profiles``: the sample region's province)
DEFAULT_PROFILE = "guangxi"


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


def now_utc(fmt: str = UTC_FORMAT) -> str:
    """The current time in UTC as the store writes it (``UTC_FORMAT``, e.g.
    ``2026-11-20T08:15:00``): audit entries, ``updated_at``, ingest, evaluation and ledger times.
    ``fmt``: another ``strftime`` format where a file format prescribes one (the GeoPackage's
    ``last_change``). Always the real clock — ``RESTORATION_TODAY`` fixes the date deadlines are
    computed for, not when a change happened."""
    return datetime.now(timezone.utc).strftime(fmt)
