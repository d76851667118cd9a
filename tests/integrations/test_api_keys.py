"""Keys: made at the command line, shown once, stored hashed, revoked in the admin."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from integrations.models import ApiKey
from tests.integrations.conftest import ApiClient

pytestmark = pytest.mark.django_db


def create(*args) -> str:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_command_prints_the_key_last_and_stores_only_its_hash(gaoping, yuanjiang):
    raw = create("12345热线", "--mechanism", "gaoping", "--channel", "hotline-12345")
    key = ApiKey.objects.get()
    assert raw.startswith(f"os_{key.prefix}_") and len(raw) > 40
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiKey.objects.values()))
    assert key.channel.code == "hotline-12345" and key.mechanism == gaoping
    assert ApiClient(raw).get("/api/v1/categories").status_code == 200


def test_command_refuses_ambiguous_or_unknown_input(gaoping, yuanjiang):
    with pytest.raises(CommandError, match="--mechanism"):
        create("平台")
    with pytest.raises(CommandError, match="没有启用的渠道"):
        create("平台", "--mechanism", "gaoping", "--channel", "nope")
    create("平台", "--mechanism", "yuanjiang")
    with pytest.raises(CommandError, match="已被使用"):
        create("平台", "--mechanism", "gaoping")


def test_single_mechanism_needs_no_flag(gaoping):
    create("平台")
    assert ApiKey.objects.get().mechanism == gaoping


def test_admin_lists_without_key_material_and_revokes(gaoping, admin_user):
    raw = create("12366热线", "--mechanism", "gaoping")
    key = ApiKey.objects.get()
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/integrations/apikey/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "12366热线" in html and raw not in html and key.key_hash not in html
    revoke_url = f"/admin/integrations/api-keys/{key.pk}/revoke/"
    assert revoke_url in html
    confirm = client.get(revoke_url)
    assert confirm.status_code == 200 and "吊销" in confirm.content.decode()
    assert client.post(revoke_url).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == admin_user
    assert ApiClient(raw).get("/api/v1/categories").status_code == 401
    inspect = client.get(f"/admin/integrations/apikey/inspect/{key.pk}/")
    assert inspect.status_code == 200 and raw not in inspect.content.decode()


def test_office_staff_see_only_their_mechanism_keys(gaoping, yuanjiang, staff):
    create("高平平台", "--mechanism", "gaoping")
    create("沅江平台", "--mechanism", "yuanjiang")
    other = ApiKey.objects.get(name="沅江平台")
    client = Client()
    client.force_login(staff(gaoping, "office"))
    html = client.get("/admin/integrations/apikey/").content.decode()
    assert "高平平台" in html and "沅江平台" not in html
    assert client.post(f"/admin/integrations/api-keys/{other.pk}/revoke/").status_code == 404
    tax = Client()
    tax.force_login(staff(gaoping, "tax"))
    assert tax.get("/admin/integrations/apikey/").status_code in (302, 403)
