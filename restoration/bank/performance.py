"""A bank project's performance judged by the platform's own effect evaluation: the ``target_met@N``
tranches of its release schedule are released by :func:`evaluate_project`, never typed.

The project's monitoring is the indicator targets of the sites that lie in its boundary (any role
but damaged or reference: monitoring plots, restoration sites); they are evaluated with the same
rules as a case's effect evaluation (:func:`restoration.monitoring.evaluation.evaluate_sites`:
HJ 25.5-2018 sample rule for concentrations, mean of the last observations otherwise). When the
verdict is *pass* and at least N years have passed since the project's start year (or its
registration year), each pending ``target_met@N`` tranche is released with the evaluation as
its evidence. :func:`release_for_case` does this for every bank project holding a case's evaluated
sites: a case's effect evaluation (``restoration monitor evaluate``) releases the tranches its
monitoring earned for the bank, with no milestone typed.

Imported on use (it loads the monitoring stack), not by ``restoration.bank``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import shapely

from .. import access, config
from ..monitoring.evaluation import evaluate_sites
from ..store import Store
from . import _common, schedule

NOT_MONITORING = ("damaged", "reference")


@dataclass
class ProjectEvaluation:
    """The evaluation of a project's monitoring: ``verdict`` (pass / fail / incomplete), ``years``
    since its start, the indicator table, the milestones it released and the capacity each
    released [``unit``]."""

    project_id: str
    as_of: str
    verdict: str
    years: int
    indicators: pd.DataFrame
    released: list[str] = field(default_factory=list)
    amounts: dict[str, float] = field(default_factory=dict)
    unit: str | None = None


def monitoring_sites(store: Store, project: dict) -> pd.DataFrame:
    """The sites inside ``project``'s boundary that are not damaged or reference sites."""
    sites = store.read("sites")
    geom = project.get("geometry")
    if sites.empty or geom is None:
        return sites.iloc[0:0]
    sites = sites[~sites["role"].isin(NOT_MONITORING)]
    inside = shapely.intersects(shapely.point_on_surface(sites.geometry.to_numpy()), geom)
    return sites[inside]


def _start_year(store: Store, project: dict) -> int:
    start = project.get("start_year")
    if start is not None and not pd.isna(start):
        return int(start)
    day = schedule.registered_on(store, project["project_id"])
    return int(day[:4]) if day else config.today().year


def _evidence(result_table: pd.DataFrame, day: str) -> tuple[str, list[dict]]:
    rows = [{"site_id": r.site_id, "indicator": r.indicator, "passed": bool(r.passed), "message": r.message_en}
            for r in result_table.itertuples(index=False)]
    text = (f"effect evaluation as of {day}: {len(rows)} indicator target(s) of the project's monitoring met — "
            + "; ".join(f"{r['site_id']} {r['indicator']}: {r['message']}" for r in rows))
    return text[:schedule.MAX_EVIDENCE], rows


def evaluate_project(store: Store, project_id: str, *, as_of=None, actor: str = "system",
                     **rules) -> ProjectEvaluation:
    """Evaluate ``project_id``'s monitoring as of ``as_of`` (default today) and release each
    pending ``target_met@N`` tranche it earns (one transaction, the project row locked).
    ``rules``: the evaluation's parameters (``window_days``, ``n_last``, ``min_samples``, …) as
    :func:`~restoration.monitoring.evaluation.evaluate_sites` takes them."""
    who = access.require(actor, "bank.registry", store, project_id=project_id)
    project = store.get("bank_projects", project_id)
    day = _common.iso_day(as_of)
    when = pd.Timestamp(day)
    verdict, table, _, _ = evaluate_sites(store, monitoring_sites(store, project), when, **rules)
    years = when.year - _start_year(store, project)
    out = ProjectEvaluation(project_id, day, verdict, years, table, unit=project["capacity_unit"])
    if verdict != "pass" or table.empty:
        return out
    text, rows = _evidence(table, day)
    with _common.transaction(store, who) as tx:
        locked = tx.lock("bank_projects", project_id)
        done = schedule.reached(tx, project_id)
        for t in schedule.tranches_of(tx, project_id):
            if t.milestone.startswith(schedule.TARGET) and t.milestone not in done and years >= (t.year or 0):
                schedule.write_milestone(tx, locked, t.milestone, day, text,
                                         evaluation=json.loads(json.dumps({"verdict": verdict, "as_of": day,
                                                                           "indicators": rows}, default=str)))
                out.released.append(t.milestone)
                out.amounts[t.milestone] = round(float(locked["capacity"]) * t.share, 6)
    return out


def pending_target_projects(store: Store, sites: pd.DataFrame) -> list[str]:
    """The bank projects with a pending ``target_met`` tranche whose boundary holds one of
    ``sites`` (monitoring sites: damaged and reference sites do not count), sorted."""
    tranches = store.read("bank_tranches", columns=["project_id", "milestone"])
    if tranches.empty or sites.empty:
        return []
    done = store.read("bank_milestones", columns=["project_id", "milestone"])
    keys = set(zip(done["project_id"], done["milestone"]))
    pending = {p for p, m in zip(tranches["project_id"], tranches["milestone"])
               if str(m).startswith(schedule.TARGET) and (p, m) not in keys}
    sites = sites[~sites["role"].isin(NOT_MONITORING)]
    if not pending or sites.empty:
        return []
    projects = store.read("bank_projects")
    projects = projects[projects["project_id"].isin(pending) & projects.geometry.notna()]
    if projects.empty:
        return []
    points = shapely.point_on_surface(sites.geometry.to_numpy())
    j, _ = shapely.STRtree(points).query(projects.geometry.to_numpy(), predicate="intersects")
    return sorted(set(projects["project_id"].to_numpy()[j]))


def release_earned(store: Store, sites: pd.DataFrame, *, as_of=None, actor: str = "system",
                   **rules) -> list[ProjectEvaluation]:
    """Evaluate every bank project holding one of ``sites`` with a ``target_met`` tranche still
    pending (:func:`pending_target_projects`) and release what its monitoring earned
    (:func:`evaluate_project`, same ``rules``); one :class:`ProjectEvaluation` per project."""
    return [evaluate_project(store, pid, as_of=as_of, actor=actor, **rules)
            for pid in pending_target_projects(store, sites)]


@dataclass
class CaseRelease:
    """What a case's effect evaluation released for the bank: the projects evaluated, and the
    projects holding its sites that ``actor`` may not act on (``(project_id, why)``, the reason
    of :func:`restoration.access.why_not`), left for a user who may."""

    evaluated: list[ProjectEvaluation] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)


def release_for_case(store: Store, case_id: str, *, as_of=None, actor: str = "system",
                     **rules) -> CaseRelease:
    """After a case's effect evaluation: release the ``target_met`` tranches its monitoring earned
    for every bank project holding its sites (:func:`release_earned`), skipping — not failing on —
    the projects ``actor`` may not act on (a county supervisor's case with its sites in another
    county's bank project), so the case's saved evaluation is never followed by a refusal. The
    one door for the command line and the case page."""
    out = CaseRelease()
    for pid in pending_target_projects(store, store.read("sites", case_id=case_id)):
        why = access.why_not(actor, "bank.registry", store, project_id=pid)
        if why:
            out.withheld.append((pid, why))
        else:
            out.evaluated.append(evaluate_project(store, pid, as_of=as_of, actor=actor, **rules))
    return out
