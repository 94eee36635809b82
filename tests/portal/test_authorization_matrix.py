"""Every URL of the site, for every role, on an in-scope and an out-of-scope object.

One table: each row is a request and the status each role gets. 302 for anonymous users is
the login page; 404 means "not yours" and looks exactly like "does not exist".
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from tests.factories import (
    PASSWORD,
    create_registration,
    make_operator,
    make_outlet,
    make_users,
    province,
    sign_in,
    store_stand_in_portrait,
)
from verification.models import ViewingGrant

ROLES = ["anonymous", "ministry_admin", "inspector", "inspector_gd", "carrier_admin", "staff",
         "partner"]  # fmt: skip


def row(method, url, *statuses):
    assert len(statuses) == len(ROLES)
    return (method, url, dict(zip(ROLES, statuses, strict=True)))


# The overview (h1): its longer queries.
SUMMARY_JANUARY = "/supervision/summary.json?from=2026-01-01&to=2026-01-31"
OVERVIEW_STAFF_CUCC = "/supervision/?outlet={outlet_cucc}&staff={staff_cucc}"

# Objects: reg_gd = CMCC outlet in Guangdong (staff's own); reg_bj = CMCC outlet in Beijing;
# reg_cucc = CUCC outlet in Guangdong. outlet_*/staff_* likewise.
#                                                      anon admin insp insp_gd carrier staff partner
MATRIX = [
    # Health and readiness: for load balancers, with no sign-in (and no detail: test_health).
    row("get", "/healthz", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/readyz", 200, 200, 200, 200, 200, 200, 200),
    # Metrics: the operations token only (test_metrics), whoever is signed in.
    row("get", "/metrics", 401, 401, 401, 401, 401, 401, 401),
    row("get", "/", 302, 302, 302, 302, 302, 302, 403),
    row("get", "/accounts/login/", 200, 302, 302, 302, 302, 302, 302),
    row("post", "/accounts/login/", 200, 302, 302, 302, 302, 302, 302),
    row("post", "/accounts/logout/", 302, 302, 302, 302, 302, 302, 302),
    # The language switch: anyone, signed in or not (an empty choice is refused plainly).
    row("get", "/language/", 405, 405, 405, 405, 405, 405, 405),
    row("post", "/language/", 400, 400, 400, 400, 400, 400, 400),
    # The subscriber's side: open to anyone (no account); its later steps send a browser
    # without the earlier ones back to /me/, staff sessions included (they are no subscriber).
    row("get", "/me/", 200, 200, 200, 200, 200, 200, 200),
    row("post", "/me/", 400, 400, 400, 400, 400, 400, 400),
    row("get", "/me/number/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/me/code/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/me/numbers/", 302, 302, 302, 302, 302, 302, 302),
    row("post", "/me/sign-out/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/me/access/", 302, 302, 302, 302, 302, 302, 302),
    # An inspector defers the notices to the person behind a registration in their scope.
    row("get", "/registrations/{reg_gd}/defer-notices/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/registrations/{reg_bj}/defer-notices/", 302, 403, 200, 404, 403, 403, 403),
    row("post", "/registrations/{reg_gd}/defer-notices/", 302, 403, 400, 400, 403, 403, 403),
    # The second factor: checked after the password, enrolled, managed on the security page.
    row("get", "/accounts/second-factor/", 302, 200, 200, 200, 200, 200, 200),
    row("get", "/accounts/second-factor/enrol/", 302, 200, 200, 200, 200, 200, 200),
    row("get", "/accounts/security/", 302, 200, 200, 200, 200, 200, 403),
    row("post", "/accounts/security/backup-codes/", 302, 200, 200, 200, 200, 200, 403),
    row(
        "post",
        "/accounts/security/devices/{totp}/{no_device}/remove/",
        302,
        404,
        404,
        404,
        404,
        404,
        403,
    ),
    row("post", "/accounts/passkeys/registration/begin/", 403, 200, 200, 200, 200, 200, 403),
    row("post", "/accounts/passkeys/registration/complete/", 403, 400, 400, 400, 400, 400, 403),
    row("post", "/accounts/passkeys/authentication/begin/", 403, 200, 200, 200, 200, 200, 200),
    row("post", "/accounts/passkeys/authentication/complete/", 403, 400, 400, 400, 400, 400, 400),
    row("get", "/accounts/passkeys/jsi18n/", 200, 200, 200, 200, 200, 200, 200),
    # The scripts' translation catalog: interface strings only, the same for everybody.
    row("get", "/jsi18n/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/registrations/", 302, 200, 200, 200, 200, 200, 403),
    row(
        "get",
        "/registrations/?page=abc&status=nonsense&operator=x",
        302,
        200,
        200,
        200,
        200,
        200,
        403,
    ),
    # The list's search box: a POST (an empty one is refused); a GET leads back to the list.
    row("post", "/registrations/search/", 302, 400, 400, 400, 400, 400, 403),
    row("get", "/registrations/search/", 302, 302, 302, 302, 302, 302, 403),
    row("get", "/registrations/new/", 302, 403, 403, 403, 403, 200, 403),
    row("post", "/registrations/new/", 302, 403, 403, 403, 403, 400, 403),
    row("get", "/registrations/{reg_gd}/", 302, 200, 200, 200, 200, 200, 403),
    row("get", "/registrations/{reg_bj}/", 302, 200, 200, 404, 200, 404, 403),
    row("get", "/registrations/{reg_cucc}/", 302, 200, 200, 200, 404, 404, 403),
    row("get", "/registrations/not-a-uuid/", 404, 404, 404, 404, 404, 404, 404),
    row(
        "get",
        "/registrations/00000000-0000-0000-0000-000000000000/",
        302,
        404,
        404,
        404,
        404,
        404,
        403,
    ),
    row("post", "/registrations/{reg_gd}/submit/", 302, 403, 403, 403, 403, 302, 403),
    row("post", "/registrations/{reg_bj}/submit/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/submit/", 302, 403, 403, 403, 403, 405, 403),
    row("post", "/registrations/{reg_gd}/cancel/", 302, 403, 403, 403, 302, 302, 403),
    row("post", "/registrations/{reg_cucc}/cancel/", 302, 403, 403, 403, 404, 404, 403),
    row("post", "/registrations/{reg_bj}/cancel/", 302, 403, 403, 403, 302, 404, 403),
    # The cancellation asks why first (app_gd is approved; a draft goes back to its page).
    row("get", "/registrations/{reg_gd}/cancel/", 302, 403, 403, 403, 302, 302, 403),
    row("get", "/registrations/{reg_cucc}/cancel/", 302, 403, 403, 403, 404, 404, 403),
    row("get", "/registrations/{app_gd}/cancel/", 302, 403, 403, 403, 200, 200, 403),
    row("post", "/registrations/{app_gd}/cancel/", 302, 403, 403, 403, 400, 400, 403),
    # An outlet's draft: edited and discarded by whoever may register at the outlet.
    row("get", "/registrations/{reg_gd}/edit/", 302, 403, 403, 403, 403, 200, 403),
    row("get", "/registrations/{reg_bj}/edit/", 302, 403, 403, 403, 403, 404, 403),
    row("post", "/registrations/{reg_gd}/edit/", 302, 403, 403, 403, 403, 400, 403),
    row("post", "/registrations/{reg_bj}/edit/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/discard/", 302, 403, 403, 403, 403, 200, 403),
    row("get", "/registrations/{reg_bj}/discard/", 302, 403, 403, 403, 403, 404, 403),
    row("post", "/registrations/{reg_gd}/discard/", 302, 403, 403, 403, 403, 302, 403),
    row("post", "/registrations/{reg_bj}/discard/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/operator/outlets/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/outlets/new/", 302, 403, 403, 403, 200, 403, 403),
    row("post", "/operator/outlets/new/", 302, 403, 403, 403, 400, 403, 403),
    row("get", "/operator/outlets/{outlet_gd}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/outlets/{outlet_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/operator/outlets/{outlet_gd}/", 302, 403, 403, 403, 400, 403, 403),
    row("post", "/operator/outlets/{outlet_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("get", "/operator/staff/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/staff/new/", 302, 403, 403, 403, 200, 403, 403),
    row("post", "/operator/staff/new/", 302, 403, 403, 403, 400, 403, 403),
    row("get", "/operator/staff/{staff_gd}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/staff/{staff_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/operator/staff/{staff_gd}/", 302, 403, 403, 403, 400, 403, 403),
    row("post", "/operator/staff/{staff_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    # The inspectors' read-only outlet and staff pages (scoped by their provinces).
    row("get", "/supervision/directory/outlets/", 302, 403, 200, 200, 403, 403, 403),
    row("post", "/supervision/directory/outlets/", 302, 403, 405, 405, 403, 403, 403),
    row("get", "/supervision/directory/staff/", 302, 403, 200, 200, 403, 403, 403),
    row("post", "/supervision/directory/staff/", 302, 403, 405, 405, 403, 403, 403),
    # The operator's partner API keys (apikey_cucc: another operator's, so a 404).
    row("get", "/operator/api-keys/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/api-keys/new/", 302, 403, 403, 403, 200, 403, 403),
    row("post", "/operator/api-keys/new/", 302, 403, 403, 403, 400, 403, 403),
    row("get", "/operator/api-keys/{apikey_cmcc}/revoke/", 302, 403, 403, 403, 200, 403, 403),
    row("post", "/operator/api-keys/{apikey_cmcc}/revoke/", 302, 403, 403, 403, 302, 403, 403),
    row("get", "/operator/api-keys/{apikey_cucc}/revoke/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/operator/api-keys/{apikey_cucc}/revoke/", 302, 403, 403, 403, 404, 403, 403),
    # The operator's webhooks (webhook_cucc and its message: another operator's, so a 404).
    row("get", "/operator/webhooks/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/webhooks/{webhook_cmcc}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/webhooks/{webhook_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row(
        "post",
        "/operator/webhooks/messages/{message_cmcc}/redeliver/",
        302,
        403,
        403,
        403,
        302,
        403,
        403,
    ),
    row(
        "post",
        "/operator/webhooks/messages/{message_cucc}/redeliver/",
        302,
        403,
        403,
        403,
        404,
        403,
        403,
    ),
    row(
        "get",
        "/operator/webhooks/messages/{message_cmcc}/redeliver/",
        302,
        403,
        403,
        403,
        405,
        403,
        403,
    ),
    # The partner API's documentation: public, for everybody.
    row("get", "/api/v1/schema/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/api/v1/docs/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/api/v1/redoc/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/api/v1/problems/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/api/v1/problems/{problem}/", 200, 200, 200, 200, 200, 200, 200),
    row("get", "/ministry/policy/", 302, 200, 403, 403, 403, 403, 403),
    row("post", "/ministry/policy/", 302, 400, 403, 403, 403, 403, 403),
    row("get", "/audit/", 302, 200, 200, 200, 200, 403, 403),
    row(
        "get",
        "/audit/?page=zz&action=nope&occurred_from=2020-13-45",
        302,
        200,
        200,
        200,
        200,
        403,
        403,
    ),
    row("get", "/audit/export.csv", 302, 200, 200, 200, 200, 403, 403),
    # The outlet's verification steps (reg_gd is a draft: no portrait or consent yet).
    row("get", "/registrations/{reg_gd}/portrait/", 302, 403, 403, 403, 403, 200, 403),
    row("get", "/registrations/{reg_bj}/portrait/", 302, 403, 403, 403, 403, 404, 403),
    row("post", "/registrations/{reg_gd}/portrait/", 302, 403, 403, 403, 403, 400, 403),
    row("post", "/registrations/{reg_bj}/portrait/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/consent/", 302, 403, 403, 403, 403, 200, 403),
    row("get", "/registrations/{reg_bj}/consent/", 302, 403, 403, 403, 403, 404, 403),
    row("post", "/registrations/{reg_gd}/consent/", 302, 403, 403, 403, 403, 400, 403),
    row("post", "/registrations/{reg_bj}/consent/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/capture/", 302, 403, 403, 403, 403, 302, 403),
    row("get", "/registrations/{reg_bj}/capture/", 302, 403, 403, 403, 403, 404, 403),
    row("post", "/registrations/{reg_gd}/capture/challenge/", 302, 403, 403, 403, 403, 409, 403),
    row("post", "/registrations/{reg_bj}/capture/challenge/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/capture/challenge/", 405, 405, 405, 405, 405, 405, 405),
    row("post", "/registrations/{reg_gd}/capture/upload/", 302, 403, 403, 403, 403, 400, 403),
    row("post", "/registrations/{reg_bj}/capture/upload/", 302, 403, 403, 403, 403, 404, 403),
    row("get", "/registrations/{reg_gd}/verification/", 302, 200, 200, 200, 200, 200, 403),
    row("get", "/registrations/{reg_bj}/verification/", 302, 200, 200, 404, 200, 404, 403),
    row("get", "/registrations/{reg_cucc}/verification/", 302, 200, 200, 200, 404, 404, 403),
    # Manual review: rev_* are in review; reg_gd is a draft, not in the queue.
    row("get", "/review/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/review/{rev_gd}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/review/{rev_gd}/?reason=matrix+check", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/review/{rev_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("get", "/review/{reg_gd}/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/review/{rev_gd}/", 302, 403, 403, 403, 400, 403, 403),
    row("post", "/review/{rev_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    # Biometric evidence: a reason posted opens a viewing grant (an empty form is a 400), in the
    # viewer's scope, with the permission; a file is served under a live grant of its viewer.
    # grant_gd is inspector_gd's on rev_gd, grant_carrier the carrier admin's, grant_old ended.
    row("post", "/registrations/{rev_gd}/evidence/", 302, 403, 400, 400, 400, 403, 403),
    row("post", "/registrations/{reg_bj}/evidence/", 302, 403, 400, 404, 400, 403, 403),
    row("post", "/registrations/{rev_cucc}/evidence/", 302, 403, 400, 400, 404, 403, 403),
    row("get", "/registrations/{rev_gd}/evidence/", 405, 405, 405, 405, 405, 405, 405),
    row("get", "/evidence/{grant_gd}/{ev_gd}/", 302, 403, 404, 200, 404, 403, 403),
    row("get", "/evidence/{grant_carrier}/{ev_gd}/", 302, 403, 404, 404, 200, 403, 403),
    row("get", "/evidence/{grant_gd}/{ev_cucc}/", 302, 403, 404, 404, 404, 403, 403),
    row("get", "/evidence/{grant_old}/{ev_gd}/", 302, 403, 404, 403, 404, 403, 403),
    row(
        "get",
        "/evidence/00000000-0000-0000-0000-000000000000/{ev_gd}/",
        302,
        403,
        404,
        404,
        404,
        403,
        403,
    ),
    row("post", "/evidence/{grant_gd}/{ev_gd}/", 405, 405, 405, 405, 405, 405, 405),
    row("post", "/evidence/{grant_gd}/end/", 302, 403, 404, 302, 404, 403, 403),
    row("get", "/evidence/{grant_gd}/end/", 405, 405, 405, 405, 405, 405, 405),
    # Django's admin (ministry admin only): anybody else is sent to the admin's login page;
    # a 403 is a page the admin offers nobody (adding a province, group or registration).
    row("get", "/admin/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/registration/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/login/", 200, 302, 200, 200, 200, 200, 200),
    row("post", "/admin/login/", 200, 200, 200, 200, 200, 200, 200),
    row("post", "/admin/logout/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/admin/password_change/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/auth/group/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/auth/group/add/", 302, 403, 302, 302, 302, 302, 302),
    row("post", "/admin/auth/group/add/", 302, 403, 302, 302, 302, 302, 302),
    row("get", "/admin/accounts/user/", 302, 200, 302, 302, 302, 302, 302),
    # Accounts are added by user_create (manage.py create_account), never in the admin.
    row("get", "/admin/accounts/user/add/", 302, 403, 302, 302, 302, 302, 302),
    row("post", "/admin/accounts/user/add/", 302, 403, 302, 302, 302, 302, 302),
    row("get", "/admin/accounts/user/{staff_gd}/change/", 302, 200, 302, 302, 302, 302, 302),
    # Nobody types in another account's password: a mailed one-time reset link instead.
    row("get", "/admin/accounts/user/{staff_gd}/password/", 302, 403, 302, 302, 302, 302, 302),
    row("post", "/admin/accounts/user/{staff_gd}/password/", 302, 403, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/province/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/province/add/", 302, 403, 302, 302, 302, 302, 302),
    row("post", "/admin/registrations/province/add/", 302, 403, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/operator/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/operator/add/", 302, 200, 302, 302, 302, 302, 302),
    row("post", "/admin/registrations/operator/add/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/outlet/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/outlet/add/", 302, 200, 302, 302, 302, 302, 302),
    row("post", "/admin/registrations/outlet/add/", 302, 200, 302, 302, 302, 302, 302),
    row(
        "get", "/admin/registrations/outlet/{outlet_gd}/change/", 302, 200, 302, 302, 302, 302, 302
    ),
    row(
        "post", "/admin/registrations/outlet/{outlet_gd}/change/", 302, 200, 302, 302, 302, 302, 302
    ),
    row("get", "/admin/registrations/registrationpolicy/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/registrationpolicy/add/", 302, 200, 302, 302, 302, 302, 302),
    row("post", "/admin/registrations/registrationpolicy/add/", 302, 200, 302, 302, 302, 302, 302),
    row("get", "/admin/registrations/registration/add/", 302, 403, 302, 302, 302, 302, 302),
    row("post", "/admin/registrations/registration/add/", 302, 403, 302, 302, 302, 302, 302),
    # Findings and rectification notices (h3): *_gd are CMCC's in Guangdong, *_bj CMCC's in
    # Beijing, notice_cucc CUCC's in Guangdong; each finding has its notice, still issued.
    row("get", "/supervision/findings/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/findings/new/", 302, 403, 200, 200, 403, 403, 403),
    row("post", "/supervision/findings/new/", 302, 403, 400, 400, 403, 403, 403),
    row("get", "/supervision/findings/{finding_gd}/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/findings/{finding_bj}/", 302, 403, 200, 404, 403, 403, 403),
    row("post", "/supervision/findings/{finding_gd}/notice/", 302, 403, 400, 400, 403, 403, 403),
    row("post", "/supervision/findings/{finding_bj}/notice/", 302, 403, 400, 404, 403, 403, 403),
    row("get", "/supervision/findings/{finding_gd}/notice/", 302, 403, 405, 405, 403, 403, 403),
    row("get", "/supervision/notices/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/notices/?status=zz&page=q", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/notices/{notice_gd}/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/notices/{notice_bj}/", 302, 403, 200, 404, 403, 403, 403),
    row("post", "/supervision/notices/{notice_gd}/accept/", 302, 403, 409, 409, 403, 403, 403),
    row("post", "/supervision/notices/{notice_bj}/accept/", 302, 403, 409, 404, 403, 403, 403),
    row("get", "/supervision/notices/{notice_gd}/accept/", 302, 403, 405, 405, 403, 403, 403),
    row("post", "/supervision/notices/{notice_gd}/reopen/", 302, 403, 400, 400, 403, 403, 403),
    row("post", "/supervision/notices/{notice_bj}/reopen/", 302, 403, 400, 404, 403, 403, 403),
    row("get", "/operator/notices/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/notices/{notice_gd}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/notices/{notice_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/operator/notices/{notice_gd}/answer/", 302, 403, 403, 403, 400, 403, 403),
    row("post", "/operator/notices/{notice_cucc}/answer/", 302, 403, 403, 403, 404, 403, 403),
    row("get", "/operator/notices/{notice_gd}/answer/", 302, 403, 403, 403, 405, 403, 403),
    # Subscribers' disputes: dispute_gd of a CMCC registration, dispute_cucc of a CUCC one.
    row("get", "/operator/disputes/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/disputes/?status=zz&page=q", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/disputes/{dispute_gd}/", 302, 403, 403, 403, 200, 403, 403),
    row("get", "/operator/disputes/{dispute_cucc}/", 302, 403, 403, 403, 404, 403, 403),
    row("post", "/operator/disputes/{dispute_gd}/uphold/", 302, 403, 403, 403, 302, 403, 403),
    row("post", "/operator/disputes/{dispute_cucc}/uphold/", 302, 403, 403, 403, 404, 403, 403),
    row("get", "/operator/disputes/{dispute_gd}/uphold/", 302, 403, 403, 403, 405, 403, 403),
    row("post", "/operator/disputes/{dispute_gd}/answer/", 302, 403, 403, 403, 400, 403, 403),
    row("post", "/operator/disputes/{dispute_cucc}/answer/", 302, 403, 403, 403, 404, 403, 403),
    row("get", "/supervision/disputes/overdue/", 302, 403, 200, 200, 403, 403, 403),
    # A dispute is opened only in a subscriber's session, which no staff sign-in is.
    row("get", "/me/numbers/{app_gd}/dispute/", 302, 302, 302, 302, 302, 302, 302),
    row("post", "/me/numbers/{app_gd}/dispute/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/me/numbers/{app_gd}/consent/", 302, 302, 302, 302, 302, 302, 302),
    row("get", "/me/numbers/{app_gd}/consent.json", 302, 302, 302, 302, 302, 302, 302),
    row("post", "/me/numbers/{app_gd}/consent/withdraw/", 302, 302, 302, 302, 302, 302, 302),
    # Risk alerts (h4): alert_gd is on a CMCC outlet in Guangdong, alert_bj in Beijing.
    row("get", "/supervision/risk/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/risk/?status=zz&province=1&page=q", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/risk/{alert_gd}/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/risk/{alert_bj}/", 302, 403, 200, 404, 403, 403, 403),
    row("post", "/supervision/risk/{alert_gd}/change/", 302, 403, 400, 400, 403, 403, 403),
    row("post", "/supervision/risk/{alert_bj}/change/", 302, 403, 400, 404, 403, 403, 403),
    row("get", "/supervision/risk/{alert_gd}/change/", 302, 403, 405, 405, 403, 403, 403),
    # The overview (h1): figures in each one's scope (a carrier admin's is their operator's, by
    # any province); a code or id outside the scope is a 404, a bad period a 400.
    row("get", "/supervision/", 302, 200, 200, 200, 200, 403, 403),
    row("post", "/supervision/", 302, 405, 405, 405, 405, 403, 403),
    row("get", "/supervision/?first=2026-01-20&last=2026-01-10", 302, 400, 400, 400, 400, 403, 403),
    row("get", "/supervision/?province=110000", 302, 200, 200, 404, 200, 403, 403),
    row("get", "/supervision/?operator=CUCC", 302, 200, 200, 200, 404, 403, 403),
    row("get", OVERVIEW_STAFF_CUCC, 302, 200, 200, 200, 404, 403, 403),
    row("get", "/operator/dashboard/", 302, 200, 200, 200, 200, 403, 403),
    row("get", "/supervision/fairness/", 302, 200, 200, 200, 200, 403, 403),
    row("get", "/supervision/fairness/?province=110000", 302, 200, 200, 404, 200, 403, 403),
    row("get", "/supervision/fairness/?from=2026-02-30", 302, 400, 400, 400, 400, 403, 403),
    row("post", "/supervision/fairness/", 302, 405, 405, 405, 405, 403, 403),
    row("get", SUMMARY_JANUARY, 302, 200, 200, 200, 200, 403, 403),
    row("get", "/supervision/summary.json?from=2026-13-01", 302, 400, 400, 400, 400, 403, 403),
    row("get", f"{SUMMARY_JANUARY}&province=110000", 302, 200, 200, 404, 200, 403, 403),
    row("get", "/supervision/export/{csv_table}.csv", 302, 200, 200, 200, 200, 403, 403),
    row("get", "/supervision/export/nothing.csv", 302, 404, 404, 404, 404, 403, 403),
    row("get", "/supervision/export/{csv_table}.xlsx", 302, 200, 200, 200, 200, 403, 403),
    row(
        "get",
        "/supervision/export/{csv_table}.xlsx?province=110000",
        302,
        200,
        200,
        404,
        200,
        403,
        403,
    ),  # fmt: skip
    row("get", "/supervision/export/nothing.xlsx", 302, 404, 404, 404, 404, 403, 403),
    row("get", "/supervision/?rate=retake", 302, 200, 200, 200, 200, 403, 403),
    row("get", "/supervision/?rate=nonsense", 302, 400, 400, 400, 400, 403, 403),
    # Spot checks (h2): spot_gd is a campaign over Guangdong, spot_bj over Beijing (both by the
    # nation-wide inspector), each with one sample; an empty verdict form is a 400.
    row("get", "/supervision/spot-checks/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/spot-checks/new/", 302, 403, 200, 200, 403, 403, 403),
    row("post", "/supervision/spot-checks/new/", 302, 403, 400, 400, 403, 403, 403),
    row("get", "/supervision/spot-checks/{spot_gd}/", 302, 403, 200, 200, 403, 403, 403),
    row("get", "/supervision/spot-checks/{spot_bj}/", 302, 403, 200, 404, 403, 403, 403),
    row("post", "/supervision/spot-checks/{spot_gd}/close/", 302, 403, 302, 302, 403, 403, 403),
    row("post", "/supervision/spot-checks/{spot_bj}/close/", 302, 403, 302, 404, 403, 403, 403),
    row("get", "/supervision/spot-checks/{spot_gd}/close/", 405, 405, 405, 405, 405, 405, 405),
    row(
        "get",
        "/supervision/spot-checks/{spot_gd}/samples/{sample_gd}/",
        302,
        403,
        200,
        200,
        403,
        403,
        403,
    ),
    row(
        "get",
        "/supervision/spot-checks/{spot_bj}/samples/{sample_bj}/",
        302,
        403,
        200,
        404,
        403,
        403,
        403,
    ),
    row(
        "get",
        "/supervision/spot-checks/{spot_gd}/samples/{sample_bj}/",
        302,
        403,
        404,
        404,
        403,
        403,
        403,
    ),
    row(
        "post",
        "/supervision/spot-checks/{spot_gd}/samples/{sample_gd}/",
        302,
        403,
        400,
        400,
        403,
        403,
        403,
    ),
    row(
        "post",
        "/supervision/spot-checks/{spot_bj}/samples/{sample_bj}/",
        302,
        403,
        400,
        404,
        403,
        403,
        403,
    ),
    row(
        "post",
        "/supervision/spot-checks/{spot_gd}/samples/{sample_gd}/evidence/",
        302,
        403,
        302,
        302,
        403,
        403,
        403,
    ),
    row(
        "post",
        "/supervision/spot-checks/{spot_bj}/samples/{sample_bj}/evidence/",
        302,
        403,
        302,
        404,
        403,
        403,
        403,
    ),
    row(
        "get",
        "/supervision/spot-checks/{spot_gd}/samples/{sample_gd}/evidence/",
        405,
        405,
        405,
        405,
        405,
        405,
        405,
    ),
    row(
        "get",
        "/admin/registrations/registration/{reg_gd}/change/",
        302,
        200,
        302,
        302,
        302,
        302,
        302,
    ),
]


# The partner API: every operation for every principal. A key of CMCC's partner, a key of
# another operator (CUCC), a revoked and an expired CMCC key, no key, and a person signed in to
# the pages (the carrier admin: the API takes no session). Objects: api_draft and api_ready are
# CMCC's partner's online drafts (api_ready has its consent and portrait), api_approved is
# approved; reg_gd is CMCC's too, but an outlet's: not the partner's, so a 404 like any other.
API_PRINCIPALS = ["key_cmcc", "key_cucc", "key_revoked", "key_expired", "no_key", "page_user"]
NO_ID = "00000000-0000-0000-0000-000000000000"


def api_row(method, url, *statuses, body=None):
    assert len(statuses) == len(API_PRINCIPALS)
    return (method, url, body, dict(zip(API_PRINCIPALS, statuses, strict=True)))


#                                                          cmcc cucc revoked expired none page
API_MATRIX = [
    # The key a request is made with, described to its holder.
    api_row("get", "/api/v1/api-key", 200, 200, 401, 401, 401, 401),
    # The reason vocabulary is documentation: no key needed, but a key sent is checked.
    api_row("get", "/api/v1/reasons", 200, 200, 401, 401, 200, 200),
    api_row("get", "/api/v1/registrations", 200, 200, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations", 400, 400, 401, 401, 401, 401, body={}),
    api_row("get", "/api/v1/registrations/{api_draft}", 200, 404, 401, 401, 401, 401),
    api_row("get", "/api/v1/registrations/{reg_gd}", 404, 404, 401, 401, 401, 401),
    api_row("get", f"/api/v1/registrations/{NO_ID}", 404, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{api_approved}/cancel", 200, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{api_draft}/cancel", 409, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{reg_gd}/cancel", 404, 404, 401, 401, 401, 401),
    api_row("get", "/api/v1/registrations/{api_approved}/cancel", 405, 405, 401, 401, 401, 401),
    # A body that is not an image: the scope is checked first, then the Content-Type.
    api_row("put", "/api/v1/registrations/{api_draft}/portrait", 415, 404, 401, 401, 401, 401),
    api_row("put", "/api/v1/registrations/{reg_gd}/portrait", 404, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{api_draft}/consent", 400, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{reg_gd}/consent", 404, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{api_ready}/challenges", 201, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{api_draft}/challenges", 409, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{reg_gd}/challenges", 404, 404, 401, 401, 401, 401),
    # JSON instead of multipart: refused before anything is spent.
    api_row("post", "/api/v1/registrations/{api_ready}/captures", 415, 404, 401, 401, 401, 401),
    api_row("post", "/api/v1/registrations/{reg_gd}/captures", 404, 404, 401, 401, 401, 401),
    api_row("get", "/api/v1/registrations/{api_draft}/verification", 200, 404, 401, 401, 401, 401),
    api_row("get", "/api/v1/registrations/{reg_gd}/verification", 404, 404, 401, 401, 401, 401),
    # Webhook endpoints: webhook_cmcc is CMCC's partner's, so another operator's key gets a 404.
    api_row("get", "/api/v1/webhook-endpoints", 200, 200, 401, 401, 401, 401),
    api_row("post", "/api/v1/webhook-endpoints", 400, 400, 401, 401, 401, 401, body={}),
    api_row("get", "/api/v1/webhook-endpoints/{webhook_cmcc}", 200, 404, 401, 401, 401, 401),
    api_row("patch", "/api/v1/webhook-endpoints/{webhook_cmcc}", 200, 404, 401, 401, 401, 401),
    api_row("delete", f"/api/v1/webhook-endpoints/{NO_ID}", 404, 404, 401, 401, 401, 401),
    api_row(
        "post",
        "/api/v1/webhook-endpoints/{webhook_cmcc}/rotate-secret",
        200,
        404,
        401,
        401,
        401,
        401,
    ),
]


def _api_world(users, cmcc, cucc) -> tuple[dict, dict]:
    """The API's principals (plaintext keys) and objects (ids)."""
    from django.conf import settings

    from portal.api.models import ApiKey
    from portal.api.services import api_key_create, api_key_revoke
    from registrations import services
    from tests.factories import next_iccid, next_msisdn, subscriber_details
    from verification.services import consent_record

    partner, admin = users["partner"], users["carrier_admin"]

    def online(status="draft"):
        registration = services.registration_create(
            actor=partner,
            subscriber=subscriber_details(),
            operator=cmcc,
            msisdn=next_msisdn(),
            iccid=next_iccid(),
        )
        if status == "approved":
            services.registration_submit(
                registration=registration, actor=partner, with_capture=True
            )
            services.registration_start_verification(registration=registration)
            services.registration_decide(registration=registration, decision="approved", reasons=[])
        return registration

    ready = online()
    consent_record(
        registration=ready, actor=partner, text_version=settings.BIOMETRIC_CONSENT_VERSION
    )
    store_stand_in_portrait(ready)
    revoked, revoked_key = api_key_create(operator=cmcc, name="revoked", actor=admin)
    api_key_revoke(api_key=revoked, actor=admin)
    expired, expired_key = api_key_create(operator=cmcc, name="expired", actor=admin)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiKey.objects.filter(pk=expired.pk).update(
        created_at=an_hour_ago - timedelta(days=1), expires_at=an_hour_ago
    )
    keys = {
        "key_cmcc": api_key_create(operator=cmcc, name="shop", actor=admin)[1],
        "key_cucc": api_key_create(operator=cucc, name="app", actor=users["carrier_admin_cucc"])[1],
        "key_revoked": revoked_key,
        "key_expired": expired_key,
    }
    ids = {"api_draft": online().pk, "api_ready": ready.pk, "api_approved": online("approved").pk}
    return keys, ids


