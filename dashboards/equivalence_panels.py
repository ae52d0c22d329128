"""Widgets of the equivalence calculator: the scenario editor and the link to a case."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from equivalence import ScenarioError
from equivalence.params import parse_scalar
from restoration.bank import set_case_scenario

from . import data, state
from .access_panels import gate
from .i18n import t
from .ui import empty_state, flash, form_key, shown_errors, submitted_once, user

DEFAULT = {
    "schema_version": 1, "method": "service", "base_year": 2024, "discount_rate": 0.03, "timing": "annual",
    "injury": {"area": 40.0, "area_unit": "ha", "start_year": 2019, "end_year": 2031,
               "levels": [[2019, 0.25], [2022, 0.25], [2031, 1.0]],
               "lost_units": [[2019, 1000], [2025, 0]], "unit_value": 42000.0},
    "replacement": {"start_year": 2025, "end_year": 2060, "levels": [[2025, 0.0], [2032, 0.9]],
                    "units_per_project_unit": [[2026, 40]], "relative_value": 1.0, "area_unit": "ha",
                    "initial_level": 0.0, "unit_value": 42000.0, "unit_cost": 180000.0},
}


def _points(label: str, points: list, key: str, value_label: str, lang: str = "zh") -> list[list[float]]:
    frame = pd.DataFrame(points, columns=["year", value_label])
    edited = st.data_editor(frame, num_rows="dynamic", key=key, hide_index=True, column_config={
        "year": st.column_config.NumberColumn(t("eq.col_year", lang), format="%d", step=1),
        value_label: st.column_config.NumberColumn(t(f"eq.col_{value_label}", lang))})
    st.caption(label)
    rows = edited.dropna()
    return [[int(y), float(v)] for y, v in zip(rows["year"], rows[value_label])]


def _end_year(prefix: str, default, lang: str):
    perpetual = st.checkbox(t("eq.perpetuity", lang), value=default == "perpetuity", key=f"{prefix}_perp")
    if perpetual:
        return "perpetuity"
    return int(st.number_input(t("eq.end_year", lang), value=int(default) if default != "perpetuity" else 2060,
                               step=1, key=f"{prefix}_end"))


def _point(value, default: float) -> float:
    """The number the editor shows for a stored scalar: the number itself, or a distribution's
    point value (triangular/PERT: mode, uniform: midpoint, normal/lognormal: mean)."""
    if value is None:
        return float(default)
    try:
        return parse_scalar(value, "value").point
    except ScenarioError:
        return float(default)


def _support(value) -> tuple[float, float] | None:
    """A stored distribution's finite bounds (min, max), or None for a number or an unbounded one."""
    if not isinstance(value, dict):
        return None
    try:
        dist = parse_scalar(value, "value").dist
    except ScenarioError:
        return None
    if dist is None or not (math.isfinite(dist.lower) and math.isfinite(dist.upper)):
        return None
    return dist.lower, dist.upper


def _loaded(lang: str) -> tuple[dict, dict, dict]:
    """The scenario the editor starts from (a case's stored one, else the worked example) and its
    first injury category and replacement parcel, completed from the example."""
    base = st.session_state.get(state.EQ_LOADED) or DEFAULT
    loaded_inj, loaded_rep = base.get("injury", {}), base.get("replacement", {})
    if isinstance(loaded_inj, list) or isinstance(loaded_rep, list):
        # several injury categories or parcels: the editor shows the first of each
        st.info(t("eq.multi_first", lang))
        loaded_inj = loaded_inj[0] if isinstance(loaded_inj, list) and loaded_inj else loaded_inj
        loaded_rep = loaded_rep[0] if isinstance(loaded_rep, list) and loaded_rep else loaded_rep
    inj = {**DEFAULT["injury"], **{k: v for k, v in dict(loaded_inj).items() if k != "name"}}
    rep = {**DEFAULT["replacement"], **{k: v for k, v in dict(loaded_rep).items() if k not in ("name", "share")}}
    return base, inj, rep


