"""When a progress bar is drawn: on a terminal or in a notebook, never into a log.

A tqdm bar redraws itself with carriage returns; written to a log file, a pipe or a CI console
(stderr not a terminal) it leaves thousands of ``\\r`` fragments. Long work logs its steps with
``logging`` (``-v``) instead.
"""
from __future__ import annotations

import sys


def bar_wanted(progress: bool = True) -> bool:
    """Whether to draw a progress bar: when ``progress`` asks for one and someone watches it —
    stderr is a terminal, or the code runs in a Jupyter kernel (tqdm.auto draws a widget there)."""
    if not progress:
        return False
    if "ipykernel" in sys.modules:
        return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())
