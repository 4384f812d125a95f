from django.apps import AppConfig


class CsuConfig(AppConfig):
    """Project wiring and the cross-cutting concerns: users and roles, audit, sessions, UI shell."""

    name = "csu"
    verbose_name = "CSU platform"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from csu import signals  # noqa: F401  (audit of authentication events)
        from csu.dbroles import grant_after_migrate
        from csu.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="csu-sync-role-permissions")
        # Once per migrate (sender=self), after every app's migrations have run.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="csu-db-app-role")
