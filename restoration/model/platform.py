"""The platform's own records: the audit log and the form submissions (one write per request id)."""
from __future__ import annotations

from .fields import Field as F, LayerSpec


AUDIT_LOG = LayerSpec(
    "audit_log",
    fields=(
        F("at", "datetime", required=True),
        F("actor", "str", required=True),
        F("action", "str", required=True),
        F("layer", "str", required=True),
        F("record_id", "str"),
        F("before", "json"),
        F("after", "json"),
    ),
)

# Submissions: the request id of every form write, recorded (unique) in the same
# transaction as the write, with its result; the same request again returns that result and writes
# nothing (a double submit, a retried request, another browser session replaying it).
SUBMISSIONS = LayerSpec(
    "submissions", key="request_id",
    fields=(
        F("request_id", "str", required=True),
        F("action", "str", required=True),
        F("actor", "str"),
        F("at", "datetime", required=True),
        F("result", "json"),
    ),
)
