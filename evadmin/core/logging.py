"""A logging filter that scrubs credentials from every record before it is written."""

import logging
import re

from django.conf import settings

_BEARER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?|bearer\s+|access_token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"
)


def _secret_values() -> list[str]:
    values = [settings.EVADMIN_API_CLIENT_SECRET, settings.EVADMIN_API_TOKEN]
    return [value for value in values if value and len(value) >= 6]


def redact(text: str) -> str:
    """Replace known secrets and anything that looks like a bearer token with a marker."""
    for secret in _secret_values():
        text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
