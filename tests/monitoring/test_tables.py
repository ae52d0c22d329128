"""Field and sensor tables: long and wide layouts, unit conversion, and bad rows reported with
their line numbers with nothing imported."""
from __future__ import annotations


import pandas as pd
import pytest

from ..conftest import store_fingerprint

from restoration.errors import InputError
from restoration.monitoring import ingest_table, site_series


def _csv(tmp_path, text: str, name: str = "wq.csv"):
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def test_long_table_is_imported(store, tmp_path):
    before = store.count("monitoring_series")
    path = _csv(tmp_path, """
site_id,indicator,time,value,unit
S021,cod,2026-11-01,14.2,mg/L
S021,nh3_n,2026-11-01,380,μg/L
S013,vegetation_cover,2026-10-20,0.62,fraction
""")
    report = ingest_table(store, path, source="lab_2026")
    assert report.rows == 3 and store.count("monitoring_series") == before + 3
    nh3 = site_series(store, "S021", "nh3_n", source="lab_2026")
    assert nh3["value"].iloc[0] == pytest.approx(0.38) and nh3["unit"].iloc[0] == "mg/L"  # μg/L → mg/L
    cover = site_series(store, "S013", "vegetation_cover")
    assert cover["value"].iloc[0] == pytest.approx(62.0) and cover["unit"].iloc[0] == "%"


def test_wide_excel_table_with_units_in_headers(store, tmp_path):
    frame = pd.DataFrame({"场地编号": ["S022", "S022"], "采样日期": ["2026-11-05", "2026-11-12"],
                          "cod (mg/L)": [19.5, 21.0], "氨氮 [mg/L]": [0.7, None], "tp": [0.15, 0.16]})
    path = tmp_path / "wide.xlsx"
    frame.to_excel(path, index=False)
    report = ingest_table(store, path)
    assert report.rows == 5  # the empty NH3-N cell is no value
    assert set(report.indicators) == {"cod", "nh3_n", "tp"}
    cod = site_series(store, "S022", "cod", source="field")
    assert list(cod["value"]) == [19.5, 21.0]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(store, tmp_path):
    path = _csv(tmp_path, """
site_id,indicator,time,value,unit
S021,cod,2026-11-01,14.2,mg/L
S021,chlorophyll,2026-11-01,3,mg/L
S021,cod,2026-13-45,14.0,mg/L
S021,nh3_n,2026-11-02,1.0,kg
S021,do,2026-11-02,85,mg/L
S999,tp,2026-11-02,0.1,mg/L
S021,cod,2026-11-01,15.0,mg/L
S021,tp,2026-11-03,abc,mg/L
""")
    before_rows = store.count("monitoring_series")
    before_bytes = store_fingerprint(store)
    with pytest.raises(InputError) as err:
        ingest_table(store, path)
    text = str(err.value)
    for expected in ("line 3, field 'indicator': unknown indicator 'chlorophyll'",
                     "line 4, field 'time': '2026-13-45' is not a date",
                     "line 5, field 'unit': unit 'kg' is not a unit of nh3_n",
                     "line 6, field 'value': 85 mg/L is outside the plausible range of do",
                     "line 7, field 'site_id': site 'S999' does not exist",
                     "line 8, field 'time': the same site, indicator, time and source as line 2",
                     "line 9, field 'value': 'abc' is not a number"):
        assert expected in text, expected
    assert "wq.csv" in text
    assert store.count("monitoring_series") == before_rows
    assert store_fingerprint(store) == before_bytes  # file untouched


def test_existing_values_are_refused_unless_replace(store, tmp_path):
    path = _csv(tmp_path, """
site_id,indicator,time,value,unit,source
S020,cod,2026-10-15T10:00:00,99,mg/L,field_sampling
""")
    with pytest.raises(InputError, match="line 2.*already in the store"):
        ingest_table(store, path)
    n = store.count("monitoring_series")
    report = ingest_table(store, path, replace=True)
    assert report.replaced == 1 and store.count("monitoring_series") == n
    s = site_series(store, "S020", "cod", source="field_sampling")
    assert s.loc[s["time"] == pd.Timestamp("2026-10-15T10:00:00"), "value"].tolist() == [99.0]


def test_table_without_known_columns_is_refused(store, tmp_path):
    path = _csv(tmp_path, "site_id,time,colour\nS021,2026-01-01,blue")
    with pytest.raises(InputError, match="colour"):
        ingest_table(store, path)
