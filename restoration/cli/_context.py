"""What every command shares: the store, the actor, today, JSON output, logging.

One place decides where the store is (``--db`` > ``$RESTORATION_DB`` > the data folder's
GeoPackage), who is acting (``--actor`` > ``$RESTORATION_USER`` > the login name: one spelling
in the audit log whichever command writes) and which day it is (``--today`` >
``restoration.config.today()``).
"""
from __future__ import annotations

import json
import logging
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import click

from .. import access, config
from ..errors import InputError, Issue


def _root() -> dict:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    root = ctx.find_root()
    root.ensure_object(dict)
    return root.obj


def data_dir() -> Path:
    return Path(_root().get("data") or config.data_dir())


def location() -> str | Path:
    """The store's location: a ``postgresql://`` URL or the GeoPackage path."""
    return config.store_location(data_dir(), _root().get("db"))


def password_in(url: str | None) -> bool:
    """Whether a ``postgresql://`` URL carries a password (``user:pw@`` or ``?password=``)."""
    if not url or not re.match(r"^postgres(ql)?://", url):
        return False
    parts = urlsplit(url)
    try:
        has_user_password = parts.password is not None
    except ValueError:  # a malformed netloc: not ours to judge here
        has_user_password = ":" in parts.netloc.rpartition("@")[0]
    return has_user_password or "password" in {k.lower() for k, _ in parse_qsl(parts.query)}


def warn_password_on_command_line(url: str | None, where: str = "--db") -> None:
    """A password in a URL on the command line (``--db``, ``db copy``'s arguments) is visible to
    every user of the machine (``ps``, ``/proc/PID/cmdline``) while the command runs: say so, and
    how to avoid it."""
    if password_in(url):
        click.echo(f"警告 warning: the password in {where} is visible to every user of this machine (ps) while "
                   "the command runs; leave it out of the URL and keep it in ~/.pgpass or $PGPASSFILE "
                   "(or a libpq service file, --db 'postgresql:///?service=NAME'), or set RESTORATION_DB "
                   "in the environment instead (docs/deployment.md)", err=True)


def store(create: bool = False):
    """The store the command works on (refused when missing unless ``create``)."""
    from ..store import open_store
    return open_store(location(), create=create)


def actor(value: str | None = None) -> str:
    """Who is acting, as written to the audit log (the same spelling for every command)."""
    if value:
        return value
    root = _root().get("actor")
    if root:
        return root
    return access.login_name()


def parse_day(value: str | None, field: str = "--today") -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(Issue(f"'{value}' is not a date (use YYYY-MM-DD)", field=field)) from None


def root_today() -> str | None:
    """The root ``--today`` as given (None when not given)."""
    return _root().get("today")


def today(value: str | None = None) -> date:
    """The reference date: the command's ``--today``, the root ``--today``, else
    ``restoration.config.today()`` (``RESTORATION_TODAY`` or the real date)."""
    return parse_day(value) or parse_day(_root().get("today")) or config.today()


def strict(obj: Any) -> Any:
    """``obj`` with only JSON types: NaN/NaT/inf -> null, numpy/pandas scalars -> Python,
    dates -> ISO text, frames -> lists of records."""
    import numpy as np
    import pandas as pd
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, int):
        return obj
    if isinstance(obj, dict):
        return {str(k): strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [strict(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [strict(r) for r in obj.drop(columns="geometry", errors="ignore").to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return strict(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return [strict(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        return strict(obj.item())
    if obj is pd.NaT or (not isinstance(obj, (list, dict)) and _isna(obj)):
        return None
    if isinstance(obj, (pd.Timestamp, datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return f"<{len(obj)} bytes>"
    if hasattr(obj, "to_dict"):
        return strict(obj.to_dict())
    return str(obj)


def _isna(obj) -> bool:
    import pandas as pd
    try:
        return bool(pd.isna(obj))
    except (TypeError, ValueError):
        return False


def dumps(obj: Any, indent: int | None = 2) -> str:
    """Strict JSON (``allow_nan=False``: a NaN that slipped through fails loudly here)."""
    return json.dumps(strict(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def echo_json(obj: Any) -> None:
    click.echo(dumps(obj))


def setup_logging(verbose: int) -> None:
    """Diagnostics to stderr through ``logging``: warnings by default, INFO with ``-v``,
    DEBUG with ``-vv``."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    logging.getLogger("restoration").setLevel(level)


#: the options the case commands share (``--today``, ``--json``, ``--actor``, ``--expected-version``)
today_opt = click.option("--today", "today", default=None, help="Reference date YYYY-MM-DD (default: today).")
json_opt = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
actor_opt = click.option("--actor", default=None,
                         help="Who makes the change (default: $RESTORATION_USER or the login).")
version_opt = click.option("--expected-version", type=click.IntRange(min=0), default=None,
                           help="The case version you read; refused (exit 4) if it changed since.")
