"""Import files into the store: read (``io``) -> validate (``validate``) -> check against the
store -> write in one transaction. Nothing is written unless every row is good."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from . import columns, io, model, plausibility
from .errors import InputError, Issue
from .profiles.discovery import available_profiles
from .profiles.for_case import is_known
from .store import Store, Transaction
from .validate import ROWS_PER_PROBLEM, Partial, as_text, more_rows, sort_issues, validate_frame

log = logging.getLogger(__name__)

#: layers that ``restoration import`` accepts, by the CLI's name for them
IMPORT_LAYERS = {"sites": "sites", "bank": "bank_projects", "cases": "cases",
                 "counties": "counties", "watersheds": "watersheds", "protected_areas": "protected_areas"}


#: what ``--extra`` may say about columns that are not fields of the layer
EXTRA_CHOICES = ("keep", "ignore")


@dataclass
class ImportReport:
    layer: str
    source: str
    rows: int
    warnings: list[Issue] = field(default_factory=list)
    #: what the user should know: columns mapped, kept, ignored; coordinates converted
    notes: list[str] = field(default_factory=list)
    #: True for ``--check``: everything was validated, nothing written
    checked: bool = False


@dataclass
class Prepared:
    frame: pd.DataFrame
    warnings: list[Issue]
    notes: list[str]


def _raw_ids(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column's ids as the validator will store them (text, stripped), blanks as None."""
    cells = frame[column].to_numpy(dtype=object)
    return pd.Series([None if v is None or (isinstance(v, float) and np.isnan(v)) else (as_text(v) or None)
                      for v in cells], dtype=object)


def check_references(store: Store | Transaction, layer: str, frame: pd.DataFrame,
                     source: str | None = None) -> list[Issue]:
    """Ids already in the store, and references to cases / counties / projects / profiles that do
    not exist, for every row of ``frame`` (raw or validated: only text columns are read)."""
    spec = model.LAYERS[layer]
    attrs = frame.attrs
    src = source or attrs.get("source")
    start, label = int(attrs.get("row_start", 1)), attrs.get("row_label", "row")
    issues: list[Issue] = []

    def each(mask, column, message):
        positions = np.flatnonzero(mask)
        for pos in positions[:ROWS_PER_PROBLEM]:
            issues.append(Issue(message(pos), source=src, row=int(pos) + start, field=column, row_label=label))
        if len(positions) > ROWS_PER_PROBLEM:
            issues.append(more_rows(positions[ROWS_PER_PROBLEM:] + start, column, src))

    if spec.key and spec.key in frame.columns:
        ids = _raw_ids(frame, spec.key)
        existing = store.keys(layer)
        each(ids.isin(existing).to_numpy() & ids.notna().to_numpy(), spec.key,
             lambda pos: f"id '{ids.iloc[pos]}' is already in the store")
    for column, ref_layer in spec.refs:
        if column not in frame.columns:
            continue
        ids = _raw_ids(frame, column)
        known = store.keys(ref_layer)
        missing = ids.notna().to_numpy() & ~ids.isin(known).to_numpy()
        ref_key = model.LAYERS[ref_layer].key
        each(missing, column, lambda pos: f"{ref_key} '{ids.iloc[pos]}' does not exist in '{ref_layer}'; "
                                          f"import {ref_layer} first")
    if layer == "cases" and "profile" in frame.columns:
        # an unknown rule profile would make every case listing fail later
        # a named version (``guangxi@draft-2025``) is assignable like its profile
        names = available_profiles()
        profiles = _raw_ids(frame, "profile")
        known = {p: is_known(str(p)) for p in set(profiles.dropna())}
        each(profiles.notna().to_numpy() & ~profiles.map(lambda p: known.get(p, True)).to_numpy(dtype=bool), "profile",
             lambda pos: f"unknown rule profile '{profiles.iloc[pos]}'; known profiles: {', '.join(names)} "
                         f"(or a version NAME@TAG: `restoration rules list`)")
    return issues


