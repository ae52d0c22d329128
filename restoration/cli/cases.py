"""``restoration case ...``: case records under provincial rules.

list | show | classify | override | deadlines | overdue | event add | event types | ledger show |
ledger add | mode add | profile | check | export. Dates that matter take ``--today`` (default: the
real date) so a run can be reproduced; writes take ``--actor`` and ``--expected-version`` (the
version you read: a newer one means someone else saved first — exit code 4, nothing written).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from . import _context, claims, clues, evaluation, procedure, takeover
from .deadline_text import print_deadlines, print_overdue
from .types import Number, OutputFile, VocabChoice, require_known
from .. import limits
from ..cases import (EVENT_TYPES, add_event, add_ledger_entry, add_mode, case_record, check_all, classify, deadlines,
                     ledger, list_cases, load_profile, overdue, override_class, read_facts, record_classification)
from ..cases.deadlines import missing_words
from ..cases.events import event_code, event_label
from ..appraisal.common import yuan_text
from ..cases.records import update_case
from ..cases.register import export_register
from ..config import DEFAULT_PROFILE
from ..disclosure import public_cases
from ..errors import InputError, Issue
from ..model import CaseClass, Stage
from ..validate import json_problem


def _store():
    return _context.store()


def _today(value: str | None) -> date:
    return _context.today(value)


def _actor(value: str | None) -> str:
    return _context.actor(value)


def _json_out(obj) -> None:
    _context.echo_json(obj)


#: largest --details / --params accepted (characters): a case event is a record, not a document
MAX_DETAILS_CHARS = 100_000


def _details(text: str | None, option: str = "--details") -> dict:
    """A JSON object given inline or as ``@file.json``; every problem is an InputError naming the
    option (file missing or unreadable, not JSON, not an object, NaN/Infinity, NUL, too large)."""
    if not text:
        return {}
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            if path.stat().st_size > MAX_DETAILS_CHARS * 4:
                raise InputError(Issue(f"{path} is larger than {MAX_DETAILS_CHARS:,} characters", field=option))
            text = limits.read_bounded(path, limits.DOCUMENT_FILE, str(path)).decode("utf-8")
        except FileNotFoundError:
            raise InputError(Issue(f"file not found: {path} (after @ give the path of a JSON file)",
                                   field=option)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(Issue(f"cannot read {path}: {exc}", field=option)) from None
    if len(text) > MAX_DETAILS_CHARS:
        raise InputError(Issue(f"is {len(text):,} characters long; at most {MAX_DETAILS_CHARS:,}", field=option))
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(Issue(f"not valid JSON: {getattr(exc, 'msg', exc)}", field=option)) from None
    if not isinstance(value, dict):
        raise InputError(Issue("must be a JSON object {...}", field=option))
    problem = json_problem(value)
    if problem:
        raise InputError(Issue(problem, field=option))
    return value


_today_opt, _json_opt = _context.today_opt, _context.json_opt
_actor_opt, _version_opt = _context.actor_opt, _context.version_opt


@click.group("case")
def case_group() -> None:
    """案件 Case records: classification, workflow, deadlines, consultation, modes, funds."""


@case_group.command("list")
@click.option("--stage", default=None, type=VocabChoice(Stage),
              help="Only this stage (code or label, e.g. consultation or 赔偿磋商).")
@click.option("--class", "case_class", default=None, type=VocabChoice(CaseClass),
              help="Only this class (code or label, e.g. simple or 简单).")
@click.option("--region", default=None, help="Only this county.")
@click.option("--open", "open_only", is_flag=True, help="Only open cases.")
@_today_opt
@_json_opt
def list_cmd(stage, case_class, region, open_only, today, as_json) -> None:
    """The case register with the next due date and overdue counts."""
    store = _store()
    if region is not None:
        require_known(region, set(store.read("counties")["name"]) | set(store.read("cases")["region"].dropna()),
                      "--region", "county")
    frame = list_cases(store, stage=stage, case_class=case_class, region=region, open_only=open_only,
                       today=_today(today))
    cols = ["case_id", "title", "case_class", "stage", "damage_amount_yuan", "version", "next_due",
            "next_due_what", "overdue", "not_computable"]
    if as_json:
        rows = frame[cols + ["class_zh", "stage_zh", "region", "profile", "problem"]].to_dict("records")
        for row, missing in zip(rows, frame["missing"]):
            row["missing"] = [dict(zip(("zh", "en"), missing_words(m))) for m in missing]
        _json_out(rows)
        _warn_case_problems(frame)
        return
    for r in frame.to_dict("records"):
        money = r["damage_amount_yuan"]
        amount = "" if money is None or money != money else f"{money / 1e4:,.2f}万元"  # NaN != NaN
        due = f"  next {r['next_due']} {r['next_due_what']}" if isinstance(r["next_due"], str) else ""
        late = f"  逾期 overdue {r['overdue']}" if r["overdue"] else ""
        unknown = ("  期限无法计算 cannot be computed: " + "；".join(missing_words(m)[0] for m in r["missing"])
                   if r["not_computable"] else "")
        bad = "  ⚠ 规则配置不可用 rule profile unusable" if r["problem"] else ""
        click.echo(f"{r['case_id']}  v{r['version']}  {r['class_zh']}/{r['stage_zh']}  {r['title']}  "
                   f"{amount}{due}{late}{unknown}{bad}")
    gaps = int((frame["not_computable"] > 0).sum()) if len(frame) else 0
    click.echo(f"{len(frame)} cases" + (f"; {gaps} with deadlines that cannot be computed (期限无法计算)" if gaps else ""))
    _warn_case_problems(frame)


def _warn_case_problems(frame) -> None:
    """Cases whose deadlines could not be computed (an unknown rule profile in the store), on stderr."""
    for message in frame.attrs.get("case_problems", {}).values():
        click.echo(f"注意 warning: {message}", err=True)


@case_group.command("show")
@click.argument("case_id")
@_today_opt
@_json_opt
def show_cmd(case_id, today, as_json) -> None:
    """Everything about one case."""
    rec = case_record(_store(), case_id, _today(today))
    if as_json:
        _json_out(rec)
        return
    c = rec["case"]
    click.echo(f"{c['case_id']}  {c['title']}  (version {c['version']}, profile {rec['profile']['id']})")
    click.echo(f"  类别 class: {CaseClass(c['case_class']).zh} {c['case_class']}   阶段 stage: "
               f"{Stage(c['stage']).zh} {c['stage']}")
    if isinstance(c.get("attributes"), dict) and c["attributes"]:  # extra columns of the imported register
        click.echo("  其他属性 other attributes: " + "; ".join(f"{k}: {v}" for k, v in c["attributes"].items()))
    prov = rec.get("amount_provenance") or {}
    if prov.get("source") == "appraisal":
        click.echo(f"  损害数额 damage amount: {c['damage_amount_yuan']:,.2f} 元 — 鉴定评估 appraisal "
                   f"{prov['appraisal_id']} ({prov['method_zh']} {prov['method_en']}, {prov['appraiser']}, "
                   f"{prov['appraised_on']}{'' if prov['all_verified'] else ', 含未核实取值 uses unverified values'})")
    elif prov.get("source") == "claim_items":
        click.echo(f"  损害数额 damage amount: {yuan_text(c['damage_amount_yuan'])} — 索赔项目合计 sum of the claim items")
        for it in prov["items"]:
            by = f" — 鉴定评估 appraisal {it['appraisal_id']} ({it.get('method_zh', '')}, {it.get('appraiser', '')}, " \
                 f"{it.get('appraised_on', '')}{'' if it.get('all_verified', True) else ', 含未核实取值 uses unverified values'})" \
                if it["appraisal_id"] else ""
            click.echo(f"    {it['item_zh']}: {yuan_text(it['amount_yuan'])}{by}")
    elif prov.get("source") == "manual":
        click.echo(f"  损害数额 damage amount: {c['damage_amount_yuan']:,.2f} 元 — 手工录入 typed by hand")
    if rec["clue_channel"]:
        click.echo(f"  线索渠道 clue channel: {rec['clue_channel']['zh']} ({c['clue_source']})")
    for p in rec["problems"]:
        click.echo(f"  ! {p}")
    click.echo("事件 events:")
    for e in rec["events"]:
        extra = {k: v for k, v in e["details"].items() if k not in ("deadlines", "clauses")}
        click.echo(f"  {e['event_date']}  {event_label(e['event_type'])} {e['event_type']}"
                   f"{'  ' + json.dumps(extra, ensure_ascii=False) if extra else ''}")
    cons = rec["consultation"]
    if cons["meeting_count"] or cons["agreement"] or cons["failure"]:
        click.echo(f"磋商 consultation: {cons['meeting_count']} meeting(s), limit {cons['meeting_limit']['display']}"
                   f", judicial confirmation: {cons['judicial_confirmation']}")
        if cons["agreement"] and cons["agreement"]["missing_clauses"]:
            missing = "、".join(m["zh"] for m in cons["agreement"]["missing_clauses"])
            click.echo(f"  协议缺少必备条款 agreement lacks: {missing}")
        if cons["next_step"]:
            click.echo(f"  → {cons['next_step']}")
    if rec["modes"]:
        click.echo("修复方式 modes:")
        for m in rec["modes"]:
            value = "" if m["value_yuan"] is None else f"  {m['value_yuan']:,.2f} 元"
            sites = ", ".join(s["site_id"] for s in m["sites"])
            click.echo(f"  {m['mode_zh']} {m['mode']} [{m['status']}]{value}{'  sites ' + sites if sites else ''}")
    led = rec["ledger"]
    if led["instalments"] or led["received_yuan"]:
        click.echo(f"资金 funds: due {led['due_yuan'] or led['scheduled_yuan']:,.2f}  received "
                   f"{led['received_yuan']:,.2f}  disbursed {led['disbursed_yuan']:,.2f}  balance "
                   f"{led['balance_yuan']:,.2f}  arrears {led['arrears_yuan']:,.2f}")
    print_deadlines(rec["deadlines"])


@case_group.command("classify")
@click.argument("facts", type=click.Path(dir_okay=False))
@click.option("--profile", "profile_name", default=None,
              help="Rule profile name or .toml path (default: the case's, else the default profile).")
@click.option("--case", "case_id", default=None, help="Also record the result on this case.")
@_actor_opt
@_version_opt
@_json_opt
def classify_cmd(facts, profile_name, case_id, actor, expected_version, as_json) -> None:
    """Classify a case from FACTS.json; prints the class and the rules that fired with their sources."""
    data = read_facts(facts)
    if case_id:
        store = _store()
        prof = load_profile(profile_name) if profile_name else None
        result = record_classification(store, case_id, data, _actor(actor), expected_version, prof)
    else:
        result = classify(data, load_profile(profile_name or DEFAULT_PROFILE), source=Path(facts).name)
    if as_json:
        _json_out(result.to_dict())
        return
    click.echo(f"案件类别 case class: {result.label}  (profile {result.profile})")
    for f in result.fired:
        mark = {True: "✓", False: "✗", None: "?"}[f["met"]]
        click.echo(f"  {mark} {f['detail']}")
        click.echo(f"      {f['rule']} — {f['source']}{'' if f['verified'] else ' (未核实 unverified)'}")
    if case_id:
        click.echo(f"已记录 recorded on {case_id}")


@case_group.command("override")
@click.argument("case_id")
@click.argument("case_class")
@click.option("--reason", required=True, help="Why the class is set by hand (recorded).")
@_actor_opt
@_version_opt
def override_cmd(case_id, case_class, reason, actor, expected_version) -> None:
    """Set CASE_ID's class by hand, with a recorded reason."""
    case = override_class(_store(), case_id, case_class, reason, _actor(actor), expected_version)
    click.echo(f"{case_id}: class {case['case_class']} (version {case['version']})")


