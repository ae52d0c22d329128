"""Read a field package back: its base snapshot and its GeoPackage, every value checked.

Nothing here trusts the folder: the snapshot must be the platform's (format, version, ids), the
``inspections`` layer must have the form's fields, and each value must have its field's type —
a GeoPackage edited by hand (a text in the cover, ``是`` in a check box, a date that is no date)
is refused with the row (the feature id) and the field named. Photos are checked by
:mod:`.photos`.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..errors import InputError, Issue
from .form import FIELDS, FormField
from .package import BASE_NAME, FORMAT, FORMAT_VERSION
from .project import GPKG_NAME

#: largest base snapshot read (bytes): a 500-site region's is well under 1 MB
MAX_BASE_BYTES = 50_000_000


@dataclass(frozen=True)
class Inspection:
    """One inspection row of a package, typed."""

    row: int
    values: Mapping[str, Any]
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Package:
    """A package as read: the folder, the base snapshot, the inspections and the sites layer."""

    folder: Path
    base: Mapping[str, Any]
    inspections: list[Inspection]
    sites: gpd.GeoDataFrame
    issues: list[Issue] = field(default_factory=list)

    @property
    def package_id(self) -> str:
        return str(self.base["package_id"])


def _base(folder: Path) -> dict:
    path = folder / BASE_NAME
    source = str(path)
    if not path.is_file():
        raise InputError(Issue(f"no {BASE_NAME} in the folder: not a field package exported by the platform "
                               "(export one with `restoration field export`)", source=source))
    if path.stat().st_size > MAX_BASE_BYTES:
        raise InputError(Issue("the base snapshot is too large to be the platform's", source=source))
    try:
        base = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(Issue(f"the base snapshot is not valid UTF-8 JSON ({exc})", source=source)) from None
    if not isinstance(base, dict) or base.get("format") != FORMAT:
        raise InputError(Issue("not a field package's base snapshot", source=source, field="format"))
    if base.get("version") != FORMAT_VERSION:
        raise InputError(Issue(f"package format version {base.get('version')!r}; this platform reads "
                               f"{FORMAT_VERSION}", source=source, field="version"))
    for key, kind in (("package_id", str), ("store_id", str), ("case_ids", list), ("sites", dict), ("seq", int)):
        if not isinstance(base.get(key), kind):
            raise InputError(Issue(f"missing or malformed '{key}'", source=source, field=key))
    return base


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def typed(f: FormField, value: Any) -> Any:
    """``value`` as field ``f`` holds it, or ValueError saying what is wrong."""
    if isinstance(value, np.generic):
        value = value.item()
    if _missing(value) or (isinstance(value, str) and not value.strip() and f.kind != "text"):
        if f.required:
            raise ValueError("is empty; the form requires it")
        return None
    if f.kind in ("text", "photo"):
        if not isinstance(value, str):
            raise ValueError(f"is {type(value).__name__}, not text")
        if f.required and not value.strip():
            raise ValueError("is empty; the form requires it")
        if len(value) > f.max_len:
            raise ValueError(f"has {len(value)} characters; at most {f.max_len}")
        return value.strip()
    if f.kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError(f"'{str(value)[:40]}' is not a date (YYYY-MM-DD)") from None
    if f.kind == "choice":
        codes = [c for c, _, _ in f.choices]
        if value not in codes:
            raise ValueError(f"'{str(value)[:40]}' is not one of " + ", ".join(f"{c} ({zh})" for c, zh, _ in f.choices))
        return value
    if f.kind == "bool":
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return bool(value)
        raise ValueError(f"'{str(value)[:40]}' is not a yes/no value (a check box)")
    if f.kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"'{str(value)[:40]}' is not a number")
        if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
            raise ValueError(f"{value:g} is outside {f.min:g}–{f.max:g}")
        return float(value)
    raise ValueError(f"unknown field kind {f.kind}")  # pragma: no cover - the form's own kinds


def _layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    except Exception as exc:  # GDAL's errors: not a GeoPackage, a missing layer
        raise InputError(Issue(f"cannot read layer '{layer}' ({str(exc)[:200]})", source=str(path))) from None


def read_package(folder: str | Path) -> Package:
    """The package in ``folder``, every inspection value typed; InputError naming each row and
    field that is not what the form allows (then nothing may be imported)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Issue("not a folder; give the package's folder", source=str(folder)))
    base = _base(folder)
    gpkg = folder / GPKG_NAME
    if not gpkg.is_file():
        raise InputError(Issue(f"the package has no {GPKG_NAME}", source=str(folder)))
    frame = _layer(gpkg, "inspections")
    missing = [f.name for f in FIELDS if f.name not in frame.columns]
    if missing:
        raise InputError([Issue(f"the inspections layer has no field '{m}' (the package's form was changed)",
                                source=str(gpkg), field=m) for m in missing])
    issues, rows = [], []
    geoms = frame.geometry if "geometry" in frame else None
    for fid, record in frame.iterrows():
        values = {}
        for f in FIELDS:
            try:
                values[f.name] = typed(f, record[f.name])
            except ValueError as why:
                issues.append(Issue(f"{f.zh} {why}", source=f"{GPKG_NAME} inspections", row=int(fid), field=f.name,
                                    row_label="feature"))
        geom = None if geoms is None else geoms.loc[fid]
        point = geom is not None and not geom.is_empty and geom.geom_type == "Point"
        rows.append(Inspection(int(fid), values, geom.x if point else None, geom.y if point else None))
    if issues:
        raise InputError(issues)
    sites = _layer(gpkg, "sites") if base["sites"] else gpd.GeoDataFrame({"site_id": []}, geometry=[])
    return Package(folder, base, rows, sites)
