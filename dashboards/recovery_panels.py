"""Spectral recovery on the Case page: for each stored recovery assessment of the case,
the annual index curve with the disturbance and restoration start marked and the target band,
the five metrics with their meaning in the interface language, and a per-pixel map of one
metric with a metric scale bar. Data only through ``restoration.monitoring.assessments``."""
from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from restoration.vocab import INDICATOR_LABELS, label as vocab_label  # noqa: E402
from restoration.monitoring.recovery import MEANINGS, METRICS  # noqa: E402

from . import data  # noqa: E402
from .i18n import t  # noqa: E402


def _font() -> dict:
    from equivalence.plotting import _cjk_font
    font = _cjk_font()
    return {"family": font} if font else {}


def _label(key: str, lang: str) -> str:
    # matplotlib cannot draw Chinese without a CJK font: fall back to English there
    return t(key, lang if (lang == "en" or _font()) else "en")


def _indicator_name(code: str, lang: str) -> str:
    return vocab_label("indicator", code, lang) if code in INDICATOR_LABELS else code.upper()


def recovery_curve(row: dict, lang: str):
    """The annual series with the disturbance (red) and restoration start (green) marked, the
    reference years shaded and the target band (p·T … T)."""
    series = pd.DataFrame(row["series"] or [])
    fig, ax = plt.subplots(figsize=(7, 3.2))
    font = _font() if lang == "zh" else {}
    if not series.empty:
        ax.plot(series["year"], series["value"], marker="o", ms=3.5, lw=1.3, color="#1f6f3f",
                label=_label("rec.series", lang))
    target, share = row.get("target"), (row.get("percent_of_target") or 80.0) / 100.0
    if target is not None and np.isfinite(target):
        ax.axhspan(share * target, target, color="#2ca02c", alpha=0.15,
                   label=_label("rec.target_band", lang).format(p=int(round(share * 100))))
        ax.axhline(target, color="#2ca02c", lw=0.9, ls=":")
    ref = row.get("reference_years")
    if ref:
        ax.axvspan(ref[0] - 0.5, ref[1] + 0.5, color="grey", alpha=0.12, label=_label("rec.reference_years", lang))
    ax.axvline(row["disturbance_year"], color="#d62728", lw=1.2, ls="--", label=_label("rec.disturbance", lang))
    ax.axvline(row["restoration_year"], color="#1f77b4", lw=1.2, ls="--", label=_label("rec.restoration", lang))
    ax.set_xlabel(_label("rec.year", lang), **font)
    ax.set_ylabel(row["indicator"].upper())
    ax.set_title(f"{row['site_id']} · {row['indicator'].upper()}", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False, prop=font or None)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def _nice_length(metres: float) -> float:
    for v in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if v >= metres:
            return float(v)
    return float(round(metres, -4))


def pixel_map_figure(pmap: dict, lang: str):
    """The per-pixel metric inside the site (outside: blank), metres on the axes' scale bar."""
    values = np.array([[np.nan if v is None else v for v in r] for r in pmap["values"]], dtype=float)
    res = float(pmap.get("pixel_size") or 30.0)
    ny, nx = values.shape
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    cmap = plt.get_cmap("RdYlGn").copy()
    cmap.set_bad((1, 1, 1, 0))
    finite = values[np.isfinite(values)]
    lo, hi = (np.nanpercentile(finite, 2), np.nanpercentile(finite, 98)) if finite.size else (0, 1)
    im = ax.imshow(values, cmap=cmap, vmin=lo, vmax=hi if hi > lo else lo + 1, extent=(0, nx * res, 0, ny * res))
    fig.colorbar(im, ax=ax, shrink=0.8, label=pmap["metric"])
    length = _nice_length(nx * res / 4)
    x0, y0 = nx * res * 0.05, ny * res * 0.06
    ax.plot([x0, x0 + length], [y0, y0], color="k", lw=3)
    ax.text(x0 + length / 2, y0 + ny * res * 0.03, f"{length:g} m" if length < 1000 else f"{length / 1000:g} km",
            ha="center", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{pmap['metric']} · {_label('rec.per_pixel', lang)}", fontsize=10, **(_font() if lang == "zh" else {}))
    fig.tight_layout()
    return fig


def metrics_table(row: dict, lang: str) -> pd.DataFrame:
    metrics = row["metrics"] or {}
    def shown(k):
        v = metrics.get(k)
        if k == "Y2R" and v is None:
            return t("rec.not_reached", lang)
        return "—" if v is None else f"{v:.3g}"
    return pd.DataFrame({
        t("rec.metric", lang): list(METRICS),
        t("rec.value", lang): [shown(k) for k in METRICS],
        t("rec.meaning", lang): [MEANINGS[k][0 if lang == "zh" else 1] for k in METRICS],
    })


def case_recovery(case_id: str, lang: str) -> None:
    """The Case page's recovery section: the latest assessment of each site and index."""
    st.subheader(t("rec.title", lang))
    table = data.assessments(case_id)
    if table is None or len(table) == 0:
        st.caption(t("rec.none", lang))
        return
    latest = table.sort_values("assessed_at").groupby(["site_id", "indicator"], sort=True).tail(1)
    for row in latest.to_dict("records"):
        ref = row.get("reference_years") or []
        st.markdown(f"**{html.escape(str(row['site_id']))} · {html.escape(_indicator_name(row['indicator'], lang))}**")
        st.caption(t("rec.params", lang, disturbance=row["disturbance_year"], restoration=row["restoration_year"],
                     reference="–".join(str(y) for y in ref) or "—",
                     target="—" if row.get("target") is None else f"{row['target']:.3g}",
                     id=html.escape(str(row["assessment_id"]))))
        cols = st.columns([3, 2])
        with cols[0]:
            st.pyplot(recovery_curve(row, lang), clear_figure=True)
        pmap = row.get("pixel_map")
        with cols[1]:
            if pmap and pmap.get("values"):
                st.pyplot(pixel_map_figure(pmap, lang), clear_figure=True)
        st.dataframe(metrics_table(row, lang), hide_index=True, width="stretch")
        if pmap and pmap.get("values"):
            s = pmap.get("summary") or {}
            if s.get("median") is not None:
                st.caption(t("rec.map_summary", lang, metric=pmap["metric"], n=s.get("pixels", 0),
                             median=f"{s['median']:.3g}", p10=f"{s['p10']:.3g}", p90=f"{s['p90']:.3g}"))
        else:
            st.caption(t("rec.no_map", lang))
