"""A vocabulary: codes with a Chinese and an English label, and the registry of all of them.

Every bilingual vocabulary of the platform (stages, case classes, event types, staff roles,
statuses, units, indicators …) is a :class:`Vocabulary` registered under its *kind*; a message's
:class:`~restoration.messages.Term` names a kind and a code, and :func:`label` words it. Nothing
here imports from the rest of the platform: every other module may import it.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Callable, Iterator, Mapping

__all__ = ["Vocabulary", "Labelled", "REGISTRY", "register", "labelled", "vocabulary", "label", "pair"]


class Vocabulary:
    """Codes → (中文, English) labels of one kind.

    ``canonical`` maps a spelling (an alias, a Chinese name) to its code before the look-up;
    ``missing`` words a code the vocabulary lacks (default: the code itself). ``labels`` is kept
    by reference, so a registry that grows (custom indicators) stays one vocabulary.
    """

    def __init__(self, kind: str, labels: Mapping[str, tuple[str, str]], *,
                 canonical: Callable[[str], str | None] | None = None,
                 missing: Callable[[str, str], str] | None = None):
        self.kind = kind
        self.labels = labels
        self._canonical = canonical
        self._missing = missing

    def code(self, text: object) -> str | None:
        """The code ``text`` names (itself, or what ``canonical`` maps it to), None if unknown."""
        key = str(text)
        if key in self.labels:
            return key
        return self._canonical(key) if self._canonical else None

    def pair(self, code: object) -> tuple[str, str] | None:
        """(中文, English) of ``code``, None if the vocabulary lacks it."""
        c = self.code(code)
        return self.labels.get(c) if c is not None else None

    def label(self, code: object, lang: str = "zh") -> str:
        """The label of ``code`` in ``lang``; a code the vocabulary lacks as ``missing`` words it."""
        p = self.pair(code)
        if p is None:
            return self._missing(str(code), lang) if self._missing else str(code)
        return p[0] if lang == "zh" else p[1]

    def __contains__(self, code: object) -> bool:
        return self.code(code) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"Vocabulary({self.kind!r}, {len(self.labels)} codes)"


#: kind → vocabulary
REGISTRY: dict[str, Vocabulary] = {}


def register(vocab: Vocabulary) -> Vocabulary:
    """Add ``vocab`` to the registry under its kind (a kind is registered once)."""
    if vocab.kind in REGISTRY and REGISTRY[vocab.kind] is not vocab:
        raise ValueError(f"vocabulary '{vocab.kind}' is already registered")
    REGISTRY[vocab.kind] = vocab
    return vocab


def vocabulary(kind: str) -> Vocabulary:
    """The vocabulary of ``kind`` (KeyError naming the known kinds otherwise)."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise KeyError(f"no vocabulary '{kind}'; known: {', '.join(sorted(REGISTRY))}") from None


def label(kind: str, code: object, lang: str = "zh") -> str:
    """``code`` of vocabulary ``kind`` in ``lang``; the code itself for an unknown kind or code."""
    vocab = REGISTRY.get(kind)
    return vocab.label(code, lang) if vocab is not None else str(code)


def pair(kind: str, code: object) -> tuple[str, str] | None:
    """(中文, English) of ``code`` of vocabulary ``kind``, None if unknown."""
    vocab = REGISTRY.get(kind)
    return vocab.pair(code) if vocab is not None else None


_ENUM_LABELS: dict[type, Mapping[str, tuple[str, str]]] = {}


class Labelled(StrEnum):
    """A vocabulary as an enum: each member carries a Chinese label (``.zh``) and an English one
    (``.en``), from the labels :func:`labelled` gave its class."""

    @property
    def zh(self) -> str:
        return _ENUM_LABELS[type(self)][self.value][0]

    @property
    def en(self) -> str:
        return _ENUM_LABELS[type(self)][self.value][1]

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def labelled(kind: str, labels: Mapping[str, tuple[str, str]]):
    """Class decorator: give a :class:`Labelled` enum its labels and register it as ``kind``."""
    def attach(cls: type[Labelled]) -> type[Labelled]:
        missing = [m.value for m in cls if m.value not in labels]
        extra = [c for c in labels if c not in {m.value for m in cls}]
        if missing or extra:
            raise ValueError(f"{cls.__name__}: labels missing for {missing}, labels without member {extra}")
        _ENUM_LABELS[cls] = labels
        register(Vocabulary(kind, labels))
        cls.vocabulary = REGISTRY[kind]  # type: ignore[attr-defined]
        return cls
    return attach
