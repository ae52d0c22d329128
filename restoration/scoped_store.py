"""What an actor may read: the scope of a user's region (the ids of the cases, sites and bank
projects under it), frames restricted to it, and :class:`ScopedStore`, a read-only view of a
store that shows a user only what lies in their region (the dashboards read through it)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from .access import Actor, as_actor, deny
from .messages import Term
from .regions import PROVINCE, region_tree

@dataclass(frozen=True)
class Scope:
    """The records an actor may read (None: everything): case, site and bank project ids, and the
    region codes and names inside the actor's region (for layers keyed by a region)."""

    case_ids: frozenset[str] | None
    site_ids: frozenset[str] | None
    project_ids: frozenset[str] | None
    regions: frozenset[str] | None = None
    #: the projects in the region itself (``project_ids`` adds those holding capacity for the
    #: region's cases: their record is readable, their other allocations are not)
    own_project_ids: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.case_ids is None


#: layers whose rows belong to a region by a column of their own (no case, site or project)
REGION_COLUMNS = {"screening_reports": "region", "clue_candidates": "county"}
#: the columns that place a row of a layer in a region
_ID_COLUMNS = ("case_id", "site_id", "project_id")

_SCOPES: dict[tuple, Scope] = {}


def scope(store, actor: Actor | str) -> Scope:
    """The case, site and bank project ids in ``actor``'s region (cached per store version)."""
    who = as_actor(actor)
    if who.region == PROVINCE:
        return Scope(None, None, None)
    inner = getattr(store, "unscoped", store)
    # a store is cached on its version; an open transaction (its own uncommitted view) is not
    where = getattr(inner, "location", None) or getattr(inner, "path", None)
    key = (str(where), inner.version, who) if where is not None and hasattr(inner, "version") else None
    if key is not None and key in _SCOPES:
        return _SCOPES[key]
    out = Scope(*_scope_ids(inner, who))
    if key is not None:
        if len(_SCOPES) > 64:
            _SCOPES.clear()
        _SCOPES[key] = out
    return out


def _scope_ids(store, who: Actor) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """The ids in ``who``'s region, vectorised: the region's codes (and their names) once, then
    one ``isin`` per column."""
    tree = region_tree(store)
    inside = {c for c in tree.nodes if tree.contains(who.region, c)}

    def within(values: pd.Series) -> pd.Series:
        # records may give a code or a name: each distinct value is resolved once
        distinct = pd.unique(values.dropna())
        codes = {v: tree.resolve(v) for v in distinct}
        return values.map(codes).isin(inside)

    cases = store.read("cases")
    handling = cases["handling_region"].where(cases["handling_region"].notna(), cases["region"])
    joint = cases["joint_regions"].map(lambda js: any(tree.resolve(j) in inside for j in js)
                                       if isinstance(js, (list, tuple)) and js else False)
    case_ids = frozenset(cases.loc[within(handling) | joint.astype(bool), "case_id"])
    sites = store.read("sites")
    site_ids = set(sites.loc[within(sites["county"]) | sites["case_id"].isin(case_ids), "site_id"])
    # the reference site a visible site is measured against (e.g. a regional 参照区 in the next
    # county) is read with it: its values are part of the region's progress figures
    targets = store.read("indicator_targets", columns=["site_id", "reference_site_id"])
    site_ids = frozenset(site_ids | set(targets.loc[targets["site_id"].isin(site_ids), "reference_site_id"].dropna()))
    bank = store.read("bank_projects")
    own_project_ids = frozenset(bank.loc[within(bank["region"]), "project_id"])
    # a project elsewhere that holds capacity for one of the region's cases is read with the case
    # (its obligation is computed from the project's record)
    allocs = store.read("bank_allocations", columns=["project_id", "case_id"])
    held = set(allocs.loc[allocs["case_id"].isin(case_ids), "project_id"].dropna())
    project_ids = frozenset(own_project_ids | held)
    regions = frozenset(inside | {tree.nodes[c].name for c in inside})
    return case_ids, site_ids, project_ids, regions, own_project_ids


