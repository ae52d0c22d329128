"""The effect evaluation with the standard's structure, through the CLI on both backends: a
Guangxi case (sample GX-2022-011, surface water under HJ 25.5) and a Zhejiang case (soil under
HJ 25.5, groundwater under risk control with the Mann-Kendall trend) are taken through claim
items, an evaluation plan, an evaluation that partly fails, supplementary restoration,
re-evaluation, a satisfaction survey and acceptance, with the report in Word and PDF."""
from __future__ import annotations

import json
import os
import zipfile

import pytest

from ..conftest import store_fingerprint

GX = "GX-2022-011"
ZJ = "ZJ-2024-001"
LATER = "2027-06-01"


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The date checks of imported data (no observation after today) follow ``--today``'s date
    through ``RESTORATION_TODAY``: the test's timeline runs into 2027 (monkeypatch restores it)."""
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-20")


def run(cli, store, today, *args):
    os.environ["RESTORATION_TODAY"] = today
    return cli("--data", str(store.data_dir), "--today", today, *args)


def ok(result):
    code, out, err = result
    assert code == 0, (out, err)
    return out


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def series(path, rows):
    """A long monitoring table: rows (site, indicator, date, value, unit)."""
    return write(path, "site_id,indicator,time,value,unit\n" +
                 "".join(f"{s},{i},{d}T10:00:00,{v},{u}\n" for s, i, d, v, u in rows))


def months(start_year, start_month, n, step=1):
    out, y, m = [], start_year, start_month
    for _ in range(n):
        out.append(f"{y}-{m:02d}-15")
        m += step
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return out


GX_PLAN = {"units": [{"unit": "U1", "name": "河段水质修复区", "site_id": "S020", "medium": "surface_water",
                      "objective": "remediation", "area_m2": 12000, "points": 6, "rounds": 8}],
           "timing": {"start": "2026-05-20", "end": "2026-11-20", "frequency": "每月2次"},
           "long_term": {"years": 3, "frequency": "每季度", "indicators": ["cod", "nh3_n"]},
           "institution": "桂西市环境监测中心站"}


def guangxi_first_half(store, cli, tmp_path):
    """GX-2022-011: two claim items, the plan, the evaluation that partly fails (COD)."""
    T = "2026-11-20"
    ok(run(cli, store, T, "case", "claim", "add", GX, "restoration", "1200000", "--source", "修复方案预算"))
    ok(run(cli, store, T, "case", "claim", "add", GX, "investigation_appraisal", "450000", "--source", "鉴定评估合同"))
    ok(run(cli, store, T, "case", "evaluation", "plan", GX, "2026-05-20", "--file",
           write(tmp_path / "plan.json", json.dumps(GX_PLAN, ensure_ascii=False))))
    return ok(run(cli, store, T, "monitor", "evaluate", GX, "--as-of", T))


def guangxi_second_half(store, cli, tmp_path):
    """GX-2022-011: supplementary restoration, completed again, new monitoring, re-evaluated
    (passes), a satisfaction survey and the acceptance."""
    T = "2026-11-20"
    ok(run(cli, store, T, "case", "event", "add", GX, "supplementary_restoration", T, "--details",
           json.dumps({"plan": "底泥清淤并补种沉水植物"}, ensure_ascii=False)))
    ok(run(cli, store, LATER, "case", "event", "add", GX, "restoration_completed", "2027-01-10"))
    rows = [("S020", i, d, v, "mg/L") for d in months(2027, 1, 5) + [f"2027-0{m}-01" for m in (2, 3, 4, 5)]
            for i, v in (("cod", 15.2), ("nh3_n", 0.6), ("tp", 0.12), ("do", 6.1))]
    ok(run(cli, store, LATER, "monitor", "ingest-table", series(tmp_path / "after.csv", rows)))
    ok(run(cli, store, LATER, "monitor", "evaluate", GX, "--as-of", LATER))
    ok(run(cli, store, LATER, "case", "evaluation", "satisfaction", GX, LATER, "--respondents", "120",
           "--satisfied", "108", "--method", "入户问卷"))
    ok(run(cli, store, LATER, "case", "event", "add", GX, "accepted", LATER))


