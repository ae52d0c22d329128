"""``restoration bank`` commands of base-site selection: ranking the bank's projects for a case and
the case's equivalence scenario (its debit). Added to the bank group by ``cli.bank``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import _bank, _words
from .. import limits
from ..errors import InputError, Issue


@click.command("rank")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--weights", multiple=True, help="Score weights, e.g. cost=0.5,distance=0.3.")
@click.option("--rule", "rule", multiple=True, help="Rule overrides, e.g. watershed=required or max_distance_km=50.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the best N candidates.")
def rank(case_id: str, as_json: bool, weights: tuple[str, ...], rule: tuple[str, ...], top: int | None) -> None:
    """Rank bank projects for CASE_ID: eligibility, required area, cost, distance, score."""
    import pandas as pd

    from ..bank import rank_base_sites
    ranking = rank_base_sites(_bank.store(), case_id, weights=_bank.pairs(weights, "weights") or None,
                              rules=_bank.pairs(rule, "rule") or None)
    if as_json:
        _bank.echo_json(ranking.to_dict(top=top))
        return
    t = ranking.table if top is None else ranking.table.head(top)
    if ranking.table.empty:
        click.echo(f"案件 case {case_id}: 项目库为空 the project bank has no projects yet — import them with "
                   "`restoration bank import FILE`")
        return
    source = ("推算情景（非鉴定结论）derived placeholder, not an appraisal — store one with `restoration bank "
              "scenario set`" if ranking.scenario_source == "derived" else ranking.scenario_source)
    click.echo(f"案件 case {case_id}: 损害 debit {ranking.debit:.1f} ha·yr; 已落实 covered "
               f"{ranking.covered_fraction:.0%} (情景 scenario: {source})")
    for key, zh, en in (("watershed", "流域", "watershed"), ("county", "县区", "county")):
        if getattr(ranking.site, key) is None and ranking.rules[key] != "any":
            click.echo(f"  受损场地的{zh}未知（无{zh}图层）：不比较同一{zh} — the damaged site's {en} is unknown "
                       f"(no {en} layer): same-{en} rules are not applied" if ranking.rules[key] == "preferred" else
                       f"  受损场地的{zh}未知（无{zh}图层），规则要求同一{zh}：没有项目符合 — the damaged site's {en} "
                       f"is unknown (no {en} layer) and the rules require the same {en}: no project qualifies")
    click.echo("名次 rank | 项目 project | 可选 eligible | 所需 required | 费用 cost (万元) | 距离 km | 得分 score | 原因 reasons")
    for r in t.itertuples(index=False):
        need = f"{r.needed_amount:.2f} {_words.unit(r.capacity_unit)}" if r.needed_amount == r.needed_amount else "-"
        cost = f"{r.cost_yuan / 1e4:.1f}" if r.cost_yuan == r.cost_yuan else "-"
        score = f"{r.score:.3f}" if r.score == r.score else "-"
        click.echo(f"{'-' if pd.isna(r.rank) else r.rank} | {r.project_id} {r.name} | {'是 yes' if r.eligible else '否 no'} | {need} | "
                   f"{cost} | {r.distance_km:.1f} | {score} | {'; '.join(r.reasons)}")
    if ranking.split is not None:
        click.echo("无单个项目容量足够 no single project fits; 拆分方案 proposed split:")
        for r in ranking.split.itertuples(index=False):
            click.echo(f"  {r.project_id} {r.amount:.2f} {_words.unit(r.unit)} ({r.fraction:.0%}), "
                       f"{r.cost_yuan / 1e4:.1f} 万元")
        short = ranking.split.attrs["shortfall_fraction"]
        if short > 0:
            click.echo(f"  缺口 shortfall {short:.0%}: consider escrow (restoration bank escrow deposit)")


@click.group("scenario")
def scenario_group() -> None:
    """A case's equivalence scenario (its debit)."""


@scenario_group.command("set")
@click.argument("case_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def scenario_set(case_id: str, file: str) -> None:
    """Store FILE (scenario format v1, YAML or JSON) as CASE_ID's scenario."""
    import yaml
    from ..bank import set_case_scenario
    try:
        text = limits.read_bounded(file, limits.DOCUMENT_FILE).decode("utf-8")
        data = json.loads(text) if file.lower().endswith(".json") else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise InputError(Issue("is not UTF-8 text", source=Path(file).name)) from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(Issue(f"not valid JSON/YAML: {str(exc).splitlines()[0]}", source=Path(file).name)) from None
    sid = set_case_scenario(_bank.store(), case_id, data, source=Path(file).name, actor=_bank.actor())
    click.echo(f"已保存 stored {sid} for {case_id}")


@scenario_group.command("show")
@click.argument("case_id")
def scenario_show(case_id: str) -> None:
    """Print CASE_ID's scenario (stored, or the derived default)."""
    from ..bank import case_scenario
    _bank.echo_json(case_scenario(_bank.store(), case_id))


#: the commands ``cli.bank`` adds to its group
COMMANDS = (rank, scenario_group)
