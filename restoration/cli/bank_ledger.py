"""``restoration bank`` commands of the credit ledger: reserve, commit and release capacity for a
case, a case's obligation, the ledger history, and escrow (资金提存). Added to the bank group by
``cli.bank``."""
from __future__ import annotations

import click

from . import _bank, _words
from .types import Number
from ..model import AllocationState, EscrowStatus


def _who(case_id: str | None, external: str | None) -> None:
    if not case_id and not external:
        raise click.UsageError("give --case CASE_ID (or --external for a case outside this store)")


@click.command("reserve")
@click.argument("project_id")
@click.option("--case", "case_id", default=None, help="Case the capacity is for.")
@click.option("--external", default=None, help="A case outside this store, instead of --case (not with it).")
@click.option("--amount", required=True, type=Number(0, min_open=True), help="Amount in the project's capacity unit.")
@click.option("--unit", default=None, help="Unit of --amount if not the project's (ha, mu, ...).")
@click.option("--note", default=None)
@click.option("--json", "as_json", is_flag=True)
def reserve(project_id: str, case_id: str | None, external: str | None, amount: float, unit: str | None,
            note: str | None, as_json: bool) -> None:
    """Reserve capacity of PROJECT_ID for a case (exit 3 when not enough remains)."""
    from ..bank import project_balance, reserve as _reserve
    _who(case_id, external)
    store = _bank.store()
    a = _reserve(store, project_id, case_id, amount, unit=unit, external_ref=external, note=note, actor=_bank.actor())
    bal = project_balance(store, project_id)
    if as_json:
        _bank.echo_json({"allocation": a, "project": {k: bal[k] for k in ("capacity", "capacity_unit", "allocated",
                                                                     "remaining")}})
        return
    u = _words.unit(bal["capacity_unit"])
    click.echo(f"已预留 reserved {a['amount']:g} {u} of {project_id} for {case_id or external} "
               f"({a['allocation_id']}); 剩余 remaining {_bank.amount(bal['remaining'])} {u}")


@click.command("commit")
@click.argument("project_id")
@click.option("--case", "case_id", default=None)
@click.option("--allocation", default=None, help="One allocation id instead of all of the case's reservations.")
@click.option("--note", default=None)
def commit(project_id: str, case_id: str | None, allocation: str | None, note: str | None) -> None:
    """Commit the case's reservations on PROJECT_ID."""
    from ..bank import commit as _commit
    done = _commit(_bank.store(), allocation, project_id=project_id, case_id=case_id, note=note, actor=_bank.actor())
    for a in done:
        click.echo(f"已确认 committed {a['allocation_id']}: {a['amount']:g} {_words.unit(a['unit'])} of {a['project_id']}")


@click.command("release")
@click.argument("project_id")
@click.option("--case", "case_id", default=None)
@click.option("--allocation", default=None)
@click.option("--amount", type=Number(0, min_open=True), default=None, help="Release only this much (newest reservations first).")
@click.option("--force", is_flag=True, help="Also release committed allocations.")
@click.option("--note", default=None)
def release(project_id: str, case_id: str | None, allocation: str | None, amount: float | None, force: bool,
            note: str | None) -> None:
    """Release the case's reservations on PROJECT_ID back to the bank."""
    from ..bank import project_balance, release as _release
    store = _bank.store()
    done = _release(store, allocation, project_id=project_id, case_id=case_id, amount=amount, force=force,
                    note=note, actor=_bank.actor())
    bal = project_balance(store, project_id)
    click.echo(f"已释放 released from {len(done)} allocation(s); {project_id} 剩余 remaining "
               f"{_bank.amount(bal['remaining'])} {_words.unit(bal['capacity_unit'])}")


@click.command("obligation")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def obligation(case_id: str, as_json: bool) -> None:
    """How much of CASE_ID's alternative-restoration obligation is covered, and by which projects."""
    from ..bank import case_obligation
    ob = case_obligation(_bank.store(), case_id)
    if as_json:
        _bank.echo_json(ob)
        return
    click.echo(f"{case_id}: {ob['status_label']} — covered {ob['covered_fraction']:.0%} "
               f"(committed {ob['committed_fraction']:.0%}, reserved {ob['reserved_fraction']:.0%})")
    for a in ob["allocations"]:
        held = f"{a['project_id']} {a['name']}: {a['amount']:g} {_words.unit(a['unit'])} " \
               f"{_words.label(AllocationState, a['state'])}"
        if a.get("counted", True):
            share = "-" if a["fraction"] is None else f"{a['fraction']:.0%}"
            click.echo(f"  {held} = {share}")
        else:  # held at a project that may not restore this damage: no cover
            click.echo(f"  {held} — 不计入 not counted: {a['not_counted_zh']} / {a['not_counted_en']}")
    if ob["escrow_awaiting_match_yuan"]:
        click.echo(f"  提存待匹配 escrow awaiting match: {ob['escrow_awaiting_match_yuan'] / 1e4:.1f} 万元")


