"""Field photos as evidence shown: each photo's row (hash, camera time and position, who took
it), its stored bytes and thumbnail, and the disclosure decision that lets the public see it.

A photo is never public by default. :func:`set_public` marks one photo public or withdraws it —
a disclosure decision (``case.disclose``) with a reason, written with who and when and kept in
the audit log. :func:`public_photos` is what the public page may read: thumbnails of photos
marked public, of disclosed cases only, with the case's public id and the day taken; the
photo's path, file name, hash, position and photographer stay with the staff.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from .. import access, config
from ..cases.thumbnails import thumbnail
from ..disclosure import public_id
from ..errors import InputError, Issue, NotFoundError
from ..store import Store

#: most characters of a publication reason
MAX_REASON = 500


def _public(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and value != value)


def photo_rows(store: Store, case_id: str | None = None) -> pd.DataFrame:
    """The field photos (of one case), each with its ``photo_id``, oldest first."""
    if not store.has_layer("field_photos"):
        return pd.DataFrame(columns=["photo_id"])
    rows = store.read("field_photos", case_id=case_id).rename(columns={"fid": "photo_id"})
    return rows.sort_values(["event_fid", "name"]).reset_index(drop=True)


def photo(store: Store, photo_id: int | str) -> dict:
    """One field photo's row, or NotFoundError."""
    try:
        fid = int(photo_id)
    except (TypeError, ValueError):
        raise InputError(Issue(f"'{str(photo_id)[:40]}' is not a photo id (a number: see case show --json, "
                               "field_evidence)", field="PHOTO_ID")) from None
    rows = photo_rows(store)
    found = rows[rows["photo_id"] == fid]
    if found.empty:
        raise NotFoundError(f"field photo {fid}: no such photo")
    return found.iloc[0].to_dict()


def photo_data(store: Store, row: dict) -> bytes:
    """The stored bytes of a field photo (its attachment: same case, event and name)."""
    att = store.read("attachments", case_id=row["case_id"], event_fid=int(row["event_fid"]))
    match = att[att["name"] == row["name"]]
    if match.empty:
        raise NotFoundError(f"field photo {row.get('photo_id')}: its stored file is missing")
    return bytes(match["data"].iloc[0])


def thumbnails(store: Store, case_id: str) -> dict[int, bytes]:
    """{photo_id: JPEG thumbnail} of a case's field photos (a staff view)."""
    rows = photo_rows(store, case_id)
    if rows.empty:
        return {}
    att = store.read("attachments", case_id=case_id)
    data = {(int(e), n): d for e, n, d in zip(att["event_fid"], att["name"], att["data"])}
    out = {}
    for r in rows.to_dict("records"):
        stored = data.get((int(r["event_fid"]), r["name"]))
        if stored is not None:
            out[int(r["photo_id"])] = thumbnail(bytes(stored))
    return out


def set_public(store: Store, photo_id: int | str, public: bool, reason: str | None,
               actor: "access.Actor | str") -> dict:
    """Mark a field photo public (``public=True``) or withdraw it, with a reason; returns the row.

    A disclosure decision: needs ``case.disclose`` on the photo's case. Refused (exit 2) without a
    reason, with a reason over :data:`MAX_REASON` characters, or when the photo is already so."""
    row = photo(store, photo_id)
    who = access.require(actor, "case.disclose", store, case_id=row["case_id"])
    text = " ".join(str(reason or "").split())
    if not text:
        raise InputError(Issue("say why (--reason): a photo is made public or withdrawn for a reason",
                               field="--reason"))
    if len(text) > MAX_REASON:
        raise InputError(Issue(f"has {len(text)} characters; at most {MAX_REASON}", field="--reason"))
    if _public(row.get("public")) == public:
        raise InputError(Issue(f"photo {row['photo_id']} is {'public' if public else 'not public'} already",
                               field="PHOTO_ID"))
    changes = {"public": public, "public_reason": text, "published_by": who.name, "published_at": config.now_utc()}
    with store.transaction(who.name) as tx:
        tx.update_row("field_photos", int(row["photo_id"]), changes,
                      action=f"field photo {'published' if public else 'withdrawn'} (case {row['case_id']})")
    return {**row, **changes}


def public_photos(store: Store) -> list[dict]:
    """Thumbnails of the field photos marked public, of disclosed cases only: ``case_id`` (as the
    public page names the case), ``day`` (the camera's date, else none) and ``thumbnail``.
    The bytes of a photo not marked public are never read."""
    if not store.has_layer("field_photos"):
        return []
    cases = store.read("cases", disclosed=1, columns=["case_id"])
    shown = {c: public_id(c, i) for i, c in enumerate(cases["case_id"])}
    if not shown:
        return []
    rows = photo_rows(store)
    rows = rows[rows["case_id"].isin(list(shown)) & rows["public"].map(_public)]
    out = []
    for r in rows.to_dict("records"):
        taken = r.get("taken_at")
        out.append({"case_id": shown[r["case_id"]], "day": str(taken)[:10] if isinstance(taken, str) else None,
                    "thumbnail": thumbnail(photo_data(store, r))})
    return out
