"""Scrubbing credentials from every log record before anything can write it.

The redaction runs when a record is created (a log record factory), not only in a handler's
filter: Celery's worker replaces the root logger's handlers with its own, pytest and any error
reporter add theirs, and each of them must see the scrubbed text too. The factory is installed
when LOGGING instantiates RedactSecretsFilter, which also stays on evadmin's own handler.
"""

import logging
import re

from django.conf import settings

_BEARER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?|bearer\s+|(?:access|refresh)_token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}&]+"
)


def _secret_values() -> list[str]:
    try:  # imported here: logging is configured before apps load, and a record may come mid-import
        from evadmin.evenergy.auth import tokens_in_use
    except ImportError:
        def tokens_in_use() -> list[str]:
            return []

    values = [settings.EVADMIN_API_CLIENT_SECRET, settings.EVADMIN_API_TOKEN, *tokens_in_use()]
    return [value for value in values if value and len(value) >= 6]


def redact(text: str) -> str:
    """Replace known secrets and anything that looks like a bearer token with a marker."""
    for secret in _secret_values():
        text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Scrub a record's message and traceback in place (idempotent)."""
    if getattr(record, "_evadmin_redacted", False):
        return record
    record._evadmin_redacted = True
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: leave it for logging's own error report
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        # Formatted now, so every handler prints this scrubbed text rather than the raw exception.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_installed = False


def install_redacting_record_factory() -> None:
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(make_record(*args, **kwargs))

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


class RedactSecretsFilter(logging.Filter):
    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install_redacting_record_factory()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)  # records made before the factory was installed, or by other factories
        return True
