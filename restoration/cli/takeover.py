"""``restoration case correct``: the one way a case's stage moves back (or is put right after a
takeover at the wrong stage) — an audited ``stage_corrected`` event with its reason and the
document it rests on, recorded by a role allowed to correct (``case.correct``).

A standalone command (:data:`COMMANDS`), added to the ``case`` group by :mod:`restoration.cli.cases`.
"""
from __future__ import annotations

import click

from . import _context
from ..cases import add_event
from .types import VocabChoice
from ..model import Stage


@click.command("correct")
@click.argument("case_id")
@click.option("--stage", required=True, type=VocabChoice(Stage),
              help="The stage the case is really at (code or label, e.g. restoration or 修复).")
@click.option("--reason", required=True, help="Why the recorded stage is wrong (recorded).")
@click.option("--document", required=True, help="The decision or document the correction rests on (文号).")
@click.option("--date", "on", default=None, help="Date of the correction YYYY-MM-DD (default: today).")
@_context.actor_opt
@_context.version_opt
@_context.today_opt
def correct_cmd(case_id, stage, reason, document, on, actor, expected_version, today) -> None:
    """Correct CASE_ID's stage (阶段更正), with a reason and a document; later events are checked
    from the corrected stage on."""
    day = on or _context.today(today).isoformat()
    case = add_event(_context.store(), case_id, {"event_type": "stage_corrected", "event_date": day,
                                         "details": {"stage": stage, "reason": reason, "document": document}},
                     _context.actor(actor), expected_version, _context.today(today))
    click.echo(f"{case_id}: 阶段更正为 stage corrected to {Stage(case['stage']).zh} {Stage(case['stage']).en} "
               f"({day}; version {case['version']})")


#: the commands this module adds to the ``case`` group
COMMANDS = (correct_cmd,)
