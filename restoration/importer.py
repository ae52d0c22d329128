"""Import files into the store: read (``io``) -> validate (``validate``) -> check against the
store -> write in one transaction. Nothing is written unless every row is good."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import io, model
from .errors import InputError, Issue
from .store import Store, Transaction
from .validate import validate_frame

log = logging.getLogger(__name__)

#: layers that ``restoration import`` accepts, by the CLI's name for them
IMPORT_LAYERS = {"sites": "sites", "bank": "bank_projects", "cases": "cases",
                 "counties": "counties", "watersheds": "watersheds"}


@dataclass
class ImportReport:
    layer: str
    source: str
    rows: int
    warnings: list[Issue] = field(default_factory=list)


def prepare(store: Store | Transaction, layer: str, frame: pd.DataFrame,
            source: str | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Validate ``frame`` for ``layer`` and check it against what the store already holds."""
    spec = model.LAYERS[layer]
    validated = validate_frame(spec, frame, source)
    clean = validated.frame
    attrs = frame.attrs
    src = source or attrs.get("source")
    start, label = int(attrs.get("row_start", 1)), attrs.get("row_label", "row")
    issues = []
    if spec.key:
        existing = store.keys(layer)
        for pos in np.flatnonzero(clean[spec.key].isin(existing).to_numpy())[:50]:
            issues.append(Issue(f"id '{clean[spec.key].iloc[pos]}' is already in the store",
                                source=src, row=pos + start, field=spec.key, row_label=label))
    for column, ref_layer in spec.refs:
        ref_key = model.LAYERS[ref_layer].key
        known = store.keys(ref_layer)
        ids = pd.Series(clean[column])
        missing = ids.notna().to_numpy() & ~ids.isin(known).to_numpy()
        for pos in np.flatnonzero(missing)[:50]:
            issues.append(Issue(f"{ref_key} '{ids.iloc[pos]}' does not exist in '{ref_layer}'; "
                                f"import {ref_layer} first", source=src, row=pos + start,
                                field=column, row_label=label))
    if issues:
        raise InputError(issues)
    if layer in ("sites", "bank_projects"):
        clean = _join_admin(store, clean, layer)
    return clean, validated.warnings


def _join_admin(store: Store | Transaction, frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Fill county and watershed from the store's reference layers (by a point on the surface)."""
    targets = {"sites": ("county", "watershed"), "bank_projects": ("region", "watershed")}[layer]
    points = gpd.GeoDataFrame(geometry=frame.geometry.representative_point(), crs=frame.crs)
    for ref_layer, column in zip(("counties", "watersheds"), targets):
        ref = store.read(ref_layer)
        if ref.empty:
            if column not in frame:
                frame[column] = None
            continue
        joined = gpd.sjoin(points, ref[["name", "geometry"]], how="left", predicate="within")
        names = joined[~joined.index.duplicated()]["name"].reindex(points.index)
        if column in frame and frame[column].notna().any():
            frame[column] = frame[column].where(frame[column].notna(), names)
        else:
            frame[column] = names.to_numpy(dtype=object)
    return frame


def import_file(store: Store, name: str, path: str | Path, *, crs: str | None = None,
                actor: str = "cli", progress: bool = False) -> ImportReport:
    """Import one file into a layer (``sites``, ``bank``, ``cases``, ``counties``, ``watersheds``)."""
    layer = IMPORT_LAYERS.get(name, name)
    if layer not in model.LAYERS or not model.LAYERS[layer].importable:
        raise InputError(f"cannot import into '{name}'; choose one of {', '.join(IMPORT_LAYERS)}")
    spatial = model.LAYERS[layer].geometry is not None
    frame = io.read_input(path, crs=crs, spatial=spatial)
    if not spatial and isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    with store.transaction(actor) as tx:
        clean, warnings = prepare(tx, layer, frame)
        tx.insert(layer, clean, action=f"import {Path(path).name}", progress=progress)
    log.info("imported %d rows from %s into %s (%d repaired)", len(clean), Path(path).name, layer, len(warnings))
    return ImportReport(layer, Path(path).name, len(clean), warnings)
