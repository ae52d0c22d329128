"""The store: the only door to the platform's data (a GeoPackage file by default, PostgreSQL +
PostGIS for many users, chosen by :func:`open_store`'s location)."""
from .core import Store, Transaction, create_store, location_name, open_store, store_exists
from .migrations import LATEST as SCHEMA_VERSION

__all__ = ["Store", "Transaction", "open_store", "create_store", "store_exists", "location_name", "SCHEMA_VERSION"]
