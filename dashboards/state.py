"""Every ``st.session_state`` key the dashboards use, in one place.

Pages and panels import these names instead of spelling keys, so two pages never collide on a
key by accident and a key's meaning is documented once.
"""
from __future__ import annotations

#: interface language, ``"zh"`` (default) or ``"en"``
LANG = "lang"
#: the signed-in staff user: ``{"name": str, "role": str}``; absent for public visitors
USER = "user"
#: why the user was signed out (shown once on the sign-in page), e.g. an expired session
SIGNED_OUT = "signed_out"
#: the signed session token of the signed-in user (kept in the browser's cookie: a reload resumes it)
TOKEN = "session_token"
#: tokens of ended sessions whose cookie the page removes (and never resumes)
TOKENS_OUT = "session_tokens_out"
#: the case chosen on the overview / case page (carried between pages)
CASE_ID = "case_id"
#: the case chosen on the bank & siting page
BANK_CASE = "bank_case"
#: the scenario loaded into the equivalence calculator, and the case it came from
EQ_LOADED = "eq_loaded"
EQ_CASE = "eq_case"
#: prefixes of the calculator's editor widgets (cleared when another scenario is loaded)
EQ_EDITOR_PREFIXES = ("inj_", "rep_", "eq_w_")
#: the monitoring page's chosen site and raster date
MON_SITE = "mon_site"
MON_DATE = "mon_date"
#: the overview's filters and map colouring
F_COUNTY, F_CLASS, F_STAGE, F_ECO = "f_county", "f_class", "f_stage", "f_eco"
COLOUR_BY = "colour_by"
#: the overview map's last reported state (st_folium's value: clicked feature, bounds, zoom)
OVERVIEW_MAP = "overview_map"
#: the message shown once after a write (survives the rerun that follows it)
FLASH = "flash"
#: submission tokens already written (a double submit of one form never writes twice)
DONE_TOKENS = "done_tokens"
#: the targets form's confirmation, shown once beside the form (a page-level message above the
#: case page's tabs would bring the user back to the first tab)
TARGET_SAVED = "target_saved"


def loaded_version(case_id: str) -> str:
    """The case version the user loaded (edits carry it: optimistic locking)."""
    return f"loaded_version_{case_id}"


def loaded_target(site_id: str, indicator: str) -> str:
    """The revision of a site's indicator target the user loaded (``None``: none was set); the
    target form's write carries it (optimistic locking)."""
    return f"loaded_target_{site_id}_{indicator}"


def form_token(form: str) -> str:
    """The current submission token of a form."""
    return f"token_{form}"