@click.command("ledger")
@click.option("--project", "project_id", default=None)
@click.option("--case", "case_id", default=None)
@click.option("--json", "as_json", is_flag=True)
def ledger_(project_id: str | None, case_id: str | None, as_json: bool) -> None:
    """Ledger history (reserve/commit/release/deposit/match/refund) and escrow awaiting a match."""
    from ..bank import ledger_table
    from .types import require_known
    store = _bank.store()
    require_known(project_id, store.keys("bank_projects"), "--project", "bank project")
    require_known(case_id, store.keys("cases"), "--case", "case")
    t = ledger_table(store, project_id=project_id, case_id=case_id)
    if as_json:
        _bank.echo_json(t.to_dict(orient="records"))
        return
    for r in t.itertuples(index=False):
        amount = f"{r.amount / 1e4:,.2f} 万元" if r.unit == "yuan" else f"{r.amount:g} {_words.unit(r.unit)}"
        click.echo(f"{r.at} {_words.LEDGER_ACTIONS.get(r.action, r.action)} {_bank.text(r.project_id)} {_bank.text(r.case_id)} "
                   f"{amount} {_bank.text(r.allocation_id, _bank.text(r.escrow_id, ''))}")


@click.group("escrow")
def escrow_group() -> None:
    """资金提存 money awaiting a matching project."""


@escrow_group.command("deposit")
@click.argument("case_id")
@click.option("--amount-yuan", required=True, type=Number(0, min_open=True))
@click.option("--holder", required=True, help="Escrow holder, e.g. 某公证处提存账户.")
@click.option("--on", "on", default=None)
@click.option("--ecosystem", default=None)
@click.option("--note", default=None)
def escrow_deposit(case_id: str, amount_yuan: float, holder: str, on: str | None, ecosystem: str | None,
                   note: str | None) -> None:
    from ..bank import deposit
    e = deposit(_bank.store(), case_id, amount_yuan, holder, on=on, ecosystem_type=ecosystem, note=note, actor=_bank.actor())
    click.echo(f"已提存 deposited {e['escrow_id']}: {e['amount_yuan']:g} yuan for {case_id}, awaiting match")


@escrow_group.command("match")
@click.argument("escrow_id")
@click.argument("project_id")
@click.option("--amount", type=Number(0, min_open=True), default=None, help="Capacity units (default: what the money buys).")
@click.option("--commit", "do_commit", is_flag=True)
def escrow_match(escrow_id: str, project_id: str, amount: float | None, do_commit: bool) -> None:
    from ..bank import match
    a = match(_bank.store(), escrow_id, project_id, amount=amount, commit=do_commit, actor=_bank.actor())
    click.echo(f"已匹配 matched {escrow_id} -> {project_id}: {a['allocation_id']} {a['amount']:g} "
               f"{_words.unit(a['unit'])} {_words.both(AllocationState, a['state'])}")


@escrow_group.command("refund")
@click.argument("escrow_id")
def escrow_refund(escrow_id: str) -> None:
    from ..bank import refund
    refund(_bank.store(), escrow_id, actor=_bank.actor())
    click.echo(f"已退回 refunded {escrow_id}")


@escrow_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def escrow_list(as_json: bool) -> None:
    from ..bank import escrow_table
    t = escrow_table(_bank.store())
    if as_json:
        _bank.echo_json(t.to_dict(orient="records"))
        return
    for r in t.itertuples(index=False):
        click.echo(f"{r.escrow_id} {r.case_id} {r.amount_yuan / 1e4:,.2f} 万元 {_words.both(EscrowStatus, r.status)} "
                   f"({r.holder})")


#: the commands ``cli.bank`` adds to its group
COMMANDS = (reserve, commit, release, obligation, ledger_, escrow_group)
