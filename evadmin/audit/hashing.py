"""The audit chain's hash: sha256 over a canonical JSON of an event's content."""

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

# Every field that carries meaning; id is left out because it is only known after insert.
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "target_user_id",
    "before",
    "after",
    "client_ip",
    "request_id",
    "reason",
    "job_ref",
    "prev_hash",
)
LATER_FIELDS = ("ticket_ref",)


def json_normalise(value: Any) -> Any:
    """Round-trip through JSON so what we hash is exactly what the JSON column gives back
    (tuples become lists, dates and decimals become strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(event) -> str:
    content = {field: getattr(event, field) for field in HASHED_FIELDS}
    # Fields added later are hashed only when set, so every event recorded before them keeps its hash.
    for field in LATER_FIELDS:
        if getattr(event, field) is not None:
            content[field] = getattr(event, field)
    # isoformat in UTC with microseconds: what both SQLite and PostgreSQL store and return.
    content["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
