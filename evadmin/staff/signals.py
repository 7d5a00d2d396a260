from django.apps import apps as global_apps
from django.db import router

from evadmin.staff.roles import role_groups_sync
from evadmin.staff.sessions import current_request, staff_session_forget, staff_session_start, staff_sessions_end
from evadmin.staff.staff_signals import staff_member_deactivated


def sync_role_groups_after_migrate(sender, *, using, apps=global_apps, **kwargs) -> None:
    """Keep role groups in step with roles.py after every migrate and test-database flush.

    The data migration creates them once; a flush (transactional tests, live_server) empties
    the tables, and only post_migrate runs again then (without `apps`: the real models).
    """
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
        content_type_model = apps.get_model("contenttypes", "ContentType")
    except LookupError:  # migrating backwards past auth or contenttypes
        return
    if not router.allow_migrate_model(using, group_model):  # e.g. the sandbox database
        return
    role_groups_sync(
        group_model=group_model,
        permission_model=permission_model,
        content_type_model=content_type_model,
        using=using,
    )


def record_staff_session(sender, request, user, **kwargs) -> None:
    """user_logged_in: stamp the session with its sign-in time and remember its key."""
    if request is not None and hasattr(request, "session"):
        staff_session_start(request=request, user=user)


def forget_staff_session(sender, request, user, **kwargs) -> None:
    """user_logged_out: the session is about to be flushed; its key no longer matters."""
    if request is not None and hasattr(request, "session"):
        staff_session_forget(session_key=request.session.session_key)


def note_whether_user_was_active(sender, instance, update_fields=None, **kwargs) -> None:
    """pre_save of a staff member: remember is_active as stored, to see it change in post_save."""
    if instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        instance._evadmin_was_active = None  # new, or a save that leaves is_active alone (last_login)
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    instance._evadmin_was_active = stored


def end_sessions_of_deactivated_staff(sender, instance, created, **kwargs) -> None:
    """post_save: someone made a staff member inactive, via Django admin or code; sign them out everywhere.

    (Django's ModelBackend already refuses inactive users; deleting the sessions makes sure
    nothing of theirs lingers.) QuerySet.update() sends no signals: deactivate with save().
    """
    if created or instance.is_active or not getattr(instance, "_evadmin_was_active", None):
        return
    ended = staff_sessions_end(user=instance)
    staff_member_deactivated.send(sender=sender, request=current_request(), staff_member=instance, sessions_ended=ended)
    instance._evadmin_was_active = False
