"""Who may do what, and where: staff roles, the permission matrix and jurisdictions.

Every write function of the platform takes the acting user (an :class:`Actor`: name, role,
region) and calls :func:`require` before it writes; a refusal is a :class:`PermissionDenied`
and nothing is written. The check is independent of the store's SQL: it looks at the role's
row of :data:`MATRIX` and at the regions of the records the action touches.

Jurisdictions form a tree built from the ``counties`` layer: the province (``"province"``) →
its 设区市 (a county's ``city`` column; the city's code is its name) → counties (code
``county_id``). A user belongs to one node and sees and acts on what lies under it: a case by its
``handling_region`` and its joint handlers (``joint_regions``, 联合办案), a site by its county
(or its case, or as the reference site of one of the region's sites), a bank project by its
county (or, its record only, as holding capacity for one of the region's cases). Province users
see all.

A plain name where an actor is expected (the CLI, scripts and notebooks on the machine that holds
the store file) is a *local administrator* of that name: whoever can run code next to the file
can read and write it anyway; the audit log still names them.

References
----------
广西壮族自治区生态环境损害赔偿工作规则（征求意见稿）第二章 (管辖: 自治区、设区市管辖与联合办案);
浙江省生态环境损害赔偿管理办法（征求意见稿）第一、二条 (设区市可指定县级部门开展线索筛查、调查、
鉴定评估、磋商、修复效果评估). Seeds in ``shared/seeds/``.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from .errors import NotFoundError, PermissionDenied
from .messages import TEMPLATES, Message, Term
from .vocab import ACTION_LABELS as ACTIONS, ROLE_LABELS, label as _label  # noqa: F401 - ROLE_LABELS re-exported

PROVINCE = "province"
#: names that mean the province level when a record names a region in words (e.g. a jurisdiction
#: event's "自治区")
PROVINCE_ALIASES = frozenset({"province", "全省", "本省", "省", "省级", "自治区", "全区", "自治区本级", "省本级"})
#: staff roles, most powerful first
ROLES = ("admin", "supervisor", "appraiser", "planner", "readonly")
#: ROLE_LABELS (role -> labels) and ACTIONS (every action a write function checks -> labels) are
#: the vocabularies' (``restoration.vocab.people``)
_SUPERVISOR = {"data.import", "case.edit", "case.assign", "case.disclose", "case.event", "case.correct",
               "case.classify", "case.modes", "case.funds", "scenario.edit", "monitoring.ingest", "monitoring.evaluate",
               "monitoring.plan", "bank.registry", "bank.allocate", "bank.escrow"}
#: role × action: what each role may do (reading is every role's, inside its region)
MATRIX: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "supervisor": frozenset(_SUPERVISOR),
    "appraiser": frozenset({"scenario.edit", "case.appraisal"}),
    "planner": frozenset({"bank.allocate"}),
    "readonly": frozenset(),
}
#: actions a role may take only on the cases assigned to its user (``cases.appraisers``)
ASSIGNED_ONLY: dict[str, frozenset[str]] = {"appraiser": frozenset({"scenario.edit", "case.appraisal"})}
#: case events that are appraisal results (an appraiser may record them on assigned cases)
APPRAISAL_EVENTS = frozenset({"appraisal_reported"})


@dataclass(frozen=True)
class Actor:
    """The acting user: ``name`` (as written in the audit log), ``role`` and ``region`` code."""

    name: str
    role: str
    region: str = PROVINCE

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role '{self.role}'; roles: {', '.join(ROLES)}")

    def can(self, action: str) -> bool:
        return action in MATRIX[self.role]

    def __str__(self) -> str:
        return self.name


def local_admin(name: str = "local") -> Actor:
    """The CLI's (and local scripts') actor: an administrator of the whole province."""
    return Actor(str(name), "admin", PROVINCE)


#: set in a server process (the dashboards): a plain name is then refused instead of trusted
_PLAIN_NAMES_REFUSED: ContextVar[bool] = ContextVar("restoration_plain_names_refused", default=False)


def refuse_plain_names() -> None:
    """From now on in this thread's context, a write that names its actor by a plain string is
    refused: the dashboards call this first, so a page that forgot to pass the signed-in user
    cannot act as a local administrator."""
    _PLAIN_NAMES_REFUSED.set(True)


def cli_actor(name: str | None = None) -> Actor:
    """The CLI's actor: a local administrator named ``name``, else ``$RESTORATION_USER``, else
    the operating-system user (``cli:<login>``)."""
    import getpass
    import os
    if not name:
        try:
            name = os.environ.get("RESTORATION_USER") or f"cli:{getpass.getuser()}"
        except Exception:  # noqa: BLE001 - no user database in some containers
            name = "cli"
    return local_admin(name)


def as_actor(actor: Actor | str | None) -> Actor:
    """An :class:`Actor`; a plain name is a local administrator (see the module doc), except
    where :func:`refuse_plain_names` is in force."""
    if isinstance(actor, Actor):
        return actor
    if _PLAIN_NAMES_REFUSED.get():
        raise PermissionDenied(Message("denied.not_signed_in", {"actor": str(actor)}))
    return local_admin(actor or "system")


def name_of(actor: Actor | str | None) -> str:
    """The one spelling of an actor in the audit log: the user's name (a name stays itself)."""
    return actor.name if isinstance(actor, Actor) else str(actor or "system")


