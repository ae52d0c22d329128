"""Package version, from the installed distribution ``restoration-platform``."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("restoration-platform")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
