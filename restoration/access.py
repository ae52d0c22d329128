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

import getpass
import os
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from .errors import NotFoundError, PermissionDenied
from .messages import TEMPLATES, Message, Term
from .regions import PROVINCE, PROVINCE_ALIASES, Region, RegionTree, region_tree  # noqa: F401
from .vocab import ACTION_LABELS as ACTIONS, ROLE_LABELS, label as _label  # noqa: F401 - ROLE_LABELS re-exported

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


def login_name() -> str:
    """Who is at the keyboard, as the audit log names them: ``$RESTORATION_USER``, else the
    operating-system login (``cli`` where there is no user database). Every CLI command and
    :func:`cli_actor` use this one spelling."""
    try:
        return os.environ.get("RESTORATION_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "cli"


def cli_actor(name: str | None = None) -> Actor:
    """The CLI's actor: a local administrator named ``name``, else :func:`login_name`."""
    return local_admin(name or login_name())


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
