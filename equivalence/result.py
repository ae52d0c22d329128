"""The result of one run: totals, yearly tables, inputs echo, version and uncertainty."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .uncertainty import MonteCarlo

METHOD_LABELS = {
    "service": "等服务 equal-service (HEA)",
    "resource": "等资源 equal-resource (REA)",
    "value_to_value": "等价值 equal-value (VEA), value-to-value",
    "value_to_cost": "等价值 equal-value (VEA), value-to-cost",
}


def units_for(variant: str, scale_unit: str, resource_unit: str | None = None) -> dict[str, str]:
    """Unit of every headline number for a method variant (REA: the resource unit by name,
    e.g. bird-years, m³·a, t)."""
    if variant == "resource":
        name = resource_unit or "units"
        return {"debit": f"{name} (discounted to the base year)",
                "credit_per_unit": f"{name} per {scale_unit}",
                "required_scale": scale_unit, "required_area_ha": "ha"}
    u = {"debit": "ha·yr (discounted service hectare-years)",
         "credit_per_unit": f"ha·yr per {scale_unit}",
         "required_scale": scale_unit, "required_area_ha": "ha"}
    if variant.startswith("value"):
        u["debit_value"] = "yuan (at the base year)"
        u["credit_per_unit"] = f"yuan per {scale_unit}"
    return u


def json_safe(x: Any, fallback: Callable[[Any], Any] | None = None) -> Any:
    """Plain JSON types only: numpy scalars → Python, NaN/inf → None, dates → ISO text; any other
    object as it is, or ``fallback(object)`` when given (e.g. ``str``)."""
    if isinstance(x, Mapping):
        return {str(k): json_safe(v, fallback) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v, fallback) for v in x]
    if isinstance(x, np.ndarray):
        return [json_safe(v, fallback) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, (_dt.date, _dt.datetime, pd.Timestamp)) or hasattr(x, "isoformat"):
        return x.isoformat()
    return fallback(x) if fallback is not None else x


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None:
        return []
    return [json_safe(r) for r in df.to_dict(orient="records")]


@dataclass
class EquivalenceResult:
    """One equivalence run. Numbers are floats in the units of :attr:`units`.

    ``debit_yearly`` / ``credit_yearly`` list every year summed (and, for perpetuity, one
    ``perpetuity_tail`` row whose weight is the closed-form tail factor): their ``contribution``
    columns add up to ``debit`` and ``credit_per_unit``.
    """

    method: str
    mode: str | None
    base_year: int
    discount_rate: float
    timing: str
    scale_unit: str
    debit: float | None
    debit_value: float | None
    credit_per_unit: float
    required_scale: float
    required_area_ha: float | None
    debit_yearly: pd.DataFrame
    credit_yearly: pd.DataFrame | None
    inputs: dict[str, Any]
    trajectories: dict[str, list]
    version: str
    monte_carlo: MonteCarlo | None = None
    notes: list[str] = field(default_factory=list)
    source: dict[str, Any] | None = None
    convention: str = "compound"
    resource_unit: str | None = None
    #: several injury categories: [{name, debit, debit_value}]; several parcels:
    #: [{name, share, credit_per_unit, required_scale}]
    categories: list[dict[str, Any]] | None = None
    parcels: list[dict[str, Any]] | None = None

    @property
    def variant(self) -> str:
        return self.mode if self.method == "value" else self.method

    @property
    def units(self) -> dict[str, str]:
        return units_for(self.variant, self.scale_unit, self.resource_unit)

    @property
    def percentiles(self) -> dict[str, dict[str, float]] | None:
        return None if self.monte_carlo is None else self.monte_carlo.percentiles

    @property
    def sensitivity(self) -> pd.DataFrame | None:
        return None if self.monte_carlo is None else self.monte_carlo.sensitivity

    def headline(self) -> dict[str, float | None]:
        return {"debit": self.debit, "debit_value": self.debit_value, "credit_per_unit": self.credit_per_unit,
                "required_scale": self.required_scale, "required_area_ha": self.required_area_ha}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the same keys from the CLI (``--json``), the API and the notebooks."""
        d: dict[str, Any] = {
            "software": {"name": "restoration-platform / equivalence", "version": self.version},
            "version": self.version,
            "schema_version": 1,
            "method": self.method,
            "mode": self.mode,
            "method_label": METHOD_LABELS[self.variant],
            "base_year": self.base_year,
            "discount_rate": self.discount_rate,
            "timing": self.timing,
            "discount_convention": self.convention,
            **self.headline(),
            "scale_unit": self.scale_unit,
            "units": self.units,
            "yearly": {"debit": _records(self.debit_yearly), "credit": _records(self.credit_yearly)},
            "trajectories": self.trajectories,
            "inputs": self.inputs,
            "notes": list(self.notes),
        }
        if self.resource_unit:
            d["resource_unit"] = self.resource_unit
        if self.categories is not None:
            d["categories"] = self.categories
        if self.parcels is not None:
            d["parcels"] = self.parcels
        if self.source:
            d["source"] = self.source
        if self.monte_carlo is not None:
            mc = self.monte_carlo
            d["percentiles"] = mc.percentiles
            d["uncertainty"] = {"draws": mc.draws, "seed": mc.seed, "uncertain_inputs": mc.inputs,
                                "sensitivity": _records(mc.sensitivity)}
        return json_safe(d)

    def summary(self) -> str:
        """A short bilingual text summary (what the CLI prints without ``--json``)."""
        u = self.units
        lines = [f"{METHOD_LABELS[self.variant]} — 基准年 base year {self.base_year}, "
                 f"贴现率 discount rate {self.discount_rate:g} ({self.convention}), {self.timing}"]

        def row(label: str, key: str, value: float | None) -> None:
            if value is not None:
                lines.append(f"  {label}: {value:,.6f} {u.get(key, '')}")

        row("损害 debit", "debit", self.debit)
        row("损害价值 debit value", "debit_value", self.debit_value)
        row("单位补偿量 credit per unit", "credit_per_unit", self.credit_per_unit)
        row("所需规模 required scale", "required_scale", self.required_scale)
        row("所需面积 required area", "required_area_ha", self.required_area_ha)
        for c in self.categories or []:
            lines.append(f"    损害类别 category {c['name']}: {c['debit']:,.6f} {u.get('debit', '')}")
        for p in self.parcels or []:
            lines.append(f"    替代地块 parcel {p['name']} (share {p['share']:g}): {p['required_scale']:,.6f} "
                         f"{u.get('required_scale', '')}")
        if self.monte_carlo is not None:
            mc = self.monte_carlo
            lines.append(f"  Monte Carlo: {mc.draws} draws, seed {mc.seed}")
            for key, p in mc.percentiles.items():
                qs = ", ".join(f"{k.upper()} {v:,.6g}" for k, v in p.items() if k.startswith("p"))
                lines.append(f"    {key}: {qs}; mean {p['mean']:,.6g}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        lines.append(f"  software version {self.version}")
        return "\n".join(lines)
