"""Several pollutants (or media) in one imputed-abatement calculation (``pollutants:``).

Each item carries ``name``, ``discharge``, ``unit_cost`` and optionally ``coefficients`` (merged
over the file's, item wins) and ``function_class``; every item is appraised on its own and the
amount is the sum (in fen). Bad input names the item and the field: a repeated name, a unit
cost whose unit cannot be converted to the discharge's, a coefficient without its source.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

from equivalence.offsets import fen_to_yuan, to_fen

from ..errors import InputError, Issue

#: unit-cost units and their factor to 元 per discharge unit (t or m³); anything else is refused
_COST_UNITS = {"元/t": ("t", 1.0), "元/吨": ("t", 1.0), "元/kg": ("t", 1000.0), "元/千克": ("t", 1000.0),
               "元/m3": ("m³", 1.0), "元/m³": ("m³", 1.0), "元/立方米": ("m³", 1.0)}
_ITEM_KEYS = {"name", "discharge", "unit_cost", "coefficients", "function_class"}
_DISCHARGE_UNITS = {"t": "t", "m3": "m³", "m³": "m³"}


def appraise_pollutants(data: Mapping[str, Any], *, appraise_one: Callable[..., Any], source: dict | None,
                        file_name: str | None):
    """Appraise every item of ``data["pollutants"]`` with ``appraise_one`` and return one result
    whose ``items`` list each pollutant's amount and whose amount is their total [yuan]."""
    src = file_name or "input"
    items = data.get("pollutants")
    if not isinstance(items, list) or not items or len(items) > 100:
        raise InputError(Issue("give 1 to 100 pollutants, each {name, discharge, unit_cost}", source=src,
                               field="pollutants"))
    for key in ("discharge", "unit_cost"):
        if key in data:
            raise InputError(Issue(f"with a pollutants list, give {key} per pollutant", source=src, field=key))
    base = {k: v for k, v in data.items() if k != "pollutants"}
    results, seen = [], set()
    for i, it in enumerate(items):
        where = f"pollutants[{i}]"
        if not isinstance(it, Mapping):
            raise InputError(Issue("expected {name, discharge, unit_cost}", source=src, field=where))
        bad = [k for k in it if k not in _ITEM_KEYS]
        if bad:
            raise InputError(Issue(f"unknown key; known keys: {', '.join(sorted(_ITEM_KEYS))}", source=src,
                                   field=f"{where}.{bad[0]}"))
        name = str(it.get("name") or "").strip()
        if not name:
            raise InputError(Issue("required", source=src, field=f"{where}.name"))
        where = f"pollutants[{i}] ({name[:40]})"
        if name in seen:
            raise InputError(Issue(f"pollutant {name!r} is listed twice", source=src, field=f"{where}.name"))
        seen.add(name)
        coeffs = {**(base.get("coefficients") or {}), **(it.get("coefficients") or {})}
        for sym, spec in coeffs.items():
            if not isinstance(spec, Mapping) or not str(spec.get("source") or "").strip():
                raise InputError(Issue("a coefficient needs its source ({value, source})", source=src,
                                       field=f"{where}.coefficients.{sym}.source"))
        one = {**base, "discharge": it.get("discharge"), "unit_cost": _converted_cost(it, where, src),
               "coefficients": coeffs, "title": f"{base.get('title') or ''} {name}".strip()}
        if "function_class" in it:
            one["function_class"] = it["function_class"]
        try:
            r = appraise_one(one, source=source, file_name=src)
        except InputError as exc:
            raise InputError([dataclasses.replace(x, field=f"{where}.{x.field}" if x.field else where)
                              for x in exc.issues]) from None
        results.append((name, r))
    return _combined(results, data, source)


def _converted_cost(item: Mapping[str, Any], where: str, src: str) -> Any:
    """The item's unit cost in 元 per its discharge unit (``unit`` on a candidate: 元/t, 元/kg, 元/m³)."""
    dis = item.get("discharge") if isinstance(item.get("discharge"), Mapping) else {}
    d_unit = _DISCHARGE_UNITS.get(str(dis.get("unit", "")))
    if d_unit is None and dis:  # the discharge's own unit is wrong, not the unit cost's
        raise InputError(Issue(f"unit {dis.get('unit')!r}; use t or m3", source=src, field=f"{where}.discharge.unit"))
    cands = item.get("unit_cost")
    many = isinstance(cands, list)
    out = []
    for j, c in enumerate(cands if many else [cands]):
        if isinstance(c, Mapping) and c.get("unit") is not None:
            f = f"{where}.unit_cost{f'[{j}]' if many else ''}.unit"
            conv = _COST_UNITS.get(str(c["unit"]).replace(" ", ""))
            if conv is None or d_unit is None or conv[0] != d_unit:
                raise InputError(Issue(f"unit {c['unit']!r} cannot be converted to 元 per {d_unit or '?'} of the "
                                       f"discharge; use one of {', '.join(_COST_UNITS)}", source=src, field=f))
            c = {k: v for k, v in c.items() if k != "unit"}
            if conv[1] != 1.0 and isinstance(c.get("value"), (int, float)):
                c = {**c, "value": c["value"] * conv[1], "note": f"{c.get('note') or ''} ×{conv[1]:g} → 元/{d_unit}".strip()}
        out.append(c)
    return out if many else out[0]


def _combined(results: list, data: Mapping[str, Any], source: dict | None):
    """One result: rows of every item (named), the total in fen, every unverified value once."""
    first = results[0][1]
    rows, unverified, unverified_zh, notes, items = [], [], [], [], []
    for name, r in results:
        rows += [{**row, "item": name, "name_zh": f"{name}：{row['name_zh']}", "name_en": f"{name}: {row['name_en']}"}
                 for row in r.rows]
        unverified += [u for u in r.unverified if u not in unverified]
        unverified_zh += [u for u in r.unverified_zh if u not in unverified_zh]
        notes += [n for n in r.notes if str(n) not in {str(x) for x in notes}]
        items.append({"name": name, "amount_yuan": r.amount_yuan, "rows": r.rows})
    total = fen_to_yuan(sum(to_fen(r.amount_yuan, exact=False) for _, r in results))
    ranges = [r.range_yuan for _, r in results]
    range_yuan = (sum(x[0] for x in ranges), sum(x[1] for x in ranges)) if all(ranges) else None
    return type(first)(standard=first.standard, amount_yuan=total, rows=rows, unverified=unverified,
                       unverified_zh=unverified_zh, notes=notes, inputs=dict(data), version=first.version,
                       source=source, title=data.get("title"), case_id=first.case_id, range_yuan=range_yuan,
                       alternatives=[a for _, r in results for a in r.alternatives], items=items)
