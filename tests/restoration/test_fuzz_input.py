"""Fuzz corpus, second part: inputs that used to pass silently or end in an internal error.

Text GDAL cut at a NUL, vertices that are NaN or Infinity, a damaged FlatGeobuf, a declared CRS
nobody knows, degrees under a UTM label, a polygon of collinear points, sites and bank projects
far from the store's region, implausible dates and flags, an appraisal in the future or on a
closed case, rasters that would store nothing, a looping or unreachable STAC catalogue, a
malformed database URL, a device or an archive bomb where a table is expected, limits lowered
by their environment variable. Each runs the real CLI on a fresh sample store of every backend
and asserts the exit code, a message naming the file / row / field (or the argument), no
internal error, and a store — and every file of the data folder and of the corpus — unchanged.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ..conftest import run_cli, store_fingerprint

SQUARE = [[108.20, 23.20], [108.21, 23.20], [108.21, 23.21], [108.20, 23.21], [108.20, 23.20]]
SITE = {"site_id": "H1", "role": "damaged", "ecosystem_type": "forest", "name": "h"}
CASE_HEAD = "case_id,title,region,case_class,stage,claimant_agency,damage_amount_yuan,incident_date,discovered_date"
MON_HEAD = "site_id,indicator,time,value,unit,qc_flag"
BANK_HEAD = "project_id,name,ecosystem_type,capacity,capacity_unit,unit_cost_yuan,status,trajectory,wkt"
TRAJ = '"{""levels"": [[0, 0.0], [8, 1.0]]}"'
TODAY = "2026-11-30"


def _geojson(path: Path, features: list[dict], crs: str | None = None, raw: str | None = None) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(raw if raw is not None else json.dumps(doc), encoding="utf-8")


def _feature(props: dict, ring: list) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _vectors(d: Path) -> None:
    import geopandas as gpd
    import shapely
    import sqlite3
    _geojson(d / "nul.geojson", [_feature({**SITE, "site_id": "Z1\x00", "name": "a\x00b"}, SQUARE)])
    text = json.dumps({"type": "FeatureCollection", "features": [_feature(SITE, SQUARE)]})
    _geojson(d / "nan_vertices.geojson", [], raw=text.replace("[108.21, 23.21]", "[108.21, NaN]"))
    _geojson(d / "inf_vertices.geojson", [], raw=text.replace("[108.21, 23.21]", "[Infinity, 23.21]"))
    _geojson(d / "crs99999.geojson", [_feature(SITE, SQUARE)], crs="EPSG:99999")
    _geojson(d / "utm_degrees.geojson", [_feature(SITE, SQUARE)], crs="urn:ogc:def:crs:EPSG::32649")
    _geojson(d / "collinear.geojson", [_feature(SITE, [[108.2, 23.2], [108.21, 23.21], [108.22, 23.22],
                                                       [108.2, 23.2]])])
    _geojson(d / "far.geojson", [_feature(SITE, [[x + 10, y + 20] for x, y in SQUARE])])
    (d / "bad.fgb").write_bytes(b"fgb\x03fgb\x00" + bytes(range(256)) * 2)
    frame = gpd.GeoDataFrame({**{k: [v, v] for k, v in SITE.items()}, "site_id": ["G1", "G2"]},
                             geometry=[shapely.box(108.2, 23.2, 108.21, 23.21)] * 2, crs=4326)
    frame.to_file(d / "nul.gpkg", layer="s", SPATIAL_INDEX="NO")
    with sqlite3.connect(d / "nul.gpkg") as con:  # GDAL writes no NUL: put one in as SQLite stores text
        con.execute("UPDATE s SET name = 'b' || char(0) || 'c' WHERE site_id = 'G2'")
    far = '"POLYGON((' + ', '.join(f"{x + 10:.2f} {y + 20:.2f}" for x, y in SQUARE) + '))"'
    (d / "bank_far.csv").write_text(f"{BANK_HEAD}\nBP-FAR,n,wetland,5,ha,1000,approved,{TRAJ},{far}\n",
                                    encoding="utf-8")


def _tables(d: Path) -> None:
    (d / "dates.csv").write_text(
        f"{CASE_HEAD}\nC-D1,t,r,simple,filing,a,5,0000-01-01,\nC-D2,t,r,simple,filing,a,5,,9999-12-31\n"
        "C-D3,t,r,simple,filing,a,5,2026-01-10,2020-01-10\nC-D4,t,r,simple,filing,a,5,2026-01-10,2026-12-01\n",
        encoding="utf-8")
    (d / "mon_2999.csv").write_text(f"{MON_HEAD}\nS002,cod,2999-01-01,3,mg/L,ok\n", encoding="utf-8")
    (d / "mon_future.csv").write_text(f"{MON_HEAD}\nS002,cod,2027-01-01,3,mg/L,ok\n", encoding="utf-8")
    (d / "mon_qc.csv").write_text(f"{MON_HEAD}\nS002,cod,2026-01-01,3,mg/L,looks fine to me\n", encoding="utf-8")
    (d / "small.csv").write_text(f"{CASE_HEAD}\n" + "C-S1,t,r,simple,filing,a,5,,\n" * 100, encoding="utf-8")
    (d / "zero.csv").symlink_to("/dev/zero")
    (d / "zero.json").symlink_to("/dev/zero")
    water = {"standard": "gbt39793_2", "discharge": {"amount": 12000, "unit": "m3", "source": "在线监测"},
             "unit_cost": {"value": 3.5, "basis": "survey", "source": "调查"},
             "coefficients": {"alpha": {"value": 1.5, "source": "表1"}, "omega": {"value": 1.25, "source": "表5"},
                              "tau": {"exceedance": {"measured": 350, "limit": 100}}}}
    (d / "ab_ok.json").write_text(json.dumps(water, ensure_ascii=False), encoding="utf-8")


def workbook_bomb(path: Path, unpacked_mb: int) -> None:
    """An .xlsx whose one sheet unpacks to ``unpacked_mb`` MB of rows (a few hundred KB on disk)."""
    import openpyxl
    base = path.with_suffix(".base.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["case_id", "title"])
    wb.save(base)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            chunk = row * (1_000_000 // len(row))
            with zout.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                for _ in range(unpacked_mb):
                    fh.write(chunk)
                fh.write(b"</sheetData>" + tail)
    base.unlink()


def zip_bomb(path: Path, unpacked_mb: int) -> None:
    """A zipped "Shapefile" whose member unpacks to ``unpacked_mb`` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("sites.dbf", "w", force_zip64=True) as fh:
            block = b"\x00" * 1_000_000
            for _ in range(unpacked_mb):
                fh.write(block)


