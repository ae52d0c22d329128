"""Case records in the store: list, read, add events, classify and override, edit — safely.

Every write is one store transaction: the case's ``version`` goes up and the change lands in
``audit_log``. Pass the version you read as ``expected_version``: if someone saved the case in
between, you get a ``ConflictError`` naming who, and nothing of yours is written (theirs stays).
Events are checked against the whole history (:mod:`.workflow`, written through
:func:`.history.record`) before anything is written; the case's ``stage`` is always the stage its
events lead to. A case imported without history is taken over at its stage (:mod:`.takeover`).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

import pandas as pd

from ..messages import Message, Term
from .. import access
from ..errors import InputError, Issue
from ..importer import prepare
from ..model import LAYERS, OPEN_STAGES, CaseClass, Stage
from ..store import Store
from ..validate import validate_frame
from .claims import amount_provenance
from ..disclosure import check_public_text
from .across_cases import repeat_offence_fact
from .attachments import MAX_ATTACHMENT_BYTES, MAX_EVENT_BYTES, check_attachments  # noqa: F401  (the limits re-exported)
from .classify import Classification, classify
from .consultation import consultation_record
from .case_state import CASE_COLUMNS, as_deadlines, register_deadlines
from .check_context import ADVISORY_OVERRIDE
from .deadlines import Deadline, compute_deadlines
from .evaluation_gate import OVERRIDE
from .events import event_code
from .funds import entries as ledger_entries, summarise
from .modes import case_modes
from .procedure_record import procedure_record
from . import history
from .takeover import CORRECTION
from ..profiles.for_case import CaseProfiles, judged_on, profile_for, profile_name
from ..profiles.profile import Profile
from .workflow import Event, make_event, replay, validate_history
from .. import config

#: case fields a user may edit directly (stage follows events; class follows classification)
EDITABLE = ("title", "region", "liable_party", "claimant_agency", "damage_amount_yuan", "incident_date",
            "discovered_date", "clue_source", "disclosed", "notes", "public_title",
            "handling_region", "joint_regions", "appraisers")
#: fields whose change is a disclosure decision (``case.disclose``) or a jurisdiction one (``case.assign``)
DISCLOSURE_FIELDS = ("disclosed", "public_title")
ASSIGNMENT_FIELDS = ("handling_region", "joint_regions", "appraisers")


def case_events(store_or_tx, case_id: str) -> list[Event]:
    """The events stored for a case (without the takeover an event-less case implies)."""
    return history.stored_events(store_or_tx, case_id)


def _today(today: date | None) -> date:
    return today or config.today()


def by_case(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """Rows per case id, as lists of dicts (one conversion for the whole layer)."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row["case_id"], []).append(row)
    return out


# -- reading --------------------------------------------------------------------------------------
def list_cases(store: Store, *, stage: str | None = None, case_class: str | None = None,
               region: str | None = None, open_only: bool = False, today: date | None = None) -> pd.DataFrame:
    """The case register with labels, the next due date, the number of overdue deadlines and of
    deadlines that cannot be computed (``not_computable``; ``missing``: what each lacks)."""
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
    dls, problems = register_deadlines(store, cases, today, statuses=("open", "overdue", "not_computable"))
    by = {cid: g for cid, g in dls.groupby("case_id", sort=False)}
    none = dls.iloc[0:0]
    extra = []
    for case in cases.to_dict("records"):
        cid = case["case_id"]
        mine = by.get(cid, none)
        pending = mine[mine["status"].isin(("open", "overdue"))]
        nxt = pending.sort_values("due_date", kind="stable").iloc[0] if len(pending) else None  # first earliest
        gaps = mine[mine["status"] == "not_computable"]
        extra.append({"stage_zh": Stage(case["stage"]).zh, "class_zh": CaseClass(case["case_class"]).zh,
                      "damage_wan_yuan": case["damage_amount_yuan"] / 1e4,  # NaN stays NaN
                      "next_due": nxt["due_date"] if nxt is not None else None,
                      "next_due_what": f"{nxt['zh']} {nxt['en']}" if nxt is not None else None,
                      "overdue": int(mine["overdue"].sum()),
                      "not_computable": len(gaps), "missing": list(gaps["missing"]),
                      "problem": problems.get(cid)})
    more = pd.DataFrame(extra, index=range(len(cases)), dtype=object,
                        columns=["stage_zh", "class_zh", "damage_wan_yuan", "next_due", "next_due_what", "overdue",
                                 "not_computable", "missing", "problem"])
    more = more.astype({"overdue": int, "not_computable": int, "damage_wan_yuan": float})
    out = pd.concat([cases.reset_index(drop=True), more], axis=1)
    out.attrs["case_problems"] = problems
    return out


