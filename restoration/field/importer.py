"""Import a field package: new inspections become case records, photos become evidence, the
reference attributes are merged three-way — all in one transaction, or nothing.

Before anything is written the whole package is checked (:mod:`.read`, :mod:`.photos`): it must
be a package this store exported (its id, the store's id, the snapshot's hash, the case ids), each
inspection must name one of the package's cases and one of that case's sites, each photo must be
inside the folder and a real image. Any problem refuses the import with the row, field and file
named. An inspection already imported (its ``uuid``) is skipped, so the same package twice
changes nothing; a conflict already queued is not queued again; a package older than one
imported since for the same case has its reference edits queued for review, none taken.
"""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .. import access, config
from ..cases import history
from ..cases.attachments import MAX_EVENT_BYTES
from ..cases.workflow import make_event
from ..errors import InputError, Issue, NotFoundError
from ..model import LAYERS
from ..profiles.for_case import profile_for
from ..store import Store
from .form import MERGED_FIELDS, OBSERVATIONS, PHOTO_FIELDS
from .merge import Change, features, three_way
from .package import BASE_NAME, geometry_hash
from .photos import Photo, check_photo, read_checked
from .read import Inspection, Package, read_package

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import found and (unless ``written`` is False) wrote."""

    package_id: str
    new: int = 0
    skipped: int = 0
    photos: int = 0
    taken: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    reported: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stale: bool = False
    written: bool = False

    @property
    def changes_anything(self) -> bool:
        return bool(self.new or self.taken or self.conflicts or self.reported)

    def to_dict(self) -> dict:
        def rows(changes):
            return [{"kind": c.kind, "record_id": c.record_id, "field": c.field, "base": c.base, "office": c.office,
                     "field_value": c.field_value} for c in changes]
        return {"package_id": self.package_id, "new_inspections": self.new, "already_imported": self.skipped,
                "photos": self.photos, "taken": rows(self.taken), "conflicts": rows(self.conflicts),
                "reported": rows(self.reported), "warnings": list(self.warnings), "older_package": self.stale,
                "written": self.written}


def conflict_id(package_id: str, change: Change) -> str:
    """A conflict's id: the same finding of the same package always gets the same id."""
    text = f"{package_id}|{change.kind}|{change.record_id}|{change.field or ''}"
    return "FC-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _origin(store: Store, pkg: Package) -> dict:
    """The store's record of the package, or InputError: another store's, unknown, or edited."""
    source = str(pkg.folder / BASE_NAME)
    ids = store.keys("field_store")
    if pkg.base["store_id"] not in ids:
        raise InputError(Issue("the package was exported from another store (its store id is not this "
                               "store's); import it where it was exported", source=source, field="store_id"))
    try:
        row = store.get("field_packages", pkg.package_id)
    except NotFoundError:
        raise InputError(Issue("this store never exported this package", source=source, field="package_id")) from None
    text = (pkg.folder / BASE_NAME).read_bytes()
    if hashlib.sha256(text).hexdigest() != row["base_sha256"]:
        raise InputError(Issue("the base snapshot was changed after the export; use the package as exported",
                               source=source))
    if sorted(row["case_ids"]) != sorted(pkg.base["case_ids"]):  # pragma: no cover - guarded by the hash
        raise InputError(Issue("the package's cases are not the exported ones", source=source, field="case_ids"))
    return row


def _stale(store: Store, row: Mapping[str, Any]) -> bool:
    """Whether a later package sharing a case with this one was imported already."""
    packages = store.read("field_packages")
    mine = set(row["case_ids"])
    later = packages[(packages["seq"] > int(row["seq"])) & packages["imported_at"].notna()]
    return any(mine & set(ids or ()) for ids in later["case_ids"])


