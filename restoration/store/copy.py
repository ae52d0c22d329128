"""Moving a whole store between backends (GeoPackage ⇄ PostGIS), checked afterwards."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import numpy as np
import shapely
from tqdm.auto import tqdm

from .. import files
from ..progress import bar_wanted
from ..errors import StoreError
from . import migrations
from .backend import quote
from .core import backend_for, create_store, open_store

log = logging.getLogger(__name__)


@dataclass
class CopyReport:
    source: str
    target: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def copy_store(src: str | os.PathLike, dst: str | os.PathLike, *, actor: str = "system",
               progress: bool = False) -> CopyReport:
    """Copy every layer of the store ``src`` into a new store ``dst`` (either may be a
    GeoPackage path or a ``postgresql://`` URL), keeping feature ids, keys, versions and the
    audit log, and compare row counts and geometries layer by layer — all in the transaction
    that creates ``dst``: a failed check, an error or a killed process leaves no store at
    ``dst`` (no empty one that blocks the retry). A GeoPackage is built beside its path and
    moved in at the end; its folder must exist.

    Raises
    ------
    StoreError
        ``dst`` already holds a store, ``src`` is missing or at an older schema, or the check
        after copying finds a difference.
    """
    source = open_store(src, create=False, upgrade=False)
    try:
        if source.schema_version != migrations.LATEST or \
                len(source.schema_history()) != len(migrations.MIGRATIONS):
            raise StoreError(f"{source.location}: schema v{source.schema_version} is not the current one "
                             f"(v{migrations.LATEST}); run `restoration db upgrade` on it first")
        backend = backend_for(dst)
        if getattr(backend, "path", None) is not None:  # a new file: not over a file, link, device, folder
            files.check_destination(backend.path, replace=False)
        if backend.exists():
            raise StoreError(f"{backend.location}: a store already exists there; copy into a new "
                             "GeoPackage path or an empty database")
        report = CopyReport(source.location, "")
        # one consistent snapshot of the source, even while others write to it
        with source.snapshot() as snap:
            layers = snap.layers()

            def fill(tx) -> None:
                for layer in tqdm(layers, desc="copy", unit="layer", disable=not bar_wanted(progress), leave=False):
                    names, rows = snap.rows_as_stored(layer)
                    tx.insert_as_stored(layer, names, rows)
                    report.counts[layer] = len(rows)
                tx.audit("copy store", "audit_log", None, {"from": source.location},
                         {"rows": report.rows, "layers": report.counts})
                _check(snap, tx, layers, report.counts)

            target = create_store(dst, fill, actor=actor)
        report.target = target.location
        target.close()
    finally:
        source.close()
    log.info("copied %d rows from %s to %s", report.rows, report.source, report.target)
    return report


def _check(source, target, layers: list[str], counts: dict[str, int]) -> None:
    """Row counts of the target (its open transaction) against the snapshot copied, and its
    geometries against the snapshot's, feature by feature."""
    for layer in layers:
        n_dst = target.count(layer) - (1 if layer == "audit_log" else 0)  # the copy's own entry
        if counts[layer] != n_dst:
            raise StoreError(f"copy check: {layer} has {counts[layer]} rows in the source but {n_dst} "
                             "in the target")
        names, src_rows = source.rows_as_stored(layer, columns=["fid", "geom"])
        if "geom" not in names:
            continue
        _, dst_rows = target.rows_as_stored(layer, columns=["fid", "geom"])
        theirs = {r[0]: r[1] for r in dst_rows}
        missing = [r[0] for r in src_rows if r[0] not in theirs]
        if missing:
            raise StoreError(f"copy check: {layer} feature {missing[0]} is missing after copying")
        a = np.array([r[1] for r in src_rows], dtype=object)
        b = np.array([theirs[r[0]] for r in src_rows], dtype=object)
        same = shapely.equals_exact(a, b, tolerance=0.0) | (shapely.is_missing(a) & shapely.is_missing(b))
        if not bool(np.all(same)):
            bad = int(np.flatnonzero(~same)[0])
            raise StoreError(f"copy check: {layer} feature {src_rows[bad][0]} differs after copying")

__all__ = ["copy_store", "CopyReport", "quote"]
