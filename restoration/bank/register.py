"""The public register of the project bank (项目库公开登记簿): what anyone may read about the
bank, by allow-list, and its export for a provincial platform.

Each project is published with its boundary, county and watershed (names from the reference
layers), ecosystem, status and status history (codes and dates), capacity, released, allocated
and reservable capacity, its tranches and their state, allocations to cases — by the case's
public number and public title only (:mod:`restoration.disclosure`; a case not disclosed is
"undisclosed case", a case outside this store "case outside this register") — and the documents
and securement staff marked public. The project's name, operator, notes, evidence texts and
anything else free-typed stay on the staff side: the name is a template from controlled values
("桂源县森林替代修复项目"). Every text that does leave passes the personal-data detector
(:mod:`restoration.personal_data`) once more, item by item, and is withheld if it holds any.

:func:`export_register` writes the register as GeoPackage + CSV + a JSON schema of its columns
through the platform's one file writer.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import disclosure, exports, personal_data
from ..files import write_text
from ..regions import region_tree
from ..store import Store
from ..vocab import EcosystemType, label
from ..workbook import write_csv
from . import ledger, schedule, stewardship

#: the register's columns (in order), each with its type and meaning for the JSON schema
COLUMNS: dict[str, tuple[str, str, str]] = {
    "project_id": ("string", "项目编号", "project number"),
    "name": ("string", "公开名称", "public name (from county and ecosystem)"),
    "name_en": ("string", "公开名称（英文）", "public name in English"),
    "county": ("string", "所在县区", "county"),
    "watershed": ("string", "流域", "watershed"),
    "ecosystem_type": ("string", "生态系统类型代码", "ecosystem type code"),
    "ecosystem": ("string", "生态系统类型", "ecosystem type (Chinese label)"),
    "status": ("string", "状态代码", "status code"),
    "status_since": ("string", "当前状态起始日期", "date of the current status (YYYY-MM-DD)"),
    "capacity": ("number", "容量", "capacity in capacity_unit"),
    "capacity_unit": ("string", "容量单位", "capacity unit code (ha, mu, tCO2e ...)"),
    "released": ("number", "已释放", "capacity released by milestones"),
    "allocated": ("number", "已分配", "capacity reserved or committed to cases"),
    "remaining_released": ("number", "可预留", "released capacity not yet allocated"),
    "next_milestone": ("string", "下一释放节点", "milestone releasing the next tranche (empty: all released)"),
    "tranches": ("string", "分期释放（JSON）", "JSON list of {share, milestone, state, reached_on}"),
    "allocations": ("string", "容量分配（JSON）", "JSON list of {case, title, amount, state}"),
    "status_history": ("string", "状态变更（JSON）", "JSON list of {status, on}"),
    "documents": ("string", "公开文件（JSON）", "JSON list of {milestone, reached_on, document}"),
    "securement": ("string", "土地与法律保障（JSON）", "JSON {instrument, term_years, start, end} if public"),
}
UNDISCLOSED = ("未公开案件", "undisclosed case")
OUTSIDE = ("本登记簿以外案件", "case outside this register")


def _safe(text) -> str | None:
    """A text as it may leave: None for blank, the withheld placeholder if it holds personal data."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return None
    return disclosure.WITHHELD_PLACEHOLDER if personal_data.holds_personal_data(text) else str(text)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _names(bank: pd.DataFrame, tree) -> tuple[list[str], list[str], list[str]]:
    counties, zh, en = [], [], []
    for region, eco in zip(bank["region"], bank["ecosystem_type"]):
        county = tree.name(tree.resolve(region)) or "—"
        e = EcosystemType(eco) if eco in EcosystemType._value2member_map_ else None
        counties.append(county)
        zh.append(f"{county if county != '—' else ''}{e.zh if e else ''}替代修复项目")
        en.append(f"Alternative restoration project, {e.en if e else 'ecosystem'}, {county}")
    return counties, zh, en


def _allocations(store: Store, ids: set[str]) -> dict[str, list[dict]]:
    """Per project: its open allocations by public case number and public title."""
    allocs = store.read("bank_allocations", state=ledger.OPEN_STATES)
    public = disclosure.public_cases(store)
    disclosed = store.read("cases", disclosed=1, columns=["case_id"])["case_id"].tolist()
    number = dict(zip(disclosed, public["case_id"]))  # the public case number of each disclosed case
    title = dict(zip(public["case_id"], zip(public["title"], public["title_en"])))
    out: dict[str, list[dict]] = {}
    for a in allocs.to_dict("records"):
        if a["project_id"] not in ids:
            continue
        case = a.get("case_id")
        if isinstance(case, str) and case in number:
            shown = number[case]
            zh, en = title.get(shown, (None, None))
            item = {"case": shown, "title": _safe(zh), "title_en": _safe(en)}
        else:
            zh, en = UNDISCLOSED if isinstance(case, str) and case else OUTSIDE
            item = {"case": None, "title": zh, "title_en": en}
        out.setdefault(a["project_id"], []).append(
            {**item, "amount": round(float(a["amount"]), 6), "unit": a["unit"], "state": a["state"]})
    return out


def _grouped(frame: pd.DataFrame, fn) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in frame.to_dict("records"):
        item = fn(r)
        if item is not None:
            out.setdefault(r["project_id"], []).append(item)
    return out


