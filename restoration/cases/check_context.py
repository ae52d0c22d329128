"""What an event check is given, and the small refusals every check words the same way.

An event check is a function ``check(c: CheckContext) -> Message | None``: why the event may not
happen now (a :class:`~restoration.messages.Message`, citing the rule where there is one), or
None. The table of checks by event type is :data:`restoration.cases.event_checks.EVENT_CHECKS`;
:func:`restoration.cases.workflow.check_event` runs the checks every event shares first (dates,
an ended case, an event recorded once), then the event type's own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..messages import TEMPLATES, Label, Message, Term
from ..profiles.profile import Profile
from .event_record import Event


@dataclass(frozen=True)
class CheckContext:
    """One event to check: the replay state before it (:class:`restoration.cases.workflow.State`),
    the event, the case, its rule profile and how messages name the event (``where``)."""

    state: Any
    ev: Event
    case: Mapping[str, Any]
    profile: Profile
    where: Mapping[str, Any]

    @property
    def details(self) -> Mapping[str, Any]:
        return self.ev.details

    def need(self, *types: str, what: str | None = None) -> Message | None:
        """None when any of ``types`` happened before (or is presumed by a takeover); else the
        refusal naming them (with why, ``what``: a message code or a text)."""
        if self.state.has(*types):
            return None
        needed = [Term("event", x) for x in types]
        if what:
            why = Message(what) if what in TEMPLATES else what
            return Message("event.requires_because", {**self.where, "needed": needed, "why": why})
        return Message("event.requires", {**self.where, "needed": needed})

    def refuse(self, code: str, **params: Any) -> Message:
        """The message ``code`` about this event, with ``params``."""
        return Message(code, {**self.where, **params})

    def advisory_refuse(self, basis: Any, code: str, **params: Any) -> Message | None:
        """A refusal resting on ``basis`` (a rule, list or item of the profile). When the basis
        is advisory (a draft or unverified value, docs/cases.md's policy) the refusal says so,
        and an event carrying ``details.advisory_override = {"reason", "document"}`` proceeds
        (only a role with ``case.correct`` may record it; audited with the event)."""
        kind = self.profile.advisory(basis)
        if kind is None:
            return self.refuse(code, **params)
        over = self.details.get(ADVISORY_OVERRIDE)
        if isinstance(over, Mapping) and str(over.get("reason") or "").strip():
            return None
        return Message("event.advisory_refusal", {**self.where, "problem": self.refuse(code, **params),
                                                  "kind": Term("advisory", kind)})


#: the details key of an override of a refusal resting on a draft or unverified value
ADVISORY_OVERRIDE = "advisory_override"

#: a check: why the event may not happen now, or None
Check = Callable[[CheckContext], "Message | None"]


def text(details: Mapping[str, Any], key: str) -> str:
    """A detail as stripped text ('' when absent)."""
    v = details.get(key)
    return str(v).strip() if v is not None else ""


def missing(c: CheckContext, *keys: str) -> Message:
    """The refusal for details that must be given."""
    return c.refuse("event.missing_details", fields=[Term("detail", k) for k in keys])


def require_text(c: CheckContext, *keys: str) -> Message | None:
    """None when every detail of ``keys`` is given as non-empty text, else :func:`missing`."""
    return None if all(text(c.details, k) for k in keys) else missing(c, *keys)


def choice(c: CheckContext, key: str, options: Mapping[str, tuple[str, str]]) -> Message | None:
    """The detail ``key`` must be one of ``options`` (code → (zh, en))."""
    v = c.details.get(key)
    if v in options:
        return None
    return c.refuse("event.choose_one", field=Term("detail", key), value=repr(v),
                    choices=[Label(zh, f"{k} ({en})") for k, (zh, en) in options.items()])


def _choices(options) -> list[Label]:
    return [Label(i.zh, f"{i.id} ({i.en or i.zh})") for i in options.items]


def from_list(c: CheckContext, path: str, key: str, required: bool = True) -> Message | None:
    """The detail ``key`` must come from the profile's list ``path`` when the profile has one
    (without a list: given, when ``required``)."""
    options = c.profile.list(path)
    v = c.details.get(key)
    if not options.is_set:
        return None if (v or not required) else missing(c, key)
    if v not in options:
        return c.advisory_refuse(options, "event.unknown_reason" if v is not None else "event.choose_reason",
                                 field=Term("detail", key), value=str(v), choices=_choices(options),
                                 source=options.source)
    return None


def reason_from_list(c: CheckContext, list_path: str, key: str) -> Message | None:
    """A side exit's reason must come from the profile's list ``list_path``; a profile without
    that list refuses a reason-less exit (it cannot be checked) and says so."""
    options = c.profile.list(list_path)
    value = c.details.get(key)
    if not options.is_set:
        return c.refuse("event.no_choice_list", profile=c.profile.id, list=list_path,
                        source=options.source) if value is None else None
    if value in options:
        return None
    if value is None:
        return c.advisory_refuse(options, "event.choose_reason", field=Term("detail", key), choices=_choices(options),
                                 source=options.source)
    return c.advisory_refuse(options, "event.unknown_reason", field=Term("detail", key), value=str(value),
                             choices=_choices(options), source=options.source)
