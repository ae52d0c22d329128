"""``restoration users``: staff accounts for the dashboards (argon2-hashed, local file)."""
from __future__ import annotations

import os

import click

from .. import auth


@click.group("users")
def users_group() -> None:
    """Staff users of the dashboards (roles: admin, supervisor, appraiser)."""


def _data() -> "os.PathLike":
    return click.get_current_context().find_root().obj["data"]


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option("--password-env", default=None,
              help="Read the password from this environment variable (for scripts); else prompt.")
def add(name: str, role: str, password_env: str | None) -> None:
    """Add (or reset) a user; the password is asked for and stored only as a hash."""
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.BadParameter(f"environment variable {password_env} is empty", param_hint="--password-env")
    else:
        password = click.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    user = auth.add_user(_data(), name, password, role)
    click.echo(f"已添加用户 added user {user.name} ({user.role})")


@users_group.command("list")
def list_() -> None:
    """List users and roles."""
    for user in auth.list_users(_data()):
        click.echo(f"{user.name}\t{user.role}")


@users_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove a user."""
    auth.remove_user(_data(), name)
    click.echo(f"已删除用户 removed user {name}")
