"""Create a store, optionally filled from the sample region, atomically."""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from . import config, files, io
from .cases import case_state  # noqa: F401 — every write of a case derives its stored deadlines (a hook)
from .errors import StoreError
from .importer import prepare
from .store import Store, Transaction, create_store, location_name, open_store, store_exists
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
    # cases and rules
    ("case_modes", "case_modes.csv"),
    ("funds_ledger", "funds_ledger.csv"),
    ("screening_reports", "screening_reports.csv"),
    # project bank
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
        from .sample.build import build_sample  # (rasterio, tqdm: only when the sample is built)
        build_sample(generated)
    return generated


def load_sample(store: Store, folder: Path, actor: str = "sample") -> dict[str, int]:
    """Load every sample file into ``store`` in one transaction; return rows per layer."""
    with store.transaction(actor) as tx:
        counts = fill_sample(tx, folder)
    log.info("loaded the sample from %s into %s: %s", folder, store.location, counts)
    return counts


def fill_sample(tx: Transaction, folder: Path) -> dict[str, int]:
    """Insert every sample file in ``folder`` with the open transaction ``tx``; rows per layer."""
    from .access import local_admin
    counts = {}
    for layer, name in SAMPLE_FILES:
        spatial = layer in ("counties", "watersheds", "sites", "bank_projects")
        frame = io.read_input(folder / name, spatial=spatial)
        if not spatial:
            frame = pd.DataFrame(frame)
        clean, _ = prepare(tx, layer, frame)
        counts[layer] = tx.insert(layer, clean, action=f"load sample {name}")
    # monitoring: the NDVI rasters' zonal means per site, in the same transaction
    if (folder / "ndvi").is_dir():
        from .monitoring.ingest import ingest_raster
        report = ingest_raster(tx, folder / "ndvi" / "*.tif", indicator="ndvi", actor=local_admin(tx.actor))
        counts["monitoring_series"] = counts.get("monitoring_series", 0) + report.rows
    return counts


_INIT_PREFIX = ".init-"


def remove_stale_init_dirs(folder: Path) -> list[Path]:
    """Remove ``.init-XXXX`` build folders left by an ``init`` that was killed (SIGKILL, power
    loss): those whose owner process is gone. A build still running is left alone."""
    return files.remove_stale_builds(Path(folder), _INIT_PREFIX)


@contextmanager
def _interruptible():
    """Turn SIGTERM / SIGHUP into SystemExit while a store is being built, so the ``finally``
    clean-up runs (Ctrl+C already raises KeyboardInterrupt). Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _stop(signum, frame):
        raise SystemExit(128 + signum)

    old = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            old[sig] = signal.signal(sig, _stop)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def init_store(path: Path | str, *, from_sample: bool = True, sample: Path | None = None) -> Store:
    """Create a new store at ``path`` — a GeoPackage path or a ``postgresql://`` URL — refused if
    one exists there, filled from the sample if asked.

    In a database the schema and the sample are written in one transaction: a failure or a
    killed process leaves the database as it was (no empty store that blocks the retry). A
    GeoPackage's data folder is created (owner-only) when missing — an existing folder is left as
    it is — and the store is built in a temporary ``.init-XXXX`` folder beside ``path`` and moved
    into place at the end (:func:`restoration.files.write_file`), so an interrupted build never
    leaves a half-filled store behind; the folder is removed when the build ends or is
    interrupted (Ctrl+C, SIGTERM), and folders left by a killed build are removed by the next
    ``init``.
    """
    if is_url(path):
        folder = (sample or sample_source(config.data_dir())) if from_sample else None
        return _new_database_store(str(path), folder)
    path = Path(path)
    if path.exists():
        raise StoreError(f"{path}: a store already exists; remove it or choose another --data folder")
    files.make_folder(path.parent, field="--data")  # the data folder: created owner-only

    def build(tmp: Path) -> None:
        store = open_store(tmp)
        if from_sample:
            load_sample(store, sample or sample_source(path.parent))
        store.close()

    with _interruptible():
        files.write_file(path, build, replace=False, prefix=_INIT_PREFIX)
    return open_store(path, create=False)


def _new_database_store(url: str, sample: Path | None) -> Store:
    if store_exists(url):
        raise StoreError(f"{location_name(url)}: a store already exists in this database; use "
                         "`restoration db upgrade` for a newer schema, or an empty database")
    store = create_store(url, (lambda tx: fill_sample(tx, sample)) if sample is not None else None, actor="sample")
    log.info("created the store %s%s", store.location, " from the sample" if sample is not None else "")
    return store


def ensure_store(data_dir: str | os.PathLike | None = None, *, db: str | None = None) -> Store:
    """The store (see ``restoration.config.store_location``), built from the sample if missing."""
    location = config.store_location(data_dir, db)
    if is_url(location):
        if store_exists(location):
            return open_store(location, create=False)
        return init_store(location, from_sample=True, sample=sample_source(config.data_dir(data_dir)))
    path = Path(location)
    if path.exists():
        return open_store(path, create=False)
    return init_store(path, from_sample=True, sample=sample_source(path.parent))
