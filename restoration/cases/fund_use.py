"""Fund use at the damaged place (浙 第九条): each disbursement of a case, where it was used and
whether that is the damaged place's restoration."""
from __future__ import annotations

import pandas as pd

from ..profiles.for_case import profile_for
from ..profiles.profile import Profile
from ..store import Store


# -- fund use at the damaged place (浙 第九条) -------------------------------------------------------
def fund_use(store: Store, case_id: str, profile: Profile | None = None) -> pd.DataFrame:
    """Each disbursement with where it was used and whether that is the damaged place's
    restoration: ``at_damaged_place`` True / False / None (not stated) and ``flag`` with why."""
    case = store.get("cases", case_id)
    prof = profile or profile_for(case)
    rule = prof.rule("funds.use_at_damaged_place")
    led = store.read("funds_ledger", case_id=case_id)
    led = led[led["entry_type"] == "disbursed"]
    sites = store.read("sites", case_id=case_id)
    roles = dict(zip(sites["site_id"], sites["role"])) if len(sites) else {}
    counties = dict(zip(sites["site_id"], sites["county"])) if len(sites) and "county" in sites else {}
    cols = ["entry_date", "amount_yuan", "purpose", "site_id", "use_kind", "at_damaged_place", "flag",
            "flag_zh", "rule_source"]
    out = []
    for r in led.to_dict("records"):
        site = r.get("site_id") if isinstance(r.get("site_id"), str) and r.get("site_id") else None
        kind = r.get("use_kind") if isinstance(r.get("use_kind"), str) else None
        if kind == "related_work":
            at, flag, zh = True, None, None
        elif kind == "other":
            at, flag, zh = False, "other_use", "用于修复以外的其他用途"
        elif site is None:
            at, flag, zh = None, "place_not_stated", "未记录使用场地"
        elif site not in roles:
            at, flag, zh = False, "site_of_another_case", "用于本案以外的场地"
        elif roles[site] in ("damaged", "in_situ_restoration", "monitoring_plot"):
            at, flag, zh = True, None, None
        elif roles[site] == "alternative_restoration" and counties.get(site) \
                and counties.get(site) == case.get("region"):
            at, flag, zh = True, None, None
        else:
            at, flag, zh = False, "outside_damaged_place", "用于损害地以外的替代修复"
        out.append({"entry_date": str(r["entry_date"])[:10], "amount_yuan": float(r["amount_yuan"]),
                    "purpose": r.get("purpose"), "site_id": site, "use_kind": kind, "at_damaged_place": at,
                    "flag": flag, "flag_zh": zh, "rule_source": rule.source if rule.is_set else None})
    return pd.DataFrame(out, columns=cols)