def test_guangxi_case_partly_fails_then_supplementary_restoration_and_acceptance(store, cli, tmp_path):
    T = "2026-11-20"
    # a bad plan is refused naming the field; nothing written
    before = store_fingerprint(store)
    bad = write(tmp_path / "bad.json", json.dumps({"units": [{"unit": "U1", "site_id": "S020", "medium": "lava",
                                                              "points": 0}]}))
    code, _, err = run(cli, store, T, "case", "evaluation", "plan", GX, T, "--file", bad)
    assert code == 2 and "units[0].medium" in err and "units[0].points" in err and store_fingerprint(store) == before
    out = guangxi_first_half(store, cli, tmp_path)
    assert "UCL=23.67" in out and store.get("cases", GX)["damage_amount_yuan"] == 1650000
    shown = json.loads(ok(run(cli, store, T, "case", "evaluation", "show", GX, "--json")))
    assert shown["result"] == "partly" and shown["result_zh"] == "部分达到修复目标"
    assert shown["plan"]["units"][0]["rule"] == "hj25_5" and shown["plan"]["units"][0]["points"] == 6
    first = shown["evaluations"][-1]
    assert first["n_failed"] == 1 and first["n_passed"] == 3  # COD fails; NH3-N, TP, DO pass
    code, _, err = run(cli, store, T, "case", "event", "add", GX, "accepted", T)
    assert code == 2 and "is fail" in err  # the gate reads a partly achieved evaluation as not passed
    guangxi_second_half(store, cli, tmp_path)
    shown = json.loads(ok(run(cli, store, LATER, "case", "evaluation", "show", GX, "--json")))
    assert shown["result"] == "pass" and [e["result"] for e in shown["evaluations"]] == ["partly", "pass"]
    assert shown["satisfaction"]["rate"] == pytest.approx(0.9)
    assert [p["event_type"] for p in shown["path"]][-4:] == ["supplementary_restoration", "restoration_completed",
                                                            "public_satisfaction", "accepted"]
    assert store.get("cases", GX)["stage"] == "effect_evaluation"
    # the report in Word and PDF, chapters in order, every one marked unchecked
    docx, pdf = tmp_path / "r.docx", tmp_path / "r.pdf"
    ok(run(cli, store, LATER, "case", "evaluation", "report", GX, "--out", str(docx), "--pdf", str(pdf)))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    chapters = ["1 项目概况", "2 修复工程概况", "3 效果评估方案", "3.1 评估范围与评估单元", "3.2 采样布点",
                "3.3 评估时间与频次", "4 评估标准与方法", "5 评估结果", "5.1 对照区比较", "6 补充修复与再评估",
                "7 公众满意度调查", "8 评估结论", "9 长期监测建议"]
    at = [xml.index(c) for c in chapters]
    assert at == sorted(at), chapters
    assert xml.count("本章标题与顺序未对照标准原文核对") == len(chapters)
    assert "部分达到修复目标" in xml and "达到修复目标" in xml and "90.0%" in xml and "HJ 25.5-2018" in xml
    code, _, err = run(cli, store, LATER, "case", "evaluation", "report", GX, "--out", str(tmp_path / "r.txt"))
    assert code == 2 and "--out" in err


