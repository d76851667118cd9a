"""Page routes and mechanism configuration are cached per process (cases.confcache, home.routing);
a change made anywhere — this process, another worker, the page editor — applies to the very
next request, and a change that was rolled back never does."""

import secrets

import pytest
from django.db import connection, transaction

from cases.clocks import default_tier
from cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db
CLOSED = "网上受理暂未开通"


def another_worker_writes(sql: str, params: list) -> None:
    """What a change saved in another gunicorn worker looks like here: the rows and a new stamp
    token in the database, and no signal in this process."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("UPDATE cases_configstamp SET token = %s WHERE id = 1",
                       [secrets.token_hex(16)])


def _number(html: str) -> bool:
    return 'id="case-number"' in html


def test_closing_the_online_channel_in_another_worker_closes_the_form_here(
        client, portal, form_url, valid_data):
    assert _number(client.post(form_url, valid_data()).content.decode())  # everything cached
    channel = portal.gaoping.channels.get(is_online_form=True)
    another_worker_writes("UPDATE cases_channel SET is_active = %s WHERE id = %s",
                          [False, channel.pk])
    assert CLOSED in client.get(form_url).content.decode()
    html = client.post(form_url, valid_data()).content.decode()
    assert CLOSED in html and not _number(html)
    assert Case.objects.count() == 1


def test_unpublishing_and_republishing_the_form_page_apply_at_once(client, portal, form_url):
    assert client.get(form_url).status_code == 200
    portal.form_page.unpublish()
    assert client.get(form_url).status_code == 404
    portal.form_page.get_latest_revision().publish()
    assert client.get(form_url).status_code == 200


def test_a_retitled_form_page_shows_its_new_title_on_the_next_request(client, portal, form_url):
    assert "高平" in client.get(form_url).content.decode()
    page = portal.form_page
    page.title = "社保费争议网上反映（新）"
    page.save_revision().publish()
    assert "社保费争议网上反映（新）" in client.get(form_url).content.decode()


def test_a_closure_that_was_rolled_back_leaves_the_form_open(client, portal, form_url,
                                                             valid_data):
    channel = portal.gaoping.channels.get(is_online_form=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        channel.is_active = False
        channel.save()
        assert CLOSED in client.get(form_url).content.decode()  # seen inside, and cached there
        raise RuntimeError("测试：回滚")
    assert CLOSED not in client.get(form_url).content.decode()
    assert _number(client.post(form_url, valid_data()).content.decode())


def test_a_longer_deadline_applies_to_the_next_case(portal):
    tier = default_tier(portal.gaoping)
    first = make_case(mechanism=portal.gaoping)
    deadline = tier.deadlines.get(stage="transfer")
    deadline.workdays += 5
    deadline.save()
    second = make_case(mechanism=portal.gaoping)
    assert second.tier == tier == first.tier
    assert second.transfer_due > first.transfer_due


def test_a_new_office_unit_receives_the_next_online_case(client, portal, form_url, valid_data):
    client.post(form_url, valid_data())
    office = portal.gaoping.office_unit
    other = portal.gaoping.units.exclude(pk=office.pk).first()
    # Two statements: in one, PostgreSQL checks one_office_per_mechanism row by row, in the
    # order the rows happen to lie on disk.
    another_worker_writes("UPDATE cases_unit SET is_office = %s WHERE mechanism_id = %s",
                          [False, portal.gaoping.pk])
    another_worker_writes("UPDATE cases_unit SET is_office = %s WHERE id = %s", [True, other.pk])
    html = client.post(form_url, valid_data()).content.decode()
    number = html.split('id="case-number">')[1].split("<")[0]
    assert Case.objects.get(number=number).accepting_unit == other
