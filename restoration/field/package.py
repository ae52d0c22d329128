"""Export a field package: a case's (or a region's cases') sites out to QField.

The package is a folder: ``inspection.gpkg`` (the reference layers — the cases' sites, the bank
projects allocated to them, the county and watershed outlines the app's maps use as their offline
base layer — and the empty, editable ``inspections`` layer of :mod:`.form`), ``photos/`` (where the
attachment widget stores the photos), ``inspection.qgs`` (:mod:`.project`) and ``base.json``: the
base snapshot the import merges against — the package id, the store's id, the case ids, and each
site's mergeable attributes and geometry hash as exported. The store keeps the package with the
snapshot's hash, so a snapshot edited by hand or a package of another store is recognised.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .. import access, config
from ..errors import InputError, Issue
from ..files import make_folder, write_bytes, write_file
from ..model import LAYERS
from ..store import Store
from .form import FIELDS, MERGED_FIELDS, PHOTO_FOLDER
from .project import GPKG_NAME, project_xml

log = logging.getLogger(__name__)

FORMAT = "restoration-field-package"
FORMAT_VERSION = 1
BASE_NAME = "base.json"
PROJECT_NAME = "inspection.qgs"
#: columns of each reference layer in the package (with their Chinese aliases from the model)
REFERENCE_COLUMNS = {
    "sites": ("site_id", "case_id", "name", "public_name", "role", "ecosystem_type", "area_ha"),
    "bank_projects": ("project_id", "name", "ecosystem_type", "status", "region"),
    "counties": ("county_id", "name", "city"),
    "watersheds": ("watershed_id", "name"),
}


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    folder: Path
    package_id: str
    case_ids: tuple[str, ...]
    sites: int


def geometry_hash(geom: Any) -> str | None:
    """A shape's fingerprint (2-D WKB, SHA-256): equal for a shape read back unchanged."""
    if geom is None or (isinstance(geom, float) and geom != geom):
        return None
    return hashlib.sha256(shapely.to_wkb(geom, output_dimension=2)).hexdigest()


def store_id(tx) -> str:
    """The store's id (made at its first field export, in the open transaction ``tx``)."""
    have = tx.read("field_store")
    if len(have):
        return str(have["store_id"].iloc[0])
    made = str(uuid.uuid4())
    tx.insert("field_store", pd.DataFrame([{"store_id": made, "created_at": config.now_utc()}]),
              action="field store id")
    return made


