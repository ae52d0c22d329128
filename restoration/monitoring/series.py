"""Reading and writing the ``monitoring_series`` layer (one value per site, indicator, time and
source), shared by the raster and table ingestion and by progress and evaluation."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import pandas as pd

from ..errors import Issue
from ..store import Store, Transaction

#: qc flags (any ``;``-separated part) that keep a value out of progress and evaluation
EXCLUDED_QC = frozenset({"cloudy", "suspect", "invalid", "rejected", "outside"})
KEY = ("site_id", "indicator", "time", "source")


@contextmanager
def writing(store_or_tx: Store | Transaction, actor, site_ids: Sequence[str] | None = None
            ) -> Iterator[Transaction]:
    """A transaction: the caller's own (its writes join it) or a new one on the store — once the
    actor may ingest monitoring data for every site in ``site_ids`` (its region's sites)."""
    from .. import access, scoped_store
    who = access.require(actor, "monitoring.ingest", store_or_tx)
    if site_ids is not None and who.region != access.PROVINCE:
        outside = sorted({str(s) for s in site_ids} - scoped_store.scope(store_or_tx, who).site_ids)
        if outside:
            raise access.deny(who, "sites_outside", sites=outside[:10])
    actor = who.name
    if isinstance(store_or_tx, Transaction):
        yield store_or_tx
    else:
        with store_or_tx.transaction(actor) as tx:
            yield tx


def existing_keys(tx: Transaction, frame: pd.DataFrame) -> pd.MultiIndex:
    """The (site_id, indicator, time, source) keys of ``frame`` already in the store."""
    if frame.empty:
        return pd.MultiIndex.from_tuples([], names=KEY)
    have = tx.read("monitoring_series", site_id=sorted(set(frame["site_id"])), columns=list(KEY))
    mine = pd.MultiIndex.from_frame(frame[list(KEY)])
    return mine[mine.isin(pd.MultiIndex.from_frame(have[list(KEY)]))] if not have.empty else mine[:0]


def write_series(tx: Transaction, frame: pd.DataFrame, *, replace: bool, action: str,
                 progress: bool = False) -> tuple[int, int]:
    """Insert canonical ``monitoring_series`` rows; with ``replace`` delete rows with the same
    key first (audited), else the caller must have refused duplicates. Returns (inserted,
    replaced)."""
    replaced = 0
    if replace and not frame.empty:
        dup = existing_keys(tx, frame)
        if len(dup):
            # the replaced values go to the audit log with the rows themselves
            replaced = tx.delete_matching("monitoring_series", dup.to_frame(index=False),
                                          action=f"replace ({action})")
    n = tx.insert("monitoring_series", frame, action=action, progress=progress)
    return n, replaced


def read_series(store: Store | Transaction, site_ids: Sequence[str] | None = None,
                indicators: Sequence[str] | None = None, *, usable_only: bool = True) -> pd.DataFrame:
    """Monitoring values with ``time`` as datetime64, sorted by site, indicator, time.

    ``usable_only`` drops values whose qc flag has a part in :data:`EXCLUDED_QC` (cloudy raster
    means, suspect samples).
    """
    filters = {}
    for col, values in (("site_id", site_ids), ("indicator", indicators)):
        if values is not None:
            values = list(values)
            if not values:
                return _empty()
            filters[col] = values
    frame = store.read("monitoring_series", columns=["site_id", "indicator", "time", "value", "unit", "source",
                                                     "qc_flag"], **filters)
    if frame.empty:
        return _empty()
    frame["time"] = pd.to_datetime(frame["time"], format="mixed")
    frame["value"] = frame["value"].astype(float)
    if usable_only:
        flags = frame["qc_flag"].fillna("ok").astype(str)
        bad = flags.map(lambda f: bool(EXCLUDED_QC.intersection(f.split(";"))))
        frame = frame[~bad]
    return frame.sort_values(["site_id", "indicator", "time"], kind="stable").reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"site_id": pd.Series(dtype=object), "indicator": pd.Series(dtype=object),
                         "time": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float),
                         "unit": pd.Series(dtype=object), "source": pd.Series(dtype=object),
                         "qc_flag": pd.Series(dtype=object)})


def site_series(store: Store, site_id: str, indicator: str, *, source: str | None = None,
                usable_only: bool = True) -> pd.DataFrame:
    """One site's series of one indicator (all sources unless ``source``), for charts:
    columns time, value, unit, source, qc_flag. Raises NotFoundError for an unknown site."""
    store.get("sites", site_id)  # NotFoundError names the site
    frame = read_series(store, [site_id], [indicator], usable_only=usable_only)
    if source is not None:
        frame = frame[frame["source"] == source]
    return frame.drop(columns=["site_id", "indicator"]).reset_index(drop=True)


def refuse_existing(tx: Transaction, frame: pd.DataFrame, lines: Sequence[int], source: str,
                    label: str) -> list[Issue]:
    """Issues for rows whose key is already stored (when not replacing)."""
    dup = existing_keys(tx, frame)
    if not len(dup):
        return []
    keys = pd.MultiIndex.from_frame(frame[list(KEY)])
    issues = []
    for pos in [int(i) for i in (keys.isin(dup)).nonzero()[0][:50]]:
        issues.append(Issue("this value (site, indicator, time, source) is already in the store; "
                            "use --replace to overwrite", source=source, row=lines[pos], field="time",
                            row_label=label))
    return issues


__all__ = ["read_series", "site_series", "write_series", "EXCLUDED_QC"]
