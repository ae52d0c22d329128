"""Taking over a real register, as a new agency does on its first day, through the CLI on both
backends: an empty store, the county boundaries, a register of cases at every stage from a
Chinese-headed CSV (no history), then part of their history from an events file. Which cases are
overdue and which cannot be computed is worked out by hand below from the dates in the files."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from restoration import config

from ..conftest import store_fingerprint

TODAY = "2026-11-20"
ALL_CLAUSES = ["damage_facts", "evidence", "restoration_plan", "time_limits", "breach_liability",
               "effect_evaluation", "dispute_resolution"]
#: (case id, stage as the register writes it, 修复方式)
REGISTER = [
    ("T-01", "线索筛查", ""), ("T-02", "立案", ""), ("T-03", "损害调查", ""), ("T-04", "鉴定评估", ""),
    ("T-05", "赔偿磋商", ""), ("T-06", "赔偿磋商", ""), ("T-07", "赔偿磋商", ""), ("T-08", "司法确认", ""),
    ("T-09", "诉讼", ""), ("T-10", "修复", "原位修复"), ("T-11", "修复", "原位修复"), ("T-12", "修复", "原位修复"),
    ("T-13", "修复效果评估", ""), ("T-14", "验收结案", ""), ("T-15", "不启动索赔", ""), ("T-16", "终止索赔", ""),
]
RESTORATION_DUE = {"id": "restoration_completion", "zh": "协议约定修复完成期限", "en": "restoration to be completed",
                   "due_date": "2026-06-30", "stop_events": ["restoration_completed"]}
#: the register's earlier history, in the agency's own words (Chinese labels, Chinese headers)
HISTORY = [
    # consultation notice served 2026-06-01: the 90-day consultation period ended about 2026-08-31
    # (the last day falling on a Sunday moves to Monday) — long before 2026-11-20: overdue
    ("T-05", "送达磋商告知书", "2026-06-01", {}),
    ("T-05", "召开磋商会议", "2026-07-01", {}),
    # served 2026-10-01: the period runs to about 2026-12-30 — open, not overdue
    ("T-06", "送达磋商告知书", "2026-10-01", {}),
    # taken over in restoration, with the agreement that set the restoration deadline 2026-06-30,
    # which passed without the restoration being completed: overdue
    ("T-10", "签订赔偿协议", "2025-03-01", {"clauses": ALL_CLAUSES, "deadlines": [RESTORATION_DUE]}),
    # an everyday record: an inspection says nothing about the restoration deadline
    ("T-12", "修复过程监督检查", "2026-10-15", {"inspector": "王工", "findings": "补植成活率约八成"}),
]
OVERDUE = {"T-05", "T-10"}
#: consultation without the notice's date (T-07); restoration without a deadline (T-11, T-12)
NOT_COMPUTABLE = {"T-07", "T-11", "T-12"}


def _register(folder: Path) -> Path:
    rows = ["案件编号,案件名称,所在县区,案件类别,办理阶段,赔偿权利人指定部门,损害数额,损害发生日期,修复方式"]
    for cid, stage, modes in REGISTER:
        rows.append(f"{cid},接管测试案件 {cid},石岭县,一般,{stage},石岭县生态环境局,500000,2025-01-10,{modes}")
    path = folder / "register.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _events(folder: Path, rows, name: str = "history.csv") -> Path:
    lines = ["案件编号,事件类型,日期,详情"]
    for cid, etype, day, details in rows:
        text = json.dumps(details, ensure_ascii=False).replace('"', '""') if details else ""
        lines.append(f'{cid},{etype},{day},"{text}"')
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def register(empty_store, tmp_path, cli):
    """The empty store with counties, the register (no history) and its partial history."""
    data = str(empty_store.data_dir)
    for args in (["import", "counties", config.sample_dir() / "counties.geojson"],
                 ["import", "cases", _register(tmp_path)],
                 ["import", "events", _events(tmp_path, HISTORY)]):
        code, out, err = cli("--data", data, "--today", TODAY, *args)
        assert code == 0, (args, out, err)
    return empty_store, data, tmp_path


def test_overdue_and_not_computable_are_the_right_cases(register, cli):
    store, data, _ = register
    code, out, err = cli("--data", data, "--today", TODAY, "case", "overdue", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert {r["case_id"] for r in got["overdue"]} == OVERDUE
    assert set(got["not_computable_cases"]) == NOT_COMPUTABLE
    why = {r["case_id"]: r["missing_zh"] for r in got["not_computable"]}
    assert why["T-07"] == "缺少送达磋商告知书或赔偿义务人申请先行磋商的日期"
    assert why["T-11"].startswith("缺少修复完成期限") and why["T-12"] == why["T-11"]
    # the text says the overdue count covers only what can be computed, and lists the rest
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "overdue")
    assert code == 0 and "2 overdue among the deadlines that can be computed" in out
    assert "期限无法计算 cannot be computed: 3 cases" in out and "\n2 overdue\n" not in out
    assert "T-07  赔偿磋商期限 / consultation period: 缺少送达磋商告知书" in out


def test_the_history_keeps_the_register_stages(register, cli):
    store, data, _ = register
    stages = store.read("cases").set_index("case_id")["stage"]
    assert stages["T-05"] == "consultation" and stages["T-10"] == "restoration" and stages["T-12"] == "restoration"
    events = store.read("case_events", case_id="T-10")
    assert list(events["event_type"]) == ["taken_over", "agreement_signed"]
    assert events.iloc[0]["details"]["stage"] == "restoration"
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "check")
    assert code == 0 and "every case history is valid" in out


def test_case_list_and_deadlines_say_what_is_missing(register, cli):
    _, data, _ = register
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "list", "--json")
    rows = {r["case_id"]: r for r in json.loads(out)}
    assert {c for c, r in rows.items() if r["not_computable"]} == NOT_COMPUTABLE
    assert {c for c, r in rows.items() if r["overdue"]} == OVERDUE
    assert rows["T-07"]["missing"][0]["en"] == "no date of the consultation notice served or consultation " \
                                              "requested by the liable party"
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "list")
    assert "T-07  v1  一般/赔偿磋商" in out and "期限无法计算 cannot be computed: 缺少送达磋商告知书" in out
    assert "16 cases; 3 with deadlines that cannot be computed" in out
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "deadlines", "T-11")
    assert "修复完成期限 / restoration to be completed: 无法计算 cannot be computed ⚠" in out
    assert "缺少 missing: 缺少修复完成期限" in out
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "deadlines", "T-03")  # no number in the rules
    assert "损害调查期限 / damage investigation: 期限未设定 no limit set" in out and "缺少启动损害调查的日期" in out
    assert "not_set" not in out


def test_records_at_any_stage_keep_the_stage(register, cli):
    store, data, _ = register
    for cid, etype, details in (("T-11", "inspection", {"inspector": "李工", "findings": "已开工"}),
                                ("T-03", "monitoring_note", {"indicator": "cod", "note": "例行采样"}),
                                ("T-14", "document_filed", {"document": "结案报告扫描件"})):
        before = store.get("cases", cid)["stage"]
        code, out, err = cli("--data", data, "--today", TODAY, "case", "event", "add", cid, etype, TODAY,
                             "--details", json.dumps(details, ensure_ascii=False))
        assert code == 0, err
        assert store.get("cases", cid)["stage"] == before, cid
    # a clue registration on the case in restoration would put it back to screening: refused whole
    before = store_fingerprint(store)
    code, _, err = cli("--data", data, "--today", TODAY, "case", "event", "add", "T-11", "线索登记", TODAY)
    assert code == 2 and "would move the case back from restoration to screening" in err
    assert store_fingerprint(store) == before and store.get("cases", "T-11")["stage"] == "restoration"


def test_a_later_event_fills_a_missing_date(register, cli):
    store, data, _ = register
    # the notice of T-07, served before the takeover: now its consultation period can be computed
    code, _, err = cli("--data", data, "--today", TODAY, "case", "event", "add", "T-07", "consultation_notice_served",
                       "2026-11-02")
    assert code == 0, err
    code, out, _ = cli("--data", data, "--today", TODAY, "case", "overdue", "--json")
    assert set(json.loads(out)["not_computable_cases"]) == NOT_COMPUTABLE - {"T-07"}
    assert store.get("cases", "T-07")["stage"] == "consultation"


def test_a_correction_is_the_only_way_back_and_is_audited(register, cli):
    store, data, _ = register
    code, _, err = cli("--data", data, "--today", TODAY, "case", "correct", "T-12", "--stage", "赔偿磋商",
                       "--reason", "台账阶段填写有误", "--document", "石岭环函〔2026〕7号")
    assert code == 0, err
    assert store.get("cases", "T-12")["stage"] == "consultation"
    last = store.read("case_events", case_id="T-12").iloc[-1]
    assert last["event_type"] == "stage_corrected" and last["details"]["document"] == "石岭环函〔2026〕7号"
    assert any("stage_corrected" in str(a) for a in store.read("audit_log")["action"])
    code, _, err = cli("--data", data, "--today", TODAY, "case", "correct", "T-12", "--stage", "consultation",
                       "--reason", "x", "--document", "y")
    assert code == 2 and "already at consultation" in err


def test_a_bad_history_file_is_refused_whole(register, cli):
    store, data, folder = register
    bad = _events(folder, [
        ("T-99", "立案", "2026-01-01", {}),  # no such case
        ("T-02", "跳舞", "2026-02-01", {}),  # no such event type
        ("T-04", "签订赔偿协议", "2026-03-01", {"clauses": ALL_CLAUSES}),  # an agreement before the notice
        ("T-04", "送达磋商告知书", "2026-04-01", {}),
        ("T-03", "启动损害调查", "2024-12-31", {}),  # before the incident (2025-01-10)
        ("T-03", "investigation_reported", "2027-01-01", {}),  # in the future
        ("T-06", "召开磋商会议", "2026-10-20", {}), ("T-06", "召开磋商会议", "2026-10-20", {}),  # twice
        ("T-06", "送达磋商告知书", "2026-10-01", {}),  # already stored
    ], "bad.csv")
    before = store_fingerprint(store)
    code, out, err = cli("--data", data, "--today", TODAY, "import", "events", bad)
    assert code == 2
    for expected in ("bad.csv, line 2, field 'case_id': case 'T-99' does not exist",
                     "bad.csv, line 3, field 'event_type': unknown event type '跳舞'",
                     "bad.csv, line 5, field 'event_type': consultation notice served (2026-04-01): an agreement "
                     "was already signed",
                     "bad.csv, line 6, field 'date': investigation started (2024-12-31): dated before the incident",
                     "bad.csv, line 7, field 'date': investigation reported (2027-01-01): dated in the future",
                     "bad.csv, line 9, field 'event_type': duplicate of line 8",
                     "bad.csv, line 10, field 'event_type': case T-06 already has this event"):
        assert expected in err, (expected, err)
    assert "nothing was written" in err and store_fingerprint(store) == before
    code, out, err = cli("--data", data, "--today", TODAY, "import", "events", bad, "--check")
    assert code == 2 and store_fingerprint(store) == before


def test_own_headers_with_map_excel_and_extra_columns(register, cli):
    import pandas as pd
    store, data, folder = register
    path = folder / "own.xlsx"
    pd.DataFrame({"编号": ["T-09", "T-13"], "环节": ["judgment_effective", "委托修复效果评估"],
                  "办理日期": ["2026-09-01", "2026-10-01"], "备注": ["一审判决生效", "委托某评估机构"]}
                 ).to_excel(path, index=False)
    code, out, err = cli("--data", data, "--today", TODAY, "import", "events", path,
                         "--map", "case_id=编号,event_type=环节,date=办理日期")
    assert code == 0, err
    assert "编号 → case_id" in out and "kept in the events' details: 备注" in out
    assert "imported 2 events of 2 cases" in out
    last = store.read("case_events", case_id="T-13").iloc[-1]
    assert last["event_type"] == "effect_evaluation_commissioned" and last["details"]["note"] == "委托某评估机构"
    assert store.get("cases", "T-09")["stage"] == "litigation"


def test_a_document_with_its_file_on_a_case_in_restoration(register):
    from PIL import Image

    from restoration.cases import add_event
    store, _, _ = register
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(png, format="PNG")
    case = add_event(store, "T-11", {"event_type": "附件归档", "event_date": TODAY,
                                     "details": {"document": "修复进度照片"}}, "supervisor",
                     today=date(2026, 11, 20),
                     attachments=[("进度.png", "image/png", png.getvalue())])
    assert case["stage"] == "restoration"
    files = store.read("attachments", case_id="T-11")
    assert list(files["name"]) == ["进度.png"] and files.iloc[0]["mime"] == "image/png"


def test_an_unknown_event_type_lists_the_known_ones_in_chinese(register, cli):
    _, data, _ = register
    code, _, err = cli("--data", data, "--today", TODAY, "case", "event", "add", "T-11", "party", TODAY)
    assert code == 2 and "unknown event type 'party'" in err
    assert "meeting_held (召开磋商会议 / consultation meeting held)" in err and "inspection (修复过程监督检查" in err
