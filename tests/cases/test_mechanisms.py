"""Mechanisms as data: both seed cities load faithfully, idempotently; a third needs only a file."""

import textwrap
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from cases.mechanism_schema import MechanismFileError
from cases.models import Channel, DisputeCategory, Mechanism, Tier, TierDeadline, Unit
from cases.services.mechanisms import mechanism_load

pytestmark = pytest.mark.django_db

THIRD_CITY = textwrap.dedent("""\
    slug: testcounty
    name: 测试县社会保险费征缴争议调处机制
    region: 测试县
    case_prefix: TC
    coordinating_body: 测试县征缴争议调处领导小组
    office_name: 测试县征缴争议调处办公室
    forum_name: 领导小组会商
    document_issuer: 测试县征缴争议调处办公室
    units:
      - code: office
        name: 测试县征缴争议调处办公室
        short_name: 调处办
        is_office: true
      - code: tax
        name: 测试县税务局
        short_name: 税务
      - code: medical
        name: 测试县医疗保障局
        short_name: 医保
      - code: town-a
        name: 甲镇社保服务站
        short_name: 甲镇
        kind: township
    categories:
      - code: amount
        name: 缴费金额
        lead_unit: tax
      - code: medical
        name: 医保待遇
        lead_unit: medical
    channels:
      - code: web
        name: 网上受理
        kind: online
        online_form: true
      - code: hotline
        name: 12345
        kind: online
        contact: "12345"
        has_ticket_number: true
    tiers:
      - code: fast
        name: 快办事项
        route: lead_unit
        deadlines:
          - stage: transfer
            workdays: 2
            starts_from: accepted
          - stage: settle
            workdays: 3
            starts_from: received
      - code: joint
        name: 联办事项
        route: joint
        deadlines:
          - stage: settle
            workdays: 15
            starts_from: transferred
      - code: council
        name: 会商事项
        route: deliberation
        may_escalate: true
        deadlines:
          - stage: deliberate
            workdays: 7
            starts_from: escalated
    numbering:
      - kind: transfer_notice
        pattern: 测征转〔{year}〕{seq}号
""")


def history_rows() -> int:
    return sum(model.history.count() for model in (Mechanism, Unit, DisputeCategory, Channel,
                                                   Tier, TierDeadline))


def test_gaoping_transcribes_the_notice():
    mechanism = mechanism_load(source="gaoping").mechanism
    assert mechanism.case_prefix == "GP"
    assert mechanism.office_location == "国家税务总局高平市税务局"
    assert "高政办发〔2024〕20号" in mechanism.basis
    members = set(mechanism.units.filter(kind="member").values_list("short_name", flat=True))
    assert members == {"政府办", "税务", "人社", "信访", "财政", "司法", "法院", "公安"}
    assert mechanism.office_unit.name == "高平市社会保险费征缴争议处置工作专班办公室"
    assert mechanism.categories.count() == 9
    # Medical-insurance disputes are 人社's in 高平 (no 医保局 among the members).
    assert mechanism.categories.get(code="benefits").default_lead_unit.short_name == "人社"
    assert set(mechanism.channels.values_list("contact", flat=True)) >= {"12345", "12333", "12366"}
    tiers = {t.code: t for t in mechanism.tiers.all()}
    assert [t.name for t in mechanism.tiers.order_by("sort_order")] == ["简易事项", "一般事项", "特殊事项"]
    general = {d.stage: d for d in tiers["general"].deadlines.all()}
    assert (general["transfer"].workdays, general["transfer"].starts_from) == (1, "accepted")
    assert (general["settle"].workdays, general["settle"].starts_from) == (5, "received")
    special = {d.stage: d for d in tiers["special"].deadlines.all()}
    assert (special["deliberate"].workdays, special["deliberate"].starts_from) == (10, "accepted")
    assert tiers["simple"].route == "on_the_spot" and not tiers["simple"].deadlines.exists()
    assert mechanism.numberings.get(kind="transfer_notice").format(year=2026, seq=7) == "高征争转〔2026〕7号"


def test_yuanjiang_transcribes_the_rules():
    mechanism = mechanism_load(source="yuanjiang").mechanism
    assert mechanism.escalation_body == "益阳市争议一体化处置机制领导小组"
    assert mechanism.forum_name == "联席会议"
    members = set(mechanism.units.filter(kind="member").values_list("short_name", flat=True))
    assert members == {"法院", "公安", "司法", "财政", "人社", "信访", "医保", "总工会", "税务"}
    assert mechanism.categories.get(code="medical-insurance").default_lead_unit.short_name == "医保"
    assert {t.name: t.route for t in mechanism.tiers.all()} == {
        "一般性争议": "lead_unit", "复杂性争议": "joint", "重大争议": "deliberation"}
    assert mechanism.tiers.get(code="major").may_escalate
    assert {c.name for c in mechanism.channels.all()} >= {"市长热线", "实地信访", "领导信箱"}
    assert [leader.role for leader in mechanism.leaders.all()][0] == "召集人"


