"""Disturbance dating on the Case page: for each site of the case dated from imagery
(``site_breaks``), the annual index curve with the break year and its uncertainty marked, the
level before and the fitted recovery after, and the numbers in the interface language. Data
only through ``restoration.monitoring.breaks.stored_breaks`` (via ``dashboards.data``)."""
from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from restoration.monitoring.controls import VERDICTS  # noqa: E402

from . import data  # noqa: E402
from .i18n import t  # noqa: E402
from .recovery_panels import _font, _indicator_name, _label  # noqa: E402


def breaks_curve(row: dict, lang: str, controls: dict | None = None):
    """The site's annual series, the break (red, ± uncertainty shaded), the level before (dotted)
    and the recovery line after it; with a control comparison, the controls' mean and its
    bootstrap band (grey)."""
    series = pd.DataFrame(row.get("series") or [])
    fig, ax = plt.subplots(figsize=(7, 3.2))
    font = _font() if lang == "zh" else {}
    ctrl = pd.DataFrame((controls or {}).get("series") or [])
    if not ctrl.empty:
        ctrl = ctrl.dropna(subset=["control"])
        ax.fill_between(ctrl["year"], ctrl["control_lo"], ctrl["control_hi"], color="grey", alpha=0.25,
                        label=_label("brk.control_band", lang))
        ax.plot(ctrl["year"], ctrl["control"], color="grey", lw=1.1, label=_label("brk.controls", lang))
    if not series.empty:
        ax.plot(series["year"], series["value"], marker="o", ms=3.5, lw=1.3, color="#1f6f3f",
                label=_label("brk.series", lang))
    year = row.get("break_year")
    if year is not None and not pd.isna(year):
        unc = float(row.get("uncertainty_years") or 0)
        lo, hi = year - unc - 0.5, year + unc + 0.5
        if not series.empty:  # the band stays on the years there are data for
            lo, hi = max(lo, series["year"].min() - 0.5), min(hi, series["year"].max() + 0.5)
        ax.axvspan(lo, hi, color="#d62728", alpha=0.10,
                   label=_label("brk.uncertainty", lang))
        ax.axvline(year, color="#d62728", lw=1.2, ls="--", label=_label("brk.break", lang))
        if row.get("pre_level") is not None and not series.empty:
            ax.hlines(row["pre_level"], series["year"].min(), year - 1, colors="grey", linestyles=":",
                      label=_label("brk.before", lang))
        if row.get("post_level") is not None and row.get("recovery_slope") is not None and not series.empty:
            end = series["year"].max()
            ax.plot([year, end], [row["post_level"], row["post_level"] + row["recovery_slope"] * (end - year)],
                    color="#1f77b4", lw=1.2, label=_label("brk.recovery", lang))
    ax.set_xlabel(_label("rec.year", lang), **font)
    ax.set_ylabel(str(row["indicator"]).upper())
    ax.set_title(f"{row['site_id']} · {str(row['indicator']).upper()}", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False, prop=font or None)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def _num(v, fmt: str = "{:.3f}") -> str:
    return "—" if v is None or pd.isna(v) else fmt.format(v)


def breaks_table(row: dict, lang: str) -> pd.DataFrame:
    year = row.get("break_year")
    found = year is not None and not pd.isna(year)
    rows = [(t("brk.break_year", lang), f"{int(year)} ± {_num(row.get('uncertainty_years'), '{:g}')}" if found
             else t("brk.no_break", lang)),
            (t("brk.magnitude", lang), _num(row.get("magnitude"))),
            (t("brk.before", lang), _num(row.get("pre_level"))),
            (t("brk.recovery_rate", lang), _num(row.get("recovery_slope"), "{:+.4f}")),
            (t("brk.share", lang), _num(row.get("disturbed_share"), "{:.0%}")),
            (t("brk.years", lang), _num(row.get("n_years"), "{:.0f}"))]
    return pd.DataFrame(rows, columns=[t("rec.metric", lang), t("rec.value", lang)])


def case_breaks(case_id: str, lang: str) -> None:
    """The Case page's disturbance section: each dated site and index of the case."""
    st.subheader(t("brk.title", lang))
    table = data.site_breaks(case_id)
    if table is None or len(table) == 0:
        st.caption(t("brk.none", lang))
        return
    comparisons = data.control_comparisons(case_id)
    by_site = {} if comparisons is None or len(comparisons) == 0 else \
        {(r["site_id"], r["indicator"]): r for r in comparisons.to_dict("records")}
    for row in table.sort_values(["site_id", "indicator"]).to_dict("records"):
        st.markdown(f"**{html.escape(str(row['site_id']))} · {html.escape(_indicator_name(row['indicator'], lang))}**")
        comp = by_site.get((row["site_id"], row["indicator"]))
        result = (comp or {}).get("result") or {}
        cols = st.columns([3, 2])
        with cols[0]:
            st.pyplot(breaks_curve(row, lang, result), clear_figure=True)
        with cols[1]:
            st.dataframe(breaks_table(row, lang), hide_index=True, width="stretch")
        st.caption(t("brk.method", lang, when=str(row.get("computed_at") or "—")[:16].replace("T", " ")))
        if comp:
            lo, hi = result.get("relative_interval") or (None, None)
            zh, en = VERDICTS.get(comp["verdict"], (comp["verdict"], comp["verdict"]))
            st.markdown(t("brk.verdict", lang, verdict=zh if lang == "zh" else en, n=result.get("n_controls", 0),
                          rel=_num(comp.get("relative_recovery"), "{:.2f}"), lo=_num(lo, "{:.2f}"), hi=_num(hi, "{:.2f}"),
                          year=comp["disturbance_year"]))
        else:
            st.caption(t("brk.no_controls", lang, site=html.escape(str(row["site_id"]))))


def controls_beside_targets(case_id: str, lang: str) -> None:
    """The monitoring tab's verdict against matched controls beside each compared site's plan
    targets (nothing when no site of the case was compared with controls)."""
    rows = data.controls_beside_targets(case_id)
    if not rows:
        return
    st.markdown(f"**{t('brk.beside_targets', lang)}**")
    shown = []
    for r in rows:
        lo, hi = r.get("relative_interval") or (None, None)
        targets = "；".join(f"{_indicator_name(x['indicator'], lang)} {_num(x.get('target'), '{:.3g}')} "
                           f"{x.get('unit') or ''}".strip() for x in r["targets"]) or t("brk.no_targets", lang)
        shown.append({t("mon.site", lang): str(r["site_id"]), t("brk.targets", lang): targets,
                      t("brk.index", lang): _indicator_name(r["indicator"], lang),
                      t("brk.verdict_short", lang): r["verdict_zh"] if lang == "zh" else r["verdict_en"],
                      t("brk.relative", lang): f"{_num(r.get('relative_recovery'), '{:.2f}')} "
                                               f"({_num(lo, '{:.2f}')}–{_num(hi, '{:.2f}')})",
                      t("brk.break_year", lang): str(r["disturbance_year"])})
    st.dataframe(pd.DataFrame(shown), hide_index=True, width="stretch")
