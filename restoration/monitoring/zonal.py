"""Zonal time series: statistics of every site on every date of a cube, fast.

Design ("speed by design"):

1. The polygon → pixel mapping is computed once (:mod:`.pixelmap`: a sparse site × pixel
   matrix ``W``) and reused for every date.
2. Dates are streamed: one date (or one spatial chunk of it) is in memory at a time. A site's
   weight-1 pixels come in runs along rows, so its sums are differences of the date's running
   sum (one pass over the pixels, two look-ups per run, however much the sites overlap); the
   fractional cells of the coverage rule go through a small sparse product; min/max/median
   gather the site's pixels once.
3. A dask-backed cube (``open_cube`` returns one) is reduced block by block with dask: each
   block task gets only the weights of the sites that touch it, and the per-block partial sums
   are combined per date. The same code runs on the local threaded scheduler or on a
   ``dask.distributed`` cluster (the weights are scattered to the workers once).

Statistics (weights ``w`` are 1 for the centre rule, coverage fractions for the coverage rule;
only pixels with a valid value count):

* ``mean`` = Σ w·x / Σ w;  ``count`` = Σ w (pixel count for the centre rule);
* ``valid_fraction`` = Σ w over valid pixels / Σ w over all the site's pixels (clouds, nodata);
* ``std`` = population standard deviation (weighted), as numpy's ``std`` / exactextract ``stdev``;
* ``min`` / ``max`` over pixels with w > 0;
* ``median``: centre rule as ``numpy.median``; coverage rule the weighted median (the smallest
  value whose cumulative weight reaches half the total).
"""
from __future__ import annotations

import logging
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr
from tqdm.auto import tqdm

from ..progress import bar_wanted
from ..errors import InputError, Issue
from .cube import grid_of
from .pixelmap import METHODS, PixelMap, build_pixel_map

log = logging.getLogger(__name__)

STATS = ("mean", "median", "min", "max", "std", "count", "valid_fraction")


# -- the kernel: one block of dates × pixels ---------------------------------------------------
class BlockWeights:
    """One block's weights, ready for fast sums.

    Weight-1 pixels of a site that follow each other along a row form *runs* (the centre rule
    produces nothing else; the coverage rule has runs inside and fractional cells on the
    edges). A run's sum is the difference of two entries of the row-wise running sum of the
    date, so a date costs one pass over its pixels plus two look-ups per run, whatever the
    overlap of the sites; the fractional cells go through a small sparse product.
    """

    __slots__ = ("csr", "_csc", "total", "run_site", "run_p0", "run_p1", "run_len", "rest", "rest_pix", "shape",
                 "bounds", "run_i0", "run_i1")

    def __init__(self, csr: sp.csr_matrix, shape: tuple[int, int]):
        self.csr = csr
        self._csc = None
        self.shape = shape
        self.total = np.asarray(csr.sum(axis=1)).ravel()
        width = shape[1]
        site = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        pix = csr.indices.astype(np.int64)
        one = csr.data == 1.0
        row, col = np.divmod(pix, width)
        follows = np.r_[False, (site[1:] == site[:-1]) & (row[1:] == row[:-1]) & (pix[1:] == pix[:-1] + 1)
                        & one[1:] & one[:-1]]
        start = np.flatnonzero(one & ~follows)
        end = np.flatnonzero(one & ~np.r_[follows[1:], False])  # the run's last entry
        self.run_site = site[start]
        self.run_p0 = pix[start]  # first pixel of the run (row-major index in the block)
        self.run_p1 = pix[end] + 1  # one past its last pixel
        self.run_len = (self.run_p1 - self.run_p0).astype(np.float64)
        # the runs' ends cut the block into segments; a run is a stretch of whole segments
        npix = shape[0] * shape[1]
        cuts = np.sort(np.r_[self.run_p0, self.run_p1])
        cuts = cuts[np.r_[True, cuts[1:] != cuts[:-1]]] if cuts.size else cuts
        self.bounds = cuts[cuts < npix]
        self.run_i0 = np.searchsorted(self.bounds, self.run_p0)
        self.run_i1 = np.searchsorted(self.bounds, self.run_p1)
        rest = ~one
        # fractional cells: a product over just the pixels they use
        self.rest_pix, local = np.unique(pix[rest], return_inverse=True)
        self.rest = sp.csr_matrix((csr.data[rest], (site[rest], local)),
                                  shape=(csr.shape[0], self.rest_pix.size))

    #: the arrays that, with ``csr``, ``rest`` and ``shape``, make up the block's weights
    ARRAYS = ("total", "run_site", "run_p0", "run_p1", "run_len", "bounds", "run_i0", "run_i1", "rest_pix")

    @property
    def csc(self) -> sp.csc_matrix:
        """The weights by pixel, to subtract a date's (few) invalid pixels; built when first needed."""
        if self._csc is None:
            self._csc = self.csr.tocsc()
        return self._csc

    @classmethod
    def restored(cls, csr: sp.csr_matrix, shape: tuple[int, int], rest: sp.csr_matrix, arrays: dict
                 ) -> "BlockWeights":
        """The block's weights from what :attr:`ARRAYS` saved (a kept pixel map), not recomputed."""
        bw = cls.__new__(cls)
        bw.csr, bw._csc, bw.shape, bw.rest = csr, None, tuple(shape), rest
        for name in cls.ARRAYS:
            setattr(bw, name, arrays[name])
        return bw


