"""EncryptedTextField: a text column encrypted at rest, with an optional blind-index sibling.

    complainant_phone = EncryptedTextField("联系电话", max_length=20, blank=True,
                                           blind_index="complainant_phone_hash")
    complainant_phone_hash = BlindIndexField()  # declared after the field it indexes

Reading decrypts (``from_db_value``), every write path encrypts (save, bulk_create, bulk_update,
QuerySet.update, simple-history's copies). The sibling is set in ``pre_save``, the hook Django
gives fields to derive a value at save time (as ``auto_now`` does), so Model.save, bulk_create
and the historical rows simple-history writes carry a matching hash without any service having
to remember it. Paths that skip ``pre_save`` (``save(update_fields=...)`` without the hash,
bulk_update, QuerySet.update) must name the hash too: ``set_blind_indexes(obj)`` helps.

Ciphertext is random, so equality lookups on the field itself could never match: they raise.
Search with the blind index: ``filter(complainant_phone_hash=blind_index(phone))``.
"""

from __future__ import annotations

from django import forms
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models

from security.crypto import blind_index, decrypt, encrypt

ALLOWED_LOOKUPS = frozenset({"isnull"})


class EncryptedTextField(models.TextField):
    description = "加密文本"

    def __init__(self, *args, blind_index: str = "", **kwargs):
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def _sibling(self, model) -> str:
        """The blind-index column on this model, or "" (simple-history's copy of the model
        leaves the hash out, so its copy of this field indexes nothing)."""
        if not self.blind_index:
            return ""
        known = self.__dict__.setdefault("_siblings", {})  # asked on every save of every row
        if model not in known:
            names = {f.name for f in model._meta.concrete_fields}
            known[model] = self.blind_index if self.blind_index in names else ""
        return known[model]

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        historical = getattr(getattr(self, "model", None), "instance_type", None) is not None
        if self.blind_index and hasattr(self, "model") and not historical:
            names = [f.name for f in self.model._meta.concrete_fields]
            if self.blind_index not in names:
                errors.append(checks.Error(f"盲索引字段 {self.blind_index} 不存在。", obj=self,
                                           id="security.E101"))
            elif names.index(self.blind_index) < names.index(self.name):
                # Inserts call pre_save field by field: the hash must come after its source.
                errors.append(checks.Error(f"盲索引字段 {self.blind_index} 必须声明在 {self.name} 之后。",
                                           obj=self, id="security.E102"))
        return errors

    # --- reading ---------------------------------------------------------------------------

    def from_db_value(self, value, expression, connection):
        return decrypt(value, context=self.name) if value else value

    # --- writing ---------------------------------------------------------------------------

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        sibling = self._sibling(type(model_instance))
        if sibling:
            setattr(model_instance, sibling, blind_index(value))
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if prepared:  # a lookup value, already checked by get_prep_value
            return value
        value = self.to_python(value)
        return encrypt(value, context=self.name) if value else value

    # --- querying --------------------------------------------------------------------------

    def get_prep_value(self, value):
        # Reached only from lookups (writes go through get_db_prep_value above).
        value = super().get_prep_value(value)
        if value:
            raise FieldError(f"{self.name} 已加密存储，不能按值查询；请使用盲索引字段"
                             f" {self.blind_index or '（未配置）'}。")
        return value

    def get_lookup(self, lookup_name):
        # exact/in only for the empty string (get_prep_value refuses anything else).
        if lookup_name in ALLOWED_LOOKUPS or lookup_name in {"exact", "in"}:
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.CharField, "widget": forms.TextInput,
                                    **kwargs})


class BlindIndexField(models.CharField):
    """HMAC-SHA256 hex of a sibling EncryptedTextField's normalised value; "" when empty."""

    description = "盲索引"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def set_blind_indexes(obj) -> list[str]:
    """Recompute every blind index of obj in memory; returns the hash field names (for
    bulk_update or update_fields)."""
    names = []
    for field in encrypted_fields(type(obj)):
        sibling = field._sibling(type(obj))
        if sibling:
            setattr(obj, sibling, blind_index(getattr(obj, field.attname)))
            names.append(sibling)
    return names
