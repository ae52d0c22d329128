"""Several store layers into one GeoPackage file (a hand-over package for GIS users)."""
from __future__ import annotations

from pathlib import Path

from ..exports import export_layers_gpkg as _write_layers
from ..store import Store

DEFAULT_LAYERS = ("sites", "bank_projects", "counties", "watersheds", "cases", "case_events")


def export_layers_gpkg(store: Store, path: str | Path, layers=DEFAULT_LAYERS) -> Path:
    """Write ``layers`` into one new GeoPackage at ``path`` (built beside it, then moved in)."""
    return _write_layers(((layer, store.read(layer)) for layer in layers), path)
