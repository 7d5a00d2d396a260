"""The audit rules: small registered functions, each finding one kind of bad account data.

A rule takes the directory's accounts (a DirectoryAccount queryset, gone accounts already left
out) and yields a `Finding` per account it flags. Narrow the queryset in the database where the
test can be written as a filter; otherwise iterate `values_list(...).iterator(chunk_size=CHUNK_SIZE)`
so 100,000 accounts never sit in memory as model instances. Adding a rule is adding one function:

    @audit_rule(name="no_tariff", title="No tariff", severity=Severity.WARNING)
    def no_tariff(accounts):
        \"\"\"The explanation staff read: what is wrong and why it matters.\"\"\"
        return findings_from(accounts.filter(has_location=True, tariff_id=""), "Location has no tariff")

in one of the modules imported at the bottom of this file.
"""

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

# Rows per database round trip when a rule iterates. 2,000 rows of a few short columns is a few
# hundred kB; larger chunks saved nothing measurable over 100,000 accounts on SQLite or PostgreSQL.
# https://docs.djangoproject.com/en/5.2/ref/models/querysets/#iterator
CHUNK_SIZE = 2000


class Severity(StrEnum):
    ERROR = "error"  # wrong for the customer or for billing: fix first
    WARNING = "warning"  # smart charging works less well than it could
    NOTICE = "notice"  # untidy data worth a look


@dataclass(frozen=True)
class Finding:
    user_id: str
    email: str
    detail: str


Check = Callable[[QuerySet], Iterable[Finding]]


@dataclass(frozen=True)
class AuditRule:
    name: str
    title: str
    severity: Severity
    explanation: str
    check: Check


_REGISTRY: dict[str, AuditRule] = {}


def audit_rule(*, name: str, title: str, severity: Severity) -> Callable[[Check], Check]:
    """Register the decorated function as a rule; its docstring is the explanation staff read."""

    def register(check: Check) -> Check:
        if name in _REGISTRY:
            raise ImproperlyConfigured(f"Two audit rules are named {name!r}")
        if not check.__doc__:
            raise ImproperlyConfigured(f"Audit rule {name!r} needs a docstring: it is the rule's explanation")
        _REGISTRY[name] = AuditRule(
            name=name, title=title, severity=Severity(severity), explanation=inspect.cleandoc(check.__doc__),
            check=check,
        )
        return check

    return register


def all_rules() -> list[AuditRule]:
    """Every registered rule, in registration order (the order reports list them in)."""
    return list(_REGISTRY.values())


def get_rule(name: str) -> AuditRule | None:
    """The rule of that name, or None for a rule an old report ran that no longer exists."""
    return _REGISTRY.get(name)


def findings_from(accounts: QuerySet, detail: str) -> Iterator[Finding]:
    """A finding with the same `detail` for every account in `accounts` (a narrowed queryset)."""
    rows = accounts.order_by().values_list("user_id", "email").iterator(chunk_size=CHUNK_SIZE)
    for user_id, email in rows:
        yield Finding(user_id=user_id, email=email, detail=detail)


# Importing a module registers its rules.
from evadmin.data_quality.rules import account, location  # noqa: E402, F401
