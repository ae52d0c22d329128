"""``equivalence`` stays pure calculation: no GIS, no platform, no plotting on import."""
from __future__ import annotations

import json
import sys


def test_import_pulls_in_no_gis_platform_or_matplotlib(processes):
    code = ("import sys, json, equivalence; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'restoration', 'geopandas', 'shapely', 'rasterio', 'pyogrio', 'pyproj', 'xarray', 'matplotlib', 'scipy'})))")
    out = processes.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_version_is_exposed():
    import equivalence
    from importlib.metadata import version
    assert equivalence.__version__ == version("restoration-platform")
