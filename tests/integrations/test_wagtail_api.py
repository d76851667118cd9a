"""Wagtail API v2: published pages only, read-only."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_api_lists_live_pages_only(home_page):
    child = home_page.get_children().first()
    assert child is not None
    child.specific.unpublish()
    response = Client().get("/api/v2/pages/")
    assert response.status_code == 200
    items = response.json()["items"]
    ids = {item["id"] for item in items}
    assert home_page.pk in ids and child.pk not in ids
    detail = Client().get(f"/api/v2/pages/{home_page.pk}/")
    assert detail.status_code == 200 and detail.json()["title"] == home_page.title
    assert Client().get(f"/api/v2/pages/{child.pk}/").status_code == 404


def test_pages_api_is_read_only(home_page):
    response = Client().post("/api/v2/pages/", {"title": "x"})
    assert response.status_code == 405
