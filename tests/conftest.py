import pytest


@pytest.fixture
def home_page(db):
    from home.demo import demo_home_page

    return demo_home_page()


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="zhangsan", email="zs@example.gov.cn", password="Onestop#2026"
    )


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # Test transactions roll back without commit hooks; a year cached in one test must not leak.
    from cases.calendar import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()
