"""Rule profiles (national and provincial) as data: ``profiles/*.toml``.

The engine that reads them is ``restoration.cases.rules``; this package only ships the files.
"""
from pathlib import Path

#: folder of the profiles shipped with the platform
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