def scoped_layer(layer: str) -> bool:
    """Whether a layer's rows belong to regions (and a user outside the province sees only
    some of them); reference layers (counties, watersheds, raster sources) do not."""
    from .model import LAYERS
    spec = LAYERS.get(layer)
    if spec is None:
        return True  # unknown: treat as private
    return (layer == "audit_log" or layer in REGION_COLUMNS
            or any(c in spec.field_names for c in _ID_COLUMNS))


def restrict(store, actor: Actor | str, frame: pd.DataFrame, layer: str | None = None) -> pd.DataFrame:
    """The rows of ``frame`` that ``actor`` may read: a row with a case, site or bank project is
    kept when one of them is in the actor's region; a row of a region-keyed layer (screening
    reports) when its region is; rows without any are reference data (counties, watersheds) and
    kept. The audit log outside the province keeps only the region's records."""
    if not isinstance(frame, pd.DataFrame):
        return frame
    sc = scope(store, actor)
    if sc.everything:
        return frame
    if layer == "audit_log":
        ids = sc.case_ids | sc.site_ids | sc.own_project_ids
        return frame[frame["record_id"].isin(ids)]
    if layer in REGION_COLUMNS:
        return frame[frame[REGION_COLUMNS[layer]].isin(sc.regions)]
    # a row of a case and a project (allocation, ledger, escrow) is the case's, or the project's
    # when the project lies in the region: not every region that reads the project's record
    projects = sc.own_project_ids if "case_id" in frame.columns else sc.project_ids
    checks = [(col, ids) for col, ids in (("case_id", sc.case_ids), ("site_id", sc.site_ids),
                                          ("project_id", projects)) if col in frame.columns]
    if not checks:
        return frame
    keep = pd.Series(False, index=frame.index)
    for col, ids in checks:
        keep |= frame[col].isin(ids)
    return frame[keep]


def visible(store, actor: Actor | str, layer: str, key: str) -> bool:
    """Whether one record of a keyed layer is in ``actor``'s region (a record of another keyed
    layer by its case, site or project)."""
    sc = scope(store, actor)
    if sc.everything:
        return True
    ids = {"cases": sc.case_ids, "sites": sc.site_ids, "bank_projects": sc.project_ids}.get(layer)
    if ids is not None:
        return key in ids
    if not scoped_layer(layer):
        return True
    inner = getattr(store, "unscoped", store)
    return not restrict(store, actor, pd.DataFrame([inner.get(layer, key)]), layer).empty