def case_record(store: Store, case_id: str, today: date | None = None) -> dict:
    """Everything about one case: the record, events, classification history, consultation,
    modes, ledger summary and deadlines (plain data for the CLI, reports and the dashboard)."""
    today = _today(today)
    case = store.get("cases", case_id)
    evs = history.of(store, case, today)
    profile = profile_for(case, evs)
    result = replay(case, evs, profile, today, evaluations=history.evaluations(store, case_id))
    rows = ledger_entries(store, case_id)
    classes = store.read("case_classifications", case_id=case_id)
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
        "taken_over": None if result.state.taken_over is None else result.state.taken_over.to_dict(),
        "classifications": classes.drop(columns=["fid"], errors="ignore").to_dict("records"),
        "consultation": consultation_record(case, evs, profile, today),
        "modes": case_modes(store, case_id, profile),
        "ledger": summarise(rows, today).to_dict(),
        "deadlines": [d.to_dict() for d in dls],
        "procedure": procedure_record(case, evs, profile, today),
        "amount_provenance": _provenance(store, case),
        "field_evidence": field_evidence(store, case_id),
    }


def field_evidence(store: Store, case_id: str) -> list[dict]:
    """The case's field photos as evidence (``photo_id``, hash, camera time and position, who,
    warnings, whether public), oldest first; empty on a store without field imports."""
    if not store.has_layer("field_photos"):
        return []
    rows = store.read("field_photos", case_id=case_id).rename(columns={"fid": "photo_id"})
    return rows.sort_values(["event_fid", "name"]).to_dict("records")


def _provenance(store, case) -> dict:
    return amount_provenance(store, case)


def deadlines(store: Store, case_id: str, today: date | None = None,
              profile: Profile | None = None) -> list[Deadline]:
    """Every deadline of a case as of ``today`` (see :mod:`.deadlines`); with ``profile`` (e.g. a
    draft version), what they would be under it — a what-if that changes nothing stored."""
    if profile is None:  # the stored deadlines (derived afresh where they do not hold)
        cases = store.read("cases", case_id=case_id)
        if len(cases):
            found, problems = register_deadlines(store, cases, _today(today))  # (one case)
            if case_id not in problems:  # else profile_for below says what is wrong
                return as_deadlines(found)
    case = store.get("cases", case_id)
    evs = history.of(store, case, _today(today))
    return compute_deadlines(case, evs, profile or profile_for(case, evs), ledger_entries(store, case_id),
                             _today(today))


def all_deadlines(store: Store, today: date | None = None) -> pd.DataFrame:
    """Every deadline of every case (one read per layer), with the case title."""
    return _register(store, _today(today))


def _register(store: Store, today: date, statuses: tuple[str, ...] | None = None) -> pd.DataFrame:
    cases = store.read("cases", columns=CASE_COLUMNS)
    out, problems = register_deadlines(store, cases, today, statuses)
    out.insert(1, "title", out["case_id"].map(cases.set_index("case_id")["title"]))
    out.attrs["case_problems"] = problems  # {case_id: bilingual message}
    return out


def overdue(store: Store, today: date | None = None) -> pd.DataFrame:
    """Every overdue deadline of every case, most overdue first. ``attrs["not_computable"]``: the
    deadlines that cannot be computed (a frame: case, deadline, ``missing``), so nobody reads "0
    overdue" where the answer is unknown; ``attrs["case_problems"]``: cases whose rule profile is
    unusable, with why."""
    out = _register(store, _today(today), ("overdue", "not_computable"))
    problems = out.attrs.get("case_problems", {})
    gaps = out[out["status"] == "not_computable"].sort_values(["case_id", "deadline"]).reset_index(drop=True)
    out = out[out["overdue"].astype(bool)].sort_values(["days_left", "case_id"]).reset_index(drop=True)
    out.attrs["case_problems"] = problems
    out.attrs["not_computable"] = gaps
    return out