def _zhejiang_case(store, cli, tmp_path, T):
    """A Zhejiang case through the CLI: the case, two sites (soil; a groundwater well), its
    history up to the restoration's completion, targets and the monitoring before acceptance."""
    ok(run(cli, store, T, "import", "cases", write(tmp_path / "zj.csv",
        "case_id,title,region,case_class,stage,liable_party,claimant_agency,incident_date,discovered_date,profile\n"
        f"{ZJ},某电镀厂渗漏致土壤和地下水污染案,石岭县,ordinary,screening,某电镀有限公司,测试市生态环境局,"
        "2024-01-10,2024-01-12,zhejiang\n")))
    site = store.read("sites", case_id=GX)
    geom = site[site["site_id"] == "S020"].geometry.iloc[0].centroid
    def square(x, y, d=0.002):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}
    feats = [{"type": "Feature", "geometry": square(geom.x + dx, geom.y),
              "properties": {"site_id": sid, "case_id": ZJ, "role": "in_situ_restoration", "name": name,
                             "ecosystem_type": "farmland_soil"}}
             for sid, name, dx in (("ZJ-S1", "厂区土壤修复区", 0.01), ("ZJ-S2", "地下水监测井", 0.012))]
    ok(run(cli, store, T, "import", "sites", write(tmp_path / "zj_sites.geojson",
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False))))
    clauses = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]
    steps = [("clue_registered", "2024-01-15", {}), ("filed", "2024-02-01", {}),
             ("investigation_started", "2024-02-10", {}), ("investigation_reported", "2024-04-01", {}),
             ("appraisal_commissioned", "2024-04-10", {}), ("appraisal_reported", "2024-06-01", {}),
             ("consultation_notice_served", "2024-06-10", {}), ("meeting_held", "2024-06-20", {}),
             ("agreement_signed", "2024-07-01", {"clauses": clauses}), ("restoration_started", "2024-08-01", {}),
             ("restoration_completed", "2026-03-01", {}), ("effect_evaluation_commissioned", "2026-03-10", {})]
    ok(run(cli, store, T, "import", "events", write(tmp_path / "zj_events.csv", "case_id,event_type,date,details\n" +
        "".join(f"{ZJ},{t},{d},\"{json.dumps(x, ensure_ascii=False).replace(chr(34), chr(34) * 2)}\"\n"
                for t, d, x in steps))))
    ok(run(cli, store, T, "import", "targets", write(tmp_path / "zj_targets.csv",
        "site_id,indicator,unit,direction,baseline,target,baseline_date,target_date\n"
        "ZJ-S1,cd,mg/kg,lower,2.4,0.6,2024-03-01,2026-06-01\nZJ-S2,nh3_n,mg/L,lower,3.0,1.5,2024-03-01,2026-06-01\n")))
    twice = [f"2026-{m:02d}-{d:02d}" for m in range(6, 12) for d in (1, 15)]
    soil = [("ZJ-S1", "cd", d, v, "mg/kg") for d, v in zip(twice, (0.31, 0.28, 0.35, 0.3, 0.26, 0.33,
                                                                   0.29, 0.27, 0.32, 0.3, 0.28, 0.3))]
    rising = [("ZJ-S2", "nh3_n", d, round(0.5 + 0.08 * k, 3), "mg/L") for k, d in enumerate(months(2026, 1, 11))]
    ok(run(cli, store, T, "monitor", "ingest-table", series(tmp_path / "zj_before.csv", soil + rising)))


ZJ_PLAN = {"units": [{"unit": "T1", "name": "厂区土壤", "site_id": "ZJ-S1", "medium": "soil", "objective": "remediation",
                      "area_m2": 3500, "points": 10},
                     {"unit": "G1", "name": "地下水", "site_id": "ZJ-S2", "medium": "groundwater",
                      "objective": "risk_control", "points": 3, "rounds": 11}],
           "timing": {"start": "2026-01-01", "end": "2026-11-30", "frequency": "每月"}}