@case_group.command("assign")
@click.argument("case_id")
@click.option("--handling-region", default=None, help="Region code handling the case (county id, city, 'province').")
@click.option("--joint", "joint", multiple=True, help="A region handling it jointly (联合办案); repeat; '' clears.")
@click.option("--appraiser", "appraisers", multiple=True, help="A user name assigned as appraiser; repeat.")
@_actor_opt
@_version_opt
def assign_cmd(case_id, handling_region, joint, appraisers, actor, expected_version) -> None:
    """Set who handles CASE_ID: handling region, joint handlers, assigned appraisers."""
    changes = {}
    if handling_region:
        changes["handling_region"] = handling_region
    if joint:
        changes["joint_regions"] = [j for j in joint if j]
    if appraisers:
        changes["appraisers"] = [a for a in appraisers if a]
    if not changes:
        raise InputError(Issue("nothing to change: give --handling-region, --joint or --appraiser", source=case_id))
    case = update_case(_store(), case_id, changes, _actor(actor), expected_version)
    click.echo(f"{case_id}: handled by {case['handling_region']}, joint {', '.join(case['joint_regions']) or '—'}, "
               f"appraisers {', '.join(case['appraisers']) or '—'} (version {case['version']})")


@case_group.command("disclose")
@click.argument("case_id")
@click.option("--public-title", default=None, help="The title the public sees (checked for personal data).")
@click.option("--withdraw", is_flag=True, help="Take the case off the public page.")
@_actor_opt
@_version_opt
def disclose_cmd(case_id, public_title, withdraw, actor, expected_version) -> None:
    """Publish CASE_ID on the public page (or withdraw it), with an approved public title."""
    changes = {"disclosed": not withdraw}
    if public_title is not None:
        changes["public_title"] = public_title or None
    store = _store()
    case = update_case(store, case_id, changes, _actor(actor), expected_version)
    shown = public_cases(store).set_index("case_id")
    title = shown.loc[case_id, "title"] if case_id in shown.index else "—"
    click.echo(f"{case_id}: {'公开 disclosed' if case['disclosed'] else '不公开 withdrawn'}; public title: {title} "
               f"(version {case['version']})")


