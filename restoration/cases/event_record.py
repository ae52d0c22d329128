"""A case event as the workflow reads it: typed, dated, with its details, who recorded it and
when; built from a stored row or a user's input by :func:`make_event`, which refuses an unknown
type (listing every known one with its Chinese label), a bad date and details that are not a JSON
object."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from ..errors import InputError, Issue
from ..messages import Label, Message
from .events import EVENT_TYPES, event_choices, event_code, event_label


def _stamp(value: Any) -> str | None:
    """A stored time stamp as ISO text to the second (None when absent)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value).replace(" ", "T")[:19]


@dataclass(frozen=True)
class Event:
    """One case event in canonical form."""

    event_type: str
    event_date: date
    details: Mapping[str, Any] = field(default_factory=dict)
    actor: str | None = None
    fid: int | None = None
    #: when it was stored (UTC, ISO); None for an event not written yet
    recorded_at: str | None = None

    def label(self, lang: str = "zh") -> str:
        return event_label(self.event_type, lang)

    def to_dict(self) -> dict:
        return {"event_type": self.event_type, "event_date": self.event_date.isoformat(),
                "details": dict(self.details), "actor": self.actor, "fid": self.fid}


def _as_date(value: Any, field_name: str, source: str | None) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise InputError(Issue(f"'{value}' is not a date (use YYYY-MM-DD)", source=source,
                               field=field_name)) from None


def make_event(raw: Mapping[str, Any] | Event, source: str | None = None) -> Event:
    """An :class:`Event` from a dict (``event_type``, ``event_date``, optional ``details``,
    ``actor``), refusing unknown types, bad dates and details that are not a JSON object."""
    if isinstance(raw, Event):
        return raw
    etype = raw.get("event_type")
    if etype not in EVENT_TYPES:
        etype = event_code(etype) or etype
    if etype not in EVENT_TYPES:
        raise InputError(Issue(unknown_type(etype), source=source, field="event_type"))
    details = raw.get("details")
    if isinstance(details, str):
        try:
            details = json.loads(details) if details.strip() else {}
        except json.JSONDecodeError as exc:
            raise InputError(Issue(f"details are not valid JSON: {exc.msg}", source=source,
                                   field="details")) from None
    if details is None or (isinstance(details, float) and math.isnan(details)):
        details = {}
    if not isinstance(details, dict):
        raise InputError(Issue("details must be a JSON object ({...})", source=source, field="details"))
    fid = raw.get("fid")
    return Event(etype, _as_date(raw.get("event_date"), "event_date", source), details,
                 raw.get("actor"), None if fid is None else int(fid), _stamp(raw.get("recorded_at")))


def _choices() -> list[Label]:
    return [Label(f"{zh}（{code}）", f"{code} ({zh} / {en})") for code, zh, en in event_choices()]


def unknown_type(value: Any) -> Message:
    """An unknown event type, with every known one by its code and its Chinese label."""
    shown = str(value)[:60].encode("unicode_escape").decode("ascii") if value is not None else ""
    return Message("event.unknown_type", {"value": shown, "choices": _choices()})


def known_types() -> Message:
    """Every event type by its code and its Chinese label (said once for a file's unknown types)."""
    return Message("event.known_types", {"choices": _choices()})
