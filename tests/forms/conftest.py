"""Fixtures for the public portal: both mechanisms with their demo pages, a valid submission,
files made with Pillow, and staff of given units."""

import io
import random
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from cases.identity import make_credit_code, make_mobile, make_resident_id
from forms.models import IntakeFormPage, TrackingPage
from tests.factories import load_mechanisms, make_staff


@pytest.fixture(autouse=True)
def fresh_caches():
    # Rate-limit counters live in the cache, and a rolled-back test's form fields must not
    # survive in the per-process form-class cache (rollbacks send no signals).
    from forms.intake_form import _FORM_CLASSES

    cache.clear()
    _FORM_CLASSES.clear()
    yield
    cache.clear()
    _FORM_CLASSES.clear()


@pytest.fixture(scope="module")
def portal_data(django_db_setup, django_db_blocker):
    """Both mechanisms and the demo pages, made once per module and rolled back after it; each
    test runs in its own savepoint inside (loading them is most of a test's time)."""
    from home.demo import demo_home_page

    with django_db_blocker.unblock(), transaction.atomic():
        load_mechanisms()
        demo_home_page()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def portal(portal_data, db):
    from cases.models import Mechanism
    from home.models import HomePage

    gaoping = Mechanism.objects.get(slug="gaoping")
    return SimpleNamespace(
        home=HomePage.objects.get(),
        gaoping=gaoping,
        yuanjiang=Mechanism.objects.get(slug="yuanjiang"),
        form_page=IntakeFormPage.objects.get(mechanism=gaoping),
        track=TrackingPage.objects.get(),
    )


@pytest.fixture
def form_url(portal):
    return portal.form_page.url


@pytest.fixture
def valid_data(portal):
    rng = random.Random(11)

    def make(**overrides):
        data = {
            "complainant_type": "individual",
            "complainant_name": "李秀英",
            "complainant_id_number": make_resident_id(rng),
            "complainant_phone": make_mobile(rng),
            "employer_name": "高平市鑫源煤业有限公司",
            "employer_credit_code": make_credit_code(rng),
            "category": str(portal.gaoping.categories.get(code="late-fee").pk),
            "facts": "单位2025年3月起未按时申报，税务部门加收滞纳金，本人认为不应由个人承担。",
            "request": "请求核实并退还多收的滞纳金。",
            "people_count": "3",
            "privacy_consent": "on",
            "submission_token": f"token-{rng.getrandbits(96):024x}",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


@pytest.fixture
def staff_of():
    def make(mechanism, code: str, username: str | None = None):
        return make_staff(mechanism.units.get(code=code), username)

    return make


def jpeg_bytes(*, exif_gps: bool = False, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"       # Make
        exif[0x0110] = "PhoneModel X"     # Model
        exif[0x0112] = 6                  # Orientation: rotate 90° when shown
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (35.0, 47.0, 0.0)
        gps[3] = "E"
        gps[4] = (112.0, 55.0, 0.0)
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def _make_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "white").save(out, "PDF")
    return out.getvalue()


_PDF = _make_pdf()  # once: Pillow stamps the time into each PDF it writes


def pdf_bytes() -> bytes:
    return _PDF


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
