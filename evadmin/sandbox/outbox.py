"""The emails the sandbox would have sent, kept so their effect can be seen (GET /_sandbox/outbox).

Each is a `Record` of kind "sent_email": data holds `to`, `template` and what the message carries
(a reset link, an onboarding link). They go with the data: a re-seed empties the outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record

SENT_EMAIL, SENT_EMAIL_PREFIX = "sent_email", "mail"


def record_sent_email(*, to: str, template: str, user_id: str = "", **content) -> Record:
    return Record.objects.create(id=ids.new_id(SENT_EMAIL_PREFIX), kind=SENT_EMAIL, user_id=user_id,
                                 at=datetime.now(UTC), data={"to": to, "template": template, **content})


def sent_emails() -> list[dict]:
    """The outbox, oldest first: [{"at", "to", "template", ...}]."""
    return [{"at": record.at.isoformat().replace("+00:00", "Z"), **record.data}
            for record in Record.objects.filter(kind=SENT_EMAIL).order_by("id")]
