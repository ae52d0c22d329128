"""Every case's deadlines, derived when the case is written and stored (``case_states``,
``case_deadlines``), so the register's questions — ``case overdue``, the case list, the
overview — read them instead of replaying every case's history on every read.

A case's deadlines are derived (:func:`.deadlines.compute_deadlines`) in the transaction that
writes the case — an event, a correction, an events or cases import, a ledger entry, a profile
assignment: every write of a case goes through the store's before-commit hook — and stored as
dates. "Today" is applied when they are read: an open deadline past its due date reads as
overdue, its days left are counted from the day read, so nothing goes stale as days pass.

A stored state holds only while what it was derived from holds, and is checked on every read:
the case's version (every write of a case moves it), the rule profile version that judges the
case and its files, and the days for which the derivation does not depend on the date (from the
case's last event; a supervision schedule's next report closes the window). A case whose
state does not hold — or a store written before the state was kept — is derived afresh on
read, so the answer is always the one a fresh replay gives (tests/cases/test_case_state.py).
"""
from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import config
from ..messages import Label, Message, Term
from ..profiles.for_case import CaseProfiles, judging_date, profile_name
from ..profiles.profile import Profile
from ..store import bulk_cases
from . import history
from .deadlines import (_FIELDS, ADVISORY_LABELS, STATUS_LABELS, Deadline, compute_deadlines, frame,
                        missing_words)

log = logging.getLogger(__name__)

#: the stored columns of a deadline that hold a message or text (JSON)
_MESSAGES = ("source", "note", "missing")
#: the case fields a read of the stored state needs
CASE_COLUMNS = ["case_id", "title", "version", "updated_at", "profile"]
_FLAGS = ("moved", "provisional", "verified")
_PENDING = ("open", "overdue")


# -- messages as JSON -----------------------------------------------------------------------------
def _enc(v: Any) -> Any:
    if isinstance(v, Message):
        return {"$m": v.code, "p": {k: _enc(x) for k, x in v.params.items()}}
    if isinstance(v, Term):
        return {"$t": [v.kind, v.code]}
    if isinstance(v, Label):
        return {"$l": [v.zh, v.en]}
    if isinstance(v, (list, tuple)):
        return [_enc(x) for x in v]
    if isinstance(v, Mapping):
        return {"$d": {str(k): _enc(x) for k, x in v.items()}}
    if isinstance(v, date):
        return v.isoformat()
    return v


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if "$m" in v:
            return Message(v["$m"], {k: _dec(x) for k, x in v["p"].items()})
        if "$t" in v:
            return Term(*v["$t"])
        if "$l" in v:
            return Label(*v["$l"])
        if "$d" in v:
            return {k: _dec(x) for k, x in v["$d"].items()}
    return v


def dumps(v: Any) -> str | None:
    """A message, text or value as stored JSON (None stays None)."""
    if v is None:
        return None
    try:
        return _dumps(v)
    except TypeError:  # unhashable: not kept
        return json.dumps(_enc(v), ensure_ascii=False)


@lru_cache(maxsize=4096)
def _dumps(v: Any) -> str:
    return json.dumps(_enc(v), ensure_ascii=False)


@lru_cache(maxsize=4096)
def loads(s: str | None) -> Any:
    """What :func:`dumps` stored (messages rebuilt; the same text gives the same object)."""
    return None if s is None else _dec(json.loads(s))


# -- deriving -------------------------------------------------------------------------------------
def fingerprint(profile: Profile) -> str:
    """The profile version and its files as they are now (an edited or activated file changes it)."""
    parts = [profile.key]
    for f in profile.files:
        try:
            parts.append(f"{f}:{Path(f).stat().st_mtime_ns}")
        except OSError:
            parts.append(f"{f}:-")
    return "|".join(parts)


def _stamp(case: Mapping[str, Any]) -> str:
    return f"{case.get('version')}|{case.get('updated_at')}"


