"""Files users download (read through ``dashboards.data`` so they are rebuilt only after a write)."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from restoration.cases.register import register_xlsx as _register_xlsx
from restoration.reports.case_report import case_report_html
from restoration.reports.layers import export_layers_gpkg
from restoration.store import Store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GPKG = "application/geopackage+sqlite3"


def register_xlsx(store: Store, today: date) -> bytes:
    return _register_xlsx(store, today=today)


def layers_gpkg(store: Store) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:  # GDAL writes a file: a private folder, then the bytes
        return export_layers_gpkg(store, Path(tmp) / "layers.gpkg").read_bytes()


def case_report(store: Store, case_id: str, today: date) -> bytes:
    return case_report_html(store, case_id, today).encode("utf-8")
