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
from .errors import StoreError
from .importer import prepare
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
    ("screening_reports", "screening_reports.csv"),
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
        from .sample.build import build_sample  # (rasterio, tqdm: only when the sample is built)
        build_sample(generated)
    return generated


def load_sample(store: Store, folder: Path, actor: str = "sample") -> dict[str, int]:
    """Load every sample file into ``store`` in one transaction; return rows per layer."""
    from .access import local_admin
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
            report = ingest_raster(tx, folder / "ndvi" / "*.tif", indicator="ndvi", actor=local_admin(actor))
            counts["monitoring_series"] = counts.get("monitoring_series", 0) + report.rows
    log.info("loaded the sample from %s into %s: %s", folder, store.location, counts)
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

    In a database the store is created in one transaction and the sample loaded in another (a
    failure leaves the empty store). A GeoPackage's data folder is created (owner-only) when
    missing — an existing folder is left as it is — and the store is built in a temporary
    ``.init-XXXX`` folder beside ``path`` and moved into place at the end
    (:func:`restoration.files.write_file`), so an interrupted build never leaves a half-filled
    store behind; the folder is removed when the build ends or is interrupted (Ctrl+C, SIGTERM),
    and folders left by a killed build are removed by the next ``init``.
    """
    if is_url(path):
        store = _new_database_store(str(path))
        if from_sample:
            load_sample(store, sample or sample_source(config.data_dir()))
        return store
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
