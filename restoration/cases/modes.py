"""Restoration modes of a case (修复方式), several at once.

* in-situ / off-site / alternative restoration: linked to the case's sites of the matching role
  (and, for alternative or off-site restoration, optionally a bank project) and to the indicator
  targets of those sites;
* labour in lieu (劳务代偿), technical-upgrade offset (技改抵扣) and instalments (分期赔付): computed
  with :mod:`equivalence.offsets` from the profile's parameters; a parameter the profile leaves
  unset must be stated for the case (it then cites the case, not a rule);
* monetary compensation (货币赔偿): an amount.

Every computed value says which rule or case parameter it used.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from equivalence import offsets

from .. import access
from ..errors import InputError, Issue
from ..importer import prepare
from ..model import RestorationMode, Role
from ..store import Store
from .funds import add_entries
from ..profiles.for_case import profile_for
from ..profiles.profile import Profile
from .. import config

_SITE_ROLES = {
    "in_situ": {Role.DAMAGED, Role.IN_SITU_RESTORATION, Role.MONITORING_PLOT},
    "off_site": {Role.OFF_SITE_RESTORATION, Role.MONITORING_PLOT},
    "alternative": {Role.ALTERNATIVE_RESTORATION, Role.MONITORING_PLOT},
}
_PARAMS = {
    "in_situ": {"cost_yuan", "plan"},
    "off_site": {"cost_yuan", "plan"},
    "alternative": {"cost_yuan", "plan", "scale", "scale_unit"},
    "labour_in_lieu": {"days", "persons", "daily_rate_yuan", "cap_yuan", "cap_share", "compensation_yuan", "work"},
    "technical_upgrade_offset": {"eligible_investment_yuan", "offset_ratio", "max_share", "compensation_yuan",
                                 "conditions", "period_years", "project"},
    "instalments": {"amount_yuan", "count", "first_date", "interval_months", "interval_days", "first_share",
                    "agreed_on"},
    "monetary": {"amount_yuan"},
}


class _Params:
    def __init__(self, mode: str, params: Mapping[str, Any], profile: Profile):
        self.mode, self.p, self.profile = mode, dict(params or {}), profile
        self.src = f"mode {mode}"
        self.used: list[dict] = []
        unknown = sorted(set(self.p) - _PARAMS[mode])
        if unknown:
            raise InputError(Issue(f"unknown parameter(s) {', '.join(unknown)}; allowed for {mode}: "
                                   f"{', '.join(sorted(_PARAMS[mode]))}", source=self.src, field="parameters"))

    def err(self, key: str, msg: str) -> InputError:
        return InputError(Issue(msg, source=self.src, field=f"parameters.{key}"))

    def case(self, key: str, required: bool = True) -> Any:
        if key not in self.p or self.p[key] is None:
            if required:
                raise self.err(key, "is required")
            return None
        return self.p[key]

    def rule(self, path: str, key: str, required: bool = True) -> Any:
        """The profile's value if set (the case may not contradict it), else the case's."""
        rule = self.profile.rule(path)
        if rule.is_set:
            if key in self.p and self.p[key] != rule.value:
                raise self.err(key, f"the profile sets {key} = {rule.value} [{rule.source}]; the case says "
                                    f"{self.p[key]} — leave it out or change the profile")
            self.used.append(rule.cite())
            return rule.value
        if self.p.get(key) is not None:
            self.used.append({"rule": path, "value": self.p[key], "source": "案件参数 case parameters (profile: "
                              f"not set — {rule.source})", "verified": False, "profile": None})
            return self.p[key]
        if required:
            raise self.err(key, f"not set in profile '{self.profile.id}' ({path}: {rule.source}) and not "
                                "given for the case")
        return None


def evaluate(mode: str, parameters: Mapping[str, Any] | None, profile: Profile,
             case: Mapping[str, Any] | None = None) -> dict:
    """What a mode is worth for a case and which rules it used.

    Returns ``{"mode", "value_yuan", "details", "rules", "recognised", "recognised_source"}``;
    ``value_yuan`` is the amount credited (labour, offset), scheduled (instalments), paid
    (monetary) or the stated restoration cost (restoration modes, may be None).
    """
    if mode not in RestorationMode._value2member_map_:
        raise InputError(Issue(f"unknown restoration mode '{mode}'; known: "
                               f"{', '.join(m.value for m in RestorationMode)}", field="mode"))
    case = case or {}
    p = _Params(mode, parameters or {}, profile)
    recognised = profile.list("modes.recognised")
    details: dict[str, Any] = {}
    try:
        if mode in _SITE_ROLES:
            value = p.case("cost_yuan", required=False)
            details = {k: v for k, v in p.p.items()}
        elif mode == "monetary":
            value = float(p.case("amount_yuan"))
        elif mode == "labour_in_lieu":
            rate = p.rule("modes.labour_in_lieu.daily_rate_yuan", "daily_rate_yuan")
            cap = p.rule("modes.labour_in_lieu.cap_yuan", "cap_yuan", required=False)
            share = p.rule("modes.labour_in_lieu.cap_share", "cap_share", required=False)
            comp = p.p.get("compensation_yuan", case.get("damage_amount_yuan")) if share is not None else None
            r = offsets.labour_in_lieu(p.case("days"), p.case("persons"), rate, cap_yuan=cap,
                                       compensation_yuan=comp, cap_share=share)
            value = r.credited_yuan
            details = {"person_days": r.person_days, "daily_rate_yuan": r.daily_rate_fen / 100,
                       "gross_yuan": r.gross_yuan, "credited_yuan": r.credited_yuan, "capped": r.capped,
                       "cap_yuan": None if r.cap_fen is None else r.cap_fen / 100, "work": p.p.get("work")}
        elif mode == "technical_upgrade_offset":
            ratio = p.rule("modes.technical_upgrade_offset.offset_ratio", "offset_ratio")
            share = p.rule("modes.technical_upgrade_offset.max_share", "max_share")
            period = p.rule("modes.technical_upgrade_offset.period_years", "period_years", required=False)
            stated_period = p.p.get("period_years")
            if period is not None and stated_period is not None and stated_period > period:
                raise p.err("period_years", f"{stated_period} years exceeds the profile's {period}")
            conditions = _conditions(p, profile)
            comp = p.p.get("compensation_yuan", case.get("damage_amount_yuan"))
            if comp is None:
                raise p.err("compensation_yuan", "is required (the case has no damage amount)")
            # a condition nobody could confirm yet (null) keeps the offset pending with its
            # provisional amount; only a condition known to fail makes it zero
            unconfirmed = [k for k, v in conditions.items() if v is None]
            r = offsets.technical_upgrade_offset(p.case("eligible_investment_yuan"), ratio, comp, share,
                                                 conditions={k: (True if v is None else v)
                                                             for k, v in conditions.items()})
            value = r.offset_yuan
            listed = profile.list("modes.technical_upgrade_offset.conditions")
            details = {"offset_yuan": r.offset_yuan, "remaining_yuan": r.remaining_yuan, "applied": r.applied,
                       "capped": r.capped, "unmet_conditions": list(r.unmet_conditions),
                       "unconfirmed_conditions": unconfirmed,
                       "provisional": bool(unconfirmed) and r.applied,
                       "conditions_rule_verified": listed.verified if listed.is_set else None,
                       "raw_offset_yuan": r.raw_offset_fen / 100, "cap_yuan": r.cap_fen / 100,
                       "project": p.p.get("project")}
        elif mode == "instalments":
            value, details = _instalments(p)
        else:  # pragma: no cover
            raise AssertionError(mode)
    except ValueError as exc:  # from equivalence.offsets: name the parameter it names
        raise InputError(Issue(str(exc), source=p.src, field="parameters")) from None
    return {"mode": mode, "value_yuan": None if value is None else float(value), "details": details,
            "rules": p.used, "recognised": mode in recognised,
            "recognised_source": recognised.cite(mode) if mode in recognised else recognised.cite()}


def refuse_unrecognised(mode: str, profile: Profile, case_id: str | None = None) -> None:
    """Refuse a mode the case's profile does not recognise (``modes.recognised``), naming the
    modes it does recognise and the rule; a profile without the list cannot check and lets it be."""
    recognised = profile.list("modes.recognised")
    if not recognised.is_set or mode in recognised:
        return
    listed = "、".join(f"{i.zh} {i.id}" for i in recognised.items)
    raise InputError(Issue(
        f"规则配置“{profile.key}”不认可修复方式 {RestorationMode(mode).zh}（{mode}）；认可的修复方式：{listed} — "
        f"profile '{profile.key}' does not recognise the restoration mode '{mode}'; recognised: "
        f"{', '.join(recognised.ids)} [{recognised.source}]",
        source=f"case {case_id}" if case_id else f"mode {mode}", field="mode"))


def _conditions(p: _Params, profile: Profile) -> dict[str, bool]:
    stated = p.case("conditions")
    if not isinstance(stated, dict) or not stated:
        raise p.err("conditions", "state the conditions as {\"id\": true|false|null, ...} (null = not yet confirmed)")
    bad = [k for k, v in stated.items() if v not in (True, False, None)]
    if bad:
        raise p.err("conditions", f"{', '.join(bad)}: each condition is true, false or null (not yet confirmed)")
    listed = profile.list("modes.technical_upgrade_offset.conditions")
    if listed.is_set:
        missing = [i.id for i in listed.items if i.id not in stated]
        unknown = [k for k in stated if k not in listed]
        if missing or unknown:
            raise p.err("conditions", "; ".join(filter(None, [
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(unknown)}" if unknown else ""])) +
                f" — the profile's conditions are {', '.join(listed.ids)} [{listed.source}]")
        p.used.append(listed.cite())
    return stated


def _instalments(p: _Params) -> tuple[float, dict]:
    count = p.case("count")
    max_count = p.profile.rule("modes.instalments.max_count")
    if max_count.is_set and isinstance(count, int) and count > max_count.value:
        raise p.err("count", f"{count} instalments exceed the limit of {max_count.value} [{max_count.source}]")
    first_share = p.p.get("first_share")
    min_first = p.profile.rule("modes.instalments.min_first_share")
    if min_first.is_set:
        p.used.append(min_first.cite())
        if first_share is None or first_share < min_first.value:
            raise p.err("first_share", f"the first instalment must be at least {min_first.value:.0%} "
                                       f"[{min_first.source}]")
    sched = offsets.instalment_schedule(p.case("amount_yuan"), count, p.case("first_date"),
                                        interval_months=p.p.get("interval_months"),
                                        interval_days=p.p.get("interval_days"), first_share=first_share)
    table = sched.table
    max_months = p.profile.rule("modes.instalments.max_period_months")
    if max_months.is_set:
        p.used.append(max_months.cite())
        first, last = table["due_date"].iloc[0], table["due_date"].iloc[-1]
        months = (last.year - first.year) * 12 + last.month - first.month
        if months > max_months.value:
            raise p.err("count", f"the schedule spans {months} months, more than {max_months.value} "
                                 f"[{max_months.source}]")
    rows = [{"instalment_no": int(r.number), "due_date": r.due_date.isoformat(), "amount_yuan": r.amount_yuan}
            for r in table.itertuples()]
    return sched.total_yuan, {"schedule": rows}


def linked_sites(store_or_tx, case_id: str, mode: str, site_ids: Sequence[str],
                 bank_project_id: str | None = None) -> list[dict]:
    """The sites a restoration mode is linked to, with their indicator targets; refuses a site of
    another case or of the wrong role."""
    src = f"mode {mode}"
    if mode not in _SITE_ROLES:
        if site_ids or bank_project_id:
            raise InputError(Issue(f"{mode} is not linked to sites or bank projects", source=src, field="site_ids"))
        return []
    if bank_project_id:
        if mode == "in_situ":
            raise InputError(Issue("in-situ restoration happens on the damaged site, not in a bank project",
                                   source=src, field="bank_project_id"))
        store_or_tx.get("bank_projects", bank_project_id)
    out = []
    issues = []
    for sid in site_ids:
        sites = store_or_tx.read("sites", site_id=sid)
        if sites.empty:
            issues.append(Issue(f"site '{sid}' does not exist", source=src, field="site_ids"))
            continue
        site = sites.iloc[0]
        if site["case_id"] not in (None, case_id):
            issues.append(Issue(f"site '{sid}' belongs to case {site['case_id']}", source=src, field="site_ids"))
        allowed = _SITE_ROLES[mode]
        if Role(site["role"]) not in allowed:
            issues.append(Issue(f"site '{sid}' is a {Role(site['role']).en} ({Role(site['role']).zh}); "
                                f"{mode} links to {', '.join(sorted(r.en for r in allowed))}", source=src,
                                field="site_ids"))
            continue
        targets = store_or_tx.read("indicator_targets", site_id=sid)
        out.append({"site_id": sid, "name": site["name"], "role": site["role"],
                    "area_ha": float(site["area_ha"]) if site["area_ha"] == site["area_ha"] else None,
                    "targets": targets.drop(columns=["fid"], errors="ignore").to_dict("records")})
    if issues:
        raise InputError(issues)
    return out


def add_mode(store: Store, case_id: str, mode: str, *, actor: str, parameters: Mapping[str, Any] | None = None,
             site_ids: Sequence[str] = (), bank_project_id: str | None = None, status: str = "planned",
             note: str | None = None, expected_version: int | None = None, profile: Profile | None = None,
             today: date | None = None) -> dict:
    """Record a restoration mode for a case (checked and computed), add it to the case's
    ``restoration_modes`` and, for instalments, put the schedule into the funds ledger — one
    transaction, the case version goes up, everything audited."""
    today = today or config.today()
    actor = access.require(actor, "case.modes", store, case_id=case_id).name
    with store.transaction(actor) as tx:
        case = tx.get("cases", case_id)
        if expected_version is not None and int(case["version"]) != int(expected_version):
            tx.update("cases", case_id, {}, expected_version=expected_version)  # raises ConflictError
        prof = profile or profile_for(case)
        result = evaluate(mode, parameters, prof, case)
        refuse_unrecognised(mode, prof, case_id)
        linked_sites(tx, case_id, mode, list(site_ids), bank_project_id)
        frame = pd.DataFrame([{"case_id": case_id, "mode": mode, "site_ids": list(site_ids),
                               "bank_project_id": bank_project_id, "parameters": dict(parameters or {}),
                               "value_yuan": result["value_yuan"], "status": status, "note": note}])
        frame.attrs.update(source=f"case_modes {case_id}", row_start=1, row_label="mode")
        clean, _ = prepare(tx, "case_modes", frame)
        tx.insert("case_modes", clean, action=f"mode {mode} {case_id}")
        if mode == "instalments":
            agreed = (parameters or {}).get("agreed_on") or today.isoformat()
            add_entries(tx, case_id, [{"entry_type": "instalment_due", "amount_yuan": r["amount_yuan"],
                                       "entry_date": agreed, "due_date": r["due_date"],
                                       "instalment_no": r["instalment_no"], "note": "分期赔付 instalment"}
                                      for r in result["details"]["schedule"]],
                        expected_version=None, today=today, touch_case=False)
        modes = list(case.get("restoration_modes") or [])
        if mode not in modes:
            modes.append(mode)
        tx.update("cases", case_id, {"restoration_modes": modes}, expected_version=expected_version)
    return result


def case_modes(store: Store, case_id: str, profile: Profile | None = None) -> list[dict]:
    """The case's modes, each recomputed against its profile, with linked sites and targets."""
    case = store.get("cases", case_id)
    prof = profile or profile_for(case)
    rows = store.read("case_modes", case_id=case_id)
    out = []
    for r in rows.to_dict("records"):
        result = evaluate(r["mode"], r["parameters"] or {}, prof, case)
        result.update({"mode_zh": RestorationMode(r["mode"]).zh, "status": r["status"], "note": r["note"],
                       "bank_project_id": r["bank_project_id"],
                       "sites": linked_sites(store, case_id, r["mode"], r["site_ids"] or [], r["bank_project_id"])})
        out.append(result)
    return out
