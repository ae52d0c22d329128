"""Clues from imagery: ``restoration monitor clues`` finds disturbed patches of a breaks raster
inside sensitive areas and stores them as candidate clues; ``restoration case clue list | accept |
dismiss`` is the person's decision on each. See docs/monitoring.md, "Clues from imagery"."""
from __future__ import annotations

import click
import numpy as np

from . import _context
from .monitor_breaks import _composite, parse_months
from .types import Number
from ..model import CaseClass, Stage
from ..vocab import label
from ..vocab.units import MU_PER_HA

_LAYER_ZH = {"protected_areas": "保护地", "sites": "修复场地", "bank_projects": "项目库项目"}


def _where(inside) -> str:
    return "、".join(f"{_LAYER_ZH.get(h['layer'], h['layer'])} {h['name']}（{h['id']}）" for h in inside or [])


@click.command("clues")
@click.argument("breaks_file", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1)
@click.option("--bands", default=None, help="FILES are multi-band scenes with these bands (as for `monitor breaks`).")
@click.option("--index", "index", default="NBR", show_default=True, help="Spectral index of the scenes' chips.")
@click.option("--sensor", type=click.Choice(["auto", "landsat-c2l2", "sentinel2-l2a", "file"]), default=None)
@click.option("--mask", default=None, help="Drop these quality classes first: cloud,shadow,snow[,water].")
@click.option("--date-pattern", default=None, help="Regex with year/month/day groups for dates in file names.")
@click.option("--months", default=None, help="Seasonal composites: only these months, e.g. 6,7,8.")
@click.option("--min-area-ha", default=1.0, show_default=True, type=Number(0.0, 1e6),
              help="Smallest patch of connected disturbed pixels kept [ha].")
@click.option("--min-magnitude", default=None, type=Number(0, 10), help="Smallest index drop counted [index units].")
@click.option("--no-save", is_flag=True, help="Only list the candidates; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON.")
def clues_cmd(breaks_file, files, bands, index, sensor, mask, date_pattern, months, min_area_ha, min_magnitude,
              no_save, as_json) -> None:
    """遥感线索 Disturbed patches of BREAKS_FILE (`monitor breaks --out`) inside a protected area,
    a registered restoration site or a bank project become candidate clues in the screening
    register, with their evidence; FILES (the scenes or index rasters the breaks came from) give
    the before/after image chips. A person accepts or dismisses each (`case clue`)."""
    from ..cases.clues import find_candidates, save_candidates
    from ..monitoring.patches import read_breaks
    store = _context.store()
    img = read_breaks(breaks_file)
    composite = years = None
    indicator = "raster"
    if files:
        comp, _ = _composite(files, bands, index, sensor, mask, date_pattern, parse_months(months))
        composite = np.asarray(comp.values, dtype="float64")
        years = [int(y) for y in comp["time"].dt.year.values]
        indicator = index.lower() if bands is not None else "raster"
    rows = find_candidates(store, img, composite, years, min_area_ha=min_area_ha, min_magnitude=min_magnitude,
                           indicator=indicator)
    new = [] if no_save else save_candidates(store, rows, _context.actor())
    if as_json:
        _context.echo_json({"raster": img.source, "candidates": [
            {k: v for k, v in r.items() if k not in ("chip_before", "chip_after")}
            | {"chips": r["chip_before"] is not None, "stored": r["candidate_id"] in new} for r in rows],
            "stored": len(new)})
        return
    click.echo(f"{img.source}: 敏感区域内的扰动图斑 disturbed patches in sensitive areas: {len(rows)}")
    for r in rows:
        click.echo(f"  {r['candidate_id']}: {r['break_year']} 年 ± {r['uncertainty_years']:g}, "
                   f"{r['area_ha']:.2f} 公顷 ha（{r['area_ha'] * MU_PER_HA:.1f} 亩）, 指数下降 drop "
                   f"{r['index_drop']:.3f}, 位于 in {_where(r['inside'])}"
                   + ("" if r["candidate_id"] in new or no_save else "（已登记 already in the register）"))
    click.echo(f"已登记 stored {len(new)} 条疑似线索 candidate clues" if new else "未新增 nothing new stored")


@click.group("clue")
def clue_group() -> None:
    """遥感疑似线索 The screening register of clues from imagery: list, accept as a case, dismiss."""


@clue_group.command("list")
@click.option("--status", type=click.Choice(["candidate", "accepted", "dismissed"]), default=None)
@_context.json_opt
def clue_list(status, as_json) -> None:
    """The candidate clues, newest first."""
    from ..cases.clues import candidates
    frame = candidates(_context.store(), status)
    rows = [{k: v for k, v in r.items() if k not in ("chip_before", "chip_after", "fid")}
            for r in frame.to_dict("records")]
    if as_json:
        _context.echo_json(rows)
        return
    if not rows:
        click.echo("（无疑似线索 no candidate clues; run `restoration monitor clues BREAKS.tif`）")
    for r in rows:
        click.echo(f"{r['candidate_id']}  {label('candidate_status', r['status'], 'zh')}  {r['break_year']} 年  "
                   f"{r['area_ha']:.2f} 公顷（{r['area_ha'] * MU_PER_HA:.1f} 亩）  {_where(r['inside'])}"
                   + (f"  → {r['case_id']}" if r.get("case_id") else "")
                   + (f"  理由 {r['dismiss_reason']}" if r.get("dismiss_reason") else ""))


@clue_group.command("accept")
@click.argument("candidate_id")
@click.option("--case-id", required=True, help="Id of the new case, e.g. GX-2026-031.")
@click.option("--title", required=True, help="Title of the case.")
@click.option("--region", default=None, help="County of the case (default: the patch's county).")
@click.option("--case-class", required=True, type=click.Choice([c.value for c in CaseClass]),
              help="Class of the case (a person's judgement; it may be classified again later).")
@click.option("--agency", "claimant_agency", required=True, help="The designated claimant agency (赔偿权利人指定部门).")
@click.option("--profile", default=None, help="Rule profile of the case (default: the platform's).")
@_context.actor_opt
@_context.today_opt
def clue_accept(candidate_id, case_id, title, region, case_class, claimant_agency, profile, actor, today) -> None:
    """受理 Accept CANDIDATE_ID as a new case at the screening stage: its clue registration
    names the remote-sensing channel and carries the candidate's evidence (audited)."""
    from ..cases.clues import accept_candidate
    store = _context.store()
    cand = store.get("clue_candidates", candidate_id)
    region = region or cand.get("county")
    case = {"case_id": case_id, "title": title, "region": region, "case_class": case_class,
            "claimant_agency": claimant_agency, "profile": profile}
    done = accept_candidate(store, candidate_id, case, _context.actor(actor), _context.today(today))
    click.echo(f"{candidate_id} → 案件 case {done['case_id']}（{Stage(done['stage']).zh} {done['stage']}）"
               "：线索渠道 卫星遥感 remote_sensing")


@clue_group.command("dismiss")
@click.argument("candidate_id")
@click.option("--reason", required=True, help="Why it is no clue (e.g. an approved harvest, a cloud artefact).")
@_context.actor_opt
def clue_dismiss(candidate_id, reason, actor) -> None:
    """排除 Dismiss CANDIDATE_ID with the reason (audited)."""
    from ..cases.clues import dismiss_candidate
    done = dismiss_candidate(_context.store(), candidate_id, reason, _context.actor(actor))
    click.echo(f"{candidate_id}: 已排除 dismissed（{done['dismiss_reason']}）")


COMMANDS = (clue_group,)
