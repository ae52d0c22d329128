"""Why a bank project is not (or only partly) a candidate for a case, in words: each reason
code (:class:`~restoration.model.SitingReason`) as a sentence in Chinese or English with the
figures behind it. The ranking writes these beside its codes; the ledger's refusals quote them."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..model import EcosystemType, ProjectStatus, SitingReason
from . import units

def _vocab(enum, code, lang: str) -> str:
    try:
        return enum(code).label(lang)
    except ValueError:
        return str(code)


def _known(value, lang: str) -> str:
    """A place name, or "unknown" in the language (never ``None``/``nan``)."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return "未知" if lang == "zh" else "unknown"
    return str(value)


def _unit(code, lang: str) -> str:
    zh, en = units.AREA_LABELS.get(code) or units.RESOURCE_UNITS.get(code) or (str(code), str(code))
    return zh if lang == "zh" else en


def reason_text(code: str, row: Mapping[str, Any], site, rules: Mapping[str, Any],
                lang: str = "zh") -> str:
    """One reason (a :class:`~restoration.model.SitingReason` code) for one candidate ``row`` as a
    sentence in ``lang`` (``zh`` or ``en``): the reason's label and the figures behind it.
    ``site`` is the case's damaged site (:class:`~restoration.bank.eligibility.CaseSite`)."""
    zh = lang == "zh"
    label = SitingReason(code).label(lang)
    u = _unit(row["capacity_unit"], lang)
    if code == "ecosystem_mismatch":
        a, b = _vocab(EcosystemType, row["ecosystem_type"], lang), _vocab(EcosystemType, site.ecosystem_type, lang)
        detail = f"{a}不能替代{b}" if zh else f"{a} cannot replace {b}"
    elif code == "status":
        allowed = ("、" if zh else ", ").join(_vocab(ProjectStatus, x, lang) for x in rules["allowed_statuses"])
        now = _vocab(ProjectStatus, row["status"], lang)
        detail = f"当前{now}，须为{allowed}" if zh else f"{now}; needs {allowed}"
    elif code == "full":
        detail = (f"已分配 {row['allocated']:,.2f} / {row['capacity']:,.2f} {u}" if zh else
                  f"{row['allocated']:,.2f} of {row['capacity']:,.2f} {u} allocated")
    elif code in ("other_watershed", "other_county"):
        key, want = ("watershed", site.watershed) if code == "other_watershed" else ("county", site.county)
        have, want = _known(row[key], lang), _known(want, lang)
        detail = f"位于{have}，规则要求{want}" if zh else f"in {have}; the rules require {want}"
    elif code in ("other_watershed_preferred", "other_county_preferred"):
        key, want = ("watershed", site.watershed) if code == "other_watershed_preferred" else ("county", site.county)
        have, want = _known(row[key], lang), _known(want, lang)
        detail = f"位于{have}，受损场地在{want}（优先同一{'流域' if key == 'watershed' else '县区'}）" if zh else \
            f"in {have}, the damaged site in {want} (same {key} preferred)"
    elif code == "too_far":
        detail = f"{row['distance_km']:,.1f} km > {float(rules['max_distance_km']):g} km"
    elif code == "bad_trajectory":
        detail = "项目恢复轨迹无效" if zh else "the project's trajectory is invalid"
    elif code == "no_unit_value":
        detail = (f"以{u}计的容量需要案件等量方案中的单位价值（等价值法）" if zh else
                  f"capacity in {u} needs the case scenario's unit value (equal-value)")
    elif code == "no_credit":
        detail = "恢复轨迹始终不高于初始水平" if zh else "the trajectory never rises above its initial level"
    elif code == "short":
        detail = (f"剩余 {row['remaining']:,.2f} {u}，需要 {row['needed_amount']:,.2f} {u}，只能作为拆分方案的一部分"
                  if zh else f"{row['remaining']:,.2f} {u} left, {row['needed_amount']:,.2f} {u} needed: "
                  "only part of a split")
    else:  # pragma: no cover - every SitingReason is handled above
        detail = ""
    return f"{label}：{detail}" if zh else f"{label}: {detail}"


def reasons(t: pd.DataFrame, site, rules: Mapping[str, Any],
            codes: Mapping[str, np.ndarray]) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """Reason codes and their sentences in Chinese and in English for each row (blocking reasons
    first); sentences are formatted only for the rows a reason applies to."""
    n = len(t)
    records = t.to_dict("records") if n else []
    code_lists: list[list[str]] = [[] for _ in range(n)]
    zh_lists: list[list[str]] = [[] for _ in range(n)]
    en_lists: list[list[str]] = [[] for _ in range(n)]
    for name, mask in codes.items():
        for i in np.flatnonzero(mask).tolist():
            code_lists[i].append(name)
            zh_lists[i].append(reason_text(name, records[i], site, rules, "zh"))
            en_lists[i].append(reason_text(name, records[i], site, rules, "en"))
    return code_lists, zh_lists, en_lists
