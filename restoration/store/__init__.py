"""The store: one GeoPackage file holding every layer; the only module that touches it."""
from .core import Store, Transaction, open_store
from .migrations import LATEST as SCHEMA_VERSION

__all__ = ["Store", "Transaction", "open_store", "SCHEMA_VERSION"]
