"""The dashboards' only door to data: typed functions over ``restoration``'s API, cached on the
store's version.

Every cached read takes the store version as part of its key, so a write (which bumps the
version) makes the next rerun read fresh data, and nothing stale survives an edit. Each read is
a named, typed function (no string dispatch): a renamed API breaks at import, not at runtime.

Staff read through ``restoration.access``: the store handed to ``restoration``'s functions is the
signed-in user's scoped view (only their region's cases, sites and bank projects), and the cache
key holds the user. The public page reads only the ``public_*`` functions — the disclosure
functions, which publish by allow-list — on the whole store, keyed without a user.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboards import state

from restoration import bank as bank_api
from restoration.bank import register as bank_register
from restoration import cases as case_api
from restoration import access, config, disclosure, ensure_store, monitoring, scoped_store
from restoration import field as field_api
from restoration.cases import clues as clue_api, publication
from restoration.messages import Message
from restoration.monitoring import overlay

from restoration.store import Store


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    """One Store per location for the whole server (on PostGIS its pooled connections are shared
    by every session)."""
    if path.startswith(("postgresql://", "postgres://")):
        return ensure_store(db=path)
    return ensure_store(Path(path))


def data_dir() -> Path:
    return config.data_dir()


def _location() -> str:
    """The store's location as a cache key: the database URL, else the data folder."""
    location = config.store_location()
    return location if isinstance(location, str) else str(data_dir().resolve())


def actor() -> access.Actor | None:
    """The signed-in user as ``restoration`` sees them (None for a public visitor)."""
    user = st.session_state.get(state.USER)
    if not user:
        return None
    return access.Actor(user["name"], user["role"], user.get("region") or access.PROVINCE)


def _who(who: access.Actor | None) -> tuple | None:
    return None if who is None else (who.name, who.role, who.region)


def raw_store() -> Store:
    """The whole store (sign-in, version and the public page's allow-listed functions only)."""
    return _store(_location())


def store():
    """The store as the signed-in user may see it (their region); writes check their role."""
    who = actor()
    if who is None:
        raise access.PermissionDenied(Message("denied.sign_in"))
    return scoped_store.scoped(raw_store(), who)


def version() -> int:
    return raw_store().version


def _key() -> tuple[str, int, tuple]:
    """Cache key of a staff read: location, store version and the signed-in user."""
    who = actor()
    if who is None:
        raise access.PermissionDenied(Message("denied.sign_in"))
    return _location(), version(), _who(who)


def _public_key() -> tuple[str, int, None]:
    """Cache key of a public read: the same for every visitor."""
    return _location(), version(), None


def _view(path: str, who: tuple | None):
    """The store a cached read works on: the user's scoped view, or (public) the whole store."""
    return _store(path) if who is None else scoped_store.scoped(_store(path), access.Actor(*who))


def today() -> date:
    return config.today()


# -- layers -----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _layer(path: str, store_version: int, who: tuple | None, layer: str) -> pd.DataFrame:
    return _view(path, who).read(layer)


def layer(name: str) -> pd.DataFrame:
    """A whole layer as the signed-in user may see it, cached until the store changes (a public
    visitor gets only the reference layers: counties and watersheds)."""
    if actor() is None and name in ("counties", "watersheds"):
        return _layer(*_public_key(), name)
    return _layer(*_key(), name)


def cases() -> pd.DataFrame:
    return layer("cases")


def sites() -> gpd.GeoDataFrame:
    return layer("sites")


def counties() -> gpd.GeoDataFrame:
    return layer("counties")


def watersheds() -> gpd.GeoDataFrame:
    return layer("watersheds")


def indicator_targets() -> pd.DataFrame:
    return layer("indicator_targets")


# -- cases ------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _case_record(path: str, v: int, who: tuple | None, case_id: str, day: date) -> dict:
    return case_api.case_record(_view(path, who), case_id, today=day)


def case_record(case_id: str) -> dict:
    """Record, deadlines, events, consultation, modes and funds ledger of one case."""
    return _case_record(*_key(), case_id, today())


@st.cache_data(show_spinner=False, max_entries=64)
def _field_conflicts(path: str, v: int, who: tuple | None, case_id: str) -> pd.DataFrame:
    return field_api.conflicts(_view(path, who), status=None, case_id=case_id)


