"""``restoration case ...`` commands for the procedure around a case: procedure,
credit, fund-use, assessment, archive, screening list | add, versions, accountability, sharing.

Standalone commands (:data:`COMMANDS`), added to the ``case`` group by :mod:`restoration.cli.cases`.
"""
from __future__ import annotations

import click

from . import _context
from ..cases.procedure import (ASSESSMENT_COLUMNS, accountability_register, add_screening_report, assessment,
                               credit_record, export_archive, export_assessment, fund_use, information_sharing,
                               procedure_record, screening_report_status)
from ..cases.records import case_events
from ..config import DEFAULT_PROFILE
from ..errors import InputError, Issue
from ..profiles import load_profile, profile_for, profile_versions
from .types import OutputFile


@click.command("procedure")
@click.argument("case_id")
@_context.today_opt
@_context.json_opt
def procedure_cmd(case_id, today, as_json) -> None:
    """Jurisdiction, joint handling, appraisal objections, supervision, public comment, credit,
    offset workflow and disclosures of one case."""
    store = _context.store()
    case = store.get("cases", case_id)
    evs = case_events(store, case_id)
    rec = procedure_record(case, evs, profile_for(case, evs), _context.today(today))
    if as_json:
        _context.echo_json(rec)
        return
    click.echo(f"{case_id}  {case['title']}")
    j = rec["jurisdiction"]
    if j:
        click.echo(f"  管辖 jurisdiction: {j['level_zh']} {j['level']} — {j['handling_region']}"
                   f"{'  依据 ' + str(j['basis']) if j['basis'] else ''}"
                   f"{'  指定 ' + str(j['designated_department']) if j['designated_department'] else ''}")
    for k in rec["joint_handling"]:
        click.echo(f"  联合办案 joint handling: 牵头 lead {k['lead_department']}; {', '.join(k['departments'])}"
                   f"{'; regions ' + ', '.join(k['joint_regions']) if k['joint_regions'] else ''}")
    for g in rec["joint_investigation_groups"]:
        click.echo(f"  联合调查组 joint investigation group ({g['date']}): {g['lead_department']} + "
                   f"{', '.join(g['members'])}")
    if rec["exclusion"]:
        x = rec["exclusion"]
        click.echo(f"  筛查排除 excluded ({x['date']}): {x['zh']} / {x['en']} [{x['source']}]")
    for r in rec["referrals"]:
        click.echo(f"  线索移送 referral ({r['date']}): {r['from_department'] or ''} → {r['to_department']}")
    for group, title in (("institutions", "鉴定评估机构 institution"), ("objections", "异议 objection"),
                         ("third_party_reviews", "第三方论证 review")):
        for r in rec["appraisal"][group]:
            what = r.get("institution") or r.get("grounds") or r.get("outcome") or r.get("conclusion")
            click.echo(f"  {title} ({r['date']}): {r['label_zh']} — {what}")
    for a in rec["agents"]:
        click.echo(f"  代理人 agent ({a['date']}): {a['agent']} for {a['principal']} — {a['document']}")
    for e in rec["enforcement_links"]:
        click.echo(f"  执法衔接 enforcement ({e['date']}): {e['label_zh']} {e['action_zh'] or ''} {e['department'] or ''}")
    sup = rec["supervision"]
    for s in sup["schedule"]:
        click.echo(f"  督办报告 supervision report {s['report_no']}: due {s['due_date']} — {s['status']}"
                   f"{' (' + s['report_date'] + ')' if s.get('report_date') else ''}")
    pp = rec["public_participation"]
    for r in pp["rounds"]:
        click.echo(f"  征求意见 comment period: {r['document_zh']} {r['opened']} → {r['until']}")
    if pp["comments"]:
        click.echo(f"  公众意见 comments: {len(pp['comments'])}, 未答复 unanswered {pp['unanswered']}")
    for c in rec["credit"]:
        click.echo(f"  信用 credit ({c['date']}): {c['label_zh']} {c['measure'] or ''} {c['court'] or ''}")
    off = rec["offset"]
    if off:
        click.echo(f"  技改抵扣 offset: {off['status']}  project {off['project']}  granted "
                   f"{off['granted_offset_yuan'] if off['granted_offset_yuan'] is not None else '—'}")
        for c in off["conditions"]:
            click.echo(f"      {c['zh']}: {c['state']}{'' if c['rule_verified'] else ' (条件表述未核实 wording unverified)'}")
    for d in rec["disclosures"]:
        click.echo(f"  公开 disclosed ({d['date']}): {d['item']}")
    for r in rec["information_sharing"]:
        click.echo(f"  信息共享 shared ({r['date']}): {r['direction_zh']} {r['direction']} {r['with_department']} — "
                   f"{'、'.join(r['items_zh'])}")
    for r in rec["accountability"]:
        click.echo(f"  {r['label_zh']} {r['kind']} ({r['date']}): {r['subject']} — {r['why']}"
                   f"{'  ' + str(r['measure']) if r['measure'] else ''}  [{r['decided_by']}]")


