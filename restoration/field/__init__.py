"""Offline field inspection: a case's sites out to QField as a package, inspections and photos
back in as case records and evidence, reference edits merged three-way with a review queue.

``export_package`` (:mod:`.package`), ``import_package`` (:mod:`.importer`), ``conflicts`` and
``resolve`` (:mod:`.conflicts`), the photos as evidence and their publication (:mod:`.evidence`:
``set_public``, ``public_photos``, ``thumbnails``); the form is :mod:`.form`, the QGIS project :mod:`.project`, the
photo checks :mod:`.photos`, the merge :mod:`.merge`.
"""
from .conflicts import conflicts, resolve
from .evidence import photo, photo_data, photo_rows, public_photos, set_public, thumbnails
from .form import FIELDS, MERGED_FIELDS, PHOTO_FIELDS
from .importer import ImportReport, import_package
from .package import Exported, export_package

__all__ = ["FIELDS", "MERGED_FIELDS", "PHOTO_FIELDS", "Exported", "ImportReport", "conflicts", "export_package",
           "import_package", "photo", "photo_data", "photo_rows", "public_photos", "resolve", "set_public",
           "thumbnails"]