def test_zhejiang_case_groundwater_trend_partly_fails_then_supplementary_and_acceptance(store, cli, tmp_path):
    T = "2026-11-20"
    _zhejiang_case(store, cli, tmp_path, T)
    ok(run(cli, store, T, "case", "claim", "add", ZJ, "restoration", "2600000", "--source", "修复工程合同"))
    ok(run(cli, store, T, "case", "claim", "add", ZJ, "interim_loss", "300000", "--source", "鉴定评估报告"))
    assert store.get("cases", ZJ)["damage_amount_yuan"] == 2900000
    ok(run(cli, store, T, "case", "evaluation", "plan", ZJ, "2026-03-05", "--file",
           write(tmp_path / "zj_plan.json", json.dumps(ZJ_PLAN, ensure_ascii=False))))
    ok(run(cli, store, T, "monitor", "evaluate", ZJ, "--as-of", T))
    shown = json.loads(ok(run(cli, store, T, "case", "evaluation", "show", ZJ, "--json")))
    ind = {i["indicator"]: i for i in shown["evaluations"][-1]["indicators"]}
    assert ind["cd"]["rule"] == "hj25_5_statistical" and ind["cd"]["passed"] is True
    assert ind["nh3_n"]["rule"] == "mann_kendall" and ind["nh3_n"]["passed"] is False
    assert ind["nh3_n"]["evidence"]["trend"] == "increasing"  # below the standard, but rising: fails
    assert shown["result"] == "partly"
    assert any("风险管控单元（G1）" in a["zh"] for a in shown["advice"])
    assert any("浓度呈上升趋势" in a["zh"] for a in shown["advice"])
    code, _, err = run(cli, store, T, "case", "event", "add", ZJ, "accepted", T)
    assert code == 2 and "is fail" in err
    ok(run(cli, store, T, "case", "event", "add", ZJ, "supplementary_restoration", T, "--details",
           json.dumps({"plan": "增设抽出处理井"}, ensure_ascii=False)))
    ok(run(cli, store, LATER, "case", "event", "add", ZJ, "restoration_completed", "2026-12-20"))
    # the plan revised for the re-evaluation: its period starts after the supplementary works
    revised = {**ZJ_PLAN, "timing": {"start": "2026-12-21", "end": LATER, "frequency": "每月2次"},
               "long_term": {"years": 5, "frequency": "每季度", "indicators": ["nh3_n"]}}
    ok(run(cli, store, LATER, "case", "evaluation", "plan", ZJ, "2026-12-21", "--file",
           write(tmp_path / "zj_plan2.json", json.dumps(revised, ensure_ascii=False))))
    after = [f"{y}-{m:02d}-{d:02d}" for y, m in ((2027, 1), (2027, 2), (2027, 3), (2027, 4), (2027, 5))
             for d in (1, 15)]
    falling = [("ZJ-S2", "nh3_n", d, round(1.2 - 0.04 * k, 3), "mg/L") for k, d in enumerate(after)]
    soil = [("ZJ-S1", "cd", d, 0.25 + 0.01 * (k % 3), "mg/kg") for k, d in enumerate(after)]
    ok(run(cli, store, LATER, "monitor", "ingest-table", series(tmp_path / "zj_after.csv", falling + soil)))
    ok(run(cli, store, LATER, "monitor", "evaluate", ZJ, "--as-of", LATER))
    ok(run(cli, store, LATER, "case", "evaluation", "satisfaction", ZJ, LATER, "--respondents", "40",
           "--satisfied", "37", "--method", "座谈会"))
    shown = json.loads(ok(run(cli, store, LATER, "case", "evaluation", "show", ZJ, "--json")))
    assert [e["result"] for e in shown["evaluations"]] == ["partly", "pass"] and shown["result"] == "pass"
    ind = {i["indicator"]: i for i in shown["evaluations"][-1]["indicators"]}
    assert ind["nh3_n"]["evidence"]["trend"] == "decreasing" and ind["nh3_n"]["evidence"]["n"] == 10
    assert shown["plan"]["long_term"]["years"] == 5 and any("5 年" in a["zh"] for a in shown["advice"])
    ok(run(cli, store, LATER, "case", "event", "add", ZJ, "accepted", LATER))
    pdf = tmp_path / "zj.pdf"
    ok(run(cli, store, LATER, "case", "evaluation", "report", ZJ, "--pdf", str(pdf), "--lang", "en"))
    assert pdf.stat().st_size > 10_000


def test_satisfaction_and_plan_refusals(store, cli, tmp_path):
    T = "2026-11-20"
    before = store_fingerprint(store)
    code, _, err = run(cli, store, T, "case", "evaluation", "satisfaction", GX, T, "--respondents", "10",
                       "--satisfied", "11", "--method", "问卷")
    assert code == 2 and "--satisfied" in err
    # a case whose restoration has not started takes no plan
    code, _, err = run(cli, store, T, "case", "evaluation", "plan", "GX-2024-004", T, "--file",
                       write(tmp_path / "p.json", json.dumps(GX_PLAN, ensure_ascii=False)))
    assert code == 2 and "restoration" in err.lower()
    code, _, err = run(cli, store, T, "case", "evaluation", "plan", GX, T, "--file",
                       write(tmp_path / "p.yaml", "units: {a: &a [1,2], b: [*a, *a]}\n"))
    assert code == 2
    assert store_fingerprint(store) == before
    # an empty evaluation structure reads, and its report is written, with nothing recorded
    shown = json.loads(ok(run(cli, store, T, "case", "evaluation", "show", "GX-2023-009", "--json")))
    assert shown["result"] == "incomplete" and shown["plan"] is None and shown["evaluations"] == []
    out = ok(run(cli, store, T, "case", "evaluation", "show", "GX-2023-009"))
    assert "None" not in out and "未记录" in out
    ok(run(cli, store, T, "case", "evaluation", "report", "GX-2023-009", "--out", str(tmp_path / "e.docx")))