def _key_page_ids() -> dict:
    """A key of each operator for the key pages, and a problem page's code."""
    from portal.api.models import ApiKey

    return {
        "apikey_cmcc": ApiKey.objects.get(name="shop").pk,
        "apikey_cucc": ApiKey.objects.get(name="app").pk,
        "problem": "not_found",
    }


def _webhook_ids(users, cmcc, cucc) -> dict:
    """An endpoint of each operator's partner account, and a message to each."""
    from portal.api.models import ApiKey, WebhookMessage
    from portal.api.webhooks import webhook_endpoint_create

    def endpoint_and_message(owner, operator):
        endpoint, _ = webhook_endpoint_create(
            owner=owner,
            operator=operator,
            url="https://8.8.8.8/hooks",
            events=["registration.decided"],
        )
        message = WebhookMessage.objects.create(
            endpoint=endpoint, event_type="registration.decided", payload={}
        )
        return endpoint.pk, message.pk

    cucc_partner = ApiKey.objects.get(name="app").account
    webhook_cmcc, message_cmcc = endpoint_and_message(users["partner"], cmcc)
    webhook_cucc, message_cucc = endpoint_and_message(cucc_partner, cucc)
    return {
        "webhook_cmcc": webhook_cmcc,
        "message_cmcc": message_cmcc,
        "webhook_cucc": webhook_cucc,
        "message_cucc": message_cucc,
    }


