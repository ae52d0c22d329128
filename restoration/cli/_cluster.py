"""``--scheduler ADDRESS`` for the raster commands: the command's dask work runs on the
``dask.distributed`` cluster at that address (or ``$RESTORATION_SCHEDULER``); without it, on
this machine's threads as before. An unusable scheduler is refused (exit 2) before anything
is computed or written."""
from __future__ import annotations

import functools
import glob
from pathlib import Path

import click

from ..monitoring.cluster import ENV, running_on, scheduler_address


def _raster_paths(kwargs: dict) -> list[str]:
    """The raster files named by the command's FILES / PATTERN arguments (patterns expanded)."""
    given = []
    for name in ("files", "pattern"):
        value = kwargs.get(name)
        if value:
            given.extend([value] if isinstance(value, str) else list(value))
    out = []
    for g in given:
        matches = glob.glob(str(Path(g).expanduser())) if any(c in g for c in "*?[") else [g]
        out.extend(m for m in matches if not Path(m).is_dir())
    return out


def on_scheduler(command):
    """Add ``--scheduler`` to a click command and run it on that cluster."""
    @click.option("--scheduler", "scheduler", default=None, metavar="ADDRESS",
                  help=f"Run the raster work on this dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 "
                       f"(default ${ENV}; unset: this machine's threads).")
    @functools.wraps(command)
    def wrapped(*args, scheduler=None, **kwargs):
        with running_on(scheduler_address(scheduler), _raster_paths(kwargs)):
            return command(*args, **kwargs)
    return wrapped