@click.command("accountability")
@click.option("--subject", default=None, help="Only this department or post.")
@_context.json_opt
def accountability_cmd(subject, as_json) -> None:
    """责任追究与表彰激励 Responsibility findings and commendations across cases."""
    frame = accountability_register(_context.store(), subject)
    if as_json:
        _context.echo_json(frame.to_dict("records"))
        return
    for r in frame.to_dict("records"):
        click.echo(f"  {r['date']}  {r['case_id']}  {r['label_zh']} {r['kind']}  {r['subject']} — {r['why']}"
                   f"{'  ' + str(r['measure']) if r['measure'] else ''}  [{r['decided_by']}]")
    click.echo(f"{len(frame)} record(s)")


@click.command("sharing")
@click.option("--department", default=None, help="Only exchanges with this department.")
@_context.json_opt
def sharing_cmd(department, as_json) -> None:
    """信息共享 Information shared between departments across cases."""
    frame = information_sharing(_context.store(), department)
    if as_json:
        _context.echo_json(frame.to_dict("records"))
        return
    for r in frame.to_dict("records"):
        click.echo(f"  {r['date']}  {r['case_id']}  {r['direction_zh']} {r['direction']}  {r['with_department']} — "
                   f"{'、'.join(r['items_zh'])}")
    click.echo(f"{len(frame)} record(s)")


@click.command("credit")
@click.argument("liable_party")
@_context.json_opt
def credit_cmd(liable_party, as_json) -> None:
    """A liable party's credit record across its cases (incentives, dishonest-debtor list)."""
    rec = credit_record(_context.store(), liable_party)
    if as_json:
        _context.echo_json(rec)
        return
    flag = "是 YES" if rec["on_dishonesty_list"] else "否 no"
    click.echo(f"{rec['liable_party']}: {len(rec['cases'])} case(s); 失信被执行人 on the dishonesty list: {flag}; "
               f"诚信激励 incentives: {rec['incentives']}")
    for r in rec["records"]:
        click.echo(f"  {r['date']}  {r['case_id']}  {r['label_zh']} {r['event_type']} {r['measure'] or ''}")


@click.command("fund-use")
@click.argument("case_id")
@_context.json_opt
def fund_use_cmd(case_id, as_json) -> None:
    """Each disbursement and whether it went to the damaged place's restoration (flags the rest)."""
    frame = fund_use(_context.store(), case_id)
    if as_json:
        _context.echo_json(frame.to_dict("records"))
        return
    for r in frame.to_dict("records"):
        where = {True: "损害地 at the damaged place", False: "⚠ 损害地以外 elsewhere", None: "⚠ 未记录 not stated"}
        click.echo(f"  {r['entry_date']}  {r['amount_yuan']:,.2f} 元  {r['site_id'] or '—'}  "
                   f"{where[r['at_damaged_place']]}{'  ' + r['flag_zh'] if r['flag_zh'] else ''}")
    click.echo(f"{len(frame)} disbursement(s)")


