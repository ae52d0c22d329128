"""``restoration users``: staff accounts for the dashboards (argon2-hashed, local file).

The CLI acts as a local administrator (``access.cli_actor``) named as every command names its
actor (``--actor``, ``$RESTORATION_USER`` or the login); every change is audited.
"""
from __future__ import annotations

import os

import click

from .. import access, auth
from ..errors import InputError, Issue
from . import _context


@click.group("users")
def users_group() -> None:
    """Staff users of the dashboards (roles: admin, supervisor, appraiser, planner, readonly)."""


def _data() -> "os.PathLike":
    return _context.data_dir()


def _password(password_env: str | None, prompt: str = "密码 password") -> str:
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.BadParameter(f"environment variable {password_env} is empty", param_hint="--password-env")
        return password
    try:
        password = click.prompt(prompt, hide_input=True)
        repeated = click.prompt("再次输入 repeat the password", hide_input=True)
    except click.exceptions.Abort:  # the input ended (no terminal, a script's closed stdin)
        raise InputError(Issue("no password was given (the input ended); type it twice, or use "
                               "--password-env NAME in scripts", field="--password-env")) from None
    if password != repeated:
        raise InputError(Issue("the two passwords typed differ; nothing was changed (run the command again)",
                               field="password"))
    return password


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option("--region", default=access.PROVINCE, show_default=True,
              help="Jurisdiction: 'province', a city (e.g. 桂西市) or a county id (e.g. C01).")
@click.option("--password-env", default=None,
              help="Read the password from this environment variable (for scripts); else prompt.")
@click.option("--must-change/--no-must-change", default=False,
              help="The user must change the password at the first sign-in.")
def add(name: str, role: str, region: str, password_env: str | None, must_change: bool) -> None:
    """Add (or replace) a user; the password is asked for and stored only as a hash."""
    password = _password(password_env)
    user = auth.add_user(_data(), name, password, role, region, must_change=must_change,
                         actor=access.cli_actor(_context.actor()))
    click.echo(f"已添加用户 added user {user.name} ({user.role}, {user.region})")


@users_group.command("list")
def list_() -> None:
    """List users: name, role, region, status."""
    for user in auth.list_users(_data()):
        status = "disabled" if user.disabled else ("must_change" if user.must_change else "active")
        click.echo(f"{user.name}\t{user.role}\t{user.region}\t{status}")


@users_group.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable an account (it cannot sign in; its open sessions end at their next page)."""
    auth.disable_user(_data(), name, actor=access.cli_actor(_context.actor()))
    click.echo(f"已停用 disabled {name}")


@users_group.command("enable")
@click.argument("name")
def enable(name: str) -> None:
    """Enable an account again and clear its sign-in lock."""
    auth.enable_user(_data(), name, actor=access.cli_actor(_context.actor()))
    click.echo(f"已启用 enabled {name}")


@users_group.command("reset")
@click.argument("name")
@click.option("--password-env", default=None,
              help="Take the new password from this environment variable; else a random one is shown once.")
def reset(name: str, password_env: str | None) -> None:
    """Give an account a new password that must be changed at the next sign-in."""
    given = os.environ.get(password_env) if password_env else None
    if password_env and not given:
        raise click.BadParameter(f"environment variable {password_env} is empty", param_hint="--password-env")
    user, password = auth.reset_password(_data(), name, given, actor=access.cli_actor(_context.actor()))
    if given:
        click.echo(f"已重置 reset {user.name}; the password must be changed at the next sign-in")
    else:
        click.echo(f"已重置 reset {user.name}: temporary password (shown once) {password} — "
                   "it must be changed at the next sign-in")


@users_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a user."""
    auth.remove_user(_data(), name, actor=access.cli_actor(_context.actor()))
    click.echo(f"已删除用户 removed user {name}")


@users_group.command("regions")
def regions() -> None:
    """The jurisdiction tree (codes for --region): province, cities, counties."""
    store = _context.store()
    tree = access.region_tree(store)
    for code in tree.codes():
        level = tree.level(code)
        indent = {"province": "", "city": "  ", "county": "    "}[level]
        click.echo(f"{indent}{code}\t{tree.label(code)}\t{level}")
