"""Monitoring widgets shared by the Case and Monitoring pages: progress against plan, indicator
charts with the planned trajectory and target, effect evaluation."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from restoration import config  # noqa: E402
from restoration.monitoring import planned_level  # noqa: E402

from . import data  # noqa: E402
from .i18n import t  # noqa: E402

STATUS_ICON = {"achieved": "🟢", "on_track": "🟢", "lagging": "🟠", "at_risk": "🔴", "no_data": "⚪",
               "not_started": "⚪"}


def progress_frame(case_id: str | None) -> pd.DataFrame:
    return data.cached("restoration.monitoring.progress_table", case_id, today=config.today())


def progress_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    status = table["status_en" if lang == "en" else "status_zh"]
    return pd.DataFrame({
        t("mon.site", lang): table["site_id"] + " " + table["site_name"].fillna(""),
        t("mon.indicator", lang): table["indicator_zh" if lang == "zh" else "indicator"],
        t("mon.baseline", lang): table["baseline"], t("mon.target", lang): table["target"],
        t("mon.current", lang): table["current"].round(3), t("mon.planned", lang): table["planned"].round(3),
        t("mon.progress", lang): (table["progress"] * 100).round(0),
        t("mon.status", lang): table["status"].map(STATUS_ICON).fillna("") + " " + status,
    })


def indicator_chart(site_id: str, indicator: str, target: dict | None, lang: str):
    """The measured series with the planned trajectory, baseline and target lines."""
    series = data.cached("restoration.monitoring.site_series", site_id, indicator)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    if not series.empty:
        for source, g in series.groupby("source"):
            ax.plot(pd.to_datetime(g["time"]), g["value"], marker="o", ms=3, lw=1, label=str(source))
    if target:
        start = pd.Timestamp(target.get("baseline_date") or series["time"].min() if not series.empty else "2024-01-01")
        end = pd.Timestamp(target.get("target_date") or config.today())
        times = pd.date_range(min(start, pd.Timestamp(series["time"].min()) if not series.empty else start),
                              max(end, pd.Timestamp(config.today())), periods=60)
        planned = [planned_level(target, ts) for ts in times]
        if any(p is not None for p in planned):
            ax.plot(times, [np.nan if p is None else p for p in planned], "--", color="k", lw=1.2, label="plan")
        ax.axhline(target["target"], color="green", lw=0.8, ls=":", label="target")
        ax.axhline(target["baseline"], color="grey", lw=0.8, ls=":", label="baseline")
    ax.axvline(pd.Timestamp(config.today()), color="red", lw=0.6)
    ax.set_title(f"{site_id} · {indicator}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def charts(table: pd.DataFrame, lang: str, limit: int = 6) -> None:
    targets = data.layer("indicator_targets")
    for row in table.head(limit).to_dict("records"):
        match = targets[(targets["site_id"] == row["site_id"]) & (targets["indicator"] == row["indicator"])]
        target = match.iloc[0].to_dict() if len(match) else None
        st.pyplot(indicator_chart(row["site_id"], row["indicator"], target, lang), clear_figure=True)


def case_progress(case_id: str, lang: str) -> None:
    table = progress_frame(case_id)
    if table.empty:
        st.info(t("mon.no_targets", lang))
    else:
        st.dataframe(progress_view(table, lang), hide_index=True, width="stretch")
        charts(table, lang)
    evaluation(case_id, lang)


def evaluation(case_id: str, lang: str) -> None:
    from .ui import shown_errors
    st.subheader(t("mon.evaluation", lang))
    stored = data.cached("restoration.monitoring.evaluations", case_id)
    if len(stored):
        last = stored.iloc[-1]
        icon = {"pass": "✅", "fail": "❌", "incomplete": "❔"}.get(last["verdict"], "")
        st.markdown(f"**{icon} {t('mon.verdict_' + last['verdict'], lang)}** · {last['evaluation_id']} · "
                    f"{t('mon.as_of', lang)} {last['as_of']}")
        rows = pd.DataFrame(last["indicators"] or [])
        if len(rows):
            keep = [c for c in ("site_id", "indicator", "rule", "passed", "value", "threshold", "n", "note")
                    if c in rows.columns]
            st.dataframe(rows[keep], hide_index=True, width="stretch")
    if st.button(t("mon.evaluate_now", lang), key=f"evaluate_{case_id}"):
        with shown_errors():
            from restoration.monitoring import evaluate_case
            evaluate_case(data.store(), case_id, as_of=config.today(), actor=data.actor())
            st.rerun()