def _check_rows(pkg: Package, new: list[Inspection], sites: pd.DataFrame, today: date,
                report: ImportReport) -> dict[int, list[Photo]]:
    """Every new inspection's case, site, date and photos checked; {row: photos}."""
    issues, photos, seen = [], {}, {}
    where = "inspection.gpkg inspections"
    shapes = dict(zip(sites["site_id"], sites.geometry)) if len(sites) else {}

    def issue(row, fld, text):
        issues.append(Issue(text, source=where, row=row, field=fld, row_label="feature"))
    for ins in pkg.inspections:
        uid = ins.values["uuid"]
        if uid in seen:
            issue(ins.row, "uuid", f"the same record id as feature {seen[uid]}")
        seen.setdefault(uid, ins.row)
    for ins in new:
        v = ins.values
        if v["case_id"] not in pkg.base["case_ids"]:
            issue(ins.row, "case_id", f"case '{v['case_id']}' is not one of this package's cases")
            continue
        site = pkg.base["sites"].get(v["site_id"])
        if site is None or site.get("case_id") != v["case_id"]:
            issue(ins.row, "site_id", f"site '{v['site_id']}' is not a site of case {v['case_id']} in this package")
            continue
        if v["inspection_date"] > today:
            issue(ins.row, "inspection_date", f"{v['inspection_date']} is after today ({today})")
        got = []
        for name in PHOTO_FIELDS:
            if v.get(name):
                try:
                    got.append(check_photo(pkg.folder, v[name], v["inspection_date"], shapes.get(v["site_id"])))
                except ValueError as why:
                    issue(ins.row, name, str(why))
        if sum(p.size for p in got) > MAX_EVENT_BYTES:
            issue(ins.row, PHOTO_FIELDS[0], f"the photos have more than {MAX_EVENT_BYTES / 1e6:.0f} MB in all")
        photos[ins.row] = got
        report.warnings += [f"feature {ins.row} {p.path}: {w}" for p in got for w in p.warnings]
    if issues:
        raise InputError(issues)
    return photos


def _valid(layer: str, name: str, value: Any) -> str | None:
    """Why a field value may not be stored (None when it may)."""
    spec = LAYERS[layer].field(name)
    if value is not None and not isinstance(value, str):
        return f"is {type(value).__name__}, not text"
    if spec.required and not value:
        return "is empty; it is required"
    if spec.choices and value not in spec.choices:
        return f"'{str(value)[:40]}' is not one of {', '.join(spec.choices)}"
    if value is not None and len(value) > (spec.max_len or 200):
        return f"has {len(value)} characters; at most {spec.max_len or 200}"
    return None


def _merge(store: Store, pkg: Package, stale: bool, report: ImportReport) -> None:
    """The three-way merge of the sites' attributes and the feature report."""
    fields = MERGED_FIELDS["sites"]
    base = pkg.base["sites"]
    field_sites = {str(r["site_id"]): r for _, r in pkg.sites.iterrows()} if len(pkg.sites) else {}
    office = {str(r["site_id"]): r for _, r in store.read("sites", site_id=tuple(base) or ("",)).iterrows()}
    queued = store.keys("field_conflicts", package_id=pkg.package_id)
    issues = []
    for rid, b in base.items():
        if rid not in field_sites or rid not in office:
            continue
        here = {f: (None if pd.isna(field_sites[rid].get(f)) else field_sites[rid].get(f)) for f in fields}
        for change in three_way(rid, b["attributes"], office[rid], here, fields, stale=stale):
            why = _valid("sites", change.field, change.field_value)
            if why:
                issues.append(Issue(f"{change.field} {why}", source="inspection.gpkg sites", field=change.field,
                                    row=int(field_sites[rid].name), row_label="feature"))
            elif change.kind == "take":
                report.taken.append(change)
            elif conflict_id(pkg.package_id, change) not in queued:
                report.conflicts.append(change)
    if issues:
        raise InputError(issues)
    hashes = {rid: geometry_hash(r.geometry) for rid, r in field_sites.items()}
    report.reported += [c for c in features(base, hashes) if conflict_id(pkg.package_id, c) not in queued]


def _details(ins: Inspection, photos: list[Photo], names: list[str], package_id: str) -> dict:
    v = ins.values
    return {"inspector": v["inspector"], "findings": v["findings"], "site_id": v["site_id"],
            **{k: v[k] for k in OBSERVATIONS if v.get(k) is not None}, "photos": names,
            "photo_sha256": [p.sha256 for p in photos], "field_uuid": v["uuid"], "field_package": package_id}


def _names(photos: list[Photo]) -> list[str]:
    out: list[str] = []
    for p in photos:  # two photos called the same keep both
        stem, ext = p.name.rsplit(".", 1)
        name, n = p.name, 2
        while name in out:
            name, n = f"{stem}_{n}.{ext}", n + 1
        out.append(name)
    return out


