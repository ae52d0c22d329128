"""Printable case report and the GeoPackage hand-over package."""
from __future__ import annotations

from datetime import date

import pyogrio

from restoration.reports.case_report import case_report_html
from restoration.reports.layers import export_layers_gpkg


def test_case_report_holds_the_record_and_flags_overdue(store):
    html = case_report_html(store, "GX-2023-015", today=date(2026, 11, 20))
    assert html.startswith("<!DOCTYPE html>") and "红河口县某企业非法排污致河岸带受损案" in html
    assert "28.00 万元" in html  # the damage amount in 万元
    assert 'class="overdue"' in html  # unpaid instalments past due
    for site in store.read("sites", case_id="GX-2023-015")["site_id"]:
        assert site in html
    assert "@media print" in html


def test_layers_package_opens_in_gdal(store, tmp_path):
    path = export_layers_gpkg(store, tmp_path / "handover.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert {"sites", "bank_projects", "counties", "watersheds", "cases", "case_events"} <= set(layers)
    assert len(pyogrio.read_dataframe(path, layer="sites")) == store.count("sites")
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["handover.gpkg"]  # no temp file left
