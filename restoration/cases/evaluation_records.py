"""Checks for the records around an effect evaluation: the evaluation plan (修复效果评估方案) and
the public-satisfaction survey (公众满意度调查).

The plan (``effect_evaluation_plan``: units, sampling points, timing, long-term monitoring; its
format is :mod:`restoration.monitoring.evaluation_plan`'s) follows the start of the restoration
and may be recorded again (the latest decides; a supplementary restoration often revises it).
The survey (``public_satisfaction``) follows the restoration's completion and states how many
were asked and how many were satisfied; neither seed sets a threshold of satisfaction, so none is
applied (the report shows the rate).
"""
from __future__ import annotations

from ..errors import InputError
from ..messages import Message
from ..monitoring.evaluation_plan import PLAN_EVENT, SATISFACTION_EVENT, parse_plan
from .check_context import Check, CheckContext, require_text

#: the largest survey the platform records (a typing error beyond, not a rule)
MAX_RESPONDENTS = 10_000_000


def _plan(c: CheckContext) -> Message | None:
    need = c.need("restoration_started")
    if need:
        return need
    try:
        parse_plan(c.details, source="details")
    except InputError as e:
        return c.refuse("event.plan_invalid", problems="; ".join(str(i) for i in e.issues[:10]))
    return None


def _count(v) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 0 <= v <= MAX_RESPONDENTS:
        return None
    return int(v)


def _satisfaction(c: CheckContext) -> Message | None:
    need = c.need("restoration_completed") or require_text(c, "method")
    if need:
        return need
    asked, satisfied = _count(c.details.get("respondents")), _count(c.details.get("satisfied"))
    if asked is None or satisfied is None or asked == 0 or satisfied > asked:
        return c.refuse("event.satisfaction_counts", respondents=repr(c.details.get("respondents")),
                        satisfied=repr(c.details.get("satisfied")))
    return None


#: event type → its check
EVALUATION_RECORD_CHECKS: dict[str, Check] = {PLAN_EVENT: _plan, SATISFACTION_EVENT: _satisfaction}

__all__ = ["EVALUATION_RECORD_CHECKS", "MAX_RESPONDENTS"]
