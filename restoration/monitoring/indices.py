"""Spectral indices from surface reflectance, computed on the fly (lazily on dask cubes).

Formulas and constants are those of the Awesome Spectral Indices catalogue (Montero et al.
2023, the definitions ``spyndex`` evaluates), with band symbols B (blue), G (green), R (red),
N (near infrared), S1 (SWIR ~1.6 µm), S2 (SWIR ~2.2 µm). Inputs are reflectances in [0, 1]
(scale and offset applied, see :mod:`.scenes`); a zero denominator gives NaN.

References
----------
Montero, D. et al. (2023). A standardized catalogue of spectral indices to advance the use of
remote sensing in Earth system research. Scientific Data 10, 197.
https://doi.org/10.1038/s41597-023-02096-0 (Awesome Spectral Indices, spyndex 0.5).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..errors import InputError, Issue


@dataclass(frozen=True)
class SpectralIndex:
    """One index: short name, the bands it needs (our band names), its formula as text, the
    reference that defines it, and the function of the band arrays."""

    name: str
    long_name: str
    bands: tuple[str, ...]
    formula: str
    reference: str
    fn: Callable[..., object] = field(repr=False)
    constants: Mapping[str, float] = field(default_factory=dict)

    @property
    def indicator(self) -> str:
        """The monitoring indicator code it is stored under (``ndvi``, ``nbr`` ...)."""
        return self.name.lower()


def _nd(a, b):
    """Normalised difference (a − b) / (a + b); NaN where a + b = 0."""
    den = a + b
    return (a - b) / _nonzero(den)


def _nonzero(den):
    # works for numpy, dask and xarray alike: 0 → NaN, NaN stays NaN
    return den.where(den != 0) if hasattr(den, "where") and not isinstance(den, np.ndarray) else \
        np.where(den != 0, den, np.nan)


# EVI (Huete et al. 2002): G = 2.5, C1 = 6, C2 = 7.5, L = 1 — spyndex's defaults
_EVI = {"g": 2.5, "C1": 6.0, "C2": 7.5, "L": 1.0}
# SAVI (Huete 1988): L = 0.5 — spyndex's default
_SAVI = {"L": 0.5}

INDICES: dict[str, SpectralIndex] = {i.name: i for i in (
    SpectralIndex("NDVI", "Normalized Difference Vegetation Index", ("nir", "red"), "(N − R) / (N + R)",
                  "Rouse, J.W. et al. (1974). Monitoring vegetation systems in the Great Plains with ERTS. "
                  "NASA SP-351, 309–317. https://ntrs.nasa.gov/citations/19740022614",
                  lambda nir, red: _nd(nir, red)),
    SpectralIndex("NBR", "Normalized Burn Ratio", ("nir", "swir22"), "(N − S2) / (N + S2)",
                  "Key, C.H. & Benson, N.C. (1999/2006). Landscape Assessment: ground measure of severity, "
                  "the Composite Burn Index; and remote sensing of severity, the Normalized Burn Ratio. "
                  "USGS FIREMON LA 1–51 (Awesome Spectral Indices: https://doi.org/10.3133/ofr0211)",
                  lambda nir, swir22: _nd(nir, swir22)),
    SpectralIndex("EVI", "Enhanced Vegetation Index", ("nir", "red", "blue"),
                  "g · (N − R) / (N + C1·R − C2·B + L), g = 2.5, C1 = 6, C2 = 7.5, L = 1",
                  "Huete, A. et al. (2002). Overview of the radiometric and biophysical performance of the "
                  "MODIS vegetation indices. Remote Sensing of Environment 83, 195–213, eq. 2; Awesome "
                  "Spectral Indices: https://doi.org/10.1016/S0034-4257(96)00112-5",
                  lambda nir, red, blue: _EVI["g"] * (nir - red) / _nonzero(
                      nir + _EVI["C1"] * red - _EVI["C2"] * blue + _EVI["L"]), _EVI),
    SpectralIndex("SAVI", "Soil-Adjusted Vegetation Index", ("nir", "red"), "(1 + L) · (N − R) / (N + R + L), L = 0.5",
                  "Huete, A.R. (1988). A soil-adjusted vegetation index (SAVI). Remote Sensing of "
                  "Environment 25, 295–309, eq. 8. https://doi.org/10.1016/0034-4257(88)90106-X",
                  lambda nir, red: (1.0 + _SAVI["L"]) * (nir - red) / _nonzero(nir + red + _SAVI["L"]), _SAVI),
    SpectralIndex("NDMI", "Normalized Difference Moisture Index", ("nir", "swir16"), "(N − S1) / (N + S1)",
                  "Gao, B.-C. (1996) / Wilson, E.H. & Sader, S.A. (2002). Detection of forest harvest type "
                  "using multiple dates of Landsat TM imagery. Remote Sensing of Environment 80, 385–396. "
                  "https://doi.org/10.1016/S0034-4257(01)00318-2",
                  lambda nir, swir16: _nd(nir, swir16)),
    SpectralIndex("NDWI", "Normalized Difference Water Index", ("green", "nir"), "(G − N) / (G + N)",
                  "McFeeters, S.K. (1996). The use of the Normalized Difference Water Index (NDWI) in the "
                  "delineation of open water features. Int. J. Remote Sensing 17, 1425–1432. "
                  "https://doi.org/10.1080/01431169608948714",
                  lambda green, nir: _nd(green, nir)),
    SpectralIndex("NBR2", "Normalized Burn Ratio 2", ("swir16", "swir22"), "(S1 − S2) / (S1 + S2)",
                  "USGS Landsat Normalized Burn Ratio 2 product guide; Awesome Spectral Indices NBR2",
                  lambda swir16, swir22: _nd(swir16, swir22)),
    SpectralIndex("GNDVI", "Green Normalized Difference Vegetation Index", ("nir", "green"), "(N − G) / (N + G)",
                  "Gitelson, A.A. et al. (1996). Use of a green channel in remote sensing of global "
                  "vegetation from EOS-MODIS. Remote Sensing of Environment 58, 289–298. "
                  "https://doi.org/10.1016/S0034-4257(96)00072-7",
                  lambda nir, green: _nd(nir, green)),
)}


def get_index(name: str) -> SpectralIndex:
    """The index called ``name`` (case-insensitive), or InputError listing the known ones."""
    key = str(name).strip().upper()
    if key not in INDICES:
        raise InputError(Issue(f"unknown spectral index '{name}'; known: {', '.join(INDICES)}",
                               field="index"))
    return INDICES[key]


def parse_indices(text: str | list[str] | tuple[str, ...]) -> list[SpectralIndex]:
    """``"NDVI,NBR"`` (or a list) → index definitions, in order, without duplicates."""
    names = text.split(",") if isinstance(text, str) else list(text)
    out: list[SpectralIndex] = []
    for n in names:
        if str(n).strip():
            idx = get_index(n)
            if idx not in out:
                out.append(idx)
    if not out:
        raise InputError(Issue("no spectral index given", field="index"))
    return out


def compute_index(bands: Mapping[str, object], index: str | SpectralIndex, *, source: str = "scenes"):
    """Evaluate ``index`` on a mapping band name → array (numpy, dask or xarray; an
    ``xarray.Dataset`` of bands works as it is).

    Parameters
    ----------
    bands : mapping
        Reflectances [1] by band name (``blue``, ``green``, ``red``, ``nir``, ``swir16``,
        ``swir22``).
    index : str or SpectralIndex
    source : str
        Named in the error when a band is missing.

    Returns
    -------
    Same type as the inputs: the index [1], NaN where a band is NaN or the denominator is 0.

    Raises
    ------
    InputError
        A band the index needs is missing (names the index, the band and ``source``).
    """
    idx = index if isinstance(index, SpectralIndex) else get_index(index)
    have = set(bands.keys()) if not hasattr(bands, "data_vars") else set(map(str, bands.data_vars))
    missing = [b for b in idx.bands if b not in have]
    if missing:
        raise InputError(Issue(f"{idx.name} needs band(s) {', '.join(missing)}, which the input does not "
                               f"have (bands: {', '.join(sorted(have)) or 'none'})", source=source, field="bands"))
    out = idx.fn(*(bands[b] for b in idx.bands))
    if hasattr(out, "rename") and hasattr(out, "dims"):
        out = out.rename(idx.indicator)
    return out


__all__ = ["SpectralIndex", "INDICES", "get_index", "parse_indices", "compute_index"]