def role_label(role: str, lang: str = "zh") -> str:
    return _label("role", role, lang)


def action_label(action: str, lang: str = "zh") -> str:
    return _label("action", action, lang)


def matrix_table(lang: str = "zh") -> pd.DataFrame:
    """The permission matrix as a table (actions × roles, ✓ where allowed), for docs and pages."""
    return pd.DataFrame({role_label(r, lang): ["✓" if a in MATRIX[r] else "" for a in ACTIONS] for r in ROLES},
                        index=[action_label(a, lang) for a in ACTIONS])


# -- the region tree ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None


class RegionTree:
    """Province → city → county, from the counties layer (``county_id``, ``name``, ``city``).

    A county without a city hangs directly under the province.
    """

    def __init__(self, counties: pd.DataFrame | None = None, province_name: str = "全省"):
        nodes = {PROVINCE: Region(PROVINCE, province_name, "province", None)}
        if counties is not None and len(counties):
            for row in counties[[c for c in ("county_id", "name", "city") if c in counties]].to_dict("records"):
                city = row.get("city")
                city = city if isinstance(city, str) and city.strip() else None
                if city and city not in nodes:
                    nodes[city] = Region(city, city, "city", PROVINCE)
                nodes[str(row["county_id"])] = Region(str(row["county_id"]), str(row["name"]), "county",
                                                      city or PROVINCE)
        self.nodes = nodes
        self._by_name: dict[str, str] = {}
        for code, node in nodes.items():
            self._by_name.setdefault(node.name, code)

    def __contains__(self, code: object) -> bool:
        return code in self.nodes

    def ancestors(self, code: str) -> list[str]:
        """``code`` and every region above it, up to the province."""
        out = []
        while code is not None and code in self.nodes and code not in out:
            out.append(code)
            code = self.nodes[code].parent
        return out

    def contains(self, outer: str, inner: str | None) -> bool:
        """Whether region ``inner`` lies in (or is) region ``outer``; the province holds all."""
        if outer == PROVINCE:
            return True
        return inner is not None and outer in self.ancestors(inner)

    def resolve(self, value: Any) -> str | None:
        """A region code from a code or a name (county or city name); None if unknown."""
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip()
        if value in self.nodes:
            return value
        if value in PROVINCE_ALIASES:
            return PROVINCE
        return self._by_name.get(value)

    def name(self, code: str | None) -> str | None:
        node = self.nodes.get(code) if code else None
        return node.name if node else None

    def level(self, code: str | None) -> str | None:
        node = self.nodes.get(code) if code else None
        return node.level if node else None

    def codes(self) -> list[str]:
        """Every region code, the province first, each city followed by its counties."""
        out = [PROVINCE]
        cities = [c for c, n in self.nodes.items() if n.level == "city"]
        for city in cities:
            out.append(city)
            out += [c for c, n in self.nodes.items() if n.level == "county" and n.parent == city]
        out += [c for c, n in self.nodes.items() if n.level == "county" and n.parent == PROVINCE]
        return out

    def label(self, code: str | None, lang: str = "zh") -> str:
        """``桂西市 / 青岚县`` style path label of a region (for selects and tables)."""
        if not code or code not in self.nodes:
            return "—"
        if code == PROVINCE:
            return "全省" if lang == "zh" else "whole province"
        return " / ".join(self.nodes[c].name for c in reversed(self.ancestors(code)) if c != PROVINCE)


def region_tree(store) -> RegionTree:
    """The jurisdiction tree of a store (or transaction), from its counties layer."""
    return RegionTree(store.read("counties"))


# -- which regions a record belongs to ------------------------------------------------------------
def _codes(values: Iterable[Any], tree: RegionTree) -> set[str]:
    return {c for c in (tree.resolve(v) for v in values) if c}


def case_regions(case: Mapping[str, Any], tree: RegionTree) -> set[str]:
    """The regions handling a case: its ``handling_region`` (else its county, by name) and every
    joint handler (``joint_regions``)."""
    joint = case.get("joint_regions")
    joint = list(joint) if isinstance(joint, (list, tuple)) else []
    handling = case.get("handling_region") or case.get("region")
    return _codes([handling, *joint], tree)


def in_region(actor: Actor | str, codes: Iterable[str], tree: RegionTree) -> bool:
    actor = as_actor(actor)
    if actor.region == PROVINCE:
        return True
    return any(tree.contains(actor.region, c) for c in codes)


def deny(actor: Actor, code: str, **params) -> PermissionDenied:
    """A refusal naming the actor (name, role, region) and why: ``denied.<code>`` with ``params``."""
    if f"denied.{code}" not in TEMPLATES:
        raise ValueError(f"no message denied.{code}: add it to restoration.messages.TEMPLATES")
    return PermissionDenied(Message("denied.by", {"actor": actor.name, "role": Term("role", actor.role),
                                                  "region": Term("region", actor.region),
                                                  "reason": Message(f"denied.{code}", params)}))


