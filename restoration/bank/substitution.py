"""The ecosystem substitution table: which ecosystem types may restore which, as data.

The table lives in ``substitution.toml`` beside this module (damaged type -> candidate type ->
match quality in (0, 1], 1 = like for like). Pairs not listed are not eligible for alternative
restoration. :func:`load_table` reads it (or a planner's own file) and checks every code against
:class:`restoration.model.EcosystemType`.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Issue
from ..model import EcosystemType

DEFAULT_TABLE = Path(__file__).with_name("substitution.toml")


def load_table(path: str | Path | None = None) -> pd.DataFrame:
    """The substitution table as rows (damaged, candidate, quality)."""
    return _load(str(Path(path) if path else DEFAULT_TABLE)).copy()


@lru_cache(maxsize=8)
def _load(path: str) -> pd.DataFrame:
    source = Path(path).name
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(Issue(f"cannot read the substitution table: {exc}", source=source)) from exc
    codes = {e.value for e in EcosystemType}
    rows, issues = [], []
    for damaged, candidates in data.items():
        if damaged not in codes:
            issues.append(Issue(f"unknown ecosystem type '{damaged}'", source=source, field=damaged))
            continue
        if not isinstance(candidates, dict):
            issues.append(Issue("expected a table of candidate = quality", source=source, field=damaged))
            continue
        for cand, q in candidates.items():
            if cand not in codes:
                issues.append(Issue(f"unknown ecosystem type '{cand}'", source=source, field=f"{damaged}.{cand}"))
            elif not isinstance(q, (int, float)) or not 0 < q <= 1:
                issues.append(Issue(f"match quality must be in (0, 1], got {q!r}", source=source,
                                    field=f"{damaged}.{cand}"))
            else:
                rows.append((damaged, cand, float(q)))
    if issues:
        raise InputError(issues)
    return pd.DataFrame(rows, columns=["damaged", "candidate", "quality"])


def match_quality(damaged: str, candidates, table: pd.DataFrame | None = None) -> np.ndarray:
    """Match quality of each candidate ecosystem for ``damaged``; NaN where not allowed."""
    t = load_table() if table is None else table
    lookup = dict(zip(t.loc[t["damaged"] == damaged, "candidate"], t.loc[t["damaged"] == damaged, "quality"]))
    return pd.Series(np.asarray(candidates, dtype=object)).map(lookup).to_numpy(dtype=float)


def substitutes(damaged: str, table: pd.DataFrame | None = None) -> dict[str, float]:
    """Candidate ecosystem -> quality for one damaged ecosystem."""
    t = load_table() if table is None else table
    sub = t[t["damaged"] == damaged]
    return dict(zip(sub["candidate"], sub["quality"]))
