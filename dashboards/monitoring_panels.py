"""Monitoring widgets shared by the Case and Monitoring pages: progress against plan, indicator
charts with the planned trajectory and target, effect evaluation.

Status and severity are words on a coloured background (no emoji: they must read on machines
without an emoji font); chart legends, titles and axes are in the interface language with units.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from restoration import config  # noqa: E402
from restoration.monitoring import planned_level  # noqa: E402
from restoration.vocab import INDICATOR_LABELS, label as vocab_label  # noqa: E402

from . import data  # noqa: E402
from .i18n import message, number, t, text, unit_word  # noqa: E402

STATUS_BACKGROUND = {"achieved": "#c8e6c9", "on_track": "#c8e6c9", "lagging": "#ffe0b2", "at_risk": "#ffcdd2",
                     "no_data": "#eeeeee", "not_started": "#eeeeee"}
SEVERITY_BACKGROUND = {"high": "#ffcdd2", "medium": "#ffe0b2", "low": "#fff9c4"}


def indicator_label(code: str, lang: str, zh_label: str | None = None) -> str:
    """An indicator's name from the indicator vocabulary (``restoration.vocab.indicators``)."""
    if code in INDICATOR_LABELS:
        return vocab_label("indicator", code, lang)
    return zh_label if lang == "zh" and zh_label else str(code)


def unit_label(unit: str | None, lang: str) -> str:
    if unit in (None, "", "1"):
        return t("unit.index", lang)
    return str(unit)


def rule_label(rule, lang: str) -> str:
    """An effect-evaluation rule in words (``restoration.monitoring.evaluation.RULES``)."""
    from restoration.monitoring.evaluation import RULES
    if not isinstance(rule, str):
        return "—"
    zh, en = RULES.get(rule, (rule, rule))
    return zh if lang == "zh" else en


def progress_frame(case_id: str | None) -> pd.DataFrame:
    return data.progress(case_id)


def progress_view(table: pd.DataFrame, lang: str):
    """The progress table, labelled, with status as coloured words (a pandas Styler)."""
    status = table["status_en" if lang == "en" else "status_zh"].fillna("—")
    col_status = t("mon.status", lang)
    view = pd.DataFrame({
        t("mon.site", lang): table["site_id"] + " " + table["site_name"].map(text),
        t("mon.indicator", lang): [indicator_label(c, lang, z) for c, z in zip(table["indicator"], table["indicator_zh"])],
        t("mon.unit", lang): table["unit"].map(lambda u: unit_label(u, lang)),
        t("mon.baseline", lang): table["baseline"].map(lambda v: number(v, 3)),
        t("mon.target", lang): table["target"].map(lambda v: number(v, 3)),
        t("mon.current", lang): table["current"].map(lambda v: number(v, 3)),
        t("mon.planned", lang): table["planned"].map(lambda v: number(v, 3)),
        t("mon.progress", lang): table["progress"].map(lambda v: number(v * 100 if v == v else v, 0)),
        col_status: status,
    })
    colours = table["status"].map(STATUS_BACKGROUND).fillna("#eeeeee").tolist()
    return view.style.apply(lambda s: [f"background-color: {c}" for c in colours], subset=[col_status])


def alerts_view(alerts: pd.DataFrame, lang: str):
    col = t("mon.severity", lang)
    view = pd.DataFrame({
        col: alerts["severity"].map(lambda s: t(f"severity.{s}", lang)),
        t("field.case_id", lang): alerts["case_id"].map(text), t("mon.site", lang): alerts["site_id"].map(text),
        t("mon.message", lang): alerts["message"].map(lambda m: message(m, lang)),
    })
    colours = alerts["severity"].map(SEVERITY_BACKGROUND).fillna("#eeeeee").tolist()
    return view.style.apply(lambda s: [f"background-color: {c}" for c in colours], subset=[col])


def _source_label(source: str, lang: str) -> str:
    if source.startswith("raster:"):
        return t("series.raster", lang, name=source.split(":", 1)[1].upper())
    key = f"series.{source}"
    label = t(key, lang)
    return label if label != key else source


def indicator_chart(site_id: str, indicator: str, target: dict | None, lang: str, *, site_name: str = "",
                    indicator_name: str = "", unit: str | None = None):
    """The measured series with the planned trajectory, baseline and target lines."""
    from equivalence.plotting import _lang
    _, font = _lang("zh")  # a CJK font (when installed) in both languages: site names are Chinese
    series = data.site_series(site_id, indicator)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    if not series.empty:
        for source, g in series.groupby("source"):
            ax.plot(pd.to_datetime(g["time"]), g["value"], marker="o", ms=3, lw=1, label=_source_label(str(source), lang))
    if target:
        start = pd.Timestamp(target.get("baseline_date") or series["time"].min() if not series.empty else "2024-01-01")
        end = pd.Timestamp(target.get("target_date") or config.today())
        times = pd.date_range(min(start, pd.Timestamp(series["time"].min()) if not series.empty else start),
                              max(end, pd.Timestamp(config.today())), periods=60)
        planned = [planned_level(target, ts) for ts in times]
        if any(p is not None for p in planned):
            ax.plot(times, [np.nan if p is None else p for p in planned], "--", color="k", lw=1.2,
                    label=t("chart.plan", lang))
        ax.axhline(target["target"], color="green", lw=0.8, ls=":", label=t("chart.target", lang))
        ax.axhline(target["baseline"], color="grey", lw=0.8, ls=":", label=t("chart.baseline", lang))
    ax.axvline(pd.Timestamp(config.today()), color="red", lw=0.6, label=t("chart.today", lang))
    name = indicator_name or indicator_label(indicator, lang)
    # user names go into a matplotlib title: '$' would start mathtext, so it is escaped
    title = f"{site_id} {site_name} · {name}".replace("$", r"\$")
    ax.set_title(title, fontsize=10, **font)
    ax.set_ylabel(f"{name}（{unit_label(unit, lang)}）" if lang == "zh" else f"{name} ({unit_label(unit, lang)})",
                  fontsize=8, **font)
    ax.set_xlabel(t("chart.date", lang), fontsize=8, **font)
    ax.legend(fontsize=7, loc="best", prop={**font, "size": 7} if font else None)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def charts(table: pd.DataFrame, lang: str, limit: int = 6) -> None:
    targets = data.indicator_targets()
    for row in table.head(limit).to_dict("records"):
        match = targets[(targets["site_id"] == row["site_id"]) & (targets["indicator"] == row["indicator"])]
        target = match.iloc[0].to_dict() if len(match) else None
        st.pyplot(indicator_chart(row["site_id"], row["indicator"], target, lang, site_name=text(row.get("site_name")),
                                  indicator_name=indicator_label(row["indicator"], lang, row.get("indicator_zh")),
                                  unit=row.get("unit")), clear_figure=True)