@case_group.command("deadlines")
@click.argument("case_id")
@_today_opt
@click.option("--profile", "what_if", default=None, metavar="NAME[@VERSION]",
              help="What-if: the deadlines under this profile version (a draft too); the case is not changed.")
@_json_opt
def deadlines_cmd(case_id, today, what_if, as_json) -> None:
    """Every due date of CASE_ID with days left, overdue flags and the rule that set it."""
    prof = load_profile(what_if) if what_if else None
    rows = [d.to_dict() for d in deadlines(_store(), case_id, _today(today), profile=prof)]
    if as_json:
        _json_out({"case_id": case_id, "today": _today(today).isoformat(), "deadlines": rows,
                   "what_if_profile": prof.key if prof else None})
        return
    if prof is not None:
        click.echo(f"假设评估 what-if under {prof.key}"
                   f"{'（草案 draft）' if prof.is_draft else ''}; 案件记录未改变 the case record is unchanged")
    print_deadlines(rows)


@case_group.command("overdue")
@_today_opt
@_json_opt
def overdue_cmd(today, as_json) -> None:
    """Every overdue deadline of every case, and the cases whose deadlines cannot be computed
    (with what is missing)."""
    frame = overdue(_store(), _today(today))
    print_overdue(frame, _today(today), as_json)
    _warn_case_problems(frame)


