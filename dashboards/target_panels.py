"""The Case page's monitoring plan form: set or edit a site's indicator targets.

The site and the indicator are chosen above the form (the form then shows that target's stored
values, or a new one); the write goes through ``restoration.monitoring.targets.set_target`` with
the target's revision as the page first read it (a target someone else saved in between is a
conflict, not an overwrite) and the form's request id (a double submit writes once). Only a
user ``restoration`` lets set targets sees the form (``access_panels.gate``); every label is a
word of the interface language — indicators, units, directions — never a code.
"""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from restoration import config
from restoration.model import Direction
from restoration.monitoring.indicators import INDICATORS, Indicator
from restoration.monitoring.target_checks import points_text
from restoration.monitoring.targets import revision, set_target

from . import data, state
from .i18n import t, text, vocab
from .monitoring_panels import indicator_label, unit_label

#: the earliest date the form offers (a plausibility bound on baselines, not a rule)
EARLIEST = date(1990, 1, 1)


def unit_choices(ind: Indicator) -> list[str]:
    """The indicator's standard unit first, then the units converted to it (μg/L for mg/L …) —
    written units only, not words such as "fraction"."""
    out = [ind.unit]
    for spelling, factor in ind.units.items():
        pretty = re.sub(r"/l$", "/L", spelling)
        if factor != 1.0 and re.search(r"[/%]", spelling) and not spelling.startswith("ug") and pretty not in out:
            out.append(pretty)
    return out


def _stored(site_id: str, code: str) -> dict | None:
    targets = data.indicator_targets()
    match = targets[(targets["site_id"] == site_id) & (targets["indicator"] == code)]
    if match.empty:
        return None
    row = match.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items() if k != "fid"}


def _day(value) -> date | None:
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return None
    try:
        return pd.Timestamp(str(value)).date()
    except ValueError:
        return None


def target_form(case_id: str, case_sites, lang: str) -> None:
    """Set or edit one target of one of the case's sites."""
    from .access_panels import gate
    st.subheader(t("tgt.title", lang))
    if case_sites is None or case_sites.empty:
        st.caption(t("tgt.no_sites", lang))
        return
    if not gate("monitoring.plan", lang, case_id=case_id):
        return
    saved = st.session_state.pop(state.TARGET_SAVED, None)
    if saved:
        st.success(saved, icon=":material/check_circle:")
    st.caption(t("tgt.intro", lang))
    sites = case_sites.sort_values("site_id")
    names = dict(zip(sites["site_id"], sites["name"]))
    site_id = st.selectbox(t("tgt.site", lang), list(sites["site_id"]), key=f"tgt_site_{case_id}",
                           format_func=lambda s: f"{s} · {text(names.get(s))}")
    targets = data.indicator_targets()
    have = list(targets.loc[targets["site_id"] == site_id, "indicator"])
    codes = [c for c in have if c in INDICATORS] + [c for c in INDICATORS if c not in have]
    code = st.selectbox(t("tgt.indicator", lang), codes, key=f"tgt_ind_{case_id}_{site_id}",
                        format_func=lambda c: indicator_label(c, lang) + (t("tgt.is_set", lang) if c in have else ""))
    current = _stored(site_id, code)
    loaded_key = state.loaded_target(site_id, code)
    if loaded_key not in st.session_state:
        st.session_state[loaded_key] = revision(current)
    if st.session_state[loaded_key] != revision(current):
        st.info(t("tgt.changed_since", lang))
        if st.button(t("case.reload", lang), key=f"tgt_reload_{site_id}_{code}"):
            st.session_state[loaded_key] = revision(current)
            _clear(f"target_{site_id}_{code}_")
            st.rerun()
    label = indicator_label(code, lang)
    st.markdown(t("tgt.editing" if current else "tgt.new", lang, site=site_id, indicator=label))
    _form(case_sites, site_id, code, current, st.session_state[loaded_key], lang)


