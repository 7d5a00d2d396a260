"""Staff roles: the single table of which role holds which permission.

Roles are Django groups of the same name. The data migration and a post_migrate hook both
call `role_groups_sync`, so groups always match this table (the hook also restores them
after a test database flush). Change a role here and the next `migrate` applies it.
"""

from dataclasses import dataclass

APP_LABEL = "accounts"
PERMISSION_MODEL = "staffpermission"

# codename -> human description (also the Permission.name shown in Django admin).
STAFF_PERMISSIONS: dict[str, str] = {
    "view_users": "View ev.energy users",
    "edit_users": "Create and edit ev.energy users and locations",
    "apply_fixes": "Apply a driver's everyday charging fixes: boost, reconnection and onboarding links, smart "
                   "charging, charge limit, password reset emails",
    "apply_major_fixes": "Apply the fixes that cannot be undone: disconnect a vehicle's integration, recalculate "
                         "a sub-session's energy use",
    "run_bulk": "Run bulk jobs",
    "view_audit": "View the audit trail and reports",
    "recategorise_tickets": "Recategorise support tickets",
    "edit_playbooks": "Edit the ticket desk's playbooks",
    "submit_rebates": "Submit a driver's rebate application for review on their behalf",
    "enrol_in_programs": "Join a program and verify a driver for it on the driver's behalf",
    "edit_notification_preferences": "Change a driver's notification preferences on their behalf",
    "manage_staff": "Manage staff accounts",
}

VIEWER = "viewer"
SUPPORT = "support"
SUPPORT_LEAD = "support_lead"
BULK_OPERATOR = "bulk_operator"
AUDITOR = "auditor"
ADMIN = "admin"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    VIEWER: ("view_users",),
    SUPPORT: ("view_users", "edit_users", "apply_fixes", "recategorise_tickets", "enrol_in_programs",
              "edit_notification_preferences"),
    SUPPORT_LEAD: ("view_users", "edit_users", "apply_fixes", "apply_major_fixes", "recategorise_tickets",
                   "edit_playbooks", "submit_rebates", "enrol_in_programs", "edit_notification_preferences"),
    BULK_OPERATOR: ("view_users", "run_bulk"),
    AUDITOR: ("view_users", "view_audit"),
    ADMIN: tuple(STAFF_PERMISSIONS),
}

ROLE_DESCRIPTIONS: dict[str, str] = {
    VIEWER: "Read-only access to users",
    SUPPORT: "Create and edit users and their locations; apply everyday charging fixes; recategorise tickets; "
             "join and verify drivers for programs; change a driver's notification preferences",
    SUPPORT_LEAD: "Support, plus the fixes that cannot be undone (disconnect, recalculate energy use, submit a "
                  "rebate application) and the ticket desk's playbooks",
    BULK_OPERATOR: "Run bulk jobs",
    AUDITOR: "Read the audit trail and reports",
    ADMIN: "Everything, plus staff accounts in Django admin",
}

ROLES: tuple[str, ...] = tuple(ROLE_PERMISSIONS)


@dataclass(frozen=True)
class ModelPermission:
    app_label: str
    model: str
    codename: str
    name: str


# What the admin role needs from Django's own permissions to manage staff at /admin/.
# No delete_user (deactivate instead: audit events keep a PROTECTed link to the actor) and
# no change_group (roles are defined in this file, not edited by hand).
ADMIN_SITE_PERMISSIONS: tuple[ModelPermission, ...] = (
    ModelPermission("auth", "user", "view_user", "Can view user"),
    ModelPermission("auth", "user", "add_user", "Can add user"),
    ModelPermission("auth", "user", "change_user", "Can change user"),
    ModelPermission("auth", "group", "view_group", "Can view group"),
    ModelPermission("audit", "auditevent", "view_auditevent", "Can view audit event"),
    # Sign-in lockouts (django-axes): see them at /admin/axes/accessattempt/ and delete one to lift it.
    ModelPermission("axes", "accessattempt", "view_accessattempt", "Can view access attempt"),
    ModelPermission("axes", "accessattempt", "delete_accessattempt", "Can delete access attempt"),
)


def full_permission_name(codename: str) -> str:
    return f"{APP_LABEL}.{codename}"


# What views and pages declare they need, by full name ("accounts.<codename>"): one per row of
# STAFF_PERMISSIONS, so a permission no role holds cannot be asked for by a typo.
VIEW_USERS = full_permission_name("view_users")
EDIT_USERS = full_permission_name("edit_users")
APPLY_FIXES = full_permission_name("apply_fixes")
APPLY_MAJOR_FIXES = full_permission_name("apply_major_fixes")
RUN_BULK = full_permission_name("run_bulk")
VIEW_AUDIT = full_permission_name("view_audit")
MANAGE_STAFF = full_permission_name("manage_staff")
RECATEGORISE_TICKETS = full_permission_name("recategorise_tickets")
EDIT_PLAYBOOKS = full_permission_name("edit_playbooks")
SUBMIT_REBATES = full_permission_name("submit_rebates")
ENROL_IN_PROGRAMS = full_permission_name("enrol_in_programs")
EDIT_NOTIFICATION_PREFERENCES = full_permission_name("edit_notification_preferences")


def roles_with_permission(permission: str) -> list[str]:
    """Roles granting `permission` ("accounts.edit_users" or "edit_users")."""
    codename = permission.split(".", 1)[1] if "." in permission else permission
    return [role for role, codenames in ROLE_PERMISSIONS.items() if codename in codenames]


def _permission(*, permission_model, content_type_model, spec: ModelPermission, using: str):
    content_type, _ = content_type_model.objects.db_manager(using).get_or_create(
        app_label=spec.app_label, model=spec.model
    )
    # Permissions are normally created after all migrations (post_migrate); creating them here
    # with Django's own names lets this run inside a migration, and post_migrate skips them.
    permission, _ = permission_model.objects.db_manager(using).get_or_create(
        content_type=content_type, codename=spec.codename, defaults={"name": spec.name}
    )
    return permission


def role_groups_sync(*, group_model, permission_model, content_type_model, using: str = "default") -> None:
    """Create the role groups and set each one's permissions to exactly the table above.

    Takes the model classes so a migration can pass its historical models.
    """
    staff_permissions = {
        codename: _permission(
            permission_model=permission_model,
            content_type_model=content_type_model,
            spec=ModelPermission(APP_LABEL, PERMISSION_MODEL, codename, name),
            using=using,
        )
        for codename, name in STAFF_PERMISSIONS.items()
    }
    admin_site_permissions = [
        _permission(
            permission_model=permission_model, content_type_model=content_type_model, spec=spec, using=using
        )
        for spec in ADMIN_SITE_PERMISSIONS
    ]
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.db_manager(using).get_or_create(name=role)
        wanted = [staff_permissions[codename] for codename in codenames]
        if role == ADMIN:
            wanted += admin_site_permissions
        group.permissions.set(wanted)