def _head(base: dict, lang: str) -> tuple[dict, float]:
    """Method, mode, base year, discount rate, timing and convention; the rate in percent."""
    top = st.columns(6)
    methods = ["service", "resource", "value"]
    method = top[0].selectbox(t("eq.method", lang), methods, index=methods.index(base.get("method", "service")),
                              format_func=lambda m: t(f"eq.method_{m}", lang))
    mode = None
    if method == "value":
        modes = ["value_to_value", "value_to_cost"]
        mode = top[1].selectbox(t("eq.mode", lang), modes, index=modes.index(base.get("mode") or "value_to_cost"),
                                format_func=lambda m: t(f"eq.mode_{m}", lang))
    base_year = int(top[2].number_input(t("eq.base_year", lang), value=int(base.get("base_year", 2024)), step=1))
    rate_pct = top[3].number_input(t("eq.discount_rate", lang),
                                   value=_point(base.get("discount_rate"), DEFAULT["discount_rate"]) * 100,
                                   step=0.5, format="%.2f", key="eq_w_rate")
    timings = ["annual", "mid_year", "quarterly"]
    timing = top[4].selectbox(t("eq.timing", lang), timings, index=timings.index(base.get("timing", "annual")),
                              format_func=lambda m: t(f"eq.timing_{m}", lang))
    conventions = ["compound", "one_minus_d", "continuous"]
    convention = top[5].selectbox(t("eq.convention", lang), conventions,
                                  index=conventions.index(base.get("discount_convention", "compound")),
                                  format_func=lambda m: t(f"eq.convention_{m}", lang))
    scenario: dict = {"schema_version": 1, "method": method, "base_year": base_year,
                      "discount_rate": round(rate_pct / 100, 6), "timing": timing}
    if convention != "compound":
        scenario["discount_convention"] = convention
    if method == "resource":
        scenario["resource_unit"] = st.text_input(t("eq.resource_unit", lang),
                                                  value=base.get("resource_unit") or "bird-years", max_chars=40,
                                                  key="eq_resource_unit").strip() or "units"
    if mode:
        scenario["mode"] = mode
    return scenario, rate_pct


_AREA_UNITS = ["ha", "mu", "m2", "km2"]


def _injury(method: str, inj: dict, lang: str) -> dict:
    st.markdown(f"**{t('eq.injury', lang)}**")
    injury: dict = {}
    if method != "resource":
        a, u = st.columns(2)
        injury["area"] = a.number_input(t("eq.area", lang), value=_point(inj["area"], DEFAULT["injury"]["area"]),
                                        key="inj_area")
        injury["area_unit"] = u.selectbox(t("eq.area_unit", lang), _AREA_UNITS,
                                          index=_AREA_UNITS.index(inj["area_unit"]),
                                          key="inj_unit", format_func=lambda v: unit_text(v, lang))
    injury["start_year"] = int(st.number_input(t("eq.start_year", lang), value=int(inj["start_year"]), step=1,
                                               key="inj_start"))
    injury["end_year"] = _end_year("inj", inj["end_year"], lang)
    if method == "resource":
        injury["lost_units"] = _points(t("eq.lost_units", lang), inj["lost_units"], "inj_units", "units", lang)
    else:
        injury["levels"] = _points(t("eq.injury_levels", lang), inj["levels"], "inj_levels", "level", lang)
    if method == "value":
        injury["unit_value"] = st.number_input(t("eq.unit_value", lang),
                                               value=_point(inj["unit_value"], DEFAULT["injury"]["unit_value"]),
                                               key="inj_value")
    return injury


def _replacement(method: str, mode: str | None, rep: dict, lang: str) -> dict:
    st.markdown(f"**{t('eq.replacement', lang)}**")
    replacement: dict = {}
    default = DEFAULT["replacement"]
    if mode == "value_to_cost":
        replacement["unit_cost"] = st.number_input(t("eq.unit_cost", lang),
                                                   value=_point(rep["unit_cost"], default["unit_cost"]),
                                                   key="rep_cost")
        return replacement
    replacement["start_year"] = int(st.number_input(t("eq.start_year", lang), value=int(rep["start_year"]),
                                                    step=1, key="rep_start"))
    replacement["end_year"] = _end_year("rep", rep["end_year"], lang)
    if method == "resource":
        replacement["units_per_project_unit"] = _points(t("eq.gained_units", lang),
                                                        rep["units_per_project_unit"], "rep_units", "units", lang)
    else:
        replacement["levels"] = _points(t("eq.replacement_levels", lang), rep["levels"], "rep_levels", "level", lang)
        r, u = st.columns(2)
        replacement["relative_value"] = r.number_input(
            t("eq.relative_value", lang), value=_point(rep["relative_value"], default["relative_value"]),
            key="rep_relval")
        replacement["area_unit"] = u.selectbox(t("eq.area_unit", lang), _AREA_UNITS,
                                               index=_AREA_UNITS.index(rep["area_unit"]),
                                               key="rep_unit", format_func=lambda v: unit_text(v, lang))
    if mode == "value_to_value":
        replacement["unit_value"] = st.number_input(t("eq.unit_value", lang),
                                                    value=_point(rep["unit_value"], default["unit_value"]),
                                                    key="rep_value")
    return replacement


