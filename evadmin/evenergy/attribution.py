"""What an API request is sent on behalf of: a staff member on a page, or a job, a sync or a command.

Every request evadmin sends is put in the ledger (ledger.py) with its source, and the rate budget
(ratelimit.py) counts staff requests apart: staff go first, background work uses what they leave.
The web request's id also travels to the API as X-Request-ID, so the id a support agent quotes from
an error page finds the API's own log lines.

core's middleware sets both for each web request; each background run sets its source around its
work (`with on_behalf_of(source=Source.job(...))`); the client reads them on every call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

REQUEST_ID_HEADER = "X-Request-ID"

STAFF, JOB, SYNC, SYSTEM = "staff", "job", "sync", "system"
BACKGROUND_KINDS = (JOB, SYNC, SYSTEM)


@dataclass(frozen=True)
class Source:
    kind: str  # STAFF, JOB, SYNC or SYSTEM (a data-quality report spends through the sync it asks for)
    label: str  # the staff member's username, "bulk job 12", "directory sync 40", a command's name
    page: str = ""  # for staff: the page (its URL name) that sent the request

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF

    @classmethod
    def staff(cls, username: str, page: str) -> Source:
        return cls(STAFF, username, page)


# Outside any web request or run (a shell, a management command): said so, never left blank.
UNATTRIBUTED = Source(SYSTEM, "unattributed")

_request_id: ContextVar[str] = ContextVar("evenergy_request_id", default="")
_source: ContextVar[Source | None] = ContextVar("evenergy_source", default=None)


def current_request_id() -> str:
    """The id of the web request being served in this thread, or "" outside one (jobs, shells)."""
    return _request_id.get()


def current_source() -> Source:
    return _source.get() or UNATTRIBUTED


@contextlib.contextmanager
def on_behalf_of(*, request_id: str | None = None, source: Source | None = None) -> Iterator[None]:
    """Within the block, requests carry this request id and are counted against this source."""
    tokens = []
    if request_id is not None:
        tokens.append((_request_id, _request_id.set(request_id)))
    if source is not None:
        tokens.append((_source, _source.set(source)))
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)
