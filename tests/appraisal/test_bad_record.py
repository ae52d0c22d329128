"""Bad appraisal input as the appraiser meets it on the command line: ``appraisal record`` with a
repeated pollutant, a unit that cannot be converted, k outside the cited range without a reason,
a coefficient without its source — exit 2 naming the item and field, nothing recorded; the same
``verify`` of a hand-edited manifest."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"


def _dezhou():
    return yaml.safe_load((DATA / "dezhou_air.yaml").read_text(encoding="utf-8"))


def _chongqing():
    return yaml.safe_load((DATA / "chongqing_water.yaml").read_text(encoding="utf-8"))


def _dup(d):
    d["pollutants"].append(copy.deepcopy(d["pollutants"][0]))


CASES = [
    ("duplicate pollutant", _dezhou, _dup, "pollutants[3] (二氧化硫).name"),
    ("unconvertible unit", _dezhou, lambda d: d["pollutants"][1]["unit_cost"].update(unit="元/m3"),
     "pollutants[1] (氮氧化物).unit_cost.unit"),
    ("unknown unit", _dezhou, lambda d: d["pollutants"][0]["discharge"].update(unit="桶"),
     "discharge.unit"),
    ("coefficient without source", _dezhou, lambda d: d["coefficients"]["k"].pop("source"),
     "coefficients.k.source"),
    ("k outside the cited range", _chongqing, lambda d: d["coefficients"]["k"].update(value=7),
     "coefficients.k"),
]


@pytest.mark.parametrize("name, base, change, field", CASES, ids=[c[0] for c in CASES])
def test_record_refuses_and_records_nothing(gpkg_store, cli, tmp_path, name, base, change, field):
    cid = gpkg_store.read("cases").iloc[0]["case_id"]
    before = gpkg_store.get("cases", cid)["damage_amount_yuan"]
    data = base()
    change(data)
    f = tmp_path / "in.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = cli("--data", str(gpkg_store.data_dir), "appraisal", "record", cid, f, "--method", "abatement",
                         "--appraiser", "张三")
    assert code == 2, (out, err)
    assert field in err and "未写入任何数据" in err
    assert gpkg_store.read("appraisals", case_id=cid).empty and gpkg_store.read("claim_items", case_id=cid).empty
    after = gpkg_store.get("cases", cid)["damage_amount_yuan"]
    assert after == before or (after != after and before != before)  # unchanged (or still empty)
