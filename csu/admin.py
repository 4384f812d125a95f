"""The Django admin: only for staff with a verified second factor; audit rows are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.admin import OTPAdminSite

from csu.models import AuditEvent, User

admin.site.__class__ = OTPAdminSite
admin.site.site_header = "CSU administration"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("CSU", {"fields": ("agency", "title", "account_expires_at", "disabled_reason")}),
    )
    list_display = ("username", "first_name", "last_name", "agency", "is_active", "last_login")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_username", "action", "outcome", "object_type",
                    "object_id", "ip_address")
    list_filter = ("action", "outcome")
    search_fields = ("actor_username", "object_id", "object_repr")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
