"""Several store layers into one GeoPackage file (a hand-over package for GIS users)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


from ..io import export_frame
from ..store import Store

DEFAULT_LAYERS = ("sites", "bank_projects", "counties", "watersheds", "cases", "case_events")


def export_layers_gpkg(store: Store, path: str | Path, layers=DEFAULT_LAYERS) -> Path:
    """Write ``layers`` into one new GeoPackage at ``path`` (built beside it, then moved in)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        for layer in layers:
            export_frame(store.read(layer), tmp, layer)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
