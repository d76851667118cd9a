"""Each person's intake form gets its own copy of the fields (forms.field_copy): what one form
changes never shows on the next person's, and the copy is the one Django's deepcopy makes."""

import copy

import pytest

from forms.field_copy import FieldsCopiedQuickly
from forms.models import IntakeFormField, IntakeFormPage

pytestmark = pytest.mark.django_db

# Every kind of field the page editor offers, choice lists included.
EDITOR_FIELDS = [
    ("singleline", ""), ("multiline", ""), ("email", ""), ("number", ""), ("url", ""),
    ("checkbox", ""), ("checkboxes", "工资\n社保\n医保"), ("dropdown", "米山镇\n三甲镇"),
    ("multiselect", "甲\n乙"), ("radio", "是\n否"), ("date", ""), ("datetime", ""), ("hidden", ""),
]


@pytest.fixture
def form_class(portal):
    page = IntakeFormPage.objects.get(pk=portal.form_page.pk)
    for order, (kind, choices) in enumerate(EDITOR_FIELDS, start=10):
        IntakeFormField.objects.create(page=page, label=f"补充{kind}", field_type=kind,
                                       choices=choices, required=False, sort_order=order)
    return page.get_form_class(cacheable=True)


def _same(fast, slow, original, path):
    assert type(fast) is type(slow), path
    assert vars(fast).keys() == vars(slow).keys(), path
    for name, value in vars(slow).items():
        mine, theirs = getattr(fast, name), getattr(original, name)
        if name == "widget":
            _same(mine, value, theirs, f"{path}.widget")
        elif name == "_queryset":
            assert list(mine) == list(value) and mine.model is value.model and mine is not theirs, path
        else:
            assert mine == value, f"{path}.{name}"
        if isinstance(value, (dict, list)) and value is not theirs:  # Django copied it: so must we
            assert mine is not theirs, f"{path}.{name} is shared with the class"


def test_the_copy_is_what_djangos_deepcopy_makes_for_every_editor_field(form_class):
    assert isinstance(form_class.base_fields, FieldsCopiedQuickly)
    fast = copy.deepcopy(form_class.base_fields)
    slow = copy.deepcopy(dict(form_class.base_fields))  # Django's own __deepcopy__ methods
    assert type(fast) is dict and fast.keys() == slow.keys()
    assert len(fast) >= 13 + len(EDITOR_FIELDS)
    for name in slow:
        assert fast[name] is not form_class.base_fields[name]
        _same(fast[name], slow[name], form_class.base_fields[name], name)


def test_what_one_form_changes_never_shows_on_the_next_persons(portal, form_class):
    first = form_class(page=portal.form_page, user=None)
    dropdown = next(n for n in first.fields if n.startswith("extra_") and "dropdown" in
                    str(first.fields[n].label))
    validators = len(first.fields["complainant_name"].validators)
    # Changed in place, as code that adds an option for one request would: shared lists would leak.
    first.fields[dropdown].choices.append(("只给第一份", "只给第一份"))
    first.fields["complainant_name"].widget.attrs["placeholder"] = "只给第一份"
    first.fields["complainant_name"].error_messages["required"] = "只给第一份"
    first.fields["complainant_name"].validators.append(lambda value: None)

    second = form_class({dropdown: "只给第一份"}, page=portal.form_page, user=None)
    html = str(second[dropdown]) + str(second["complainant_name"])
    assert "只给第一份" not in html and "米山镇" in html
    second.is_valid()
    assert second.errors["complainant_name"] == ["请填写姓名或单位名称。"]
    assert dropdown in second.errors  # not an option of the second person's form
    assert len(second.fields["complainant_name"].validators) == validators
