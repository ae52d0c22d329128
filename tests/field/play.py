"""The field, played: what QField does to a package, done with pyogrio/GDAL and Pillow.

``add_inspections`` appends rows to the ``inspections`` layer with generated JPEG photos carrying
EXIF time and GPS (written into ``photos/`` as QField's attachment widget does, paths relative to
the project); ``edit_site`` changes one attribute of a reference site, as a form edit would.
"""
from __future__ import annotations

import io
import uuid
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from PIL import Image

GPKG = "inspection.gpkg"


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return float(d), float(m), round((value - d - m / 60) * 3600, 4)


def jpeg(lon: float | None, lat: float | None, when: datetime | None, size: int = 64, seed: int = 0) -> bytes:
    """A real JPEG with EXIF DateTimeOriginal and GPS position (each optional)."""
    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8), "RGB")
    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def add_inspections(folder: Path, rows: list[dict]) -> list[dict]:
    """Append inspections; each row: case_id, site_id, inspection_date, optional photos = [bytes |
    (path text, bytes | None)], other form values. Returns the rows as written (with uuids)."""
    folder = Path(folder)
    out, geoms = [], []
    for i, r in enumerate(rows):
        r = dict(r)
        photos = r.pop("photos", [])
        point = r.pop("point", None)
        rec = {"uuid": r.pop("uuid", str(uuid.uuid4())), "inspector": "张巡查", "status": "normal",
               "vegetation_cover_pct": 60.0, "erosion": False, "waste": False, "findings": "补植苗木长势良好", **r}
        rec["inspection_date"] = str(rec["inspection_date"])
        for k, photo in enumerate(photos):
            if isinstance(photo, tuple):
                rel, data = photo
            else:
                rel, data = f"photos/{rec['uuid'][:8]}_{k + 1}.jpg", photo
            if data is not None:
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(data)
            rec[f"photo_{k + 1}"] = rel
        out.append(rec)
        geoms.append(point)
    have = pyogrio.read_dataframe(folder / GPKG, layer="inspections")
    frame = gpd.GeoDataFrame(pd.DataFrame(out).reindex(columns=[c for c in have.columns if c != "geometry"]),
                             geometry=gpd.points_from_xy(*zip(*[g or (np.nan, np.nan) for g in geoms]), crs=4326))
    for col in ("erosion", "waste"):
        frame[col] = frame[col].astype(bool)
    pyogrio.write_dataframe(frame, folder / GPKG, layer="inspections", append=True)
    return out


def rewrite_layer(folder: Path, layer: str, frame: gpd.GeoDataFrame, **options) -> None:
    """Replace a layer of the package's GeoPackage (what re-saving it in a desktop GIS does)."""
    pyogrio.write_dataframe(frame, Path(folder) / GPKG, layer=layer, layer_options={"OVERWRITE": "YES"}, **options)


def edit_site(folder: Path, site_id: str, **changes) -> None:
    """Change attributes of one reference site in the package."""
    sites = pyogrio.read_dataframe(Path(folder) / GPKG, layer="sites")
    for k, v in changes.items():
        sites.loc[sites["site_id"] == site_id, k] = v
    rewrite_layer(folder, "sites", sites, geometry_type="Unknown")


def site_centre(folder: Path, site_id: str) -> tuple[float, float]:
    sites = pyogrio.read_dataframe(Path(folder) / GPKG, layer="sites")
    c = sites.loc[sites["site_id"] == site_id].geometry.iloc[0].representative_point()
    return c.x, c.y


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, 0)
