"""Create a store, optionally filled from the sample region, atomically."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from . import config, io
from .errors import StoreError
from .importer import prepare
from .store import Store, open_store
from .store.core import owner_only
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
_OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_init_dirs(folder: Path) -> list[Path]:
    """Remove ``.init-XXXX`` build folders left by an ``init`` that was killed (SIGKILL, power
    loss): those whose owner process is gone. A build still running is left alone."""
    removed = []
    for d in Path(folder).glob(f"{_INIT_PREFIX}*"):
        if not d.is_dir():
            continue
        try:
            owner = int((d / _OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            owner = None
        if owner is not None and owner != os.getpid() and _alive(owner):
            continue
        if owner is None and time.time() - d.stat().st_mtime < 3600:
            continue  # a build that has not written its owner file yet (or a foreign folder): wait
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


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


_STOP_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s)


def _block_signals():
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def _unblock_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def init_store(path: Path | str, *, from_sample: bool = True, sample: Path | None = None) -> Store:
    """Create a new store at ``path`` — a GeoPackage path or a ``postgresql://`` URL — refused if
    one exists there, filled from the sample if asked.

    In a database the store is created in one transaction and the sample loaded in another (a
    failure leaves the empty store). A GeoPackage is built in a temporary ``.init-XXXX`` folder beside ``path`` and moved into place
    at the end, so an interrupted build never leaves a half-filled store behind; the folder is
    removed when the build ends or is interrupted (Ctrl+C, SIGTERM), and folders left by a killed
    build are removed by the next ``init``.
    """
    if is_url(path):
        store = _new_database_store(str(path))
        if from_sample:
            load_sample(store, sample or sample_source(config.data_dir()))
        return store
    path = Path(path)
    if path.exists():
        raise StoreError(f"{path}: a store already exists; remove it or choose another --data folder")
    owner_only(path.parent, 0o700)  # the data folder: owner only
    remove_stale_init_dirs(path.parent)
    with _interruptible():
        # no signal between creating the folder and entering the try: it is delivered inside it
        blocked = _block_signals()
        tmp_dir = tempfile.mkdtemp(prefix=_INIT_PREFIX, dir=path.parent)
        try:
            (Path(tmp_dir) / _OWNER_FILE).write_text(str(os.getpid()))
            _unblock_signals(blocked)
            tmp = Path(tmp_dir) / path.name
            store = open_store(tmp)
            if from_sample:
                load_sample(store, sample or sample_source(path.parent))
            os.replace(tmp, path)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            _unblock_signals(blocked)  # (if the try failed before unblocking: after the clean-up)
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
