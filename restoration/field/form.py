"""The field inspection form: the ``inspections`` layer of a package, field by field.

The rule profiles define no inspection form of their own (the case page's inspection records an
inspector, findings and photos), so the package carries this fixed form: those fields plus the
site, the date, a status from a short list and the observations a supervisor notes on site. Each
field has its Chinese and English label; a ``choices`` field becomes a value map in the project.
"""
from __future__ import annotations

from dataclasses import dataclass

#: photos per inspection (one attachment field each, as QField's attachment widget stores one path)
PHOTO_FIELDS = ("photo_1", "photo_2", "photo_3")
#: the folder of the package the photos are taken into (QField stores paths relative to the project)
PHOTO_FOLDER = "photos"


@dataclass(frozen=True)
class FormField:
    """One field of the inspection form (``kind``: text, date, int, float, bool, choice, photo)."""

    name: str
    kind: str
    zh: str
    en: str
    required: bool = False
    choices: tuple[tuple[str, str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    max_len: int = 4000


STATUS = (("normal", "正常", "normal"), ("problem", "发现问题", "problem found"),
          ("rectify", "需整改", "rectification needed"), ("rectified", "已整改", "rectified"))

FIELDS: tuple[FormField, ...] = (
    FormField("uuid", "text", "记录标识", "record id", required=True, max_len=64),
    FormField("case_id", "text", "案件编号", "case", required=True, max_len=64),
    FormField("site_id", "text", "场地编号", "site", required=True, max_len=64),
    FormField("inspection_date", "date", "巡查日期", "inspection date", required=True),
    FormField("inspector", "text", "巡查人", "inspector", required=True, max_len=100),
    FormField("status", "choice", "巡查结论", "status", required=True, choices=STATUS),
    FormField("vegetation_cover_pct", "float", "植被覆盖度（%）", "vegetation cover (%)", min=0, max=100),
    FormField("erosion", "bool", "存在水土流失", "erosion seen"),
    FormField("waste", "bool", "存在废弃物", "waste seen"),
    FormField("findings", "text", "巡查情况", "findings", required=True),
) + tuple(FormField(p, "photo", f"照片{i + 1}", f"photo {i + 1}", max_len=500) for i, p in enumerate(PHOTO_FIELDS))

BY_NAME = {f.name: f for f in FIELDS}
#: the observations kept in the inspection record's details besides inspector and findings
OBSERVATIONS = ("status", "vegetation_cover_pct", "erosion", "waste")

#: reference attributes a field inspector may correct (the three-way merge takes them back)
MERGED_FIELDS = {"sites": ("name", "public_name", "ecosystem_type", "role")}
