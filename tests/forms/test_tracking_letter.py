"""The issued 反馈函 on /track/: shown and downloadable once issued, only to the visitor who
proved this case's number and query code in this session; never a draft, never the employer's
letter, never another case's."""

import hashlib

import pytest

from cases.actors import Actor
from docgen.services import (
    document_check,
    document_draft,
    document_issue,
    document_regenerate,
    document_sign,
)
from forms.tracking import SESSION_TTL
from tests.factories import make_case
from tests.forms.test_tracking import _fed_back, _lookup, later, tracked_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(portal, staff_of):
    # the office group may sign once the mechanism is loaded: no extra permission here
    return Actor.staff(staff_of(portal.gaoping, "office"))


@pytest.fixture
def fed_back(portal, staff_of):
    def make():
        online = portal.gaoping.channels.get(is_online_form=True)
        case = make_case(mechanism=portal.gaoping, actor=Actor.public("反映人（网上）"),
                         channel=online, employer_name="高平市某建材有限公司")
        return _fed_back(case, portal, staff_of)

    return make


def _signed(case, office, party="complainant"):
    doc = document_draft(kind="feedback_letter", actor=office, case=case, party=party)
    doc = document_check(document=doc, actor=office)
    return document_sign(document=doc, actor=office)


def _download_url():
    from django.urls import reverse

    return reverse("intake:feedback_letter")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_letter_appears_and_downloads_only_once_issued(client, portal, fed_back, office):
    case = fed_back()
    _lookup(client, portal.track.url, case.number, case.query_code)
    signed = _signed(case, office)  # drafted, checked, signed: not yet for the public
    html = client.get(portal.track.url).content.decode()
    assert "下载反馈函" not in html
    assert client.get(_download_url()).status_code == 404

    issued = document_issue(document=signed, actor=office)
    html = client.get(portal.track.url).content.decode()
    assert f"下载反馈函（{issued.number}）" in html and f'href="{_download_url()}"' in html
    response = client.get(_download_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    final = issued.final_version
    assert hashlib.sha256(_body(response)).hexdigest() == final.sha256

    # a later regeneration is a new draft version; the public still gets the frozen one
    newer = document_regenerate(document=issued, actor=office)
    assert newer.version > final.version and not newer.is_final
    assert hashlib.sha256(_body(client.get(_download_url()))).hexdigest() == final.sha256


def test_no_letter_without_a_proven_case_in_this_session(client, portal, fed_back, office):
    case = fed_back()
    document_issue(document=_signed(case, office), actor=office)
    assert client.get(_download_url()).status_code == 404  # a stranger, or a link passed on
    _lookup(client, portal.track.url, case.number, "WRONG000")
    assert client.get(_download_url()).status_code == 404
    _lookup(client, portal.track.url, case.number, case.query_code)
    assert client.get(_download_url()).status_code == 200
    client.post(portal.track.url, {"action": "leave"})
    assert tracked_number(client) is None
    assert client.get(_download_url()).status_code == 404
    # the session timed out: the code must be typed again
    _lookup(client, portal.track.url, case.number, case.query_code)
    with later(SESSION_TTL + 5):
        assert client.get(_download_url()).status_code == 404


def test_another_cases_letter_is_never_served(client, portal, fed_back, office):
    with_letter, mine = fed_back(), fed_back()
    issued = document_issue(document=_signed(with_letter, office), actor=office)
    _lookup(client, portal.track.url, mine.number, mine.query_code)
    html = client.get(portal.track.url).content.decode()
    assert "下载反馈函" not in html and issued.number not in html
    assert client.get(_download_url()).status_code == 404


def test_the_letter_to_the_employer_is_not_offered_to_the_complainant(client, portal, fed_back,
                                                                      office):
    case = fed_back()
    document_issue(document=_signed(case, office, party="employer"), actor=office)
    _lookup(client, portal.track.url, case.number, case.query_code)
    assert "下载反馈函" not in client.get(portal.track.url).content.decode()
    assert client.get(_download_url()).status_code == 404
