"""The store: the only door to the platform's data (a GeoPackage file by default, PostgreSQL +
PostGIS for many users, chosen by :func:`open_store`'s location)."""
from .core import Store, backend_for, create_store, location_name, open_store, store_exists
from .transaction import Transaction
from .migrations import LATEST as SCHEMA_VERSION

__all__ = ["Store", "Transaction", "open_store", "create_store", "store_exists", "location_name", "backend_for",
           "SCHEMA_VERSION"]
