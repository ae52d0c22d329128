"""``restoration case claim ...``: the claim item by item (索赔项目), items of the case profile's
compensation scope; the case's damage amount is their sum.

    restoration case claim add CASE_ID ITEM AMOUNT_YUAN --source TEXT [--appraisal ID]
    restoration case claim list CASE_ID [--json]
    restoration case claim scope CASE_ID                 # the items the case's profile lists

A standalone group (:data:`COMMANDS`), added to the ``case`` group by :mod:`restoration.cli.cases`.
"""
from __future__ import annotations

import click

from . import _context
from .types import Number
from ..cases.claims import add_claim_item, claim_items, claim_scope
from ..appraisal.common import yuan_text


@click.group("claim")
def claim_group() -> None:
    """索赔项目 the claim item by item (the case's damage amount is their sum)."""


@claim_group.command("add")
@click.argument("case_id")
@click.argument("item")
@click.argument("amount_yuan", type=Number())
@click.option("--source", required=True, help="What the amount rests on (appraisal report, invoice ...).")
@click.option("--appraisal", "appraisal_id", default=None, help="The appraisal of this case it comes from.")
@click.option("--note", default=None)
@_context.actor_opt
@_context.version_opt
def add_cmd(case_id, item, amount_yuan, source, appraisal_id, note, actor, expected_version) -> None:
    """Add ITEM (an id of the profile's compensation scope) with AMOUNT_YUAN to CASE_ID."""
    store = _context.store()
    row = add_claim_item(store, case_id, item, amount_yuan, source=source, appraisal_id=appraisal_id, note=note,
                         actor=_context.actor(actor), expected_version=expected_version)
    total = store.get("cases", case_id)["damage_amount_yuan"]
    click.echo(f"已记录 recorded {row['claim_id']}: {yuan_text(row['amount_yuan'])}；"
               f"损害数额合计 damage amount now {yuan_text(total)}")


@claim_group.command("list")
@click.argument("case_id")
@_context.json_opt
def list_cmd(case_id, as_json) -> None:
    """CASE_ID's current claim items and their total."""
    store = _context.store()
    items = claim_items(store, case_id)
    if as_json:
        _context.echo_json(items)
        return
    if not items:
        click.echo(f"{case_id}: 尚无索赔项目 no claim item recorded")
        return
    for it in items:
        by = f"  [鉴定评估 appraisal {it['appraisal_id']}]" if it["appraisal_id"] else ""
        click.echo(f"  {it['claim_id']}  {it['item_zh']}: {yuan_text(it['amount_yuan'])} — 依据 {it['source']}{by}")
    total = sum(round(it["amount_yuan"] * 100) for it in items) / 100
    click.echo(f"  合计 total: {yuan_text(total)}")


@claim_group.command("scope")
@click.argument("case_id")
def scope_cmd(case_id) -> None:
    """The compensation-scope items CASE_ID's profile lists, with their sources."""
    scope = claim_scope(_context.store().get("cases", case_id))
    for it in scope.items:
        click.echo(f"  {it.id:24s} {it.zh} — {it.source}")
    click.echo(f"  来源 source: {scope.source}")


COMMANDS = (claim_group,)