def _block_weights(pm: PixelMap, ychunks, xchunks) -> dict:
    """BlockWeights per spatial block, cached on the PixelMap (built once per chunking)."""
    key = ("block_weights", tuple(ychunks), tuple(xchunks))
    if key not in pm._split_cache:
        pm._split_cache[key] = {(j, k): BlockWeights(v[1], (ychunks[j], xchunks[k]))
                                for (j, k), v in pm.split(ychunks, xchunks).items()}
    return pm._split_cache[key]


def _run_sums(flat: np.ndarray, bw: BlockWeights, n: int) -> np.ndarray:
    """Σ of the (raveled) image over each site's runs: the image is summed once per segment
    between run ends (``np.add.reduceat``, accumulated in float64), then each run is a
    difference of the segments' running sum."""
    if bw.bounds.size == 0:
        return np.zeros(n)
    seg = np.add.reduceat(flat, bw.bounds, dtype=np.float64)
    csum = np.empty(seg.size + 1)
    csum[0] = 0.0
    np.cumsum(seg, out=csum[1:])
    return np.bincount(bw.run_site, weights=csum[bw.run_i1] - csum[bw.run_i0], minlength=n)


def _valid_weight(bw: BlockWeights, bad: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Σ w over valid pixels: the total minus the weights of the invalid pixels (clouds and
    nodata are usually a small share of a date, so this is cheaper than a full product)."""
    if bad.size == 0:
        return bw.total.copy()
    if bad.size > valid.size // 3:
        return bw.csr @ valid.astype(np.float64)
    left = bw.total - np.asarray(bw.csc[:, bad].sum(axis=1)).ravel()
    # a site whose pixels are all invalid must come out at exactly 0, not at rounding noise
    left[left <= 1e-9 * np.maximum(bw.total, 1.0)] = 0.0
    return left


def _block_partials(block: np.ndarray, bw: BlockWeights, need: frozenset) -> dict:
    """Partial sums of one block ``(t, h, w)`` for the sites of ``bw`` (sites × h·w)."""
    weights = bw.csr
    t = block.shape[0]
    h, w = bw.shape
    n = weights.shape[0]
    x = np.asarray(block).reshape(t, h, w)
    w_valid, w_x, m2 = (np.zeros((n, t)) for _ in range(3))
    rest = bw.rest.nnz > 0
    for i in range(t):
        flat = x[i].ravel()
        valid = np.isfinite(flat)
        bad = np.flatnonzero(~valid)
        xz = flat
        if bad.size:
            xz = flat.copy()
            xz[bad] = 0
        w_x[:, i] = _run_sums(xz, bw, n)
        w_valid[:, i] = _valid_weight(bw, bad, valid)
        if rest:
            xr = xz[bw.rest_pix].astype(np.float64)
            w_x[:, i] += bw.rest @ xr
    out = {"w_valid": w_valid, "w_x": w_x}
    if "std" in need:
        # two passes within the block (stable): Σ w (x − block mean)², combined across blocks
        # with Chan et al.'s pairwise update in _combine
        rows = np.repeat(np.arange(n), np.diff(weights.indptr))
        for i in range(t):
            vals = x[i].ravel()[weights.indices].astype(np.float64)
            ok = ~np.isnan(vals)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = w_x[:, i] / w_valid[:, i]
            d = vals[ok] - mean[rows[ok]]
            m2[:, i] = np.bincount(rows[ok], weights=weights.data[ok] * d * d, minlength=n)
        out["m2"] = m2
    x = x.reshape(t, -1)
    if need & {"min", "max", "median"}:
        indptr, indices = weights.indptr, weights.indices
        nonempty = np.flatnonzero(np.diff(indptr) > 0)
        vals = x[:, indices].astype(np.float64)  # (t, nnz)
        n_sites, t = weights.shape[0], x.shape[0]
        if "min" in need:
            out["min"] = _segment_reduce(np.minimum, np.where(np.isnan(vals), np.inf, vals), indptr,
                                         nonempty, n_sites, t, np.inf)
        if "max" in need:
            out["max"] = _segment_reduce(np.maximum, np.where(np.isnan(vals), -np.inf, vals), indptr,
                                         nonempty, n_sites, t, -np.inf)
        if "median" in need:
            out["median"] = _medians(vals, weights.data, indptr, n_sites)
    return out


def _segment_reduce(ufunc, vals: np.ndarray, indptr: np.ndarray, nonempty: np.ndarray, n: int, t: int,
                    fill: float) -> np.ndarray:
    res = np.full((n, t), fill)
    if nonempty.size:
        res[nonempty] = ufunc.reduceat(vals, indptr[nonempty], axis=1).T
    return res


def _medians(vals: np.ndarray, w: np.ndarray, indptr: np.ndarray, n: int) -> np.ndarray:
    """Per site and date: numpy's median when all weights are 1, else the weighted median."""
    t = vals.shape[0]
    out = np.full((n, t), np.nan)
    row = np.repeat(np.arange(n), np.diff(indptr))
    unit = bool(np.all(w == 1.0))
    for i in range(t):
        v = vals[i]
        ok = ~np.isnan(v)
        r, vv, ww = row[ok], v[ok], w[ok]
        if r.size == 0:
            continue
        order = np.lexsort((vv, r))
        r, vv, ww = r[order], vv[order], ww[order]
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        sites = r[starts]
        counts = np.diff(np.r_[starts, r.size])
        if unit:
            lo = starts + (counts - 1) // 2
            hi = starts + counts // 2
            out[sites, i] = 0.5 * (vv[lo] + vv[hi])
        else:
            cw = np.cumsum(ww)
            before = np.r_[0.0, cw][starts]
            total = np.add.reduceat(ww, starts)
            half = before + 0.5 * total
            pos = np.searchsorted(cw, half - 1e-12 * np.maximum(total, 1.0), side="left")
            out[sites, i] = vv[np.minimum(pos, starts + counts - 1)]
    return out


def _combine(parts: list[tuple[np.ndarray, dict]], n_sites: int, t: int, need: frozenset) -> dict:
    """Add up the per-block partials of one time chunk into (sites × t) arrays."""
    out = {"w_valid": np.zeros((n_sites, t)), "w_x": np.zeros((n_sites, t))}
    if "std" in need:
        out["m2"] = np.zeros((n_sites, t))
    if "min" in need:
        out["min"] = np.full((n_sites, t), np.inf)
    if "max" in need:
        out["max"] = np.full((n_sites, t), -np.inf)
    if "median" in need:
        out["median"] = np.full((n_sites, t), np.nan)
    for rows, p in parts:
        if "m2" in out:
            wa, sa = out["w_valid"][rows], out["w_x"][rows]
            wb, sb = p["w_valid"], p["w_x"]
            both = (wa > 0) & (wb > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                delta = np.where(both, sb / wb - sa / wa, 0.0)
                extra = np.where(both, delta * delta * wa * wb / (wa + wb), 0.0)
            out["m2"][rows] += p["m2"] + extra
        out["w_valid"][rows] += p["w_valid"]
        out["w_x"][rows] += p["w_x"]
        if "min" in out:
            out["min"][rows] = np.minimum(out["min"][rows], p["min"])
        if "max" in out:
            out["max"][rows] = np.maximum(out["max"][rows], p["max"])
        if "median" in out:
            out["median"][rows] = p["median"]
    return out


def _run_block(block: np.ndarray, rows: np.ndarray, weights: BlockWeights, need: frozenset):
    return rows, _block_partials(block, weights, need)


# -- drivers ----------------------------------------------------------------------------------
def _reduce_in_memory(cube: xr.DataArray, pm: PixelMap, need: frozenset, progress: bool) -> dict:
    n, t_total = pm.n_sites, cube.sizes["time"]
    bw = _block_weights(pm, (pm.shape[0],), (pm.shape[1],)).get((0, 0))
    if bw is None:  # no site touches the grid
        bw = BlockWeights(pm.matrix, pm.shape)
    acc = None
    for i in tqdm(range(t_total), desc="zonal", unit="date", disable=not bar_wanted(progress), leave=False):
        block = np.asarray(cube.isel(time=slice(i, i + 1)).values)
        part = _combine([(np.arange(n), _block_partials(block, bw, need))], n, 1, need)
        if acc is None:
            acc = {k: [v] for k, v in part.items()}
        else:
            for k, v in part.items():
                acc[k].append(v)
    return {k: np.concatenate(v, axis=1) for k, v in acc.items()}


def _client():
    try:
        from distributed import default_client
        return default_client()
    except (ImportError, ValueError):
        return None


def _reduce_dask(cube: xr.DataArray, pm: PixelMap, need: frozenset, progress: bool,
                 batch_size: int | None) -> dict:
    import dask
    data = cube.data
    if "median" in need and (len(data.chunks[1]) > 1 or len(data.chunks[2]) > 1):
        data = data.rechunk({1: -1, 2: -1})  # a median needs all of a site's pixels at once
    tchunks, ychunks, xchunks = data.chunks
    local = pm.split(ychunks, xchunks)
    client = _client()
    blocks_w = _block_weights(pm, ychunks, xchunks)
    blocks = data.to_delayed()
    n = pm.n_sites

    def graph():
        weights = _shipped_weights(client, blocks_w, pm, ychunks, xchunks)
        per_chunk = []
        for i, t in enumerate(tchunks):
            parts = [dask.delayed(_run_block, pure=True)(blocks[i, j, k], local[(j, k)][0], weights[(j, k)], need)
                     for (j, k) in local]
            per_chunk.append((t, dask.delayed(_combine, pure=True)(parts, n, t, need)))
        return per_chunk
    per_chunk = graph()
    if batch_size is None:
        workers = sum(client.nthreads().values()) if client is not None else (dask.system.CPU_COUNT or 2)
        batch_size = max(8, 4 * workers)  # time chunks in flight: bounds memory, amortises scheduling
    results = []
    bar = tqdm(total=sum(tchunks), desc="zonal", unit="date", disable=not bar_wanted(progress), leave=False)
    try:
        for s in range(0, len(per_chunk), batch_size):
            for attempt in range(RETRIES + 1):
                batch = per_chunk[s:s + batch_size]
                try:
                    computed = dask.compute(*[d for _, d in batch])
                    break
                except Exception as exc:  # noqa: BLE001 - a lost worker took the scattered weights
                    if client is None or attempt == RETRIES or isinstance(exc, InputError):
                        raise
                    log.warning("zonal batch lost on the cluster (%s); sending the weights again", exc)
                    per_chunk = graph()
            results.extend(computed)
            bar.update(sum(t for t, _ in batch))
    finally:
        bar.close()
    if not results:
        return _combine([], n, 0, need)
    return {k: np.concatenate([r[k] for r in results], axis=1) for k in results[0]}


#: times a batch is sent again after a worker died with the weights it held
RETRIES = 2


def _shipped_weights(client, blocks_w: dict, pm: PixelMap, ychunks, xchunks) -> dict:
    """Each block's weights as the tasks refer to them: scattered to the cluster once (a
    worker that dies loses them: the batch is sent again with fresh copies), or named
    delayed objects locally (named, not tokenised: hashing the weights of 100k sites costs
    seconds per call)."""
    import dask
    if client is not None:
        keys = list(blocks_w)
        futures = client.scatter([blocks_w[k] for k in keys], broadcast=False, hash=False)
        return dict(zip(keys, futures))
    tag = f"block-weights-{id(pm):x}-{len(ychunks)}-{len(xchunks)}"
    return {k: dask.delayed(v, name=f"{tag}-{k[0]}-{k[1]}") for k, v in blocks_w.items()}


def _site_frame(sites, site_id: str) -> tuple[np.ndarray, np.ndarray, object]:
    if isinstance(sites, gpd.GeoSeries):
        sites = gpd.GeoDataFrame(geometry=sites)
    if not isinstance(sites, gpd.GeoDataFrame):
        raise InputError(Issue("sites must be a GeoDataFrame (or GeoSeries) with a CRS", source="sites"))
    if sites.crs is None:
        raise InputError(Issue("the sites have no CRS; set one (e.g. EPSG:4326) before zonal statistics",
                               source="sites"))
    ids = sites[site_id].to_numpy() if site_id in sites.columns else sites.index.to_numpy()
    return ids, sites.geometry, sites.crs


def pixel_map(cube: xr.DataArray, sites, method: str = "center", *, site_id: str = "site_id") -> PixelMap:
    """The site → pixel weights of ``sites`` on ``cube``'s grid (sites reprojected to it)."""
    transform, crs, shape = grid_of(cube)
    _, geoms, _ = _site_frame(sites, site_id)
    geoms = geoms.to_crs(crs) if geoms.crs != crs else geoms
    return build_pixel_map(geoms.to_numpy(), transform, shape, method)


def zonal_timeseries(cube: xr.DataArray, sites: gpd.GeoDataFrame, stats: Sequence[str] = ("mean",),
                     method: str = "center", *, site_id: str = "site_id", progress: bool = False,
                     batch_size: int | None = None, weights: PixelMap | None = None) -> pd.DataFrame:
    """Statistics of every site on every date of ``cube``, as a tidy table.

    Parameters
    ----------
    cube : xarray.DataArray
        ``(time, y, x)`` with a CRS (``open_cube``), numpy- or dask-backed; NaN = no value.
    sites : GeoDataFrame
        Polygons (or points) with a CRS and a ``site_id`` column (else the index is used). They
        are reprojected to the cube's CRS; the raster is never warped.
    stats : sequence of str
        Any of mean, median, min, max, std, count, valid_fraction.
    method : "center" or "coverage"
        Pixels whose centre falls inside (rasterstats' rule), or pixels weighted by the covered
        fraction (exactextract's rule).
    progress : bool
        tqdm progress bar over dates.
    batch_size : int, optional
        Time chunks computed per dask round (default 4 × threads, at least 8); bounds memory.
    weights : PixelMap, optional
        A mapping from :func:`pixel_map` to reuse across calls on the same grid.

    Returns
    -------
    DataFrame
        ``site_id``, ``time``, one column per statistic, and ``flag`` (``outside`` → NaN,
        ``subpixel``, ``partial``, ``point``, ``empty``; several joined with ``;``), ordered by
        site then time. Overlapping polygons each get their full answer.
    """
    stats = tuple(stats)
    unknown = [s for s in stats if s not in STATS]
    if unknown:
        raise InputError(Issue(f"unknown statistic(s) {', '.join(unknown)}; use {', '.join(STATS)}",
                               source="stats"))
    if method not in METHODS:
        raise InputError(Issue(f"unknown method '{method}'; use center or coverage", source="method"))
    if set(cube.dims) != {"time", "y", "x"}:
        raise InputError(Issue(f"expected a (time, y, x) cube, got dimensions {cube.dims}", source="cube"))
    cube = cube.transpose("time", "y", "x")
    ids, _, _ = _site_frame(sites, site_id)
    pm = weights if weights is not None else pixel_map(cube, sites, method, site_id=site_id)
    if pm.shape != (cube.sizes["y"], cube.sizes["x"]) or pm.n_sites != len(ids):
        raise InputError(Issue("the weights were computed for another grid or site list", source="weights"))
    need = frozenset(stats)
    if _is_dask(cube):
        sums = _reduce_dask(cube, pm, need, progress, batch_size)
    else:
        sums = _reduce_in_memory(cube, pm, need, progress)
    return _table(sums, ids, pd.DatetimeIndex(cube["time"].values), stats, pm)


def _is_dask(cube: xr.DataArray) -> bool:
    return cube.chunks is not None and hasattr(cube.data, "dask")


def _table(sums: dict, ids: np.ndarray, times: pd.DatetimeIndex, stats: Iterable[str],
           pm: PixelMap) -> pd.DataFrame:
    n, t = len(ids), len(times)
    wv, wx = sums["w_valid"], sums["w_x"]
    total = pm.total_weight[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(wv > 0, wx / wv, np.nan)
        cols = {}
        for s in stats:
            if s == "mean":
                cols[s] = mean
            elif s == "count":
                cols[s] = wv
            elif s == "valid_fraction":
                cols[s] = np.where(total > 0, wv / total, np.nan)
            elif s == "std":
                var = np.where(wv > 0, sums["m2"] / wv, np.nan)
                cols[s] = np.sqrt(np.maximum(var, 0.0))
            elif s in ("min", "max"):
                v = sums[s]
                cols[s] = np.where(np.isfinite(v), v, np.nan)
            elif s == "median":
                cols[s] = sums["median"]
    frame = pd.DataFrame({"site_id": np.repeat(ids, t), "time": np.tile(times.values, n)})
    for s, v in cols.items():
        frame[s] = v.reshape(-1)
    if pm.method == "center" and "count" in frame:
        frame["count"] = frame["count"].astype("int64")
    frame["flag"] = np.repeat(np.asarray(pm.flags, dtype=object), t)
    return frame