def _uncertainty(scenario: dict, base: dict, inj: dict, rate_pct: float, lang: str) -> None:
    """Monte Carlo settings: a triangular discount rate and injured area around the values
    entered; a loaded scenario's distributions give the bounds and the spread shown."""
    injury = scenario["injury"]
    rate_bounds = _support(base.get("discount_rate"))
    lo0, hi0 = (rate_bounds[0] * 100, rate_bounds[1] * 100) if rate_bounds else (max(0.5, rate_pct - 1.0),
                                                                                   rate_pct + 1.0)
    area_bounds, area_point = _support(inj.get("area")), _point(inj.get("area"), 0.0)
    spread0 = (min(90.0, max(area_point - area_bounds[0], area_bounds[1] - area_point) / area_point * 100)
               if area_bounds and area_point > 0 else 10.0)
    with st.expander(t("eq.uncertainty", lang)):
        if not st.checkbox(t("eq.uncertainty_on", lang), value=bool(base.get("uncertainty"))):
            return
        c = st.columns(4)
        lo = c[0].number_input(t("eq.rate_min", lang), value=round(lo0, 6), step=0.5)
        hi = c[1].number_input(t("eq.rate_max", lang), value=round(hi0, 6), step=0.5)
        spread = c[2].number_input(t("eq.area_spread", lang), value=round(spread0, 6), min_value=0.0, max_value=90.0)
        draws = int(c[3].number_input(t("eq.draws", lang), value=int(dict(base.get("uncertainty") or {})
                                                                     .get("draws", 5000)),
                                      min_value=100, max_value=100_000, step=1000))
        if hi > lo and lo <= rate_pct <= hi:
            scenario["discount_rate"] = {"dist": "triangular", "min": lo / 100, "mode": rate_pct / 100,
                                         "max": hi / 100}
        if "area" in injury and spread > 0:
            a = injury["area"]
            injury["area"] = {"dist": "triangular", "min": a * (1 - spread / 100), "mode": a,
                              "max": a * (1 + spread / 100)}
        scenario["uncertainty"] = {"draws": draws, "seed": 1}


def editor(lang: str) -> dict:
    """The scenario (format v1) the user is editing; starts from a case's stored scenario when
    one was loaded (numbers, or distributions shown by their point value and bounds), else from
    a worked example."""
    base, inj, rep = _loaded(lang)
    scenario, rate_pct = _head(base, lang)
    left, right = st.columns(2)
    with left:
        scenario["injury"] = _injury(scenario["method"], inj, lang)
    with right:
        scenario["replacement"] = _replacement(scenario["method"], scenario.get("mode"), rep, lang)
    _uncertainty(scenario, base, inj, rate_pct, lang)
    return scenario


def case_link(scenario: dict, result, lang: str) -> None:
    """Load a case's stored scenario into the editor, or save this scenario as the case's."""
    st.subheader(t("eq.case_link", lang))
    cases = data.cases()
    if cases.empty:
        empty_state("empty.no_cases", "empty.no_cases_how")
        return
    ids = cases["case_id"].tolist()
    titles = cases.set_index("case_id")["title"]
    current = st.session_state.get(state.EQ_CASE)
    case_id = st.selectbox(t("bank.case", lang), ids, index=ids.index(current) if current in ids else 0,
                           key="eq_case_pick", format_func=lambda c: f"{c} · {titles.get(c) or ''}")
    left, right = st.columns(2)
    with shown_errors():
        if left.button(t("eq.load_case", lang), icon=":material/upload_file:"):
            st.session_state[state.EQ_LOADED] = data.case_scenario(case_id)["scenario"]
            st.session_state[state.EQ_CASE] = case_id
            for key in [k for k in st.session_state if k.startswith(state.EQ_EDITOR_PREFIXES)]:
                del st.session_state[key]  # the editor's tables start again from the loaded scenario
            st.rerun()
        with right:
            may_save = gate("scenario.edit", lang, case_id=case_id)
        form = f"eq_save_{case_id}"
        if result is not None and may_save and \
                right.button(t("eq.save_case", lang), icon=":material/save:", key=form_key(form)) and \
                (request := submitted_once(form)):
            sid = set_case_scenario(data.store(), case_id, scenario, source=f"calculator ({user()['name']})",
                                    actor=data.actor(), request_id=request)
            flash(t("eq.saved_case", lang, id=sid, case=case_id, scale=scale_text(result, lang)))
            st.rerun()


AREA_UNITS = ("ha", "mu", "m2", "km2")


