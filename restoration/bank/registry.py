"""The bank registry: projects and base sites, their checks on the way in, and the dated status
lifecycle proposed → approved → under construction → operational → closed.

Imports go through the platform's validation (``restoration.importer.prepare``: fields, codes,
CRS, county and watershed by spatial join) and then the bank's own, stricter checks:

* an invalid polygon is refused, not repaired: capacity is sold by area, so a guessed repair could
  sell hectares that do not exist;
* the capacity unit must be an area unit or a known resource unit (``restoration.bank.units``);
* capacity in area units may not exceed the mapped footprint (10 % tolerance);
* the trajectory must be ``{"levels": [[years since start, level], ...]}`` with whole, increasing
  years >= 0 and levels >= 0 (required for area units: the equivalence engine needs it).

Each imported project gets its first status-history row; :func:`set_status` adds the next ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import config
from ..errors import InputError, Issue
from ..importer import prepare_rows, read_mapped
from ..validate import ROWS_PER_PROBLEM, Partial, more_rows, sort_issues
from ..model import ProjectStatus
from ..store import Store, Transaction
from .. import access
from . import _common, polygon_review, review, schedule, units

LIFECYCLE = [s.value for s in ProjectStatus]  # proposed → approved → under_construction → operational → closed
FOOTPRINT_TOLERANCE = 0.10
#: the import column holding a project's release schedule (``bank.schedule``)
SCHEDULE_COLUMN = "release_schedule"


@dataclass
class BankImport:
    source: str
    rows: int
    project_ids: list[str]
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # columns mapped / kept / ignored, coordinates converted
    checked: bool = False  # validated only (--check): nothing written
    #: per project, the polygon review's findings (overlaps accepted, slivers, thin parts, spikes)
    findings: dict[str, list[dict]] = field(default_factory=dict)


def _where(frame: pd.DataFrame, source: str | None):
    start = int(frame.attrs.get("row_start", 1))
    label = frame.attrs.get("row_label", "row")
    src = source or frame.attrs.get("source")
    return lambda pos, fld, msg: Issue(msg, source=src, row=int(pos) + start, field=fld, row_label=label)


def _capped(found: list[tuple[int, str, str]], frame: pd.DataFrame, source: str | None) -> list[Issue]:
    """Issues for (position, field, message), at most ROWS_PER_PROBLEM per field, then a count."""
    at = _where(frame, source)
    src = source or frame.attrs.get("source")
    issues: list[Issue] = []
    per_field: dict[str, list[int]] = {}
    for pos, fld, msg in found:
        issue = at(pos, fld, msg)
        rows = per_field.setdefault(fld, [])
        rows.append(issue.row)
        if len(rows) <= ROWS_PER_PROBLEM:
            issues.append(issue)
    for fld, rows in per_field.items():
        if len(rows) > ROWS_PER_PROBLEM:
            issues.append(more_rows(rows[ROWS_PER_PROBLEM:], fld, src, "a problem"))
    return issues


def check_geometry(frame: pd.DataFrame, source: str | None = None) -> list[Issue]:
    """Invalid polygons in the *input* (before any repair), one issue per row."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return []
    geoms = frame.geometry.to_numpy()
    bad = ~shapely.is_missing(geoms) & ~shapely.is_valid(geoms)
    return _capped([(pos, "geometry",
                     f"invalid polygon ({shapely.is_valid_reason(geoms[pos])}); the project bank sells capacity "
                     "by area, so it is not repaired automatically: fix the polygon in GIS and import again")
                    for pos in np.flatnonzero(bad)], frame, source)


def check_trajectory(value: Any) -> str | None:
    """What is wrong with a bank trajectory, or None if it is good."""
    if not isinstance(value, Mapping):
        return 'expected {"levels": [[years since start, level], ...]}'
    pts = value.get("levels")
    if not isinstance(pts, list) or not pts:
        return 'needs "levels": [[years since start, level], ...] with at least one point'
    last = -math.inf
    for i, pt in enumerate(pts):
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            return f"levels[{i}]: expected [years since start, level], got {pt!r}"
        t, v = pt
        if isinstance(t, bool) or not isinstance(t, (int, float)) or t != int(t) or t < 0:
            return f"levels[{i}]: years since start must be a whole number >= 0, got {t!r}"
        if t <= last:
            return f"levels[{i}]: years must increase ({t!r} after {last!r})"
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            return f"levels[{i}]: level must be a number >= 0, got {v!r}"
        last = t
    y0 = value.get("initial_level")
    if y0 is not None and (not isinstance(y0, (int, float)) or y0 < 0):
        return f"initial_level must be a number >= 0, got {y0!r}"
    unknown = set(value) - {"levels", "initial_level", "note"}
    if unknown:
        return f"unknown key(s) {', '.join(sorted(unknown))}; allowed: levels, initial_level, note"
    return None


