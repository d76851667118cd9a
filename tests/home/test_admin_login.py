def test_admin_login_page_is_chinese(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_admin_accepts_valid_credentials(client, admin_user):
    response = client.post(
        "/admin/login/", {"username": "zhangsan", "password": "Onestop#2026"}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "控制面板" in dashboard.content.decode()


def test_admin_rejects_wrong_password(client, admin_user):
    response = client.post("/admin/login/", {"username": "zhangsan", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "/admin/login/" in response.wsgi_request.path


def test_setup_demo_prints_working_admin_login(client, db, capsys):
    import re

    from django.core.management import call_command

    call_command("setup_demo", cases=0)
    out = capsys.readouterr().out
    match = re.search(r"管理员账号：(\S+)\s+密码：(\S+)", out)
    assert match, out
    assert client.login(username=match.group(1), password=match.group(2))
    # A second run resets the password and duplicates nothing.
    call_command("setup_demo", cases=0)
    out2 = capsys.readouterr().out
    new_password = re.search(r"密码：(\S+)", out2).group(1)
    assert client.login(username=match.group(1), password=new_password)


def test_admin_has_no_links_to_the_internet(client, admin_user):
    # County networks are closed: wagtail.org's guide and release notes cannot open there.
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert "控制面板" in html
    assert "guide.wagtail.org" not in html and "wagtail.org/releases" not in html
