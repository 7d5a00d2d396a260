"""Session limits beyond Django's idle expiry (SESSION_COOKIE_AGE, renewed on every request).

- A maximum lifetime: a session ends EVADMIN_SESSION_MAX_HOURS after sign-in, however active.
  The sign-in time is stored in the session itself; SessionLifetimeMiddleware checks it.
- Deactivating a staff member ends all their sessions at once. Session engines cannot find
  sessions by user, so each sign-in records its session key in StaffSession.
"""

from contextvars import ContextVar
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from evadmin.staff.models import StaffSession
from evadmin.staff.staff_signals import staff_session_expired

SIGNED_IN_AT_KEY = "evadmin_signed_in_at"  # POSIX seconds, as the session serialiser keeps JSON

# The request being served, so a staff member deactivated in a view (Django admin) is recorded
# with the admin who did it; None outside a request (a management command, a shell).
_current_request: ContextVar[HttpRequest | None] = ContextVar("evadmin_accounts_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def session_max_age() -> timedelta:
    return timedelta(hours=settings.EVADMIN_SESSION_MAX_HOURS)


def _session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def staff_session_start(*, request: HttpRequest, user) -> None:
    """At sign-in: stamp the session with the time and record its key against the user."""
    now = timezone.now()
    request.session[SIGNED_IN_AT_KEY] = now.timestamp()
    if request.session.session_key is None:  # engines that create the key lazily
        request.session.save()
    # Rows older than the maximum lifetime belong to sessions that can no longer be used.
    StaffSession.objects.filter(user=user, signed_in_at__lt=now - session_max_age()).delete()
    StaffSession.objects.create(user=user, session_key=request.session.session_key, signed_in_at=now)


def staff_session_forget(*, session_key: str | None) -> None:
    if session_key:
        StaffSession.objects.filter(session_key=session_key).delete()


def staff_sessions_end(*, user) -> int:
    """Delete every session `user` signed in with; returns how many were recorded."""
    store_class = _session_store_class()
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    StaffSession.objects.filter(user=user).delete()
    return len(keys)


def session_signed_in_at(session) -> datetime | None:
    stamp = session.get(SIGNED_IN_AT_KEY)
    if not isinstance(stamp, int | float):
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.get_current_timezone())


def session_outlived(session, *, now: datetime | None = None) -> bool:
    """Whether a signed-in session is past its maximum lifetime (or has no sign-in time: fail closed)."""
    signed_in_at = session_signed_in_at(session)
    return signed_in_at is None or (now or timezone.now()) - signed_in_at >= session_max_age()


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        # As permissions.py does: a 302 would swap the sign-in page into a fragment's target.
        response = redirect_to_login(request.htmx.current_url_abs_path or request.get_full_path())
        return HttpResponseClientRedirect(response.url)
    return redirect_to_login(request.get_full_path())


class SessionLifetimeMiddleware:
    """Signs out a session older than EVADMIN_SESSION_MAX_HOURS and sends the browser to sign in.

    Sits after the authentication and message middleware. Not logout(): that would record an
    ordinary sign-out, and the trail should say the session expired.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_outlived(request.session):
            return self._end(request)
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    def _end(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        signed_in_at = session_signed_in_at(request.session)
        staff_session_expired.send(sender=type(self), request=request, user=user, signed_in_at=signed_in_at)
        staff_session_forget(session_key=request.session.session_key)
        request.session.flush()
        request.user = AnonymousUser()
        hours = f"{settings.EVADMIN_SESSION_MAX_HOURS:g}"
        messages.info(request, f"Your session ended {hours} hours after you signed in. Please sign in again.")
        return _to_sign_in(request)
