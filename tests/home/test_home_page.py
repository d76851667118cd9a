def test_home_page_renders_in_chinese_with_channels_section(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "社会保险费征缴争议一站结" in html
    assert "最多诉一次" in html
    assert "受理渠道" in html
    # The page must stay usable on a phone and must not pull anything from a CDN.
    assert 'name="viewport"' in html
    assert "https://" not in html.split("<body")[0]


def test_demo_home_page_is_idempotent(home_page):
    from wagtail.models import Site

    from home.demo import demo_home_page
    from home.models import HomePage

    demo_home_page()
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == home_page.pk


def test_unknown_path_shows_chinese_404(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_home_page_lists_each_mechanisms_intake_channels(client, home_page, django_assert_max_num_queries):
    from cases.services.mechanisms import mechanism_load

    mechanism_load(source="gaoping")
    mechanism_load(source="yuanjiang")
    with django_assert_max_num_queries(12):
        html = client.get("/").content.decode()
    assert "高平市" in html and "沅江市" in html
    for channel in ("12345政务服务便民热线", "12366纳税缴费服务热线", "市长热线", "政务大厅业务窗口"):
        assert channel in html


def test_home_page_leads_straight_to_filing_and_tracking(client, home_page):
    # On a phone the header links are small: the page body offers both actions as buttons.
    html = client.get("/").content.decode()
    body = html.split('<main', 1)[1]
    assert '<a class="button" href="/submit/">我要反映</a>' in body
    assert 'href="/track/">查询办理进度</a>' in body
