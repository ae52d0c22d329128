"""Public disclosure (信息公开) by allow-list: what the public page may ever receive.

Nothing is masked after the fact: each layer declares the fields that may be public as they are
(codes, numbers, dates, geometry: :data:`PUBLIC_CASE_FIELDS`, :data:`PUBLIC_SITE_FIELDS`);
everything else stays on the staff side. Free text staff write (titles, site names, notes,
parties, event details) never leaves it; it is published only in a **public form**:

- a case's title is its ``public_title`` — set by staff with the ``case.disclose`` permission and
  checked (:func:`check_public_text`) — or else a template built from controlled values only:
  the handling region's name from the counties layer, whether the liable party is an
  organisation, the damaged ecosystem's label ("青岚县某企业森林生态环境损害赔偿案");
- a site's name is its ``public_name`` (checked the same way) or "<county><ecosystem><role>";
- the region is the name of the case's handling region in the jurisdiction tree;
- the liable party is split into its parties (、，,;；/ 和 及 与) and only organisations (a name
  ending in an organisation suffix, with no digits, e-mail or personal-data pattern) are shown;
  each natural person is replaced by :data:`PERSON_PLACEHOLDER`.

Personal data is what :mod:`restoration.personal_data` finds — on the normalised text (Chinese
and financial numerals, full-width forms, separators): a public text holding any is refused, an
organisation name holding any is withheld, and every public form a function here returns passes
that detector once more (:func:`withhold_personal`) before it leaves.

Only cases marked ``disclosed`` are published, and only their sites.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import pandas as pd

from . import personal_data
from . import access
from .access import RegionTree, region_tree
from .errors import InputError, Issue
from .messages import Message
from .model import EcosystemType, Role

#: case fields published as they are (controlled values: codes, numbers, dates)
PUBLIC_CASE_FIELDS = ("case_id", "case_class", "stage", "damage_amount_yuan", "incident_date",
                      "restoration_modes")
#: case fields published in a public form only (derived by this module, never copied)
PUBLIC_CASE_FORMS = ("title", "title_en", "region", "liable_party")
#: added to the public case table: the latest restoration effect evaluation (pass / fail / ...) and
#: whether the case was accepted or closed against it (an override: a yes/no, never its free text)
PUBLIC_RESULT_FIELDS = ("effect_verdict", "accepted_by_override")
#: site fields published as they are
PUBLIC_SITE_FIELDS = ("site_id", "case_id", "role", "ecosystem_type", "area_ha", "geometry")
#: site fields published in a public form only
PUBLIC_SITE_FORMS = ("name", "county")
PERSON_PLACEHOLDER = "自然人（依法隐去） / natural person (withheld)"
#: an organisation's name that holds personal data (a phone in brackets...) is withheld too
WITHHELD_PLACEHOLDER = "当事人信息（依法隐去） / party details (withheld)"
PUBLIC_TEXT_MAX = 120

_ORG_SUFFIX = re.compile(
    r"(有限责任公司|股份有限公司|有限公司|公司|集团|厂|场|矿|合作社|联合社|局|院|中心|协会|学会|委员会|政府|"
    r"办事处|医院|学校|大学|站|所|社|店|行|部|队|处|企业|"
    r"co\.?|ltd\.?|limited|inc\.?|company|corporation|corp\.?|llc|group|factory|plant)$", re.IGNORECASE)
_SPLIT = re.compile(r"[、，,;；/|\n]+")
_JOIN_WORDS = re.compile(r"[和及与]")


def _norm(text: Any) -> str:
    return personal_data.fold(text)


def split_parties(liable_party: Any) -> list[str]:
    """The parties of a liable-party text: split at 、，,;；/ and — where both sides are names of
    two characters or more — at 和, 及, 与 ("李四和桂西某某建材有限公司")."""
    t = _norm(liable_party)
    t = re.sub(r"(?i)co\.,\s*ltd", "Co. Ltd", t)  # "Co., Ltd." is one name, not two parties
    parts = []
    for piece in _SPLIT.split(t):
        piece = piece.strip()
        if not piece:
            continue
        bits = [b.strip() for b in _JOIN_WORDS.split(piece)]
        parts.extend(bits if len(bits) > 1 and all(len(b) >= 2 for b in bits) else [piece])
    return parts


def _has_org_suffix(party: Any) -> bool:
    t = re.sub(r"[（(][^（()）]*[）)]\s*$", "", _norm(party).strip()).strip()  # "某公司（筹）" ends in 公司
    return bool(t) and bool(_ORG_SUFFIX.search(t))


def is_organisation(party: Any) -> bool:
    """A party whose name ends in an organisation suffix and holds no personal data."""
    return _has_org_suffix(party) and not personal_data.holds_personal_data(party)


def is_natural_person(name: Any) -> bool:
    return bool(_norm(name).strip()) and not is_organisation(name)


def public_parties(liable_party: Any) -> str | None:
    """The liable party as published: organisations by name, each natural person withheld."""
    parts = split_parties(liable_party)
    if not parts:
        return None
    def shown(p: str) -> str:
        if is_organisation(p):
            return p
        return WITHHELD_PLACEHOLDER if _has_org_suffix(p) else PERSON_PLACEHOLDER
    return "、".join(dict.fromkeys(shown(p) for p in parts))


def check_public_text(text: Any, field: str, case: Mapping[str, Any] | None = None) -> str | None:
    """Refuse a public text (``public_title``, ``public_name``) holding personal data, a natural
    person's name from the case's liable party, or more than :data:`PUBLIC_TEXT_MAX` characters;
    return it stripped (None for blank)."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return None
    raw = str(text).strip()
    t = _norm(raw[:4 * PUBLIC_TEXT_MAX]).strip()  # (the rest of a longer text is refused as too long anyway)
    problems = []
    if len(t) > PUBLIC_TEXT_MAX or len(raw) > 4 * PUBLIC_TEXT_MAX:
        problems.append(Message("public.too_long", {"n": PUBLIC_TEXT_MAX}))
    found = personal_data.find(t)
    if found:
        problems.append(Message("public.personal_data",
                                {"kinds": [Message(f"personal.{k}") for k in dict.fromkeys(f.kind for f in found)]}))
    persons = [_compact(p) for p in split_parties((case or {}).get("liable_party"))
               if not is_organisation(p) and len(_compact(p)) >= 2]
    if any(p in _compact(t) for p in persons):
        problems.append(Message("public.names_person"))
    if problems:
        raise InputError(Issue(Message("public.refused", {"problems": problems}), field=field))
    return t


