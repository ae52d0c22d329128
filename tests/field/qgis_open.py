"""Open a field package's project in QGIS itself, headless, and say what QGIS sees (JSON on
stdout): each layer's validity, provider, feature count, field aliases, editor widget types and
their configuration (value maps, the attachment widget's storage). Run with the Python that
has PyQGIS (Debian's ``python3-qgis``), ``QT_QPA_PLATFORM=offscreen``:

    /usr/bin/python3 tests/field/qgis_open.py PACKAGE/inspection.qgs
"""
import json
import sys

from qgis.core import QgsApplication, QgsProject


def _plain(value):
    """A widget configuration as JSON (QGIS hands value maps as lists of one-entry dicts)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def main(path: str) -> None:
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    read = project.read(path)
    out = {"read": bool(read), "title": project.title(), "layers": {}}
    for layer in project.mapLayers().values():
        fields = layer.fields() if hasattr(layer, "fields") else []
        out["layers"][layer.name()] = {
            "valid": layer.isValid(), "provider": layer.providerType(), "source": layer.source(),
            "features": layer.featureCount() if hasattr(layer, "featureCount") else None,
            "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(fields)},
            "widgets": {f.name(): [layer.editorWidgetSetup(i).type(), _plain(layer.editorWidgetSetup(i).config())]
                        for i, f in enumerate(fields)},
        }
    print(json.dumps(out, ensure_ascii=False))
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1])
