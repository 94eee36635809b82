import json

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp_webauthn import exceptions as webauthn_exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

from portal.accounts import languages, services
from portal.accounts import second_factor as sf
from portal.accounts.decorators import permission_required, recent_second_factor_required
from portal.accounts.errors import AccountError
from portal.accounts.forms import SecondFactorCodeForm, TotpConfirmForm
from portal.accounts.middleware import second_factor_exempt
from portal.accounts.permissions import Perm, can_use_pages, second_factor_required
from portal.lib.errors import add_to_form, add_to_messages


@login_required
def home(request):
    """Send each person to the registration list, their start page; a service account
    (an API partner) has no pages."""
    if not can_use_pages(request.user, Perm.VIEW_REGISTRATION):
        return render(request, "accounts/no_pages.html", status=403)
    return redirect("registrations:list")


def _next_url(request, field: str = "next") -> str:
    """The page asked for before the check, if it is one of ours; else the start page."""
    wanted = request.POST.get(field) or request.GET.get(field) or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else reverse("home")


@second_factor_exempt
@require_POST
def language_set(request):
    """Switch the interface language (the header's switch), for this browser and, signed in,
    for the account; then back to the page the switch was on."""
    language = request.POST.get("language", "")
    if not languages.is_supported(language):
        reason = _("This language is not offered. Choose one of those in the page header.")
        return render(request, "400.html", {"reason": reason}, status=400)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    translation.activate(language)
    # Not "next": the passkey script takes the first field of that name on the page as where
    # to go once signed in, and the header's switch comes first.
    response = redirect(_next_url(request, "return_to"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{request.GET.urlencode()}" if request.GET else reverse(name)


def _webauthn_config(request) -> str:
    """The passkey scripts' settings, as JSON text for the page's data element."""
    return json.dumps(get_configuration(request))


@second_factor_exempt
@login_required
def second_factor_verify(request):
    """The second step of signing in (and the step-up before biometrics): a code of the
    authenticator app, a backup code, or a passkey."""
    user = request.user
    if not sf.has_second_factor(user):
        return redirect(_with_next("second_factor_enrol", request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = sf.second_factor_check(user=user, code=form.cleaned_data["code"])
        except AccountError as error:
            add_to_form(form, error)
        else:
            sf.session_mark_verified(request, device)
            return redirect(_next_url(request))
    context = {
        "form": form,
        "next": _next_url(request),
        "step_up": bool(request.GET.get("step_up")),
        "has_passkey": sf.has_passkey(user),
        "webauthn_config": _webauthn_config(request),
    }
    return render(request, "accounts/second_factor_verify.html", context)


def _qr_code_svg(device) -> str:
    # Drawn here, as SVG markup with no style attribute: no image service, nothing inline
    # that the Content-Security-Policy would refuse.
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, border=2, svgclass="qr-code", lineclass="qr-code-line")


@second_factor_exempt
@login_required
def second_factor_enrol(request):
    """Enrol a first second factor (forced at the first sign-in of a role that needs one),
    or, from the security page, another authenticator app."""
    user = request.user
    if sf.has_second_factor(user) and not user.is_verified():
        # Adding a device is not a way around checking the one already enrolled.
        return redirect(_with_next("second_factor_verify", request))
    device = sf.totp_device_pending(user=user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = sf.totp_device_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except AccountError as error:
            add_to_form(form, error)
        else:
            if not user.is_verified():
                sf.session_mark_verified(request, device)
            if sf.backup_codes_left(user):
                messages.success(request, _("Authenticator app added."))
                return redirect(_next_url(request))
            return _backup_codes_page(request, sf.backup_codes_issue(user=user))
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": _qr_code_svg(device),
        "secret": sf.totp_secret(device),
        "webauthn_config": _webauthn_config(request),
    }
    return render(request, "accounts/second_factor_enrol.html", context)


def _backup_codes_page(request, codes: list[str]):
    """The new backup codes, shown this once (the page is never cached: see the headers)."""
    context = {"codes": codes, "next": _next_url(request)}
    return render(request, "accounts/backup_codes.html", context)


@permission_required(Perm.USE_PAGES)
def security(request):
    """A person's second factors: see them, remove one, add one, new backup codes."""
    user = request.user
    devices = [device for device in sf.devices_of(user) if device.kind != sf.DeviceKind.BACKUP]
    context = {
        "devices": devices,
        "backup_codes_left": sf.backup_codes_left(user),
        "required": second_factor_required(user),
        "webauthn_config": _webauthn_config(request),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@permission_required(Perm.USE_PAGES)
@recent_second_factor_required
def security_backup_codes(request):
    return _backup_codes_page(request, sf.backup_codes_issue(user=request.user))


@require_POST
@permission_required(Perm.USE_PAGES)
@recent_second_factor_required
def security_device_remove(request, kind: str, pk: int):
    try:
        sf.device_remove(user=request.user, kind=kind, pk=pk)
    except AccountError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        add_to_messages(request, error)
    else:
        messages.success(request, _("The device was removed."))
    return redirect("security")


# --- Passkeys: django-otp-webauthn's ceremonies, audited ----------------------------------


class _PeopleOnly:
    def check_can_register(self):
        # A service account (an API partner) has no pages, so no passkey either.
        if not can_use_pages(self.request.user, Perm.USE_PAGES):
            raise webauthn_exceptions.NotAuthenticated()


class PasskeyRegistrationBegin(_PeopleOnly, webauthn_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_PeopleOnly, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        device = WebAuthnCredential.objects.get(
            pk=json.loads(response.content)["id"], user=self.request.user
        )
        sf.passkey_added_record(user=self.request.user, device=device)
        if not was_verified:  # the first device: enrolling it checked the person
            sf.session_mark_verified(self.request, device)
        return response


class PasskeyAuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        sf.session_mark_verified(self.request, device)
        sf.second_factor_verified_record(user=device.user, device=device)

    def handle_exception(self, exc):
        failed = isinstance(exc, webauthn_exceptions.OTPWebAuthnApiError)
        if failed and self.request.user.is_authenticated:
            sf.second_factor_failed_record(user=self.request.user, kind=sf.DeviceKind.PASSKEY)
        return super().handle_exception(exc)


def passkey_view(view_class):
    return second_factor_exempt(view_class.as_view())
