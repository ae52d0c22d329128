"""Image chips: small PNG pictures of a window of an index image, the evidence a person looks at
before accepting a clue from imagery (before and after the disturbance, the patch outlined)."""
from __future__ import annotations

import struct
import zlib

import numpy as np

#: the longest side of a chip [px]; larger windows are thinned (every k-th pixel)
MAX_CHIP_PX = 256
#: a smaller window is enlarged (each pixel repeated) until its longest side reaches this [px]
MIN_CHIP_PX = 128

_OUTLINE = np.array([230, 40, 40], dtype=np.uint8)


def png_bytes(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB image ``(rows, cols, 3)`` encoded as PNG (zlib only, no imaging library).

    References
    ----------
    .. [1] W3C, Portable Network Graphics (PNG) Specification (Third Edition), 2025.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(h))  # filter type 0 per scan line

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def chip_window(rows: slice, cols: slice, shape: tuple[int, int], pad: int = 8) -> tuple[slice, slice]:
    """The window around a patch's bounding box, padded by half its size (at least ``pad`` px)
    and clipped to the image."""
    def grow(s: slice, n: int) -> slice:
        extra = max(pad, (s.stop - s.start) // 2)
        return slice(max(0, s.start - extra), min(n, s.stop + extra))

    return grow(rows, shape[0]), grow(cols, shape[1])


def _outline(mask: np.ndarray) -> np.ndarray:
    """The edge pixels of a boolean mask (4-neighbourhood)."""
    m = np.pad(mask, 1)
    inner = m[1:-1, 1:-1] & m[:-2, 1:-1] & m[2:, 1:-1] & m[1:-1, :-2] & m[1:-1, 2:]
    return mask & ~inner


def render_chips(images: list[np.ndarray], patch: np.ndarray | None = None) -> list[bytes]:
    """PNG chips of same-shaped index windows on one grey scale (the 2nd–98th percentile of all
    of them, so before and after compare), the patch outlined in red when given; NaN is black.
    A window is thinned to at most ``MAX_CHIP_PX`` and enlarged (pixels repeated) to at least
    ``MIN_CHIP_PX`` on its longest side."""
    step = max(1, int(np.ceil(max(images[0].shape) / MAX_CHIP_PX)))
    images = [np.asarray(a, dtype="float64")[::step, ::step] for a in images]
    finite = np.concatenate([a[np.isfinite(a)] for a in images]) if images else np.array([])
    lo, hi = (np.percentile(finite, [2, 98]) if finite.size else (0.0, 1.0))
    hi = hi if hi > lo else lo + 1.0
    edge = _outline(np.asarray(patch, dtype=bool)[::step, ::step]) if patch is not None else None
    out = []
    for a in images:
        grey = np.clip((np.nan_to_num(a, nan=lo) - lo) / (hi - lo) * 255.0, 0, 255).astype(np.uint8)
        grey[~np.isfinite(a)] = 0
        rgb = np.repeat(grey[..., None], 3, axis=2)
        if edge is not None:
            rgb[edge] = _OUTLINE
        k = max(1, MIN_CHIP_PX // max(rgb.shape[:2]))
        out.append(png_bytes(np.repeat(np.repeat(rgb, k, axis=0), k, axis=1)))
    return out


__all__ = ["MAX_CHIP_PX", "MIN_CHIP_PX", "chip_window", "png_bytes", "render_chips"]
