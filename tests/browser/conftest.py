"""Journeys in Debian's Chromium (Playwright, headless, no network): fixtures, the skip notice,
and the `Journey` helper that asserts what the person sees and saves a screenshot per step.

Screenshots go to var/screenshots/<journey>/<nn>-<step>.png (ONESTOP_SCREENSHOTS overrides)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

# Debian's package; ONESTOP_CHROMIUM points elsewhere (or at nothing, to see the skip notice).
CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "Gaoping#2026"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
HERE = Path(__file__).parent
BROWSER_COUNT = pytest.StashKey[int]()
SKIP_REASON = f"未找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk），浏览器测试已跳过"


def chromium_present() -> bool:
    return os.access(CHROMIUM, os.X_OK)


def _in_browser_dir(item) -> bool:
    return HERE in item.path.parents


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if _in_browser_dir(item)]
    for item in mine:
        item.add_marker(pytest.mark.browser)
        if not chromium_present():
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_report_collectionfinish(config, start_path, items):
    count = config.stash[BROWSER_COUNT] = sum(1 for item in items if _in_browser_dir(item))
    if not count:
        return []
    if chromium_present():
        version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                 check=False).stdout.strip()
        lines = [f"浏览器测试：{count} 项，使用 {version or CHROMIUM}；截图保存在 {screenshot_root()}"]
        if not _cjk_font_present():
            lines.append("!!! 未找到中文字体（apt-get install fonts-noto-cjk），截图中的中文会显示为方框")
        return lines
    return [f"!!! {SKIP_REASON}（{count} 项）"]


def _cjk_font_present() -> bool:
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                            check=False)
    return bool(listed.stdout.strip())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = config.stash.get(BROWSER_COUNT, 0)
    if count and not chromium_present():
        terminalreporter.write_sep("!", "浏览器测试未运行", red=True, bold=True)
        terminalreporter.write_line(f"{SKIP_REASON}（{count} 项）。", red=True, bold=True)


def screenshot_root() -> Path:
    return Path(os.environ.get("ONESTOP_SCREENSHOTS") or Path(settings.BASE_DIR) / "var" / "screenshots")


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per module. Playwright's sync API keeps an event loop running in
    this thread while it is open, so Django must be told the test thread may still use the DB;
    the flag is dropped again before other modules run."""
    if not chromium_present():
        pytest.skip(SKIP_REASON)
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(transactional_db, live_server):
    """Gaoping's mechanism and the portal pages, in a database the live server can see.
    Transactional tests flush every table afterwards, Wagtail's root page included, hence
    demo_home_page() (which recreates root, locale and site) on each test."""
    from django.core.cache import cache

    from forms.intake_form import _FORM_CLASSES
    from home.demo import demo_home_page
    from tests.factories import load_mechanisms

    cache.clear()  # rate-limit counters and Wagtail's site-root cache
    _FORM_CLASSES.clear()  # form classes keyed by page id, which the flush reuses
    mechanism = load_mechanisms("gaoping")["gaoping"]
    demo_home_page()
    yield mechanism
    cache.clear()
    _FORM_CLASSES.clear()


@pytest.fixture
def person(world):
    """person(unit_code, username, name) -> a unit's staff member who can log in with PASSWORD."""
    from tests.factories import make_staff

    def make(unit_code: str, username: str, name: str):
        user = make_staff(world.units.get(code=unit_code), username)
        user.first_name, user.last_name = name, ""
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


class Journey:
    """One person's browser tab. `see` waits for text to be visible; `shot` checks the page
    ran no failing script and broke no CSP rule, then saves numbered screenshots."""

    def __init__(self, context, name: str, base_url: str):
        self.context, self.base = context, base_url
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                     if "Content Security Policy" in m.text else None)
        self.dir = screenshot_root() / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def continue_in(self, other: Journey):
        """Save this tab's next screenshots in another journey's folder, numbered after it."""
        self.dir, self.step = other.dir, other.step

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def see(self, *texts: str | re.Pattern, within: str = "body"):
        from playwright.sync_api import expect

        for text in texts:
            expect(self.page.locator(within).first).to_contain_text(text, use_inner_text=True)

    def shot(self, step: str) -> Path:
        self.page.wait_for_load_state("load")
        assert self.problems == [], self.problems
        self.step += 1
        path = self.dir / f"{self.step:02d}-{step}.png"
        viewport = self.page.viewport_size
        # Wagtail's admin scrolls inside an element, so full_page alone shows one screen:
        # grow the window to the tallest scrolling content for the picture, then restore it.
        tallest = self.page.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('body, body *'), e => e.scrollHeight))")
        if tallest > viewport["height"]:
            self.page.set_viewport_size({"width": viewport["width"], "height": min(tallest, 8000)})
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(viewport)
        return path

    def submit(self, locator):
        """Click a submit button and wait for the page the server answers with."""
        target = self.page.locator(locator).first if isinstance(locator, str) else locator
        with self.page.expect_navigation():
            target.click()

    def no_horizontal_scroll(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"页面宽 {width}px，超出 {viewport}px 的屏幕"

    def login(self, username: str, name: str):
        self.goto("/admin/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit("button[type=submit]")
        assert re.search(r"/admin/$", self.page.url), self.page.url
        self.see(name)

    def close(self):
        self.context.close()


@pytest.fixture
def journey(chromium, live_server):
    """journey(name, phone=False) -> a Journey in a fresh browser context (own cookies)."""
    opened: list[Journey] = []

    def open_(name: str, *, phone: bool = False) -> Journey:
        options = PHONE if phone else DESKTOP
        context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                       accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        j = Journey(context, name, live_server.url)
        opened.append(j)
        return j

    yield open_
    for j in opened:
        j.close()


def photo_bytes(kind: str = "JPEG") -> bytes:
    """A small real photo-like image (a gradient with a block), made with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(image)
    for x in range(320):
        draw.line([(x, 0), (x, 240)], fill=(200 - x // 4, 180, 120 + x // 4))
    draw.rectangle([40, 60, 280, 180], fill=(250, 250, 240), outline=(60, 60, 60), width=3)
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"quality": 85} if kind == "JPEG" else {}))
    return buffer.getvalue()


def docx_text(path: str | Path) -> str:
    """All paragraph and table text of a .docx; python-docx raises if it is not a valid one."""
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
