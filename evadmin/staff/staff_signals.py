"""What happens to staff sessions and accounts that the audit trail records (evadmin/audit/signals.py
receives these): sent here, so staff accounts never import the trail that depends on their permissions."""

from django.dispatch import Signal

# A session ended EVADMIN_SESSION_MAX_HOURS after sign-in: sender=SessionLifetimeMiddleware,
# request, user, signed_in_at (a datetime or None).
staff_session_expired = Signal()
# A staff member was made inactive and signed out everywhere: sender=the user model, request (or
# None outside one), staff_member, sessions_ended.
staff_member_deactivated = Signal()
