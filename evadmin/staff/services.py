from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from evadmin.staff.roles import ADMIN, ROLES


class UnknownRoleError(ValueError):
    pass


@dataclass(frozen=True)
class DemoStaffAccount:
    role: str
    username: str
    password: str
    created: bool


def demo_password(role: str) -> str:
    return f"evadmin-{role}-demo"


@transaction.atomic
def staff_member_create(*, username: str, password: str, roles: Iterable[str]) -> AbstractUser:
    """Create a staff member holding `roles`; the admin role also opens Django admin."""
    roles = list(roles)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UnknownRoleError(f"Unknown role(s): {', '.join(sorted(unknown))}")
    user = get_user_model().objects.create_user(username=username, password=password)
    # Only the admin role manages staff accounts, which lives in Django admin (is_staff).
    user.is_staff = ADMIN in roles
    user.save(update_fields=["is_staff"])
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def demo_staff_ensure() -> list[DemoStaffAccount]:
    """One demo account per role, named after the role; existing accounts are left alone.

    Existing accounts keep their password (someone may have changed it) and only have
    their role re-added if it was removed.
    """
    accounts = []
    user_model = get_user_model()
    for role in ROLES:
        user = user_model.objects.filter(username=role).first()
        if user is None:
            staff_member_create(username=role, password=demo_password(role), roles=[role])
            accounts.append(DemoStaffAccount(role, role, demo_password(role), created=True))
            continue
        user.groups.add(Group.objects.get(name=role))
        accounts.append(DemoStaffAccount(role, role, demo_password(role), created=False))
    return accounts
