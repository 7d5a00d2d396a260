"""Who gets what from every URL pattern: the declared table tests/core/test_authorization_matrix.py checks.

One row per URL pattern (as Django's resolver spells it), one answer per caller in CALLERS:
  ok       200
  login    a redirect to a sign-in page (/accounts/login/, or /admin/login/ for Django admin)
  redirect any other redirect
  allowed  a POST-only write the caller may make: anything but 403, login or a 5xx (its outcome
           depends on the objects' state; the view's own tests check what it does)
  403 404 405 400 ...  that status
"""

OK = "ok"
LOGIN = "login"
REDIRECT = "redirect"
ALLOWED = "allowed"
DENIED = "403"
NOT_FOUND = "404"

CALLERS = ("anonymous", "no role", "viewer", "support", "support_lead", "bulk_operator", "auditor", "admin")

# route -> (method, path with {placeholders} from the test's World, POST data). Not listed: GET the route itself.
REQUESTS: dict[str, tuple[str, str, dict | None]] = {
    "accounts/logout/": ("POST", "accounts/logout/", None),
    "audit/reports/run/": ("POST", "audit/reports/run/", None),
    "audit/reports/<int:report_id>/": ("GET", "audit/reports/{report_id}/", None),
    "audit/reports/<int:report_id>/findings.csv": ("GET", "audit/reports/{report_id}/findings.csv", None),
    "users/form/fields/<str:field_name>/": ("POST", "users/form/fields/email/", {"email": "someone@example.com"}),
    "users/<str:user_id>/": ("GET", "users/{user_id}/", None),
    # A driver's device panels: ids of the API's form that name no device (the panel says it can't be read).
    "users/<str:user_id>/devices/": ("GET", "users/{user_id}/devices/", None),
    "users/<str:user_id>/devices/vehicles/": ("GET", "users/{user_id}/devices/vehicles/", None),
    "users/<str:user_id>/devices/chargers/": ("GET", "users/{user_id}/devices/chargers/", None),
    "users/<str:user_id>/devices/evses/<str:evse_id>/connectivity/":
        ("GET", "users/{user_id}/devices/evses/evse01HSH04KDEWF6Z4DB2J77J74K5/connectivity/", None),
    "users/<str:user_id>/devices/vehicles/<str:vehicle_id>/errors/":
        ("GET", "users/{user_id}/devices/vehicles/vhcl01HSH04KDEWF6Z4DB2J77J74K5/errors/", None),
    "users/<str:user_id>/edit/": ("GET", "users/{user_id}/edit/", None),
    # No fingerprint: a permitted caller gets "someone changed this user", and nothing is cleared.
    # A driver's charging (issue 15: the Charging panel, sub-session and night pages, the log timeline).
    # No such sub-session: a permitted caller gets the API's 404.
    "users/<str:user_id>/charging/": ("GET", "users/{user_id}/charging/", None),
    "users/<str:user_id>/charging/logs/": ("GET", "users/{user_id}/charging/logs/?night=2026-01-01", None),
    "users/<str:user_id>/charging/nights/<str:night>/": ("GET", "users/{user_id}/charging/nights/2026-01-01/", None),
    "users/<str:user_id>/charging/nights/<str:night>/check/":
        ("GET", "users/{user_id}/charging/nights/2026-01-01/check/", None),
    "users/<str:user_id>/charging/<str:sub_session_id>/":
        ("GET", "users/{user_id}/charging/csub00000000000000000000000000/", None),
    # Fixes (issue 15): a real fix's page, one every apply_fixes role may open. Every fix x every role is
    # walked by tests/fixes/test_permissions.py (the major ones need apply_major_fixes).
    "users/<str:user_id>/fixes/<str:fix_name>/": ("GET", "users/{user_id}/fixes/password_reset/", None),
    "users/<str:user_id>/clear-address/": ("POST", "users/{user_id}/clear-address/", None),
    # The ticket desk (issue 16): a real ticket.
    "tickets/drivers/<str:user_id>/": ("GET", "tickets/drivers/{user_id}/", None),
    "tickets/<str:ticket_id>/": ("GET", "tickets/{ticket_id}/", None),
    "tickets/<str:ticket_id>/recategorise/": ("GET", "tickets/{ticket_id}/recategorise/", None),
    # A driver's rebates (issue 17): the panels; an application the driver does not have (a permitted caller gets 404).
    "users/<str:user_id>/rebates/": ("GET", "users/{user_id}/rebates/", None),
    "users/<str:user_id>/rebates/subscription/": ("GET", "users/{user_id}/rebates/subscription/", None),
    "users/<str:user_id>/rebates/payout-method/": ("GET", "users/{user_id}/rebates/payout-method/", None),
    "users/<str:user_id>/rebates/<str:rebate_id>/submit/":
        ("GET", "users/{user_id}/rebates/rbtu00000000000000000000000000/submit/", None),
    # A driver's energy devices (issue 17): the panels; a HEM system id that names none (the panel says it can't be read).
    "users/<str:user_id>/energy/solar-arrays/": ("GET", "users/{user_id}/energy/solar-arrays/", None),
    "users/<str:user_id>/energy/inverters/": ("GET", "users/{user_id}/energy/inverters/", None),
    "users/<str:user_id>/energy/home-batteries/": ("GET", "users/{user_id}/energy/home-batteries/", None),
    "users/<str:user_id>/energy/hem-systems/": ("GET", "users/{user_id}/energy/hem-systems/", None),
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/live-power/":
        ("GET", "users/{user_id}/energy/hem-systems/hems00000000000000000000000000/live-power/", None),
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/energy-stats/":
        ("GET", "users/{user_id}/energy/hem-systems/hems00000000000000000000000000/energy-stats/", None),
    # Notifications (issue 17): the panels, the preferences form; a notification the driver does not have (404).
    "users/<str:user_id>/notifications/": ("GET", "users/{user_id}/notifications/", None),
    "users/<str:user_id>/notifications/preferences/": ("GET", "users/{user_id}/notifications/preferences/", None),
    "users/<str:user_id>/notifications/preferences/edit/":
        ("GET", "users/{user_id}/notifications/preferences/edit/", None),
    "users/<str:user_id>/notifications/<str:notification_id>/":
        ("GET", "users/{user_id}/notifications/notf00000000000000000000000000/", None),
    # A driver's grid carbon intensity and tariff prices (issue 17): the panels.
    "users/<str:user_id>/carbon/": ("GET", "users/{user_id}/carbon/", None),
    "users/<str:user_id>/carbon/tariff-prices/": ("GET", "users/{user_id}/carbon/tariff-prices/", None),
    # Programs (issue 17): a real driver's panel.
    "programs/drivers/<str:user_id>/": ("GET", "programs/drivers/{user_id}/", None),
    "programs/drivers/<str:user_id>/<str:program_id>/join/": ("GET", "programs/drivers/{user_id}/prog01JPRG0GB10000000000000000/join/", None),
    "programs/drivers/<str:user_id>/<str:program_id>/verify/": ("GET", "programs/drivers/{user_id}/prog01JPRG0GB10000000000000000/verify/", None),
    "programs/drivers/<str:user_id>/<str:program_id>/<str:part>/": ("GET", "programs/drivers/{user_id}/prog01JPRG0GB30000000000000000/tiers/", None),
    # Playbooks (issue 16): a shipped one.
    "playbooks/<str:subcategory>/": ("GET", "playbooks/NO_CHARGE/", None),
    "playbooks/<str:subcategory>/edit/": ("GET", "playbooks/NO_CHARGE/edit/", None),
    "bulk/jobs/<int:job_id>/": ("GET", "bulk/jobs/{job_id}/", None),
    "bulk/jobs/<int:job_id>/estimate/": ("GET", "bulk/jobs/{job_id}/estimate/", None),
    "bulk/jobs/<int:job_id>/rejected.csv": ("GET", "bulk/jobs/{job_id}/rejected.csv", None),
    "bulk/jobs/<int:job_id>/file/": ("GET", "bulk/jobs/{job_id}/file/", None),
    "bulk/jobs/<int:job_id>/start/": ("POST", "bulk/jobs/{job_id}/start/", None),  # no policy chosen: refused
    "bulk/jobs/<int:job_id>/approve/": ("POST", "bulk/jobs/{job_id}/approve/", None),
    "bulk/jobs/<int:job_id>/progress/": ("GET", "bulk/jobs/{job_id}/progress/", None),
    "bulk/jobs/<int:job_id>/revert/": ("POST", "bulk/jobs/{job_id}/revert/", None),
    "bulk/jobs/<int:job_id>/results.csv": ("GET", "bulk/jobs/{job_id}/results.csv", None),
    "bulk/^jobs/(?P<job_id>[0-9]+)/(?P<action>pause|resume|cancel|retry_failed)/$":
        ("POST", "bulk/jobs/{job_id}/pause/", None),
    "directory/sync/": ("POST", "directory/sync/", {"kind": "incremental"}),
    # A large locations export, finished, requested by the World's bulk operator ("job-owner").
    "locations/exports/": ("POST", "locations/exports/", {"file_format": "csv"}),
    "locations/exports/<int:export_id>/": ("GET", "locations/exports/{export_id}/", None),
    "locations/exports/<int:export_id>/download": ("GET", "locations/exports/{export_id}/download", None),
    "admin/logout/": ("POST", "admin/logout/", None),
    "admin/r/<path:content_type_id>/<path:object_id>/": ("GET", "admin/r/{user_content_type_id}/{staff_id}/", None),
    "admin/auth/group/<path:object_id>/history/": ("GET", "admin/auth/group/{group_id}/history/", None),
    "admin/auth/group/<path:object_id>/delete/": ("GET", "admin/auth/group/{group_id}/delete/", None),
    "admin/auth/group/<path:object_id>/change/": ("GET", "admin/auth/group/{group_id}/change/", None),
    "admin/auth/group/<path:object_id>/": ("GET", "admin/auth/group/{group_id}/", None),
    "admin/auth/user/<id>/password/": ("GET", "admin/auth/user/{staff_id}/password/", None),
    "admin/auth/user/<path:object_id>/history/": ("GET", "admin/auth/user/{staff_id}/history/", None),
    "admin/auth/user/<path:object_id>/delete/": ("GET", "admin/auth/user/{staff_id}/delete/", None),
    "admin/auth/user/<path:object_id>/change/": ("GET", "admin/auth/user/{staff_id}/change/", None),
    "admin/auth/user/<path:object_id>/": ("GET", "admin/auth/user/{staff_id}/", None),
    "admin/^(?P<app_label>auth|audit|directory|axes)/$": ("GET", "admin/auth/", None),
    "admin/(?P<url>.*)$": ("GET", "admin/no-such-page/", None),
}
for _app_model, _object_id in (("audit/auditevent", "audit_event_id"), ("directory/directoryaccount", "account_id"),
                               ("directory/directorysync", "sync_id"), ("axes/accessattempt", "attempt_id"),
                               ("axes/accesslog", "access_log_id"), ("axes/accessfailurelog", "failure_log_id")):
    for _suffix in ("history/", "delete/", "change/", ""):
        REQUESTS[f"admin/{_app_model}/<path:object_id>/{_suffix}"] = (
            "GET", f"admin/{_app_model}/{{{_object_id}}}/{_suffix}", None)