def check_all(store: Store, today: date | None = None) -> dict[str, list[str]]:
    """Replay every case's history: refused events and stage mismatches, by case id."""
    today = _today(today)
    events, evals = by_case(store.read("case_events")), history.evaluations(store)
    prof = CaseProfiles()
    out = {}
    for case in store.read("cases").to_dict("records"):
        evs = history.case_history(case, events.get(case["case_id"], []), today)
        profile = prof(case, evs)
        if profile is None:
            out[case["case_id"]] = [prof.problems[case["case_id"]]]
            continue
        r = replay(case, evs, profile, today, evaluations=evals.get(case["case_id"], []))
        problems = [m for _, _, m in r.problems]
        if r.stage is not None and r.stage.value != case["stage"]:
            problems.append(Message("event.stage_mismatch", {"stored": Term("stage", case["stage"]),
                                                             "replayed": Term("stage", r.stage.value)}))
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


def _still_valid(tx, case: Mapping[str, Any], today: date | None, what: Message) -> None:
    """Refuse a change of the case that its recorded history would no longer satisfy (e.g. an
    incident date after recorded events, or a class change under a simplified appraisal)."""
    evs = history.of(tx, case, _today(today))
    result = replay(case, evs, profile_for(case, evs), _today(today),
                    evaluations=history.evaluations(tx, case["case_id"]))
    if result.problems:
        raise InputError([Issue(Message("case.breaks_history", {"what": what, "problem": m}),
                                source=Message("where.case", {"case": case["case_id"]})) for _, _, m in result.problems])


def add_event(store: Store, case_id: str, event: Mapping[str, Any], actor: "access.Actor | str",
              expected_version: int | None = None, today: date | None = None,
              attachments: Sequence[tuple[str, str, bytes]] = (), request_id: str | None = None) -> dict:
    """Record one event: checked against the case's whole history, then written with the case's
    new stage. Returns the updated case (with its new ``version``).

    ``event``: ``event_type`` (a code or a label), ``event_date`` (YYYY-MM-DD), optional
    ``details`` (a JSON object: ``reason`` for side exits, ``circumstance`` for a failed
    consultation, ``clauses`` for an agreement, ``deadlines`` for dates the case must meet,
    ``extension_approved`` for a meeting beyond the limit, ``stage``/``reason``/``document`` for a
    stage correction, ``evaluation_override`` for an acceptance against the evaluation).
    ``attachments`` — (file name, MIME type, bytes), e.g. inspection photos — are checked
    (``restoration.cases.attachments``) and stored with the event in the same transaction; a
    ``photos`` list in the details becomes the attachments' stored (safe) names.
    """
    today = _today(today)
    attachments = check_attachments(attachments, source=Message("where.case", {"case": case_id}))
    details = dict(event.get("details") or {}) if isinstance(event.get("details"), Mapping) else None
    if details is not None and "photos" in details:  # the names stored, never the ones the browser sent
        details["photos"] = [name for name, _, _ in attachments]
        event = {**dict(event), "details": details}
    who = _require_event(store, case_id, event, actor)
    ev = make_event({**dict(event), "actor": who.name}, source=f"case {case_id}")
    with store.transaction(who.name) as tx:
        def write():
            case = _lock(tx, case_id, expected_version)
            _funds_problem(tx, case_id, ev)
            hist = history.of(tx, case, today)
            updated, fids = history.record(tx, case, hist, [ev], who.name, profile_for(case, hist + [ev]), today,
                                           expected_version=expected_version,
                                           changes=_jurisdiction_changes(case, ev))
            if attachments:
                files = pd.DataFrame([{"case_id": case_id, "event_fid": fids[0], "name": name, "mime": mime,
                                       "size_bytes": len(data), "data": bytes(data)}
                                      for name, mime, data in attachments])
                tx.insert("attachments", files, action=f"attachments of event {fids[0]}")
            return updated
        return tx.once(request_id, "case.event", write)