def _viewing_grants(users, registration) -> dict:
    """Grants to see ``registration``'s evidence: two live ones, and one ended."""
    now = timezone.now()

    def grant(user, expires_at):
        return ViewingGrant.objects.create(
            registration=registration,
            user=user,
            reason="matrix check",
            issued_at=now - timedelta(hours=2),
            expires_at=expires_at,
        ).pk

    return {
        "grant_gd": grant(users["inspector_gd"], now + timedelta(days=1)),
        "grant_carrier": grant(users["carrier_admin"], now + timedelta(days=1)),
        "grant_old": grant(users["inspector_gd"], now - timedelta(hours=1)),
    }


def _notice_ids(users, cmcc, cucc, guangdong, beijing) -> dict:
    """A finding and its issued notice: CMCC's in Guangdong and in Beijing, CUCC's in
    Guangdong (recorded by the nation-wide inspector)."""
    from portal.supervision.services.notices import finding_record, notice_issue

    def notice(operator, where):
        finding = finding_record(
            actor=users["inspector"], operator=operator, province=where, severity="low",
            description="Matrix check finding.",
        )  # fmt: skip
        issued = notice_issue(
            actor=users["inspector"], finding=finding,
            deadline=timezone.localdate() + timedelta(days=7), required_actions="Fix it soon.",
        )  # fmt: skip
        return finding.pk, issued.pk

    finding_gd, notice_gd = notice(cmcc, guangdong)
    finding_bj, notice_bj = notice(cmcc, beijing)
    notice_cucc = notice(cucc, guangdong)[1]
    return {"finding_gd": finding_gd, "notice_gd": notice_gd, "finding_bj": finding_bj,
            "notice_bj": notice_bj, "notice_cucc": notice_cucc}  # fmt: skip


