"""Production static files: hashed names from the manifest, remembered per name."""

import json

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

from config.storage import CachedManifestStaticFilesStorage


@pytest.fixture
def static_root(tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps({
        "version": "1.1", "hash": "x",
        "paths": {"css/onestop.css": "css/onestop.1a2b3c.css", "js/portal.js": "js/portal.9f8e7d.js"},
    }))
    return tmp_path


def test_urls_are_the_manifest_storages_and_stay_so_when_asked_again(static_root, settings):
    settings.DEBUG = False
    stock = ManifestStaticFilesStorage(location=static_root, base_url="/static/")
    ours = CachedManifestStaticFilesStorage(location=static_root, base_url="/static/")
    for _ in range(2):
        for name in ("css/onestop.css", "js/portal.js"):
            assert ours.url(name) == stock.url(name) != f"/static/{name}"
    assert ours.url("css/onestop.css") == "/static/css/onestop.1a2b3c.css"
    assert ours.url("js/portal.js") == "/static/js/portal.9f8e7d.js"


def test_a_file_missing_from_the_manifest_still_fails_every_time(static_root, settings):
    settings.DEBUG = False
    ours = CachedManifestStaticFilesStorage(location=static_root, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("css/gone.css")


def test_with_debug_the_plain_name_is_served_even_after_a_hashed_one(static_root, settings):
    ours = CachedManifestStaticFilesStorage(location=static_root, base_url="/static/")
    settings.DEBUG = False
    assert ours.url("css/onestop.css") == "/static/css/onestop.1a2b3c.css"
    settings.DEBUG = True
    assert ours.url("css/onestop.css") == "/static/css/onestop.css"
