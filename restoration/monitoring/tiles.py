"""Sites by raster tile: the pixel map built tile by tile (on the cluster's workers when one is
in use), and the part of a pixel map one tile's sites need.

A site belongs to the raster tile (spatial chunk of the cube) holding the centre of its bounds;
the sites of one tile are mapped together, so each worker rasterises a compact group of
polygons on the same stretch of the grid. The pieces are put back in the sites' order: the map is
the one :func:`~restoration.monitoring.zonal.pixel_map` builds, whoever built it.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import shapely
import xarray as xr

from .cluster import active_client
from .cube import grid_of
from .pixelmap import PixelMap, build_pixel_map
from .zonal import _site_frame, pixel_map

#: fewest sites worth a task of their own when the map is built on a cluster
MIN_SITES_PER_TASK = 2_000


def spatial_chunks(cube: xr.DataArray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The cube's tiles along y and x (its dask chunks; one tile for an in-memory cube)."""
    if cube.chunks is not None:
        dims = dict(zip(cube.dims, cube.chunks))
        return tuple(dims["y"]), tuple(dims["x"])
    return (cube.sizes["y"],), (cube.sizes["x"],)


def _tile_of(rows: np.ndarray, cols: np.ndarray, ychunks, xchunks) -> np.ndarray:
    """Tile number (row-major over the tiles) of pixel positions ``rows``/``cols`` (clipped)."""
    yb, xb = np.cumsum(ychunks), np.cumsum(xchunks)
    j = np.minimum(np.searchsorted(yb, rows, side="right"), len(ychunks) - 1)
    k = np.minimum(np.searchsorted(xb, cols, side="right"), len(xchunks) - 1)
    return j * len(xchunks) + k


def geometry_tiles(geoms_px_bounds: np.ndarray, ychunks, xchunks) -> np.ndarray:
    """Tile of each site from its bounds in pixel coordinates ``(n, 4)`` (NaN → tile 0)."""
    b = np.nan_to_num(np.asarray(geoms_px_bounds, dtype=float))
    cols = np.clip((b[:, 0] + b[:, 2]) / 2, 0, None).astype(np.int64)
    rows = np.clip((b[:, 1] + b[:, 3]) / 2, 0, None).astype(np.int64)
    return _tile_of(rows, cols, ychunks, xchunks)


def map_on_workers(cube: xr.DataArray, sites, method: str = "center", *, site_id: str = "site_id",
                   client=None) -> PixelMap:
    """The pixel map of ``sites`` on ``cube``'s grid built tile by tile on the cluster of
    ``client`` (default: the active one; without a cluster, :func:`pixel_map` here)."""
    client = client if client is not None else active_client()
    transform, crs, shape = grid_of(cube)
    _, geoms, _ = _site_frame(sites, site_id)
    geoms = geoms.to_crs(crs) if geoms.crs != crs else geoms
    g = np.asarray(geoms.to_numpy(), dtype=object)
    if client is None or len(g) < 2 * MIN_SITES_PER_TASK:
        return pixel_map(cube, sites, method, site_id=site_id)
    inv = ~transform
    b = shapely.bounds(g)  # x0, y0, x1, y1 in the grid's CRS → pixel columns/rows (north-up grid)
    c0, c1 = (b[:, 0] * inv.a + inv.c), (b[:, 2] * inv.a + inv.c)
    r0, r1 = (b[:, 3] * inv.e + inv.f), (b[:, 1] * inv.e + inv.f)
    tiles = geometry_tiles(np.c_[np.minimum(c0, c1), np.minimum(r0, r1), np.maximum(c0, c1),
                                 np.maximum(r0, r1)], *spatial_chunks(cube))
    order = np.argsort(tiles, kind="stable")
    n_tasks = max(1, min(len(g) // MIN_SITES_PER_TASK, 4 * max(1, len(client.nthreads()))))
    groups = [grp for grp in np.array_split(order, n_tasks) if grp.size]
    futures = [client.submit(build_pixel_map, g[grp], transform, shape, method, pure=False) for grp in groups]
    parts = client.gather(futures)
    return assemble(parts, groups, shape, method)


def assemble(parts: list[PixelMap], groups: list[np.ndarray], shape: tuple[int, int], method: str) -> PixelMap:
    """One pixel map from the maps of groups of sites (``groups`` = their positions)."""
    where = np.concatenate(groups)
    back = np.empty_like(where)
    back[where] = np.arange(where.size)
    matrix = sp.vstack([p.matrix for p in parts], format="csr")[back]
    matrix.sort_indices()
    flags = np.concatenate([np.asarray(p.flags, dtype=object) for p in parts])[back]
    area = np.concatenate([np.asarray(p.area_px) for p in parts])[back]
    return PixelMap(matrix.tocsr(), shape, method, [str(f) for f in flags], area)


def site_tiles(pm: PixelMap, ychunks, xchunks) -> np.ndarray:
    """Tile of each site of ``pm``: the tile of its first pixel; -1 for a site with no pixel."""
    m = pm.matrix
    has = np.diff(m.indptr) > 0
    first = np.zeros(m.shape[0], dtype=np.int64)
    first[has] = np.minimum.reduceat(m.indices.astype(np.int64), m.indptr[:-1][has])
    rows, cols = np.divmod(first, pm.shape[1])
    out = _tile_of(rows, cols, ychunks, xchunks)
    out[~has] = -1
    return out


def window_of(pm: PixelMap, rows: np.ndarray) -> tuple[int, int, int, int]:
    """``(row0, col0, height, width)`` of the pixels of sites ``rows`` (which have pixels)."""
    sub = pm.matrix[rows]
    r, c = np.divmod(sub.indices.astype(np.int64), pm.shape[1])
    return int(r.min()), int(c.min()), int(r.max() - r.min() + 1), int(c.max() - c.min() + 1)


def window_weights(pm: PixelMap, rows: np.ndarray, window: tuple[int, int, int, int]) -> sp.csr_matrix:
    """The weights of sites ``rows`` over the pixels of ``window`` (row-major in the window)."""
    r0, c0, h, w = window
    sub = pm.matrix[rows].tocsr()
    r, c = np.divmod(sub.indices.astype(np.int64), pm.shape[1])
    local = (r - r0) * w + (c - c0)
    out = sp.csr_matrix((sub.data, local, sub.indptr), shape=(len(rows), h * w))
    out.sort_indices()
    return out


__all__ = ["assemble", "geometry_tiles", "map_on_workers", "site_tiles", "spatial_chunks", "window_of",
           "window_weights"]
