"""Small pictures of stored photos, for pages and archives: turned upright by the camera's
orientation tag, at most :data:`THUMB_SIDE` pixels a side, written as a fresh JPEG that carries
none of the original's metadata (no EXIF position, camera serial or maker notes)."""
from __future__ import annotations

import io

from PIL import Image, ImageOps

#: longest side of a thumbnail [px]
THUMB_SIDE = 240


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes:
    """A JPEG thumbnail of the image ``data`` (already checked by ``file_content``), metadata-free.

    Parameters
    ----------
    data : bytes
        A PNG, JPEG or WebP image.
    side : int
        Longest side of the result [px].

    Returns
    -------
    bytes
        The thumbnail as a baseline JPEG (quality 80).
    """
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (side, side))  # JPEG: decode at a reduced scale, a fraction of the work
        small = ImageOps.exif_transpose(img).convert("RGB")
    small.thumbnail((side, side))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()
