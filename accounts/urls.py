from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import bundid_views, oidc, two_factor, views
from .forms import StaffPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("verwaltung/anmelden/", views.StaffLoginView.as_view(), name="login"),
    path("verwaltung/anmelden/sso/", oidc.StaffOIDCRequestView.as_view(), name="oidc_login"),
    path("verwaltung/anmelden/sso/rueckkehr/", oidc.StaffOIDCCallbackView.as_view(), name="oidc_callback"),
    path("verwaltung/anmelden/code/", views.LoginCodeView.as_view(), name="login_code"),
    path("verwaltung/abmelden/", views.StaffLogoutView.as_view(), name="logout"),
    path(
        "verwaltung/passwort/vergessen/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "verwaltung/passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "verwaltung/passwort/neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "verwaltung/passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("verwaltung/zwei-faktor/", two_factor.TwoFactorStatusView.as_view(), name="two_factor"),
    path("verwaltung/zwei-faktor/einrichten/", two_factor.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("verwaltung/zwei-faktor/entfernen/", two_factor.TwoFactorRemoveView.as_view(), name="two_factor_remove"),
    # BundID (SAML 2.0) for citizens: metadata for the IdP, login, assertion consumer service, logout.
    path("bundid/metadata/", bundid_views.MetadataView.as_view(), name="bundid_metadata"),
    path("bundid/anmelden/", bundid_views.BundIdLoginView.as_view(), name="bundid_login"),
    path("bundid/acs/", bundid_views.AssertionConsumerView.as_view(), name="bundid_acs"),
    path("bundid/abmelden/", bundid_views.BundIdLogoutView.as_view(), name="bundid_logout"),
]