def _window(evs, dls: Sequence[Deadline]) -> tuple[date | None, date | None]:
    """The days for which ``dls`` hold whatever day they are read: from the last event (an event
    after the day read is refused by the replay) and the last overdue supervision report until
    the next report falls due (the schedule then grows)."""
    start = max((e.event_date for e in evs), default=None)
    sup = [d for d in dls if d.kind == "supervision"]
    late = [d.due_date + timedelta(days=1) for d in sup if d.status == "overdue"]
    if late:
        start = max([start] + late) if start else max(late)
    due = [d.due_date + timedelta(days=1) for d in sup if d.status == "open"]
    return start, (min(due) if due else None)


def derive(case: Mapping[str, Any], events: Sequence, ledger_rows, prof: CaseProfiles,
           prints: dict | None = None, replayed=None) -> tuple[dict, list[tuple]]:
    """One case's stored state and deadline rows, derived from its history as of today (or its
    last event, if later). ``prints``: profile fingerprints already taken ({key: fingerprint});
    ``replayed``: the state the history's replay without refusals led to (not replayed again)."""
    today = config.today()
    cid = str(case["case_id"])
    evs = history.case_history(case, events, today)
    profile = prof(case, evs)
    state = {"case_id": cid, "case_stamp": _stamp(case), "n_deadlines": 0}
    if profile is None:  # an unusable profile: derived afresh on every read, with why
        return {**state, "profile_key": None}, []
    last = max((e.event_date for e in evs), default=today)
    dls = compute_deadlines(case, evs, profile, ledger_rows, max(today, last), state=replayed)
    start, until = _window(evs, dls)
    jd = judging_date(case, evs)
    prints = {} if prints is None else prints
    if profile.key not in prints:
        prints[profile.key] = fingerprint(profile)
    state.update(profile_key=prof.key(profile_name(case), jd or today), fingerprint=prints[profile.key],
                 judged_on=jd.isoformat() if jd else None, valid_from=start.isoformat() if start else None,
                 valid_until=until.isoformat() if until else None, n_deadlines=len(dls))
    return state, [_row(d, i) for i, d in enumerate(dls)]


def _iso(v: date | None) -> str | None:
    return None if v is None else v.isoformat()


def _row(d: Deadline, position: int) -> tuple:
    """A deadline as a stored row, in ``case_deadlines``' field order (what
    :meth:`.deadlines.Deadline.to_dict` gives, messages as JSON)."""
    missing_zh, missing_en = missing_words(d.missing) if d.missing is not None else (None, None)
    return (d.case_id, d.deadline, d.zh, d.en, d.kind, d.status, _iso(d.due_date), d.start_event,
            _iso(d.start_date), None if d.limit_days is None else float(d.limit_days), d.day_kind,
            _iso(d.nominal_due), int(bool(d.moved)), d.stop_event, _iso(d.stop_date), int(bool(d.provisional)),
            d.provisional_reason, dumps(d.source), None if d.verified is None else int(bool(d.verified)),
            d.profile, dumps(d.note), dumps(d.missing), missing_zh, missing_en, d.advisory, position)


