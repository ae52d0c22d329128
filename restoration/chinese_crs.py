"""Chinese web-map coordinates: GCJ-02 (AMap/Gaode, Tencent, Google China) and BD-09 (Baidu).

Most coordinates copied from Chinese web maps are not WGS 84 / CGCS2000 but GCJ-02 (国测局坐标,
"Mars coordinates"), an obfuscated datum that shifts positions by a smoothly varying offset of up
to several hundred metres inside mainland China, or BD-09 (百度坐标), Baidu's further shift of
GCJ-02. Neither has an EPSG code and PROJ does not implement them, so they are converted here.

The forward transform WGS 84 → GCJ-02 is the widely published reverse-engineered algorithm
(Krasovsky 1940 ellipsoid constants, a polynomial-plus-sine offset in degrees); it is identical
in eviltransform (googollee/eviltransform, MIT) and coordtransform (wandergis/coordtransform,
MIT) and matches the official transform to about 1 m. GCJ-02 → BD-09 is Baidu's published
rotation/scaling (``bd_encrypt``). There is no closed-form inverse: :func:`gcj02_to_wgs84`
iterates the forward transform (fixed point ``w ← w − (f(w) − g)``), which converges to
< 1e-9° (sub-millimetre) in a few steps because the offset's gradient is small (|∂Δ/∂w| < 0.02).
The round trip WGS 84 → GCJ-02 → WGS 84 is therefore exact to far better than the 0.5 m the
platform needs; the remaining error is that of the forward algorithm itself.

Outside mainland China (the usual bounding-box test) both transforms are the identity, as the
web maps themselves do.

References
----------
.. [1] googollee, "eviltransform" — transform coordinates between WGS-84, GCJ-02 and BD-09,
   https://github.com/googollee/eviltransform (``transform.py``: ``wgs2gcj``, ``gcj2bd``).
.. [2] wandergis, "coordtransform", https://github.com/wandergis/coordtransform.
"""
from __future__ import annotations

import numpy as np

#: names accepted for ``--crs`` (case-insensitive, '-' and '_' ignored) → canonical code
ALIASES = {
    "gcj02": "GCJ-02", "gcj": "GCJ-02", "gcj02amap": "GCJ-02", "火星坐标": "GCJ-02", "国测局坐标": "GCJ-02",
    "gaode": "GCJ-02", "amap": "GCJ-02", "高德": "GCJ-02",
    "bd09": "BD-09", "bd09ll": "BD-09", "baidu": "BD-09", "百度坐标": "BD-09", "百度": "BD-09",
}

_A = 6378245.0  # Krasovsky 1940 semi-major axis [m], as used by the GCJ-02 algorithm
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # Baidu's constant


def chinese_crs(name: str | None) -> str | None:
    """``"GCJ-02"`` or ``"BD-09"`` if ``name`` names one of them (many spellings), else None."""
    if name is None:
        return None
    key = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    return ALIASES.get(key)


def out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where a point is outside the box in which the offset applies (72.004–137.8347°E,
    0.8293–55.8271°N), as in [1]."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS 84 [degrees] at WGS 84 ``lon``, ``lat`` [degrees] ([1], ``delta``)."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 (≈ CGCS2000) → GCJ-02, vectorised [degrees]."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, *, tol: float = 1e-10, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS 84 by iterating the forward transform until it reproduces the input to
    ``tol`` degrees (1e-10° ≈ 0.01 mm)."""
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lon), np.ravel(e_lat), [0.0]]))) < tol:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 ([1], ``gcj2bd``)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat, *, tol: float = 1e-10, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02: Baidu's approximate inverse ([1], ``bd2gcj``) refined by iterating
    :func:`gcj02_to_bd09` to ``tol`` degrees."""
    b_lon, b_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = b_lon - 0.0065, b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(max_iter):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = f_lon - b_lon, f_lat - b_lat
        g_lon, g_lat = g_lon - e_lon, g_lat - e_lat
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lon), np.ravel(e_lat), [0.0]]))) < tol:
            break
    return g_lon, g_lat


def to_wgs84(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` (``"GCJ-02"`` or ``"BD-09"``) → WGS 84."""
    code = chinese_crs(crs)
    if code == "GCJ-02":
        return gcj02_to_wgs84(lon, lat)
    if code == "BD-09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"not a Chinese web-map coordinate system: {crs!r}")


def from_wgs84(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 → ``crs`` (``"GCJ-02"`` or ``"BD-09"``)."""
    code = chinese_crs(crs)
    if code == "GCJ-02":
        return wgs84_to_gcj02(lon, lat)
    if code == "BD-09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(f"not a Chinese web-map coordinate system: {crs!r}")


def transform_geometries(geoms: np.ndarray, crs: str, *, inverse: bool = True) -> np.ndarray:
    """Every vertex of ``geoms`` (shapely array, lon/lat) from ``crs`` to WGS 84 (``inverse``)
    or from WGS 84 to ``crs``."""
    import shapely

    fn = to_wgs84 if inverse else from_wgs84

    def _xy(coords: np.ndarray) -> np.ndarray:
        lon, lat = fn(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geoms, dtype=object), _xy)
