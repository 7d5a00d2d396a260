"""Puts a broken audit chain on every page auditors and admins see, until a check passes."""

import logging

from evadmin.staff.roles import VIEW_AUDIT

logger = logging.getLogger(__name__)


def audit_chain_alarm(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(VIEW_AUDIT):
        return {}
    from evadmin.audit.models import AuditChainCheck

    try:
        latest = AuditChainCheck.objects.order_by("-checked_at", "-id").first()
    except Exception:  # the banner's own query must never take a page down (the database may be down)
        logger.warning("audit chain check state unavailable", exc_info=True)
        return {}
    return {"audit_chain_alarm": latest} if latest is not None and not latest.ok else {}