def refresh(tx, case_ids: Iterable[str], histories: Mapping[str, Sequence] | None = None,
            replays: Mapping[str, Any] | None = None) -> int:
    """Derive and store the state of ``case_ids`` in the open transaction ``tx`` (a case no
    longer stored loses its state); the number of cases derived. ``histories``: the cases'
    whole event histories where the caller holds them already (an import), else they are read;
    ``replays``: their replays' states, where replayed without refusals and without stored
    evaluations (what :func:`.deadlines.compute_deadlines` would replay).
    The cases derived are no longer pending for the before-commit hook."""
    ids = sorted({str(c) for c in case_ids})
    if not ids or not tx.has_layer("case_states"):
        return 0
    few = len(ids) <= 500
    cases = tx.read("cases", case_id=ids) if few else tx.read("cases")
    cases = cases[cases["case_id"].isin(ids)]
    if histories is None or not set(ids) <= set(histories):
        events = _by_case(tx.read("case_events", case_id=ids) if few else tx.read("case_events"))
    else:
        events = histories
    ledger = _by_case(tx.read("funds_ledger", case_id=ids) if few else tx.read("funds_ledger"))
    prof, prints, alike = CaseProfiles(), {}, {}
    states, rows = [], []
    for case in cases.to_dict("records"):
        cid = case["case_id"]
        mine_events, mine_ledger = events.get(cid, []), ledger.get(cid)
        # a register's cases without history or ledger derive alike when their records do
        sig = None if mine_events or mine_ledger else _signature(case)
        try:
            if sig is not None and alike.get(sig) is not None:
                state, mine = _as_case(alike[sig], case)
            else:
                state, mine = derive(case, mine_events, mine_ledger, prof, prints,
                                     (replays or {}).get(cid) if events is histories else None)
                if sig is not None:
                    alike[sig] = (state, mine) if _reusable(cid, mine) else None
        except Exception:  # noqa: BLE001 — a state that cannot be derived is derived again on read
            log.warning("deadlines of case %s not stored (derived on read instead)", cid, exc_info=True)
            continue
        states.append(state)
        rows += mine
    bulk_cases.replace_states(tx, ids, states, rows)
    tx.written.get("cases", set()).difference_update(ids)
    return len(states)


#: case fields that do not enter a case's deadlines (names, free text, the record's stamps)
_NOT_DERIVED = frozenset({"case_id", "title", "notes", "public_title", "version", "updated_at", "attributes"})


def _signature(case: Mapping[str, Any]) -> tuple:
    """What an event-less case's deadlines are derived from: every field that may enter them and
    the day its record was written (the implied takeover's date)."""
    return tuple(sorted((k, repr(v)) for k, v in case.items() if k not in _NOT_DERIVED)) + \
        (str(case.get("updated_at"))[:10],)


def _reusable(cid: str, rows: Sequence[tuple]) -> bool:
    """Rows that name their case only in ``case_id`` (so another case's copy is exact)."""
    return not any(cid in str(v) for r in rows for v in r[1:] if v is not None)


def _as_case(derived: tuple[dict, list[tuple]], case: Mapping[str, Any]) -> tuple[dict, list[tuple]]:
    """Another case's derived state and rows as ``case``'s (same signature)."""
    state, rows = derived
    cid = str(case["case_id"])
    return {**state, "case_id": cid, "case_stamp": _stamp(case)}, [(cid,) + r[1:] for r in rows]


