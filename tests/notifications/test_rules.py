"""Message texts: what the complainant or unit reads is exactly what Django's template engine
would render from the (editable) template, also where rules.render takes its short path."""

from unittest import mock

import pytest
from django.template import Context

from notifications import rules
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import compile_template

TRICKY = {
    "number": "GP-2026-000123", "query_code": "7K3M9Q", "mechanism": "高平市<征缴>争议",
    "office": "高平市社会保险费征缴争议联合服务中心", "region": "高平市",
    "category": "欠缴 & 少缴", "unit": "国家税务总局高平市税务局", "due_date": "2026年12月04日",
    "result": "经核实：单位已补缴 {{ 3 }} 个月 {% 费用 %}，\"滞纳金\" 100%。",
    "tracking_url": "https://example.gov.cn/track/?a=1&b=2", "survey_url": "https://x/s/",
}


def engine(text: str, context: dict) -> str:
    return compile_template(text).render(Context(context, autoescape=False)).strip()


@pytest.mark.parametrize("key", sorted(DEFAULT_TEMPLATES))
def test_default_texts_read_as_the_engine_renders_them(key):
    for part in ("subject", "body"):
        text = DEFAULT_TEMPLATES[key].get(part, "")
        for context in (TRICKY, {**TRICKY, "overdue": True, "stage": "办理"}, {}):
            assert rules.render(text, context) == engine(text, context)


@pytest.mark.parametrize("text", [
    "{{ number }}",
    "  前 {{number}} 后  ",
    "{{ number|upper }} {{ office }}",
    "{{ case.number }}",
    "{# 备注 #}{{ number }}",
    "{% if overdue %}超期{% endif %}{{ number }}",
    "{{ number }} }} 与 {{ 结尾",
    "{ number } {{ missing }}",
    "{{\nnumber\n}} 跨行的不是变量",
    "{{ number }}{{ query_code }}",
    "{% verbatim %}{{ number }}{% endverbatim %}",
    "{{ people }} 人，{{ flag }}，{{ nothing }}",
    "",
])
def test_any_text_reads_as_the_engine_renders_it(text):
    context = {**TRICKY, "people": 12000, "flag": False, "nothing": None}
    assert rules.render(text, context) == engine(text, context)


@pytest.mark.parametrize("text", ["受理编号 {{ _number }}", "受理编号 {{{ number }}}"])
def test_a_text_the_engine_refuses_is_refused(text):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        rules.render(text, {**TRICKY, "_number": "GP-2026-000123"})


def test_an_acknowledgement_needs_no_template_engine():
    text = DEFAULT_TEMPLATES[("acknowledgement", "sms")]["body"]
    with mock.patch.object(rules, "compile_template", side_effect=AssertionError("engine")):
        got = rules.render(text, TRICKY)
    assert got.startswith("【高平市社会保险费征缴争议联合服务中心】")
    assert "受理编号 GP-2026-000123，查询码 7K3M9Q" in got


def test_a_result_with_quotes_and_ampersands_is_texted_as_written():
    context = {**TRICKY, "result": '单位"已补缴" & 退还 <多收> 部分'}
    for text in ("结果：{{ result }}", "{% if result %}结果：{{ result }}{% endif %}"):
        assert rules.render(text, context) == '结果：单位"已补缴" & 退还 <多收> 部分'
