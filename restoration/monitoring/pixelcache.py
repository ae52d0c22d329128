"""The pixel map kept on disk: built once per raster grid and site version, reused by every
later ingest on that grid.

The key is a SHA-256 of the grid (transform, shape, CRS), the rule (``center``/``coverage``)
and the sites' version — their ids and geometries (WKB) in order — so any change to a site (a
moved boundary, a site added or removed) gives another key and the map is rebuilt. Maps live as
``<folder>/<key>.npz`` (the CSR matrix, flags and areas); a file that cannot be read is
rebuilt, not trusted.
"""
from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely

from .cube import grid_of
from .pixelmap import PixelMap
from .tiles import map_on_workers
from .zonal import _site_frame

log = logging.getLogger(__name__)


def map_key(cube, sites, method: str, *, site_id: str = "site_id") -> str:
    """The key of ``sites``' pixel map on ``cube``'s grid with ``method`` (hex SHA-256)."""
    transform, crs, shape = grid_of(cube)
    ids, geoms, site_crs = _site_frame(sites, site_id)
    h = hashlib.sha256()
    h.update(repr((tuple(round(v, 9) for v in transform[:6]), tuple(shape), crs.to_wkt(), method,
                   str(site_crs))).encode())
    h.update("\x1f".join(map(str, ids)).encode())
    for wkb in shapely.to_wkb(np.asarray(geoms.values, dtype=object)):
        h.update(b"\x00" if wkb is None else wkb)
    return h.hexdigest()


def kept_pixel_map(cube, sites, method: str, folder: str | os.PathLike, *,
                   site_id: str = "site_id", keep: bool = True) -> tuple[PixelMap, bool]:
    """The pixel map of ``sites`` on ``cube``'s grid, from ``folder`` when kept there, else built
    and (with ``keep``) kept. Returns ``(map, built)``: ``built`` is False when the kept map was
    reused. A caller whose work may still be refused passes ``keep=False`` and calls
    :func:`keep_pixel_map` once it succeeded, so a refused run leaves the data folder as it was."""
    folder = Path(folder)
    path = folder / f"{map_key(cube, sites, method, site_id=site_id)}.npz"
    if path.exists():
        try:
            return _load(path), False
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("kept pixel map %s unreadable (%s); rebuilding it", path, exc)
    pm = map_on_workers(cube, sites, method, site_id=site_id)  # on the cluster's workers when one is in use
    if keep:
        keep_pixel_map(pm, path)
    return pm, True


def kept_path(cube, sites, method: str, folder: str | os.PathLike, *, site_id: str = "site_id") -> Path:
    """Where the pixel map of ``sites`` on ``cube``'s grid is kept in ``folder``."""
    return Path(folder) / f"{map_key(cube, sites, method, site_id=site_id)}.npz"


def keep_pixel_map(pm: PixelMap, path: str | os.PathLike) -> None:
    """Keep ``pm`` at ``path`` (written aside and renamed: a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    m = pm.matrix.tocsr()
    np.savez(tmp, data=m.data, indices=m.indices, indptr=m.indptr, n=np.array(m.shape),
             shape=np.array(pm.shape), method=np.array(pm.method), flags=np.array(pm.flags, dtype=str),
             area_px=pm.area_px)
    os.replace(tmp, path)


def _load(path: Path) -> PixelMap:
    with np.load(path, allow_pickle=False) as z:
        matrix = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["n"]))
        return PixelMap(matrix, tuple(int(v) for v in z["shape"]), str(z["method"]),
                        [str(f) for f in z["flags"]], z["area_px"])


__all__ = ["kept_pixel_map", "keep_pixel_map", "kept_path", "map_key"]
