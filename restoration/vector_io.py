"""Reading a vector file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf) through GDAL, and what
GDAL does not say about it.

GDAL hands text over as C strings, so a NUL character ends a value there: ``"Z1\\u0000"`` in a
GeoJSON file, or a GeoPackage cell holding a NUL, would arrive as ``Z1`` and validation could
not see the control character. For GeoJSON and GeoPackage files that hold a NUL the affected
values are read again as they are stored (JSON, SQLite), so validation refuses them naming the
feature and field. GDAL also reads a GeoJSON whose ``crs`` member names an unknown system
(``EPSG:99999``) as WGS 84, and cannot build geometries from NaN or Infinity vertices; both are
refused here (by feature for the vertices), never a traceback.
"""
from __future__ import annotations

import json
import re
import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from .errors import InputError, Issue

#: a JSON string escape for NUL (an even number of backslashes before it is text, not an escape)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
#: a GeoJSON holding a NUL is parsed again (in Python, several times its size in memory) up to this size
MAX_REPARSE_BYTES = 20_000_000
#: the legacy GeoJSON ``crs`` member: {"type": "name", "properties": {"name": "..."}}
_JSON_CRS = re.compile(rb'"crs"\s*:\s*\{')


def choose_layer(path: Path, source: str, layer: str | None) -> str | None:
    """The layer to read from a multi-layer file (GeoPackage): the one named by ``--layer``; else
    the only one. Several layers and none named is an input error listing them (reading the
    first one silently could import the wrong data)."""
    if path.suffix.lower() not in (".gpkg",):
        return layer
    names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    if layer is not None:
        if layer not in names:
            raise InputError(Issue(f"no layer '{layer}' in the file; its layers: {', '.join(names)}",
                                   source=source, field="--layer"))
        return layer
    if len(names) > 1:
        raise InputError(Issue(f"the file holds {len(names)} layers ({', '.join(names[:20])}); choose one with "
                               "--layer NAME", source=source, field="--layer"))
    return names[0] if names else None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def looks_like_gbk(frame: pd.DataFrame) -> bool:
    """A Shapefile without a .cpg is read as Latin-1 by GDAL; Chinese software writes its DBF in
    GBK. True when the column names or the first values, taken back to bytes, are valid GB18030
    text with Chinese characters (and were not real Chinese text already)."""
    texts = [str(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object:
            texts += [v for v in frame[col].head(50) if isinstance(v, str)]
    found = False
    for t in texts:
        if t.isascii():
            continue
        try:
            decoded = t.encode("latin-1").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return False  # real Unicode text, or not GBK: leave it
        found = found or bool(_CJK.search(decoded))
    return found


def read_vector(path: Path, source: str, layer: str | None) -> pd.DataFrame:
    """The layer as a GeoDataFrame; ``attrs`` carry ``notices`` and ``read_issues`` (features whose
    geometry could not be built). Any failure of the reader on this file is an InputError."""
    suffix = path.suffix.lower()
    raw = path.read_bytes() if suffix in (".geojson", ".json") else None
    if raw is not None:
        _refuse_unknown_crs(raw, source)
    with warnings.catch_warnings():  # GDAL's complaints about a damaged file become our error
        warnings.simplefilter("ignore", RuntimeWarning)
        layer = _reader(source, choose_layer, path, source, layer)
        frame, read_issues = _read_geometries(path, source, layer, encoding=None)
        notices = []
        if suffix in (".shp", ".zip") and looks_like_gbk(frame):
            frame, read_issues = _read_geometries(path, source, layer, encoding="GB18030")
            notices.append("编码 the Shapefile's attribute table was read as GB18030 (GBK): it says "
                           "no encoding (.cpg) and its text is Chinese")
    if raw is not None and _JSON_NUL.search(raw):
        _restore_json_text(raw, frame, source)
    elif suffix == ".gpkg":
        _restore_gpkg_text(path, layer, frame)
    if notices:
        frame.attrs["notices"] = notices
    if read_issues:
        frame.attrs["read_issues"] = read_issues
    return frame


def _reader(source: str, call, *args, **kwargs):
    """Run one call of the reader library on the user's file: whatever it raises (a damaged
    file makes GDAL and its bindings fail in their own ways, IndexError included) is the file's
    problem, reported as such."""
    try:
        return call(*args, **kwargs)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - only the library's call is inside
        raise _unreadable(exc, source) from None


def _unreadable(exc: Exception, source: str) -> InputError:
    detail = str(exc).strip() or type(exc).__name__
    return InputError(Issue(f"cannot read the file: {detail[:300]}", source=source))


def _read_geometries(path: Path, source: str, layer, encoding) -> tuple[pd.DataFrame, list[Issue]]:
    """Read the layer; when a geometry cannot be built (NaN or Infinity vertices leave a ring
    open), read it again keeping those features without a geometry, each named in an issue."""
    kwargs = {"layer": layer, **({"encoding": encoding} if encoding else {})}
    try:
        return pyogrio.read_dataframe(path, **kwargs), []
    except shapely.errors.GEOSException:
        pass
    except Exception as exc:  # noqa: BLE001 - the reader's own failure on this file
        raise _unreadable(exc, source) from None
    frame = _reader(source, pyogrio.read_dataframe, path, on_invalid="ignore", **kwargs)
    wkb = _reader(source, pyogrio.raw.read, path, **kwargs)[2]
    issues = []
    for pos, blob in enumerate(wkb):
        if blob is None:
            continue
        try:
            shapely.from_wkb(blob)
        except shapely.errors.GEOSException as exc:
            issues.append(Issue(f"the geometry cannot be read: {_geos_reason(exc)}", source=source, row=pos + 1,
                                field="geometry", row_label="feature"))
    return frame, issues


def _geos_reason(exc: Exception) -> str:
    text = str(exc).split(":", 1)[-1].strip()
    return (f"{text} (are there NaN or Infinity coordinates?)" if "closed" in text
            else text or "not a valid geometry")


def _refuse_unknown_crs(raw: bytes, source: str) -> None:
    """GDAL reads a GeoJSON whose ``crs`` member names a system it does not know as WGS 84:
    refuse it, naming the code, rather than store the coordinates in the wrong place."""
    match = _JSON_CRS.search(raw)
    if not match:
        return
    try:
        member, _ = json.JSONDecoder().raw_decode(raw[match.end() - 1:match.end() + 2000].decode("utf-8", "replace"))
    except (json.JSONDecodeError, RecursionError):
        return  # a damaged file: GDAL says so
    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str):
        return
    try:
        CRS.from_user_input(name)
    except CRSError:
        raise InputError(Issue(f"the file declares the coordinate reference system '{name[:80]}', which is not "
                               "known; save it with a known CRS (e.g. EPSG:4326, EPSG:4490) or remove the "
                               "'crs' member (GeoJSON is WGS 84 without one)", source=source, field="crs")) from None


def _restore_json_text(raw: bytes, frame: pd.DataFrame, source: str) -> None:
    """Put back the text values that hold a NUL, as the GeoJSON stores them (GDAL cut them). A file
    too large to parse again in Python is refused as a whole, naming where the NUL is."""
    if len(raw) > MAX_REPARSE_BYTES:
        at = _JSON_NUL.search(raw).start()
        raise InputError(Issue(f"holds a NUL character (\\u0000) at byte {at:,}; ids, names and other text may not "
                               "hold control characters", source=source))
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except (json.JSONDecodeError, RecursionError):
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or len(features) != len(frame):
        return
    for pos, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in (props or {}).items() if isinstance(props, dict) else ():
            if "\x00" in str(key):
                raise InputError(Issue("a property name holds a NUL character (U+0000)", source=source,
                                       row=pos + 1, field=str(key).replace("\x00", "\\x00"), row_label="feature"))
            if isinstance(value, str) and "\x00" in value and key in frame.columns:
                frame[key] = frame[key].astype(object)
                frame.iat[pos, frame.columns.get_loc(key)] = value


def _restore_gpkg_text(path: Path, layer: str | None, frame: pd.DataFrame) -> None:
    """Put back the text cells of a GeoPackage layer that hold a NUL (GDAL cut them)."""
    if layer is None:
        return
    text_columns = [c for c in frame.columns if c != frame.geometry.name
                    and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))]
    if not text_columns:
        return
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        quoted = '"' + layer.replace('"', '""') + '"'
        for column in text_columns:
            col = '"' + str(column).replace('"', '""') + '"'
            rows = con.execute(f"SELECT rowid, {col} FROM {quoted} WHERE instr(CAST({col} AS BLOB), x'00') > 0 "
                               "ORDER BY rowid LIMIT 1000").fetchall()
            if not rows:
                continue
            order = con.execute(f"SELECT rowid FROM {quoted} ORDER BY rowid").fetchall()
            position = {rid: pos for pos, (rid,) in enumerate(order)}
            frame[column] = frame[column].astype(object)
            for rid, value in rows:
                value = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                if rid in position and position[rid] < len(frame):
                    frame.iat[position[rid], frame.columns.get_loc(column)] = value
    except sqlite3.Error:
        return
    finally:
        con.close()


__all__ = ["read_vector", "choose_layer", "looks_like_gbk"]
