"""Audit action names, `<entity>.<verb>`, so the trail can be filtered by entity."""

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
SIGN_OUT = "auth.sign_out"
AUDIT_EXPORT = "audit.export"
USER_CREATE = "user.create"
USER_UPDATE = "user.update"
USER_CLEAR_ADDRESS = "user.clear_address"
AUDIT_REPORT_RUN = "audit_report.run"
AUDIT_REPORT_EXPORT = "audit_report.export"
DIRECTORY_EXPORT_LOCATIONS = "directory.export_locations"
# A large locations export, prepared in the background: asked for, then its file taken.
DIRECTORY_EXPORT_LOCATIONS_REQUEST = "directory.export_locations_request"
DIRECTORY_EXPORT_LOCATIONS_DOWNLOAD = "directory.export_locations_download"
BULK_JOB_UPLOAD = "bulk_job.upload"
BULK_JOB_SUBMIT = "bulk_job.submit"
BULK_JOB_APPROVE = "bulk_job.approve"
BULK_JOB_PURGE = "bulk_job.purge"
BULK_JOB_CONTROL = "bulk_job.control"
BULK_ROW_CREATE = "bulk_row.create"
BULK_ROW_UPDATE = "bulk_row.update"
SIGN_IN_LOCKED_OUT = "auth.locked_out"
SESSION_EXPIRED = "auth.session_expired"  # ended at EVADMIN_SESSION_MAX_HOURS after sign-in
STAFF_DEACTIVATE = "staff.deactivate"  # a staff member made inactive; their sessions were ended
# The fixes an agent applies to a driver (evadmin/fixes): each one a decision on record.
CHARGING_BOOST_START = "charging.boost_start"
CHARGING_BOOST_END = "charging.boost_end"
SUB_SESSION_RECALCULATE = "sub_session.recalculate"
VEHICLE_RECONNECT_LINK = "vehicle.reconnect_link"
EVSE_RECONNECT_LINK = "evse.reconnect_link"
VEHICLE_DISCONNECT = "vehicle.disconnect"
VEHICLE_UPDATE = "vehicle.update"  # smart charging on/off, charge limit
VEHICLE_ONBOARDING_LINK = "vehicle.onboarding_link"
USER_PASSWORD_RESET = "user.password_reset"
# The ticket desk (evadmin/tickets): a ticket's human category set or changed.
TICKET_RECATEGORISE = "ticket.recategorise"
PLAYBOOK_UPDATE = "playbook.update"
# A driver's rebate application submitted for review by staff (evadmin/rebates).
REBATE_SUBMIT = "rebate.submit"
# Programs (evadmin/programs): a driver joined to a program on their behalf.
PROGRAM_JOIN = "program.join"
PROGRAM_VERIFY = "program.user_verification"
# A driver's notification preferences changed by staff (evadmin/notifications).
NOTIFICATION_PREFERENCES_UPDATE = "notification_preferences.update"

# Offered in the trail's action filter even before any event of that kind exists.
KNOWN_ACTIONS = (
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
    AUDIT_EXPORT,
    USER_CREATE,
    USER_UPDATE,
    USER_CLEAR_ADDRESS,
    AUDIT_REPORT_RUN,
    AUDIT_REPORT_EXPORT,
    DIRECTORY_EXPORT_LOCATIONS,
    DIRECTORY_EXPORT_LOCATIONS_REQUEST,
    DIRECTORY_EXPORT_LOCATIONS_DOWNLOAD,
    BULK_JOB_UPLOAD,
    BULK_JOB_SUBMIT,
    BULK_JOB_APPROVE,
    BULK_JOB_PURGE,
    BULK_JOB_CONTROL,
    BULK_ROW_CREATE,
    BULK_ROW_UPDATE,
    SIGN_IN_LOCKED_OUT,
    SESSION_EXPIRED,
    STAFF_DEACTIVATE,
    CHARGING_BOOST_START,
    CHARGING_BOOST_END,
    SUB_SESSION_RECALCULATE,
    VEHICLE_RECONNECT_LINK,
    EVSE_RECONNECT_LINK,
    VEHICLE_DISCONNECT,
    VEHICLE_UPDATE,
    VEHICLE_ONBOARDING_LINK,
    USER_PASSWORD_RESET,
    TICKET_RECATEGORISE,
    PLAYBOOK_UPDATE,
    REBATE_SUBMIT,
    PROGRAM_JOIN,
    PROGRAM_VERIFY,
    NOTIFICATION_PREFERENCES_UPDATE,
)