def _number(value: Any) -> float | None:
    """A finite float, or None (blank or failed cells of a partly read table)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def check_projects(clean: pd.DataFrame | Partial, frame: pd.DataFrame, source: str | None = None) -> list[Issue]:
    """The bank's own checks, row by row: capacity unit, trajectory, capacity against the mapped
    footprint, status date.

    ``clean`` holds the validated rows (same order as the input ``frame``), or — when the general
    validation refused some cells — a :class:`~restoration.validate.Partial`, so that these checks
    run in the same pass: cells that failed already are not judged again."""
    part = clean if isinstance(clean, Partial) else Partial(clean)
    rows = part.frame
    today = config.today().isoformat()
    found: list[tuple[int, str, str]] = []
    for pos, row in enumerate(rows.itertuples(index=False)):
        unit = getattr(row, "capacity_unit", None) if part.usable(pos, "capacity_unit") else None
        if unit is not None and not units.known(unit):
            found.append((pos, "capacity_unit", f"unknown capacity unit '{unit}'; use an area unit "
                                                f"or a resource unit: {', '.join(units.all_units())}"))
            unit = None
        is_area = unit is not None and units.is_area(unit)
        if part.usable(pos, "trajectory"):
            traj = getattr(row, "trajectory", None)
            if traj is None and is_area:
                found.append((pos, "trajectory", 'required for projects in area units: the expected service '
                                                 'path, e.g. {"levels": [[0, 0.0], [8, 1.0]]}'))
            elif traj is not None:
                problem = check_trajectory(traj)
                if problem:
                    found.append((pos, "trajectory", problem))
        capacity = _number(getattr(row, "capacity", None)) if part.usable(pos, "capacity") else None
        area = _number(getattr(row, "area_ha", None))
        if is_area and capacity is not None and area:
            cap_ha = units.convert(capacity, unit, "ha")
            if cap_ha > area * (1 + FOOTPRINT_TOLERANCE):
                found.append((pos, "capacity", f"capacity {capacity:g} {unit} ({cap_ha:.2f} ha) exceeds the "
                                               f"project's mapped area {area:.2f} ha"))
        since = getattr(row, "status_since", None) if part.usable(pos, "status_since") else None
        if isinstance(since, str) and since > today:
            found.append((pos, "status_since", f"{since} is in the future"))
    return _capped(found, frame, source)


def read_schedules(frame: pd.DataFrame, source: str | None = None) -> tuple[dict[int, list], list[Issue]]:
    """The ``release_schedule`` column (``SHARE:MILESTONE;…`` per row, blank: none) as tranches by
    row position, and an issue per bad cell (row and field named)."""
    if SCHEDULE_COLUMN not in frame.columns:
        return {}, []
    out: dict[int, list] = {}
    found: list[tuple[int, str, str]] = []
    for pos, value in enumerate(frame[SCHEDULE_COLUMN].to_list()):
        if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
            continue
        try:
            out[pos] = schedule.parse_schedule(str(value))
        except InputError as exc:
            found.append((pos, SCHEDULE_COLUMN, exc.issues[0].message))
    return out, _capped(found, frame, source)


def add_projects(target: Store | Transaction, frame: pd.DataFrame, *, source: str | None = None,
                 actor: str = "system", extra: str = "error", check: bool = False,
                 allow_outside: bool = False, allow_overlap: str | None = None) -> BankImport:
    """Validate, check and insert bank projects (a GeoDataFrame in any CRS), with their first
    status-history rows, in one transaction. Raises InputError listing every problem.
    ``extra``: what to do with columns that are not fields (see ``validate_frame``);
    ``check=True`` validates only; ``allow_outside`` accepts projects far outside the store's counties;
    an overlap with another project or a restoration site (``polygon_review``) is refused unless
    ``allow_overlap`` gives the reason, kept with the polygon's review record (status submitted)."""
    src = source or frame.attrs.get("source") or "bank_projects"
    who = access.require(actor, "bank.registry", target)
    actor = who.name
    issues = check_geometry(frame, src)
    schedules, found = read_schedules(frame, src)
    issues += found
    if SCHEDULE_COLUMN in frame.columns:
        attrs = dict(frame.attrs)
        frame = frame.drop(columns=SCHEDULE_COLUMN)
        frame.attrs.update(attrs)
    with _common.transaction(target, actor) as tx:
        try:  # the general checks and the bank's own in one pass: one report, grouped by row
            done = prepare_rows(tx, "bank_projects", frame, src, extra=extra,
                                checks=lambda part: check_projects(part, frame, src), allow_outside=allow_outside)
        except InputError as exc:
            raise InputError(sort_issues(issues + exc.issues)) from None
        clean, warnings = done.frame, done.warnings
        access.require_regions(who, "bank.registry", tx, clean["region"], what="bank_projects")
        if issues:
            raise InputError(sort_issues(issues))
        found = polygon_review.overlaps(clean, tx.read("bank_projects"), tx.read("sites"))
        if len(found) and not allow_overlap:
            raise InputError([Issue(f"overlaps {r.other_kind} {r.other_id} by {r.area_ha:.2f} ha; fix the boundary or "
                                    "import with --allow-overlap REASON", source=src, field="geometry")
                              for r in found.head(ROWS_PER_PROBLEM * 4).itertuples()])
        shapes = polygon_review.shape_findings(clean)
        findings = {pid: f for pid in clean["project_id"] if (f := review.import_findings(found, shapes, pid))}
        if check:
            return BankImport(src, len(clean), clean["project_id"].tolist(), warnings, done.notes, True, findings)
        tx.insert("bank_projects", clean, action=f"import {src}")
        today = config.today().isoformat()
        history = pd.DataFrame({
            "project_id": clean["project_id"].to_numpy(), "from_status": None,
            "to_status": clean["status"].to_numpy(),
            "changed_on": [d or today for d in clean.get("status_since", pd.Series([None] * len(clean)))],
            "actor": actor, "note": f"imported from {src}",
        })
        tx.insert("bank_status_history", history)
        tranches = [{"project_id": pid, "seq": i + 1, "share": t.share, "milestone": t.milestone, "year": t.year,
                     "set_on": today, "actor": actor}
                    for pos, pid in enumerate(clean["project_id"]) for i, t in enumerate(schedules.get(pos, []))]
        if tranches:
            tx.insert("bank_tranches", pd.DataFrame(tranches), action=f"release schedule from {src}")
        tx.insert("bank_polygon_reviews", pd.DataFrame([{
            "project_id": pid, "status": "submitted", "actor": actor, "at": config.now_utc(), "note": allow_overlap,
            "findings": findings.get(pid, [])} for pid in clean["project_id"]]), action="polygon review submitted")
    return BankImport(src, len(clean), clean["project_id"].tolist(), warnings, done.notes, findings=findings)


