"""Offline field inspection: the store's identity, the packages sent to the field, the
inspections and photos that came back (evidence) and the review queue of merge conflicts."""
from __future__ import annotations

from .fields import Field as F, LayerSpec

#: conflict states and kinds (the review queue)
CONFLICT_STATUS = ("open", "resolved")
CONFLICT_KINDS = ("value", "geometry", "deleted", "added")

# One row: the store's own id, made at its first field export; a package carries it, so a package
# of another store is recognised.
FIELD_STORE = LayerSpec(
    "field_store", key="store_id",
    fields=(
        F("store_id", "str", required=True, zh="数据库标识"),
        F("created_at", "datetime", required=True, zh="创建时间"),
    ),
)

FIELD_PACKAGES = LayerSpec(
    "field_packages", key="package_id",
    fields=(
        F("package_id", "str", required=True, zh="外业包编号"),
        F("seq", "int", required=True, min=1, zh="导出序号"),
        F("case_ids", "list", required=True, zh="案件编号"),
        F("exported_at", "datetime", required=True, zh="导出时间"),
        F("exported_by", "str", required=True, zh="导出人"),
        F("base_sha256", "str", required=True, zh="基准快照摘要"),
        F("imported_at", "datetime", zh="导入时间"),
        F("imported_by", "str", zh="导入人"),
    ),
)

# Each inspection taken from a package (its uuid from the field form): imported once only.
FIELD_INSPECTIONS = LayerSpec(
    "field_inspections", key="inspection_uuid", refs=(("case_id", "cases"),),
    fields=(
        F("inspection_uuid", "str", required=True, zh="巡查记录标识"),
        F("case_id", "str", required=True, zh="案件编号"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("event_fid", "int", required=True, zh="事件编号"),
        F("package_id", "str", required=True, zh="外业包编号"),
    ),
)

# Who last marked a photo public (or withdrew it), when and why: a disclosure decision.
PHOTO_PUBLICATION_FIELDS = (
    F("public_reason", "str", max_len=500, zh="公开或撤回理由"),
    F("published_by", "str", zh="公开决定人"),
    F("published_at", "datetime", zh="公开决定时间"),
)

# A field photo as evidence: its hash, where and when the camera says it was taken, who took it,
# what was found odd about it, and whether the public may see it.
FIELD_PHOTOS = LayerSpec(
    "field_photos", refs=(("case_id", "cases"),),
    fields=(
        F("case_id", "str", required=True, zh="案件编号"),
        F("event_fid", "int", required=True, zh="事件编号"),
        F("inspection_uuid", "str", required=True, zh="巡查记录标识"),
        F("site_id", "str", required=True, zh="场地编号"),
        F("package_id", "str", required=True, zh="外业包编号"),
        F("path", "str", required=True, zh="包内路径"),
        F("name", "str", required=True, zh="文件名"),
        F("sha256", "str", required=True, zh="SHA-256"),
        F("size_bytes", "int", required=True, min=0, zh="大小"),
        F("taken_at", "str", zh="拍摄时间"),
        F("lon", "float", zh="经度"),
        F("lat", "float", zh="纬度"),
        F("inside_site", "bool", zh="位于场地内"),
        F("warnings", "json", zh="提示"),
        F("taken_by", "str", zh="拍摄人"),
        F("public", "bool", default=False, zh="公开"),
        *PHOTO_PUBLICATION_FIELDS,
    ),
)

FIELD_CONFLICTS = LayerSpec(
    "field_conflicts", key="conflict_id", refs=(("case_id", "cases"),),
    fields=(
        F("conflict_id", "str", required=True, zh="冲突编号"),
        F("package_id", "str", required=True, zh="外业包编号"),
        F("case_id", "str", zh="案件编号"),
        F("kind", "enum", required=True, choices=CONFLICT_KINDS, zh="类型"),
        F("layer", "str", required=True, zh="图层"),
        F("record_id", "str", required=True, zh="要素编号"),
        F("field", "str", zh="字段"),
        F("base_value", "json", zh="导出时的值"),
        F("office_value", "json", zh="办公室的值"),
        F("field_value", "json", zh="外业的值"),
        F("status", "enum", required=True, choices=CONFLICT_STATUS, zh="状态"),
        F("kept", "str", zh="保留"),
        F("resolved_by", "str", zh="处理人"),
        F("resolved_at", "datetime", zh="处理时间"),
    ),
)

FIELD_LAYERS = ("field_store", "field_packages", "field_inspections", "field_photos", "field_conflicts")
