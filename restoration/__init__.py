"""生态环境损害修复监管与等值评估平台 — the platform: data model, store, sites, cases,
project bank, monitoring, reports and CLI."""
from __future__ import annotations

from ._version import __version__
from .bootstrap import ensure_store, init_store, load_sample
from .errors import (ConflictError, InputError, InsufficientCapacityError, Issue, NotFoundError,
                     PermissionDenied, RestorationError, StoreError)
from .importer import import_file
from .model import (LAYERS, CaseClass, EcosystemType, ProjectStatus, RestorationMode, Role,
                    Stage)
from .store import Store, open_store
from .validate import validate_frame

#: feature subpackages, imported on first use (monitoring pulls in dask and xarray)
_SUBPACKAGES = ("cases", "bank", "monitoring", "disclosure", "auth", "access")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    if name == "build_sample":  # imported on first use: it pulls in rasterio
        from .sample.build import build_sample
        return build_sample
    raise AttributeError(f"module 'restoration' has no attribute {name!r}")


__all__ = [
    "__version__", "cases", "bank", "monitoring", "open_store", "Store", "ensure_store", "init_store", "load_sample",
    "import_file", "validate_frame", "build_sample", "LAYERS", "CaseClass", "EcosystemType",
    "ProjectStatus", "RestorationMode", "Role", "Stage", "ConflictError", "InputError",
    "InsufficientCapacityError", "Issue", "NotFoundError", "PermissionDenied", "RestorationError", "StoreError",
]