# Notes on Django admin's answers: admin/autocomplete/ is 403 without its query parameters; admin/r/ is 404
# because staff accounts have no page of their own; the admin role may not add or delete groups or staff,
# add or delete audit events, or see the directory's tables (none of which it needs); it may view and
# delete sign-in lockouts (axes' access attempts), which is how an admin lifts one.
EXPECTED: dict[str, tuple[str, ...]] = {
    #                                                                                anonymous  no role    viewer     support    lead       bulk_op    auditor    admin
    # Start page (any signed-in staff member), sign-in and sign-out
    "":                                                                              (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "accounts/login/":                                                               (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "accounts/logout/":                                                              (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN),
    # Account audit reports: view_audit (auditor, admin)
    "audit/reports/":                                                                (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    "audit/reports/run/":                                                            (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED,   ALLOWED),
    "audit/reports/<int:report_id>/":                                                (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    "audit/reports/<int:report_id>/findings.csv":                                    (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    # API budget page: view_audit
    "api-budget/":                                                                   (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    # Audit trail: view_audit
    "audit/":                                                                        (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    "audit/export.csv":                                                              (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK,        OK),
    # Users: view_users to read (every role), edit_users to write (support, admin)
    "users/":                                                                        (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/new/":                                                                    (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "users/form/fields/<str:field_name>/":                                           (LOGIN,     DENIED,    DENIED,    ALLOWED,   ALLOWED,   DENIED,    DENIED,    ALLOWED),
    "users/form/tariffs/":                                                           (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "users/<str:user_id>/":                                                          (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/edit/":                                                     (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "users/<str:user_id>/clear-address/":                                            (LOGIN,     DENIED,    DENIED,    ALLOWED,   ALLOWED,   DENIED,    DENIED,    ALLOWED),
    # The summary strip (issue 17): htmx reads it again; a plain GET is sent to the driver's page.
    "users/<str:user_id>/summary/":                                                  (LOGIN,     DENIED,    REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT),
    "users/<str:user_id>/timeline/":                                                 (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    # A driver's charging (issue 15: the Charging panel, sub-session and night pages, the log timeline): view_users
    "users/<str:user_id>/charging/":                                                 (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/charging/logs/":                                            (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/charging/nights/<str:night>/":                              (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/charging/nights/<str:night>/check/":                        (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/charging/<str:sub_session_id>/":                            (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # Verdict rules (issue 15, the verdicts): view_users (every role)
    "charging/verdicts/":                                                            (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    # Fixes (issue 15): apply_fixes (support, support_lead, admin); the irreversible ones apply_major_fixes
    # (support_lead, admin), per fix in tests/fixes/test_permissions.py
    "users/<str:user_id>/fixes/<str:fix_name>/":                                     (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    # A driver's device panels (evadmin/devices): view_users, as the driver's page; a device not on the
    # driver's list (the made-up ids in REQUESTS) is a 404: device logs and connectivity are not scoped to a driver
    "users/<str:user_id>/devices/":                                                  (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/devices/vehicles/":                                         (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/devices/chargers/":                                         (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/devices/evses/<str:evse_id>/connectivity/":                 (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "users/<str:user_id>/devices/vehicles/<str:vehicle_id>/errors/":                 (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # The ticket desk (issue 16): view_users to read (every role); recategorise_tickets (support, support_lead, admin)
    "tickets/":                                                                      (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "tickets/stats/":                                                                (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "tickets/drivers/<str:user_id>/":                                                (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "programs/drivers/<str:user_id>/":                                               (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "programs/drivers/<str:user_id>/<str:program_id>/join/":                         (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "programs/drivers/<str:user_id>/<str:program_id>/verify/":                       (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "programs/drivers/<str:user_id>/<str:program_id>/<str:part>/":                   (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "tickets/<str:ticket_id>/":                                                      (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "tickets/<str:ticket_id>/recategorise/":                                         (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    # A driver's rebates, subscription and payout method (issue 17): view_users to read (every role);
    # submit_rebates (support_lead, admin) to submit an application for the driver
    "users/<str:user_id>/rebates/":                                                  (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/rebates/subscription/":                                     (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/rebates/payout-method/":                                    (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/rebates/<str:rebate_id>/submit/":                           (LOGIN,     DENIED,    DENIED,    DENIED,    NOT_FOUND, DENIED,    DENIED,    NOT_FOUND),
    # A driver's energy devices (issue 17): read-only panels, view_users (every role).
    "users/<str:user_id>/energy/solar-arrays/":                                      (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/energy/inverters/":                                         (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/energy/home-batteries/":                                    (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/energy/hem-systems/":                                       (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/live-power/":               (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/energy-stats/":             (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    # A driver's notifications (issue 17): view_users to read (every role); edit_notification_preferences
    # (support, support_lead, admin) to change the preferences for the driver
    "users/<str:user_id>/notifications/":                                            (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/notifications/preferences/":                                (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/notifications/preferences/edit/":                           (LOGIN,     DENIED,    DENIED,    OK,        OK,        DENIED,    DENIED,    OK),
    "users/<str:user_id>/notifications/<str:notification_id>/":                      (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # A driver's grid carbon intensity and tariff prices (issue 17): view_users to read (every role)
    "users/<str:user_id>/carbon/":                                                   (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "users/<str:user_id>/carbon/tariff-prices/":                                     (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    # Playbooks (issue 16): view_users to read (every role); edit_playbooks (support_lead, admin)
    # Reference lists (issue 18): view_users (every role)
    "reference/":                                                                    (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "playbooks/":                                                                    (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "playbooks/<str:subcategory>/":                                                  (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "playbooks/<str:subcategory>/edit/":                                             (LOGIN,     DENIED,    DENIED,    DENIED,    OK,        DENIED,    DENIED,    OK),
    # Bulk jobs: run_bulk (bulk_operator, admin)
    "bulk/":                                                                         (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/template.csv":                                                             (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/":                                                                    (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/":                                                       (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/estimate/":                                              (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/rejected.csv":                                           (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/file/":                                                  (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/start/":                                                 (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED,   DENIED,    ALLOWED),
    "bulk/jobs/<int:job_id>/approve/":                                               (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED,   DENIED,    ALLOWED),
    "bulk/jobs/<int:job_id>/progress/":                                              (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/jobs/<int:job_id>/revert/":                                                (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED,   DENIED,    ALLOWED),
    "bulk/jobs/<int:job_id>/results.csv":                                            (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    OK,        DENIED,    OK),
    "bulk/^jobs/(?P<job_id>[0-9]+)/(?P<action>pause|resume|cancel|retry_failed)/$":  (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED,   DENIED,    ALLOWED),
    # Directory: view_users; its sync state and Sync now: manage_staff (admin)
    "locations/":                                                                    (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "locations/export.csv":                                                          (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    "locations/export.xlsx":                                                         (LOGIN,     DENIED,    OK,        OK,        OK,        OK,        OK,        OK),
    # A large export's page and file: its requester and admins; any other staff member gets 404
    "locations/exports/":                                                            (LOGIN,     DENIED,    ALLOWED,   ALLOWED,   ALLOWED,   ALLOWED,   ALLOWED,   ALLOWED),
    "locations/exports/<int:export_id>/":                                            (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    "locations/exports/<int:export_id>/download":                                    (LOGIN,     DENIED,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    "directory/":                                                                    (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    OK),
    "directory/sync/":                                                               (LOGIN,     DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    ALLOWED),
    # Django admin: staff (is_staff: the admin role) only, then Django's model permissions (roles.ADMIN_SITE_PERMISSIONS)
    "admin/":                                                                        (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    # Signed in without the admin role: evadmin's 403 page, not a sign-in form that cannot let them in
    "admin/login/":                                                                  (OK,        DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    DENIED,    REDIRECT),
    "admin/logout/":                                                                 (REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  REDIRECT,  LOGIN),
    "admin/password_change/":                                                        (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/password_change/done/":                                                   (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/autocomplete/":                                                           (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/jsi18n/":                                                                 (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/r/<path:content_type_id>/<path:object_id>/":                              (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     NOT_FOUND),
    "admin/auth/group/":                                                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/group/add/":                                                         (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/auth/group/<path:object_id>/history/":                                    (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/group/<path:object_id>/delete/":                                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/auth/group/<path:object_id>/change/":                                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/group/<path:object_id>/":                                            (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/auth/user/<id>/password/":                                                (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/user/":                                                              (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/user/add/":                                                          (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/user/<path:object_id>/history/":                                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/user/<path:object_id>/delete/":                                      (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/auth/user/<path:object_id>/change/":                                      (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/auth/user/<path:object_id>/":                                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/audit/auditevent/":                                                       (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/audit/auditevent/add/":                                                   (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/audit/auditevent/<path:object_id>/history/":                              (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/audit/auditevent/<path:object_id>/delete/":                               (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/audit/auditevent/<path:object_id>/change/":                               (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/audit/auditevent/<path:object_id>/":                                      (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/directory/directoryaccount/":                                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directoryaccount/add/":                                         (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directoryaccount/<path:object_id>/history/":                    (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directoryaccount/<path:object_id>/delete/":                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directoryaccount/<path:object_id>/change/":                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directoryaccount/<path:object_id>/":                            (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/directory/directorysync/":                                                (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directorysync/add/":                                            (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directorysync/<path:object_id>/history/":                       (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directorysync/<path:object_id>/delete/":                        (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directorysync/<path:object_id>/change/":                        (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/directory/directorysync/<path:object_id>/":                               (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/axes/accessattempt/":                                                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/axes/accessattempt/add/":                                                 (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessattempt/<path:object_id>/history/":                            (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/axes/accessattempt/<path:object_id>/delete/":                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/axes/accessattempt/<path:object_id>/change/":                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/axes/accessattempt/<path:object_id>/":                                    (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/axes/accesslog/":                                                         (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accesslog/add/":                                                     (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accesslog/<path:object_id>/history/":                                (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accesslog/<path:object_id>/delete/":                                 (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accesslog/<path:object_id>/change/":                                 (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accesslog/<path:object_id>/":                                        (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/axes/accessfailurelog/":                                                  (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessfailurelog/add/":                                              (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessfailurelog/<path:object_id>/history/":                         (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessfailurelog/<path:object_id>/delete/":                          (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessfailurelog/<path:object_id>/change/":                          (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     DENIED),
    "admin/axes/accessfailurelog/<path:object_id>/":                                 (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     REDIRECT),
    "admin/^(?P<app_label>auth|audit|directory|axes)/$":                             (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     OK),
    "admin/(?P<url>.*)$":                                                            (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     NOT_FOUND),
}
