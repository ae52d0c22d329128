"""Imputed abatement cost appraisal (虚拟治理成本法) of one case: inputs with provenance,
coefficients from ``coefficients/abatement.toml``, every intermediate, the amount.

The arithmetic is :mod:`equivalence.abatement` (``D = E × C × γ``); this module resolves where each
number comes from — the appraiser's input (with the source they state) or the coefficient table
(with its source and ``verified`` flag) — and says in the result which values nobody has verified.

Input file (YAML or JSON; ``docs/appraisal.md``)::

    standard: gbt39793_2            # gbt39793_2 (surface water) | gbt39793_1 (air) | multiplier_2017
    title: 某公司超标排放废水
    discharge: {amount: 1200, unit: t, source: 在线监测数据}
    unit_cost:                      # one or several candidates; the best basis is used
      - {value: 8.5, basis: survey, source: 同类企业调查}
      - {value: 12, basis: reference_fee, source: 污水处理收费标准}
    coefficients:
      alpha: {value: 1.5, source: 污染物危害分级}
      omega: {value: 1.25, source: 受纳水体 Ⅲ类}
      tau: {exceedance: {measured: 300, limit: 100}}     # τ from κ by the tier table
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from equivalence import abatement as core

from ..messages import Label, Message, word
from ..errors import InputError, Issue
from .pollutants import appraise_pollutants
from .common import check_keys, number, plain_number, read_input, round_fen, software_version, text, yuan_text

STANDARDS = tuple(core.FORMS)
DISCHARGE_UNITS = {"t": "t", "m3": "m³", "m³": "m³"}
_TOP = {"method", "standard", "title", "case_id", "pollutants", "discharge", "unit_cost", "coefficients", "function_class",
        "price_year", "notes", "appraiser", "date"}


@functools.lru_cache(maxsize=1)
def coefficient_tables() -> dict:
    """The coefficient data file (``restoration/appraisal/coefficients/abatement.toml``)."""
    text_ = resources.files("restoration.appraisal.coefficients").joinpath("abatement.toml").read_text("utf-8")
    return tomllib.loads(text_)


@dataclass
class AbatementResult:
    """One imputed-abatement appraisal. ``rows`` are the table: inputs, intermediates, result."""

    standard: str
    amount_yuan: float
    rows: list[dict[str, Any]]
    unverified: list[str]
    notes: list  # Message (str() gives the English text)
    inputs: dict[str, Any]
    version: str
    source: dict[str, Any] | None = None
    title: str | None = None
    case_id: str | None = None
    method: str = "abatement"
    range_yuan: tuple[float, float] | None = None
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    #: ``unverified`` worded for the Chinese pages (sources in Chinese where the file gives them)
    unverified_zh: list[str] = field(default_factory=list)
    #: several pollutants in one calculation: ``{name, amount_yuan, rows}`` per pollutant
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def amount_wan(self) -> float:
        return self.amount_yuan / 10_000

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "symbol", "name_zh", "name_en", "value", "unit",
                                                "source", "verified", "origin"])

    def to_dict(self) -> dict[str, Any]:
        form = coefficient_tables()["forms"][self.standard]
        return {"method": self.method, "standard": self.standard, "standard_label_zh": form["name_zh"],
                "standard_label_en": form["name_en"], "title": self.title, "case_id": self.case_id,
                "amount_yuan": round_fen(self.amount_yuan), "amount_wan_yuan": round(self.amount_wan, 6),
                "range_yuan": [round_fen(x) for x in self.range_yuan] if self.range_yuan else None,
                "formula": form["formula"]["value"], "gamma_form": form["gamma"]["value"],
                "table": self.rows, "unit_cost_alternatives": self.alternatives,
                "unverified": self.unverified, "unverified_zh": self.unverified_zh, "all_verified": not self.unverified, "notes": [str(n) for n in self.notes],
                "items": [{"name": i["name"], "amount_yuan": round_fen(i["amount_yuan"])} for i in self.items],
                "inputs": self.inputs, "version": self.version,
                "software": {"name": "restoration-platform / appraisal", "version": self.version},
                **({"source": self.source} if self.source else {})}

    def summary(self) -> str:
        form = coefficient_tables()["forms"][self.standard]
        lines = [f"{form['name_zh']} — {form['name_en']}", f"  {form['formula']['value']}, {form['gamma']['value']}"]
        for r in self.rows:
            v = r["value"]
            vs = plain_number(v) if isinstance(v, (int, float)) else str(v)
            flag = "" if r["verified"] else "  [未核实 unverified]"
            lines.append(f"  {r['symbol']:>4} {r['name_zh']} {r['name_en']}: {vs} {r['unit']}{flag}")
        for i in self.items:
            lines.append(f"  {i['name']}: {yuan_text(i['amount_yuan'])}")
        lines.append(f"  损害数额{'合计' if self.items else ''} damage amount{' (total)' if self.items else ''}: "
                     f"{yuan_text(self.amount_yuan)}")
        if self.range_yuan:
            lines.append(f"  区间 range: {yuan_text(self.range_yuan[0])} – {yuan_text(self.range_yuan[1])}")
        if self.unverified:
            lines.append("  未经核实的取值 unverified values: " + "; ".join(self.unverified))
        for n in self.notes:
            lines.append(f"  说明 note: {word(n, 'zh')} / {n}")
        lines.append(f"  software version {self.version}")
        return "\n".join(lines)


def _row(step, symbol, zh, en, value, unit, source, verified, origin, source_zh=None,
         source_en=None) -> dict[str, Any]:
    """One table row; ``source`` as the reports print it, ``source_zh`` / ``source_en`` the same
    for a page in one language when they differ from it."""
    return {"step": step, "symbol": symbol, "name_zh": zh, "name_en": en, "value": value, "unit": unit,
            "source": source, "source_zh": source_zh or source, "source_en": source_en or source,
            "verified": bool(verified), "origin": origin}


def _zh(entry: Mapping[str, Any]) -> str:
    """An entry's source in Chinese (``source_zh``), else as the file states it."""
    return entry.get("source_zh") or entry.get("source", "")


