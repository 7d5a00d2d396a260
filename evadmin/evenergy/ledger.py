"""The ledger: every request evadmin sends to the API, with what spent it, for /api-budget/.

The client writes one row per request as its answer arrives (or fails to). A row that cannot be
written (the database is down) is logged and skipped: the ledger must never fail a request.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from evadmin.evenergy.attribution import current_request_id, current_source
from evadmin.evenergy.models import ApiRequestRecord

logger = logging.getLogger(__name__)

_ID_IN_PATH = re.compile(r"[a-z]{4}[0-9A-Z]{26}")


def operation_of(method: str, path: str) -> str:
    """ "GET /users/user01H…" -> "GET /users/{id}": one name per kind of request."""
    return f"{method} {_ID_IN_PATH.sub('{id}', path)}"[:200]


def ledger_record(*, method: str, path: str, sent_at: datetime, status: int | None, duration_ms: float) -> None:
    source = current_source()
    try:
        ApiRequestRecord.objects.create(
            sent_at=sent_at, method=method, operation=operation_of(method, path), status=status,
            duration_ms=round(duration_ms), source_kind=source.kind, source_label=source.label[:200],
            page=source.page[:200], request_id=current_request_id()[:128],
        )
    except DatabaseError:
        logger.warning("could not write the API ledger for %s %s", method, path, exc_info=True)


def ledger_purge(*, now: datetime | None = None) -> int:
    """Delete ledger rows older than EVADMIN_API_LEDGER_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVADMIN_API_LEDGER_DAYS)
    deleted, _ = ApiRequestRecord.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