def prepare_rows(store: Store | Transaction, layer: str, frame: pd.DataFrame, source: str | None = None,
                 *, extra: str = "error", checks: Callable[[Partial], list[Issue]] | None = None,
                 allow_outside: bool = False) -> Prepared:
    """Validate ``frame`` for ``layer`` and check it against what the store already holds, in one
    pass: value, geometry and reference problems are reported together (by row).

    ``checks`` adds a caller's own checks to the same pass (the project bank's units, trajectories,
    footprints): it gets the rows as far as they could be read (:class:`~restoration.validate.Partial`,
    whose ``usable(pos, field)`` says which cells failed already) and returns its issues.

    Sites and bank projects far outside the store's counties are refused (a wrong CRS puts them at
    the equator or in another province) unless ``allow_outside``; a store without counties
    accepts any place."""
    spec = model.LAYERS[layer]
    issues: list[Issue] = []
    try:
        validated = validate_frame(spec, frame, source, extra=extra)
        partial = Partial(validated.frame)
    except InputError as exc:
        validated = None
        issues += exc.issues
        partial = exc.partial
    if checks is not None and partial is not None:
        issues += checks(partial)
    if layer in ("sites", "bank_projects") and not allow_outside and partial is not None:
        issues += _outside_region(store, partial, frame.attrs, source)
    issues += check_references(store, layer, frame, source)
    if issues:
        raise InputError(sort_issues(issues))
    clean = validated.frame
    if layer in ("sites", "bank_projects"):
        clean = _join_admin(store, clean, layer)
    if layer == "cases":
        clean = _handling_region(store, clean)
    return Prepared(clean, validated.warnings, validated.notes)


def prepare(store: Store | Transaction, layer: str, frame: pd.DataFrame,
            source: str | None = None, *, extra: str = "error") -> tuple[pd.DataFrame, list[Issue]]:
    """Validate ``frame`` for ``layer`` and check it against what the store already holds."""
    done = prepare_rows(store, layer, frame, source, extra=extra)
    return done.frame, done.warnings


def _outside_region(store: Store | Transaction, partial: Partial, attrs: dict, source: str | None) -> list[Issue]:
    """Rows whose geometry lies far outside the store's counties (rows whose geometry failed
    already are left out)."""
    frame = partial.frame
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return []
    box = store.extent("counties")
    if box is None or not np.isfinite(box).all():
        return []
    usable = np.asarray([partial.usable(pos, "geometry") for pos in range(len(frame))], dtype=bool)
    usable &= ~(frame.geometry.isna().to_numpy() | frame.geometry.is_empty.to_numpy())
    far, message = plausibility.outside_region(frame.geometry[usable], box)
    start, label = int(attrs.get("row_start", 1)), attrs.get("row_label", "row")
    src = source or attrs.get("source")
    positions = np.flatnonzero(usable)[far]
    issues = [Issue(message(i), source=src, row=int(pos) + start, field="geometry", row_label=label)
              for i, pos in zip(np.flatnonzero(far)[:ROWS_PER_PROBLEM], positions[:ROWS_PER_PROBLEM])]
    if len(positions) > ROWS_PER_PROBLEM:
        issues.append(Issue(f"... and {len(positions) - ROWS_PER_PROBLEM} more rows with the same problem in field "
                            "'geometry'", source=src, field="geometry"))
    return issues


def _handling_region(store: Store | Transaction, frame: pd.DataFrame) -> pd.DataFrame:
    """A case without a handling region is handled where its county is (``region`` matched by
    name in the counties layer), until staff designate another."""
    from .access import region_tree
    if "handling_region" in frame and frame["handling_region"].notna().all():
        return frame
    tree = region_tree(store)
    derived = frame["region"].map(tree.resolve)
    frame["handling_region"] = (frame["handling_region"].where(frame["handling_region"].notna(), derived)
                                if "handling_region" in frame else derived).astype(object)
    return frame


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