def test_both_run_side_by_side_and_loading_twice_changes_nothing():
    mechanism_load(source="gaoping")
    mechanism_load(source="yuanjiang")
    before = history_rows()
    again = mechanism_load(source="gaoping")
    assert not again.changed
    assert again.counts["created"] == again.counts["updated"] == 0
    mechanism_load(source="yuanjiang")
    assert history_rows() == before
    assert Mechanism.objects.count() == 2


def test_third_mechanism_from_a_file_alone_loads_and_drives_deadlines(tmp_path):
    from cases.calendar import add_workdays

    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    mechanism = mechanism_load(source=str(path)).mechanism
    assert mechanism.units.get(code="town-a").kind == "township"
    fast = mechanism.tiers.get(code="fast")
    transfer = fast.deadlines.get(stage="transfer")
    # Accepted on Tuesday 2025-09-30: two working days after it, across 国庆, is 2025-10-10.
    assert add_workdays(date(2025, 9, 30), transfer.workdays) == date(2025, 10, 10)
    council = mechanism.tiers.get(code="council").deadlines.get()
    assert (council.workdays, council.starts_from) == (7, "escalated")


def test_changing_a_deadline_in_the_file_updates_it_with_history(tmp_path):
    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    mechanism_load(source=str(path))
    path.write_text(THIRD_CITY.replace("workdays: 3", "workdays: 4"), encoding="utf-8")
    result = mechanism_load(source=str(path))
    assert result.counts["updated"] == 1
    deadline = TierDeadline.objects.get(tier__code="fast", stage="settle")
    assert deadline.workdays == 4
    assert deadline.history.first().history_change_reason == "载入机制定义文件"


def test_a_unit_dropped_from_the_file_is_deactivated_not_deleted(tmp_path):
    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    mechanism_load(source=str(path))
    trimmed = THIRD_CITY.replace(
        "  - code: town-a\n    name: 甲镇社保服务站\n    short_name: 甲镇\n    kind: township\n", "")
    path.write_text(trimmed, encoding="utf-8")
    mechanism_load(source=str(path))
    assert Unit.objects.get(code="town-a").is_active is False


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


# (text replaced, replacement, the line the error must point at, what the message must name)
BROKEN_CASES = [
    ("forum_name:", "forum_nmae:", "forum_nmae", "forum_nmae"),
    ("    lead_unit: medical\n", "    lead_unit: health\n", "lead_unit: health", "health"),
    ("route: joint", "route: together", "route: together", "together"),
    ("workdays: 15", "workdays: fifteen", "workdays: fifteen", "非负整数"),
    ("测征转〔{year}〕{seq}号", "测征转[{year}]{seq}号", "测征转[", "六角括号"),
    ("  - code: medical\n    name: 医保待遇", "  - code: amount\n    name: 医保待遇",
     "name: 医保待遇", "重复"),
    ("case_prefix: TC", "case_prefix: tc", "case_prefix", "大写"),
    ("    name: 测试县税务局\n", "    name: 测试县税务局\n    is_office: yes\n",
     "is_office: yes", "只有一个"),
    ("region: 测试县\n", "region: [测试县\n", "coordinating_body", "YAML"),
    ("  - code: web\n    name: 网上受理\n", "  - code: web\n", "code: web", "name"),
]


@pytest.mark.parametrize("old, new, marker, fragment", BROKEN_CASES)
def test_broken_files_are_refused_with_key_and_line_and_change_nothing(tmp_path, old, new, marker,
                                                                       fragment):
    assert old in THIRD_CITY
    broken = THIRD_CITY.replace(old, new, 1)
    mechanism_load(source="gaoping")
    before = history_rows()
    path = tmp_path / "testcounty.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(MechanismFileError) as excinfo:
        mechanism_load(source=str(path))
    message = str(excinfo.value)
    line = line_of(broken, marker)
    # A multi-line list item is reported at its first line.
    assert f"第{line}行" in message or f"第{line - 1}行" in message, message  # item start
    assert fragment in message, message
    assert not Mechanism.objects.filter(slug="testcounty").exists()
    assert history_rows() == before


def test_a_broken_update_leaves_the_loaded_mechanism_untouched(tmp_path):
    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    mechanism_load(source=str(path))
    path.write_text(THIRD_CITY.replace("workdays: 3", "workdays: 9").replace(
        "kind: township", "kind: village"), encoding="utf-8")
    with pytest.raises(MechanismFileError):
        mechanism_load(source=str(path))
    assert TierDeadline.objects.get(tier__code="fast", stage="settle").workdays == 3


def test_load_mechanism_command(capsys, tmp_path):
    call_command("load_mechanism", "yuanjiang")
    assert "沅江市社会保险费征缴争议处理机制" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有名为“nowhere”"):
        call_command("load_mechanism", "nowhere")
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未做任何修改"):
        call_command("load_mechanism", str(bad))
