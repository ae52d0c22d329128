"""The QGIS project (``.qgs``) of a field package, as QField opens it.

Every layer reads the package's GeoPackage by a relative path (``./inspection.gpkg|layername=…``,
the project's paths relative), so the folder can be carried anywhere. The ``inspections`` layer
has its form: Chinese aliases, value maps (status, the package's sites and cases by name), a
date widget, check boxes, a range for the cover and an attachment widget per photo field storing
the path relative to the project (``RelativeStorage`` 1) under ``photos/`` (QField's attachment
naming, a ``QFieldSync/attachment_naming`` expression); its ``uuid`` defaults to ``uuid()``.
Reference layers are read-only except the sites, whose attributes the import merges back.

References
----------
QGIS project file (``.qgs``) ``maplayer`` / ``fieldConfiguration`` / ``editWidget`` elements as
QGIS 3 writes them; QFieldSync layer custom properties (``QFieldSync/action``,
``QFieldSync/attachment_naming``), https://docs.qfield.org/how-to/project-setup/attachments/
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Iterable, Mapping, Sequence

from .form import FIELDS, PHOTO_FOLDER, FormField

GPKG_NAME = "inspection.gpkg"
QGIS_VERSION = "3.34.0-Prizren"

#: reference layers: name in the GeoPackage -> (Chinese name, geometry, fill colour, editable)
REFERENCE = {
    "sites": ("案件场地", "Polygon", "230,85,13", True),
    "bank_projects": ("替代修复项目", "Polygon", "49,130,189", False),
    "counties": ("县区界（离线底图）", "Polygon", "150,150,150", False),
    "watersheds": ("流域界（离线底图）", "Polygon", "107,174,214", False),
}


def _option(parent: ET.Element, kind: str, name: str | None = None, value: object = None) -> ET.Element:
    el = ET.SubElement(parent, "Option", {"type": kind})
    if name is not None:
        el.set("name", name)
    if value is not None:
        el.set("value", "true" if value is True else "false" if value is False else str(value))
    return el


def _widget(parent: ET.Element, kind: str, options: Sequence[tuple[str, str, object]] = (),
            value_map: Iterable[tuple[str, str]] = ()) -> None:
    editor = ET.SubElement(parent, "editWidget", {"type": kind})
    config = ET.SubElement(editor, "config")
    top = _option(config, "Map")
    for okind, name, value in options:
        _option(top, okind, name, value)
    pairs = list(value_map)
    if pairs:
        listing = _option(top, "List", "map")
        for label, code in pairs:
            _option(_option(listing, "Map"), "QString", label, code)


def _field_widget(parent: ET.Element, f: FormField, choices: Mapping[str, Sequence[tuple[str, str]]]) -> None:
    if f.kind == "choice" or f.name in choices:
        pairs = choices.get(f.name) or [(zh, code) for code, zh, _ in f.choices]
        _widget(parent, "ValueMap", value_map=pairs)
    elif f.kind == "date":
        _widget(parent, "DateTime", [("bool", "allow_null", False), ("bool", "calendar_popup", True),
                                     ("QString", "display_format", "yyyy-MM-dd"),
                                     ("QString", "field_format", "yyyy-MM-dd"), ("bool", "field_iso_format", False)])
    elif f.kind == "bool":
        _widget(parent, "CheckBox", [("QString", "CheckedState", ""), ("QString", "UncheckedState", "")])
    elif f.kind == "float":
        _widget(parent, "Range", [("bool", "AllowNull", True), ("double", "Min", f.min), ("double", "Max", f.max),
                                  ("int", "Precision", 1), ("double", "Step", 1), ("QString", "Style", "SpinBox")])
    elif f.kind == "photo":
        _widget(parent, "ExternalResource", [
            ("int", "DocumentViewer", 1), ("int", "DocumentViewerHeight", 0), ("int", "DocumentViewerWidth", 0),
            ("bool", "FileWidget", True), ("bool", "FileWidgetButton", True),
            ("QString", "FileWidgetFilter", "Images (*.jpg *.jpeg *.png *.webp)"),
            ("int", "RelativeStorage", 1), ("int", "StorageMode", 0)])
    elif f.name == "uuid":
        _widget(parent, "Hidden")
    else:
        _widget(parent, "TextEdit", [("bool", "IsMultiline", f.name == "findings"), ("bool", "UseHtml", False)])


def _spatialrefsys(parent: ET.Element) -> None:
    srs = ET.SubElement(parent, "spatialrefsys")
    for tag, text in (("authid", "EPSG:4326"), ("srid", "4326"), ("description", "WGS 84"),
                      ("projectionacronym", "longlat"), ("ellipsoidacronym", "EPSG:7030"), ("geographicflag", "true")):
        ET.SubElement(srs, tag).text = text


def _srs(layer: ET.Element) -> None:
    _spatialrefsys(ET.SubElement(layer, "srs"))


def _renderer(parent: ET.Element, geometry: str, colour: str) -> None:
    renderer = ET.SubElement(parent, "renderer-v2", {"type": "singleSymbol", "symbollevels": "0", "forceraster": "0"})
    symbols = ET.SubElement(renderer, "symbols")
    kind = "marker" if geometry == "Point" else "fill"
    symbol = ET.SubElement(symbols, "symbol", {"type": kind, "name": "0", "alpha": "1", "clip_to_extent": "1"})
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker" if kind == "marker" else "SimpleFill",
                                            "enabled": "1", "pass": "0", "locked": "0"})
    props = _option(layer, "Map")
    if kind == "marker":
        for name, value in (("color", f"{colour},255"), ("name", "circle"), ("size", "3")):
            _option(props, "QString", name, value)
    else:
        for name, value in (("color", f"{colour},60"), ("outline_color", f"{colour},255"), ("outline_width", "0.6"),
                            ("style", "solid")):
            _option(props, "QString", name, value)


def _maplayer(root: ET.Element, tree: ET.Element, name: str, title: str, geometry: str, colour: str,
              editable: bool, fields: Sequence[tuple[str, str]]) -> ET.Element:
    layer = ET.SubElement(root, "maplayer", {"type": "vector", "geometry": geometry, "wkbType": geometry,
                                             "readOnly": "0" if editable else "1"})
    source = f"./{GPKG_NAME}|layername={name}"
    ET.SubElement(layer, "id").text = f"{name}_layer"
    ET.SubElement(layer, "datasource").text = source
    ET.SubElement(layer, "layername").text = title
    _srs(layer)
    ET.SubElement(layer, "provider", {"encoding": "UTF-8"}).text = "ogr"
    aliases = ET.SubElement(layer, "aliases")
    for i, (field, alias) in enumerate(fields):
        ET.SubElement(aliases, "alias", {"field": field, "index": str(i), "name": alias})
    _renderer(layer, geometry, colour)
    ET.SubElement(tree, "layer-tree-layer", {"id": f"{name}_layer", "name": title, "source": source,
                                             "providerKey": "ogr", "checked": "Qt::Checked", "expanded": "1"})
    return layer


def _custom(layer: ET.Element, action: str, naming: Mapping[str, str] | None = None) -> None:
    props = _option(ET.SubElement(layer, "customproperties"), "Map")
    _option(props, "QString", "QFieldSync/action", action)
    _option(props, "QString", "QFieldSync/cloud_action", "offline" if action == "offline" else "no_action")
    _option(props, "QString", "QFieldSync/attachment_naming", json.dumps(naming or {}, ensure_ascii=False))


def project_xml(title: str, reference: Mapping[str, Sequence[tuple[str, str]]],
                choices: Mapping[str, Sequence[tuple[str, str]]], extent: Sequence[float]) -> bytes:
    """The ``.qgs`` text of a package: ``reference`` = {layer: [(field, Chinese alias), …]} for the
    reference layers present, ``choices`` = {inspection field: [(Chinese label, code), …]} for the
    value maps built from the store (sites, cases), ``extent`` the map's first view (lon/lat)."""
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION})
    ET.SubElement(root, "title").text = title
    _spatialrefsys(ET.SubElement(root, "projectCrs"))
    tree = ET.SubElement(root, "layer-tree-group")
    layers = ET.SubElement(root, "projectlayers")
    insp = _maplayer(layers, tree, "inspections", "巡查记录", "Point", "202,0,32", True,
                     [(f.name, f.zh) for f in FIELDS])
    config = ET.SubElement(insp, "fieldConfiguration")
    for f in FIELDS:
        _field_widget(ET.SubElement(config, "field", {"name": f.name, "configurationFlags": "None"}), f, choices)
    defaults = ET.SubElement(insp, "defaults")
    for f in FIELDS:
        expression = {"uuid": "uuid()", "inspection_date": "format_date(now(), 'yyyy-MM-dd')"}.get(f.name, "")
        ET.SubElement(defaults, "default", {"field": f.name, "expression": expression, "applyOnUpdate": "0"})
    constraints = ET.SubElement(insp, "constraints")
    for f in FIELDS:
        ET.SubElement(constraints, "constraint", {"field": f.name, "constraints": "1" if f.required else "0",
                                                  "notnull_strength": "1" if f.required else "0",
                                                  "unique_strength": "1" if f.name == "uuid" else "0",
                                                  "exp_strength": "0"})
    ET.SubElement(insp, "editorlayout").text = "generatedlayout"
    naming = {f.name: f"'{PHOTO_FOLDER}/' || format_date(now(),'yyyyMMddhhmmsszzz') || '_{f.name}.{{extension}}'"
              for f in FIELDS if f.kind == "photo"}
    _custom(insp, "offline", naming)
    for name, fields in reference.items():
        title_zh, geometry, colour, editable = REFERENCE[name]
        _custom(_maplayer(layers, tree, name, title_zh, geometry, colour, editable, fields),
                "offline" if editable else "copy")
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas"})
    ET.SubElement(canvas, "units").text = "degrees"
    box = ET.SubElement(canvas, "extent")
    for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), extent):
        ET.SubElement(box, tag).text = repr(float(value))
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    ET.indent(root)
    return b"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="utf-8")
