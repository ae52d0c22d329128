"""Case records in the store: list, read, add events, classify and override, edit — safely.

Every write is one store transaction: the case's ``version`` goes up and the change lands in
``audit_log``. Pass the version you read as ``expected_version``: if someone saved the case in
between, you get a ``ConflictError`` naming who, and nothing of yours is written (theirs stays).
Events are checked against the whole history (:mod:`.workflow`) before anything is written; the
case's ``stage`` is always the stage its events lead to.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import InputError, Issue
from ..importer import prepare
from ..model import OPEN_STAGES, CaseClass, Stage
from ..store import Store
from .classify import Classification, classify
from .consultation import consultation_record
from .deadlines import Deadline, compute_deadlines, frame
from .funds import entries as ledger_entries, summarise
from .rules import Profile, load_profile
from .workflow import Event, make_event, order, replay, validate_history
from .. import config

#: case fields a user may edit directly (stage follows events; class follows classification)
EDITABLE = ("title", "region", "liable_party", "claimant_agency", "damage_amount_yuan", "incident_date",
            "discovered_date", "clue_source", "disclosed", "notes")


def judged_on(case: Mapping[str, Any], events: Sequence[Event | Mapping] | None = None) -> date:
    """The date whose rules judge the case: its filing date (立案), else its clue registration,
    else the discovery date, else today (Zhejiang art. 10, Guangxi ch. 8: rules in force by date)."""
    found: dict[str, date] = {}
    for e in events or []:
        etype = e.event_type if isinstance(e, Event) else e.get("event_type")
        if etype not in ("filed", "clue_registered"):
            continue
        day = make_event(e).event_date
        found[etype] = min(found.get(etype, day), day)
    if "filed" in found:
        return found["filed"]
    if "clue_registered" in found:
        return found["clue_registered"]
    disc = case.get("discovered_date")
    if disc is not None and not (isinstance(disc, float) and pd.isna(disc)):
        try:
            return date.fromisoformat(str(disc)[:10])
        except ValueError:
            pass
    from ..config import today as _config_today
    return _config_today()


def profile_for(case: Mapping[str, Any], events: Sequence[Event | Mapping] | None = None) -> Profile:
    """The case's rule profile: the version of ``case.profile`` in force on its filing date (a
    case naming a version, ``zhejiang@2026``, uses exactly that one)."""
    return load_profile(case.get("profile") or "guangxi", on=judged_on(case, events))


def _profiles():
    """``profile_for`` that loads each profile version once per call of a many-case function."""
    from .rules import version_in_force
    seen: dict[tuple, Profile] = {}
    chosen: dict[tuple, Any] = {}

    def get(case: Mapping[str, Any], events: Sequence | None = None) -> Profile:
        name = case.get("profile") or "guangxi"
        on = judged_on(case, events)
        if (name, on) not in chosen:
            v = version_in_force(name, on) if "@" not in name else None
            chosen[(name, on)] = str(v.path) if v is not None else name
        key = chosen[(name, on)]
        if key not in seen:
            seen[key] = load_profile(key)
        return seen[key]
    return get


def case_events(store_or_tx, case_id: str) -> list[Event]:
    rows = store_or_tx.read("case_events", "case_id = ?", (case_id,))
    return order(make_event(r) for r in rows.to_dict("records"))


def _today(today: date | None) -> date:
    return today or config.today()


def _by_case(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """Rows per case id, as lists of dicts (one conversion for the whole layer)."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row["case_id"], []).append(row)
    return out


# -- reading --------------------------------------------------------------------------------------
def list_cases(store: Store, *, stage: str | None = None, case_class: str | None = None,
               region: str | None = None, open_only: bool = False, today: date | None = None) -> pd.DataFrame:
    """The case register with labels, the next due date and the number of overdue deadlines."""
    today = _today(today)
    cases = store.read("cases")
    if stage:
        cases = cases[cases["stage"] == stage]
    if case_class:
        cases = cases[cases["case_class"] == case_class]
    if region:
        cases = cases[cases["region"] == region]
    if open_only:
        cases = cases[cases["stage"].isin([s.value for s in OPEN_STAGES])]
    events, ledger = _by_case(store.read("case_events")), _by_case(store.read("funds_ledger"))
    prof = _profiles()
    extra = []
    for case in cases.to_dict("records"):
        cid = case["case_id"]
        dls = compute_deadlines(case, events.get(cid, []), prof(case, events.get(cid)), ledger.get(cid), today)
        pending = [d for d in dls if d.status in ("open", "overdue")]
        nxt = min(pending, key=lambda d: d.due_date) if pending else None
        extra.append({"stage_zh": Stage(case["stage"]).zh, "class_zh": CaseClass(case["case_class"]).zh,
                      "damage_wan_yuan": case["damage_amount_yuan"] / 1e4,  # NaN stays NaN
                      "next_due": nxt.due_date.isoformat() if nxt else None,
                      "next_due_what": f"{nxt.zh} {nxt.en}" if nxt else None,
                      "overdue": sum(d.overdue for d in dls)})
    more = pd.DataFrame(extra, index=range(len(cases)), dtype=object,
                        columns=["stage_zh", "class_zh", "damage_wan_yuan", "next_due", "next_due_what", "overdue"])
    more = more.astype({"overdue": int, "damage_wan_yuan": float})
    return pd.concat([cases.reset_index(drop=True), more], axis=1)


