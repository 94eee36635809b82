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


# Objects: reg_gd = CMCC outlet in Guangdong (staff's own); reg_bj = CMCC outlet in Beijing;
# reg_cucc = CUCC outlet in Guangdong. outlet_*/staff_* likewise.
#                                                      anon admin insp insp_gd carrier staff partner
MATRIX = [
    row("get", "/", 302, 302, 302, 302, 302, 302, 403),
    row("get", "/accounts/login/", 200, 302, 302, 302, 302, 302, 302),
    row("post", "/accounts/login/", 200, 302, 302, 302, 302, 302, 302),
    row("post", "/accounts/logout/", 302, 302, 302, 302, 302, 302, 302),
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
        **_viewing_grants(users, rev_gd),
    }
    return {"users": users, "ids": ids}


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
        assert response["Location"].startswith(reverse("login"))
    if url.startswith("/admin/") and expected == 302 and role != "ministry_admin":
        # Django's admin sends them to its own login page (from its logout, to its index first).
        if url == "/admin/logout/":
            assert response["Location"] == reverse("admin:index")
        else:
            assert response["Location"].startswith(reverse("admin:login"))


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

    covered = {re.sub(r"\{\w+\}", "<>", url.split("?")[0]) for _, url, _ in MATRIX}
    for route in patterns(get_resolver()):
        normalized = "/" + re.sub(r"<[^>]+>", "<>", route)
        assert normalized in covered, f"{normalized} is missing from the authorization matrix"
