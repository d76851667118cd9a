"""Fuzzing the public intake form: generated field values — unicode, control characters, huge
strings, several values for one field, bad check digits, missing fields, odd tokens and files.

Never a 500; and either a whole case (number on the receipt, register event, history row, the
token's receipt row) or nothing written at all.

ONESTOP_FUZZ_EXAMPLES sets the examples per test (default 300; docs/reliability.md).
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case, TimelineEvent
from forms.models import IntakeReceipt
from tests.forms.conftest import fresh_caches, jpeg_bytes, portal, portal_data  # noqa: F401, F811
from tests.security.fuzzing import FUZZ, credit_codes, mobiles, resident_ids

pytestmark = pytest.mark.django_db


bad_ids = st.one_of(
    resident_ids.map(lambda n: n[:-1] + ("1" if n[-1] == "0" else "0")),
    credit_codes.map(lambda n: n[:-1] + ("1" if n[-1] == "0" else "0")),
    resident_ids.map(lambda n: n.lower() + " "), st.text("0123456789Xx -", max_size=25))
controls = st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\u200b\u202e\ufeff\u2028"),
                   min_size=1, max_size=8)
huge = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(200, 30_000))
garbage = st.one_of(st.text(max_size=60), st.text(st.characters(codec="utf-8"), max_size=20),
                    controls, huge, st.builds(lambda a, b: a + b, st.text(max_size=20), controls),
                    st.integers().map(str), st.floats().map(str))


def value(valid):
    """Mostly valid, so the fuzzer gets past validation; otherwise garbage or several values."""
    return st.one_of(valid, valid, valid, garbage, st.lists(st.one_of(valid, garbage),
                                                            min_size=2, max_size=3))


def form_strategy(categories: list[str], extra_names: list[str]):
    extra = {name: value(st.sampled_from(["工作日上午", "任何时间", ""])) for name in extra_names}
    return st.fixed_dictionaries({}, optional={
        **extra,
        "complainant_type": value(st.sampled_from(["individual", "employer"])),
        "complainant_name": value(st.sampled_from(["李秀英", "高平市宏达建材有限公司", "Ōkubo 李"])),
        "complainant_id_number": value(st.one_of(resident_ids, credit_codes, bad_ids)),
        "complainant_phone": value(st.one_of(mobiles, st.just("0356-5221234"))),
        "employer_name": value(st.just("高平市鑫源煤业有限公司")),
        "employer_credit_code": value(st.one_of(credit_codes, bad_ids, st.just(""))),
        "category": value(st.sampled_from(categories + ["0", "-1", "99999999999999999999"])),
        "facts": value(st.just("单位2025年3月起未按时申报，税务部门加收滞纳金，本人认为不应由个人承担。")),
        "request": value(st.just("请求核实并退还多收的滞纳金。")),
        "people_count": value(st.sampled_from(["1", "3", "100000", "0", "100001", "1e3", " 7 "])),
        "privacy_consent": value(st.sampled_from(["on", "true", ""])),
        "homepage_url": st.one_of(st.just(""), garbage),
        "submission_token": st.one_of(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                    min_size=20, max_size=64), garbage),
    })


files = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["证明.jpg", "a.pdf", "../../etc/passwd", "x.png.exe", "\u202egpj.exe"]),
              st.one_of(st.binary(max_size=300), st.just(b"jpeg"))),
)


def counts() -> tuple[int, int, int, int]:
    return (Case.objects.count(), TimelineEvent.objects.count(), Case.history.count(),
            IntakeReceipt.objects.filter(case__isnull=False).count())


@pytest.fixture
def no_rate_limit(settings):
    settings.INTAKE_RATE_LIMITS = {"submit": (10**9, 3600), "track": (10**9, 900)}


@pytest.fixture
def form_cases(portal):  # noqa: F811 - the imported fixture
    categories = [str(pk) for pk in portal.gaoping.categories.filter(is_active=True)
                  .values_list("pk", flat=True)]
    extra_names = [name for name, _, _ in portal.form_page.get_form().extra_fields]
    return form_strategy(categories, extra_names)


@FUZZ
@given(data=st.data(), upload=files)
def test_intake_form_never_fails_or_half_writes(portal, no_rate_limit, form_cases, data,  # noqa: F811
                                                upload):
    fields = data.draw(form_cases, label="fields")
    if upload is not None:
        name, content = upload
        fields["attachments"] = SimpleUploadedFile(name, content or jpeg_bytes(), "image/jpeg")
    url = portal.form_page.url

    with transaction.atomic():
        before = counts()
        response = Client().post(url, fields)
        assert response.status_code < 500
        after = counts()
        html = response.content.decode()
        if 'id="case-number"' in html:
            case = Case.objects.get(number=html.split('id="case-number">')[1].split("<")[0])
            assert after[0] == before[0] + 1 and after[3] == before[3] + 1
            assert case.events.filter(action="register").count() == 1
            assert case.history.filter(history_type="+").count() == 1
            assert IntakeReceipt.objects.get(case=case).token == fields["submission_token"]
            assert case.query_code in html
        else:
            assert response.status_code in (200, 400)
            assert after == before
        transaction.set_rollback(True)