@click.command("assessment")
@click.option("--from", "start", default=None, help="Period start YYYY-MM-DD.")
@click.option("--to", "end", default=None, help="Period end YYYY-MM-DD (default: today).")
@click.option("--out", default=None, type=OutputFile(), help="Write an Excel workbook (.xlsx).")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]))
@_context.today_opt
@_context.json_opt
def assessment_cmd(start, end, out, lang, today, as_json) -> None:
    """考核 Per-region indicators: cases opened / filed / closed, agreements, days to agreement,
    restoration accepted, funds due / received / used, overdue supervision reports."""
    s, e, t = _context.parse_day(start, "--from"), _context.parse_day(end, "--to"), _context.today(today)
    if out:
        if not out.lower().endswith(".xlsx"):
            raise InputError(Issue("the assessment is written as Excel: use a .xlsx file name", field="--out"))
        path = export_assessment(_context.store(), out, start=s, end=e, today=t, lang=lang)
        click.echo(f"已导出 exported the assessment to {path}")
        return
    frame = assessment(_context.store(), s, e, t)
    if as_json:
        _context.echo_json(frame.to_dict("records"))
        return
    # headers in the chosen language, missing values as "—" (never snake_case codes or NaN)
    i = 0 if lang == "zh" else 1
    shown = frame.rename(columns={k: v[i] for k, v in ASSESSMENT_COLUMNS.items()}).astype(object)
    begin = frame.attrs["start"]
    begin = "最早记录 first record" if str(begin) <= "1900-01-01" else begin  # no --from: everything
    click.echo(f"统计期 period: {begin} – {frame.attrs['end']}")
    click.echo(shown.where(shown.notna(), "—").to_string(index=False))


@click.command("archive")
@click.argument("case_id")
@click.option("--out", required=True, type=OutputFile(), help="ZIP file.")
@_context.today_opt
def archive_cmd(case_id, out, today) -> None:
    """The case archive (档案) as one ZIP file with an index of every record and attachment."""
    if not out.lower().endswith(".zip"):
        raise InputError(Issue("the archive is one ZIP file: use a .zip file name", field="--out"))
    path = export_archive(_context.store(), case_id, out, _context.today(today))
    click.echo(f"已导出 exported the archive of {case_id} to {path}")


@click.group("screening")
def screening_group() -> None:
    """线索筛查情况报告 Screening reports per region and period."""


@screening_group.command("list")
@click.option("--profile", "profile_name", default=DEFAULT_PROFILE, help="Profile whose reporting cycle applies.")
@_context.today_opt
@_context.json_opt
def screening_list(profile_name, today, as_json) -> None:
    """Every completed period of every region: report submitted or missing."""
    t = _context.today(today)
    frame = screening_report_status(_context.store(), load_profile(profile_name, on=t), t)
    if as_json:
        _context.echo_json({"reason": frame.attrs.get("reason"), "periods": frame.to_dict("records")})
        return
    if frame.attrs.get("reason"):
        click.echo(frame.attrs["reason"])
    for r in frame.to_dict("records"):
        mark = "✓" if r["status"] == "submitted" else "⚠ 未报送 missing"
        click.echo(f"  {r['region']}  {r['period_start']} – {r['period_end']}  {mark}  clues {r['n_clues']}")


@screening_group.command("add")
@click.option("--region", required=True)
@click.option("--from", "start", required=True)
@click.option("--to", "end", required=True)
@click.option("--submitted-on", required=True)
@click.option("--submitted-to", required=True)
@click.option("--clues", type=int, default=None)
@click.option("--referred", type=int, default=None)
@click.option("--filed", type=int, default=None)
@click.option("--note", default=None)
@_context.actor_opt
def screening_add(region, start, end, submitted_on, submitted_to, clues, referred, filed, note, actor) -> None:
    """Record a region's screening report for one period."""
    row = add_screening_report(_context.store(), {
        "region": region, "period_start": start, "period_end": end, "submitted_on": submitted_on,
        "submitted_to": submitted_to, "n_clues": clues, "n_referred": referred, "n_filed": filed, "note": note},
        _context.actor(actor))
    click.echo(f"已记录 recorded the report of {row['region']} for {row['period_start']} – {row['period_end']}")


@click.command("versions")
@click.argument("name")
@_context.json_opt
def versions_cmd(name, as_json) -> None:
    """Every version of a rule profile: in force from which date, or draft."""
    vs = profile_versions(name)
    if not vs:
        raise InputError(Issue(f"no profile named '{name}'", field="NAME"))
    if as_json:
        _context.echo_json([v.to_dict() for v in vs])
        return
    for v in vs:
        status = "草案 draft" if v.status == "draft" else "施行 in force"
        since = f" from {v.effective_from.isoformat()}" if v.effective_from else ""
        click.echo(f"  {v.key}: {status}{since}{'  [' + v.effective_source + ']' if v.effective_source else ''}")


#: the commands this module adds to the ``case`` group
COMMANDS = (procedure_cmd, accountability_cmd, sharing_cmd, credit_cmd, fund_use_cmd, assessment_cmd, archive_cmd,
            screening_group, versions_cmd)