def _stated(spec: Any, field_: str, src: str | None, *, upper: float = 1e6) -> tuple[float, str, str | None]:
    """A value the appraiser states: ``{value, source}`` or a bare number (source then missing)."""
    if isinstance(spec, Mapping):
        check_keys(spec, {"value", "source", "note", "basis", "unit", "reason"}, f"{field_}.", src)
        if "value" not in spec:
            raise InputError(Issue("required", source=src, field=f"{field_}.value"))
        value = number(spec["value"], f"{field_}.value", src, upper=upper)
        return value, text(spec.get("source"), f"{field_}.source", src) or "", text(spec.get("note"), f"{field_}.note", src)
    return number(spec, field_, src, upper=upper), "", None


def appraise_abatement_file(path: str | Path) -> AbatementResult:
    """Read an input file and appraise it (see the module docstring)."""
    data, source = read_input(path)
    return appraise_abatement(data, source=source, file_name=Path(path).name)


@dataclass
class _Sheet:
    """What an appraisal collects on its way: the table rows, the values nobody verified (in
    English and in Chinese) and the notes (messages)."""

    src: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unverified_zh: list[str] = field(default_factory=list)
    notes: list = field(default_factory=list)

    def unverified_value(self, en: str, zh: str) -> None:
        self.unverified.append(en)
        self.unverified_zh.append(zh)


def appraise_abatement(data: Mapping[str, Any], *, source: dict | None = None,
                       file_name: str | None = None) -> AbatementResult:
    """Appraise one case from a mapping of inputs; raises :class:`InputError` naming the field.
    A ``pollutants:`` list is appraised item by item (:mod:`.pollutants`)."""
    if isinstance(data, Mapping) and "pollutants" in data:
        return appraise_pollutants(data, appraise_one=_appraise_one, source=source, file_name=file_name)
    return _appraise_one(data, source=source, file_name=file_name)