@case_group.group("event")
def event_group() -> None:
    """Case events."""


@event_group.command("add")
@click.argument("case_id")
@click.argument("event_type")
@click.argument("event_date")
@click.option("--details", default=None,
              help="JSON object (or @file.json): reason, circumstance, clauses, deadlines ...")
@click.option("--override-reason", default=None,
              help="Accept or close against a failed/incomplete effect evaluation: why (needs case.correct).")
@click.option("--override-document", default=None, help="... and the document that decision rests on (文号).")
@_actor_opt
@_version_opt
@_today_opt
def event_add(case_id, event_type, event_date, details, override_reason, override_document, actor,
              expected_version, today) -> None:
    """Record EVENT_TYPE (a code or a label) on EVENT_DATE for CASE_ID (checked against the workflow)."""
    extra = _details(details)
    if override_reason is not None or override_document is not None:
        extra["evaluation_override"] = {"reason": override_reason or "", "document": override_document or ""}
    case = add_event(_store(), case_id, {"event_type": event_type, "event_date": event_date, "details": extra},
                     _actor(actor), expected_version, _today(today))
    code = event_code(event_type) or event_type
    click.echo(f"{case_id}: {event_label(code)} {code} {event_date} recorded; 阶段 {Stage(case['stage']).zh} "
               f"stage {case['stage']}, version {case['version']}")