def sparse_geotiff(path: Path, size: int = 200_000) -> None:
    """A ``size`` × ``size`` GeoTIFF over the sample region with no block written (< 1 MB on disk)."""
    import rasterio
    from rasterio.transform import from_origin
    profile = {"driver": "GTiff", "dtype": "float32", "count": 1, "height": size, "width": size,
               "crs": "EPSG:4326", "transform": from_origin(100, 30, 20 / size, 20 / size), "tiled": True,
               "blockxsize": 1024, "blockysize": 1024, "sparse_ok": True, "nodata": -9999, "BIGTIFF": "YES"}
    with rasterio.open(path, "w", **profile):
        pass


def _rasters(d: Path) -> None:
    import rasterio
    from rasterio.transform import from_origin

    def tif(path, data, west=107.5, north=24.5):
        profile = {"driver": "GTiff", "dtype": "float32", "count": 1, "height": data.shape[0],
                   "width": data.shape[1], "crs": "EPSG:4326", "transform": from_origin(west, north, 0.01, 0.01)}
        path.parent.mkdir(exist_ok=True)
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data.astype("float32")[None])

    tif(d / "inf" / "ndvi_2026-11-15.tif", np.full((200, 200), np.inf))
    tif(d / "far" / "ndvi_2026-11-15.tif", np.full((50, 50), 0.5), west=10.0, north=50.0)
    (d / "sparse").mkdir()
    sparse_geotiff(d / "sparse" / "ndvi_2026-11-15.tif")
    (d / "stac_loop.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "loop", "description": "links to itself",
        "links": [{"rel": "self", "href": "./stac_loop.json"}, {"rel": "child", "href": "./stac_loop.json"}]}),
        encoding="utf-8")


