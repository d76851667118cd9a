"""The calendar's entry points: file import, the two management commands, the admin screens."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cases.calendar import add_workdays, clear_calendar_cache, is_provisional_year
from cases.models import CalendarDay, YearCalendar
from cases.services.calendar import CalendarError, calendar_import_file, calendar_year_save

pytestmark = pytest.mark.django_db

CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,放假,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-14,上班,春节调休
2027-02-20,workday,春节调休
"""

JSON_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
    "days": [
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
        {"date": "2027-10-02", "kind": "holiday", "name": "国庆节"},
        {"date": "2027-10-09", "kind": "workday", "name": "国庆节调休"},
    ],
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


# ---------------------------------------------------------------- file import

def test_import_csv(tmp_path, admin_user):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    calendar = calendar_import_file(path=path, user=admin_user)
    assert calendar.year == 2027 and calendar.source == "导入自文件 2027.csv"
    assert calendar.days.filter(kind="holiday").count() == 4
    assert calendar.days.filter(kind="workday").count() == 2
    assert add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 9)
    assert add_workdays(date(2027, 2, 12), 1) == date(2027, 2, 14)
    row = CalendarDay.history.filter(date=date(2027, 2, 14)).first()
    assert row.history_user == admin_user and row.history_change_reason == "导入工作日历文件 2027.csv"


def test_import_json_replaces_the_year(tmp_path):
    calendar_year_save(year=2027, holidays=[(date(2027, 2, 8), "春节")], workdays=[])
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(JSON_2027, ensure_ascii=False), encoding="utf-8")
    calendar = calendar_import_file(path=path)
    assert calendar.source == JSON_2027["source"]
    assert sorted(calendar.days.values_list("date", flat=True)) == [
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 9)]
    assert add_workdays(date(2027, 9, 30), 1) == date(2027, 10, 4)
    assert add_workdays(date(2027, 10, 8), 1) == date(2027, 10, 9)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.csv", CSV_2027 + "2027-02-15,workday,调休\n", "第 8 行：调休上班日期 2027-02-15 是星期一"),
    ("bad.csv", CSV_2027.replace("2027-02-08", "2027-02-31"), "第 5 行：日期“2027-02-31”无效"),
    ("bad.csv", CSV_2027 + "2028-01-01,holiday,元旦\n", "第 8 行：日期 2028-01-01 不在 2027 年内"),
    ("bad.csv", CSV_2027.replace("上班", "加班"), "第 6 行：类型“加班”无效"),
    ("bad.csv", "day,type\n2027-01-01,holiday\n", "第 1 行：表头应为 date,kind,name"),
    ("bad.csv", "date,kind,name\n", "没有任何日期"),
    ("bad.json", json.dumps({**JSON_2027, "days": JSON_2027["days"] + [
        {"date": "2027-10-01", "kind": "workday", "name": "x"}]}), "days 第 4 项（下标 3）："),
    ("bad.json", json.dumps({**JSON_2027, "days": [{"date": "2026-10-01", "kind": "holiday"}]}),
     "days 第 1 项（下标 0）：.*不在 2027 年内"),
    ("bad.json", "{\"year\": 2027, \"days\": [", "JSON 格式错误"),
    ("bad.txt", "2027-01-01 元旦", "不支持的文件类型"),
])
def test_broken_file_changes_nothing(tmp_path, name, content, message):
    calendar_year_save(year=2027, holidays=[(date(2027, 2, 8), "春节")], workdays=[], source="原依据")
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarError, match=message):
        calendar_import_file(path=path)
    assert list(CalendarDay.objects.values_list("date", "name")) == [(date(2027, 2, 8), "春节")]
    assert YearCalendar.objects.get().source == "原依据"


# ---------------------------------------------------------------- management commands

def test_workday_command_prints_the_date_last():
    assert run("workday", "2025-09-30", "1")[-1] == "2025-10-09"
    assert run("workday", "2025-10-04", "1") == ["2025-10-09"]
    assert run("workday", "2026-09-30", "3")[-1] == "2026-10-10"


def test_workday_command_flags_provisional_results():
    lines = run("workday", "2026-12-30", "5")
    assert lines[-1] == "2027-01-06"
    assert lines[:-1] == ["注意：2027 年工作日历尚未录入，结果按周末推算，仅供参考。"]
    calendar_year_save(year=2027, holidays=[(date(2027, 1, 1), "元旦")], workdays=[])
    assert run("workday", "2026-12-30", "5") == ["2027-01-07"]