def unit_text(unit: str | None, lang: str) -> str:
    """An area or scale unit in words of the interface language."""
    if unit in AREA_UNITS:
        return t(f"unit.{unit}", lang)
    return t("unit.project_units", lang) if not unit else str(unit)


def _method(result) -> str | None:
    return result.inputs.get("method") if isinstance(getattr(result, "inputs", None), dict) else None


def debit_text(result, lang: str) -> str:
    """The discounted debit with a short unit (service: ha·yr; resource: the scenario's own
    unit, named by the appraiser)."""
    if _method(result) == "resource":
        return f"{result.debit:,.2f} {result.units.get('debit', '')}".strip()
    return f"{result.debit:,.2f} {t('unit.ha_yr', lang)}"


def credit_label(result, lang: str) -> str:
    """The credit metric's label; for area-based methods it names the unit of project ("credit
    per ha"), so the value carries the short unit ha·yr and fits its card."""
    if _method(result) == "resource":
        return t("eq.credit_per_unit", lang)
    return t("eq.credit_per", lang, unit=unit_text(result.scale_unit, lang))


def credit_text(result, lang: str) -> str:
    """Credit per unit of project with its unit (see :func:`credit_label`)."""
    if _method(result) == "resource":
        return f"{result.credit_per_unit:,.4f} {result.units.get('credit_per_unit', '')}".strip()
    # two decimals fit a metric card; the yearly table keeps four
    return f"{result.credit_per_unit:,.2f} {t('unit.ha_yr', lang)}"


def scale_text(result, lang: str) -> str:
    return f"{result.required_scale:,.2f} {unit_text(result.scale_unit, lang)}"


_YEARLY = ("year", "read_at", "baseline", "level", "loss", "gain", "units", "weight", "contribution")


def yearly_view(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A yearly table with labelled columns; the perpetuity tail row is named, not flagged."""
    out = pd.DataFrame(index=frame.index)
    for col in _YEARLY:
        if col in frame:
            values = frame[col]
            if col == "year":
                out[t("eq.col_year", lang)] = values.astype(int).astype(str)
            elif col == "read_at":
                # a whole year under the start/end-of-year conventions, x.5 under mid-year
                out[t("eq.col_read_at", lang)] = values.map(lambda v: "—" if v != v else f"{v:g}")
            else:
                out[t(f"eq.col_{col}", lang)] = values.map(lambda v: "—" if v != v else f"{v:,.4f}")
    if "perpetuity_tail" in frame and frame["perpetuity_tail"].any():
        out.loc[frame["perpetuity_tail"].astype(bool), t("eq.col_year", lang)] = t("eq.tail", lang)
    return out


def percentiles_view(percentiles: dict, lang: str) -> pd.DataFrame:
    rows = []
    for key, p in percentiles.items():
        rows.append({t("eq.output", lang): t(f"eq.out_{key}", lang),
                     "P5": f"{p['p5']:,.3f}", "P50": f"{p['p50']:,.3f}", "P95": f"{p['p95']:,.3f}",
                     t("eq.mean", lang): f"{p['mean']:,.3f}", t("eq.std", lang): f"{p['std']:,.3f}"})
    return pd.DataFrame(rows)


def validate(scenario: dict, lang: str) -> list[str]:
    """Problems with the editor's inputs, in the interface language (checked before the engine,
    whose messages name the key path in English)."""
    problems = []

    def scalar(v):
        return v.get("mode") if isinstance(v, dict) else v

    inj, rep = scenario.get("injury", {}), scenario.get("replacement", {})
    for part, block in (("injury", inj), ("replacement", rep)):
        where = t(f"eq.{part}", lang)
        for key in ("area", "unit_value", "unit_cost", "relative_value"):
            v = scalar(block.get(key))
            if v is None:
                continue
            if v < 0 or (key == "area" and v == 0):
                problems.append(t("eq.err_positive" if key == "area" else "eq.err_not_negative", lang,
                                  where=where, field=t(f"eq.{key}", lang)))
        start, end = block.get("start_year"), block.get("end_year")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            problems.append(t("eq.err_years", lang, where=where, start=start, end=end))
        for key in ("levels", "lost_units", "units_per_project_unit"):
            pts = block.get(key)
            if pts is not None and not pts:
                problems.append(t("eq.err_points", lang, where=where))
            if key == "levels" and pts and any(not (0 <= v <= 1.5) for _, v in pts):
                problems.append(t("eq.err_level", lang, where=where))
    rate = scalar(scenario.get("discount_rate"))
    if rate is not None and not (0 <= rate <= 0.2):
        problems.append(t("eq.err_rate", lang))
    return problems
