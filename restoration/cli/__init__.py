"""The ``restoration`` command line (a package: one module per command group).

Bad input exits with code 2 and one message naming the file, row and field; the store is left
as it was. A conflict — someone saved first, or the store stayed busy — exits with code 4.
``--debug`` shows the traceback instead; ``-v`` / ``-vv`` log what happens (``logging``, to
stderr). Every group shares one store, actor and today (``restoration.cli._context``); every
``--json`` output is strict JSON (``null``, never ``NaN``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import config
from .._version import __version__
from ..errors import InputError, Issue, RestorationError
from ..profiles.discovery import reset_data_folder, use_data_folder
from ..system_errors import explain
from . import _context, _words
from .types import OutputFile

_DEBUG_ENV = "RESTORATION_DEBUG"


def _echo_err(text: str) -> None:
    click.echo(text, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data", type=click.Path(file_okay=False), default=None,
              help="Data folder holding platform.gpkg (default: $RESTORATION_DATA or ./restoration-data).")
@click.option("--db", "db", default=None, metavar="URL",
              help="Database server instead of the GeoPackage: postgresql://user@host/db, the password "
                   "in ~/.pgpass or $PGPASSFILE, never in the URL (default: $RESTORATION_DB).")
@click.option("--actor", "actor", default=None,
              help="Who is acting, for the audit log (default: $RESTORATION_USER or the login name).")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="Reference date (default: $RESTORATION_TODAY or the real date).")
@click.option("-v", "--verbose", count=True, help="Log progress (-v) or details (-vv) to stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="restoration")
@click.pass_context
def cli(ctx: click.Context, data: str | None, db: str | None, actor: str | None, today: str | None,
        verbose: int, debug: bool) -> None:
    """生态环境损害修复监管与等值评估平台 — restoration monitoring and equivalence assessment."""
    ctx.ensure_object(dict)
    ctx.obj.update(data=config.data_dir(data), db=db, actor=actor, today=today)
    # rule profile versions installed in this data folder are found by every command
    token = use_data_folder(ctx.obj["data"])
    ctx.call_on_close(lambda: reset_data_folder(token))
    _context.parse_day(today)  # a bad --today is refused before anything runs
    _context.setup_logging(verbose)
    _context.warn_password_on_command_line(db)
    if debug:
        os.environ[_DEBUG_ENV] = "1"


def _store(ctx: click.Context | None = None):
    return _context.store()


@cli.command()
@click.option("--empty", is_flag=True, help="Create an empty store instead of loading the sample region.")
@click.option("--sample", type=click.Path(exists=True, file_okay=False), default=None,
              help="Sample folder to load (default: the committed sample_data/).")
@click.pass_context
def init(ctx: click.Context, empty: bool, sample: str | None) -> None:
    """Create the store (by default filled from the sample region)."""
    from ..bootstrap import init_store
    store = init_store(_context.location(), from_sample=not empty, sample=Path(sample) if sample else None)
    click.echo(f"已创建 created {store.location}")
    for layer, n in store.info()["layers"].items():
        click.echo(f"  {layer}: {n}")


def _print_import_notes(notes: list[str], warnings) -> None:
    for note in notes:
        click.echo(f"  {note}")
    for w in warnings:
        _echo_err(f"已修复 repaired: {w}")


@cli.command("import")
@click.argument("layer", type=click.Choice(["sites", "bank", "cases", "events", "counties", "watersheds", "targets",
                                                   "protected_areas"]))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--crs", default=None,
              help="CRS of the coordinates: EPSG:4326, EPSG:4490 (CGCS2000), a UTM zone... (CSV needs it); "
                   "GCJ-02 (AMap/Tencent) or BD-09 (Baidu) are converted to WGS 84 for any file.")
@click.option("--map", "map_text", default=None,
              help="Name the file's columns: field=column,... e.g. --map name=名称,county_id=县代码.")
@click.option("--map-file", default=None, type=click.Path(dir_okay=False),
              help="The same as a file: JSON/YAML/TOML {field: column} or CSV field,column.")
@click.option("--extra", type=click.Choice(["keep", "ignore"]), default="keep", show_default=True,
              help="Columns that are not fields: keep them in 'attributes' (shown in exports) or ignore them.")
@click.option("--check", is_flag=True, help="Validate everything (against the store too) and write nothing.")
@click.option("--layer", "source_layer", default=None,
              help="Layer of a GeoPackage holding several, or sheet of an Excel workbook (default: the first).")
@click.option("--allow-outside", is_flag=True,
              help="Accept sites and bank projects far (over 50 km) outside the store's counties.")
@click.option("--allow-overlap", default=None, metavar="REASON",
              help="bank: accept projects that overlap another project or a restoration site, with the reason "
                   "(kept with each polygon's review record).")
@click.option("--replace", is_flag=True,
              help="targets: replace the stored target of a site and indicator the file gives again "
                   "(without it such a row is refused).")
@click.pass_context
def import_(ctx: click.Context, layer: str, file: str, crs: str | None, map_text: str | None,
            map_file: str | None, extra: str, check: bool, source_layer: str | None, allow_outside: bool,
            allow_overlap: str | None, replace: bool) -> None:
    """Import FILE (GeoJSON, GeoPackage, Shapefile, CSV with WKT or lon/lat, Excel) into LAYER.

    ``events``: the cases' history (CSV or Excel: case_id, event_type, date, details), checked
    against each case's workflow from the stage it was taken over at. ``targets``: a monitoring
    plan, indicator targets per site (CSV/Excel). Every problem of the file is reported at once
    (by row); nothing is written unless all rows are good."""
    from ..columns import combine
    from ..importer import import_file
    if replace and layer != "targets":
        raise InputError(Issue("--replace applies to 'import targets' only", field="--replace"))
    if allow_overlap is not None and layer != "bank":
        raise InputError(Issue("--allow-overlap applies to 'import bank' only", field="--allow-overlap"))
    mapping = combine(map_text, map_file)
    store = _store(ctx)
    if layer == "events":
        _import_events(store, file, mapping, extra, check, source_layer)
        return
    if layer == "targets":
        _import_targets(store, file, mapping, check, replace, source_layer)
        return
    if layer == "bank":
        # the registry's stricter rules (no repaired polygons, units, trajectories, status history)
        from ..bank.registry import import_projects
        done = import_projects(store, file, crs=crs, mapping=mapping, extra=extra, check=check,
                               source_layer=source_layer, allow_outside=allow_outside, allow_overlap=allow_overlap)
        _print_import_notes(done.notes, done.warnings)
        from ._bank import echo_findings
        echo_findings(done.findings)  # the polygon checks (slivers, thin parts, spikes, overlaps accepted)
        verb = "已检查 checked (nothing written):" if check else "已导入 imported"
        click.echo(f"{verb} {done.rows} projects from {Path(file).name} into bank_projects")
        return
    from ..cases.claims_import import ClaimColumn  # a case file may carry its claim items
    report = import_file(store, layer, file, crs=crs, mapping=mapping, extra=extra, check=check,
                         progress=not check, source_layer=source_layer, allow_outside=allow_outside,
                         companion=ClaimColumn() if layer == "cases" else None)
    _print_import_notes(report.notes, report.warnings)
    if check:
        click.echo(f"已检查 checked {report.rows} rows from {report.source} for {report.layer}: all good; "
                   "nothing was written (run again without --check to import)")
    else:
        click.echo(f"已导入 imported {report.rows} rows from {report.source} into {report.layer}")


def _import_events(store, file: str, mapping, extra: str, check: bool, sheet: str | None) -> None:
    from ..cases.history_import import import_events
    from ..model import Stage
    done = import_events(store, file, mapping=mapping, extra=extra, check=check, actor=_context.actor(),
                         today=_context.today(), sheet=sheet)
    _print_import_notes(done.notes, [])
    if check:
        click.echo(f"已检查 checked {done.rows} events of {done.cases} cases from {done.source}: all good; "
                   "nothing was written (run again without --check to import)")
        return
    click.echo(f"已导入 imported {done.rows} events of {done.cases} cases from {done.source}")
    for cid, (before, after) in sorted(done.moved.items()):
        click.echo(f"  {cid}: {Stage(before).zh} → {Stage(after).zh} ({before} → {after})")


def _import_targets(store, file: str, mapping: dict, check: bool, replace: bool, source_layer: str | None) -> None:
    from ..monitoring.targets import import_targets
    done = import_targets(store, file, mapping=mapping, check=check, replace=replace, source_layer=source_layer,
                          progress=not check)
    _print_import_notes(done.notes, done.warnings)
    counts = f"{done.rows} targets of {done.sites} sites from {done.source}"
    if check:
        click.echo(f"已检查 checked {counts}: all good; nothing was written (run again without --check to import)"
                   + (f"; {done.replaced} stored targets would be replaced" if done.replaced else ""))
    else:
        click.echo(f"已导入 imported {counts} into indicator_targets"
                   + (f"; 已替换 replaced {done.replaced} stored targets" if done.replaced else ""))


@cli.command()
@click.argument("layer")
@click.option("--out", "out", required=True, type=OutputFile(),
              help="Output file: .gpkg, .geojson, .csv or .xlsx.")
@click.option("--crs", default=None,
              help="Write coordinates in this CRS (default EPSG:4326); GCJ-02 or BD-09 for Chinese web maps.")
@click.pass_context
def export(ctx: click.Context, layer: str, out: str, crs: str | None) -> None:
    """Export LAYER to a GeoPackage, GeoJSON, CSV or Excel file (extra columns of imported files
    come back as columns). LAYER is a store layer, or a name ``restoration import`` takes
    (``bank`` = bank_projects)."""
    from ..exports import export_frame, to_crs_for_export
    from ..importer import IMPORT_LAYERS
    layer = IMPORT_LAYERS.get(layer, layer)
    frame = _store(ctx).read(layer)
    frame, note = to_crs_for_export(frame, crs)
    path = export_frame(frame, out, layer, field="--out")
    if note:
        click.echo(f"  {note}")
    click.echo(f"已导出 exported {len(frame)} rows of {layer} to {path}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """What the store holds."""
    from ..summary import summary
    store = _store(ctx)
    if as_json:
        _context.echo_json(store.info())
    else:
        click.echo(summary(store))


@cli.group()
def sample() -> None:
    """The sample region."""


@sample.command("build")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the package's sample_data/).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (default: the sample's own).")
@click.option("--sites", type=click.IntRange(min=1), default=None, help="Total number of sites (adds generated ones).")
@click.option("--dates", type=click.IntRange(min=1), default=24, show_default=True, help="Monthly NDVI rasters.")
@click.option("--raster-size", type=click.IntRange(min=1), default=None, help="NDVI raster width/height in pixels (default 400).")
def sample_build(out: str | None, seed: int | None, sites: int | None, dates: int,
                 raster_size: int | None) -> None:
    """Regenerate the sample region deterministically (or a scaled-up one for benchmarks)."""
    from ..sample.build import DEFAULT_SEED, build_sample
    try:
        folder = build_sample(Path(out) if out else config.sample_dir(),
                              seed=DEFAULT_SEED if seed is None else seed, sites=sites, dates=dates,
                              raster_size=raster_size)
    except OSError as exc:  # a folder that cannot be created or written
        raise InputError(Issue(f"cannot write the sample there: {exc.strerror or exc}", field="--out")) from None
    click.echo(f"已生成 built sample region in {folder}")


def _dashboard_app() -> Path | None:
    app = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
    return app if app.exists() else None


@cli.command()
@click.option("--no-serve", is_flag=True, help="Build or load the store, print the summary and exit.")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Dashboard port.")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, port: int) -> None:
    """Build the store from the sample if needed, print what it holds, start the dashboard."""
    from ..bootstrap import ensure_store
    from ..summary import summary
    data = ctx.obj["data"]
    store = ensure_store(data, db=ctx.obj.get("db"))
    click.echo(summary(store))  # the store's own rasters, not the sample folder's
    if no_serve:
        return
    app = _dashboard_app()
    if app is None:
        click.echo("仪表板尚未提供 the dashboard is not part of this version yet; "
                   "the store above is ready for the CLI and notebooks.")
        return
    _demo_account(Path(data))
    env = dict(os.environ, RESTORATION_DATA=str(Path(data).resolve()))
    if store.url:  # the dashboard serves the same database
        env["RESTORATION_DB"] = store.url
    click.echo(f"仪表板 dashboard: http://localhost:{port}")
    from ..serve import serve, streamlit_command
    # SIGTERM / Ctrl-C stop the server as well (it runs in its own process group)
    sys.exit(serve(streamlit_command(app, port), env=env))


def _demo_account(data: Path) -> None:
    """First demo run: create a supervisor account with a random password, shown once (only
    its hash is kept), so the staff pages can be tried at once."""
    import secrets

    from .. import auth
    if auth.list_users(data):
        return
    password = secrets.token_urlsafe(12)
    auth.add_user(data, "demo", password, "supervisor", must_change=True)
    click.echo(f"演示账号 demo account (shown once): demo / {password}  — it must be changed at the first "
               "sign-in; add your own with `restoration users add NAME --role supervisor`")


#: sub-command groups that live in their own modules of this package: (module, attribute)
_GROUPS = [("equivalence", "equivalence_group"), ("cases", "case_group"),
           ("monitor", "monitor_group"), ("bank", "bank_group"),
           ("users", "users_group"), ("rules", "rules_group"), ("appraisal", "appraisal_group"),
           ("db", "db_group"), ("field", "field_group")]


def _register_optional() -> None:
    import importlib
    for module, attr in _GROUPS:
        name = f"restoration.cli.{module}"
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        cli.add_command(getattr(mod, attr))


_register_optional()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning expected errors into one message and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get(_DEBUG_ENV) == "1"
    try:
        from equivalence.errors import ScenarioError
    except ImportError:  # pragma: no cover
        ScenarioError = ()  # type: ignore[assignment]
    try:
        rv = cli.main(args=argv, prog_name="restoration", standalone_mode=False)
    except click.exceptions.Abort:
        _echo_err("已取消 aborted")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RestorationError as exc:
        if debug:
            raise
        title = "输入错误 input error" if isinstance(exc, InputError) else "错误 error"
        _echo_err(f"{title}: {exc}")
        for line in _words.chinese(exc):
            _echo_err(f"  {line}")
        if isinstance(exc, InputError):
            _echo_err("未写入任何数据 nothing was written to the store.")
        sys.exit(exc.exit_code)
    except ScenarioError as exc:  # type: ignore[misc]
        if debug:
            raise
        _echo_err(f"情景文件错误 scenario error: {exc}")
        sys.exit(2)
    except Exception as exc:  # an unexpected failure: one line, traceback on --debug
        if debug:
            raise
        machine = explain(exc)  # a full disk, a folder that may not be written: not an internal error
        if machine is not None:
            _echo_err(f"错误 error: {machine}")
            sys.exit(machine.exit_code)
        _echo_err(f"内部错误 internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
