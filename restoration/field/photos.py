"""Field photos as evidence: found inside the package, checked by content, hashed, located.

A photo field holds a path relative to the package folder (QField's attachment widget with
relative storage). The path must stay inside the folder (no absolute path, no ``..``, no link
leading out), name a regular file of at most ``MAX_ATTACHMENT_BYTES``, and the file must be, from
first to last byte, an image the platform accepts (``restoration.cases.file_content``: an HTML
page named ``.jpg`` is refused). Its SHA-256 is the evidence hash. The camera's EXIF time
(``DateTimeOriginal``) and GPS position are read and compared with the inspection: a photo taken
more than ``MAX_DAYS_OFF`` days from the inspection date, or outside the site (farther than
``NEAR_M`` metres from its outline), gets a warning — not a refusal: the record stays, the
reviewer sees why to look.

References
----------
JEITA CP-3451 (Exif 2.3): tags DateTimeOriginal (0x9003), GPSLatitudeRef/GPSLatitude (1, 2),
GPSLongitudeRef/GPSLongitude (3, 4) in the GPS IFD (0x8825).
"""
from __future__ import annotations

import hashlib
import io
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import shapely
from PIL import Image

from ..cases.attachments import MAX_ATTACHMENT_BYTES, safe_name
from ..cases.file_content import Refused, check_content
from ..errors import InputError, Issue

#: days between the camera's time and the inspection date before a warning [d]
MAX_DAYS_OFF = 1
#: distance from the site's outline still counted as at the site [m]
NEAR_M = 50.0
_EXIF_IFD, _GPS_IFD, _TIME_ORIGINAL = 0x8769, 0x8825, 0x9003
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Photo:
    """A checked photo: where it is, what it is, its hash and what the camera says."""

    path: str
    file: Path
    name: str
    mime: str
    size: int
    sha256: str
    taken_at: str | None = None
    lon: float | None = None
    lat: float | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    inside_site: bool | None = None


def inside(folder: Path, value: str) -> Path:
    """The file a photo field names, or ValueError when it lies outside ``folder`` or is missing."""
    text = value.replace("\\", "/").strip()
    rel = PurePosixPath(text)
    if rel.is_absolute() or text.startswith("~") or (len(text) > 1 and text[1] == ":"):
        raise ValueError(f"'{text[:120]}' is an absolute path; a photo must be inside the package folder")
    if ".." in rel.parts:
        raise ValueError(f"'{text[:120]}' leads out of the package folder (..)")
    path = folder / Path(*rel.parts)
    root = folder.resolve()
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise ValueError(f"'{text[:120]}' is missing from the package (copy the photos folder with it)") from None
    if not real.is_relative_to(root):
        raise ValueError(f"'{text[:120]}' is a link leading out of the package folder")
    if not real.is_file():
        raise ValueError(f"'{text[:120]}' is not a file")
    return real


def _ratio(v: Any) -> float:
    return float(v[0]) / float(v[1]) if isinstance(v, tuple) else float(v)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (_ratio(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper().startswith(("S", "W")) else value


def exif(data: bytes) -> tuple[str | None, float | None, float | None]:
    """(camera time as ISO text, longitude, latitude) from a photo's EXIF, None where absent."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            tags = img.getexif()
            when = tags.get_ifd(_EXIF_IFD).get(_TIME_ORIGINAL) or tags.get(0x0132)
            gps = tags.get_ifd(_GPS_IFD)
    except Exception:  # a photo without (readable) EXIF: nothing to compare
        return None, None, None
    taken = None
    if isinstance(when, str):
        try:
            taken = datetime.strptime(when.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").isoformat()
        except ValueError:
            taken = None
    lat = _degrees(gps.get(2), gps.get(1)) if gps.get(2) else None
    lon = _degrees(gps.get(4), gps.get(3)) if gps.get(4) else None
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    return taken, lon, lat


def _distance_m(geom: Any, lon: float, lat: float) -> float:
    """Distance from a point to a lon/lat shape [m] (local equirectangular: fine at site scale)."""
    d = geom.distance(shapely.Point(lon, lat))
    return d * _M_PER_DEG * max(math.cos(math.radians(lat)), 0.1) if d else 0.0


def warnings_for(taken: str | None, lon: float | None, lat: float | None, day: date | None,
                 site: Any) -> tuple[tuple[str, ...], bool | None]:
    """The evidence warnings of one photo and whether the camera put it inside the site."""
    out = []
    if taken is None:
        out.append("no camera time (EXIF DateTimeOriginal)")
    elif day is not None and abs((date.fromisoformat(taken[:10]) - day).days) > MAX_DAYS_OFF:
        out.append(f"taken {taken[:10]}, {abs((date.fromisoformat(taken[:10]) - day).days)} days from the "
                   f"inspection date {day.isoformat()}")
    at_site = None
    if lon is None or lat is None:
        out.append("no camera position (EXIF GPS)")
    elif site is not None:
        metres = _distance_m(site, lon, lat)
        at_site = metres == 0.0
        if metres > NEAR_M:
            out.append(f"taken {metres:,.0f} m outside the site")
    return tuple(out), at_site


def check_photo(folder: Path, value: str, day: date | None, site: Any) -> Photo:
    """One photo field's file checked and described, or ValueError saying why it is refused."""
    path = inside(folder, value)
    size = os.stat(path).st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"'{value[:120]}' has {size / 1e6:.1f} MB; at most {MAX_ATTACHMENT_BYTES / 1e6:.0f} MB")
    data = path.read_bytes()
    try:
        mime = check_content(data)
    except Refused as why:
        raise ValueError(f"'{value[:120]}' is not an image the platform accepts ({why.code})") from None
    if mime is None or not mime.startswith("image/"):
        raise ValueError(f"'{value[:120]}' is not a JPEG, PNG or WebP photo")
    taken, lon, lat = exif(data)
    warns, at_site = warnings_for(taken, lon, lat, day, site)
    return Photo(value, path, safe_name(PurePosixPath(value.replace("\\", "/")).name, mime), mime, size,
                 hashlib.sha256(data).hexdigest(), taken, lon, lat, warns, at_site)


def read_checked(photo: Photo) -> bytes:
    """A checked photo's bytes again (at the write), refused if the file changed since the check."""
    data = photo.file.read_bytes()
    if hashlib.sha256(data).hexdigest() != photo.sha256:
        raise InputError(Issue("the photo changed while it was imported; import again", source=photo.path))
    return data