def _reference_choices(case_sites, site_id: str, current: dict | None) -> tuple[list, dict]:
    """The case's other sites and every reference site (a regional 参照区 may lie elsewhere)."""
    every = data.sites()
    pool = pd.concat([case_sites, every[every["role"] == "reference"]]).drop_duplicates("site_id")
    ids = [s for s in pool.sort_values("site_id")["site_id"] if s != site_id]
    ref = (current or {}).get("reference_site_id")
    if ref and ref not in ids:
        ids.append(ref)
    return [None] + ids, dict(zip(pool["site_id"], pool["name"]))


def _form(case_sites, site_id: str, code: str, current: dict | None, loaded: str | None, lang: str) -> None:
    from .ui import form_key, shown_errors, submission_refused, submitted_once
    ind = INDICATORS[code]
    cur = current or {}
    form = f"target_{site_id}_{code}"
    key = lambda name: f"{form}_{name}"  # noqa: E731 - kept on a refused write, cleared after a saved one
    units = unit_choices(ind)
    if cur.get("unit") and cur["unit"] not in units:
        units.insert(0, cur["unit"])
    directions = [d.value for d in Direction]
    default_dir = cur.get("direction") or ind.direction or "higher"
    refs, ref_names = _reference_choices(case_sites, site_id, current)
    today = config.today()
    with st.form(form_key(form)):
        c = st.columns(3)
        unit = c[0].selectbox(t("tgt.unit", lang), units, index=units.index(cur.get("unit") or ind.unit),
                              format_func=lambda u: unit_label(u, lang), key=key("unit"))
        direction = c[1].selectbox(t("tgt.direction", lang), directions, index=directions.index(default_dir),
                                   format_func=lambda d: vocab(Direction, d, lang), key=key("direction"))
        reference = c[2].selectbox(t("tgt.reference", lang), refs, index=refs.index(cur.get("reference_site_id")),
                                   format_func=lambda s: t("tgt.no_reference", lang) if s is None
                                   else f"{s} · {text(ref_names.get(s))}", key=key("reference"))
        c = st.columns(2)
        baseline = c[0].number_input(t("tgt.baseline", lang), value=cur.get("baseline"), format="%g",
                                     key=key("baseline"))
        target = c[1].number_input(t("tgt.target", lang), value=cur.get("target"), format="%g", key=key("target"))
        start = c[0].date_input(t("tgt.baseline_date", lang), value=_day(cur.get("baseline_date")),
                                min_value=EARLIEST, max_value=today, key=key("baseline_date"))
        end = c[1].date_input(t("tgt.target_date", lang), value=_day(cur.get("target_date")),
                              min_value=EARLIEST, max_value=date(today.year + 100, 12, 31), key=key("target_date"))
        trajectory = st.text_input(t("tgt.trajectory", lang), value=points_text(cur.get("planned_trajectory")),
                                   max_chars=4000, placeholder="2024:0.30; 2026:0.50; 2028:0.70",
                                   help=t("tgt.trajectory_help", lang), key=key("trajectory"))
        submitted = st.form_submit_button(t("tgt.save", lang), icon=":material/save:")
    if not submitted:
        return
    if baseline is None or target is None:
        st.error(t("tgt.required", lang))
        return
    if request := submitted_once(form):
        values = {"site_id": site_id, "indicator": code, "unit": unit, "direction": direction,
                  "baseline": float(baseline), "target": float(target),
                  "baseline_date": start.isoformat() if start else None,
                  "target_date": end.isoformat() if end else None,
                  "planned_trajectory": trajectory.strip() or None, "reference_site_id": reference}
        saved = None
        with shown_errors():
            saved = set_target(data.store(), values, data.actor(), expected=loaded, request_id=request)
        if saved is None:  # refused, shown above: the same form takes the corrected values
            submission_refused(form, request)
            return
        st.session_state[state.loaded_target(site_id, code)] = saved["revision"]
        _clear(f"{form}_")
        st.session_state[state.TARGET_SAVED] = t("tgt.saved", lang, site=site_id, indicator=indicator_label(code, lang))
        st.rerun()


def _clear(prefix: str) -> None:
    for k in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[k]
