"""The case register as an Excel workbook (案件台账): cases, deadlines, overdue items, funds and the
rules in force, with Chinese and English column headings."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..model import CASES
from ..store import Store
from .funds import summarise
from ..profiles.for_case import profile_for, profile_problem
from .records import all_deadlines, list_cases
from .. import config
from ..workbook import workbook_bytes, write_workbook

_HEAD = {
    "stage_zh": "办理阶段（中文）", "class_zh": "案件类别（中文）", "damage_wan_yuan": "损害数额（万元）",
    "next_due": "最近到期日", "next_due_what": "最近到期事项", "overdue": "逾期事项数",
    "deadline": "期限", "zh": "名称", "en": "name", "kind": "类型", "status": "状态", "status_zh": "状态（中文）",
    "due_date": "到期日", "days_left": "剩余天数", "start_event": "起算事件", "start_date": "起算日期",
    "limit_days": "期限（日）", "day_kind": "日类型", "nominal_due": "顺延前最后一日", "moved": "节假日顺延",
    "stop_event": "完成事件", "stop_date": "完成日期", "provisional": "暂定", "provisional_reason": "暂定原因",
    "source": "依据", "verified": "已核实", "profile": "规则配置", "note": "说明", "title": "案件名称",
    "due_yuan": "应缴（元）", "scheduled_yuan": "分期计划（元）", "received_yuan": "已收（元）",
    "disbursed_yuan": "已拨付（元）", "balance_yuan": "结余（元）", "outstanding_yuan": "未缴（元）",
    "arrears_yuan": "逾期未缴（元）", "rule": "规则", "value": "值", "events": "事件数",
}


def _heading(col: str) -> str:
    try:
        zh = CASES.field(col).zh
    except KeyError:
        zh = _HEAD.get(col, "")
    return f"{zh} {col}" if zh else col


def register_tables(store: Store, today: date | None = None) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as frames (also used by the dashboard)."""
    today = today or config.today()
    cases = list_cases(store, today=today)
    reg = cases.drop(columns=["notes"], errors="ignore")
    reg["restoration_modes"] = reg["restoration_modes"].map(lambda v: "、".join(v or []))
    reg["events"] = reg["case_id"].map(store.read("case_events").groupby("case_id").size()).fillna(0).astype(int)
    dls = all_deadlines(store, today)
    ledger = store.read("funds_ledger")
    money = []
    for c in cases["case_id"]:
        rows = ledger[ledger.case_id == c]
        if len(rows):
            s = summarise(rows, today).to_dict()
            s.pop("instalments")
            money.append({"case_id": c, **s})
    usable = [p for p in cases["profile"].dropna().unique() if profile_problem({"profile": p}) is None]
    profiles = {}
    for p in usable:  # unusable ones: see the register's 'problem' column
        try:
            profiles[p] = profile_for({"profile": p})
        except InputError:
            continue
    rules = pd.concat([prof.table().assign(profile_used=name) for name, prof in profiles.items()],
                      ignore_index=True) if profiles else pd.DataFrame()
    return {"案件台账 register": reg, "期限 deadlines": dls, "逾期 overdue": dls[dls["overdue"]],
            "资金 funds": pd.DataFrame(money), "规则 rules": rules}


def register_sheets(store: Store, today: date | None = None) -> dict[str, pd.DataFrame]:
    """The workbook's sheets with bilingual headings (messages — deadline sources, notes — as
    their text), ready for :mod:`restoration.workbook`."""
    return {name: table.rename(columns={c: _heading(c) for c in table.columns})
            for name, table in register_tables(store, today).items()}


def register_xlsx(store: Store, today: date | None = None) -> bytes:
    """The register workbook as .xlsx bytes (the dashboard's download)."""
    return workbook_bytes(register_sheets(store, today))


def export_register(store: Store, path: str | Path, today: date | None = None) -> Path:
    """Write the register workbook to ``path`` (.xlsx)."""
    return write_workbook(path, register_sheets(store, today))

