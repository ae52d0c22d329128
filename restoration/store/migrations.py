"""Schema versions of the store and how to get from one to the next.

A migration is a function of an open write transaction; ``open_store`` runs the pending ones in
one transaction, so a failed upgrade leaves the file at its old version. To change the schema:
add the layer or field to ``restoration.model`` and append a migration here that brings an
existing file to that shape (``create_layer`` for a new layer, ``ALTER TABLE`` for a new field).
"""
from __future__ import annotations

import sqlite3
from typing import Callable

from .. import model
from . import gpkg


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def geometry_type_name(spec: model.LayerSpec) -> str:
    # polygons are promoted to MultiPolygon so GIS sees one type; sites may hold plot points too
    return "GEOMETRY" if spec.geometry == "polygon_or_point" else "MULTIPOLYGON"


def create_layer(conn: sqlite3.Connection, spec: model.LayerSpec) -> None:
    """Create one layer's table and register it in gpkg_contents (and gpkg_geometry_columns)."""
    cols = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if spec.geometry:
        cols.append(f"geom {geometry_type_name(spec)}")
    for f in spec.fields:
        col = f"{_quote(f.name)} {f.sql_type}"
        if f.name == spec.key:
            col += " NOT NULL UNIQUE"
        cols.append(col)
    for unique in spec.unique:
        cols.append(f"UNIQUE ({', '.join(_quote(c) for c in unique)})")
    conn.execute(f"CREATE TABLE {_quote(spec.name)} ({', '.join(cols)})")
    data_type = "features" if spec.geometry else "attributes"
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (spec.name, data_type, spec.name, spec.zh, 4326 if spec.geometry else None))
    if spec.geometry:
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)",
                     (spec.name, geometry_type_name(spec)))
        has_extensions = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_extensions'").fetchone()
        if has_extensions:  # schema v6 on: every spatial layer carries its R-tree index
            add_rtree(conn, spec.name)
    if spec.name == "case_events":
        conn.execute("CREATE INDEX idx_case_events_case ON case_events(case_id)")
    if spec.name == "monitoring_series":
        conn.execute("CREATE INDEX idx_monitoring_site ON monitoring_series(site_id, indicator)")


def _v1(conn: sqlite3.Connection) -> None:
    for ddl in gpkg.METADATA_DDL:
        conn.execute(ddl)
    conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                     gpkg.spatial_ref_rows())
    conn.execute("CREATE TABLE restoration_meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO restoration_meta VALUES ('store_version', '0')")
    for name in ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
                 "indicator_targets", "audit_log", "counties", "watersheds"):
        create_layer(conn, model.LAYERS[name])


def _v4(conn: sqlite3.Connection) -> None:
    """Project bank (issue 6): new bank_projects fields, status history, ledger, escrow, scenarios."""
    have = {row[1] for row in conn.execute('PRAGMA table_info("bank_projects")')}
    for f in model.BANK_PROJECT_EXTRA_FIELDS:
        if f.name not in have:  # a store created before migration 4 lacks them
            conn.execute(f'ALTER TABLE "bank_projects" ADD COLUMN {_quote(f.name)} {f.sql_type}')
    for name in model.BANK_LAYERS:
        create_layer(conn, model.LAYERS[name])
    conn.execute("CREATE INDEX idx_bank_allocations_project ON bank_allocations(project_id, state)")
    conn.execute("CREATE INDEX idx_bank_allocations_case ON bank_allocations(case_id)")
    conn.execute("CREATE INDEX idx_bank_ledger_project ON bank_ledger(project_id)")


def _v2(conn: sqlite3.Connection) -> None:
    """Cases and rules (issue 4): classification decisions, restoration modes, funds ledger."""
    for name in model.CASE_LAYERS:
        create_layer(conn, model.LAYERS[name])
        conn.execute(f"CREATE INDEX idx_{name}_case ON {_quote(name)}(case_id)")


def _v3(conn: sqlite3.Connection) -> None:
    """Monitoring (issue 5): restoration effect evaluations."""
    for name in model.MONITORING_LAYERS:
        create_layer(conn, model.LAYERS[name])
    conn.execute("CREATE INDEX idx_effect_evaluations_case ON effect_evaluations(case_id)")


#: (version, description, function) in order; the store's schema version is the last applied.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "core layers: sites, bank_projects, cases, case_events, monitoring_series, "
        "indicator_targets, audit_log, counties, watersheds", _v1),
]

MIGRATIONS.append((4, "project bank: bank_projects start_year/status_since, bank_status_history, "
                      "bank_allocations, bank_ledger, escrow, case_scenarios", _v4))
