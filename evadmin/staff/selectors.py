from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from evadmin.staff.roles import ROLES, STAFF_PERMISSIONS, full_permission_name


def staff_roles(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """The evadmin roles (groups) the user holds, in the order roles.py lists them."""
    if not user.is_authenticated:
        return []
    held = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role in held]


def staff_permission_labels(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """Descriptions of the evadmin permissions the user has, for the start page."""
    return [
        label for codename, label in STAFF_PERMISSIONS.items() if user.has_perm(full_permission_name(codename))
    ]