@pytest.mark.parametrize(("args", "message"), [
    (("2025-02-30", "1"), "日期“2025-02-30”无效"),
    (("明天", "1"), "日期“明天”无效"),
    (("2025-09-30", "0"), "工作日数“0”无效"),
    (("2025-09-30", "-2"), "工作日数“-2”无效"),
    (("2025-09-30", "三"), "工作日数“三”无效"),
    (("2025-09-30", "10001"), "应为 1 至 10000 之间的整数"),
    (("9999-12-30", "5"), "超出可计算的日期范围"),
])
def test_workday_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("workday", *args, stdout=StringIO())


def test_import_calendar_command(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    assert run("import_calendar", str(path))[-1] == "已导入 2027 年工作日历：放假 4 天，调休上班 2 天"
    assert not is_provisional_year(2027)
    broken = tmp_path / "broken.csv"
    broken.write_text("date,kind,name\n2027-03-03,workday,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未做任何修改.*第 2 行"):
        run("import_calendar", str(broken))
    assert CalendarDay.objects.count() == 6
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_calendar", str(tmp_path / "missing.json"))


# ---------------------------------------------------------------- admin

ADMIN = "cases_yearcalendar_modeladmin_"


def test_admin_create_edit_and_delete(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse(ADMIN + "create"))
    assert response.status_code == 200
    assert "放假安排" in response.text and "调休上班" in response.text

    response = client.post(reverse(ADMIN + "create"), {
        "year": "2027",
        "holidays_text": "2027-01-01 元旦\n2月6日至12日 春节",
        "workdays_text": "2027-02-14 春节调休\n2027-02-20 春节调休",
        "source": "国办发明电〔2026〕X号",
        "note": "",
    })
    assert response.status_code == 302, response.text
    calendar = YearCalendar.objects.get(year=2027)
    assert calendar.days.count() == 10
    assert add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 14)
    assert CalendarDay.history.filter(history_user=admin_user).count() == 10

    edit_url = reverse(ADMIN + "edit", args=[calendar.pk])
    response = client.get(edit_url)
    assert "2027-02-06 至 2027-02-12 春节" in response.text  # prefilled from the rows
    response = client.post(edit_url, {"year": "2027", "holidays_text": "2027-01-01 元旦",
                                      "workdays_text": "", "source": "改", "note": ""})
    assert response.status_code == 302
    assert calendar.days.count() == 1 and add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 8)

    response = client.get(reverse(ADMIN + "index"))
    assert "2027" in response.text and "放假天数" in response.text
    response = client.post(reverse(ADMIN + "delete", args=[calendar.pk]))
    assert response.status_code == 302
    assert not YearCalendar.objects.exists() and is_provisional_year(2027)


def test_admin_form_errors_are_chinese_and_keep_the_input(client, admin_user):
    client.force_login(admin_user)
    typed = "2027-01-01 元旦\n2027-02-30 春节"
    response = client.post(reverse(ADMIN + "create"), {
        "year": "2027", "holidays_text": typed, "workdays_text": "2027-02-15 调休",
        "source": "", "note": ""})
    assert response.status_code == 200
    assert "第 2 行“2027-02-30 春节”：开始日期不存在。" in response.text
    assert typed in response.text and "2027-02-15 调休" in response.text
    assert not YearCalendar.objects.exists()

    response = client.post(reverse(ADMIN + "create"), {
        "year": "2027", "holidays_text": "2027-02-08 春节", "workdays_text": "2027-02-15 调休",
        "source": "", "note": ""})
    assert "调休上班日期 2027-02-15 是星期一" in response.text
    assert not YearCalendar.objects.exists()


def test_admin_index_warns_about_provisional_years(client, admin_user, monkeypatch):
    client.force_login(admin_user)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 3, 1))
    response = client.get(reverse(ADMIN + "index"))
    assert "2027 年工作日历尚未录入，相关时限按周末推算，仅供参考" in response.text
    assert "2028 年工作日历尚未录入" in response.text
    calendar_year_save(year=2027, holidays=[(date(2027, 1, 1), "元旦")], workdays=[])
    response = client.get(reverse(ADMIN + "index"))
    assert "2027 年工作日历尚未录入" not in response.text
    assert "2028 年工作日历尚未录入" in response.text
