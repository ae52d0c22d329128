"""Bulk writes of spatial rows (sites, bank projects) into a GeoPackage at the floor.

A GeoPackage keeps its spatial index current with an R-tree trigger that calls five SQL
functions per inserted row (``ST_IsEmpty``, ``ST_MinX`` … ``ST_MaxY``: Python callbacks here, as
GDAL registers them). For a batch, the insert trigger is set aside, the rows go in with one
``executemany``, the index is filled in one statement from the geometries' envelopes (read from
their headers once), and the trigger is put back — all inside the caller's transaction, so a
failure leaves the index and the trigger as they were. PostGIS needs nothing of the kind: its
rows go in with ``COPY`` and GiST keeps itself (``postgis.PostgisBackend.insert_rows``).
"""
from __future__ import annotations

from . import gpkg
from .backend import quote

#: fewer rows than this go through the trigger (the DDL would cost more than it saves)
BULK_MIN_ROWS = 500


def insert_indexed(conn, layer: str, names: list[str], rows: list[tuple], insert_sql: str) -> None:
    """Insert ``rows`` into ``layer`` with ``insert_sql``, filling its R-tree in one pass."""
    rtree = f"rtree_{layer}_geom"
    trigger = f"{rtree}_insert"
    found = None
    if len(rows) >= BULK_MIN_ROWS and "geom" in names and "fid" not in names:
        found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                             (trigger,)).fetchone()
    if found is None:
        conn.executemany(insert_sql, rows)
        return
    last = conn.execute(f"SELECT COALESCE(MAX(fid), 0) FROM {quote(layer)}").fetchone()[0]
    conn.execute(f"DROP TRIGGER {quote(trigger)}")
    try:
        conn.executemany(insert_sql, rows)
        fresh = conn.execute(f"SELECT fid, geom FROM {quote(layer)} WHERE fid > ?", (last,)).fetchall()
        entries = []
        for fid, blob in fresh:
            env = gpkg.envelope(blob)
            if env is not None:
                entries.append((fid, *env))
        conn.executemany(f"INSERT OR REPLACE INTO {quote(rtree)} VALUES (?, ?, ?, ?, ?)", entries)
    finally:
        conn.execute(found[0])


__all__ = ["BULK_MIN_ROWS", "insert_indexed"]
