"""Audit action names, `<entity>.<verb>`, so the trail can be filtered by entity."""

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
SIGN_OUT = "auth.sign_out"
AUDIT_EXPORT = "audit.export"
USER_CREATE = "user.create"
USER_UPDATE = "user.update"
USER_CLEAR_ADDRESS = "user.clear_address"

# Offered in the trail's action filter even before any event of that kind exists.
KNOWN_ACTIONS = (
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
    AUDIT_EXPORT,
    USER_CREATE,
    USER_UPDATE,
    USER_CLEAR_ADDRESS,
)
