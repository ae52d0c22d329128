"""Column mapping: a user's column names → the layer's field names.

Real files name their columns their own way (``名称``, ``县代码``, ``NAME``, ``adcode``). Every
import takes a mapping ``--map name=名称,county_id=县代码`` (field = the file's column) or a
mapping file (``--map-file``: JSON / YAML / TOML ``{field: column}``, or a two-column CSV
``field,column``). Without one, a column is recognised when it is a field name in any case or
spacing, a Shapefile-truncated field name, the field's Chinese name (``restoration.model``), or
a common alias (:data:`ALIASES`). The result says what was mapped and how, so the user sees it.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import limits, model
from .errors import InputError, Issue

#: common column names of Chinese and international GIS/registry files, per field name
#: (any layer that has that field). Lower-case; compared after stripping spaces, '-' and '_'.
ALIASES: dict[str, tuple[str, ...]] = {
    "county_id": ("县代码", "县区代码", "区县代码", "行政区划代码", "区划代码", "行政代码", "adcode", "code",
                  "countycode", "xzqdm", "pac"),
    "watershed_id": ("流域代码", "流域编码", "basinid", "hybasid", "wscode"),
    "name": ("名称", "名字", "县名", "县区名称", "区县名称", "流域名称", "场地名称", "项目名称", "name_zh", "xzqmc"),
    "site_id": ("场地编号", "场地代码", "地块编号", "图斑编号"),
    "project_id": ("项目编号", "项目代码"),
    "case_id": ("案件编号", "案号", "案件号"),
    "title": ("案件名称", "案由"),
    "region": ("所在县区", "所在地区", "地区", "县区", "行政区"),
    "ecosystem_type": ("生态系统类型", "生态系统", "ecosystem"),
    "role": ("场地类型", "场地角色"),
    "capacity_unit": ("容量单位", "单位"),
    "unit_cost_yuan": ("单位成本", "单价", "单位成本元"),
    "damage_amount_yuan": ("损害数额", "损害金额", "损害赔偿金额", "赔偿金额", "金额"),
    "claimant_agency": ("赔偿权利人指定部门", "赔偿权利人", "办案单位"),
    "liable_party": ("赔偿义务人", "义务人"),
    # monitoring plans (indicator targets)
    "indicator": ("指标", "指标名称", "指标代码", "监测项目", "监测因子"),
    "direction": ("方向", "优化方向", "变化方向", "改善方向"),
    "baseline": ("基线", "基准值", "本底值", "初始值", "现状值"),
    "target": ("目标", "修复目标", "修复目标值"),
    "baseline_date": ("基线监测日期", "基准日期", "本底日期"),
    "target_date": ("达标日期", "达标期限", "目标期限", "目标达成日期"),
    "planned_trajectory": ("计划恢复轨迹", "恢复计划", "计划进度"),
    "reference_site_id": ("参照场地", "参照区", "参照区编号", "参照点位", "参照场地代码"),
}


def _norm(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", str(name).strip().lower())


@dataclass
class ColumnPlan:
    """How a file's columns were read: ``rename`` (file column → field) and what to tell the user."""

    rename: dict[str, str] = field(default_factory=dict)
    #: (file column, field, how: "--map" | "case" | "中文名" | "alias" | "shapefile")
    mapped: list[tuple[str, str, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        if not self.mapped:
            return []
        parts = [f"{col} → {fld}" + ("" if how == "--map" else f" ({how})") for col, fld, how in self.mapped]
        return [f"列映射 mapped columns: {', '.join(parts)}"]


def parse_map(text: str | None, argument: str = "--map") -> dict[str, str]:
    """``"name=名称,county_id=县代码"`` → ``{"name": "名称", "county_id": "县代码"}``
    (also ``；``/``;`` separated, full-width ``＝``); an InputError naming ``argument`` otherwise."""
    if text is None or not str(text).strip():
        return {}
    out: dict[str, str] = {}
    for part in re.split(r"[,;，；\n]", str(text)):
        if not part.strip():
            continue
        pieces = re.split(r"[=＝]", part, maxsplit=1)
        if len(pieces) != 2 or not pieces[0].strip() or not pieces[1].strip():
            raise InputError(Issue(f"'{part.strip()}' is not field=column (e.g. --map name=名称,county_id=县代码)",
                                   field=argument))
        fld, col = pieces[0].strip(), pieces[1].strip()
        if fld in out and out[fld] != col:
            raise InputError(Issue(f"field '{fld}' is mapped twice ({out[fld]!r} and {col!r})", field=argument))
        out[fld] = col
    return out


def read_map_file(path: str | Path, argument: str = "--map-file") -> dict[str, str]:
    """A mapping file: JSON/YAML/TOML object ``{field: column}`` or a CSV with two columns
    ``field,column`` (a header line ``field,column`` or ``字段,列名`` is skipped)."""
    path = Path(path)
    if not path.exists() or path.is_dir():
        raise InputError(Issue(f"mapping file not found: {path}", field=argument))
    suffix = path.suffix.lower()
    try:
        text = limits.read_bounded(path, limits.DOCUMENT_FILE, path.name).decode("utf-8-sig")
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml
            data = yaml.safe_load(text)
        elif suffix == ".toml":
            import tomllib
            data = tomllib.loads(text)
        elif suffix in (".csv", ".txt"):
            rows = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
            if rows and _norm(rows[0][0]) in ("field", "字段", "字段名"):
                rows = rows[1:]
            if any(len(r) != 2 for r in rows):
                raise ValueError("every line must be field,column")
            data = {r[0].strip(): r[1].strip() for r in rows}
        else:
            raise ValueError(f"unsupported type '{suffix}'; use .json, .yaml, .toml or .csv")
    except InputError:
        raise
    except Exception as exc:  # any parser's error is the user's file being wrong
        raise InputError(Issue(f"cannot read the mapping file: {str(exc)[:200]}", source=path.name,
                               field=argument)) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                             for k, v in data.items()):
        raise InputError(Issue('expected {"field": "column", ...} with text values', source=path.name,
                               field=argument))
    return {k.strip(): v.strip() for k, v in data.items()}


def combine(map_text: str | None = None, map_file: str | None = None) -> dict[str, str]:
    """The mapping from a file and ``--map`` (``--map`` wins for a field given in both)."""
    out = read_map_file(map_file) if map_file else {}
    out.update(parse_map(map_text))
    return out


#: what lives outside the layer's fields but may be mapped too (coordinates of tables)
GEOMETRY_FIELDS = ("lon", "lat", "wkt")


def plan(spec: model.LayerSpec, columns, mapping: dict[str, str] | None = None, *,
         geometry_name: str | None = None, source: str | None = None) -> ColumnPlan:
    """Decide which file column gives which field; InputError for a mapping that names an
    unknown field or a column the file does not have, or two columns claiming one field."""
    mapping = dict(mapping or {})
    columns = [str(c) for c in columns if str(c) != str(geometry_name)]
    fields = [f for f in spec.fields if not f.computed]
    names = [f.name for f in fields]
    issues = []
    result = ColumnPlan()
    taken: dict[str, str] = {}  # field -> column
    for fld, col in mapping.items():
        if fld in GEOMETRY_FIELDS:
            continue  # used while reading the table's coordinates
        if fld not in names:
            issues.append(Issue(f"--map names '{fld}', which is not a field of layer '{spec.name}'; fields: "
                                f"{', '.join(names)}", source=source, field="--map"))
        elif col not in columns:
            issues.append(Issue(f"--map {fld}={col}: the file has no column '{col}'; its columns: "
                                f"{', '.join(columns[:40])}", source=source, field="--map"))
        else:
            taken[fld] = col
            result.mapped.append((col, fld, "--map"))
    if issues:
        raise InputError(issues)
    used = set(taken.values())
    by_norm = {_norm(n): n for n in names}
    by_zh = {f.zh: f.name for f in fields if f.zh}
    by_alias = {_norm(a): fld for fld, aliases in ALIASES.items() if fld in names for a in aliases}
    claims: dict[str, list[tuple[str, str]]] = {}
    for col in columns:
        if col in used:
            continue
        if col in names:
            claims.setdefault(col, []).append((col, "exact"))
            continue
        key = _norm(col)
        if key in by_norm:
            claims.setdefault(by_norm[key], []).append((col, "case"))
        elif col.strip() in by_zh:
            claims.setdefault(by_zh[col.strip()], []).append((col, "中文名"))
        elif len(col) == 10 and sum(n.startswith(col) for n in names) == 1:
            claims.setdefault(next(n for n in names if n.startswith(col)), []).append((col, "shapefile"))
        elif key in by_alias:
            claims.setdefault(by_alias[key], []).append((col, "alias"))
    for fld, cands in claims.items():
        if fld in taken:
            continue  # the user's --map decides; the other column stays an extra column
        exact = [c for c in cands if c[1] == "exact"]
        if exact:
            cands = exact
        if len(cands) > 1:
            issues.append(Issue(f"columns {', '.join(repr(c) for c, _ in cands)} could each be field '{fld}'; "
                                f"choose one with --map {fld}=<column>", source=source, field="--map"))
            continue
        col, how = cands[0]
        taken[fld] = col
        if how != "exact":
            result.mapped.append((col, fld, how))
    if issues:
        raise InputError(issues)
    result.rename = {col: fld for fld, col in taken.items() if col != fld}
    return result


def apply(spec: model.LayerSpec, frame: pd.DataFrame, mapping: dict[str, str] | None = None,
          source: str | None = None) -> tuple[pd.DataFrame, ColumnPlan]:
    """Rename ``frame``'s columns to field names by :func:`plan` (attrs kept)."""
    geometry_name = getattr(frame, "_geometry_column_name", None) if hasattr(frame, "geometry") else None
    result = plan(spec, frame.columns, mapping, geometry_name=geometry_name,
                  source=source or frame.attrs.get("source"))
    if not result.rename:
        return frame, result
    attrs = dict(frame.attrs)
    # a column renamed onto a field name that the file also holds would collide: that column is
    # an extra column, so give it a free name first
    clash = {c: f"{c} (原列 original)" for c in frame.columns
             if c in result.rename.values() and c not in result.rename}
    out = frame.rename(columns={**clash, **result.rename})
    out.attrs.update(attrs)
    return out, result