def _by_case(frame_: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in frame_.to_dict("records"):
        out.setdefault(row["case_id"], []).append(row)
    return out


@bulk_cases.before_commit
def _on_commit(tx, written: Mapping[str, set]) -> None:
    """The store's before-commit hook: every case written in ``tx`` gets its state derived."""
    if written.get("cases"):
        refresh(tx, written["cases"])


def backfill(store) -> int:
    """Derive the state of every case whose stored state is missing or does not hold (a store
    written before the state was kept: ``restoration db upgrade``); the number derived."""
    stale = stale_cases(store)
    if not stale:
        return 0
    with store.transaction("system") as tx:
        return refresh(tx, stale)


def _inner(store):
    """The store under a user's scoped view: the derived rows read from it are kept only for the
    cases read through the view (``cases``), so nothing outside the user's region is shown."""
    return getattr(store, "unscoped", store)


def stale_cases(store, today: date | None = None) -> list[str]:
    """The cases whose stored state does not hold on ``today`` (read afresh until written)."""
    cases = store.read("cases", columns=CASE_COLUMNS)
    holds = _holds(store, cases, today or config.today(), CaseProfiles())
    return cases.loc[~holds, "case_id"].tolist()


# -- reading --------------------------------------------------------------------------------------
def _holds(store, cases: pd.DataFrame, today: date, prof: CaseProfiles) -> np.ndarray:
    """Per case of ``cases``: does its stored state hold on ``today``?"""
    states = bulk_cases.read_states(_inner(store)).drop_duplicates("case_id", keep="last").set_index("case_id")
    if not len(cases):
        return np.zeros(0, dtype=bool)
    st = states.reindex(cases["case_id"].astype(str))
    day = today.isoformat()
    stamps = cases["version"].astype(str) + "|" + cases["updated_at"].astype(str)
    ok = st["case_stamp"].to_numpy() == stamps.to_numpy()
    ok &= st["profile_key"].notna().to_numpy()
    ok &= (st["valid_from"].fillna("0000-00-00") <= day).to_numpy()
    ok &= (st["valid_until"].fillna("9999-99-99") > day).to_numpy()
    # the profile version that judges each case now, and its files: once per profile and day
    names = cases["profile"].map(lambda p: profile_name({"profile": p}))
    on = st["judged_on"].where(st["judged_on"].map(lambda v: isinstance(v, str)), day)
    pairs = pd.DataFrame({"name": names.to_numpy(), "on": on.to_numpy()})
    now, prints = {}, {}
    for name, when in pairs[ok].drop_duplicates().itertuples(index=False):
        key = prof.key(name, date.fromisoformat(when))
        if key not in prints:
            loaded = prof.load({"case_id": None}, key)
            prints[key] = fingerprint(loaded) if isinstance(loaded, Profile) else None
        now[(name, when)] = (key, prints[key])
    want = [now.get(k, (None, None)) for k in zip(pairs["name"], pairs["on"])]
    ok &= np.array([w[0] for w in want], dtype=object) == st["profile_key"].to_numpy()
    ok &= np.array([w[1] for w in want], dtype=object) == st["fingerprint"].to_numpy()
    return ok


def register_deadlines(store, cases: pd.DataFrame, today: date, statuses: Sequence[str] | None = None
                       ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The deadlines of ``cases`` (a read of the register: at least :data:`CASE_COLUMNS`) as of
    ``today`` — the stored ones where they hold, the others derived afresh — as
    :func:`.deadlines.frame` gives them, in the register's order; only those with one of
    ``statuses`` if given (an open deadline may be overdue by today: either reads both). Also the
    cases whose profile is unusable."""
    prof = CaseProfiles()
    holds = _holds(store, cases, today, prof)
    good = set(cases.loc[holds, "case_id"].astype(object))
    wanted = None if statuses is None else \
        tuple(set(statuses) | (set(_PENDING) if set(statuses) & set(_PENDING) else set()))
    stored = bulk_cases.read_deadlines(_inner(store), statuses=wanted)
    stored = stored[pd.Index(list(good)).get_indexer(stored["case_id"]) >= 0]  # (hashed: arrow strings)
    found: list[Deadline] = []
    if not holds.all():
        ids = cases.loc[~holds, "case_id"].tolist()
        few = len(ids) <= 500
        fresh_cases = store.read("cases", case_id=ids) if few else store.read("cases")
        fresh_cases = fresh_cases[fresh_cases["case_id"].isin(ids)]
        events = _by_case(store.read("case_events", case_id=ids) if few else store.read("case_events"))
        ledger = _by_case(store.read("funds_ledger", case_id=ids) if few else store.read("funds_ledger"))
        for case in fresh_cases.to_dict("records"):
            cid = case["case_id"]
            evs = history.case_history(case, events.get(cid, []), today)
            profile = prof(case, evs)
            if profile is not None:
                found += compute_deadlines(case, evs, profile, ledger.get(cid), today)
    out = pd.concat([_as_frame(stored, today), frame(found)], ignore_index=True) if found else _as_frame(stored, today)
    if statuses is not None:
        out = out[out["status"].isin(statuses)]
    order = {cid: i for i, cid in enumerate(cases["case_id"])}
    out = out.assign(_o=out["case_id"].map(order), _p=range(len(out)))
    out = out.sort_values(["_o", "_p"], kind="stable").drop(columns=["_o", "_p"]).reset_index(drop=True)
    return _typed(out), dict(prof.problems)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """Column types that follow the values only (not which rows were stored and which derived
    afresh): whole numbers as integers where none is missing, flags as booleans where all are set."""
    for name in ("days_left", "limit_days"):
        col = pd.to_numeric(out[name], errors="coerce").astype(float)
        whole = col.notna().all() and (col % 1 == 0).all()
        out[name] = col.astype("int64") if whole else col
    for name in ("moved", "provisional", "verified", "overdue"):
        col = out[name]
        out[name] = col.astype(bool) if col.notna().all() else col.astype(object).where(col.notna(), None)
    for name in out.columns:  # text as plain objects, missing as None (never a dtype by chance)
        if name not in ("days_left", "limit_days", "moved", "provisional", "verified", "overdue"):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def _as_frame(stored: pd.DataFrame, today: date) -> pd.DataFrame:
    """Stored deadline rows as :func:`.deadlines.frame` gives them, with today applied."""
    n = len(stored)
    out = pd.DataFrame(index=range(n))
    s = stored.reset_index(drop=True)
    status = s["status"].to_numpy(dtype=object)
    due = pd.to_datetime(s["due_date"], errors="coerce")
    pending = np.isin(status, _PENDING) & due.notna().to_numpy()
    ts = pd.Timestamp(today)
    late = pending & (due < ts).to_numpy()  # overdue the day after the due date
    status = np.where(pending, np.where(late, "overdue", "open"), status)
    left = np.full(n, np.nan)
    left[pending] = (due[pending] - ts).dt.days.to_numpy()
    for name in frame([]).columns:
        if name in ("days_left", "overdue", "status_zh", "advisory_zh", "advisory_en"):
            continue
        col = s[name] if name in s else pd.Series([None] * n)
        if name in _MESSAGES:
            col = col.map(lambda v: loads(v) if isinstance(v, str) else None)
        elif name not in _FLAGS and name != "limit_days":
            col = col.astype(object).where(col.notna(), None)
        elif name in _FLAGS:
            col = col.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else bool(v))
        elif name == "limit_days":
            col = col.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else
                          (int(v) if float(v).is_integer() else v))
        out[name] = col.to_numpy(dtype=object) if n else []
    out["status"] = status
    out["days_left"] = left
    out["overdue"] = status == "overdue"
    out["status_zh"] = [STATUS_LABELS[x][0] for x in status]
    adv = [ADVISORY_LABELS.get(a, (None, None)) for a in out["advisory"]]
    out["advisory_zh"], out["advisory_en"] = [a[0] for a in adv], [a[1] for a in adv]
    out = out[list(frame([]).columns)]
    out["overdue"] = out["overdue"].astype(bool)
    return out


_DATES = ("due_date", "start_date", "nominal_due", "stop_date")


def as_deadlines(rows: pd.DataFrame) -> list[Deadline]:
    """Rows of :func:`register_deadlines` as :class:`.deadlines.Deadline` objects."""
    out = []
    for r in rows.to_dict("records"):
        kw = {k: r[k] for k in _FIELDS}
        for k in _DATES:
            kw[k] = date.fromisoformat(kw[k]) if isinstance(kw[k], str) else kw[k]
        left = kw["days_left"]
        kw["days_left"] = None if left is None or (isinstance(left, float) and np.isnan(left)) else int(left)
        lim = kw["limit_days"]
        kw["limit_days"] = None if lim is None or (isinstance(lim, float) and np.isnan(lim)) else lim
        out.append(Deadline(**kw))
    return out


__all__ = ["CASE_COLUMNS", "as_deadlines", "backfill", "derive", "dumps", "fingerprint", "loads", "refresh",
           "register_deadlines", "stale_cases"]