def import_projects(store: Store, path: str | Path, *, crs: str | None = None, actor: str = "cli",
                    mapping: dict[str, str] | None = None, extra: str = "keep",
                    check: bool = False, source_layer: str | None = None, allow_outside: bool = False,
                    allow_overlap: str | None = None) -> BankImport:
    """Import a bank file (GeoJSON, GeoPackage, Shapefile, CSV + --crs, Excel) into the registry
    (columns named by ``mapping``; extra columns kept or ignored; ``check`` writes nothing)."""
    frame, notes = read_mapped(path, "bank_projects", crs=crs, mapping=mapping, source_layer=source_layer)
    done = add_projects(store, frame, source=Path(path).name, actor=actor, extra=extra, check=check,
                        allow_outside=allow_outside, allow_overlap=allow_overlap)
    done.notes = notes + done.notes
    return done


def set_status(target: Store | Transaction, project_id: str, status: str, *, on: date | str | None = None,
               actor: str = "system", note: str | None = None) -> dict:
    """Move a project to its next lifecycle status (or close it), dated ``on`` (default today).

    Allowed: one step forward along proposed → approved → under_construction → operational, or
    to closed from any open status. The date may not precede the current status's date. A
    project with open reservations cannot be closed (release or commit them first).
    """
    code = _status_code(status)
    day = _common.iso_day(on)
    actor = access.require(actor, "bank.registry", target, project_id=project_id).name
    with _common.transaction(target, actor) as tx:
        project = tx.get("bank_projects", project_id)
        current = project["status"]
        i, j = LIFECYCLE.index(current), LIFECYCLE.index(code)
        if current == "closed":
            raise InputError(Issue(f"project '{project_id}' is closed; a closed project does not reopen",
                                   field="status", source=project_id))
        if not (j == i + 1 or (code == "closed" and j > i)):
            nxt = LIFECYCLE[i + 1]
            raise InputError(Issue(f"cannot go from {current} to {code}; next is {nxt} (or closed)",
                                   field="status", source=project_id))
        since = project.get("status_since")
        if since and day < str(since):
            raise InputError(Issue(f"{day} is before the current status date {since}", field="on",
                                   source=project_id))
        if code == "closed":
            n_open = tx.count("bank_allocations", project_id=project_id, state="reserved")
            if n_open:
                raise InputError(Issue(f"project '{project_id}' has {n_open} open reservation(s); release or "
                                       "commit them before closing it", field="status", source=project_id))
        after = tx.update("bank_projects", project_id, {"status": code, "status_since": day})
        tx.insert("bank_status_history", pd.DataFrame([{
            "project_id": project_id, "from_status": current, "to_status": code, "changed_on": day,
            "actor": actor, "note": note}]))
    return after


def _status_code(status: str) -> str:
    for s in ProjectStatus:
        if status in (s.value, s.zh, s.en):
            return s.value
    raise InputError(Issue(f"unknown status '{status}'; use one of {', '.join(LIFECYCLE)}", field="status"))


def status_history(store: Store, project_id: str | None = None) -> pd.DataFrame:
    """Status transitions, oldest first (all projects, or one)."""
    if project_id:
        return store.read("bank_status_history", project_id=project_id)
    return store.read("bank_status_history")