@event_group.command("types")
def event_types() -> None:
    """The event types and the stage each leads to."""
    for e in EVENT_TYPES.values():
        click.echo(f"{e.code:34s} {e.zh} / {e.en}" + (f"  → {e.stage.zh} {e.stage.value}" if e.stage else ""))


@case_group.group("ledger")
def ledger_group() -> None:
    """Funds ledger of a case."""


@ledger_group.command("show")
@click.argument("case_id")
@_today_opt
@_json_opt
def ledger_show(case_id, today, as_json) -> None:
    """Amounts due, received, disbursed, balance, arrears and instalments."""
    result = ledger(_store(), case_id, _today(today))
    summary = result["summary"].to_dict()
    if as_json:
        _json_out({"case_id": case_id, **summary})
        return
    for k in ("due_yuan", "scheduled_yuan", "received_yuan", "disbursed_yuan", "balance_yuan",
              "outstanding_yuan", "arrears_yuan"):
        click.echo(f"  {k:18s} {summary[k]:>16,.2f}")
    for r in summary["instalments"]:
        click.echo(f"  #{r['instalment_no']} due {r['due_date']} {r['amount_yuan']:,.2f} paid {r['paid_yuan']:,.2f}"
                   f"  {r['status_zh']} {r['status']}")


@ledger_group.command("add")
@click.argument("case_id")
@click.argument("entry_type", type=click.Choice(["due", "instalment_due", "received", "disbursed"]))
@click.argument("amount_yuan", type=Number())
@click.argument("entry_date")
@click.option("--due-date", default=None)
@click.option("--instalment-no", type=click.IntRange(min=1), default=None)
@click.option("--counterparty", default=None)
@click.option("--purpose", default=None)
@click.option("--reference", default=None)
@click.option("--note", default=None)
@_actor_opt
@_version_opt
@_today_opt
def ledger_add(case_id, entry_type, amount_yuan, entry_date, due_date, instalment_no, counterparty, purpose,
               reference, note, actor, expected_version, today) -> None:
    """Record a ledger entry (a disbursement above the balance is refused)."""
    entry = {"entry_type": entry_type, "amount_yuan": amount_yuan, "entry_date": entry_date, "due_date": due_date,
             "instalment_no": instalment_no, "counterparty": counterparty, "purpose": purpose,
             "reference": reference, "note": note}
    add_ledger_entry(_store(), case_id, {k: v for k, v in entry.items() if v is not None}, _actor(actor),
                     expected_version=expected_version, today=_today(today))
    click.echo(f"{case_id}: {entry_type} {amount_yuan:,.2f} recorded")


@case_group.group("mode")
def mode_group() -> None:
    """Restoration modes of a case."""


