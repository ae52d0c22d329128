"""``restoration case correct``: the one way a case's stage moves back (or is put right after a
takeover at the wrong stage) — an audited ``stage_corrected`` event with its reason and the
document it rests on, recorded by a role allowed to correct (``case.correct``).

Registered on the ``case`` group (imported at the end of :mod:`restoration.cli.cases`).
"""
from __future__ import annotations

import click

from .cases import _actor, _actor_opt, _store, _today, _today_opt, _version_opt, case_group
from .types import VocabChoice
from ..model import Stage


@case_group.command("correct")
@click.argument("case_id")
@click.option("--stage", required=True, type=VocabChoice(Stage),
              help="The stage the case is really at (code or label, e.g. restoration or 修复).")
@click.option("--reason", required=True, help="Why the recorded stage is wrong (recorded).")
@click.option("--document", required=True, help="The decision or document the correction rests on (文号).")
@click.option("--date", "on", default=None, help="Date of the correction YYYY-MM-DD (default: today).")
@_actor_opt
@_version_opt
@_today_opt
def correct_cmd(case_id, stage, reason, document, on, actor, expected_version, today) -> None:
    """Correct CASE_ID's stage (阶段更正), with a reason and a document; later events are checked
    from the corrected stage on."""
    from ..cases import add_event
    day = on or _today(today).isoformat()
    case = add_event(_store(), case_id, {"event_type": "stage_corrected", "event_date": day,
                                         "details": {"stage": stage, "reason": reason, "document": document}},
                     _actor(actor), expected_version, _today(today))
    click.echo(f"{case_id}: 阶段更正为 stage corrected to {Stage(case['stage']).zh} {Stage(case['stage']).en} "
               f"({day}; version {case['version']})")
