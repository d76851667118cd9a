"""Password rules of 等保2.0 三级: length is Django's MinimumLengthValidator; this adds variety."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", frozenset(string.ascii_uppercase)),
    ("小写字母", frozenset(string.ascii_lowercase)),
    ("数字", frozenset(string.digits)),
)


class CharacterClassValidator:
    """At least ``min_classes`` of: upper case, lower case, digits, symbols.

    Anything that is not an ASCII letter or digit (punctuation, spaces, Chinese characters)
    counts as a symbol.
    """

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def classes_in(self, password: str) -> int:
        chars = set(password)
        found = sum(1 for _, members in CLASSES if chars & members)
        plain = frozenset().union(*(members for _, members in CLASSES))
        return found + (1 if chars - plain else 0)

    def validate(self, password: str, user=None) -> None:
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(self.message(), code="password_too_uniform")

    def message(self) -> str:
        return f"密码须至少包含大写字母、小写字母、数字、符号这四类中的{self.min_classes}类。"

    def get_help_text(self) -> str:
        return self.message()
