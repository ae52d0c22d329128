"""Rule profiles (national and provincial) as data: ``profiles/*.toml``.

The engine that reads them is ``restoration.cases.rules``; this package ships the files, and
``install`` adds checked versions to the data folder (``restoration rules install``).
"""
import os
from contextvars import ContextVar
from pathlib import Path

#: folder of the profiles shipped with the platform
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
#: the data folder whose ``profiles/`` holds the versions installed by ``restoration rules
#: install`` (the CLI sets it from ``--data``; else ``restoration.config.data_dir()``)
_DATA_FOLDER: ContextVar[Path | None] = ContextVar("restoration_profiles_data_folder", default=None)


def use_data_folder(folder: str | os.PathLike | None):
    """Look for installed profile versions in ``folder``/profiles from now on (in this context);
    returns the token to undo it with ``_DATA_FOLDER.reset``."""
    return _DATA_FOLDER.set(None if folder is None else Path(folder))