def build_files(d: Path) -> None:
    _vectors(d)
    _tables(d)
    _rasters(d)
    workbook_bomb(d / "bomb.xlsx", 60)
    zip_bomb(d / "bomb.zip", 60)


#: (id, argv with {d} = corpus folder, exit code, message on stderr, extra environment)
CASES = [
    # --- text GDAL would cut at a NUL -----------------------------------------------------------
    ("NUL in a GeoJSON id", ["import", "sites", "{d}/nul.geojson"], 2,
     "nul.geojson, feature 1, field 'site_id': contains a control character (U+0000)", {}),
    ("NUL in a GeoJSON name", ["import", "sites", "{d}/nul.geojson"], 2,
     "nul.geojson, feature 1, field 'name': contains a control character (U+0000)", {}),
    ("NUL in a GeoPackage cell", ["import", "sites", "{d}/nul.gpkg"], 2,
     "nul.gpkg, feature 2, field 'name': contains a control character (U+0000)", {}),
    # --- geometries and CRS -------------------------------------------------------------------------
    ("NaN vertex", ["import", "sites", "{d}/nan_vertices.geojson"], 2,
     "nan_vertices.geojson, feature 1, field 'geometry': coordinates must be finite numbers", {}),
    ("Infinity vertex", ["import", "sites", "{d}/inf_vertices.geojson"], 2,
     "inf_vertices.geojson, feature 1, field 'geometry'", {}),
    ("corrupt FlatGeobuf", ["import", "sites", "{d}/bad.fgb"], 2, "bad.fgb: cannot read the file", {}),
    ("declared EPSG:99999", ["import", "sites", "{d}/crs99999.geojson"], 2,
     "crs99999.geojson, field 'crs': the file declares the coordinate reference system 'EPSG:99999', which is "
     "not known", {}),
    ("degrees labelled EPSG:32649", ["import", "sites", "{d}/utm_degrees.geojson"], 2,
     "utm_degrees.geojson, feature 1, field 'geometry': polygon has almost no area", {}),
    ("collinear polygon", ["import", "sites", "{d}/collinear.geojson"], 2,
     "collinear.geojson, feature 1, field 'geometry': polygon has zero area: its points lie on one line", {}),
    ("site far outside the region", ["import", "sites", "{d}/far.geojson"], 2,
     "far.geojson, feature 1, field 'geometry': lies at longitude 118.2050, latitude 43.2050, about 2,223 km "
     "outside the store's counties", {}),
    ("bank project far outside", ["import", "bank", "{d}/bank_far.csv", "--crs", "EPSG:4326"], 2,
     "bank_far.csv, line 2, field 'geometry': lies at longitude", {}),
    ("bank group: far outside", ["bank", "import", "{d}/bank_far.csv", "--crs", "EPSG:4326"], 2,
     "To import it anyway, give --allow-outside", {}),
    # --- dates and flags ----------------------------------------------------------------------------
    ("date 0000-01-01", ["import", "cases", "{d}/dates.csv"], 2,
     "dates.csv, line 2, field 'incident_date': 0000-01-01 lies outside the accepted dates 1900-01-01..2100-12-31",
     {}),
    ("date 9999-12-31", ["import", "cases", "{d}/dates.csv"], 2,
     "dates.csv, line 3, field 'discovered_date': 9999-12-31 lies outside the accepted dates", {}),
    ("discovery six years before the incident", ["import", "cases", "{d}/dates.csv"], 2,
     "dates.csv, line 4, field 'discovered_date': discovered_date 2020-01-10 is before the incident (incident_date "
     "2026-01-10): the discovery cannot precede the incident", {}),
    ("discovery in the future", ["import", "cases", "{d}/dates.csv"], 2,
     "dates.csv, line 5, field 'discovered_date': 2026-12-01 is after today (2026-11-30)", {}),
    ("monitoring value dated 2999", ["monitor", "ingest-table", "{d}/mon_2999.csv"], 2,
     "mon_2999.csv, line 2, field 'time': 2999-01-01 lies outside the accepted dates", {}),
    ("monitoring value dated next year", ["monitor", "ingest-table", "{d}/mon_future.csv"], 2,
     "mon_future.csv, line 2, field 'time': 2027-01-01 is after today (2026-11-30)", {}),
    ("qc_flag free text", ["monitor", "ingest-table", "{d}/mon_qc.csv"], 2,
     "mon_qc.csv, line 2, field 'qc_flag': unknown value 'looks fine to me'; allowed", {}),
    ("appraisal dated 2999", ["appraisal", "record", "GX-2025-002", "{d}/ab_ok.json", "--method", "abatement",
                              "--appraiser", "张三", "--date", "2999-01-01"], 2,
     "field 'appraised_on': 2999-01-01 is after today (2026-11-30)", {}),
    ("appraisal on a closed case", ["appraisal", "record", "GX-2022-012", "{d}/ab_ok.json", "--method",
                                    "abatement", "--appraiser", "张三"], 2,
     "GX-2022-012, field 'stage': case GX-2022-012 is 验收结案 closed (closed): its damage amount is final", {}),
    # --- rasters that would store nothing, catalogues ---------------------------------------------
    ("raster of +inf", ["monitor", "ingest-raster", "{d}/inf/*.tif"], 2,
     "ndvi_2026-11-15.tif: every pixel of the raster is nodata, NaN or infinite: nothing was stored and the "
     "raster source 'raster:ndvi' was left as it was", {}),
    ("raster far from every site", ["monitor", "ingest-raster", "{d}/far/*.tif"], 2,
     "ndvi_2026-11-15.tif: the raster (longitude 10.000..10.500, latitude 49.500..50.000) covers none of the", {}),
    ("sparse 200,000² GeoTIFF", ["monitor", "ingest-raster", "{d}/sparse/*.tif"], 2,
     "ndvi_2026-11-15.tif: one raster layer (width × height) is 40,000 Mpixel, more than the limit of 1,024 "
     "Mpixel", {}),
    ("self-referencing STAC catalogue", ["monitor", "ingest-raster", "--stac", "{d}/stac_loop.json", "--bands",
                                         "red,nir"], 2, "stac_loop.json: the STAC catalogue's child links loop", {}),
    ("unreachable STAC URL", ["monitor", "ingest-raster", "--stac", "http://127.0.0.1:9/catalog.json", "--bands",
                              "red,nir"], 2, "http://127.0.0.1:9/catalog.json: cannot fetch the STAC catalogue", {}),
    # --- the store's address ----------------------------------------------------------------------
    ("malformed database URL", ["--db", "postgresql://%%%:@@@/", "info"], 2, "not a valid database URL", {}),
    # --- size and decompression limits ------------------------------------------------------------
    ("/dev/zero named .csv", ["import", "cases", "{d}/zero.csv"], 2,
     "zero.csv: is not a regular file (a device such as /dev/zero", {}),
    ("/dev/zero as a field table", ["monitor", "ingest-table", "{d}/zero.csv"], 2, "zero.csv: is not a regular file",
     {}),
    ("/dev/zero as a mapping file", ["import", "cases", "{d}/small.csv", "--map-file", "{d}/zero.json"], 2,
     "zero.json: is not a regular file", {}),
    ("/dev/zero as --details", ["case", "event", "add", "GX-2025-002", "investigation_started", "2026-08-20",
                                "--details", "@{d}/zero.json"], 2, "is not a regular file", {}),
    ("workbook bomb: import cases", ["import", "cases", "{d}/bomb.xlsx"], 2,
     "bomb.xlsx: unpacked, the archive's content is 60 MB, more than the limit of 50 MB", {}),
    ("workbook bomb: ingest-table", ["monitor", "ingest-table", "{d}/bomb.xlsx"], 2,
     "or raise the limit with the environment variable RESTORATION_MAX_UNPACKED_MB (in MB)", {}),
    ("zipped Shapefile bomb", ["import", "sites", "{d}/bomb.zip"], 2,
     "bomb.zip: unpacked, the archive's content is 60 MB", {}),
    ("table over a lowered limit", ["import", "cases", "{d}/small.csv"], 2,
     "small.csv: the table file is 0.003 MB, more than the limit of 0.001 MB", {"RESTORATION_MAX_TABLE_MB": "0.001"}),
    ("a limit that is not a number", ["import", "cases", "{d}/small.csv"], 2,
     "environment variable RESTORATION_MAX_TABLE_MB='lots' is not a positive number of MB",
     {"RESTORATION_MAX_TABLE_MB": "lots"}),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus_input")
    build_files(d)
    return d


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (symlinks as their target's name) with its SHA-256."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(folder))] = "-> " + str(p.readlink())
        elif p.is_file():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("name, argv, code, message, env", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_and_nothing_changes(store, corpus, capsys, monkeypatch, name, argv, code,
                                                      message, env):
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    data = Path(store.data_dir)
    before = (store_fingerprint(store), folder_digest(data), folder_digest(corpus))
    raster_source = store.get("raster_sources", "raster:ndvi")["location"]
    args = ["--data", str(data)] + [a.replace("{d}", str(corpus)) for a in argv]
    got, out, err = run_cli(args, capsys)
    assert got == code, (name, out, err)
    assert message in err, (name, err)
    assert "internal error" not in err and "Traceback" not in err, (name, err)
    assert (store_fingerprint(store), folder_digest(data), folder_digest(corpus)) == before, f"{name}: changed"
    assert store.get("raster_sources", "raster:ndvi")["location"] == raster_source


def test_allow_outside_imports_a_site_far_from_the_region(store, corpus, capsys, monkeypatch):
    """The refusal is a question, not a wall: --allow-outside imports the site, and a store
    without counties has no region to question."""
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    code, out, err = run_cli(["--data", store.data_dir, "import", "sites", corpus / "far.geojson",
                              "--allow-outside"], capsys)
    assert code == 0, err
    assert store.get("sites", "H1")["county"] is None


def test_an_empty_store_accepts_any_place(empty_store, corpus, capsys, monkeypatch):
    monkeypatch.setenv("RESTORATION_TODAY", TODAY)
    code, out, err = run_cli(["--data", empty_store.data_dir, "import", "sites", corpus / "far.geojson"], capsys)
    assert code == 0, err
    assert empty_store.count("sites") == 1


def test_the_new_inputs_cover_every_item(corpus):
    """Each kind of input the hardening found has a case here (a guard against a lost case)."""
    names = " ".join(c[0] for c in CASES)
    for word in ("NUL", "NaN", "Infinity", "FlatGeobuf", "STAC", "database URL", "EPSG:99999", "EPSG:32649",
                 "collinear", "far", "0000", "9999", "discovery", "2999", "qc_flag", "closed", "+inf",
                 "/dev/zero", "bomb", "200,000"):
        assert word in names, word
    assert (corpus / "bomb.xlsx").stat().st_size < 1_000_000
    assert (corpus / "sparse" / "ndvi_2026-11-15.tif").stat().st_size < 5_000_000


def test_a_large_geojson_with_a_nul_is_refused_whole(gpkg_store, corpus, capsys, monkeypatch):
    """Past the size it is parsed again in Python at, the file is refused naming the NUL's byte."""
    from restoration import vector_io
    monkeypatch.setattr(vector_io, "MAX_REPARSE_BYTES", 100)
    before = store_fingerprint(gpkg_store)
    code, out, err = run_cli(["--data", gpkg_store.data_dir, "import", "sites", corpus / "nul.geojson"], capsys)
    assert code == 2 and "nul.geojson: holds a NUL character (\\u0000) at byte " in err, err
    assert store_fingerprint(gpkg_store) == before


def test_a_pipe_is_read_up_to_the_limit(gpkg_store, tmp_path, capsys, monkeypatch):
    """A table given as a pipe (process substitution) is read, and refused one byte past the limit."""
    import os
    import threading
    monkeypatch.setenv("RESTORATION_MAX_TABLE_MB", "0.01")
    fifo = tmp_path / "cases.csv"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as fh:
            try:
                fh.write(b"case_id,title\n" + b"C-P,t\n" * 10_000)
            except BrokenPipeError:
                pass
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, out, err = run_cli(["--data", gpkg_store.data_dir, "import", "cases", fifo], capsys)
    writer.join(10)
    assert code == 2 and "cases.csv: the table file is more than the limit of 0.01 MB (it does not end)" in err, err
