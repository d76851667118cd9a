"""The receipt page (forms/receipt.py): the page around the card is rendered once and kept, and
what a visitor gets is exactly the page rendered whole, with their own case in it."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse

import forms.receipt
from cases import confcache
from cases.models import Case
from forms.intake_view import render_receipt

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r'id="case-number">([^<]+)<')


@pytest.fixture(autouse=True)
def frames(monkeypatch):
    """Each test starts without a kept page (the configuration token rolls back with the test
    database, the process cache does not); the list records each rendering of the page."""
    confcache._cache.clear()
    rendered = []
    frame = forms.receipt._frame

    def counted(template, context):
        rendered.append(template)
        return frame(template, context)

    monkeypatch.setattr(forms.receipt, "_frame", counted)
    return rendered


def _request(rf, url, user=None):
    request = rf.post(url)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_each_visitor_gets_their_own_case_in_the_kept_page(client, portal, form_url, valid_data,
                                                           frames):
    first = client.post(form_url, valid_data()).content.decode()
    client.cookies.clear()
    response = client.post(form_url, valid_data(submission_token="b" * 32))
    second = response.content.decode()
    assert len(frames) == 1  # the page around the card was rendered once, for the first
    # What the page rendered whole would send: no caching, the tracking cookie, the policies.
    assert "no-store" in response["Cache-Control"] and "Cookie" in response["Vary"]
    assert "onestop_tracked_case" in response.cookies and response["Content-Security-Policy"]
    one, two = Case.objects.order_by("seq")
    assert NUMBER.findall(first) == [one.number] and one.query_code in first
    assert NUMBER.findall(second) == [two.number] and two.query_code in second
    assert one.query_code not in second and one.number not in second
    assert second.count("<html") == 1 and second.rstrip().endswith("</html>")


def test_the_kept_page_is_the_page_rendered_whole(client, portal, form_url, valid_data, rf,
                                                  monkeypatch, frames):
    client.post(form_url, valid_data())
    case = Case.objects.get()
    page = portal.form_page.specific
    confcache._cache.clear()
    frames.clear()
    kept = [render_receipt(page, _request(rf, form_url), case=case) for _ in range(2)]
    assert len(frames) == 1 and all(type(r) is HttpResponse for r in kept)
    monkeypatch.setattr(forms.receipt, "_plain_visitor", lambda request: False)
    whole = render_receipt(page, _request(rf, form_url), case=case).render()
    assert kept[0].content == kept[1].content == whole.content
    assert case.query_code in whole.content.decode()


def test_a_signed_in_user_gets_the_user_bar_and_a_message_is_shown(client, portal, form_url,
                                                                   valid_data, rf, admin_user):
    client.post(form_url, valid_data())
    case = Case.objects.get()
    page = portal.form_page.specific
    html = render_receipt(page, _request(rf, form_url), case=case).content.decode()
    assert "wagtail-userbar" not in html
    signed_in = render_receipt(page, _request(rf, form_url, admin_user), case=case).render()
    assert "wagtail-userbar" in signed_in.content.decode()
    request = _request(rf, form_url)
    messages.info(request, "系统将于今晚维护。")
    with_message = render_receipt(page, request, case=case).render().content.decode()
    assert "系统将于今晚维护。" in with_message and case.number in with_message