def field_conflicts(case_id: str) -> pd.DataFrame:
    """The case's field-import review queue (open and resolved)."""
    return _field_conflicts(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _field_thumbnails(path: str, v: int, who: tuple | None, case_id: str) -> dict[int, bytes]:
    return field_api.thumbnails(_view(path, who), case_id)


def field_thumbnails(case_id: str) -> dict[int, bytes]:
    """{photo_id: JPEG thumbnail} of a case's field photos (staff)."""
    return _field_thumbnails(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _next_events(path: str, v: int, who: tuple | None, case_id: str, day: date) -> list[str]:
    return case_api.next_events(_view(path, who), case_id, today=day)


def next_events(case_id: str) -> list[str]:
    """The event types the case's history allows next (what the event form offers)."""
    return _next_events(*_key(), case_id, today())


@st.cache_data(show_spinner=False, max_entries=16)
def _overview_numbers(path: str, v: int, who: tuple | None, case_ids: tuple[str, ...], day: date) -> dict:
    from . import kpis
    return kpis.overview_numbers(_view(path, who), case_ids, day)


def overview_numbers(case_ids: tuple[str, ...]) -> dict:
    """KPI numbers for the overview's selected cases."""
    return _overview_numbers(*_key(), tuple(case_ids), today())


# -- bank -------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=16)
def _bank_table(path: str, v: int, who: tuple | None) -> pd.DataFrame:
    return bank_api.bank_table(_view(path, who))


def bank_table() -> pd.DataFrame:
    """Bank projects with allocated / remaining capacity."""
    return _bank_table(*_key())


@st.cache_data(show_spinner=False, max_entries=16)
def _bank_deadlines(path: str, v: int, who: tuple | None, day: date) -> pd.DataFrame:
    return bank_api.stewardship_deadlines(_view(path, who), day)


def bank_deadlines() -> pd.DataFrame:
    """Overdue monitoring reports and expiring securements of the bank's projects."""
    return _bank_deadlines(*_key(), today())


@st.cache_data(show_spinner=False, max_entries=16)
def _polygon_reviews(path: str, v: int, who: tuple | None) -> pd.DataFrame:
    return bank_api.review_status(_view(path, who))


def polygon_reviews() -> pd.DataFrame:
    """Each bank project polygon's latest review step (``restoration.bank.review``)."""
    return _polygon_reviews(*_key())


@st.cache_data(show_spinner=False, max_entries=64)
def _ranking(path: str, v: int, who: tuple | None, case_id: str, weights: tuple[tuple[str, float], ...]) -> dict:
    return bank_api.rank_base_sites_dict(_view(path, who), case_id, weights)


def ranking(case_id: str, weights: dict[str, float]) -> dict:
    """Base-site candidates for a case (``restoration.bank.rank_base_sites_dict``)."""
    return _ranking(*_key(), case_id, tuple(sorted(weights.items())))


@st.cache_data(show_spinner=False, max_entries=64)
def _case_obligation(path: str, v: int, who: tuple | None, case_id: str) -> dict:
    return bank_api.case_obligation(_view(path, who), case_id)


def case_obligation(case_id: str) -> dict:
    return _case_obligation(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _case_scenario(path: str, v: int, who: tuple | None, case_id: str) -> dict:
    return bank_api.case_scenario(_view(path, who), case_id)


def case_scenario(case_id: str) -> dict:
    """The case's equivalence scenario and where it came from."""
    return _case_scenario(*_key(), case_id)


# -- monitoring -------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _progress(path: str, v: int, who: tuple | None, case_id: str | None, day: date) -> pd.DataFrame:
    return monitoring.progress_table(_view(path, who), case_id, today=day)


def progress(case_id: str | None = None) -> pd.DataFrame:
    """Progress of every monitored indicator against plan (one case, or all)."""
    return _progress(*_key(), case_id, today())


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts(path: str, v: int, who: tuple | None, day: date) -> pd.DataFrame:
    return monitoring.alerts(_view(path, who), None, today=day)


def alerts() -> pd.DataFrame:
    return _alerts(*_key(), today())


@st.cache_data(show_spinner=False, max_entries=128)
def _site_series(path: str, v: int, who: tuple | None, site_id: str, indicator: str) -> pd.DataFrame:
    return monitoring.site_series(_view(path, who), site_id, indicator)


def site_series(site_id: str, indicator: str) -> pd.DataFrame:
    return _site_series(*_key(), site_id, indicator)


@st.cache_data(show_spinner=False, max_entries=64)
def _evaluations(path: str, v: int, who: tuple | None, case_id: str) -> pd.DataFrame:
    return monitoring.evaluations(_view(path, who), case_id)


def evaluations(case_id: str) -> pd.DataFrame:
    return _evaluations(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _raster_times(path: str, v: int, who: tuple | None, indicator: str) -> list:
    return overlay.raster_times(_view(path, who), indicator)


def raster_times(indicator: str = "ndvi") -> list:
    return _raster_times(*_key(), indicator)


@st.cache_data(show_spinner=False, max_entries=64)
def _raster_window(path: str, v: int, who: tuple | None, bounds: tuple[float, ...], indicator: str, when: str | None) -> dict | None:
    return overlay.raster_window(_view(path, who), bounds, indicator, when)


def raster_window(bounds, indicator: str = "ndvi", when: str | None = None) -> dict | None:
    """A raster window around ``bounds`` (latest date unless ``when``), or None."""
    return _raster_window(*_key(), tuple(float(b) for b in bounds), indicator, when)


# -- public -----------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=4)
def _public_cases(path: str, v: int, who: tuple | None) -> pd.DataFrame:
    return disclosure.public_cases(_view(path, who))


def public_cases() -> pd.DataFrame:
    """Disclosed cases, redacted (``restoration.disclosure``)."""
    return _public_cases(*_public_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _public_sites(path: str, v: int, who: tuple | None) -> pd.DataFrame:
    return disclosure.public_sites(_view(path, who))


def public_sites() -> pd.DataFrame:
    return _public_sites(*_public_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _public_register(path: str, v: int, who: tuple | None) -> pd.DataFrame:
    return bank_register.public_register(_view(path, who))


def public_register() -> pd.DataFrame:
    """The bank's public register (``restoration.bank.register``): the same for every visitor."""
    return _public_register(*_public_key())


# -- downloads --------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=4)
def _register_xlsx(path: str, v: int, who: tuple | None, day: date) -> bytes:
    from . import downloads
    return downloads.register_xlsx(_view(path, who), day)


def register_xlsx() -> bytes:
    return _register_xlsx(*_key(), today())


@st.cache_data(show_spinner=False, max_entries=4)
def _layers_gpkg(path: str, v: int, who: tuple | None) -> bytes:
    from . import downloads
    return downloads.layers_gpkg(_view(path, who))


def layers_gpkg() -> bytes:
    return _layers_gpkg(*_key())


@st.cache_data(show_spinner=False, max_entries=16)
def _case_report(path: str, v: int, who: tuple | None, case_id: str, day: date) -> bytes:
    from . import downloads
    return downloads.case_report(_view(path, who), case_id, day)


def case_report(case_id: str) -> bytes:
    return _case_report(*_key(), case_id, today())


# -- procedure and recovery panels --------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _fund_use(path: str, v: int, who: tuple | None, case_id: str):
    from restoration.cases import procedure
    return procedure.fund_use(_view(path, who), case_id)


def fund_use(case_id: str):
    return _fund_use(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _archive_bytes(path: str, v: int, who: tuple | None, case_id: str, day: date) -> bytes:
    from restoration.cases import procedure
    return procedure.archive_bytes(_view(path, who), case_id, day)


def archive_bytes(case_id: str) -> bytes:
    return _archive_bytes(*_key(), case_id, today())


@st.cache_data(show_spinner=False, max_entries=16)
def _screening(path: str, v: int, who: tuple | None, profile_name: str, day: date) -> dict:
    from restoration.cases import load_profile
    from restoration.cases.procedure import screening_report_status
    view = _view(path, who)
    profile = load_profile(profile_name, on=day)
    status = screening_report_status(view, profile, day)
    reason = status.attrs.get("reason")
    reports = view.read("screening_reports")
    if who is not None and who[2] != access.PROVINCE:  # reports carry a region, not a case: keep the user's
        actor, tree = access.Actor(*who), access.region_tree(view)
        keep = lambda r: access.in_region(actor, {tree.resolve(r)} - {None}, tree)  # noqa: E731
        status = status[status["region"].map(keep).astype(bool)] if len(status) else status
        reports = reports[reports["region"].map(keep).astype(bool)] if len(reports) else reports
    rule = profile.rule("screening.report_every_months")
    to = profile.rule("screening.report_to")
    return {"status": pd.DataFrame(status), "reports": pd.DataFrame(reports), "reason": reason,
            "months": rule.value if rule.is_set else None, "source": rule.source,
            "report_to": to.value if to.is_set else None}


def screening(profile_name: str) -> dict:
    """Screening reports (线索筛查情况报告) under ``profile_name``'s cycle: each region's completed
    periods (submitted / missing) and the recorded reports, in the user's region."""
    return _screening(*_key(), profile_name, today())


@st.cache_data(show_spinner=False, max_entries=4)
def _public_case_items(path: str, v: int, who: tuple | None):
    return publication.public_case_items(_view(path, who))


def public_case_items():
    return _public_case_items(*_public_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _public_field_photos(path: str, v: int, who: tuple | None) -> list[dict]:
    return field_api.public_photos(_view(path, who))


def public_field_photos() -> list[dict]:
    """Thumbnails of the field photos marked public, of disclosed cases (``restoration.field``)."""
    return _public_field_photos(*_public_key())


@st.cache_data(show_spinner=False, max_entries=64)
def _assessments(path: str, v: int, who: tuple | None, case_id: str):
    return monitoring.assessments(_view(path, who), case_id)


def assessments(case_id: str):
    return _assessments(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _site_breaks(path: str, v: int, who: tuple | None, case_id: str):
    return monitoring.stored_breaks(_view(path, who), case_id=case_id)


def site_breaks(case_id: str):
    return _site_breaks(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _control_comparisons(path: str, v: int, who: tuple | None, case_id: str):
    return monitoring.stored_comparisons(_view(path, who), case_id=case_id)


def control_comparisons(case_id: str):
    return _control_comparisons(*_key(), case_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _clue_candidates(path: str, v: int, who: tuple | None):
    return clue_api.candidates(_view(path, who))


def clue_candidates():
    """The screening register of clues from imagery in the user's region, newest first."""
    return _clue_candidates(*_key())


@st.cache_data(show_spinner=False, max_entries=64)
def _controls_beside_targets(path: str, v: int, who: tuple | None, case_id: str):
    return monitoring.controls_beside_targets(_view(path, who), case_id)


def controls_beside_targets(case_id: str):
    """The case's stored control comparisons beside its sites' plan targets."""
    return _controls_beside_targets(*_key(), case_id)
