"""Fuzzing the outside-system interfaces: the channel API (/api/v1/) and Open311 (/open311/v2/).

Whatever a client sends — broken JSON, wrong types, control characters, lone surrogates, huge
strings, bad check digits, missing fields — the answer is never a 500, and the database holds
either one complete case (number, register event, history row) or nothing new.

ONESTOP_FUZZ_EXAMPLES sets the examples per test (default 300; docs/reliability.md).
"""

import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cases.actors import Actor
from cases.models import Case, TimelineEvent
from integrations.errors import UNUSABLE_TEXT
from integrations.keys import api_key_create
from tests.integrations.conftest import case_payload  # noqa: F401 - fixture
from tests.security.fuzzing import FUZZ, credit_codes, mobiles, resident_ids

pytestmark = pytest.mark.django_db


# --- values -----------------------------------------------------------------------------------



def _break_check_digit(number: str) -> str:
    # Exactly one check character is right, so any other one is wrong.
    return number[:-1] + ("1" if number[-1] == "0" else "0")


bad_ids = st.one_of(resident_ids.map(_break_check_digit), credit_codes.map(_break_check_digit),
                    st.text("0123456789Xx", min_size=0, max_size=25))
controls = st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\u200b\u202e\ufeff\u2028"),
                   min_size=1, max_size=8)
huge = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(200, 40_000))
plain_text = st.one_of(st.text(max_size=60), st.text(st.characters(codec="utf-8"), max_size=20))
nasty_text = st.one_of(plain_text, controls, huge,
                       st.builds(lambda a, b: a + b, plain_text, controls))
# JSON can carry what a form cannot: lone surrogates ("\ud800") and non-string types.
surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=4)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         nasty_text, surrogates)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=10)


def field(valid, *, text=nasty_text):
    """Mostly-valid values keep the fuzzer reaching the service; the rest is garbage."""
    return st.one_of(valid, valid, text, json_values)


# --- database checks ----------------------------------------------------------------------------

def counts() -> tuple[int, int, int]:
    return Case.objects.count(), TimelineEvent.objects.count(), Case.history.count()


def assert_complete(number: str) -> None:
    case = Case.objects.get(number=number)
    assert case.events.filter(action="register").count() == 1
    assert case.history.filter(history_type="+").count() == 1
    assert case.query_code and case.seq >= 1


def assert_outcome(response, before, *, number_of, created_statuses=(201,)) -> None:
    """No 500; a created case is whole and the only write; otherwise no case, event or history."""
    assert response.status_code < 500, response.content[:500]
    after = counts()
    if response.status_code in created_statuses:
        number = number_of(response)
        assert after[0] == before[0] + 1
        assert_complete(number)
    else:
        assert after == before, (response.status_code, response.content[:300])


@pytest.fixture
def keys(gaoping):
    """An unlimited key bound to the 12345 hotline, and one bound to no channel."""
    hotline = api_key_create(name="热线（模糊测试）", mechanism=gaoping, rate_per_minute=0,
                             channel=gaoping.channels.get(code="hotline-12345"))
    free = api_key_create(name="平台（模糊测试）", mechanism=gaoping, rate_per_minute=0)
    return {"hotline": hotline[1], "free": free[1]}


@pytest.fixture
def hotline_case(gaoping, register):
    return register(gaoping, Actor.api("12345热线"), channel_ticket="fuzz-1")


@pytest.fixture
def no_anonymous_limit(settings):
    settings.ONESTOP_OPEN311_ANON_RATE_PER_MINUTE = 0


def rolled_back(run):
    """Each example in its own savepoint: the next one starts from the same database."""
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


# --- /api/v1/cases ------------------------------------------------------------------------------

