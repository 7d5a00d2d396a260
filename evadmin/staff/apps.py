from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "evadmin.staff"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_save, pre_save

        from evadmin.staff import signals

        post_migrate.connect(signals.sync_role_groups_after_migrate, sender=self)
        user_logged_in.connect(signals.record_staff_session, dispatch_uid="evadmin.staff.session_start")
        user_logged_out.connect(signals.forget_staff_session, dispatch_uid="evadmin.staff.session_forget")
        pre_save.connect(signals.note_whether_user_was_active, sender=settings.AUTH_USER_MODEL,
                         dispatch_uid="evadmin.staff.was_active")
        post_save.connect(signals.end_sessions_of_deactivated_staff, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="evadmin.staff.deactivated")
