"""The building blocks of the data model: a layer's fields (:class:`Field`) and the layer itself
(:class:`LayerSpec`), read by validation, the store's tables and the exports."""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from enum import StrEnum
from typing import Any, Literal

from ..vocab import label

Kind = Literal["str", "float", "int", "date", "datetime", "bool", "enum", "list", "json", "blob"]
GeometryRule = Literal["polygon", "polygon_or_point"]


@dataclass(frozen=True)
class Field:
    """One column of a layer.

    ``computed`` fields are filled by the platform (an input that carries them is overwritten);
    ``choices`` holds the allowed values of an ``enum`` or of each item of a ``list``.
    """

    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    computed: bool = False
    unit: str | None = None
    zh: str = ""
    #: ``min`` is a strict bound (value > min), e.g. a capacity must be positive
    min_exclusive: bool = False
    #: longest text accepted (characters); None -> the validator's default for ids / text
    max_len: int | None = None
    #: a date that cannot lie after today (``config.today()``): something that happened or was measured
    past: bool = False

    @property
    def sql_type(self) -> str:
        return {
            "str": "TEXT", "enum": "TEXT", "list": "TEXT", "json": "TEXT",
            "float": "REAL", "int": "INTEGER", "bool": "BOOLEAN",
            "date": "DATE", "datetime": "DATETIME", "blob": "BLOB",
        }[self.kind]


def enum_values(e: type[StrEnum]) -> tuple[str, ...]:
    """The codes of a vocabulary enum, in order: the ``choices`` of its field."""
    return tuple(m.value for m in e)


@dataclass(frozen=True)
class LayerSpec:
    """A store layer: its columns, its key, and its geometry rule (None for plain tables)."""

    name: str
    fields: tuple[Field, ...]
    key: str | None = None  # natural primary key; None -> integer ``fid`` only
    geometry: GeometryRule | None = None
    importable: bool = False
    unique: tuple[tuple[str, ...], ...] = dc_field(default_factory=tuple)
    #: (field, layer) pairs: the field must hold a key of that layer (checked on import)
    refs: tuple[tuple[str, str], ...] = ()
    #: (earlier, later) date fields: the later may not precede the earlier in a row
    date_order: tuple[tuple[str, str], ...] = ()
    #: the layer's Chinese name; by default the layer vocabulary's (``restoration.vocab.layers``)
    zh: str = ""

    def __post_init__(self):
        if not self.zh:
            object.__setattr__(self, "zh", label("layer", self.name, "zh"))

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


#: the JSON column that keeps, per row, the columns of an imported file that are not fields of the
#: layer, so nothing the user had is lost and exports show it (``--extra ignore`` drops them
#: instead, with a notice)
ATTRIBUTES_FIELD = Field("attributes", "json", max_len=65536, zh="其他属性")
#: layers whose imports keep extra columns in ``attributes``
ATTRIBUTE_LAYERS = ("sites", "bank_projects", "cases", "counties", "watersheds")