def _spot_check_ids(users, outlet_gd, outlet_bj, guangdong, beijing) -> dict:
    """A campaign over Guangdong and one over Beijing, each drawn from one approved
    registration (by the nation-wide inspector)."""
    from portal.supervision.selectors.spot_checks import Population
    from portal.supervision.services.spot_checks import spot_check_create

    def campaign(outlet, staff, where):
        create_registration(actor=staff, outlet=outlet, status="approved")
        today = timezone.localdate()
        over = Population(decided_from=today, decided_to=today, province=where)
        drawn = spot_check_create(
            actor=users["inspector"], name=f"Matrix {where.pk}", population=over
        )
        return drawn.pk, drawn.samples.get().pk

    spot_gd, sample_gd = campaign(outlet_gd, users["staff"], guangdong)
    spot_bj, sample_bj = campaign(outlet_bj, users["staff_bj"], beijing)
    return {"spot_gd": spot_gd, "sample_gd": sample_gd, "spot_bj": spot_bj, "sample_bj": sample_bj}


def _risk_alert_ids(outlet_gd, outlet_bj) -> dict:
    """An open alert on an outlet in Guangdong and one on an outlet in Beijing."""
    from portal.supervision.risk.base import Hit, Subject
    from portal.supervision.services.alerts import risk_alert_upsert

    def alert(outlet):
        subject = Subject("outlet", outlet.pk, outlet.operator_id, outlet.province_id)
        return risk_alert_upsert(hit=Hit("failure_rate", subject, 3.0, {}))[1].pk

    return {"alert_gd": alert(outlet_gd), "alert_bj": alert(outlet_bj)}


