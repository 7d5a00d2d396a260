"""Record sign-in, failed sign-in, lockout, sign-out, session expiry and deactivation in the audit trail."""

from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.staff.staff_signals import staff_member_deactivated, staff_session_expired

_MAX_ATTEMPTED_USERNAME = 150


@receiver(user_logged_in, dispatch_uid="evadmin.audit.sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=actions.SIGN_IN, request=request)


@receiver(user_login_failed, dispatch_uid="evadmin.audit.sign_in_failed")
def record_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username typed: the password, even wrong, must never reach the trail.
    # No actor either, since nobody is signed in (the username may not even exist).
    attempted = str(credentials.get("username", ""))[:_MAX_ATTEMPTED_USERNAME]
    after = {"attempted_username": attempted}
    if _refused_while_locked_out(request):
        after["refused"] = "locked out"  # the password was not even checked
    audit_record(actor=None, action=actions.SIGN_IN_FAILED, after=after, request=request)
    if request is not None:
        request.evadmin_sign_in_failure_recorded = True
        lockout = getattr(request, "evadmin_pending_lockout", None)
        if lockout is not None:
            audit_record(actor=None, action=actions.SIGN_IN_LOCKED_OUT, after=lockout, request=request)


def _refused_while_locked_out(request) -> bool:
    # AxesStandaloneBackend flags a request it refused before any password check; axes' handler
    # counts failures only for attempts that were checked (settings: no reset of the cool-off
    # during a lockout), so a refused attempt is flagged and has no count, in either signal order.
    return bool(getattr(request, "axes_locked_out", False)) and getattr(request, "axes_failures_since_start", None) is None


@receiver(user_locked_out, dispatch_uid="evadmin.audit.locked_out")
def record_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # Axes sends this for the failure that reaches the limit and again for each attempt refused
    # during the lockout; those are already sign_in_failed events marked "refused".
    if request is None or _refused_while_locked_out(request):
        return
    ends_at = AxesProxyHandler.get_implementation().lockout_ends_at(request, getattr(request, "axes_credentials", None))
    lockout = {
        "attempted_username": str(username or "")[:_MAX_ATTEMPTED_USERNAME],
        "locked_until": ends_at.isoformat() if ends_at else None,
    }
    # Axes' own user_login_failed receiver sends this, and it is connected before ours (axes.admin
    # imports it first): wait for the failed attempt to be recorded so the trail reads in order.
    if getattr(request, "evadmin_sign_in_failure_recorded", False):
        audit_record(actor=None, action=actions.SIGN_IN_LOCKED_OUT, after=lockout, request=request)
    else:
        request.evadmin_pending_lockout = lockout


@receiver(user_logged_out, dispatch_uid="evadmin.audit.sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # signing out when not signed in is a no-op
        audit_record(actor=user, action=actions.SIGN_OUT, request=request)


@receiver(staff_session_expired, dispatch_uid="evadmin.audit.session_expired")
def record_session_expired(sender, request, user, signed_in_at, **kwargs) -> None:
    audit_record(
        actor=user, action=actions.SESSION_EXPIRED, request=request,
        after={"signed_in_at": signed_in_at.isoformat() if signed_in_at else None,
               "max_hours": settings.EVADMIN_SESSION_MAX_HOURS},
    )


@receiver(staff_member_deactivated, dispatch_uid="evadmin.audit.staff_deactivated")
def record_staff_deactivated(sender, request, staff_member, sessions_ended, **kwargs) -> None:
    audit_record(
        actor=getattr(request, "user", None), action=actions.STAFF_DEACTIVATE, request=request,
        before={"staff_member": staff_member.get_username(), "is_active": True},
        after={"staff_member": staff_member.get_username(), "is_active": False, "sessions_ended": sessions_ended},
    )