def _compact(text: str) -> str:
    """A text without spacing and separators, lower case ("张 三", "John-Smith" name the same person)."""
    return re.sub(r"[\s·•・.\-_/]+", "", text).lower()


def withhold_personal(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with every text in ``columns`` that holds personal data
    (:func:`restoration.personal_data.find`) replaced by :data:`WITHHELD_PLACEHOLDER` — the last
    check on what a public function returns, whatever the form it was built from."""
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = [WITHHELD_PLACEHOLDER if personal_data.holds_personal_data(v) else v for v in out[col]]
    return out


def _safe_public(text: Any, field: str, case: Mapping[str, Any] | None) -> str | None:
    try:
        return check_public_text(text, field, case)
    except InputError:
        return None  # a stored text that no longer passes (e.g. parties changed): the template


def title_template(case: Mapping[str, Any], tree: RegionTree, ecosystem: str | None = None,
                   lang: str = "zh") -> str:
    """A public title from controlled values only, e.g. ``青岚县某企业森林生态环境损害赔偿案``."""
    region = tree.name(tree.resolve(case.get("handling_region")) or tree.resolve(case.get("region")))
    parties = split_parties(case.get("liable_party"))
    org = bool(parties) and all(is_organisation(p) for p in parties)
    eco = None
    if ecosystem in EcosystemType._value2member_map_:
        eco = EcosystemType(ecosystem)
    if lang == "zh":
        who = "某企业" if org else "某单位或个人"
        return f"{region or '本省'}{who}{eco.zh if eco else ''}生态环境损害赔偿案"
    what = f"{eco.en} damage" if eco else "ecological damage"
    return f"{what[0].upper() + what[1:]} compensation case, {region or 'province'} ({'a company' if org else 'a party'})"


def site_template(site: Mapping[str, Any], tree: RegionTree) -> str:
    county = tree.name(tree.resolve(site.get("county"))) or ""
    eco = EcosystemType(site["ecosystem_type"]).zh if site.get("ecosystem_type") in EcosystemType._value2member_map_ else ""
    role = Role(site["role"]).zh if site.get("role") in Role._value2member_map_ else "场地"
    return f"{county}{eco}{role}"


#: ids published as they are: a prefix, a year and a sequence number (GX-2024-003), or a prefix and
#: up to six digits (S004); any other id is replaced by a neutral number
_PUBLIC_ID = re.compile(r"^[A-Za-z]{0,10}[-_]?(?:(?:19|20)\d{2}[-_]\d{1,6}|\d{1,6})$")


def public_id(value: Any, n: int) -> str:
    """A case or site id as published (an id that could hold personal data becomes ``#n``)."""
    return value if isinstance(value, str) and _PUBLIC_ID.match(value) else f"#{n + 1}"


def public_cases(store) -> pd.DataFrame:
    """Disclosed cases, allow-listed fields and public forms only."""
    cases = store.read("cases", disclosed=1)
    tree = region_tree(store)
    sites = store.read("sites", case_id=list(cases["case_id"])) if len(cases) else store.read("sites").iloc[:0]
    damaged = sites[sites["role"] == "damaged"].groupby("case_id")["ecosystem_type"].first().to_dict()
    out = pd.DataFrame({f: cases[f] for f in PUBLIC_CASE_FIELDS}) if len(cases) else \
        pd.DataFrame(columns=list(PUBLIC_CASE_FIELDS))
    rows = cases.to_dict("records")
    out["case_id"] = [public_id(c["case_id"], i) for i, c in enumerate(rows)]
    out["title"] = [_safe_public(c.get("public_title"), "public_title", c)
                    or title_template(c, tree, damaged.get(c["case_id"])) for c in rows]
    out["title_en"] = [title_template(c, tree, damaged.get(c["case_id"]), "en") for c in rows]
    out["region"] = [tree.name(tree.resolve(c.get("handling_region")) or tree.resolve(c.get("region"))) or "—"
                     for c in rows]
    out["liable_party"] = [public_parties(c.get("liable_party")) or "—" for c in rows]
    evals = store.read("effect_evaluations", case_id=list(cases["case_id"])) if len(cases) else None
    latest = (evals.sort_values("evaluated_at").groupby("case_id")["verdict"].last().to_dict()
              if evals is not None and len(evals) else {})
    out["effect_verdict"] = pd.Series([latest.get(c["case_id"]) for c in rows], index=out.index, dtype=object)
    ends = store.read("case_events", case_id=list(cases["case_id"]), event_type=("accepted", "closed")) \
        if len(cases) else None
    overridden = set() if ends is None else {r["case_id"] for r in ends.to_dict("records")
                                             if isinstance(r.get("details"), dict) and "evaluation_override" in r["details"]}
    out["accepted_by_override"] = pd.Series([c["case_id"] in overridden for c in rows], index=out.index, dtype=bool)
    out = withhold_personal(out, PUBLIC_CASE_FORMS)
    return out[list(PUBLIC_CASE_FIELDS[:1] + PUBLIC_CASE_FORMS + PUBLIC_CASE_FIELDS[1:] + PUBLIC_RESULT_FIELDS)
               ].reset_index(drop=True)


def public_sites(store) -> pd.DataFrame:
    """Sites of disclosed cases: allow-listed fields and public forms only."""
    cases = store.read("cases", disclosed=1)
    ids = list(cases["case_id"])
    sites = store.read("sites", case_id=ids) if ids else store.read("sites").iloc[:0]
    tree = region_tree(store)
    by_case = {c["case_id"]: c for c in cases.to_dict("records")}
    case_no = {c: public_id(c, i) for i, c in enumerate(ids)}
    rows = pd.DataFrame(sites.drop(columns="geometry")).to_dict("records")
    out = sites[list(PUBLIC_SITE_FIELDS)].copy()
    out["site_id"] = [public_id(s["site_id"], i) for i, s in enumerate(rows)]
    out["case_id"] = [case_no.get(s["case_id"]) for s in rows]
    out["name"] = [_safe_public(s.get("public_name"), "public_name", by_case.get(s["case_id"]))
                   or site_template(s, tree) for s in rows]
    out["county"] = [tree.name(tree.resolve(s.get("county"))) for s in rows]
    out = withhold_personal(out, PUBLIC_SITE_FORMS)
    return out[["site_id", "case_id", "role", "ecosystem_type", "name", "area_ha", "county", "geometry"]
               ].reset_index(drop=True)


def set_public_name(store, site_id: str, public_name: str | None, actor) -> dict:
    """Set (or clear) a site's public name — a disclosure decision (``case.disclose``)."""
    site = store.get("sites", site_id)
    case = store.get("cases", site["case_id"]) if site.get("case_id") else None
    who = access.require(actor, "case.disclose", store, site_id=site_id, case=case)
    text = check_public_text(public_name, "public_name", case)
    with store.transaction(who.name) as tx:
        return tx.update("sites", site_id, {"public_name": text}, action="public name")