def denial_reason(exc: PermissionDenied) -> str | None:
    """The code of a refusal's reason (``role``, ``not_assigned``, ``case_outside``...), if it has one."""
    m = getattr(exc, "message", None)
    if isinstance(m, Message) and m.code == "denied.by" and isinstance(m.params.get("reason"), Message):
        return m.params["reason"].code.split(".", 1)[1]
    return m.code.split(".", 1)[1] if isinstance(m, Message) and m.code.startswith("denied.") else None


def require(actor: Actor | str | None, action: str, store=None, *, case_id: str | None = None,
            case: Mapping[str, Any] | None = None, project_id: str | None = None,
            site_id: str | None = None, region: str | None = None) -> Actor:
    """Refuse (``PermissionDenied``) unless ``actor``'s role may take ``action`` on the records
    named, all of them in the actor's region; return the actor.

    ``store`` (a Store or an open Transaction) is read for the case, project or site named by id;
    ``region`` is a region code (or name) the action writes into, e.g. a case's new handling
    region.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action '{action}'")
    who = as_actor(actor)
    if not who.can(action):
        raise deny(who, "role", action=Term("action", action))
    if who.region == PROVINCE and action not in ASSIGNED_ONLY.get(who.role, ()):
        return who
    tree = region_tree(store) if store is not None else RegionTree()
    if who.region not in tree:
        raise deny(who, "unknown_region")
    if case is None and case_id is not None:
        case = _get(store, "cases", case_id)
    if case is not None:
        if not in_region(who, case_regions(case, tree), tree):
            raise deny(who, "case_outside", case=case.get("case_id"))
        if action in ASSIGNED_ONLY.get(who.role, ()):
            assigned = case.get("appraisers")
            if not isinstance(assigned, (list, tuple)) or who.name not in assigned:
                raise deny(who, "not_assigned", case=case.get("case_id"))
    elif action in ASSIGNED_ONLY.get(who.role, ()):
        raise deny(who, "assigned_only", action=Term("action", action))
    if project_id is not None:
        project = _get(store, "bank_projects", project_id)
        if not in_region(who, _codes([project.get("region")], tree), tree):
            raise deny(who, "project_outside", project=project_id)
    if site_id is not None:
        site = _get(store, "sites", site_id)
        if not _site_visible(who, site, tree, store):
            raise deny(who, "site_outside", site=site_id)
    if region is not None and not in_region(who, _codes([region], tree), tree):
        raise deny(who, "region_outside", region=region)
    return who


def why_not(actor: Actor | str | None, action: str, store=None, **target) -> str | None:
    """Why ``actor`` may not take ``action`` on ``target`` (the keywords of :func:`require`):
    ``"role"`` (the role's row of the matrix lacks it), ``"assigned"`` (an appraiser on a case not
    assigned to them), ``"region"`` (a record outside the actor's region) — or None when allowed.
    Pages use it to hide (or explain) a form; the write function still checks."""
    who = as_actor(actor)
    if not who.can(action):
        return "role"
    try:
        require(who, action, store, **target)
    except PermissionDenied as exc:
        return "assigned" if denial_reason(exc) in ("not_assigned", "assigned_only") else "region"
    except NotFoundError:
        return "region"
    return None


def allowed(actor: Actor | str | None, action: str, store=None, **target) -> bool:
    """Whether ``actor`` may take ``action`` on ``target`` (case_id=, case=, project_id=, site_id=,
    region=): :func:`require` without raising."""
    return why_not(actor, action, store, **target) is None


def require_regions(actor: Actor | str, action: str, store, regions: Iterable[Any], *, what: str = "record") -> Actor:
    """``require`` for many new records at once: each one's region (code or name, e.g. imported
    rows' county) must lie in the actor's region; a record without a known region only a
    province user may write."""
    who = require(actor, action, store)
    if who.region == PROVINCE:
        return who
    tree = region_tree(store)
    bad = sorted({str(r) for r in regions if not in_region(who, _codes([r], tree), tree)})
    if bad:
        raise deny(who, "records_outside", what=Term("layer", what), regions=bad[:10])
    return who


def _get(store, layer: str, key: str) -> dict:
    if store is None:
        raise ValueError("require() needs the store to look records up")
    inner = getattr(store, "unscoped", store)
    return inner.get(layer, key)


def _site_visible(actor: Actor, site: Mapping[str, Any], tree: RegionTree, store) -> bool:
    if in_region(actor, _codes([site.get("county")], tree), tree):
        return True
    case_id = site.get("case_id")
    if isinstance(case_id, str) and case_id:
        try:
            return in_region(actor, case_regions(_get(store, "cases", case_id), tree), tree)
        except NotFoundError:
            return False
    return False


# -- what an actor may read -----------------------------------------------------------------------
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
REGION_COLUMNS = {"screening_reports": "region"}
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
