"""`restoration monitor …` and raster ingestion into the store (the sample's NDVI flows through)."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from restoration.cli import main
from restoration.errors import InputError
from restoration.monitoring import ingest_raster, site_series


def _run(store, capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(store.data_dir), "monitor", *args])
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_sample_store_holds_the_ndvi_zonal_means(store, sample_dir):
    s = site_series(store, "S011", "ndvi")
    assert len(s) >= 20 and set(s["source"]) == {"raster:ndvi"}
    assert s["value"].iloc[-1] - s["value"].iloc[0] > 0.2
    # monitoring plots (points) get their pixel; sites off the raster get nothing
    assert len(site_series(store, "S013", "ndvi")) > 0
    assert len(site_series(store, "S020", "ndvi")) == 0


def test_reingest_replaces_and_flags_clouds(store, sample_dir):
    n = store.count("monitoring_series")
    report = ingest_raster(store, sample_dir / "ndvi" / "*.tif", site_ids=["S011", "S016"])
    assert report.replaced == report.rows > 0 and store.count("monitoring_series") == n
    cloudy = store.count("monitoring_series", site_id=("S011", "S016"), qc_flag="cloudy")
    assert cloudy == report.flagged["cloudy"] > 0
    # cloudy means stay in the store but out of the usable series
    assert len(site_series(store, "S011", "ndvi")) + len(site_series(store, "S016", "ndvi")) == report.rows - cloudy
    assert site_series(store, "S011", "ndvi", usable_only=False)["qc_flag"].isin(["ok", "cloudy"]).all()
    with pytest.raises(InputError, match="already in the store"):
        ingest_raster(store, sample_dir / "ndvi" / "*.tif", site_ids=["S011"], replace=False)


def test_unscaled_raster_is_refused_as_implausible(store, tmp_path, sample_dir):
    import rasterio
    src = sorted((sample_dir / "ndvi").glob("*.tif"))[0]
    dst = tmp_path / src.name
    dst.write_bytes(src.read_bytes())
    with rasterio.open(dst, "r+") as ds:
        ds.scales = (1.0,)  # forgot the 0.0001 scale factor
    n = store.count("monitoring_series")
    with pytest.raises(InputError, match="plausible range.*scale factor"):
        ingest_raster(store, dst)
    assert store.count("monitoring_series") == n


def test_cli_progress_alerts_and_evaluate(store, capsys, tmp_path):
    code, out, _ = _run(store, capsys, "progress", "--today", "2026-11-20")
    assert code == 0 and "有风险 at risk" in out and "按计划 on track" in out and "已达标 achieved" in out
    code, out, _ = _run(store, capsys, "progress", "--case", "GX-2022-011", "--today", "2026-11-20", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["indicator"] for r in rows} == {"cod", "nh3_n", "tp", "do"}
    code, out, _ = _run(store, capsys, "alerts", "--today", "2026-11-20")
    assert code == 0 and "S016" in out.splitlines()[1]
    xlsx = tmp_path / "eval.xlsx"
    code, out, _ = _run(store, capsys, "evaluate", "GX-2022-011", "--as-of", "2026-11-20", "--out", str(xlsx))
    assert code == 0 and "未达标 fail" in out and "GX-2022-011-EV01" in out and xlsx.exists()
    assert store.count("effect_evaluations") == 1
    code, _, err = _run(store, capsys, "evaluate", "NO-SUCH-CASE")
    assert code == 2 and "NO-SUCH-CASE" in err
    code, _, err = _run(store, capsys, "progress", "--today", "yesterday-ish")
    assert code == 2 and "not a date" in err


def test_cli_ingest_table_and_raster(store, capsys, tmp_path, sample_dir):
    bad = tmp_path / "bad.csv"
    bad.write_text("site_id,indicator,time,value,unit\nS021,cod,2026-11-01,14,mg/L\nS021,cod,2026-11-02,-3,mg/L\n",
                   encoding="utf-8")
    n = store.count("monitoring_series")
    code, _, err = _run(store, capsys, "ingest-table", str(bad))
    assert code == 2 and "bad.csv, line 3, field 'value'" in err and "nothing was written" in err
    assert store.count("monitoring_series") == n
    good = tmp_path / "good.csv"
    good.write_text("site_id,indicator,time,value,unit\nS021,cod,2026-11-01,14,mg/L\n", encoding="utf-8")
    code, out, _ = _run(store, capsys, "ingest-table", str(good))
    assert code == 0 and "1 values of cod" in out and store.count("monitoring_series") == n + 1
    code, out, _ = _run(store, capsys, "ingest-raster", str(sample_dir / "ndvi" / "*.tif"), "--site", "S024",
                        "--method", "coverage")
    # re-ingesting replaces every stored value (a date fully under cloud has none)
    found = re.search(r"stored (\d+) values .* on 24 dates; replaced (\d+)", out)
    assert code == 0 and found and found[1] == found[2] and int(found[1]) >= 20, out
    code, _, err = _run(store, capsys, "ingest-raster", str(tmp_path / "none*.tif"))
    assert code == 2 and "no files match" in err
    out_csv = tmp_path / "z.csv"
    code, out, _ = _run(store, capsys, "zonal", str(sample_dir / "ndvi" / "*.tif"), "--out", str(out_csv),
                        "--stats", "mean,max")
    table = pd.read_csv(out_csv)
    assert code == 0 and {"site_id", "time", "mean", "max", "flag"} <= set(table.columns)
    assert len(table) == 30 * 24


def test_raster_source_is_registered_and_maps_get_windows(store, tmp_path, synth, utm_sites):
    from restoration.monitoring import overlay
    src = store.get("raster_sources", "raster:ndvi")
    assert src["indicator"] == "ndvi" and src["n_dates"] == 24 and src["location"].endswith("*.tif")
    assert overlay.raster_times(store, "ndvi")[-1] == pd.Timestamp(src["last_date"])
    sites = store.read("sites").set_index("site_id")
    box = tuple(sites.loc[["S011"]].total_bounds)
    win = overlay.raster_window(store, box, "ndvi", "2025-06-20")
    assert win["time"] == "2025-06-15" and win["values"].ndim == 2
    minx, miny, maxx, maxy = win["bounds"]
    assert minx <= box[0] and miny <= box[1] and maxx >= box[2] and maxy >= box[3]  # covers the site
    assert overlay.latest_raster_window(store, box, "ndvi")["time"] == "2026-10-15"
    assert overlay.latest_raster_window(store, tuple(sites.loc[["S020"]].total_bounds), "ndvi") is None
    assert overlay.raster_times(store, "evi") == []
    # a UTM raster is shown in lon/lat: re-ingest a synthetic one under another label (over a
    # site of its own: a raster that covers no site is refused)
    from restoration import import_file
    site = utm_sites.iloc[[0]].assign(site_id="UTM-A", role="monitoring_plot", ecosystem_type="forest", name="a")
    site.to_file(tmp_path / "utm_site.geojson", driver="GeoJSON")
    import_file(store, "sites", tmp_path / "utm_site.geojson", allow_outside=True)  # east of the sample region
    synth.write_stack(tmp_path / "utm", np.clip(synth.values() / 1000.0, -1, 1))
    ingest_raster(store, tmp_path / "utm" / "*.tif", indicator="evi", label="raster:evi", min_valid_fraction=0)
    assert store.get("raster_sources", "raster:evi")["crs"] == "EPSG:32649"
    import pyproj
    lon, lat = pyproj.Transformer.from_crs(synth.UTM, 4326, always_xy=True).transform(
        synth.ORIGIN[0] + 300, synth.ORIGIN[1] - 300)
    w = overlay.raster_window(store, (lon, lat, lon + 0.001, lat + 0.001), "evi")
    assert w is not None and w["bounds"][0] < lon < w["bounds"][2]


def test_evaluate_honours_the_global_today(gpkg_store, capsys):
    """``restoration --today D monitor evaluate`` evaluates and saves as of D, not the real date."""
    with pytest.raises(SystemExit) as exit_:
        main(["--data", str(gpkg_store.data_dir), "--today", "2026-06-01", "monitor", "evaluate", "GX-2022-011",
              "--json"])
    assert exit_.value.code == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-06-01"
    saved = gpkg_store.read("effect_evaluations", case_id="GX-2022-011")
    assert [str(v)[:10] for v in saved["as_of"]] == ["2026-06-01"]
