"""Record sign-in, failed sign-in and sign-out in the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from evadmin.audit import actions
from evadmin.audit.services import audit_record

_MAX_ATTEMPTED_USERNAME = 150


@receiver(user_logged_in, dispatch_uid="evadmin.audit.sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=actions.SIGN_IN, request=request)


@receiver(user_login_failed, dispatch_uid="evadmin.audit.sign_in_failed")
def record_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username typed: the password, even wrong, must never reach the trail.
    # No actor either, since nobody is signed in (the username may not even exist).
    attempted = str(credentials.get("username", ""))[:_MAX_ATTEMPTED_USERNAME]
    audit_record(actor=None, action=actions.SIGN_IN_FAILED, after={"attempted_username": attempted}, request=request)


@receiver(user_logged_out, dispatch_uid="evadmin.audit.sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # signing out when not signed in is a no-op
        audit_record(actor=user, action=actions.SIGN_OUT, request=request)
