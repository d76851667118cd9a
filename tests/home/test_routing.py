"""The per-process route cache (home.routing) serves only the project's own page types."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page

from home.routing import UNCACHEABLE, _route

pytestmark = pytest.mark.django_db


def test_only_page_types_that_opted_in_are_cached(home_page):
    home_page.add_child(instance=Page(title="普通页面", slug="plain", live=True))
    assert _route(RequestFactory().get("/plain/"), "plain/") == UNCACHEABLE
    site, page, args, kwargs, restrictions = _route(RequestFactory().get("/"), "")
    assert page.pk == home_page.pk and restrictions == [] and site.root_page_id == home_page.pk


def test_a_new_page_and_an_unknown_path_are_answered_at_once(client, home_page):
    assert client.get("/").status_code == 200  # the route cache is warm
    assert client.get("/later/").status_code == 404
    from forms.models import TrackingPage

    home_page.add_child(instance=TrackingPage(title="进度查询（新）", slug="later", live=True))
    assert "进度查询（新）" in client.get("/later/").content.decode()
