"""Server-side validation in Chinese: each message, the error summary, what the person typed kept."""

import random
import re

import pytest

from cases.identity import make_credit_code, make_resident_id
from cases.models import Case
from tests.forms.conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def _flip_check_char(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


GOOD_ID = make_resident_id(random.Random(5))
GOOD_CODE = make_credit_code(random.Random(5))

CASES = {
    "bad ID check digit": ({"complainant_id_number": _flip_check_char(GOOD_ID)},
                           "complainant_id_number", "身份证号校验位不正确"),
    "ID too short": ({"complainant_id_number": GOOD_ID[:15]}, "complainant_id_number",
                     "身份证号应为18位"),
    "employer with bad credit code": (
        {"complainant_type": "employer", "complainant_id_number": _flip_check_char(GOOD_CODE)},
        "complainant_id_number", "统一社会信用代码校验位不正确"),
    "employer with an ID number instead of a credit code": (
        {"complainant_type": "employer", "complainant_id_number": GOOD_ID},
        "complainant_id_number", "统一社会信用代码"),
    "bad employer credit code": ({"employer_credit_code": _flip_check_char(GOOD_CODE)},
                                 "employer_credit_code", "统一社会信用代码校验位不正确"),
    "landline instead of mobile": ({"complainant_phone": "0356-5221234"}, "complainant_phone",
                                   "请输入11位手机号码"),
    "mobile too short": ({"complainant_phone": "1391234567"}, "complainant_phone",
                         "请输入11位手机号码"),
    "missing name": ({"complainant_name": ""}, "complainant_name", "请填写姓名或单位名称。"),
    "missing ID": ({"complainant_id_number": ""}, "complainant_id_number",
                   "请填写身份证号（个人）或统一社会信用代码（单位）。"),
    "missing category": ({"category": ""}, "category", "请选择争议类别。"),
    "category of another mechanism": (None, "category", "请选择争议类别。"),
    "missing facts": ({"facts": ""}, "facts", "请填写反映的主要内容。"),
    "facts too short": ({"facts": "不合理"}, "facts", "请至少写 10 个字"),
    "facts too long": ({"facts": "欠" * 2001}, "facts", "最多 2000 个字，现有 2001 个字"),
    "name too long": ({"complainant_name": "张" * 101}, "complainant_name", "最多 100 个字"),
    "request missing": ({"request": ""}, "request", "请填写您的诉求。"),
    "people count zero": ({"people_count": "0"}, "people_count", "涉及人数至少为 1。"),
    "privacy notice not ticked": ({"privacy_consent": None}, "privacy_consent",
                                  "请阅读并勾选同意《个人信息处理说明》后再提交。"),
}


@pytest.mark.parametrize("overrides, field, message", CASES.values(), ids=CASES.keys())
def test_each_rule_has_its_chinese_message(client, portal, form_url, valid_data, overrides, field,
                                           message):
    if overrides is None:  # a category id from the other city
        overrides = {"category": str(portal.yuanjiang.categories.first().pk)}
    data = valid_data(**overrides)
    response = client.post(form_url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not Case.objects.exists()
    assert message in html
    # Summary at the top, linked to the field; the field says why and points to it.
    assert 'id="error-summary"' in html and html.index("error-summary") < html.index("<form")
    assert f'id="id_{field}_error"' in html
    if field not in ("complainant_type",):
        assert f'href="#id_{field}"' in html
        tag = html[html.index(f'id="id_{field}"') - 300: html.index(f'id="id_{field}"') + 300]
        assert 'aria-invalid="true"' in tag and f"id_{field}_error" in tag


def test_what_the_person_typed_is_kept_and_files_must_be_chosen_again(client, portal, form_url,
                                                                      valid_data):
    data = valid_data(complainant_phone="12345",
                      attachments=[upload("材料.jpg", jpeg_bytes(), "image/jpeg")])
    html = client.post(form_url, data).content.decode()
    assert data["facts"] in html and data["request"] in html
    assert f'value="{data["complainant_id_number"]}"' in html
    assert f'value="{data["submission_token"]}"' in html  # same token: still one case at most
    consent = re.search(r'<input type="checkbox" name="privacy_consent"[^>]*>', html).group(0)
    assert "checked" in consent
    assert "请在提交前重新选择附件" in html
    assert "您已填写的其他内容都已保留" in html


def test_the_service_normalises_full_width_and_lower_case_input(client, portal, form_url,
                                                                valid_data):
    full_width = GOOD_ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    client.post(form_url, valid_data(complainant_id_number=full_width,
                                     complainant_phone="+86 139-1234-5678"))
    case = Case.objects.get()
    assert case.complainant_id_number == GOOD_ID and case.complainant_phone == "13912345678"


def test_an_expired_or_missing_token_asks_to_submit_again_keeping_the_input(client, portal,
                                                                             form_url, valid_data):
    data = valid_data(submission_token="")
    html = client.post(form_url, data).content.decode()
    assert "页面已过期" in html and data["facts"] in html
    assert not Case.objects.exists()
