"""A double-click: the same form posted at the same moment from two tabs still makes one case."""

import random
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from cases.identity import make_mobile, make_resident_id
from cases.models import Case


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_form_create_one_case():
    if connection.vendor != "postgresql":
        pytest.skip("并发提交测试需要 PostgreSQL（CI 在 PostgreSQL 上运行）；SQLite 由 IMMEDIATE 事务串行写入。")
    from home.demo import demo_home_page
    from tests.factories import load_mechanisms

    gaoping = load_mechanisms("gaoping")["gaoping"]
    demo_home_page()
    rng = random.Random(1)
    data = {
        "complainant_type": "individual", "complainant_name": "赵春生",
        "complainant_id_number": make_resident_id(rng), "complainant_phone": make_mobile(rng),
        "category": str(gaoping.categories.get(code="refund").pk),
        "facts": "重复缴纳城乡居民养老保险费，申请退费两个月仍未到账。", "request": "请尽快退费。",
        "people_count": "1", "privacy_consent": "on", "submission_token": "t" * 32,
    }
    pages: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker():
        try:
            barrier.wait()
            pages.append(Client().post("/submit/gaoping/", data).content.decode())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    case = Case.objects.get()
    assert len(pages) == 6 and all(case.number in html for html in pages)
