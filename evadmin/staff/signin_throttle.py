"""Sign-in lockout: django-axes' database handler with a second, higher limit per IP address.

settings.AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]. Axes applies one
failure limit to every group; here the username+IP pair gets EVADMIN_SIGNIN_MAX_FAILURES and the
IP as a whole EVADMIN_SIGNIN_MAX_FAILURES_PER_IP, so one person's typos lock out only that person
on that address, while an address spraying many usernames is stopped too.
"""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

_USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username axes records (settings.AXES_USERNAME_CALLABLE), cut to fit its column.

    Django's sign-in forms refuse over-long usernames, but authenticate() called with one would
    otherwise fail on PostgreSQL (value too long) instead of counting as a failure.
    """
    username = credentials.get("username") if credentials else request.POST.get("username")
    return None if username is None else str(username)[:_USERNAME_MAX_LENGTH]


def _failures(attempts: QuerySet) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _limits() -> tuple[int, int]:
    """(per username+IP, per IP); the first is what axes itself compares with (EVADMIN_SIGNIN_MAX_FAILURES)."""
    return settings.AXES_FAILURE_LIMIT, settings.EVADMIN_SIGNIN_MAX_FAILURES_PER_IP


class SignInThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes compares this number with AXES_FAILURE_LIMIT (the per-person limit): an IP over
        # its own limit reports the per-person limit, which locks it out whatever the username.
        pair_attempts, ip_attempts = self.get_user_attempts(request, credentials)
        pair_limit, ip_limit = _limits()
        pair_failures = _failures(pair_attempts)
        if _failures(ip_attempts) >= ip_limit:
            return max(pair_failures, pair_limit)
        return pair_failures

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # After a successful sign-in forget only this person's failures from this address: one valid
        # account must not wipe the address's count of failures against everyone else.
        pair_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair_attempts.delete()
        return count

    def lockout_ends_at(self, request: HttpRequest, credentials: dict | None = None) -> datetime | None:
        """When this request's username+IP (or its IP) may try again, or None if not locked out.

        Each stored attempt row counts until its last failure is a cool-off old, so the lockout
        ends once enough of the oldest rows have expired to bring the count under the limit.
        """
        cool_off: timedelta = get_cool_off(request)
        ends = []
        for attempts, limit in zip(self.get_user_attempts(request, credentials), _limits(), strict=True):
            rows = attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start")
            remaining = sum(failures for _, failures in rows)
            if remaining < limit:
                continue
            for attempt_time, failures in rows:  # oldest first
                remaining -= failures
                if remaining < limit:
                    ends.append(attempt_time + cool_off)
                    break
        return max(ends) if ends else None
