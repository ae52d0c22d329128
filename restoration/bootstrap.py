"""Create a store, optionally filled from the sample region, atomically."""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pandas as pd

from . import config, io
from .errors import StoreError
from .importer import prepare
from .sample.build import build_sample
from .store import Store, open_store
from .store.postgis import is_url

log = logging.getLogger(__name__)

#: sample files in the order they are loaded (references before what refers to them)
SAMPLE_FILES = [
    ("counties", "counties.geojson"),
    ("watersheds", "watersheds.geojson"),
    ("cases", "cases.csv"),
    ("sites", "sites.geojson"),
    ("bank_projects", "bank_projects.gpkg"),
    ("case_events", "case_events.csv"),
    ("indicator_targets", "indicator_targets.csv"),
    ("monitoring_series", "water_quality.csv"),
    # cases and rules (issue 4)
    ("case_modes", "case_modes.csv"),
    ("funds_ledger", "funds_ledger.csv"),
    # project bank (issue 6)
    ("bank_status_history", "bank_status_history.csv"),
    ("case_scenarios", "case_scenarios.csv"),
    ("escrow", "escrow.csv"),
    ("bank_allocations", "bank_allocations.csv"),
    ("bank_ledger", "bank_ledger.csv"),
]


def sample_source(data_dir: Path) -> Path:
    """The sample folder: the committed ``sample_data/``, or one generated into the data folder
    when the package was installed without it."""
    committed = config.sample_dir()
    if (committed / "cases.csv").exists():
        return committed
    generated = data_dir / "sample_data"
    if not (generated / "cases.csv").exists():
        build_sample(generated)
    return generated


def load_sample(store: Store, folder: Path, actor: str = "sample") -> dict[str, int]:
    """Load every sample file into ``store`` in one transaction; return rows per layer."""
    counts = {}
    with store.transaction(actor) as tx:
        for layer, name in SAMPLE_FILES:
            spatial = layer in ("counties", "watersheds", "sites", "bank_projects")
            frame = io.read_input(folder / name, spatial=spatial)
            if not spatial:
                frame = pd.DataFrame(frame)
            clean, _ = prepare(tx, layer, frame)
            counts[layer] = tx.insert(layer, clean, action=f"load sample {name}")
        # monitoring (issue 5): the NDVI rasters' zonal means per site, in the same transaction
        if (folder / "ndvi").is_dir():
            from .monitoring.ingest import ingest_raster
            report = ingest_raster(tx, folder / "ndvi" / "*.tif", indicator="ndvi", actor=actor)
            counts["monitoring_series"] = counts.get("monitoring_series", 0) + report.rows
    log.info("loaded the sample from %s into %s: %s", folder, store.location, counts)
    return counts


def init_store(path: Path | str, *, from_sample: bool = True, sample: Path | None = None) -> Store:
    """Create a new store at ``path`` — a GeoPackage path or a ``postgresql://`` URL — refused if
    one exists there, filled from the sample if asked.

    A GeoPackage is built in a temporary file beside ``path`` and moved into place at the end, so
    an interrupted build never leaves a half-filled store behind; in a database the sample is
    loaded in one transaction (a failure leaves the empty store).
    """
    if is_url(path):
        store = _new_database_store(str(path))
        if from_sample:
            load_sample(store, sample or sample_source(config.data_dir()))
        return store
    path = Path(path)
    if path.exists():
        raise StoreError(f"{path}: a store already exists; remove it or choose another --data folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(prefix=".init-", dir=path.parent)
    tmp = Path(tmp_dir) / path.name
    try:
        store = open_store(tmp)
        if from_sample:
            load_sample(store, sample or sample_source(path.parent))
        os.replace(tmp, path)
    finally:
        for leftover in Path(tmp_dir).glob("*"):
            leftover.unlink()
        os.rmdir(tmp_dir)
    return open_store(path, create=False)


def _new_database_store(url: str) -> Store:
    from .store.core import _backend_for
    backend = _backend_for(url)
    if backend.exists():
        raise StoreError(f"{backend.location}: a store already exists in this database; use `restoration db "
                         "upgrade` for a newer schema, or an empty database")
    backend.create()
    return Store(backend)


def ensure_store(data_dir: str | os.PathLike | None = None, *, db: str | None = None) -> Store:
    """The store (see ``restoration.config.store_location``), built from the sample if missing."""
    location = config.store_location(data_dir, db)
    if is_url(location):
        from .store.core import _backend_for
        if _backend_for(location).exists():
            return open_store(location, create=False)
        return init_store(location, from_sample=True, sample=sample_source(config.data_dir(data_dir)))
    path = Path(location)
    if path.exists():
        return open_store(path, create=False)
    return init_store(path, from_sample=True, sample=sample_source(path.parent))