def _funds_problem(tx, case_id: str, ev: Event) -> None:
    """The use of funds (资金使用情况) is disclosed only once the ledger records a disbursement: the
    one event check that needs the ledger, not the event history."""
    if ev.event_type != "disclosed" or ev.details.get("item") != "fund_use":
        return
    entries = ledger_entries(tx, case_id)
    if len(entries) and (entries["entry_type"] == "disbursed").any():
        return
    raise InputError(Issue(Message("event.fund_use_nothing_disbursed", {
        "event": Term("event", ev.event_type), "date": ev.event_date.isoformat()}),
        source=Message("where.case", {"case": case_id}), field="details.item"))


def _require_event(store: Store, case_id: str, event: Mapping[str, Any], actor) -> "access.Actor":
    """The permissions an event needs (checked before the event itself): ``case.event`` (an
    appraiser's result: ``case.appraisal``); jurisdiction events ``case.assign``; a stage
    correction or an acceptance against the evaluation ``case.correct``."""
    who = access.as_actor(actor)
    etype = event_code(event.get("event_type")) or event.get("event_type")
    details = event.get("details")
    action = "case.event"
    if not who.can(action) and etype in access.APPRAISAL_EVENTS:
        action = "case.appraisal"  # an appraiser's result on a case assigned to them
    access.require(who, action, store, case_id=case_id)
    if etype in ("jurisdiction_assigned", "joint_handling_agreed"):
        access.require(who, "case.assign", store, case_id=case_id)  # these events set the jurisdiction fields
    if etype == CORRECTION or (isinstance(details, Mapping) and (OVERRIDE in details or ADVISORY_OVERRIDE in details)):
        access.require(who, "case.correct", store, case_id=case_id)
    return who


def _jurisdiction_changes(case: Mapping[str, Any], ev: Event) -> dict:
    """A jurisdiction or joint-handling event sets the case's ``handling_region`` / adds to its
    ``joint_regions`` (the jurisdiction fields, where the store has them)."""
    fields = LAYERS["cases"].field_names
    out: dict = {}
    if ev.event_type == "jurisdiction_assigned" and "handling_region" in fields:
        out["handling_region"] = str(ev.details.get("handling_region"))
    if ev.event_type == "joint_handling_agreed" and "joint_regions" in fields and ev.details.get("joint_regions"):
        have = list(case.get("joint_regions") or [])
        out["joint_regions"] = have + [r for r in ev.details["joint_regions"] if r not in have]
    return out


def update_case(store: Store, case_id: str, changes: Mapping[str, Any], actor: "access.Actor | str",
                expected_version: int | None = None, today: date | None = None,
                request_id: str | None = None) -> dict:
    """Edit fields of a case (``EDITABLE``) under the optimistic lock; returns the updated case.
    A change the recorded events would no longer satisfy (an incident date after them) is refused.
    A ``request_id`` already used (a form submitted twice) changes nothing again and returns the
    case as that request left it (no conflict with the version the form was rendered with)."""
    bad = [k for k in changes if k not in EDITABLE]
    if bad:
        raise InputError(Issue(Message("case.not_editable", {"fields": [Term("detail", k) for k in bad],
                                                             "editable": [Term("detail", k) for k in EDITABLE]}),
                               source=Message("where.case", {"case": case_id})))
    who = _require_edit(store, case_id, changes, actor)
    if "public_title" in changes:
        check_public_text(changes["public_title"], "public_title", {**store.get("cases", case_id), **changes})
    with store.transaction(who.name) as tx:
        def write() -> dict:
            current = _lock(tx, case_id, expected_version)
            frame_ = pd.DataFrame([{**{k: current.get(k) for k in EDITABLE}, **changes, "case_id": case_id,
                                    "case_class": current["case_class"], "stage": current["stage"]}])
            clean = validate_frame("cases", frame_, f"case {case_id}").frame.iloc[0].to_dict()
            edit = {k: clean[k] for k in changes}
            if "damage_amount_yuan" in edit and len(tx.read("claim_items", case_id=case_id)):
                raise InputError(Issue(f"case {case_id}'s damage amount is the sum of its claim items: change an "
                                       "item (restoration case claim add / appraisal record --replaces), not the "
                                       "total", source=case_id, field="damage_amount_yuan"))
            if "damage_amount_yuan" in edit:  # an amount typed by hand is marked as such
                edit["damage_amount_source"] = "manual" if edit["damage_amount_yuan"] is not None and \
                    not pd.isna(edit["damage_amount_yuan"]) else None
                edit["damage_appraisal_id"] = None
            if "incident_date" in edit:
                _still_valid(tx, {**current, **edit}, today,
                             Message("case.what_incident_date", {"date": edit["incident_date"]}))
            return tx.update("cases", case_id, edit, expected_version=expected_version)

        return tx.once(request_id, "case.update", write)