def _appraise_one(data: Mapping[str, Any], *, source: dict | None = None,
                  file_name: str | None = None) -> AbatementResult:
    sheet = _Sheet(file_name or "input")
    src = sheet.src
    check_keys(data, _TOP, "", src)
    tables = coefficient_tables()
    standard = text(data.get("standard"), "standard", src, required=True)
    if standard not in STANDARDS:
        raise InputError(Issue(f"unknown standard {standard!r}; use one of {', '.join(STANDARDS)}", source=src,
                               field="standard"))
    form = tables["forms"][standard]
    for key in ("formula", "gamma"):
        if not form[key]["verified"]:
            sheet.unverified_value(f"{form[key]['value']} ({form[key]['source']})",
                                   f"{form[key]['value']}（{_zh(form[key])}）")
    e, unit = _discharge(data, sheet)
    chosen, alternatives = _unit_cost(data, tables["unit_cost_basis"], unit, sheet)
    values, range_yuan = _coefficients(data, standard, form, e * chosen["value"], sheet)
    amount = _amount(standard, form, e, chosen["value"], values, sheet)
    inputs = {k: data[k] for k in data}
    return AbatementResult(standard=standard, amount_yuan=amount, rows=sheet.rows, unverified=sheet.unverified,
                           unverified_zh=sheet.unverified_zh, notes=sheet.notes,
                           inputs=inputs, version=software_version(), source=source,
                           title=text(data.get("title"), "title", src), case_id=text(data.get("case_id"), "case_id", src),
                           range_yuan=range_yuan, alternatives=alternatives)


def _discharge(data: Mapping[str, Any], sheet: _Sheet) -> tuple[float, str]:
    """E, the discharge amount, and its unit (t or m³)."""
    src = sheet.src
    dis = data.get("discharge")
    if not isinstance(dis, Mapping):
        raise InputError(Issue("required: {amount, unit: t | m3, source}", source=src, field="discharge"))
    check_keys(dis, {"amount", "unit", "source", "note"}, "discharge.", src)
    if "amount" not in dis:
        raise InputError(Issue("required", source=src, field="discharge.amount"))
    e = number(dis["amount"], "discharge.amount", src, lower=0.0, lower_open=True, upper=1e12)
    unit = DISCHARGE_UNITS.get(str(dis.get("unit", "")))
    if unit is None:
        raise InputError(Issue(f"unit {dis.get('unit')!r}; use t or m3", source=src, field="discharge.unit"))
    e_src = text(dis.get("source"), "discharge.source", src) or ""
    sheet.rows.append(_row("input", "E", "排放数量", "discharge amount", e, unit, e_src or "输入 input", True, "input"))
    if not e_src:
        sheet.notes.append(Message("appraisal.no_discharge_source"))
    return e, unit


def _unit_cost(data: Mapping[str, Any], bases: Mapping[str, Any], unit: str,
               sheet: _Sheet) -> tuple[dict, list[dict]]:
    """C, the unit abatement cost: the candidate on the best basis, and every candidate."""
    src = sheet.src
    order, labels = bases["order"], bases["labels"]
    cands = data.get("unit_cost")
    if cands is None:
        raise InputError(Issue("required: {value, basis: survey | cost_function | reference_fee, source}",
                               source=src, field="unit_cost"))
    cands = cands if isinstance(cands, list) else [cands]
    if not cands or len(cands) > 20:
        raise InputError(Issue("give 1 to 20 candidates", source=src, field="unit_cost"))
    parsed = []
    for i, c in enumerate(cands):
        f = f"unit_cost[{i}]" if isinstance(data.get("unit_cost"), list) else "unit_cost"
        if not isinstance(c, Mapping):
            raise InputError(Issue("expected {value, basis, source}", source=src, field=f))
        value, csrc, _ = _stated(c, f, src, upper=1e9)
        basis = c.get("basis")
        if basis not in order:
            raise InputError(Issue(f"basis {basis!r}; use one of {', '.join(order)} (best first)", source=src,
                                   field=f"{f}.basis"))
        parsed.append({"value": value, "basis": basis, "source": csrc, "rank": order.index(basis)})
    chosen = min(parsed, key=lambda c: c["rank"])
    alternatives = [dict(c, chosen=c is chosen) for c in parsed]
    basis = labels[chosen["basis"]]
    sheet.rows.append(_row("input", "C", "单位治理成本", "unit abatement cost", chosen["value"], f"元/{unit}",
                           f"{basis['zh']} {basis['en']}; {chosen['source'] or '来源未填 source not given'}", True,
                           "input", source_zh=f"{basis['zh']}；{chosen['source'] or '来源未填'}",
                           source_en=f"{basis['en']}; {chosen['source'] or 'source not given'}"))
    label = Label(basis["zh"], basis["en"])
    if len(parsed) > 1:
        sheet.notes.append(Message("appraisal.unit_cost_chosen", {
            "n": len(parsed), "basis": label, "order": [Label(labels[b]["zh"], labels[b]["en"]) for b in order]}))
    if chosen["basis"] != order[0]:
        sheet.notes.append(Message("appraisal.unit_cost_not_survey", {"basis": label}))
    return chosen, alternatives


