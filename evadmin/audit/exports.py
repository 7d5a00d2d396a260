"""The audit trail as CSV rows, safe to open in a spreadsheet."""

import json
from collections.abc import Iterable, Iterator

from evadmin.audit.models import AuditEvent
from evadmin.core.exports import neutralise_row

CSV_HEADER = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "target_user_id",
    "before",
    "after",
    "reason",
    "client_ip",
    "request_id",
    "job_ref",
    "ticket_ref",
    "prev_hash",
    "hash",
)


def _json_cell(value) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def audit_csv_rows(events: Iterable[AuditEvent]) -> Iterator[list]:
    yield list(CSV_HEADER)
    for event in events:
        yield neutralise_row(
            [
                event.pk,
                event.occurred_at.isoformat(),
                event.actor_username,
                event.action,
                event.target_user_id,
                _json_cell(event.before),
                _json_cell(event.after),
                event.reason,
                event.client_ip or "",
                event.request_id,
                event.job_ref or "",
                event.ticket_ref or "",
                event.prev_hash,
                event.hash,
            ]
        )
