"""Public disclosure (信息公开): which cases and fields the public may see.

Only cases marked ``disclosed`` are shown. Staff notes are never shown. A liable party that is
a natural person is replaced by a placeholder (personal information is not disclosed); an
organisation's name is kept, as in published case notices. Masking happens here, before data
reaches any page, so no page can leak a field by accident.
"""
from __future__ import annotations

import re

import pandas as pd

from .store import Store

#: fields a public visitor may see, in display order
PUBLIC_CASE_FIELDS = ("case_id", "title", "region", "case_class", "stage", "liable_party",
                      "damage_amount_yuan", "incident_date", "restoration_modes")
#: added to the public case table: the latest restoration effect evaluation (pass / fail / ...)
PUBLIC_RESULT_FIELDS = ("effect_verdict",)
PUBLIC_SITE_FIELDS = ("site_id", "case_id", "role", "ecosystem_type", "name", "area_ha", "county", "geometry")
PERSON_PLACEHOLDER = "自然人（依法隐去） / natural person (withheld)"
_ORGANISATION = re.compile(r"(公司|企业|集团|厂|场|局|院|中心|合作社|店|站|所|社|协会|委员会|政府|医院|学校|"
                           r"Co\.|Ltd|Inc|Company|Corporation|Factory)", re.IGNORECASE)
_PHONE = re.compile(r"1\d{10}")


def is_natural_person(name: str | None) -> bool:
    return bool(name) and not _ORGANISATION.search(name)


def redact_text(text: str | None) -> str | None:
    """Mask mobile phone numbers in free text (titles are written by staff)."""
    return None if text is None else _PHONE.sub("1**********", text)


def public_cases(store: Store) -> pd.DataFrame:
    """Disclosed cases with only public fields, personal data masked."""
    cases = store.read("cases", "disclosed = 1")
    out = cases[list(PUBLIC_CASE_FIELDS)].copy()
    out["liable_party"] = out["liable_party"].map(
        lambda n: PERSON_PLACEHOLDER if is_natural_person(n) else n)
    out["title"] = out["title"].map(redact_text)
    # restoration results: the latest effect-evaluation verdict of each case, if any
    evals = store.read("effect_evaluations")
    latest = evals.sort_values("evaluated_at").groupby("case_id")["verdict"].last() if len(evals) else {}
    out["effect_verdict"] = out["case_id"].map(lambda c: latest.get(c) if len(evals) else None)
    return out.reset_index(drop=True)


def public_sites(store: Store) -> pd.DataFrame:
    """Sites of disclosed cases (public fields only)."""
    ids = set(store.query("SELECT case_id FROM cases WHERE disclosed = 1")["case_id"])
    sites = store.read("sites")
    return sites[sites["case_id"].isin(ids)][list(PUBLIC_SITE_FIELDS)].reset_index(drop=True)


def public_case_items(store: Store) -> pd.DataFrame:
    """Published agreements, restoration results and fund use of disclosed cases (issue 14):
    numbers, dates and labels only — see ``restoration.cases.publication``."""
    from .cases.publication import public_items
    return public_items(store)