def case_record(store: Store, case_id: str, today: date | None = None) -> dict:
    """Everything about one case: the record, events, classification history, consultation,
    modes, ledger summary and deadlines (plain data for the CLI, reports and the dashboard)."""
    from .modes import case_modes
    from .procedure import procedure_record
    today = _today(today)
    case = store.get("cases", case_id)
    evs = case_events(store, case_id)
    profile = profile_for(case, evs)
    result = replay(case, evs, profile, today)
    rows = ledger_entries(store, case_id)
    classes = store.read("case_classifications", "case_id = ?", (case_id,))
    dls = compute_deadlines(case, evs, profile, rows, today)
    channel = profile.channel_for(case.get("clue_source"))
    return {
        "case": case,
        "stage": case["stage"],
        "derived_stage": result.stage.value if result.stage else None,
        "problems": [m for _, _, m in result.problems],
        "profile": {"id": profile.id, "key": profile.key, "chain": list(profile.chain),
                    "status": profile.status, "judged_on": judged_on(case, evs).isoformat(),
                    "effective_from": profile.effective_from.isoformat() if profile.effective_from else None},
        "clue_channel": None if channel is None else {"id": channel.id, "zh": channel.zh, "en": channel.en,
                                                       "source": channel.source},
        "events": [e.to_dict() for e in evs],
        "classifications": classes.drop(columns=["fid"], errors="ignore").to_dict("records"),
        "consultation": consultation_record(case, evs, profile, today),
        "modes": case_modes(store, case_id, profile),
        "ledger": summarise(rows, today).to_dict(),
        "deadlines": [d.to_dict() for d in dls],
        "procedure": procedure_record(case, evs, profile, today),
        "amount_provenance": _provenance(store, case),
    }


def _provenance(store, case) -> dict:
    from ..appraisal.records import amount_provenance
    return amount_provenance(store, case)


def deadlines(store: Store, case_id: str, today: date | None = None) -> list[Deadline]:
    """Every deadline of a case as of ``today`` (see :mod:`.deadlines`)."""
    case = store.get("cases", case_id)
    evs = case_events(store, case_id)
    return compute_deadlines(case, evs, profile_for(case, evs), ledger_entries(store, case_id), _today(today))


def all_deadlines(store: Store, today: date | None = None) -> pd.DataFrame:
    """Every deadline of every case (one read per layer), with the case title."""
    today = _today(today)
    cases = store.read("cases")
    events, ledger = _by_case(store.read("case_events")), _by_case(store.read("funds_ledger"))
    prof = _profiles()
    found: list[Deadline] = []
    for case in cases.to_dict("records"):
        cid = case["case_id"]
        found += compute_deadlines(case, events.get(cid, []), prof(case, events.get(cid)), ledger.get(cid), today)
    out = frame(found)
    out.insert(1, "title", out["case_id"].map(cases.set_index("case_id")["title"]))
    return out


def overdue(store: Store, today: date | None = None) -> pd.DataFrame:
    """Every overdue deadline of every case, most overdue first."""
    out = all_deadlines(store, today)
    out = out[out["overdue"].astype(bool)]
    return out.sort_values(["days_left", "case_id"]).reset_index(drop=True)


def check_all(store: Store, today: date | None = None) -> dict[str, list[str]]:
    """Replay every case's history: refused events and stage mismatches, by case id."""
    today = _today(today)
    events = _by_case(store.read("case_events"))
    prof = _profiles()
    out = {}
    for case in store.read("cases").to_dict("records"):
        r = replay(case, events.get(case["case_id"], []), prof(case, events.get(case["case_id"])), today)
        problems = [m for _, _, m in r.problems]
        if r.stage is not None and r.stage.value != case["stage"]:
            problems.append(f"stage is '{case['stage']}' but the events lead to '{r.stage.value}'")
        if problems:
            out[case["case_id"]] = problems
    return out