def _plain(value: Any) -> Any:
    """A value as JSON holds it (None for missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _empty_inspections() -> gpd.GeoDataFrame:
    dtypes = {"date": object, "text": object, "choice": object, "photo": object, "float": "float64", "bool": "bool",
              "int": "int64"}
    cols = {f.name: pd.Series([], dtype=dtypes[f.kind]) for f in FIELDS}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def _layers(store: Store, case_ids: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    sites = store.read("sites", case_id=tuple(case_ids))
    out = {"sites": sites}
    allocated = store.read("bank_allocations", case_id=tuple(case_ids)) if store.has_layer("bank_allocations") else None
    if allocated is not None and len(allocated):
        out["bank_projects"] = store.read("bank_projects", project_id=tuple(sorted(set(allocated["project_id"]))))
    if len(sites):
        box = shapely.box(*sites.total_bounds).buffer(0.05)
        for name in ("counties", "watersheds"):
            frame = store.read(name)
            out[name] = frame[frame.intersects(box)] if len(frame) else frame
    return {name: frame[[c for c in REFERENCE_COLUMNS[name] if c in frame.columns] + ["geometry"]]
            for name, frame in out.items() if len(frame)}


def _write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    pyogrio.write_dataframe(_empty_inspections(), path, layer="inspections", geometry_type="Point", driver="GPKG")
    for name, frame in layers.items():
        pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"), path, layer=name,
                                geometry_type="Unknown" if name == "sites" else "MultiPolygon",
                                promote_to_multi=name != "sites", append=True)


def _aliases(name: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
    spec_fields = {f.name: f.zh for f in LAYERS[name].fields}
    return [(c, spec_fields.get(c) or c) for c in frame.columns if c != "geometry"]


def _choices(store: Store, case_ids: Sequence[str], sites: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    cases = store.read("cases", case_id=tuple(case_ids))
    return {"case_id": [(f"{r.title}（{r.case_id}）", r.case_id) for r in cases.itertuples()],
            "site_id": [(f"{r.name}（{r.site_id}）", r.site_id) for r in sites.itertuples()]}


def _base(package_id: str, sid: str, case_ids: Sequence[str], seq: int, who: str, sites: gpd.GeoDataFrame) -> dict:
    merged = MERGED_FIELDS["sites"]
    return {
        "format": FORMAT, "version": FORMAT_VERSION, "package_id": package_id, "store_id": sid,
        "case_ids": list(case_ids), "seq": seq, "exported_at": config.now_utc(), "exported_by": who,
        "sites": {str(r["site_id"]): {"case_id": _plain(r.get("case_id")),
                                      "attributes": {f: _plain(r.get(f)) for f in merged},
                                      "geometry": geometry_hash(r.geometry)}
                  for _, r in sites.iterrows()},
    }


def _check_folder(out: Path) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(Issue(f"'{out}' exists and is not an empty folder; a package needs a new folder "
                               "(its photos must not mix with another package's)", field="--out"))
    make_folder(out, field="--out")
    return out


def export_package(store: Store, case_ids: Iterable[str], out: str | os.PathLike, actor: "access.Actor | str",
                   today: date | None = None) -> Exported:
    """Write the field package of ``case_ids`` into the new (or empty) folder ``out``.

    The actor needs ``case.event`` on every case (the package is for recording inspections).
    The package is registered in the store in the same transaction as its files are written:
    a failure leaves neither."""
    ids = tuple(dict.fromkeys(str(c) for c in case_ids))
    if not ids:
        raise InputError(Issue("no case to export; name a case id or a region with cases", field="CASE_ID"))
    who = access.as_actor(actor)
    for cid in ids:
        store.get("cases", cid)  # an unknown case: NotFoundError naming it
        access.require(who, "case.event", store, case_id=cid)
    layers = _layers(store, ids)
    sites = layers.get("sites", gpd.GeoDataFrame({"site_id": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326")))
    folder = _check_folder(Path(out))
    package_id = str(uuid.uuid4())
    with store.transaction(who.name) as tx:
        sid = store_id(tx)
        seq = int(tx.count("field_packages")) + 1
        write_file(folder / GPKG_NAME, lambda tmp: _write_gpkg(tmp, layers), field="--out")
        written = pyogrio.read_dataframe(folder / GPKG_NAME, layer="sites") if "sites" in layers else sites
        base = _base(package_id, sid, ids, seq, who.name, written)
        text = json.dumps(base, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        write_bytes(folder / BASE_NAME, text, field="--out")
        extent = sites.total_bounds if len(sites) else (73.0, 18.0, 135.0, 54.0)
        reference = {name: _aliases(name, frame) for name, frame in layers.items()}
        write_bytes(folder / PROJECT_NAME, project_xml(f"外业巡查 {'、'.join(ids)[:80]}", reference,
                                                       _choices(store, ids, sites), extent), field="--out")
        make_folder(folder / PHOTO_FOLDER, field="--out")
        tx.insert("field_packages", pd.DataFrame([{
            "package_id": package_id, "seq": seq, "case_ids": list(ids), "exported_at": base["exported_at"],
            "exported_by": who.name, "base_sha256": hashlib.sha256(text).hexdigest()}]),
            action=f"field package of {len(ids)} cases")
    log.info("field package %s: %d cases, %d sites -> %s", package_id, len(ids), len(sites), folder)
    return Exported(folder, package_id, ids, len(sites))
