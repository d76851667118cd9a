"""CSP, CSRF, no-store on personal data, private files outside the web root, check --deploy."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.actors import Actor
from tests.factories import load_mechanisms

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def portal(db):
    from forms.models import IntakeFormPage, TrackingPage
    from home.demo import demo_home_page

    mechanisms = load_mechanisms()
    demo_home_page()
    return {"form": IntakeFormPage.objects.get(mechanism=mechanisms["gaoping"]),
            "track": TrackingPage.objects.get(), **mechanisms}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_public_site_runs_no_inline_code(client, portal):
    response = client.get(portal["form"].url)
    assert response.status_code == 200
    csp = directives(response)
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/cases/case/",
                                  "/admin/onestop/intake/", "/admin/security/audit/"])
def test_admin_pages_with_public_input_allow_no_inline_scripts(client, admin_user, path):
    client.force_login(admin_user)
    csp = directives(client.get(path))
    assert csp["script-src"] == ["'self'"] and "'unsafe-inline'" in csp["style-src"]
    assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"]


def test_wagtails_editors_get_the_inline_scripts_they_need(client, admin_user):
    client.force_login(admin_user)
    csp = directives(client.get("/admin/pages/"))
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in " ".join(sum(csp.values(), []))


def test_csrf_refuses_a_public_intake_post_without_the_token(portal):
    client = Client(enforce_csrf_checks=True)
    response = client.post(portal["form"].url, {"complainant_name": "李秀英"})
    assert response.status_code == 403


def test_csrf_refuses_an_admin_transition_without_the_token(gaoping, staff, register):
    from cases.models import Case, CaseStatus

    petition = staff(gaoping, "petition")
    case = register(gaoping, Actor.staff(petition))
    client = Client(enforce_csrf_checks=True)
    client.force_login(petition)
    url = reverse("cases_admin:transition", args=[case.pk, "transfer"])
    response = client.post(url, {"transfer-lead_unit": gaoping.units.get(code="tax").pk})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
    assert client.post(reverse("security_admin:case_reveal", args=[case.pk])).status_code == 403


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/cases/case/"])
def test_admin_pages_are_never_stored(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_tracking_and_intake_pages_are_never_stored_but_the_home_page_may_be(client, portal):
    for page in (portal["track"], portal["form"]):
        response = client.get(page.url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], page.url
    home = client.get("/")
    assert "no-store" not in home.get("Cache-Control", "")


def test_file_downloads_are_never_stored(client, admin_user):
    client.force_login(admin_user)
    for path in ("/files/attachments/999999/", "/documents/999999/x.pdf"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_private_files_are_outside_the_web_root():
    private = Path(settings.PRIVATE_ROOT).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not private.is_relative_to(media) and not media.is_relative_to(private)
    assert "private" not in settings.MEDIA_URL
    base = ROOT / "config" / "settings" / "base.py"
    env = {k: v for k, v in os.environ.items() if k not in ("MEDIA_ROOT", "PRIVATE_ROOT")}
    out = subprocess.run([sys.executable, "-c", (
        "from config.settings import base as b;"
        "print(b.PRIVATE_ROOT.resolve().is_relative_to(b.MEDIA_ROOT.resolve()))")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert base.exists() and out.stdout.strip() == "False", out.stderr


def test_a_private_file_is_not_served_under_media_url(client, settings, tmp_path):
    # Even with DEBUG's static serving, only MEDIA_ROOT is mapped, never PRIVATE_ROOT.
    from config import urls

    for pattern in urls.urlpatterns:
        document_root = getattr(pattern, "default_args", {}).get("document_root")
        if document_root:
            assert Path(document_root).resolve() != Path(settings.PRIVATE_ROOT).resolve()
    assert client.get("/media/../private/x").status_code == 404


def test_check_deploy_is_clean():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production",
               SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="x.gov.cn",
               ONESTOP_FIELD_KEY=base64.b64encode(os.urandom(32)).decode())
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_https_only_and_hsts_is_on():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ONESTOP_FIELD_KEY=base64.b64encode(os.urandom(32)).decode())
    code = ("from config.settings import production as p;"
            "print(p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE, p.SESSION_COOKIE_HTTPONLY,"
            " p.SECURE_SSL_REDIRECT, p.SECURE_HSTS_SECONDS >= 31536000,"
            " p.SESSION_EXPIRE_AT_BROWSER_CLOSE, p.SESSION_COOKIE_AGE)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["True"] * 6 + ["1800"], out.stderr


def test_inline_pdfs_get_no_policy_that_would_break_the_viewer(rf):
    from django.http import HttpResponse

    from security.middleware import ContentSecurityPolicyMiddleware

    for content_type, expected in (("application/pdf", False), ("text/html; charset=utf-8", True)):
        middleware = ContentSecurityPolicyMiddleware(lambda r, ct=content_type: HttpResponse(
            b"x", content_type=ct))
        response = middleware(rf.get("/admin/docgen/version/1/preview/"))
        assert ("Content-Security-Policy" in response) is expected, content_type
