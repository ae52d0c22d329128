"""Plausibility bounds on input values and the quality-control flags of a monitoring value."""
from __future__ import annotations

#: Plausibility bounds on input values (not rule values: no standard sets them). They catch
#: typing and unit errors (1e400, yuan entered as fen x 10^6...) before they reach the store.
#: 10^12 yuan (1万亿元) is far above any eco-environmental damage case or project cost.
MAX_YUAN = 1e12
#: a bank project's capacity in its own unit (ha, mu, m2, tCO2e, fish fry...)
MAX_QUANTITY = 1e12
#: relative value of a replacement site's services (1.0 = same as the injured site)
MAX_RELATIVE_VALUE = 1000.0
#: longest id (site_id, case_id, ...) and longest other text, in characters
MAX_ID_LEN = 100
MAX_TEXT_LEN = 2000
MAX_NOTE_LEN = 20000
#: largest polygon accepted per layer [ha]: sites and bank projects 10^6 ha (10,000 km²);
#: counties 5 x 10^7 ha (China's largest county, Ruoqiang, is about 2 x 10^7 ha); watersheds
#: 2 x 10^8 ha (the Yangtze basin is about 1.8 x 10^8 ha). Larger areas are nearly always a wrong
#: CRS (projected metres read as degrees, lon/lat swapped).
MAX_AREA_HA = {"sites": 1e6, "bank_projects": 1e6, "counties": 5e7, "watersheds": 2e8}
#: smallest polygon accepted [ha]: 1 m² (a 1 m × 1 m vegetation quadrat). Smaller is collinear
#: points (a "polygon" with no inside) or degrees stored under a projected CRS label.
MIN_AREA_HA = 1e-4
#: smallest area / perimeter² of a polygon, in its own CRS: below this its points lie on one line
#: (float noise gives a "triangle" of three collinear points 1e-14; a strip 1 m wide and 30 km long
#: has 8e-6). Tested in the file's CRS: reprojected, the line would bend and enclose an area.
MIN_FLATNESS = 1e-9
#: dates accepted in any date field: nothing in this platform's cases, monitoring or plans lies
#: outside (a typing error such as 0000-01-01 or 9999-12-31 does)
DATE_MIN = "1900-01-01"
DATE_MAX = "2100-12-31"
#: how far outside the store's counties (their bounding box) a site or bank project may lie [km]
#: before it is refused unless ``--allow-outside`` (a neighbouring region's reference site is near)
OUTSIDE_MARGIN_KM = 50.0
#: quality-control flags of a monitoring value (``qc_flag``; several joined by ``;``): the first
#: four are set by raster ingestion; ``cloudy``, ``outside``, ``suspect``, ``invalid`` and
#: ``rejected`` keep a value out of progress and evaluation (``monitoring.series.EXCLUDED_QC``)
QC_FLAGS = ("ok", "cloudy", "subpixel", "partial", "outside", "suspect", "invalid", "rejected", "estimated",
            "below_detection")
