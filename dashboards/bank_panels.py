"""Tables of the bank & siting page: ranked candidates and the split proposal, labelled in the
interface language; reasons are written from the ranking's reason codes (never shown as codes)."""
from __future__ import annotations

import pandas as pd

from restoration.model import EcosystemType, ProjectStatus

from .i18n import money, number, t, text, unit_word, vocab


def reason_text(code: str, row: dict, lang: str, site: dict | None = None) -> str:
    """One ranking reason in words, with the row's values (missing ones as "unknown")."""
    unknown = t("bank.unknown", lang)

    def val(key):
        v = row.get(key)
        return unknown if v is None or (isinstance(v, float) and v != v) or v == "" else v
    fmt = {
        "ecosystem": vocab(EcosystemType, row.get("ecosystem_type"), lang),
        "status": vocab(ProjectStatus, row.get("status"), lang),
        "watershed": val("watershed"), "county": val("county"),
        "distance": number(row.get("distance_km"), 1), "remaining": number(row.get("remaining"), 2),
        "needed": number(row.get("needed_amount"), 2), "unit": unit_word(row.get("capacity_unit"), lang) or "—",
        "allocated": number(row.get("allocated"), 2), "capacity": number(row.get("capacity"), 2),
    }
    key = f"reason.{code}"
    label = t(key, lang, **fmt)
    return label if label != key else t("reason.other", lang)


def candidates_view(rank: pd.DataFrame, lang: str) -> pd.DataFrame:
    records = rank.to_dict("records")
    return pd.DataFrame({
        t("bank.rank", lang): [str(r["rank"]) if r["eligible"] else "—" for r in records],
        t("bank.project", lang): rank["project_id"] + " " + rank["name"].map(text),
        t("bank.ecosystem", lang): rank["ecosystem_type"].map(lambda v: vocab(EcosystemType, v, lang)),
        t("bank.status", lang): rank["status"].map(lambda v: vocab(ProjectStatus, v, lang)),
        t("bank.eligible", lang): rank["eligible"].map(lambda e: t("mon.yes", lang) if e else t("mon.no", lang)),
        t("bank.required", lang): [number(r["required_amount"], 2, unit_word(r["capacity_unit"], lang)) for r in records],
        t("bank.remaining", lang): [number(r["remaining"], 2, unit_word(r["capacity_unit"], lang)) for r in records],
        t("bank.cost", lang): rank["cost_yuan"].map(lambda v: money(v, lang)),
        t("bank.distance", lang): rank["distance_km"].map(lambda v: number(v, 1)),
        t("bank.years_full", lang): rank["years_to_full_service"].map(lambda v: number(v, 0)),
        t("bank.score", lang): rank["score"].map(lambda v: number(v, 3)),
        t("bank.reasons", lang): [("；" if lang == "zh" else "; ").join(
            reason_text(c, r, lang) for c in (r["reason_codes"] or [])) for r in records],
    })


def split_view(split: pd.DataFrame, lang: str) -> pd.DataFrame:
    records = split.to_dict("records")
    return pd.DataFrame({
        t("bank.project", lang): split["project_id"] + " " + split["name"].map(text),
        t("bank.amount_held", lang): [number(r["amount"], 2, unit_word(r["unit"], lang)) for r in records],
        t("bank.share", lang): split["fraction"].map(lambda f: number(f * 100, 0, "%")),
        t("bank.cost", lang): split["cost_yuan"].map(lambda v: money(v, lang)),
        t("bank.distance", lang): split["distance_km"].map(lambda v: number(v, 1)),
        t("bank.score", lang): split["score"].map(lambda v: number(v, 3)),
    })
