from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from csu.views import account, audit, auth, health, home, users

app_patterns = (
    [
        path("", home.home, name="home"),
        path("accounts/login/", auth.login_view, name="login"),
        path("accounts/mfa/", auth.mfa_view, name="mfa"),
        path("accounts/logout/", auth.logout_view, name="logout"),
        path("account/", account.account_view, name="account"),
        path("account/token/", account.account_token_view, name="account-token"),
        path(
            "account/token/<str:token_id>/revoke/",
            account.account_token_revoke_view,
            name="account-token-revoke",
        ),
        path("account/password/", account.password_change_view, name="password-change"),
        path("audit/", audit.audit_list, name="audit-list"),
        path("audit/export/", audit.audit_export_view, name="audit-export"),
        path("users/", users.user_list_view, name="user-list"),
        path("users/<int:pk>/unlock/", users.user_unlock_view, name="user-unlock"),
        path("users/<int:pk>/reset-mfa/", users.user_reset_mfa_view, name="user-reset-mfa"),
        path("users/<int:pk>/role/", users.user_set_role_view, name="user-set-role"),
    ],
    "csu",
)

urlpatterns = [
    path("", include(app_patterns)),
    path("intel/", include("intel.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("alerts/", include("alerts.urls")),
    path("healthz", health.healthz, name="healthz"),
    # The admin signs in through the same banner + MFA flow as everyone else.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="csu:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("csu.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "csu.views.errors.permission_denied"
handler404 = "csu.views.errors.page_not_found"
handler500 = "csu.views.errors.server_error"