# -- writing --------------------------------------------------------------------------------------
def _lock(tx, case_id: str, expected_version: int | None) -> dict:
    """The case, or ConflictError (via the store's optimistic lock) if its version moved on."""
    case = tx.get("cases", case_id)
    if expected_version is not None and int(case["version"]) != int(expected_version):
        tx.update("cases", case_id, {}, expected_version=expected_version)  # raises ConflictError
    return case


def _still_valid(tx, case: Mapping[str, Any], today: date | None, what: str) -> None:
    """Refuse a change of the case that its recorded history would no longer satisfy (e.g. an
    incident date after recorded events, or a class change under a simplified appraisal)."""
    evs = case_events(tx, case["case_id"])
    result = replay(case, evs, profile_for(case, evs), _today(today))
    if result.problems:
        raise InputError([Issue(f"{what} would make the recorded history invalid: {m}",
                                source=f"case {case['case_id']}") for _, _, m in result.problems])


#: largest single attachment accepted (bytes)
MAX_ATTACHMENT_BYTES = 15_000_000


def add_event(store: Store, case_id: str, event: Mapping[str, Any], actor: str,
              expected_version: int | None = None, today: date | None = None,
              attachments: Sequence[tuple[str, str, bytes]] = ()) -> dict:
    """Record one event: checked against the case's whole history, then written with the case's
    new stage. Returns the updated case (with its new ``version``).

    ``event``: ``event_type``, ``event_date`` (YYYY-MM-DD), optional ``details`` (a JSON object:
    ``reason`` for side exits, ``circumstance`` for a failed consultation, ``clauses`` for an
    agreement, ``deadlines`` for dates the case must meet, ``extension_approved`` for a meeting
    beyond the limit). ``attachments`` — (file name, MIME type, bytes), e.g. inspection photos —
    are stored with the event in the same transaction.
    """
    today = _today(today)
    for name, _mime, data in attachments:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InputError(Issue(f"{name}: {len(data) / 1e6:.1f} MB is larger than the "
                                   f"{MAX_ATTACHMENT_BYTES / 1e6:.0f} MB limit for one attachment",
                                   source=f"case {case_id}", field="attachments"))
    ev = make_event({**dict(event), "actor": actor}, source=f"case {case_id}")
    with store.transaction(actor) as tx:
        case = _lock(tx, case_id, expected_version)
        history = case_events(tx, case_id)
        result = replay(case, history + [ev], profile_for(case, history + [ev]), today)
        if result.problems:  # the new event's problem first, then any it causes later on
            problems = sorted(result.problems, key=lambda p: p[1] is not ev)
            raise InputError([Issue(m, source=f"case {case_id}", field="event_type") for _, _, m in problems])
        frame_ = pd.DataFrame([{"case_id": case_id, "event_type": ev.event_type,
                                "event_date": ev.event_date.isoformat(), "actor": actor,
                                "details": dict(ev.details)}])
        clean, _ = prepare(tx, "case_events", frame_)
        tx.insert("case_events", clean, action=f"event {ev.event_type}")
        if attachments:
            fid = int(tx.execute("SELECT MAX(fid) FROM case_events").fetchone()[0])
            files = pd.DataFrame([{"case_id": case_id, "event_fid": fid, "name": name, "mime": mime,
                                   "size_bytes": len(data), "data": bytes(data)}
                                  for name, mime, data in attachments])
            tx.insert("attachments", files, action=f"attachments of event {fid}")
        changes = {"stage": result.stage.value, **_jurisdiction_changes(case, ev)}
        return tx.update("cases", case_id, changes, expected_version=expected_version,
                         action=f"event {ev.event_type}")


def _jurisdiction_changes(case: Mapping[str, Any], ev: Event) -> dict:
    """A jurisdiction or joint-handling event sets the case's ``handling_region`` / adds to its
    ``joint_regions`` (the jurisdiction fields, where the store has them)."""
    from ..model import LAYERS
    fields = LAYERS["cases"].field_names
    out: dict = {}
    if ev.event_type == "jurisdiction_assigned" and "handling_region" in fields:
        out["handling_region"] = str(ev.details.get("handling_region"))
    if ev.event_type == "joint_handling_agreed" and "joint_regions" in fields and ev.details.get("joint_regions"):
        have = list(case.get("joint_regions") or [])
        out["joint_regions"] = have + [r for r in ev.details["joint_regions"] if r not in have]
    return out


