"""Rule profiles (规则配置): the national and provincial rules as data, and everything about them.

A profile is a TOML file (``shipped/*.toml``: national, guangxi, zhejiang and the seeds as draft
versions; format in docs/cases.md). Each rule is a table ``{ value, unit, source, verified, note }``;
``source`` (document and article) and ``verified`` are required, ``value`` may be left out — the
rule is then *not set* (未设定) and the engine says so instead of guessing. A province ``extends``
another profile. One package, one module per job:

- :mod:`.schema` — the format as one data literal; :mod:`.check` — a file against it (every
  problem with the file and key path); :mod:`.toml_file` — the one TOML reader;
- :mod:`.merge` — the ``extends`` chain (and the siting tables); :mod:`.loader` —
  :func:`load_profile`; :mod:`.profile` — what a loaded profile hands out (:class:`Rule`,
  :class:`RuleList`, :class:`Item`);
- :mod:`.discovery` — where profiles are found and which version is in force on a date;
  :mod:`.for_case` — which version judges a case (:func:`profile_for`);
- :mod:`.install` — the write side (``restoration rules install`` / ``activate``, ``rules.edit``);
- :mod:`.siting` — the base-site selection rules by profile (``siting.toml``).
"""
from ..config import DEFAULT_PROFILE
from .discovery import (ENV_PROFILES, SHIPPED_DIR, ProfileVersion, available_profiles, installed_dir, profile_dirs,
                        profile_versions, reset_data_folder, use_data_folder, version_in_force)
from .for_case import CaseProfiles, base_profile, judged_on, profile_for, profile_problem
from .install import activate_profile, cases_moved, install_profile, profile_list
from .loader import load_profile
from .profile import Item, Profile, Rule, RuleList
from .schema import BOOL_FACTS, DAMAGE_KINDS, NOT_SET, VERSION_SEP
from .siting import WEIGHT_KEYS, check_rules, siting_rules

__all__ = [
    "DEFAULT_PROFILE", "ENV_PROFILES", "SHIPPED_DIR", "ProfileVersion", "available_profiles", "installed_dir",
    "profile_dirs", "profile_versions", "reset_data_folder", "use_data_folder", "version_in_force",
    "CaseProfiles", "base_profile", "judged_on", "profile_for", "profile_problem", "activate_profile",
    "cases_moved", "install_profile", "profile_list", "load_profile", "Item", "Profile", "Rule", "RuleList",
    "BOOL_FACTS", "DAMAGE_KINDS", "NOT_SET", "VERSION_SEP", "WEIGHT_KEYS", "check_rules", "siting_rules",
]
