"""``restoration rules``: the rule profiles — list, show, install a new version, activate a draft.

Installing adds a version to the data folder's ``profiles/`` (the shipped files and the versions
already installed are never changed, so every case keeps the rules it was filed under). The CLI
acts as a local administrator (``access.cli_actor``); every change is audited.
"""
from __future__ import annotations

import json

import click

from .. import access
from ..cases.case_state import backfill
from ..profiles.install import activate_profile, install_profile, profile_list
from . import _context
from .cases import profile_cmd


@click.group("rules")
def rules_group() -> None:
    """Rule profiles (规则配置): versions in force by date, drafts, installing and activating."""


def _json_out(obj) -> None:
    click.echo(json.dumps(_context.strict(obj), ensure_ascii=False, indent=2))


@rules_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """Every profile and version: in force from which date, or draft; shipped or installed."""
    frame = profile_list()
    if as_json:
        _json_out(frame)
        return
    for r in frame.to_dict("records"):
        status = "草案 draft" if r["status"] == "draft" else "施行 in force"
        since = f" from {r['effective_from']}" if isinstance(r["effective_from"], str) else ""
        where = {"installed": "已安装 installed", "shipped": "随附 shipped"}.get(r["where"], r["file"])
        click.echo(f"{r['key']}\t{status}{since}\t{where}")


@rules_group.command("show")
@click.argument("name")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="The version in force on this date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(name: str, on: str | None, as_json: bool) -> None:
    """Show a profile version (NAME, NAME@VERSION): every rule, its value or 'not set', source and
    whether it was verified."""
    ctx = click.get_current_context()
    ctx.invoke(profile_cmd, name=name, on=on, as_json=as_json)


@rules_group.command("install")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--draft", is_flag=True, help="Install as a draft (never in force by date until activated).")
def install_cmd(file: str, draft: bool) -> None:
    """Check FILE as the shipped profiles are checked and install it as a new version."""
    store = _context.store()
    out = install_profile(store, file, access.cli_actor(_context.actor()), draft=draft)
    backfill(store)  # cases judged by the new version get their deadlines derived under it
    _echo_done("已安装 installed", out)


@rules_group.command("activate")
@click.argument("name")
@click.option("--from", "effective_from", default=None, metavar="YYYY-MM-DD",
              help="Date the version takes effect (default: the draft's effective_from).")
@click.option("--source", "effective_source", default=None,
              help="The document that puts it in force and sets the date (文号).")
@click.option("--document", "document_number", default=None, metavar="文号",
              help="The document number (文号) that puts it in force; required: without it the version stays a draft.")
def activate_cmd(name: str, effective_from: str | None, effective_source: str | None,
                 document_number: str | None) -> None:
    """Put the draft NAME@VERSION in force from a date under its document number (the versions
    before stay for older cases)."""
    store = _context.store()
    out = activate_profile(store, name, access.cli_actor(_context.actor()),
                           effective_from=effective_from, effective_source=effective_source,
                           document_number=document_number)
    backfill(store)  # cases judged by the version now in force get their deadlines derived under it
    _echo_done("已启用 activated", out)


def _echo_done(what: str, out: dict) -> None:
    status = "草案 draft" if out["status"] == "draft" else f"施行 in force from {out['effective_from']}"
    click.echo(f"{what} {out['key']}: {status}; {out['rules']} rules, {out['unset']} not set, "
               f"{out['unverified']} unverified → {out['file']}")
