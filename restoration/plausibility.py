"""Plausibility of input values beyond their type: a date inside the platform's window and not
in the future where it records what happened, dates of one row in their order, a flag from its
vocabulary, a polygon with an inside, and a site or bank project inside the store's own region.

These are bounds against typing, unit and CRS errors (a discovery six years before the incident,
values dated 2999, degrees stored under a UTM label), not rules of any standard; the constants
are in :mod:`restoration.model` and ``docs/import.md`` lists them. Each check returns the rows it
refuses and their messages; validation and the importer report them with file, row and field.
"""
from __future__ import annotations

from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import config, model
from .model import Field, LayerSpec

#: (rows refused, message for one refused row by position)
Check = tuple[np.ndarray, Callable[[int], str]]


def date_checks(f: Field, parsed: pd.Series, present: np.ndarray) -> list[Check]:
    """A date outside ``DATE_MIN``..``DATE_MAX``, or after today for a ``past`` field."""
    low, high = pd.Timestamp(model.DATE_MIN), pd.Timestamp(model.DATE_MAX) + pd.Timedelta(days=1)
    ok = present & parsed.notna().to_numpy()
    values = parsed.to_numpy()
    shown = parsed.dt.strftime("%Y-%m-%d")
    window = ok & ((values < low) | (values >= high))
    checks: list[Check] = [(window, lambda pos: f"{shown.iloc[pos]} lies outside the accepted dates "
                                                f"{model.DATE_MIN}..{model.DATE_MAX}: is it a typing error?")]
    if f.past:
        today = config.today()
        future = ok & ~window & (values >= pd.Timestamp(today) + pd.Timedelta(days=1))
        checks.append((future, lambda pos: f"{shown.iloc[pos]} is after today ({today.isoformat()}): "
                                           f"{f.name} records what happened and cannot lie in the future"))
    return checks


#: how the messages name the dates of ``LayerSpec.date_order``
_WORDS = {"incident_date": "incident", "discovered_date": "discovery", "baseline_date": "baseline",
          "target_date": "target date"}


def order_checks(spec: LayerSpec, out: dict[str, object]) -> list[tuple[str, Check]]:
    """Rows whose later date (e.g. the discovery) precedes the earlier one (the incident)."""
    checks = []
    for earlier, later in spec.date_order:
        if earlier not in out or later not in out:
            continue
        a = pd.to_datetime(pd.Series(out[earlier], dtype=object), errors="coerce", format="mixed")
        b = pd.to_datetime(pd.Series(out[later], dtype=object), errors="coerce", format="mixed")
        wrong = (a.notna() & b.notna() & (b < a)).to_numpy()
        checks.append((later, (wrong, lambda pos, a=a, b=b, earlier=earlier, later=later:
                               f"{later} {b.iloc[pos]:%Y-%m-%d} is before the {_WORDS.get(earlier, earlier)} "
                               f"({earlier} {a.iloc[pos]:%Y-%m-%d}): the {_WORDS.get(later, later)} cannot "
                               f"precede the {_WORDS.get(earlier, earlier)}")))
    return checks


def vocabulary_problem(value: str, choices: tuple[str, ...]) -> str | None:
    """What is wrong with a flag text (``cloudy;partial``) whose parts must come from ``choices``."""
    parts = [p.strip() for p in str(value).replace(",", ";").split(";") if p.strip()]
    unknown = [p for p in parts if p.lower() not in choices]
    if not parts or unknown:
        return (f"unknown value '{(unknown or [value])[0][:40]}'; allowed (several joined by ';'): "
                f"{', '.join(choices)}")
    return None


def canonical_flags(value: str) -> str:
    """A flag text in its stored form: lower case, parts joined by ';'."""
    return ";".join(p.strip().lower() for p in str(value).replace(",", ";").split(";") if p.strip())


def flat_polygons(geoms: np.ndarray, candidates: np.ndarray) -> Check:
    """Polygons whose points lie on one line (area / perimeter² below ``MIN_FLATNESS`` in the
    file's own CRS): no inside, whatever area a reprojection would give them."""
    geoms = np.asarray(geoms, dtype=object)
    ratio = np.full(len(geoms), np.inf)
    if candidates.any():
        length = shapely.length(geoms[candidates])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[candidates] = np.where(length > 0, shapely.area(geoms[candidates]) / length ** 2, 0.0)
    flat = candidates & ~(ratio >= model.MIN_FLATNESS)
    return flat, lambda pos: "polygon has zero area: its points lie on one line"


def tiny_polygons(area_ha: np.ndarray, candidates: np.ndarray) -> Check:
    """Polygons with (almost) no inside: below ``MIN_AREA_HA``."""
    tiny = candidates & ~(area_ha >= model.MIN_AREA_HA)
    return tiny, lambda pos: (f"polygon has {'no' if not area_ha[pos] > 0 else 'almost no'} area "
                              f"({area_ha[pos] * 10_000:.3g} m², less than {model.MIN_AREA_HA * 10_000:g} m²): "
                              "are its points on one line, or is the CRS wrong (degrees under a projected "
                              "CRS label)?")


def outside_region(geoms: gpd.GeoSeries, box: tuple[float, float, float, float] | None) -> Check:
    """Geometries farther than ``OUTSIDE_MARGIN_KM`` from the store's counties' bounding box."""
    n = len(geoms)
    if box is None or n == 0:
        return np.zeros(n, dtype=bool), str
    points = shapely.point_on_surface(np.asarray(geoms.values, dtype=object))
    x, y = shapely.get_x(points), shapely.get_y(points)
    nx, ny = np.clip(x, box[0], box[2]), np.clip(y, box[1], box[3])  # the nearest point of the box
    km = pyproj.Geod(ellps="WGS84").inv(x, y, nx, ny)[2] / 1000.0
    far = np.isfinite(km) & (km > model.OUTSIDE_MARGIN_KM)
    return far, lambda pos: (f"lies at longitude {x[pos]:.4f}, latitude {y[pos]:.4f}, about {km[pos]:,.0f} km "
                             f"outside the store's counties (longitude {box[0]:.2f}..{box[2]:.2f}, latitude "
                             f"{box[1]:.2f}..{box[3]:.2f}): is the CRS right? To import it anyway, give "
                             "--allow-outside")


__all__ = ["date_checks", "order_checks", "vocabulary_problem", "canonical_flags", "tiny_polygons",
           "flat_polygons", "outside_region"]
