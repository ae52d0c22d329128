"""The case archive (档案): one ZIP file with an index of every record and attachment of a case.
Tables go in as CSV through the one CSV writer (:func:`restoration.workbook.csv_bytes`: text cells
never become formulas); the file is written through :func:`restoration.files.write_bytes`."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

from ..files import write_bytes
from ..store import Store
from ..workbook import csv_bytes
from .events import event_label
from .records import case_record
from .thumbnails import thumbnail


# -- case archive (档案) ---------------------------------------------------------------------------
def _csv(frame: pd.DataFrame) -> bytes:
    geoms = frame.geometry.to_wkt() if "geometry" in frame.columns and hasattr(frame, "geometry") else None
    frame = pd.DataFrame(frame).copy()
    if geoms is not None:
        frame["geometry"] = geoms.values
    for c in frame.columns:
        if frame[c].map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any():
            frame[c] = frame[c].map(lambda v: f"<{len(v)} bytes>" if v is not None else None)
        elif frame[c].map(lambda v: isinstance(v, (dict, list))).any():
            frame[c] = frame[c].map(lambda v: json.dumps(v, ensure_ascii=False, default=str)
                                    if isinstance(v, (dict, list)) else v)
    return csv_bytes(frame)


def _safe(name: str) -> str:
    keep = "".join(ch if (ch.isalnum() or ch in "._-（）()") else "_" for ch in str(name))
    return keep.strip("._") or "file"


#: what the archive's field photo table shows of each photo, in this order
PHOTO_COLUMNS = ("photo_id", "file", "thumbnail", "sha256", "taken_at", "lon", "lat", "inside_site", "taken_by",
                 "site_id", "inspection_uuid", "warnings", "public", "public_reason", "published_by", "published_at")


def _field_photos(evidence: list[dict], stored: dict, add) -> None:
    """``field_photos.csv`` (each field photo's file, thumbnail, hash, camera time and position,
    who took it, whether public) and a thumbnail of each photo under ``field_photos/``."""
    if not evidence:
        return
    rows = []
    for e in evidence:
        file, data = stored.get((int(e["event_fid"]), e["name"]), (None, None))
        thumb = None
        if data is not None:
            thumb = f"field_photos/{int(e['photo_id']):06d}_thumbnail.jpg"
            add(thumb, thumbnail(data), "field_photo_thumbnail", str(e["photo_id"]), str(e.get("taken_at") or "")[:10]
                or None, f"{e['name']} sha256 {e['sha256']}")
        rows.append({**{c: e.get(c) for c in PHOTO_COLUMNS}, "file": file, "thumbnail": thumb})
    add("field_photos.csv", _csv(pd.DataFrame(rows, columns=list(PHOTO_COLUMNS))), "field_photos",
        str(evidence[0]["case_id"]), None,
        f"{len(rows)} 张外业照片 field photos")


def export_archive(store: Store, case_id: str, path: str | Path, today: date | None = None) -> Path:
    """Write the case archive (:func:`archive_bytes`) to ``path`` (.zip)."""
    return write_bytes(path, archive_bytes(store, case_id, today))


def archive_bytes(store: Store, case_id: str, today: date | None = None) -> bytes:
    """The case archive (档案) as one ZIP file's bytes: ``index.csv`` lists every record and
    attachment (kind, id, date, title, file inside the archive), then the case record (JSON), its
    events (CSV, with each event's details), classifications, modes, ledger, effect evaluations,
    sites, the audit trail, every attachment as its own file, and the field photos' table
    (``field_photos.csv``: file, thumbnail, SHA-256, camera time and position, who took it,
    whether public) with a thumbnail of each. Tables are CSV files whose text
    cells never become spreadsheet formulas."""
    rec = case_record(store, case_id, today)
    evs = store.read("case_events", case_id=case_id)
    index: list[dict] = []
    files: dict[str, bytes] = {}

    def add(name: str, data: bytes, kind: str, rid: str, day: str | None, title: str) -> None:
        files[name] = data
        index.append({"kind": kind, "record_id": rid, "date": day, "title": title, "file": name})

    add("case.json", json.dumps(rec, ensure_ascii=False, indent=2, default=str).encode("utf-8"), "case",
        case_id, None, str(rec["case"].get("title")))
    add("events.csv", _csv(evs), "events", case_id, None, f"{len(evs)} 个事件 events")
    for r in evs.to_dict("records"):
        add(f"events/{int(r['fid']):06d}_{r['event_type']}.json",
            json.dumps(r, ensure_ascii=False, indent=2, default=str).encode("utf-8"), "event",
            str(r["fid"]), str(r["event_date"])[:10],
            f"{event_label(r['event_type'])} {event_label(r['event_type'], 'en')}")
    for layer in ("case_classifications", "case_modes", "funds_ledger", "effect_evaluations", "sites",
                  "case_scenarios", "appraisals"):
        if layer not in store.layers():
            continue
        frame = store.read(layer, case_id=case_id)
        if len(frame):
            add(f"{layer}.csv", _csv(frame), layer, case_id, None, f"{len(frame)} 条 rows")
            for r in frame.to_dict("records"):
                rid = r.get("evaluation_id") or r.get("appraisal_id") or r.get("site_id") or r.get("fid")
                index.append({"kind": layer, "record_id": str(rid), "date": None, "title": "", "file": f"{layer}.csv"})
    audit = store.read("audit_log", record_id=case_id) if "audit_log" in store.layers() else pd.DataFrame()
    if len(audit):
        add("audit_log.csv", _csv(audit), "audit_log", case_id, None, f"{len(audit)} 条 changes")
    att = store.read("attachments", case_id=case_id)
    stored: dict[tuple[int, str], tuple[str, bytes]] = {}
    for r in att.to_dict("records"):
        name = f"attachments/{int(r['event_fid']):06d}_{int(r['fid']):04d}_{_safe(r['name'])}"
        add(name, bytes(r["data"]), "attachment", str(r["fid"]), None,
            f"{r['name']} ({r['mime']}, {int(r['size_bytes'])} bytes, event {int(r['event_fid'])})")
        stored[(int(r["event_fid"]), r["name"])] = (name, bytes(r["data"]))
    _field_photos(rec.get("field_evidence") or [], stored, add)
    idx = pd.DataFrame(index, columns=["kind", "record_id", "date", "title", "file"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.csv", csv_bytes(idx))
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()