def public_register(store: Store) -> gpd.GeoDataFrame:
    """The bank's public register: one row per project (closed ones included, with their
    history), the columns of :data:`COLUMNS` and the boundary (EPSG:4326)."""
    bank = ledger.bank_table(store)
    tree = region_tree(store)
    ids = set(bank["project_id"])
    counties, zh, en = _names(bank, tree)
    tranches = store.read("bank_tranches").sort_values(["project_id", "seq"])
    miles = store.read("bank_milestones")
    reached = {(p, m): d for p, m, d in zip(miles["project_id"], miles["milestone"], miles["reached_on"])}
    by_tranche = _grouped(tranches, lambda r: {
        "share": float(r["share"]), "milestone": r["milestone"],
        "milestone_zh": label("bank_milestone", r["milestone"], "zh"),
        "state": "released" if (r["project_id"], r["milestone"]) in reached else "pending",
        "reached_on": reached.get((r["project_id"], r["milestone"]))})
    docs = _grouped(miles[miles["public"].fillna(False).astype(bool)], lambda r: {
        "milestone": r["milestone"], "reached_on": r["reached_on"], "document": _safe(r.get("document"))})
    history = _grouped(store.read("bank_status_history"), lambda r: {"status": r["to_status"], "on": r["changed_on"]})
    secured = {r["project_id"]: {"instrument": _safe(r["instrument"]), "term_years": int(r["term_years"]),
                                 "start": r["start"], "end": stewardship.securement_end(r)}
               for r in store.read("bank_securements").to_dict("records") if r.get("public")}
    allocs = _allocations(store, ids)
    pid = bank["project_id"].tolist()
    out = pd.DataFrame({
        "project_id": [disclosure.public_id(p, i) for i, p in enumerate(pid)],
        "name": zh, "name_en": en, "county": counties,
        "watershed": [_safe(w) or "—" for w in bank["watershed"]],
        "ecosystem_type": bank["ecosystem_type"],
        "ecosystem": [label("ecosystem_type", e, "zh") for e in bank["ecosystem_type"]],
        "status": bank["status"], "status_since": bank["status_since"].fillna("").astype(str),
        "capacity": bank["capacity"].astype(float), "capacity_unit": bank["capacity_unit"],
        "released": bank["released"].astype(float), "allocated": bank["allocated"].astype(float),
        "remaining_released": bank["remaining_released"].astype(float),
        "next_milestone": [m if isinstance(m, str) else "" for m in bank["next_milestone"]],
        "tranches": [_json(by_tranche.get(p, [])) for p in pid],
        "allocations": [_json(allocs.get(p, [])) for p in pid],
        "status_history": [_json(history.get(p, [])) for p in pid],
        "documents": [_json(docs.get(p, [])) for p in pid],
        "securement": [_json(secured[p]) if p in secured else "" for p in pid],
    })
    out = disclosure.withhold_personal(out, [c for c, (kind, _, _) in COLUMNS.items() if kind == "string"])
    return gpd.GeoDataFrame(out, geometry=bank.geometry.to_numpy(), crs=bank.crs or "EPSG:4326")


def search(register: pd.DataFrame, *, county: str | None = None, ecosystem: str | None = None,
           min_remaining: float | None = None) -> pd.DataFrame:
    """Rows of ``register`` in ``county`` (name), of ``ecosystem`` (code) and with at least
    ``min_remaining`` reservable capacity [capacity units]."""
    keep = np.ones(len(register), dtype=bool)
    if county:
        keep &= (register["county"] == county).to_numpy()
    if ecosystem:
        keep &= (register["ecosystem_type"] == ecosystem).to_numpy()
    if min_remaining is not None:
        keep &= (register["remaining_released"].to_numpy(dtype=float) >= float(min_remaining))
    return register[keep]


def json_schema() -> dict:
    """A JSON schema (draft 2020-12) of one register row (a GeoPackage feature's attributes or a
    CSV row, whose geometry is the ``wkt`` column)."""
    props = {c: {"type": [kind, "null"], "title": zh, "description": en} for c, (kind, zh, en) in COLUMNS.items()}
    props["wkt"] = {"type": "string", "title": "边界（WKT，EPSG:4326）", "description": "boundary as WKT (CSV only)"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "替代修复项目库公开登记簿 "
            "public register of the alternative-restoration project bank", "type": "object",
            "properties": props, "required": ["project_id", "ecosystem_type", "status", "capacity", "capacity_unit"]}


def export_register(store: Store, folder: str | Path, *, field: str | None = "--out") -> list[Path]:
    """Write ``bank_register.gpkg``, ``bank_register.csv`` and ``bank_register.schema.json``
    into the existing ``folder``; the paths written."""
    folder = Path(folder)
    register = public_register(store)
    gpkg = exports.export_frame(register, folder / "bank_register.gpkg", "bank_register", field=field)
    table = pd.DataFrame(register.assign(wkt=register.geometry.to_wkt()).drop(columns=register.geometry.name))
    csv = write_csv(folder / "bank_register.csv", table, field=field)
    schema = write_text(folder / "bank_register.schema.json", json.dumps(json_schema(), ensure_ascii=False, indent=2),
                        field=field)
    return [gpkg, csv, schema]