_GREEK = {"alpha": "α", "beta": "β", "omega": "ω", "tau": "τ", "k": "k"}


def _coefficients(data: Mapping[str, Any], standard: str, form: Mapping[str, Any], ec: float,
                  sheet: _Sheet) -> tuple[dict[str, float], tuple[float, float] | None]:
    """The coefficients the standard's formula needs (stated, or τ from the exceedance tiers),
    and the amount's range [yuan] where the function class bounds the multiplier k."""
    src = sheet.src
    coeffs_in = data.get("coefficients") or {}
    if not isinstance(coeffs_in, Mapping):
        raise InputError(Issue("expected a mapping of coefficients", source=src, field="coefficients"))
    needed = core.FORMS[standard]
    check_keys(coeffs_in, set(needed), "coefficients.", src)
    values: dict[str, float] = {}
    range_yuan = None
    for sym in needed:
        meta = form["coefficients"][sym]
        spec = coeffs_in.get(sym)
        greek = _GREEK[sym]
        if sym == "tau" and isinstance(spec, Mapping) and "exceedance" in spec:
            values[sym] = _tau_from_exceedance(spec, meta, standard, sheet)
            continue
        if spec is None:
            raise InputError(Issue(f"required for {standard}: state {greek} ({meta['name_zh']} {meta['name_en']}) "
                                   f"with its source; {meta.get('note', '')}".rstrip("; "), source=src,
                                   field=f"coefficients.{sym}"))
        v, vsrc, _ = _stated(spec, f"coefficients.{sym}", src, upper=1000)
        if sym == "k":
            reason = text(spec.get("reason"), "coefficients.k.reason", src) if isinstance(spec, Mapping) else None
            range_yuan = _function_class(data, standard, form, v, ec, sheet, reason)
        sheet.rows.append(_row("input", greek, meta["name_zh"], meta["name_en"], v, "-",
                               vsrc or "鉴定人取值，来源未填 stated by the appraiser, source not given", bool(vsrc),
                               "input"))
        if not vsrc:
            sheet.unverified_value(f"{greek} = {v:g} (no source stated)", f"{greek} = {v:g}（未注明来源）")
        values[sym] = v
    return values, range_yuan


def _tau_from_exceedance(spec: Mapping[str, Any], meta: Mapping[str, Any], standard: str, sheet: _Sheet) -> float:
    """τ from the tier table by the exceedance multiple κ = (Z − B) / B of a measured
    concentration Z over the discharge limit B."""
    src = sheet.src
    check_keys(spec, {"exceedance"}, "coefficients.tau.", src)
    exc = spec["exceedance"]
    if not isinstance(exc, Mapping):
        raise InputError(Issue("expected {measured, limit, unit}", source=src, field="coefficients.tau.exceedance"))
    check_keys(exc, {"measured", "limit", "unit", "source"}, "coefficients.tau.exceedance.", src)
    z = number(exc.get("measured"), "coefficients.tau.exceedance.measured", src, upper=1e12)
    b = number(exc.get("limit"), "coefficients.tau.exceedance.limit", src, lower=0.0, lower_open=True,
               upper=1e12)
    cu = text(exc.get("unit"), "coefficients.tau.exceedance.unit", src) or "mg/L"
    zsrc = text(exc.get("source"), "coefficients.tau.exceedance.source", src) or "输入 input"
    sheet.rows.append(_row("input", "Z", "实测浓度", "measured concentration", z, cu, zsrc, True, "input"))
    sheet.rows.append(_row("input", "B", "排放标准限值", "discharge limit", b, cu, zsrc, True, "input"))
    kappa = float(core.exceedance_multiple(z, b))
    sheet.rows.append(_row("intermediate", "κ", "最大超标倍数", "exceedance multiple", kappa, "-", "κ = (Z − B) / B",
                           True, "computed"))
    if "tier_values" not in meta:
        raise InputError(Issue(f"no exceedance tiers are set for {standard} (see the coefficient file); "
                               "state τ with its source", source=src, field="coefficients.tau"))
    if kappa <= 0:
        raise InputError(Issue(Message("appraisal.no_exceedance"), source=src,
                               field="coefficients.tau.exceedance"))
    tau = float(core.tier_value(kappa, meta["tier_upper_bounds"], meta["tier_values"]))
    sheet.rows.append(_row("intermediate", "τ", meta["name_zh"], meta["name_en"], tau, "-", meta["source"],
                           meta["verified"], "table", _zh(meta)))
    if not meta["verified"]:
        sheet.unverified_value(f"τ = {tau:g} ({meta['source']})", f"τ = {tau:g}（{_zh(meta)}）")
    return tau