def update_case(store: Store, case_id: str, changes: Mapping[str, Any], actor: str,
                expected_version: int | None = None, today: date | None = None) -> dict:
    """Edit fields of a case (``EDITABLE``) under the optimistic lock; returns the updated case.
    A change the recorded events would no longer satisfy (an incident date after them) is refused."""
    bad = [k for k in changes if k not in EDITABLE]
    if bad:
        raise InputError(Issue(f"field(s) {', '.join(bad)} cannot be edited here (stage follows the events, "
                               f"case_class the classification); editable: {', '.join(EDITABLE)}",
                               source=f"case {case_id}"))
    with store.transaction(actor) as tx:
        current = _lock(tx, case_id, expected_version)
        frame_ = pd.DataFrame([{**{k: current.get(k) for k in EDITABLE}, **changes,
                                "case_id": case_id, "case_class": current["case_class"], "stage": current["stage"]}])
        from ..validate import validate_frame
        clean = validate_frame("cases", frame_, f"case {case_id}").frame.iloc[0].to_dict()
        edit = {k: clean[k] for k in changes}
        if "damage_amount_yuan" in edit:  # an amount typed by hand is marked as such (issue 13)
            edit["damage_amount_source"] = "manual" if edit["damage_amount_yuan"] is not None and \
                not pd.isna(edit["damage_amount_yuan"]) else None
            edit["damage_appraisal_id"] = None
        if "incident_date" in edit:
            _still_valid(tx, {**current, **edit}, today, "this incident date")
        return tx.update("cases", case_id, edit, expected_version=expected_version)


def record_classification(store: Store, case_id: str, facts: Mapping[str, Any], actor: str,
                          expected_version: int | None = None, profile: Profile | None = None) -> Classification:
    """Classify a case from its facts, store the decision with the rules that fired, and set the
    case's class."""
    with store.transaction(actor) as tx:
        case = _lock(tx, case_id, expected_version)
        prof = profile or profile_for(case, case_events(tx, case_id))
        from .procedure import repeat_offence_fact
        facts, repeat = repeat_offence_fact(tx, case, facts, prof)
        result = classify(facts, prof, source=f"case {case_id} facts")
        if repeat is not None:
            result.fired.insert(0, repeat)
        _still_valid(tx, {**case, "case_class": result.case_class}, None, f"class '{result.case_class}'")
        stored_facts = dict(result.facts)
        amount = stored_facts.get("damage_amount_yuan")
        if amount is not None and amount == case.get("damage_amount_yuan"):
            # which appraisal the amount came from (or that it was typed by hand), with the decision
            from ..appraisal.records import amount_provenance
            stored_facts["damage_amount_provenance"] = amount_provenance(tx, case)
        _insert_decision(tx, case_id, prof.id, stored_facts, result.case_class, result.case_class,
                         result.fired, False, None, actor)
        tx.update("cases", case_id, {"case_class": result.case_class}, expected_version=expected_version,
                  action="classify")
    return result


def override_class(store: Store, case_id: str, case_class: str, reason: str, actor: str,
                   expected_version: int | None = None) -> dict:
    """A supervisor sets the class against (or without) the computed one, with a recorded reason."""
    if case_class not in CaseClass._value2member_map_:
        raise InputError(Issue(f"unknown class '{case_class}'; use one of "
                               f"{', '.join(c.value for c in CaseClass)}", field="case_class"))
    if not reason or not str(reason).strip():
        raise InputError(Issue("an override needs a reason (调整理由)", field="reason"))
    with store.transaction(actor) as tx:
        case = _lock(tx, case_id, expected_version)
        _still_valid(tx, {**case, "case_class": case_class}, None, f"class '{case_class}'")
        last = tx.read("case_classifications", "case_id = ?", (case_id,))
        computed = last["computed_class"].iloc[-1] if len(last) else None
        facts = last["facts"].iloc[-1] if len(last) else None
        _insert_decision(tx, case_id, case.get("profile") or "guangxi", facts, computed, case_class,
                         [{"effect": "override", "from": case["case_class"], "to": case_class,
                           "reason": reason}], True, str(reason).strip(), actor)
        return tx.update("cases", case_id, {"case_class": case_class}, expected_version=expected_version,
                         action="override class")


def _insert_decision(tx, case_id, profile_id, facts, computed, final, fired, overridden, reason, actor) -> None:
    frame_ = pd.DataFrame([{"case_id": case_id, "profile": profile_id, "facts": facts,
                            "computed_class": computed, "case_class": final, "fired": fired,
                            "overridden": overridden, "reason": reason, "actor": actor}])
    clean, _ = prepare(tx, "case_classifications", frame_)
    tx.insert("case_classifications", clean, action="classification")


def validate_case_history(store: Store, case_id: str, today: date | None = None):
    case = store.get("cases", case_id)
    evs = case_events(store, case_id)
    return validate_history(case, evs, profile_for(case, evs), _today(today))