def _dispute_ids(users, outlet_gd, outlet_cucc_gd, staff_cucc) -> dict:
    """An open dispute of an approved CMCC registration and one of a CUCC registration."""
    from portal.selfservice.services.disputes import dispute_open

    def dispute(actor, outlet):
        registration = create_registration(actor=actor, outlet=outlet, status="approved")
        return dispute_open(
            subscriber=registration.subscriber, registration=registration, reason="not_mine",
            detail="", contact="13900139000",
        ).pk  # fmt: skip

    return {
        "dispute_gd": dispute(users["staff"], outlet_gd),
        "dispute_cucc": dispute(staff_cucc, outlet_cucc_gd),
    }


def _build_world() -> dict:
    """Two operators, their outlets and staff, one user per role, registrations in draft and
    in review, and a stand-in portrait for each case in review."""
    guangdong, beijing = province("440000"), province("110000")
    cmcc, cucc = make_operator("CMCC", "China Mobile"), make_operator("CUCC", "China Unicom")
    outlet_gd = make_outlet(cmcc, guangdong, "GD-001")
    outlet_bj = make_outlet(cmcc, beijing, "BJ-001")
    outlet_cucc_gd = make_outlet(cucc, guangdong, "GD-101")
    users = make_users(
        cmcc=cmcc, cucc=cucc, guangdong=guangdong, outlet_gd=outlet_gd, outlet_bj=outlet_bj
    )
    staff_cucc = user_create(
        username="staff_cucc", password=PASSWORD, role=Role.OUTLET_STAFF, operator=cucc,
        outlets=[outlet_cucc_gd],
    )  # fmt: skip
    rev_gd = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    rev_bj = create_registration(actor=users["staff_bj"], outlet=outlet_bj, status="review")
    rev_cucc = create_registration(actor=staff_cucc, outlet=outlet_cucc_gd, status="review")
    ids = {
        "reg_gd": create_registration(actor=users["staff"], outlet=outlet_gd).pk,
        "reg_bj": create_registration(actor=users["staff_bj"], outlet=outlet_bj).pk,
        "reg_cucc": create_registration(actor=staff_cucc, outlet=outlet_cucc_gd).pk,
        "rev_gd": rev_gd.pk,
        "rev_cucc": rev_cucc.pk,
        "ev_gd": store_stand_in_portrait(rev_gd).pk,
        "ev_bj": store_stand_in_portrait(rev_bj).pk,
        "ev_cucc": store_stand_in_portrait(rev_cucc).pk,
        "outlet_gd": outlet_gd.pk,
        "outlet_cucc": outlet_cucc_gd.pk,
        "staff_gd": users["staff"].pk,
        "staff_cucc": staff_cucc.pk,
        "totp": "totp",  # a kind of second-factor device, and a device nobody has
        "no_device": 0,
        "csv_table": "by_province",  # a table of the overview
        **_viewing_grants(users, rev_gd),
    }
    ids.update(_notice_ids(users, cmcc, cucc, guangdong, beijing))
    ids.update(_spot_check_ids(users, outlet_gd, outlet_bj, guangdong, beijing))
    # Approved after the spot checks are drawn, so that each draws its one registration.
    ids["app_gd"] = create_registration(
        actor=users["staff"], outlet=outlet_gd, status="approved"
    ).pk
    ids.update(_risk_alert_ids(outlet_gd, outlet_bj))
    ids.update(_dispute_ids(users, outlet_gd, outlet_cucc_gd, staff_cucc))
    api_keys, api_ids = _api_world(users, cmcc, cucc)
    api_ids.update(_key_page_ids())
    api_ids.update(_webhook_ids(users, cmcc, cucc))
    return {"users": users, "ids": {**ids, **api_ids}, "api_keys": api_keys}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of every row, built once: in a transaction rolled back after the module's
    last test. Each test runs in a savepoint inside it, so what one request changes (a
    cancellation, a sign-out) no other test sees."""
    evidence_root = tmp_path_factory.mktemp("matrix-evidence")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(EVIDENCE_ROOT=evidence_root, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        built = _build_world()
        built["evidence_root"] = evidence_root
        yield built
        transaction.set_rollback(True)


CASES = [
    pytest.param(method, url, role, expected, id=f"{method} {url} as {role}")
    for method, url, expected_by_role in MATRIX
    for role, expected in expected_by_role.items()
]


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_each_role_gets_the_expected_status(
    world, db, client, settings, method, url, role, expected
):
    settings.EVIDENCE_ROOT = world["evidence_root"]
    if role != "anonymous":
        sign_in(client, world["users"][role])
    response = getattr(client, method)(url.format(**world["ids"]))
    assert response.status_code == expected, response.content[:300]
    if role == "anonymous" and expected == 302 and not url.startswith(("/accounts", "/admin")):
        login = reverse("selfservice:start") if url.startswith("/me/") else reverse("login")
        assert response["Location"].startswith(login)
    if url.startswith("/admin/") and expected == 302 and role != "ministry_admin":
        # Django's admin sends them to its own login page (from its logout, to its index first).
        if url == "/admin/logout/":
            assert response["Location"] == reverse("admin:index")
        else:
            assert response["Location"].startswith(reverse("admin:login"))


API_CASES = [
    pytest.param(method, url, body, who, expected, id=f"{method} {url} as {who}")
    for method, url, body, expected_by_principal in API_MATRIX
    for who, expected in expected_by_principal.items()
]


@pytest.mark.parametrize(("method", "url", "body", "who", "expected"), API_CASES)
def test_each_api_principal_gets_the_expected_status(
    world, db, client, settings, method, url, body, who, expected
):
    settings.EVIDENCE_ROOT = world["evidence_root"]
    headers = {"HTTP_IDEMPOTENCY_KEY": f"matrix-{method}-{url}-{who}"[:255]}
    if who in world["api_keys"]:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['api_keys'][who]}"
    if who == "page_user":
        sign_in(client, world["users"]["carrier_admin"])
    path = url.format(**world["ids"])
    if method == "get":
        response = client.get(path, **headers)
    elif method == "put":
        response = client.put(path, b"not an image", content_type="text/plain", **headers)
    else:
        response = getattr(client, method)(
            path, body or {}, content_type="application/json", **headers
        )
    assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/problem+json" if expected >= 400 else "application/json"
    )


def test_the_matrix_covers_every_url_of_the_site():
    """A new URL must be added to the matrix: this fails until it is."""
    from django.urls import get_resolver

    def patterns(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                if route.startswith("admin/"):
                    continue  # Django's admin: its entry points are in the matrix
                yield from patterns(entry, route)
            else:
                yield route

    import re

    urls = [url for _, url, _ in MATRIX] + [url for _, url, _, _ in API_MATRIX]
    covered = {re.sub(r"\{\w+\}", "<>", url.split("?")[0]) for url in urls}
    for route in patterns(get_resolver()):
        normalized = "/" + re.sub(r"<[^>]+>", "<>", route)
        assert normalized in covered, f"{normalized} is missing from the authorization matrix"