def _write_case(tx, cid: str, rows: list[Inspection], photos: dict[int, list[Photo]], package_id: str,
                who: str, today: date) -> int:
    """One case's new inspections as records with their photos; the number of photos stored."""
    case = tx.get("cases", cid)
    hist = history.of(tx, case, today)
    names = {ins.row: _names(photos[ins.row]) for ins in rows}
    events = [make_event({"event_type": "inspection", "event_date": ins.values["inspection_date"], "actor": who,
                          "details": _details(ins, photos[ins.row], names[ins.row], package_id)},
                         source=f"case {cid}") for ins in rows]
    _, fids = history.record(tx, case, hist, events, who, profile_for(case, hist + events), today)
    evidence, stored = [], 0
    for ins, fid in zip(rows, fids):
        v = ins.values
        tx.insert("field_inspections", pd.DataFrame([{"inspection_uuid": v["uuid"], "case_id": cid,
                                                      "site_id": v["site_id"], "event_fid": fid,
                                                      "package_id": package_id}]), action="field inspection")
        for p, name in zip(photos[ins.row], names[ins.row]):
            data = read_checked(p)  # one photo in memory at a time
            tx.insert("attachments", pd.DataFrame([{"case_id": cid, "event_fid": fid, "name": name, "mime": p.mime,
                                                    "size_bytes": p.size, "data": data}]),
                      action=f"attachments of event {fid}")
            evidence.append({"case_id": cid, "event_fid": fid, "inspection_uuid": v["uuid"], "site_id": v["site_id"],
                             "package_id": package_id, "path": p.path, "name": name, "sha256": p.sha256,
                             "size_bytes": p.size, "taken_at": p.taken_at, "lon": p.lon, "lat": p.lat,
                             "inside_site": p.inside_site, "warnings": list(p.warnings),
                             "taken_by": v["inspector"], "public": False})
            stored += 1
    if evidence:
        tx.insert("field_photos", pd.DataFrame(evidence), action=f"field photos of case {cid}")
    return stored


def _conflict_rows(pkg: Package, changes: list[Change]) -> pd.DataFrame:
    case_of = {rid: s.get("case_id") for rid, s in pkg.base["sites"].items()}
    return pd.DataFrame([{"conflict_id": conflict_id(pkg.package_id, c), "package_id": pkg.package_id,
                          "case_id": case_of.get(c.record_id), "kind": c.kind, "layer": "sites",
                          "record_id": c.record_id, "field": c.field, "base_value": c.base,
                          "office_value": None if c.office is None or pd.isna(c.office) else c.office,
                          "field_value": c.field_value, "status": "open"} for c in changes])


def _permissions(store: Store, who: access.Actor, pkg: Package, new: list[Inspection], report: ImportReport) -> None:
    for cid in sorted({i.values["case_id"] for i in new}):
        access.require(who, "case.event", store, case_id=cid)
    case_of = {rid: s.get("case_id") for rid, s in pkg.base["sites"].items()}
    for cid in sorted({case_of[c.record_id] for c in report.taken + report.conflicts if case_of.get(c.record_id)}):
        access.require(who, "case.edit", store, case_id=cid)


def import_package(store: Store, folder: str | Path, actor: "access.Actor | str", *, check: bool = False,
                   today: date | None = None) -> ImportReport:
    """Import the package in ``folder`` (``check``: only say what would be done)."""
    today = today or config.today()
    who = access.as_actor(actor)
    pkg = read_package(folder)
    row = _origin(store, pkg)
    report = ImportReport(pkg.package_id, stale=_stale(store, row))
    uuids = [i.values["uuid"] for i in pkg.inspections]
    known = store.keys("field_inspections", inspection_uuid=tuple(uuids)) if uuids else set()
    new = [i for i in pkg.inspections if i.values["uuid"] not in known]
    report.skipped = len(pkg.inspections) - len(new)
    sites = store.read("sites", site_id=tuple(pkg.base["sites"]) or ("",))
    photos = _check_rows(pkg, new, sites, today, report)
    _merge(store, pkg, report.stale, report)
    _permissions(store, who, pkg, new, report)
    report.new = len(new)
    report.photos = sum(len(p) for p in photos.values())
    if check or not report.changes_anything:
        return report
    by_case: dict[str, list[Inspection]] = defaultdict(list)
    for ins in new:
        by_case[ins.values["case_id"]].append(ins)
    with store.transaction(who.name) as tx:
        for cid, rows in by_case.items():
            _write_case(tx, cid, rows, photos, pkg.package_id, who.name, today)
        by_site: dict[str, dict] = defaultdict(dict)
        for c in report.taken:
            by_site[c.record_id][c.field] = c.field_value
        for rid, changes in by_site.items():
            tx.update("sites", rid, changes, action=f"field package {pkg.package_id}: merged")
        queued = report.conflicts + report.reported
        if queued:
            tx.insert("field_conflicts", _conflict_rows(pkg, queued), action=f"field package {pkg.package_id}: review")
        tx.update("field_packages", pkg.package_id, {"imported_at": config.now_utc(), "imported_by": who.name},
                  action="field package imported")
    report.written = True
    log.info("field package %s: %d inspections, %d photos, %d taken, %d conflicts", pkg.package_id, report.new,
             report.photos, len(report.taken), len(report.conflicts))
    return report
