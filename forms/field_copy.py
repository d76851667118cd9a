"""The per-form copy of a form class's fields, made without copy.deepcopy's generic machinery.

Django's BaseForm.__init__ deep-copies the class's fields for every form, so that a form may
change its own (help text, choices, a queryset) without touching the next one's. On the intake
page that is every request, and copy.deepcopy's dispatch (``__reduce_ex__``, the memo, a deep
copy of each choice list) made building the form ~75 µs slower, 40% of its cost
(bench/intake_parts.py). The copy here makes what each field's own ``__deepcopy__`` makes, for
the field and widget classes whose ``__deepcopy__`` is one of Django's listed below (except that
a choice list two fields share is copied once per field); any other class (a subclass with its
own ``__deepcopy__``, a MultiWidget) is deep-copied as Django does.
"""

from __future__ import annotations

import copy

from django import forms
from django.forms.widgets import ChoiceWidget


class FieldsCopiedQuickly(dict):
    """A form class's ``base_fields``: ``copy.deepcopy`` of it (BaseForm.__init__) returns a plain
    dict of field copies as Django's own ``__deepcopy__`` methods would make them."""

    def __deepcopy__(self, memo):
        return {name: field_copy(field, memo) for name, field in self.items()}


def fields_copied_quickly(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    form_class.base_fields = FieldsCopiedQuickly(form_class.base_fields)
    return form_class


_FIELD = forms.Field.__deepcopy__
_CHOICE = forms.ChoiceField.__deepcopy__
_MODEL_CHOICE = forms.ModelChoiceField.__deepcopy__
_WIDGET = forms.Widget.__deepcopy__
_CHOICE_WIDGET = ChoiceWidget.__deepcopy__


_PLAIN: dict[type, bool] = {}


def _plain(cls: type) -> bool:
    """Whether copy.copy of a `cls` instance is a new instance with a copy of its __dict__."""
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = _PLAIN[cls] = (
            not hasattr(cls, "__copy__") and not hasattr(cls, "__setstate__")
            and not hasattr(cls, "__slots__") and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__ and cls.__getstate__ is object.__getstate__)
    return plain


def _shallow(obj):
    """copy.copy(obj) for a _plain class."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    return new


def field_copy(field: forms.Field, memo: dict) -> forms.Field:
    if id(field) in memo:
        return memo[id(field)]
    kind = type(field).__deepcopy__
    if kind not in (_FIELD, _CHOICE, _MODEL_CHOICE) or not _plain(type(field)):
        return copy.deepcopy(field, memo)
    new = _shallow(field)  # Field.__deepcopy__
    memo[id(field)] = new
    new.widget = _widget_copy(field.widget, memo)
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if kind is _CHOICE:
        choices = field._choices
        # A list of (value, label) pairs of strings and ints deep-copies to a new list of the
        # same tuples; anything else (groups, lazy labels, a callable) the slow, exact way.
        new._choices = (list(choices) if type(choices) is list and all(_plain_pair(c) for c in choices)
                        else copy.deepcopy(choices, memo))
    elif kind is _MODEL_CHOICE and field.queryset is not None:
        new.queryset = field.queryset.all()  # a new iterator per form (Django #11183)
    return new


def _plain_pair(choice) -> bool:
    return (type(choice) is tuple and len(choice) == 2
            and all(type(part) in (str, int) for part in choice))


def _widget_copy(widget: forms.Widget, memo: dict) -> forms.Widget:
    if id(widget) in memo:
        return memo[id(widget)]
    kind = type(widget).__deepcopy__
    if kind not in (_WIDGET, _CHOICE_WIDGET) or not _plain(type(widget)):
        return copy.deepcopy(widget, memo)
    new = _shallow(widget)
    new.attrs = widget.attrs.copy()
    if kind is _CHOICE_WIDGET:
        new.choices = copy.copy(widget.choices)
    memo[id(widget)] = new
    return new
