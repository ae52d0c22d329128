"""GeoPackage encoding: the geometry blob format and the metadata tables (OGC 12-128r18).

Only ``restoration.store`` uses this; it keeps the file a plain GeoPackage that GDAL and QGIS
open as it is.
"""
from __future__ import annotations

import struct

import numpy as np
import shapely
from pyproj import CRS

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4
#: ``gpkg_contents.last_change``: ISO 8601 in UTC with fractional seconds and "Z" (the spec's form)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"),
                    ("envelope", "<f8", (4,))])
_FLAGS_ENVELOPE_XY_LE = 0b0000_0011  # little endian, envelope [minx, maxx, miny, maxy]
_FLAGS_EMPTY_LE = 0b0001_0001  # little endian, empty geometry, no envelope
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

METADATA_DDL = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
]


def spatial_ref_rows() -> list[tuple]:
    """The three rows every GeoPackage must hold (-1, 0) plus EPSG:4326, the store's CRS."""
    return [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", 4326, "EPSG", 4326, CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
         "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
    ]


def encode(geoms: np.ndarray, srs_id: int = 4326) -> list[bytes | None]:
    """Shapely geometries -> GeoPackage geometry blobs (header + envelope + ISO WKB)."""
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(np.where(missing, None, geoms))
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso", output_dimension=2)
    header = np.zeros(n, dtype=_HEADER)
    header["magic"] = b"GP"
    header["srs_id"] = srs_id
    header["flags"] = np.where(empty, _FLAGS_EMPTY_LE, _FLAGS_ENVELOPE_XY_LE)
    b = shapely.bounds(geoms)  # minx, miny, maxx, maxy
    header["envelope"] = b[:, [0, 2, 1, 3]]
    out: list[bytes | None] = []
    for i in range(n):
        if missing[i]:
            out.append(None)
        elif empty[i]:
            out.append(header[i].tobytes()[:8] + wkb[i])
        else:
            out.append(header[i].tobytes() + wkb[i])
    return out


def decode(blobs) -> np.ndarray:
    """GeoPackage geometry blobs -> shapely geometries (None stays None)."""
    wkb = []
    for blob in blobs:
        if blob is None:
            wkb.append(None)
            continue
        if blob[:2] != b"GP":
            raise ValueError("not a GeoPackage geometry blob")
        env = _ENVELOPE_BYTES[(blob[3] >> 1) & 0b111]
        wkb.append(bytes(blob[8 + env:]))
    return shapely.from_wkb(np.array(wkb, dtype=object))


def bounds(geoms: np.ndarray) -> tuple[float, float, float, float] | None:
    """The extent of a set of geometries, for gpkg_contents (None when there is none)."""
    if len(geoms) == 0:
        return None
    b = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return None if np.isnan(b).any() else tuple(float(v) for v in b)


# -- R-tree spatial index (GeoPackage extension "gpkg_rtree_index") -----------------------------
RTREE_EXTENSION = ("gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree", "write-only")


def envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage blob, from its header (or its WKB when the
    header carries no envelope); None for NULL or empty geometries."""
    if blob is None:
        return None
    flags = blob[3]
    if flags & 0b1_0000:  # empty geometry
        return None
    kind = (flags >> 1) & 0b111
    order = "<" if flags & 1 else ">"
    if kind:
        return struct.unpack(order + "4d", blob[8:40])
    geom = decode([blob])[0]
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def register_functions(conn) -> None:
    """The SQL functions the R-tree triggers call (GDAL registers the same ones), so writes
    through this connection keep the index current."""
    def part(i):
        def fn(blob):
            env = envelope(blob)
            return None if env is None else env[i]
        return fn
    conn.create_function("ST_IsEmpty", 1, lambda b: None if b is None else int(envelope(b) is None),
                         deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, part(i), deterministic=True)


def rtree_ddl(table: str, column: str = "geom", pk: str = "fid") -> list[str]:
    """The R-tree virtual table and its six triggers, as the GeoPackage 1.4 spec writes them."""
    t, c, i = table, column, pk
    r = f"rtree_{t}_{c}"
    vals = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    return [
        f'CREATE VIRTUAL TABLE "{r}" USING rtree(id, minx, maxx, miny, maxy)',
        f'CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) '
        f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update1" AFTER UPDATE OF {c} ON "{t}" WHEN OLD.{i} = NEW.{i} AND '
        f'(NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update2" AFTER UPDATE OF {c} ON "{t}" WHEN OLD.{i} = NEW.{i} AND '
        f'(NEW.{c} IS NULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
        f'CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" WHEN OLD.{i} != NEW.{i} AND '
        f'(NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; '
        f'INSERT OR REPLACE INTO "{r}" VALUES ({vals}); END',
        f'CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" WHEN OLD.{i} != NEW.{i} AND '
        f'(NEW.{c} IS NULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM "{r}" WHERE id IN (OLD.{i}, NEW.{i}); END',
        f'CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN old.{c} NOT NULL '
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
    ]