@mode_group.command("add")
@click.argument("case_id")
@click.argument("mode")
@click.option("--params", default=None, help="Parameters as a JSON object (or @file.json).")
@click.option("--sites", default="", help="Linked site ids, comma-separated.")
@click.option("--bank-project", default=None, help="Bank project id (alternative / off-site).")
@click.option("--status", default="planned", type=click.Choice(["planned", "in_progress", "completed"]))
@click.option("--note", default=None)
@_actor_opt
@_version_opt
@_today_opt
@_json_opt
def mode_add(case_id, mode, params, sites, bank_project, status, note, actor, expected_version, today,
             as_json) -> None:
    """Add a restoration mode (labour in lieu, offset and instalments are computed)."""
    result = add_mode(_store(), case_id, mode, actor=_actor(actor), parameters=_details(params, "--params"),
                      site_ids=[s.strip() for s in sites.split(",") if s.strip()], bank_project_id=bank_project,
                      status=status, note=note, expected_version=expected_version, today=_today(today))
    if as_json:
        _json_out(result)
        return
    value = "" if result["value_yuan"] is None else f" {result['value_yuan']:,.2f} 元 yuan"
    click.echo(f"{case_id}: {mode} added{value}")
    for r in result["rules"]:
        click.echo(f"  {r['rule']} = {r['value']} — {r['source']}")


@case_group.command("profile")
@click.argument("name", default=DEFAULT_PROFILE)
@click.option("--on", "on", default=None, help="Show the version in force on this date (YYYY-MM-DD).")
@_json_opt
def profile_cmd(name, on, as_json) -> None:
    """Show a rule profile: every value (or 'not set'), its source and whether it was verified.
    NAME@VERSION loads one version (a draft too); --on picks the version in force that day."""
    prof = load_profile(name, on=_today(on) if on else None)
    table = prof.table()
    if as_json:
        _json_out({"id": prof.id, "key": prof.key, "status": prof.status, "chain": list(prof.chain),
                   "effective_from": prof.effective_from.isoformat() if prof.effective_from else None,
                   "document_number": prof.document_number, "draft_profiles": sorted(prof.draft_origins),
                   "rules": table.to_dict("records")})
        return
    status = "草案 DRAFT (not in force)" if prof.is_draft else "施行 in force"
    since = f" from {prof.effective_from.isoformat()}" if prof.effective_from else ""
    number = f" {prof.document_number}" if prof.document_number else ""
    click.echo(f"{prof.name_zh} {prof.name_en} [{prof.key}: {status}{since}{number}] ({' → '.join(prof.chain)})")
    if prof.draft_origins:
        click.echo(f"  草案的规则值仅供参考 values set by a draft ({', '.join(sorted(prof.draft_origins))}) are "
                   "advisory, never binding")
    for r in table.to_dict("records"):
        mark = "✓" if r["verified"] else "·"
        held = "（所据文件未存于本平台 verified against a document not held here）" \
            if r["checked_against"] == "not_held" else ""
        advisory = {"draft": " 〔草案·参考 draft — advisory〕", "unverified": " 〔未核实·参考 unverified — advisory〕"}
        click.echo(f" {mark} {r['rule']}: {r['value']}{advisory.get(r['advisory'], '')}   [{r['profile']}] "
                   f"{r['source']}{held}")


@case_group.command("check")
@_today_opt
def check_cmd(today) -> None:
    """Replay every case's history through the workflow; exit 2 if any is refused."""
    problems = check_all(_store(), _today(today))
    if problems:
        raise InputError([Issue(m, source=f"case {cid}") for cid, ms in problems.items() for m in ms])
    click.echo("所有案件流程有效 every case history is valid")


@case_group.command("export")
@click.option("--out", "out", required=True, type=OutputFile(), help="Excel file (.xlsx).")
@_today_opt
def export_cmd(out, today) -> None:
    """Export the case register (cases, deadlines, overdue, funds, rules) to Excel."""
    if not out.lower().endswith(".xlsx"):
        raise InputError(Issue("the register is written as Excel: use a .xlsx file name", field="--out"))
    path = export_register(_store(), out, _today(today))
    click.echo(f"已导出 exported the case register to {path}")


for _command in (*procedure.COMMANDS, *takeover.COMMANDS, *claims.COMMANDS, *clues.COMMANDS, *evaluation.COMMANDS):
    case_group.add_command(_command)
