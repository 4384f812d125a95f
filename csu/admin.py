"""The Django admin: only for staff with a verified second factor; audit rows are read-only.

Roles are managed on the Users page (one role per account, audited, never one's own): the admin
edits no groups, grants, superuser or staff flags, and no role's permissions. A password set
here is the admin's choice, so the user must replace it, and every API token of theirs dies.
API tokens are not registered at all (knox registers its own model only when it is not swapped).
"""

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import services
from csu.actors import SYSTEM_USERNAME, is_system, system_actor
from csu.audit import current_request
from csu.models import ApiToken, AuditEvent, User

admin.site.__class__ = OTPAdminSite
admin.site.site_header = "CSU administration"

# Second factors are reset on the Users page (which issues a one-time enrolment code); adding a
# device for someone else in the admin would get around that code.
for _model in (ApiToken, Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


if TYPE_CHECKING:  # generic in django-stubs only; django_stubs_ext does not patch this form
    _PasswordFormBase = AdminPasswordChangeForm[User]
else:
    _PasswordFormBase = AdminPasswordChangeForm


class PasswordSetForm(_PasswordFormBase):
    """The admin's password reset goes through ``user_password_change``: forced change at next
    sign-in, tokens revoked, audited."""

    def save(self, commit: bool = True) -> User:
        request = current_request.get()
        password = self.cleaned_data.get("password1")
        usable = self.cleaned_data.get("set_usable_password", True)
        # The admin site lets only signed-in staff this far; without a request (a script) the
        # change is the system's: saved as the form saves it, without the forced change.
        actor = (
            request.user
            if request is not None and isinstance(request.user, User)
            else system_actor()
        )
        if is_system(actor) or not usable or not password:  # "unusable": nothing to hand over
            user = super().save(commit=commit)
            services.api_tokens_revoke_all(actor=actor, user=user, reason="password disabled")
            return user
        return services.user_password_change(actor=actor, user=self.user, password=password)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    change_password_form = PasswordSetForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "is_staff", "must_change_password")}),
        ("Important dates", {"fields": ("last_login", "date_joined", "password_changed_at")}),
        ("CSU", {"fields": ("agency", "title", "account_expires_at", "disabled_reason")}),
    )
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    list_display = ("username", "first_name", "last_name", "agency", "is_active", "last_login")
    list_filter = ("is_active", "is_staff")
    filter_horizontal = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # The system actor is not an account anyone administers: activating it or giving it a
        # password here would make it one that signs in.
        return super().get_queryset(request).exclude(username=SYSTEM_USERNAME)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody changes their own standing: staff flag, state or forced change.
            fields += ("is_staff", "is_active", "must_change_password")
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:  # created here with a password the admin chose
            obj.must_change_password = True
            obj.password_changed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.api_tokens_revoke_all(
                actor=cast(User, request.user), user=obj, reason="account disabled"
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = (
        "occurred_at",
        "actor_username",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "ip_address",
    )
    list_filter = ("action", "outcome")
    # Not object_repr or detail: an admin must not find case data by searching the trail.
    search_fields = ("actor_username", "object_id")

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> AuditEvent | None:
        from csu.selectors import audit_event_shown

        event = super().get_object(request, object_id, from_field)
        # Only verified staff reach the admin (OTPAdminSite), so the user is a signed-in User.
        user = cast(User, request.user)
        return audit_event_shown(actor=user, event=event) if event else event

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