def _require_edit(store, case_id: str, changes: Mapping[str, Any], actor) -> "access.Actor":
    """The permissions an edit needs: ``case.edit`` for plain fields, ``case.disclose`` for the
    disclosure decision and public text, ``case.assign`` for the jurisdiction and appraisers —
    and the new handling region and joint handlers inside the actor's region."""
    who = access.as_actor(actor)
    plain = [k for k in changes if k not in DISCLOSURE_FIELDS + ASSIGNMENT_FIELDS]
    if plain:
        access.require(who, "case.edit", store, case_id=case_id)
    if any(k in changes for k in DISCLOSURE_FIELDS):
        access.require(who, "case.disclose", store, case_id=case_id)
    if any(k in changes for k in ASSIGNMENT_FIELDS):
        access.require(who, "case.assign", store, case_id=case_id)
        tree = access.region_tree(store)
        new = [changes["handling_region"]] if changes.get("handling_region") else []
        joint = changes.get("joint_regions") or []
        if isinstance(joint, str):
            joint = [j for j in (x.strip() for x in joint.replace("，", ",").split(",")) if j]
        unknown = [r for r in [*new, *joint] if tree.resolve(r) is None]
        if unknown:
            raise InputError(Issue(Message("case.unknown_regions", {"regions": [str(r) for r in unknown],
                                                                    "province": access.PROVINCE}),
                                   source=Message("where.case", {"case": case_id}), field="handling_region"))
        for r in new:  # joint handlers may be outside: 联合办案 brings in another region
            access.require(who, "case.assign", store, region=r)
    return who


def record_classification(store: Store, case_id: str, facts: Mapping[str, Any], actor: "access.Actor | str",
                          expected_version: int | None = None, profile: Profile | None = None) -> Classification:
    """Classify a case from its facts, store the decision with the rules that fired, and set the
    case's class."""
    actor = access.require(actor, "case.classify", store, case_id=case_id).name
    with store.transaction(actor) as tx:
        case = _lock(tx, case_id, expected_version)
        prof = profile or profile_for(case, case_events(tx, case_id))
        facts, repeat = repeat_offence_fact(tx, case, facts, prof)
        result = classify(facts, prof, source=f"case {case_id} facts")
        if repeat is not None:
            result.fired.insert(0, repeat)
        _still_valid(tx, {**case, "case_class": result.case_class}, None,
                     Message("case.what_class", {"case_class": Term("case_class", result.case_class)}))
        stored_facts = dict(result.facts)
        amount = stored_facts.get("damage_amount_yuan")
        if amount is not None and amount == case.get("damage_amount_yuan"):
            # which appraisal the amount came from (or that it was typed by hand), with the decision
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
    actor = access.require(actor, "case.classify", store, case_id=case_id).name
    with store.transaction(actor) as tx:
        case = _lock(tx, case_id, expected_version)
        _still_valid(tx, {**case, "case_class": case_class}, None, f"class '{case_class}'")
        last = tx.read("case_classifications", case_id=case_id)
        computed = last["computed_class"].iloc[-1] if len(last) else None
        facts = last["facts"].iloc[-1] if len(last) else None
        _insert_decision(tx, case_id, profile_name(case), facts, computed, case_class,
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
    evs = history.of(store, case, _today(today))
    return validate_history(case, evs, profile_for(case, evs), _today(today))
