"""``restoration monitor ingest-raster --run / --resume`` and ``monitor runs``: a large raster
ingest as a resumable task table of tiles × periods (see docs/monitoring.md, "Runs")."""
from __future__ import annotations

import click

from . import _context


def ingest_as_run(files, *, resume, indicator, label, method, sites, case_id, min_valid, period, no_replace,
                  scene_mode, options) -> None:
    """Plan (or resume) and execute a run; prints its summary, exit 2 if tasks failed."""
    from ..monitoring.runs import execute_run, plan_run
    if scene_mode:
        raise click.UsageError("--run/--resume take single-band index rasters (FILES), not --bands/--index/--stac")
    if no_replace:
        raise click.UsageError("--run replaces the values of the dates it computes; leave out --no-replace")
    store = _context.store()
    keep = _context.data_dir() / "pixelmaps"
    if resume is not None:
        if files:
            raise click.UsageError("--resume continues a planned run: give no FILES (the run knows them)")
        run_id = resume
    else:
        if not files:
            raise click.UsageError("give the raster FILES")
        ids = list(sites) or None
        if case_id is not None:
            store.get("cases", case_id)
            ids = (ids or []) + store.read("sites", case_id=case_id)["site_id"].tolist()
        run_id = plan_run(store, files[0] if len(files) == 1 else list(files), indicator=indicator, label=label,
                          method=method, site_ids=ids, min_valid_fraction=min_valid, period=period,
                          actor=_context.actor(), pixel_maps=keep, **options)
        click.echo(f"已计划 planned run {run_id}")
    summary = execute_run(store, run_id, actor=_context.actor(), pixel_maps=keep)
    click.echo(f"{'已完成 done' if summary.state == 'done' else '未完成 not finished'}: {summary.summary()}")
    if summary.state != "done":
        click.echo(f"  继续 resume with: restoration monitor ingest-raster --resume {run_id}", err=True)
        raise SystemExit(2)


@click.command("runs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def runs_cmd(as_json) -> None:
    """遥感入库运行 The raster runs: state, tasks done, values written, bytes read, read amplification."""
    from ..monitoring.runs import list_runs
    table = list_runs(_context.store())
    if as_json:
        _context.echo_json(table)
        return
    if table.empty:
        click.echo("（无 none）")
        return
    states = {"planned": "已计划 planned", "running": "运行中 running", "done": "已完成 done", "failed": "失败 failed"}
    for r in table.itertuples():
        amp = "—" if r.read_amplification is None or r.read_amplification != r.read_amplification \
            else f"{r.read_amplification:.2f}"
        click.echo(f"{r.run_id}  {states.get(r.state, r.state)}  任务 tasks {r.tasks_done}/{r.n_tasks}  "
                   f"值 values {r.rows_written}  读取 read {int(r.bytes_read or 0) / 1e6:.1f} MB  "
                   f"读放大 amplification {amp}  {r.source}  {r.created_at}")
        if r.error:
            click.echo(f"    {r.error}")