def case_progress(case_id: str, lang: str) -> None:
    """The case's progress against plan, or what sets it up (the import and the targets form)."""
    table = progress_frame(case_id)
    if table.empty:
        from .ui import empty_state
        empty_state("mon.no_targets", "empty.no_targets_how")
    else:
        st.dataframe(progress_view(table, lang), hide_index=True, width="stretch")
        charts(table, lang)


def evaluation(case_id: str, lang: str) -> None:
    from .ui import shown_errors
    st.subheader(t("mon.evaluation", lang))
    stored = data.evaluations(case_id)
    if len(stored):
        last = stored.iloc[-1]
        colour = {"pass": "green", "fail": "red"}.get(last["verdict"], "orange")
        st.markdown(f":{colour}-background[{t('mon.verdict_' + last['verdict'], lang)}] · {last['evaluation_id']} · "
                    f"{t('mon.as_of', lang)} {last['as_of']}")
        rows = pd.DataFrame(last["indicators"] or [])
        if len(rows):
            st.dataframe(pd.DataFrame({
                t("mon.site", lang): rows.get("site_id", pd.Series("—", index=rows.index)).map(text),
                t("mon.indicator", lang): rows.get("indicator", pd.Series("", index=rows.index)).map(
                    lambda c: indicator_label(c, lang) if isinstance(c, str) else "—"),
                t("mon.rule", lang): rows.get("rule", pd.Series("", index=rows.index)).map(
                    lambda r: rule_label(r, lang)),
                t("mon.passed", lang): rows.get("passed", pd.Series(None, index=rows.index)).map(
                    lambda p: t("mon.yes", lang) if p is True else (t("mon.no", lang) if p is False else "—")),
                # the stored rows name the UCL / mean "statistic" and the standard "target"
                t("mon.value", lang): rows.get("value", rows.get("statistic", pd.Series(np.nan, index=rows.index))).map(
                    lambda v: number(v, 3)),
                t("mon.threshold", lang): rows.get("threshold", rows.get("target", pd.Series(np.nan, index=rows.index))).map(
                    lambda v: number(v, 3)),
                t("mon.n", lang): rows.get("n", pd.Series(np.nan, index=rows.index)).map(lambda v: number(v, 0)),
                t("mon.note", lang): rows.get("note", pd.Series("", index=rows.index)).map(text),
            }), hide_index=True, width="stretch")
    else:
        st.caption(t("empty.no_evaluation", lang))
    from .access_panels import gate
    if not gate("monitoring.evaluate", lang, case_id=case_id):
        return
    from .ui import flash, form_key, submitted_once
    form = f"evaluate_{case_id}"
    if st.button(t("mon.evaluate_now", lang), key=form_key(form), icon=":material/fact_check:") and \
            (request := submitted_once(form)):
        with shown_errors():
            from restoration.monitoring import evaluate_case
            saved = evaluate_case(data.store(), case_id, as_of=config.today(), actor=data.actor(),
                                  request_id=request)
            verdict = saved.get("verdict") if isinstance(saved, dict) else getattr(saved, "verdict", None)
            flash(t("mon.evaluated", lang, verdict=t(f"mon.verdict_{verdict}", lang) if verdict else "—")
                  + _bank_release_words(case_id, lang))
            st.rerun()


def _bank_release_words(case_id: str, lang: str) -> str:
    """The evaluation's releases for the bank (the ``target_met`` tranches the case's monitoring
    earned, :func:`restoration.bank.performance.release_for_case` — the command line's door too),
    worded for the flash message; projects the user may not act on are named, not refused."""
    from restoration.bank.performance import release_for_case
    from restoration.vocab import label
    done = release_for_case(data.store(), case_id, as_of=config.today(), actor=data.actor())
    words = [t("mon.bank_released", lang, project=ev.project_id, milestone=label("bank_milestone", code, lang),
               amount=number(ev.amounts[code], 2), unit=unit_word(ev.unit, lang))
             for ev in done.evaluated for code in ev.released]
    words += [t("mon.bank_withheld", lang, project=pid) for pid, _ in done.withheld]
    return "".join(" " + w for w in words)
