"""The pixel map kept on disk: built once per raster grid and site version, reused by every
later ingest on that grid.

The key is a SHA-256 of the grid (transform, shape, CRS), the rule (``center``/``coverage``)
and the sites' version — their ids and geometries (WKB) in order — so any change to a site (a
moved boundary, a site added or removed) gives another key and the map is rebuilt. Maps live as
``<folder>/<key>.npz`` (the CSR matrix, flags and areas, and the per-block weights — the runs
of pixels the reduction sums — for each chunking they were built for, so a later ingest of one
new date recomputes none of them); a file that cannot be read is rebuilt, not trusted.
"""
from __future__ import annotations

import hashlib
import json
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
from .zonal import BlockWeights, _site_frame

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
             area_px=pm.area_px, **_block_arrays(pm))
    os.replace(tmp, path)
    pm._split_cache["kept"] = _block_keys(pm)


def _block_arrays(pm: PixelMap) -> dict:
    """The block weights built on ``pm`` (per chunking and block) as named arrays."""
    out, chunkings = {}, []
    for key, blocks in pm._split_cache.items():
        if not (isinstance(key, tuple) and key and key[0] == "block_weights"):
            continue
        ych, xch = key[1], key[2]
        split = pm._split_cache[(ych, xch)]
        c = len(chunkings)
        chunkings.append([list(ych), list(xch), [list(b) for b in blocks]])
        whole = (tuple(ych), tuple(xch)) == ((pm.shape[0],), (pm.shape[1],))
        for (j, k), bw in blocks.items():
            p = f"bw{c}_{j}_{k}_"
            if not whole:  # one block over the whole grid is the matrix itself
                out[p + "rows"] = split[(j, k)][0]
                out[p + "data"], out[p + "indices"], out[p + "indptr"] = bw.csr.data, bw.csr.indices, bw.csr.indptr
            r = bw.rest
            out[p + "rest_data"], out[p + "rest_indices"], out[p + "rest_indptr"] = r.data, r.indices, r.indptr
            out[p + "rest_n"] = np.array(r.shape)
            for name in BlockWeights.ARRAYS:
                out[p + name] = getattr(bw, name)
    if chunkings:
        out["block_chunkings"] = np.array(json.dumps(chunkings))
    return out


def _restore_blocks(pm: PixelMap, z) -> None:
    """Put the kept block weights back in ``pm``'s cache (what ``zonal`` would build again)."""
    if "block_chunkings" not in z:
        return
    for c, (ych, xch, blocks) in enumerate(json.loads(str(z["block_chunkings"]))):
        ych, xch = tuple(ych), tuple(xch)
        whole = (ych, xch) == ((pm.shape[0],), (pm.shape[1],))
        split, weights = {}, {}
        for j, k in blocks:
            p = f"bw{c}_{j}_{k}_"
            shape = (ych[j], xch[k])
            if whole:
                rows, csr = np.arange(pm.n_sites), pm.matrix
            else:
                rows = z[p + "rows"]
                csr = sp.csr_matrix((z[p + "data"], z[p + "indices"], z[p + "indptr"]),
                                    shape=(rows.size, shape[0] * shape[1]))
            rest = sp.csr_matrix((z[p + "rest_data"], z[p + "rest_indices"], z[p + "rest_indptr"]),
                                 shape=tuple(z[p + "rest_n"]))
            split[(j, k)] = (rows, csr)
            weights[(j, k)] = BlockWeights.restored(csr, shape, rest, {n: z[p + n] for n in BlockWeights.ARRAYS})
        pm._split_cache[(ych, xch)] = split
        pm._split_cache[("block_weights", ych, xch)] = weights


def _block_keys(pm: PixelMap) -> set:
    return {k for k in pm._split_cache if isinstance(k, tuple) and k and k[0] == "block_weights"}


def keep_new_blocks(pm: PixelMap, path: str | os.PathLike) -> bool:
    """Keep ``pm`` again at ``path`` when it gained block weights (a chunking) since it was
    loaded or kept; True when it was written."""
    if _block_keys(pm) <= pm._split_cache.get("kept", set()):
        return False
    keep_pixel_map(pm, path)
    return True


def _load(path: Path) -> PixelMap:
    with np.load(path, allow_pickle=False) as z:
        matrix = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["n"]))
        pm = PixelMap(matrix, tuple(int(v) for v in z["shape"]), str(z["method"]),
                      [str(f) for f in z["flags"]], z["area_px"])
        _restore_blocks(pm, z)
        pm._split_cache["kept"] = _block_keys(pm)
        return pm


__all__ = ["kept_pixel_map", "keep_new_blocks", "keep_pixel_map", "kept_path", "map_key"]