case_bodies = st.fixed_dictionaries({}, optional={
    "channel_ticket": field(st.text("0123456789-ABC", min_size=1, max_size=20)),
    "channel": field(st.sampled_from(["hotline-12345", "window", "online-form"])),
    "complainant_type": field(st.sampled_from(["individual", "employer"])),
    "complainant_name": field(st.sampled_from(["李桂芳", "高平市宏达建材有限公司"])),
    "complainant_id_number": field(st.one_of(resident_ids, credit_codes), text=bad_ids),
    "complainant_phone": field(mobiles),
    "complainant_email": field(st.just("li@example.com")),
    "complainant_address": field(st.just("高平市米山镇东街12号")),
    "employer_name": field(st.just("高平市鑫源煤业有限公司")),
    "employer_credit_code": field(credit_codes, text=bad_ids),
    "category": field(st.sampled_from(["late-fee", "base-dispute"])),
    "facts": field(st.just("单位迟报工资基数，税务部门向本人加收滞纳金。")),
    "request": field(st.just("请求核减滞纳金。")),
    "people_count": st.one_of(st.integers(-5, 200_000), json_values),
})
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe{}", b'{"facts": "\\ud800"}',
                     b'{"a": 1e999}', b"[" * 5000]),
    json_values.map(lambda v: json.dumps(v).encode()),
)


@FUZZ
@given(body=st.one_of(case_bodies.map(lambda d: json.dumps(d).encode()), raw_bodies),
       which=st.sampled_from(["hotline", "free", "none", "bad"]),
       header=st.sampled_from(["bearer", "x-api-key"]))
def test_channel_api_registration_never_fails_or_half_writes(keys, body, which, header):
    key = {"none": "", "bad": "os_00000000_" + "x" * 43, **keys}[which]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "bearer" else \
        {"HTTP_X_API_KEY": key}

    def run():
        before = counts()
        response = Client().generic("POST", "/api/v1/cases", body,
                                    content_type="application/json", **headers)
        assert_outcome(response, before, number_of=lambda r: r.json()["number"])
        if response.status_code >= 400:
            detail = response.json()["detail"]
            assert detail and all(item["message"] for item in detail)

    rolled_back(run)


@FUZZ
@given(body=st.one_of(
    st.fixed_dictionaries({}, optional={
        "kind": field(st.sampled_from(["note", "follow_up", "objection"])),
        "text": field(st.just("反映人来电催问进度。")),
        "satisfaction": field(st.sampled_from(["satisfied", "basically", "unsatisfied"])),
    }).map(lambda d: json.dumps(d).encode()),
    raw_bodies),
    number=st.one_of(st.none(), st.text(max_size=30)))
def test_channel_api_updates_and_reads_never_fail(keys, hotline_case, body, number):
    path_number = hotline_case.number if number is None else urllib.parse.quote(number, safe="")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {keys['hotline']}"}

    def run():
        client = Client()
        before = counts()
        response = client.generic("POST", f"/api/v1/cases/{path_number}/updates", body,
                                  content_type="application/json", **auth)
        assert response.status_code < 500, response.content[:500]
        after = counts()
        if response.status_code != 200:
            assert after == before, response.content[:300]
        else:
            assert after[0] == before[0] and after[1] == before[1] + 1
        read = client.get(f"/api/v1/cases/{path_number}", **auth)
        assert read.status_code < 500  # 301 when a "/" in the number makes another path

    rolled_back(run)


# --- Open311 ------------------------------------------------------------------------------------

form_text = st.one_of(st.text(max_size=60), controls, huge,
                      st.builds(lambda a, b: a + b, st.text(max_size=20), controls))


def form_field(valid):
    return st.one_of(valid, valid, form_text, st.lists(form_text, min_size=2, max_size=3))


open311_forms = st.fixed_dictionaries({}, optional={
    "service_code": form_field(st.sampled_from(["late-fee", "base-dispute"])),
    "description": form_field(st.just("单位迟报，滞纳金要我个人承担。")),
    "last_name": form_field(st.just("王")),
    "first_name": form_field(st.just("建国")),
    "address_string": form_field(st.just("高平市米山镇东街12号")),
    "phone": form_field(mobiles),
    "email": form_field(st.just("wang@example.com")),
    "channel_ticket": form_field(st.text("0123456789-", min_size=1, max_size=20)),
    "jurisdiction_id": form_field(st.sampled_from(["gaoping", "yuanjiang"])),
    "lat": form_field(st.just("35.79")),
    "long": form_field(st.just("112.92")),
})