def read_mapped(path: str | Path, layer: str, *, crs: str | None = None,
                mapping: dict[str, str] | None = None, source_layer: str | None = None
                ) -> tuple[pd.DataFrame, list[str]]:
    """Read a user's file for ``layer`` and rename its columns to field names
    (:mod:`restoration.columns`); returns the frame and the notes for the user."""
    spec = model.LAYERS[layer]
    spatial = spec.geometry is not None
    frame = io.read_input(path, crs=crs, spatial=spatial, mapping=mapping, layer=source_layer)
    if not spatial and isinstance(frame, gpd.GeoDataFrame):
        attrs = dict(frame.attrs)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        frame.attrs.update(attrs)
    notes = list(frame.attrs.get("notices") or [])
    if len(frame) == 0:
        raise InputError(Issue("the file holds no rows (only a header, or no features); nothing to import",
                               source=Path(path).name))
    frame, plan = columns.apply(spec, frame, mapping)
    return frame, plan.notes() + notes


def import_file(store: Store, name: str, path: str | Path, *, crs: str | None = None,
                mapping: dict[str, str] | None = None, extra: str = "keep", check: bool = False,
                actor: str = "cli", progress: bool = False, source_layer: str | None = None,
                allow_outside: bool = False, companion=None) -> ImportReport:
    """Import one file into a layer (``sites``, ``bank``, ``cases``, ``counties``, ``watersheds``).

    ``mapping`` ({field: file column}) names columns; columns that are not fields are kept in
    ``attributes`` (``extra="keep"``) or dropped (``"ignore"``); ``crs`` may be ``GCJ-02`` or
    ``BD-09``. ``check=True`` validates everything (against the store too) and writes nothing.
    ``source_layer`` chooses the layer of a multi-layer file (GeoPackage). ``allow_outside`` accepts
    sites far outside the store's counties (see :func:`prepare_rows`). ``companion`` carries a
    column of its own (the claim items of a case file): ``take(frame, source)`` removes and checks
    it with the rows (its issues reported with theirs), ``write(tx, actor)`` stores it in the same
    transaction.
    """
    layer = IMPORT_LAYERS.get(name, name)
    if layer not in model.LAYERS or not model.LAYERS[layer].importable:
        raise InputError(f"cannot import into '{name}'; choose one of {', '.join(IMPORT_LAYERS)}")
    if extra not in EXTRA_CHOICES:
        raise InputError(Issue(f"'{extra}' is not one of {', '.join(EXTRA_CHOICES)}", field="--extra"))
    from . import access
    who = access.require(actor, "data.import", store)
    if layer in ("counties", "watersheds") and who.region != access.PROVINCE:
        raise access.deny(who, "reference_layers")
    actor = who.name
    frame, notes = read_mapped(path, layer, crs=crs, mapping=mapping, source_layer=source_layer)
    own: list[Issue] = []
    if companion is not None:
        frame, own = companion.take(frame, Path(path).name)
    with store.transaction(actor) as tx:
        try:
            done = prepare_rows(tx, layer, frame, extra=extra, allow_outside=allow_outside)
        except InputError as exc:
            raise InputError(sort_issues(exc.issues + own)) from None
        if own:
            raise InputError(sort_issues(own))
        column = {"cases": "handling_region", "sites": "county", "bank_projects": "region"}.get(layer)
        if column:
            access.require_regions(who, "data.import", tx, done.frame[column], what=layer)
        if not check:
            tx.insert(layer, done.frame, action=f"import {Path(path).name}", progress=progress)
            if companion is not None:
                companion.write(tx, actor)
    log.info("%s %d rows from %s into %s (%d repaired)", "checked" if check else "imported", len(done.frame),
             Path(path).name, layer, len(done.warnings))
    return ImportReport(layer, Path(path).name, len(done.frame), done.warnings, notes + done.notes, check)
