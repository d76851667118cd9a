"""The portal's pages in the demo, the city picker, and the policy pages built from the database."""

import pytest

from forms.models import (
    IntakeFormPage,
    IntakeIndexPage,
    MechanismPage,
    PolicyIndexPage,
    TrackingPage,
)

pytestmark = pytest.mark.django_db


def test_demo_creates_the_portal_pages_once(portal):
    from home.demo import demo_home_page

    demo_home_page()
    demo_home_page()
    assert IntakeIndexPage.objects.get().url == "/submit/"
    assert TrackingPage.objects.get().url == "/track/"
    assert PolicyIndexPage.objects.get().url == "/about/"
    assert sorted(p.url for p in IntakeFormPage.objects.all()) == ["/submit/gaoping/",
                                                                   "/submit/yuanjiang/"]
    assert MechanismPage.objects.count() == 2
    for page in IntakeFormPage.objects.all():
        assert page.live and page.form_fields.count() == 1


def test_submit_lets_the_person_pick_the_city(client, portal):
    html = client.get("/submit/").content.decode()
    assert 'href="/submit/gaoping/"' in html and 'href="/submit/yuanjiang/"' in html
    assert "高平市" in html and "沅江市" in html and 'href="/about/gaoping/"' in html


def test_with_one_city_submit_goes_straight_to_its_form(client, portal):
    IntakeFormPage.objects.get(mechanism=portal.yuanjiang).unpublish()
    response = client.get("/submit/")
    assert response.status_code == 302 and response.url == "/submit/gaoping/"


def test_policy_page_renders_the_mechanisms_configuration_and_the_offices_text(client, portal):
    page = MechanismPage.objects.get(mechanism=portal.gaoping)
    page.intro = "<p>办公时间：工作日 8:30-17:30</p>"
    page.save_revision().publish()
    category = portal.gaoping.categories.get(code="late-fee")
    category.name = "滞纳金加收（含减免申请）"  # edited in the admin: the page follows at once
    category.save()
    portal.gaoping.categories.filter(code="other").update(is_active=False)
    html = client.get("/about/gaoping/").content.decode()
    assert "办公时间：工作日 8:30-17:30" in html
    assert "滞纳金加收（含减免申请）" in html and "社会保险费缴费金额" in html
    assert "12366纳税缴费服务热线" in html and "一般事项" in html and "5个工作日" in html
    assert "国家税务总局高平市税务局" in html and 'href="/submit/gaoping/"' in html
    assert ">其他<" not in html


def test_policy_pages_query_count_does_not_grow_with_the_configuration(
        client, portal, django_assert_max_num_queries):
    client.get("/about/gaoping/")
    with django_assert_max_num_queries(20):
        client.get("/about/gaoping/")


def test_intake_pages_are_hidden_from_the_form_submissions_menu(admin_user, portal):
    from wagtail.contrib.forms.utils import get_forms_for_user

    assert not get_forms_for_user(admin_user).type(IntakeFormPage).exists()


def test_pages_work_on_a_phone_and_load_nothing_from_elsewhere(client, portal):
    for url in ("/submit/", "/submit/gaoping/", "/track/", "/about/", "/about/yuanjiang/"):
        html = client.get(url).content.decode()
        assert 'name="viewport"' in html and "/static/css/portal.css" in html, url
        assert "https://" not in html.split("<body")[0] and "//cdn" not in html, url
