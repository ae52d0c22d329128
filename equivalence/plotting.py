"""Figures of an equivalence run (matplotlib, object API only: safe under the Agg backend).

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``pyplot``, so nothing
opens a window and no global figure state leaks between calls. Labels are English, with Chinese
added when a CJK font is installed (``lang="auto"``); force with ``lang="en"`` or ``lang="zh"``.
"""
from __future__ import annotations

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from .result import EquivalenceResult

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")


def _cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def _label(en: str, zh: str, lang: str) -> str:
    return f"{zh} {en}" if lang == "zh" else en


def _lang(lang: str) -> tuple[str, dict]:
    if lang == "auto":
        lang = "zh" if _cjk_font() else "en"
    font = _cjk_font() if lang == "zh" else None
    return lang, ({"family": font} if font else {})


def _steps(df, col):
    """Yearly rows without the perpetuity tail row (quarterly rows: x is the read time)."""
    body = df[~df["perpetuity_tail"]] if "perpetuity_tail" in df else df
    x = body["read_at"] if "read_at" in body and body["year"].duplicated().any() else body["year"]
    return x.to_numpy(), body[col].to_numpy()


def _first_group(df):
    """Several injury categories / parcels: the curves show the first one (named in the title)."""
    if df is None:
        return df, None
    for col in ("category", "parcel"):
        if col in df.columns and df[col].nunique() > 1:
            first = df[col].iloc[0]
            return df[df[col] == first], str(first)
    return df, None