MIGRATIONS.append((2, "cases and rules: case_classifications, case_modes, funds_ledger", _v2))
MIGRATIONS.append((3, "monitoring: effect_evaluations", _v3))
def _v5(conn: sqlite3.Connection) -> None:
    create_layer(conn, model.LAYERS["attachments"])
    create_layer(conn, model.LAYERS["raster_sources"])


MIGRATIONS.append((5, "dashboards: attachments (inspection photos) stored with their events; "
                      "raster_sources (where raster series live, for map overlays)", _v5))

def add_rtree(conn: sqlite3.Connection, table: str) -> None:
    """Give a spatial table its R-tree index (filled from the rows it holds) and register it."""
    gpkg.register_functions(conn)
    for ddl in gpkg.rtree_ddl(table):
        conn.execute(ddl)
    conn.execute(f'INSERT INTO "rtree_{table}_geom" SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), '
                 f'ST_MaxY(geom) FROM {_quote(table)} WHERE geom NOT NULL AND NOT ST_IsEmpty(geom)')
    conn.execute("INSERT INTO gpkg_extensions VALUES (?, 'geom', ?, ?, ?)", (table, *gpkg.RTREE_EXTENSION))


def _v6(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
        scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""")
    for (table,) in conn.execute("SELECT table_name FROM gpkg_geometry_columns").fetchall():
        add_rtree(conn, table)


MIGRATIONS.append((6, "R-tree spatial index on every spatial layer (GeoPackage extension)", _v6))

def _v7(conn: sqlite3.Connection) -> None:
    """A user's own files (issue 16): extra columns of an imported file kept per row as JSON."""
    for name in model.ATTRIBUTE_LAYERS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({_quote(name)})")}
        if "attributes" not in have:  # a store created before migration 7 lacks it
            conn.execute(f"ALTER TABLE {_quote(name)} ADD COLUMN \"attributes\" TEXT")


MIGRATIONS.append((7, "imports: attributes (extra columns of imported files, JSON) on sites, "
                      "bank_projects, cases, counties, watersheds", _v7))


def _v9(conn: sqlite3.Connection) -> None:
    """Appraisal toolkit (issue 13): appraisal results stored with the case; where a case's damage
    amount came from."""
    have = {row[1] for row in conn.execute('PRAGMA table_info("cases")')}
    for f in model.CASE_AMOUNT_FIELDS:
        if f.name not in have:  # a store created before migration 9 lacks them
            conn.execute(f'ALTER TABLE "cases" ADD COLUMN {_quote(f.name)} {f.sql_type}')
    create_layer(conn, model.LAYERS["appraisals"])
    conn.execute("CREATE INDEX idx_appraisals_case ON appraisals(case_id)")


MIGRATIONS.append((9, "appraisals: damage amounts with their method, inputs, version, date and appraiser; "
                      "cases.damage_amount_source, cases.damage_appraisal_id", _v9))

def _v10(conn: sqlite3.Connection) -> None:
    """Procedure (issue 14): where funds were used; screening reports."""
    have = {row[1] for row in conn.execute('PRAGMA table_info("funds_ledger")')}
    spec = model.LAYERS["funds_ledger"]
    for name in model.FUNDS_LEDGER_EXTRA_FIELDS:
        if name not in have:
            conn.execute(f'ALTER TABLE "funds_ledger" ADD COLUMN {_quote(name)} {spec.field(name).sql_type}')
    for name in model.PROCEDURE_LAYERS:
        create_layer(conn, model.LAYERS[name])


MIGRATIONS.append((10, "procedure: funds_ledger site_id/use_kind (fund use at the damaged place); "
                       "screening_reports", _v10))

def _v11(conn: sqlite3.Connection) -> None:
    """Satellite scenes and recovery metrics (issue 15): valid-pixel fraction on monitoring values,
    recovery assessments stored with the case."""
    have = {row[1] for row in conn.execute('PRAGMA table_info("monitoring_series")')}
    if "valid_fraction" not in have:
        conn.execute('ALTER TABLE "monitoring_series" ADD COLUMN "valid_fraction" REAL')
    create_layer(conn, model.LAYERS["recovery_assessments"])
    conn.execute("CREATE INDEX idx_recovery_assessments_case ON recovery_assessments(case_id)")


MIGRATIONS.append((11, "satellite scenes: monitoring_series.valid_fraction, recovery_assessments", _v11))

# Later migrations are appended above this line (one per feature area, in version order).
MIGRATIONS.sort(key=lambda m: m[0])
LATEST = MIGRATIONS[-1][0]