class ScopedStore:
    """A store as one actor sees it: every read operation (``read``, ``get``, ``keys``,
    ``values``, ``count``, ``total``, ``totals``, ``extent``, ``last_change``, ``info``,
    ``snapshot``) answers only from what lies in the actor's region (``get`` of anything else is
    ``PermissionDenied``); raw SQL (``query``) is refused. Writes go through ``transaction`` as
    on the store: every write function calls :func:`require` first. The dashboards hand this to
    ``restoration``'s functions, so every page reads through it."""

    def __init__(self, store, actor: Actor | str):
        self.unscoped = getattr(store, "unscoped", store)
        self.actor = as_actor(actor)

    def __getattr__(self, name: str):
        if name.startswith("_"):  # private operations (raw rows, connections) are not scoped
            raise AttributeError(f"{name} is not available on a user's scoped view of the store")
        return getattr(self.unscoped, name)

    def __repr__(self) -> str:
        return f"ScopedStore({self.unscoped!r}, {self.actor.name!r})"

    def read(self, layer: str, /, *, columns: list[str] | None = None, **kwargs) -> pd.DataFrame:
        if columns is None or not self._limited(layer):
            return restrict(self.unscoped, self.actor, self.unscoped.read(layer, columns=columns, **kwargs),
                            layer)
        # the columns that place a row in a region are read too (then dropped), so a narrow
        # read is filtered like a whole one
        from .model import LAYERS
        spec = LAYERS[layer]
        placing = [c for c in (*_ID_COLUMNS, "record_id", REGION_COLUMNS.get(layer))
                   if c and c in spec.field_names and c not in columns]
        frame = restrict(self.unscoped, self.actor,
                         self.unscoped.read(layer, columns=[*columns, *placing], **kwargs), layer)
        return frame.drop(columns=placing)

    def get(self, layer: str, key_value: str) -> dict:
        record = self.unscoped.get(layer, key_value)
        if not visible(self.unscoped, self.actor, layer, key_value):
            raise deny(self.actor, "record_outside", layer=Term("layer", layer), record=key_value)
        return record

    def partly_visible(self, layer: str) -> set[str]:
        """Keys of ``layer`` whose record the actor reads but whose dependent rows are only partly
        theirs: bank projects outside the region holding capacity for the region's cases (their
        balance would be the region's share only, so it is not given)."""
        sc = scope(self.unscoped, self.actor)
        if sc.everything or layer != "bank_projects":
            return set()
        return set(sc.project_ids - sc.own_project_ids)

    # -- aggregates: answered from the rows the actor may read --------------------------------
    def _limited(self, layer: str) -> bool:
        return not scope(self.unscoped, self.actor).everything and scoped_layer(layer)

    def _rows(self, layer: str, columns: Iterable[str], equals: Mapping[str, Any]) -> pd.DataFrame:
        from .errors import InputError, Issue
        from .model import LAYERS
        spec = LAYERS[layer]
        wanted = list(dict.fromkeys(columns))
        for c in wanted:
            if c not in spec.field_names and c != "geometry":
                raise InputError(Issue(f"unknown field '{c}'", source=layer))
        return self.read(layer, columns=wanted, **equals)

    def keys(self, layer: str, column: str | None = None, /, **equals: Any) -> set:
        from .model import LAYERS
        return self.values(layer, column or LAYERS[layer].key, **equals)

    def values(self, layer: str, column: str, /, **equals: Any) -> set:
        if not self._limited(layer):
            return self.unscoped.values(layer, column, **equals)
        return set(self._rows(layer, [column], equals)[column].dropna())

    def count(self, layer: str, /, **equals: Any) -> int:
        if not self._limited(layer):
            return self.unscoped.count(layer, **equals)
        return len(self._rows(layer, [], equals))

    def total(self, layer: str, column: str, /, **equals: Any) -> float:
        if not self._limited(layer):
            return self.unscoped.total(layer, column, **equals)
        return float(pd.to_numeric(self._rows(layer, [column], equals)[column], errors="coerce").sum())

    def totals(self, layer: str, column: str, by, /, **equals: Any) -> pd.DataFrame:
        if not self._limited(layer):
            return self.unscoped.totals(layer, column, by, **equals)
        by = list(by)
        rows = self._rows(layer, [column, *by], equals)
        if rows.empty:
            return pd.DataFrame({**{c: pd.Series(dtype=object) for c in by}, column: pd.Series(dtype=float)})
        rows = rows.assign(**{column: pd.to_numeric(rows[column], errors="coerce")})
        out = rows.groupby(by, dropna=False, sort=True)[column].sum(min_count=0).reset_index()
        out[column] = out[column].astype(float)
        return out

    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        from .model import LAYERS
        if not self._limited(layer) or not LAYERS[layer].geometry:
            return self.unscoped.extent(layer)
        shapes = self._rows(layer, ["geometry"], {})
        if shapes.empty or shapes.geometry.is_empty.all():
            return None
        return tuple(float(v) for v in shapes.geometry.total_bounds)

    def last_change(self, layer: str, record_id: str | None = None) -> dict | None:
        log = self.read("audit_log", layer=layer, record_id=record_id, columns=["actor", "action", "at", "record_id"])
        if log.empty:
            return None
        last = log.iloc[-1]
        return {"actor": last["actor"], "action": last["action"], "at": last["at"]}

    def info(self) -> dict:
        inner = self.unscoped.info()
        return {**inner, "layers": {name: self.count(name) for name in inner["layers"]}}

    @contextmanager
    def snapshot(self):
        """A consistent read of the store, scoped as this view is."""
        with self.unscoped.snapshot() as snap:
            yield ScopedStore(snap, self.actor)

    def query(self, sql: str, params=()) -> pd.DataFrame:
        raise deny(self.actor, "raw_sql")


def scoped(store, actor: Actor | str) -> ScopedStore:
    return ScopedStore(store, actor)
