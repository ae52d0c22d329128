"""Restoration-cost estimate (修复费用法) by option, options compared side by side with their
equivalence result: which one restores the loss at the lowest cost.

Arithmetic: :mod:`equivalence.restoration_cost` — ``K = (Σ_fixed q p + S Σ_per-unit q p)(1 + f)``
with S the option's required scale from the equivalence engine (:func:`equivalence.run_scenario`,
the option's ``replacement`` against the shared ``equivalence`` block's injury).

Input file (YAML/JSON; ``docs/appraisal.md``)::

    title: 某林地毁坏案修复方案比选
    contingency_rate: 0.05             # 预备费率, the appraiser's value
    equivalence:                        # a scenario without replacement (schema v1 keys)
      schema_version: 1
      method: service
      base_year: 2024
      discount_rate: 0.03
      injury: {area: 20, area_unit: mu, start_year: 2023, end_year: 2035, levels: [[2023, 0], [2035, 1]]}
    options:
      - name: 原位补植 in-situ replanting
        measures: [{name: 苗木, quantity: 1200, unit: 株, unit_cost: 35, source: 询价}]
        per_unit_measures: [{name: 整地及管护, quantity: 1, unit: 亩, unit_cost: 2500}]
        replacement: {start_year: 2025, end_year: 2060, area_unit: mu, levels: [[2025, 0], [2032, 1]]}
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from equivalence import restoration_cost as core
from equivalence import run_scenario
from equivalence.errors import ScenarioError

from ..errors import InputError, Issue
from .common import check_keys, number, read_input, software_version, text

_TOP = {"method", "title", "case_id", "contingency_rate", "equivalence", "options", "price_year", "notes"}
_OPTION = {"name", "measures", "per_unit_measures", "replacement", "contingency_rate", "note"}
_MEASURE = {"name", "quantity", "unit", "unit_cost", "source"}
MAX_OPTIONS = 20
MAX_MEASURES = 200


@dataclass
class RestorationCostResult:
    options: pd.DataFrame          # one row per option, ranked by total cost
    measures: pd.DataFrame         # every measure of every option
    amount_yuan: float | None      # the lowest-cost option's total
    best_option: str | None
    equivalence: dict[str, dict[str, Any]]
    inputs: dict[str, Any]
    notes: list[str]
    version: str
    source: dict | None = None
    title: str | None = None
    case_id: str | None = None
    method: str = "restoration_cost"

    def to_dict(self) -> dict[str, Any]:
        from equivalence.result import json_safe
        return json_safe({"method": self.method, "title": self.title, "case_id": self.case_id,
                          "amount_yuan": self.amount_yuan,
                          "amount_wan_yuan": None if self.amount_yuan is None else self.amount_yuan / 10_000,
                          "best_option": self.best_option, "options": self.options.to_dict(orient="records"),
                          "measures": self.measures.to_dict(orient="records"), "equivalence": self.equivalence,
                          "notes": self.notes, "inputs": self.inputs, "version": self.version,
                          "software": {"name": "restoration-platform / appraisal", "version": self.version},
                          **({"source": self.source} if self.source else {})})

    def summary(self) -> str:
        lines = ["修复费用法 restoration-cost estimate — 方案比选 options compared"]
        for r in self.options.itertuples():
            scale = "" if pd.isna(r.required_scale) else f", 规模 scale {r.required_scale:,.4f} {r.scale_unit}"
            mark = "  ← 最低 lowest" if r.lowest else ""
            lines.append(f"  {r.rank}. {r.option}: {r.total_yuan:,.2f} 元 yuan{scale}{mark}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        lines.append(f"  software version {self.version}")
        return "\n".join(lines)


def _measures(items: Any, field: str, src: str) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_MEASURES:
        raise InputError(Issue(f"expected a list of at most {MAX_MEASURES} measures", source=src, field=field))
    out = []
    for i, m in enumerate(items):
        f = f"{field}[{i}]"
        if not isinstance(m, Mapping):
            raise InputError(Issue("expected {name, quantity, unit, unit_cost, source}", source=src, field=f))
        check_keys(m, _MEASURE, f"{f}.", src)
        out.append({"measure": text(m.get("name"), f"{f}.name", src, required=True, limit=120),
                    "quantity": number(m.get("quantity"), f"{f}.quantity", src, upper=1e12),
                    "unit": text(m.get("unit"), f"{f}.unit", src) or "",
                    "unit_cost_yuan": number(m.get("unit_cost"), f"{f}.unit_cost", src, upper=1e10),
                    "source": text(m.get("source"), f"{f}.source", src) or ""})
    return out


def estimate_restoration_cost_file(path: str | Path) -> RestorationCostResult:
    data, source = read_input(path)
    return estimate_restoration_cost(data, source=source, file_name=Path(path).name)


def estimate_restoration_cost(data: Mapping[str, Any], *, source: dict | None = None,
                              file_name: str | None = None) -> RestorationCostResult:
    """Cost every option, size it by equivalence when it has a ``replacement``, rank by cost."""
    src = file_name or "input"
    check_keys(data, _TOP, "", src)
    f_default = number(data.get("contingency_rate", 0.0), "contingency_rate", src, upper=0.999)
    opts = data.get("options")
    if not isinstance(opts, list) or not opts or len(opts) > MAX_OPTIONS:
        raise InputError(Issue(f"required: a list of 1 to {MAX_OPTIONS} restoration options", source=src,
                               field="options"))
    eq_base = data.get("equivalence")
    if eq_base is not None and not isinstance(eq_base, Mapping):
        raise InputError(Issue("expected a scenario mapping (without replacement)", source=src, field="equivalence"))
    notes: list[str] = []
    if "contingency_rate" not in data:
        notes.append("contingency_rate not given: no contingency (预备费) added")
    rows, mrows, eqs = [], [], {}
    for i, o in enumerate(opts):
        f = f"options[{i}]"
        if not isinstance(o, Mapping):
            raise InputError(Issue("expected {name, measures, per_unit_measures, replacement}", source=src, field=f))
        check_keys(o, _OPTION, f"{f}.", src)
        name = text(o.get("name"), f"{f}.name", src, required=True, limit=120)
        if name in eqs or any(r["option"] == name for r in rows):
            raise InputError(Issue(f"option name {name!r} repeats", source=src, field=f"{f}.name"))
        fixed = _measures(o.get("measures"), f"{f}.measures", src)
        per_unit = _measures(o.get("per_unit_measures"), f"{f}.per_unit_measures", src)
        rate = number(o.get("contingency_rate", f_default), f"{f}.contingency_rate", src, upper=0.999)
        scale = None
        scale_unit = ""
        if o.get("replacement") is not None:
            if eq_base is None:
                raise InputError(Issue("an option with a replacement needs the top-level equivalence block (the "
                                       "injury it must offset)", source=src, field=f"{f}.replacement"))
            scn = copy.deepcopy(dict(eq_base))
            scn["replacement"] = copy.deepcopy(o["replacement"])
            try:
                res = run_scenario(scn, draws=0)
            except ScenarioError as exc:
                raise InputError(Issue(exc.message, source=src, field=f"{f}.replacement / equivalence."
                                                                      f"{exc.path}")) from None
            scale, scale_unit = res.required_scale, res.scale_unit
            eqs[name] = {"required_scale": scale, "scale_unit": scale_unit, "debit": res.debit,
                         "credit_per_unit": res.credit_per_unit, "required_area_ha": res.required_area_ha,
                         "method_label": res.to_dict()["method_label"]}
        elif per_unit:
            raise InputError(Issue("per_unit_measures need a replacement to size the option", source=src,
                                   field=f"{f}.per_unit_measures"))
        fixed_cost = float(core.measures_cost([m["quantity"] for m in fixed], [m["unit_cost_yuan"] for m in fixed])) \
            if fixed else 0.0
        pu_cost = float(core.measures_cost([m["quantity"] for m in per_unit],
                                           [m["unit_cost_yuan"] for m in per_unit])) if per_unit else 0.0
        total = float(core.option_cost(fixed_cost, pu_cost, scale or 0.0, rate))
        subtotal = fixed_cost + (scale or 0.0) * pu_cost
        rows.append({"option": name, "required_scale": scale, "scale_unit": scale_unit, "fixed_cost_yuan": fixed_cost,
                     "per_unit_cost_yuan": pu_cost, "subtotal_yuan": subtotal, "contingency_rate": rate,
                     "contingency_yuan": subtotal * rate, "total_yuan": total})
        for m in fixed:
            mrows.append({"option": name, "kind": "fixed", **m, "scale": 1.0,
                          "cost_yuan": m["quantity"] * m["unit_cost_yuan"]})
        for m in per_unit:
            mrows.append({"option": name, "kind": "per_unit", **m, "scale": scale,
                          "cost_yuan": m["quantity"] * m["unit_cost_yuan"] * (scale or 0.0)})
    df = pd.DataFrame(rows)
    df["rank"] = df["total_yuan"].rank(method="min").astype(int)
    df = df.sort_values(["rank", "option"], kind="stable").reset_index(drop=True)
    df["lowest"] = df["rank"] == 1
    best = df.loc[0, "option"]
    if int(df["lowest"].sum()) > 1:
        notes.append("several options share the lowest cost")
    sized = [r for r in rows if r["required_scale"] is not None]
    if sized and len(sized) < len(rows):
        notes.append("some options are not sized by equivalence (no replacement): their cost does not show "
                     "whether they restore the whole loss")
    measures = pd.DataFrame(mrows, columns=["option", "kind", "measure", "quantity", "unit", "unit_cost_yuan",
                                            "scale", "cost_yuan", "source"])
    return RestorationCostResult(options=df, measures=measures, amount_yuan=float(df.loc[0, "total_yuan"]),
                                 best_option=best, equivalence=eqs, inputs=dict(data), notes=notes,
                                 version=software_version(), source=source,
                                 title=text(data.get("title"), "title", src), case_id=text(data.get("case_id"), "case_id", src))