def plot_service_curves(result: EquivalenceResult, *, lang: str = "auto", figsize=(9, 6.5)) -> Figure:
    """Injury and replacement level curves with the discounted loss / gain shaded.

    Top: injured baseline and level (light fill: undiscounted loss); bars: discounted loss per
    year, ``loss × w(t)`` (dimensionless; × area gives each year's debit contribution). Bottom:
    replacement level and the discounted gain ``gain × w(t)`` per year. For equal-resource the
    curves are units per year. A perpetuity tail is marked by an arrow, not drawn.
    """
    lang, font = _lang(lang)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(2, 1, sharex=False)
    resource = result.variant == "resource"
    sides = [("debit", result.debit_yearly, "loss", _label("Injury (debit)", "损害", lang)),
             ("credit", result.credit_yearly, "gain", _label("Replacement (credit)", "补偿", lang))]
    unit_name = result.resource_unit or "units"
    for ax, (side, df, col, title) in zip(axes, sides):
        df, first = _first_group(df)
        if first is not None:
            title = f"{title} — {first}"
        if df is None:
            ax.text(0.5, 0.5, "value-to-cost: no credit series\n(required scale = debit value / unit cost)",
                    ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        years, level = _steps(df, "level")
        _, w = _steps(df, "weight")
        _, amount = _steps(df, col)
        if resource:
            ax.plot(years, level, color="C0", marker="o", ms=3, label=f"{unit_name} per year")
            ax.fill_between(years, 0, level, color="C0", alpha=0.15, label=f"{col} (undiscounted)")
        else:
            _, base = _steps(df, "baseline")
            ax.plot(years, base, color="0.3", ls="--", lw=1, label=_label("baseline", "基线", lang))
            ax.plot(years, level, color="C0", marker="o", ms=3, label=_label("level", "水平", lang))
            if side == "debit":
                ax.fill_between(years, level, base, where=base >= level, color="C3", alpha=0.15,
                                label=_label("loss (undiscounted)", "损失", lang))
            else:
                _, y0 = _steps(df, "initial_level")
                ax.fill_between(years, y0, level, where=level >= y0, color="C2", alpha=0.15,
                                label=_label("gain (undiscounted)", "增益", lang))
        disc = amount * w
        ax.bar(years, disc, width=0.8 if result.timing != "quarterly" else 0.2, color="C3" if side == "debit" else "C2", alpha=0.55,
               label=_label(f"discounted {col} × w(t)", "贴现量", lang))
        if bool(df["perpetuity_tail"].any()):
            t1 = int(df["year"].iloc[-1])
            ax.annotate(f"+ tail {t1}…∞", xy=(years[-1], disc[-1]), xytext=(10, 10), textcoords="offset points",
                        arrowprops={"arrowstyle": "->"})
        ax.axvline(result.base_year, color="k", lw=0.8, ls=":")
        ax.set_title(title, **font)
        ax.set_xlabel(_label("year", "年份", lang), **font)
        ax.set_ylabel(f"{unit_name} / yr" if resource else _label("level (baseline unit)", "水平", lang), **font)
        ax.legend(fontsize="small", prop=font or None)
    total = result.debit_value if result.debit_value is not None else result.debit
    if lang == "zh":  # a Chinese page gets a Chinese title (the unit in Chinese where it is an area)
        unit = {"ha": "公顷", "mu": "亩", "m2": "平方米", "km2": "平方公里"}.get(result.scale_unit, result.scale_unit)
        fig.suptitle(f"所需修复规模 {result.required_scale:,.4g} {unit}（损害量 {total:,.4g}）", **font)
    else:
        fig.suptitle(f"{result.variant}: required scale {result.required_scale:,.4g} {result.scale_unit} "
                     f"(debit {total:,.4g})")
    return fig


def plot_tornado(result: EquivalenceResult, output: str = "required_scale", *, lang: str = "auto",
                 figsize=(8, 4.5)) -> Figure:
    """Tornado chart: ``output`` with each uncertain input at its P5 and P95 (others at point values)."""
    lang, font = _lang(lang)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    sens = result.sensitivity
    if sens is None or sens.empty or output not in set(sens["output"]):
        ax.text(0.5, 0.5, "no uncertain inputs / Monte Carlo not run", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    df = sens[sens["output"] == output].sort_values("swing")
    base = float(df["base"].iloc[0])
    y = np.arange(len(df))
    lo = df["at_low"].to_numpy() - base
    hi = df["at_high"].to_numpy() - base
    ax.barh(y, lo, left=base, color="C0", label="input at P5")
    ax.barh(y, hi, left=base, color="C1", label="input at P95")
    ax.axvline(base, color="k", lw=1)
    ax.set_yticks(y, df["input"].tolist())
    unit = result.units.get(output, "")
    ax.set_xlabel(f"{output} ({unit})")
    ax.set_title(_label(f"One-at-a-time sensitivity of {output}", "敏感性", lang), **font)
    ax.legend(fontsize="small")
    return fig


def plot_mc_histogram(result: EquivalenceResult, output: str = "required_scale", *, bins: int = 60,
                      lang: str = "auto", figsize=(8, 4.5)) -> Figure:
    """Histogram of the Monte Carlo draws of ``output`` with P5, P50, P95 and the deterministic value."""
    lang, font = _lang(lang)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    mc = result.monte_carlo
    if mc is None or output not in mc.samples:
        ax.text(0.5, 0.5, "Monte Carlo not run", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    x = mc.samples[output]
    ax.hist(x, bins=bins, color="C0", alpha=0.7)
    pct = mc.percentiles[output]
    for key, ls in (("p5", ":"), ("p50", "-"), ("p95", ":")):
        if key in pct:
            ax.axvline(pct[key], color="k", ls=ls, lw=1, label=f"{key.upper()} {pct[key]:,.4g}")
    det = result.headline()[output]
    if det is not None:
        ax.axvline(det, color="C3", lw=1.5, label=f"deterministic {det:,.4g}")
    ax.set_xlabel(f"{output} ({result.units.get(output, '')})")
    ax.set_ylabel("draws")
    ax.set_title(_label(f"Monte Carlo, {mc.draws} draws (seed {mc.seed})", "蒙特卡洛", lang), **font)
    ax.legend(fontsize="small")
    return fig
