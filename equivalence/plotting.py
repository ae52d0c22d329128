"""Figures of an equivalence run (matplotlib, object API only: safe under the Agg backend).

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``pyplot``, so nothing
opens a window and no global figure state leaks between calls. Labels are English, with Chinese
added when a CJK font is installed (``lang="auto"``); ``lang="en"`` or ``lang="zh"`` gives one
language only (the dashboards pass their interface language).
"""
from __future__ import annotations

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .result import EquivalenceResult

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")


def _cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def _label(en: str, zh: str, lang: str) -> str:
    """``both``: Chinese then English; ``zh`` or ``en``: one language."""
    return {"both": f"{zh} {en}", "zh": zh}.get(lang, en)


def _lang(lang: str) -> tuple[str, dict]:
    """(label mode, font): ``auto`` labels in both languages when a CJK font is installed."""
    if lang == "auto":
        lang = "both" if _cjk_font() else "en"
    font = _cjk_font() if lang in ("zh", "both") else None
    if lang == "zh" and font is None:
        lang = "en"  # no CJK font: Chinese would draw as empty boxes
    return lang, ({"family": font} if font else {})


#: outputs and uncertain inputs as the Chinese labels name them (English: the code's own name)
_NAMES_ZH = {"required_scale": "所需修复规模", "debit": "损害量", "credit_per_unit": "单位修复收益",
             "debit_value": "损害价值", "required_area_ha": "所需修复面积", "discount_rate": "贴现率",
             "injury.area": "受损面积", "replacement.relative_value": "相对价值"}


_COL_ZH = {"loss": "损失", "gain": "增益"}
_VARIANTS_EN = {"service": "Service-to-service", "resource": "Resource-to-resource", "value_to_cost": "Value-to-cost"}


def _name(code: str, lang: str) -> str:
    return _NAMES_ZH.get(code, code) if lang == "zh" else code


_AREA_ZH = {"ha": "公顷", "mu": "亩", "m2": "平方米", "km2": "平方公里"}


def _debit_unit_en(result: EquivalenceResult) -> str:
    """The debit's unit in a few words (the first words of ``result.units``)."""
    if result.debit_value is not None:
        return "yuan"
    if result.variant == "resource":
        return result.resource_unit or "units"
    return result.units.get("debit", "").split(" (")[0]


def _unit(result: EquivalenceResult, output: str, lang: str) -> str:
    """The unit of ``output``; in Chinese for area scales and service hectare-years."""
    unit = result.units.get(output, "")
    if lang != "zh":
        return unit
    if output in ("required_scale", "required_area_ha"):
        return _AREA_ZH.get(result.scale_unit if output == "required_scale" else "ha", unit)
    if output == "debit" and unit.startswith("ha·yr"):
        return "公顷·年"
    return unit


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
    sides = [("debit", result.debit_yearly, "loss", _label("Injury (debit)", "损害（借方）", lang)),
             ("credit", result.credit_yearly, "gain", _label("Replacement (credit)", "替代修复收益（贷方）", lang))]
    unit_name = result.resource_unit or _label("units", "单位", lang)
    for ax, (side, df, col, title) in zip(axes, sides):
        df, first = _first_group(df)
        if first is not None:
            title = f"{title} — {first}"
        if df is None:
            ax.text(0.5, 0.5, _label("value-to-cost: no credit series\n(required scale = debit value / unit cost)",
                                     "价值-成本法：无修复收益序列\n（所需修复规模 = 损害价值 / 单位成本）", lang),
                    ha="center", va="center", transform=ax.transAxes, **font)
            ax.set_axis_off()
            continue
        years, level = _steps(df, "level")
        _, w = _steps(df, "weight")
        _, amount = _steps(df, col)
        if resource:
            ax.plot(years, level, color="C0", marker="o", ms=3,
                    label=_label(f"{unit_name} per year", f"每年{unit_name}", lang))
            ax.fill_between(years, 0, level, color="C0", alpha=0.15,
                            label=_label(f"{col} (undiscounted)", _COL_ZH.get(col, col), lang))
        else:
            _, base = _steps(df, "baseline")
            ax.plot(years, base, color="0.3", ls="--", lw=1, label=_label("baseline", "基线", lang))
            ax.plot(years, level, color="C0", marker="o", ms=3, label=_label("level", "服务水平", lang))
            if side == "debit":
                ax.fill_between(years, level, base, where=base >= level, color="C3", alpha=0.15,
                                label=_label("loss (undiscounted)", "损失（未贴现）", lang))
            else:
                _, y0 = _steps(df, "initial_level")
                ax.fill_between(years, y0, level, where=level >= y0, color="C2", alpha=0.15,
                                label=_label("gain (undiscounted)", "增益（未贴现）", lang))
        disc = amount * w
        ax.bar(years, disc, width=0.8 if result.timing != "quarterly" else 0.2, color="C3" if side == "debit" else "C2", alpha=0.55,
               label=_label(f"discounted {col} × w(t)", f"贴现{_COL_ZH.get(col, '量')} × w(t)", lang))
        if bool(df["perpetuity_tail"].any()):
            t1 = int(df["year"].iloc[-1])
            ax.annotate(_label(f"+ tail {t1}…∞", f"+ 永续 {t1}…∞", lang), xy=(years[-1], disc[-1]), xytext=(10, 10),
                        textcoords="offset points", arrowprops={"arrowstyle": "->"}, **font)
        ax.axvline(result.base_year, color="k", lw=0.8, ls=":")
        ax.set_title(title, **font)
        if result.timing != "quarterly":  # whole years on the axis
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_label("year", "年份", lang), **font)
        ax.set_ylabel(_label(f"{unit_name} / yr", f"{unit_name}/年", lang) if resource
                      else _label("level (baseline unit)", "服务水平（相对基线）", lang), **font)
        # beside the axes: never over the bars
        ax.legend(fontsize="small", prop=font or None, loc="center left", bbox_to_anchor=(1.01, 0.5))
    total = result.debit_value if result.debit_value is not None else result.debit
    if lang in ("zh", "both"):  # a Chinese page gets a Chinese title (the unit in Chinese where it is an area)
        unit = {**_AREA_ZH, "project_unit": "项目单位"}.get(result.scale_unit, result.scale_unit)
        if result.debit_value is not None:  # a value in yuan: 万元, as Chinese reports write it
            debit = f"损害价值 {total / 1e4:,.2f} 万元"
        else:
            debit = f"损害量 {total:,.4g} {(result.resource_unit or '单位') if resource else _unit(result, 'debit', 'zh')}"
        fig.suptitle(f"所需修复规模 {result.required_scale:,.4g} {unit}（{debit.strip()}）", **font)
    else:
        variant = _VARIANTS_EN.get(result.variant, result.variant)
        debit = f"{total:,.0f}" if result.debit_value is not None else f"{total:,.4g}"
        scale_unit = {"project_unit": "project units"}.get(result.scale_unit, result.scale_unit)
        fig.suptitle(f"{variant}: required scale {result.required_scale:,.4g} {scale_unit} "
                     f"(debit {debit} {_debit_unit_en(result)})")
    return fig