def _function_class(data: Mapping[str, Any], standard: str, form: Mapping[str, Any], k: float, ec: float,
                    sheet: _Sheet, reason: str | None = None) -> tuple[float, float] | None:
    """The receiving environment's function class: the range the multiplier ``k`` must lie in
    (refused outside it) and the amount's range ``E × C × [low, high]`` [yuan]; None where the
    table sets no range for the class (a note says so)."""
    src = sheet.src
    fc = text(data.get("function_class"), "function_class", src)
    ranges = form.get("ranges", {})
    if fc is None:
        raise InputError(Issue(f"required for {standard}: the receiving environment's function class, one of "
                               f"{', '.join(ranges)}", source=src, field="function_class"))
    if fc not in ranges:
        raise InputError(Issue(f"unknown class {fc!r}; use one of {', '.join(ranges)}", source=src,
                               field="function_class"))
    rg = ranges[fc]
    sheet.rows.append(_row("input", "", "环境功能区类别", "function class", f"{rg['name_zh']} {rg['name_en']}", "",
                           "输入 input", True, "input"))
    if "low" not in rg:
        sheet.notes.append(Message("appraisal.no_multiplier_range", {"range": Label(rg["name_zh"], rg["name_en"]),
                                                                    "source": Label(_zh(rg), rg["source"])}))
        return None
    sheet.rows.append(_row("intermediate", "k", "倍数区间", "multiplier range", f"{rg['low']:g}–{rg['high']:g}",
                           "-", rg["source"], rg["verified"], "table", _zh(rg)))
    if not rg["verified"]:
        sheet.unverified_value(f"{rg['name_zh']} {rg['low']:g}–{rg['high']:g} ({rg['source']})",
                               f"{rg['name_zh']} {rg['low']:g}–{rg['high']:g}（{_zh(rg)}）")
    if not rg["low"] <= k <= rg["high"] and reason:  # outside the cited range, with the appraiser's reason
        sheet.unverified_value(f"k = {k:g} outside {rg['low']:g}–{rg['high']:g}: {reason}",
                               f"k = {k:g} 超出区间 {rg['low']:g}–{rg['high']:g}，理由：{reason}")
    elif not rg["low"] <= k <= rg["high"]:
        raise InputError(Issue(Message("appraisal.k_outside", {
            "k": k, "low": rg["low"], "high": rg["high"], "range": Label(rg["name_zh"], rg["name_en"])}),
            source=src, field="coefficients.k"))
    return (ec * rg["low"], ec * rg["high"])


def _amount(standard: str, form: Mapping[str, Any], e: float, c: float, values: dict[str, float],
            sheet: _Sheet) -> float:
    """γ from the coefficients, E × C, and the damage amount D = E × C × γ [yuan] (refused when
    not finite or above 10¹³ yuan)."""
    gamma = float(core.adjustment_coefficient(standard, **values))
    sheet.rows.append(_row("intermediate", "γ", "调整系数", "adjustment coefficient", gamma, "-", form["gamma"]["value"],
                           form["gamma"]["verified"], "computed"))
    sheet.rows.append(_row("intermediate", "E×C", "虚拟治理成本", "imputed abatement cost", round_fen(e * c), "元 yuan", "E × C",
                           True, "computed"))
    amount = float(core.imputed_abatement_cost(e, c, gamma))
    if not np.isfinite(amount) or amount > 1e13:
        raise InputError(Issue(Message("appraisal.amount_range", {"amount": amount}), source=sheet.src,
                               field="discharge.amount"))
    amount = round_fen(amount)  # to the fen: no float noise (5712000.000000001) in JSON or the store
    sheet.rows.append(_row("result", "D", "损害数额", "damage amount", amount, "元 yuan", form["formula"]["value"],
                           form["formula"]["verified"], "computed"))
    sheet.rows.append(_row("result", "D", "损害数额（万元）", "damage amount (10,000 yuan)", round(amount / 10_000, 6), "万元",
                           "D / 10000", form["formula"]["verified"], "computed"))
    return amount
