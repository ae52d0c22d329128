"""Input limits: the largest file, unpacked archive and raster each reader accepts.

Every reader of a user's file asks here before it reads, so a hostile or mistaken file — a
1.5 MB workbook that unpacks to 1.5 GB, ``/dev/zero`` named ``.csv``, a sparse 200,000 ×
200,000 GeoTIFF of a few megabytes — is refused at once, naming the file, the limit and how to
raise it, instead of filling the memory. The limits are plausibility bounds of this platform
(far above what a case's tables, boundaries and scenes hold), not values of any standard; an
installation with larger inputs raises one by its environment variable. ``docs/security.md``
("Input limits") lists them.
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Issue

MB = 1_000_000


@dataclass(frozen=True)
class Limit:
    """One bound: its default in ``unit`` (MB or million pixels), the environment variable that
    raises or lowers it, and what it bounds (for the message)."""

    env: str
    default: float
    unit: str
    what: str
    #: what the user can do instead of raising the limit
    hint: str = "split the input"

    @property
    def scale(self) -> int:
        return MB if self.unit in ("MB", "Mpixel") else 1

    def value(self) -> int:
        """The limit in bytes (or pixels): the environment variable when set, else the default."""
        text = os.environ.get(self.env)
        if text is None or not text.strip():
            return int(self.default * self.scale)
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not number > 0 or number == float("inf"):
            raise InputError(Issue(f"environment variable {self.env}={text!r} is not a positive number "
                                   f"of {self.unit}", field=self.env))
        return int(number * self.scale)

    def shown(self, amount: float | None = None) -> str:
        """``amount`` (default: the limit) in this limit's unit, e.g. '200 MB'."""
        amount = (self.value() if amount is None else amount) / self.scale
        return f"{amount:,.0f} {self.unit}" if amount >= 10 else f"{amount:.3g} {self.unit}"

    def refuse(self, amount: float, source: str, field: str | None = None) -> InputError:
        """The error for an input of ``amount`` bytes (pixels) over this limit."""
        return InputError(Issue(f"{self.what} is {self.shown(amount)}, more than the limit of {self.shown()}; "
                                f"{self.hint}, or raise the limit with the environment variable "
                                f"{self.env} (in {self.unit})", source=source, field=field))

    def check(self, amount: float, source: str, field: str | None = None) -> None:
        if amount > self.value():
            raise self.refuse(amount, source, field)


#: a CSV, TXT or JSON table (sites, cases, monitoring values): read whole, parsed as text. Measured:
#: a 19 MB monitoring table (500,000 values) takes 690 MB of memory to check, so 50 MB (about
#: 1.3 million values) stays under 1.5 GB
TABLE_FILE = Limit("RESTORATION_MAX_TABLE_MB", 50, "MB", "the table file", "split the table into several files")
#: an Excel workbook as stored (compressed)
WORKBOOK_FILE = Limit("RESTORATION_MAX_WORKBOOK_MB", 50, "MB", "the workbook file",
                      "save the sheet as CSV or split the workbook")
#: what a zip container (an .xlsx workbook, a zipped Shapefile) unpacks to, all members together.
#: Measured: a sheet of 294 MB of XML (6 million cells) took 6 GB of memory and 6 minutes to read,
#: about 20 times its size, so 50 MB stays near 1 GB
UNPACKED = Limit("RESTORATION_MAX_UNPACKED_MB", 50, "MB", "unpacked, the archive's content",
                 "split it into smaller files")
#: a vector file (GeoJSON, GeoPackage, Shapefile with its .dbf, FlatGeobuf)
VECTOR_FILE = Limit("RESTORATION_MAX_VECTOR_MB", 200, "MB", "the vector file",
                    "split the layer or simplify its geometries")
#: a small document: a column mapping, a facts or details JSON, a STAC catalogue, an appraisal input
DOCUMENT_FILE = Limit("RESTORATION_MAX_DOCUMENT_MB", 5, "MB", "the document", "give a smaller file")
#: one raster layer (one date, one band): width × height
RASTER_PIXELS = Limit("RESTORATION_MAX_RASTER_MPIXELS", 1024, "Mpixel", "one raster layer (width × height)",
                      "clip it to the sites' area or resample it (gdalwarp -te / -tr)")

ALL = (TABLE_FILE, WORKBOOK_FILE, UNPACKED, VECTOR_FILE, DOCUMENT_FILE, RASTER_PIXELS)


def _not_regular(source: str) -> InputError:
    return InputError(Issue("is not a regular file (a device such as /dev/zero, a socket); give the path of "
                            "a file", source=source))


def check_file(path: str | os.PathLike, limit: Limit, source: str | None = None) -> int:
    """Refuse ``path`` unless it is a regular file of at most ``limit`` bytes (for readers that take
    a path: GDAL, openpyxl, rasterio). Returns its size."""
    path = Path(path)
    source = source or path.name
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(Issue(f"file not found: {path}", source=source)) from None
    except OSError as exc:
        raise InputError(Issue(f"cannot read the file: {exc.strerror or exc}", source=source)) from None
    if stat.S_ISDIR(info.st_mode):
        return 0  # a folder reader (a File Geodatabase, a Zarr store) bounds its own parts
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(source)
    limit.check(info.st_size, source)
    return info.st_size


def read_bounded(path: str | os.PathLike, limit: Limit, source: str | None = None) -> bytes:
    """The bytes of ``path``, refused when more than ``limit``: a device (``/dev/zero`` named
    ``.csv``) is refused before it is read, a regular file by its size, and the read itself stops
    one byte past the limit, so a pipe or a growing file cannot fill the memory either."""
    path = Path(path)
    source = source or path.name
    maximum = limit.value()
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        if stat.S_ISREG(info.st_mode):
            limit.check(info.st_size, source)
        elif not stat.S_ISFIFO(info.st_mode):  # a pipe (process substitution) is read, bounded
            raise _not_regular(source)
        data = fh.read(maximum + 1)
    if len(data) > maximum:
        raise InputError(Issue(f"{limit.what} is more than the limit of {limit.shown()} (it does not end); "
                               f"{limit.hint}, or raise the limit with the environment variable "
                               f"{limit.env} (in {limit.unit})", source=source))
    return data


def check_archive(path: str | os.PathLike, source: str | None = None) -> None:
    """Refuse a zip container (an .xlsx workbook, a zipped Shapefile) whose members unpack to more
    than :data:`UNPACKED`. The members' declared sizes bound what the reader can unpack
    (``zipfile`` stops at the declared size and checks the CRC), so they are read, not
    guessed. A file that is not a zip archive is left to its reader to refuse."""
    source = source or Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    UNPACKED.check(total, source)


def check_pixels(width: int, height: int, source: str) -> None:
    """Refuse a raster layer of more than :data:`RASTER_PIXELS` pixels."""
    RASTER_PIXELS.check(int(width) * int(height), source)


__all__ = ["Limit", "TABLE_FILE", "WORKBOOK_FILE", "UNPACKED", "VECTOR_FILE", "DOCUMENT_FILE", "RASTER_PIXELS",
           "ALL", "check_file", "read_bounded", "check_archive", "check_pixels"]