def plot_tornado(result: EquivalenceResult, output: str = "required_scale", *, lang: str = "auto",
                 figsize=(8, 4.5)) -> Figure:
    """Tornado chart: ``output`` with each uncertain input at its P5 and P95 (others at point values)."""
    lang, font = _lang(lang)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    sens = result.sensitivity
    if sens is None or sens.empty or output not in set(sens["output"]):
        ax.text(0.5, 0.5, _label("no uncertain inputs / Monte Carlo not run", "无不确定输入 / 未运行蒙特卡洛模拟", lang),
                ha="center", va="center", transform=ax.transAxes, **font)
        ax.set_axis_off()
        return fig
    df = sens[sens["output"] == output].sort_values("swing")
    base = float(df["base"].iloc[0])
    y = np.arange(len(df))
    lo = df["at_low"].to_numpy() - base
    hi = df["at_high"].to_numpy() - base
    ax.barh(y, lo, left=base, color="C0", label=_label("input at P5", "输入取 P5", lang))
    ax.barh(y, hi, left=base, color="C1", label=_label("input at P95", "输入取 P95", lang))
    ax.axvline(base, color="k", lw=1)
    ax.set_yticks(y, [_name(i, lang) for i in df["input"]], **font)
    ax.set_xlabel(f"{_name(output, lang)} ({_unit(result, output, lang)})", **font)
    ax.set_title(_label(f"One-at-a-time sensitivity of {output}", f"{_name(output, 'zh')}敏感性", lang), **font)
    ax.legend(fontsize="small", prop=font or None)
    return fig


def plot_mc_histogram(result: EquivalenceResult, output: str = "required_scale", *, bins: int = 60,
                      lang: str = "auto", figsize=(8, 4.5)) -> Figure:
    """Histogram of the Monte Carlo draws of ``output`` with P5, P50, P95 and the deterministic value."""
    lang, font = _lang(lang)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    mc = result.monte_carlo
    if mc is None or output not in mc.samples:
        ax.text(0.5, 0.5, _label("Monte Carlo not run", "未运行蒙特卡洛模拟", lang), ha="center", va="center",
                transform=ax.transAxes, **font)
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
        ax.axvline(det, color="C3", lw=1.5, label=_label(f"deterministic {det:,.4g}", f"确定值 {det:,.4g}", lang))
    ax.set_xlabel(f"{_name(output, lang)} ({_unit(result, output, lang)})", **font)
    ax.set_ylabel(_label("draws", "抽样次数", lang), **font)
    ax.set_title(_label(f"Monte Carlo, {mc.draws} draws (seed {mc.seed})",
                        f"蒙特卡洛模拟（{mc.draws} 次，种子 {mc.seed}）", lang), **font)
    ax.legend(fontsize="small", prop=font or None)
    return fig
