from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from portal.accounts import views
from portal.accounts.forms import SignInForm
from portal.accounts.middleware import second_factor_exempt

# django-otp-webauthn's ceremonies under its own names (its scripts' settings reverse them),
# with ours where they complete: those audit the passkey and date the session's check.
_passkey_urlpatterns = [
    path(
        "registration/begin/",
        views.passkey_view(views.PasskeyRegistrationBegin),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.passkey_view(views.PasskeyRegistrationComplete),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.passkey_view(webauthn_views.BeginCredentialAuthenticationView),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.passkey_view(views.PasskeyAuthenticationComplete),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        second_factor_exempt(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        second_factor_exempt(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("language/", views.language_set, name="language_set"),
    path("accounts/logout/", second_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/second-factor/", views.second_factor_verify, name="second_factor_verify"),
    path("accounts/second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("accounts/security/", views.security, name="security"),
    path(
        "accounts/security/backup-codes/",
        views.security_backup_codes,
        name="security_backup_codes",
    ),
    path(
        "accounts/security/devices/<str:kind>/<int:pk>/remove/",
        views.security_device_remove,
        name="security_device_remove",
    ),
    path("accounts/passkeys/", include((_passkey_urlpatterns, "otp_webauthn"))),
]
