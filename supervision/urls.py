from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from .views import audit, dashboard, health, home, importing, notifications, organisation, profile

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # accounts
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # organisation
    path("units/", organisation.units, name="unit_list"),
    path("units/new/", organisation.unit_new, name="unit_new"),
    path("units/<int:pk>/", organisation.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", organisation.unit_edit, name="unit_edit"),
    path("people/", organisation.people, name="person_list"),
    path("people/new/", organisation.person_new, name="person_new"),
    path("people/<int:pk>/", organisation.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", organisation.person_edit, name="person_edit"),
    path("people/<int:pk>/conflicts/", organisation.conflict_new, name="conflict_new"),
    path("conflicts/<int:pk>/delete/", organisation.conflict_delete, name="conflict_delete"),
    path("import/", importing.import_home, name="import_home"),
    path("import/<str:kind>/template.xlsx", importing.import_template_download, name="import_template"),
    path("import/<str:kind>/", importing.import_upload, name="import_upload"),
    path("audit/", audit.audit_events, name="audit_list"),
    path("", include("rounds.urls")),
    path("", include("findings.urls")),
    path("", include("rectification.urls")),
    *notifications.urlpatterns,
    *dashboard.urlpatterns,
    *profile.urlpatterns,
    # API and admin
    path("api/", include("supervision.api")),
    path("admin/", admin.site.urls),
]