def parsed(response):
    """The body parses in the format asked for: bad input never breaks the XML or the JSON."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()
    return ET.fromstring(response.content)


def _open311_number(response) -> str:
    body = parsed(response)
    if isinstance(body, list):
        return body[0]["service_request_id"]
    return body.find(".//service_request_id").text


@FUZZ
@given(form=open311_forms, which=st.sampled_from(["hotline", "free", "missing", "bad"]),
       fmt=st.sampled_from(["json", "xml"]), raw=st.one_of(st.none(), st.binary(max_size=100)))
def test_open311_post_never_fails_or_half_writes(keys, no_anonymous_limit, form, which, fmt, raw):
    if which in keys:
        form = {**form, "api_key": keys[which]}
    elif which == "bad":
        form = {**form, "api_key": "os_deadbeef_nope"}
    body = urllib.parse.urlencode(form, doseq=True).encode() if raw is None else raw

    def run():
        before = counts()
        response = Client().generic("POST", f"/open311/v2/requests.{fmt}", body,
                                    content_type="application/x-www-form-urlencoded")
        assert_outcome(response, before, number_of=_open311_number)
        parsed(response)

    rolled_back(run)


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={
    name: st.one_of(form_text, st.sampled_from(values))
    for name, values in {
        "jurisdiction_id": ["gaoping", "yuanjiang", ""],
        "start_date": ["2026-03-01T00:00:00+08:00", "2026-13-45T00:00:00+08:00",
                       "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+14:00",
                       "2026-03-01T00:00:00+25:00", "2026-03-01"],
        "end_date": ["2026-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
                     "2026-01-01T24:00:00+08:00"],
        "status": ["open", "closed", "open,closed", "OPEN"],
        "service_code": ["late-fee", "late-fee,base-dispute", ","],
        "service_request_id": ["GP-2026-000001", "gp-2026-000001,GP-2026-000002", ","],
    }.items()}),
    fmt=st.sampled_from(["json", "xml"]), with_key=st.booleans())
def test_open311_reads_never_fail(keys, no_anonymous_limit, hotline_case, yuanjiang,
                                  params, fmt, with_key):
    if with_key:
        params = {**params, "api_key": keys["free"]}
    client = Client()
    for path in (f"/open311/v2/requests.{fmt}", f"/open311/v2/services.{fmt}",
                 f"/open311/v2/requests/GP-2026-000001.{fmt}"):
        response = client.get(path, params)
        assert response.status_code < 500, (path, response.content[:500])
        parsed(response)


# --- what the fuzzer found (PostgreSQL answered 500: "text fields cannot contain NUL") ----------

def test_nul_or_lone_surrogate_in_a_case_is_refused_with_the_field_named(keys,
                                                                         case_payload):  # noqa: F811
    for bad in ("单位迟报\x00", "单位迟报\ud800"):
        body = json.dumps(case_payload(facts=bad)).encode()
        response = Client().generic("POST", "/api/v1/cases", body,
                                    content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {keys['hotline']}")
        assert response.status_code == 400
        assert response.json()["detail"] == [{"field": "facts", "message": UNUSABLE_TEXT}]
    assert not Case.objects.exists()
    missing = Client().get("/api/v1/cases/GP-2026-%00",
                           HTTP_AUTHORIZATION=f"Bearer {keys['hotline']}")
    assert missing.status_code == 404


def test_open311_refuses_nul_and_keeps_xml_well_formed(keys, no_anonymous_limit):
    form = {"api_key": keys["free"], "service_code": "late-fee", "description": "滞纳金\x00",
            "last_name": "王", "first_name": "建国", "address_string": "高平市米山镇东街12号"}
    response = Client().post("/open311/v2/requests.json", form)
    assert response.status_code == 400 and "description" in response.json()[0]["description"]
    assert not Case.objects.exists()
    too_big = Client().post("/open311/v2/requests.xml", {**form, "description": "长" * 1_000_000})
    assert too_big.status_code == 413 and ET.fromstring(too_big.content).find(".//code").text == "413"
    unknown = Client().get("/open311/v2/services.xml", {"jurisdiction_id": "nowhere\x01"})
    assert unknown.status_code == 404
    assert ET.fromstring(unknown.content).find(".//code").text == "404"


def test_open311_impossible_dates_are_a_400_not_a_500(no_anonymous_limit, hotline_case):
    for when in ("2026-13-45T00:00:00+08:00", "0001-01-01T00:00:00+08:00",
                 "9999-12-31T23:59:59-12:00", "2026-02-30T00:00:00Z"):
        for name in ("start_date", "end_date"):
            response = Client().get("/open311/v2/requests.json",
                                    {"jurisdiction_id": "gaoping", name: when})
            assert response.status_code == 400, (name, when)
            assert response.json()[0]["description"].startswith(name)
