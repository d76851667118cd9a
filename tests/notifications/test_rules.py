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


@pytest.mark.parametrize(("text", "short"), [
    ("{{ number }}", True),
    ("  前 {{number}} 后  ", True),
    ("{{ number }}{{ query_code }}", True),
    ("{{\nnumber\n}} 跨行的不是变量", True),
    ("", True),
    ("{{ number|upper }} {{ office }}", False),
    ("{{ case.number }}", False),
    ("{# 备注 #}{{ number }}", False),
    ("{% if overdue %}超期{% endif %}{{ number }}", False),
    ("{% verbatim %}{{ number }}{% endverbatim %}", False),
    ("{{ number }} }} 与 {{ 结尾", True),
    # Short text, but values the engine shows its own way: it renders them.
    ("{ number } {{ missing }}", True),
    ("{{ people }} 人，{{ flag }}，{{ nothing }}", True),
    ("{{ None }} {{ True }}", True),
    ("{{ shouting }}", True),
])
def test_any_text_reads_as_the_engine_renders_it(text, short):
    context = {**TRICKY, "people": 12000, "flag": False, "nothing": None, "shouting": Shouting("x")}
    assert (rules._plain_pieces(text) is not None) is short
    assert rules.render(text, context) == engine(text, context)


class Shouting(str):
    """A string subclass with its own __str__: the engine shows str(value), not the string."""

    def __str__(self) -> str:
        return self.upper() + "！"


@pytest.mark.parametrize("text", ["受理编号 {{ _number }}", "受理编号 {{{ number }}}"])
def test_a_text_the_engine_refuses_is_refused(text):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        rules.render(text, {**TRICKY, "_number": "GP-2026-000123"})


@pytest.mark.django_db
def test_an_acknowledgement_needs_no_template_engine(gaoping, staff, register):
    from cases.actors import Actor

    case = register(gaoping, Actor.staff(staff(gaoping, "tax")))
    text = DEFAULT_TEMPLATES[("acknowledgement", "sms")]["body"]
    context = rules.case_context(case)
    expected = engine(text, context)
    with mock.patch.object(rules, "compile_template", side_effect=AssertionError("engine")):
        got = rules.render(text, context)
    assert got == expected
    assert f"受理编号 {case.number}，查询码 {case.query_code}" in got
