"""The Content-Security-Policy against a real Chromium: Wagtail's admin renders, its JavaScript
runs, and the browser reports no violation — on the login page, the dashboard and the ledger."""

from __future__ import annotations

import shutil

import pytest

from cases.actors import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.skip("缺少 /usr/bin/chromium，跳过浏览器测试")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django must still use the DB here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.problems = []
        # CSP reports and JavaScript errors; a missing favicon is neither.
        page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}")
                if "Content Security Policy" in m.text
                or (m.type == "error" and "Failed to load resource" not in m.text) else None)
        page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
        # securitypolicyviolation events, collected in the page itself
        page.add_init_script("""
            window.__csp = [];
            document.addEventListener('securitypolicyviolation', e => window.__csp.push(
                e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '')));
        """)
        yield page
        browser.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__csp") + page.problems


def visit(page, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], url
    return page.content()


def test_wagtail_admin_works_under_the_policy(live_server, browser_page, gaoping, staff, register,
                                              django_user_model):
    from home.demo import demo_home_page

    home = demo_home_page()
    case = register(gaoping, Actor.staff(staff(gaoping, "petition")))
    django_user_model.objects.create_superuser("csp_admin", "a@example.gov.cn", "Gaoping#2026")
    page, base = browser_page, live_server.url
    visit(page, f"{base}/admin/login/")
    page.fill("input[name=username]", "csp_admin")
    page.fill("input[name=password]", "Gaoping#2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.wait_for_load_state("networkidle")
    assert "控制面板" in page.content()
    # Wagtail's JavaScript ran: the Stimulus app exists and rendered the sidebar's navigation.
    assert page.evaluate("typeof window.wagtail === 'object' && !!window.wagtail.app")
    page.wait_for_selector("[data-wagtail-sidebar] nav, #wagtail-sidebar nav", timeout=10_000)
    assert violations(page) == []

    assert "争议台账" in visit(page, f"{base}/admin/cases/case/")
    assert case.number in visit(page, f"{base}/admin/cases/case/inspect/{case.pk}/")
    page.click("text=查看完整信息")
    page.wait_for_load_state("networkidle")
    assert case.complainant_id_number in page.content() and violations(page) == []
    assert "审计日志" in visit(page, f"{base}/admin/security/audit/")
    assert "<svg" in visit(page, f"{base}/admin/security/otp/")
    # A Wagtail editor page (inline scripts allowed outside the strict areas) works too.
    visit(page, f"{base}/admin/pages/{home.pk}/edit/")
    assert page.evaluate("!!document.querySelector('form[data-edit-form], #page-edit-form')")


def test_the_public_pages_need_no_exception(live_server, browser_page):
    from forms.models import IntakeFormPage, TrackingPage
    from home.demo import demo_home_page
    from tests.factories import load_mechanisms

    load_mechanisms("gaoping")
    demo_home_page()
    page, base = browser_page, live_server.url
    for url in ("/", TrackingPage.objects.get().url, IntakeFormPage.objects.first().url):
        visit(page, f"{base}{url}")
