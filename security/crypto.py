"""Field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256) for personal data at rest.

Stored form of a non-empty value: ``enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``.
The key id (8 hex characters derived from the key) lets a wrong key fail with a clear message
instead of a cryptic tag error; the field name is bound as associated data, so a value copied
into another column does not decrypt. Empty values stay empty: "has no phone" is not secret and
keeps ``exclude(field="")`` working.

Keys come from settings (``ONESTOP_FIELD_KEY``, ``ONESTOP_HASH_KEY``), which read the
environment; see docs/security.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"
NONCE_BYTES = 12


class FieldDecryptionError(Exception):
    """A stored value cannot be decrypted: wrong key, damaged data or a plaintext left behind."""


def decode_key(text: str, *, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} 不是有效的 base64 编码。") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} 解码后应为 32 字节（AES-256），当前为 {len(key)} 字节。")
    return key


@functools.cache
def _keys(field_text: str, hash_text: str) -> tuple[bytes, str, bytes]:
    if not field_text:
        raise ImproperlyConfigured("未配置个人信息加密密钥 ONESTOP_FIELD_KEY。")
    key = decode_key(field_text, name="ONESTOP_FIELD_KEY")
    key_id = hmac.new(key, b"onestop key id", hashlib.sha256).hexdigest()[:8]
    if hash_text:
        hash_key = decode_key(hash_text, name="ONESTOP_HASH_KEY")
    else:  # derived, so a deployment needs one secret; a separate key may be given
        hash_key = hmac.new(key, b"onestop blind index", hashlib.sha256).digest()
    return key, key_id, hash_key


def keys() -> tuple[bytes, str, bytes]:
    """(encryption key, its id, blind-index key) from the current settings."""
    return _keys(getattr(settings, "ONESTOP_FIELD_KEY", ""), getattr(settings, "ONESTOP_HASH_KEY", ""))


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def encrypt(value: str, *, context: str) -> str:
    if not value:
        return value
    key, key_id, _ = keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str, *, context: str) -> str:
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        raise FieldDecryptionError(
            f"字段 {context} 中存在未加密的数据，请先执行 python manage.py migrate 完成加密迁移。")
    key, key_id, _ = keys()
    try:
        stored_id, body = stored[len(PREFIX):].split(":", 1)
    except ValueError:
        raise FieldDecryptionError(f"字段 {context} 的加密数据格式损坏，无法解密。") from None
    if stored_id != key_id:
        raise FieldDecryptionError(
            f"字段 {context} 的数据由另一把密钥加密（密钥标识 {stored_id}，当前 {key_id}），"
            "请检查环境变量 ONESTOP_FIELD_KEY 是否与加密时一致。")
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
    except (InvalidTag, ValueError, binascii.Error):
        raise FieldDecryptionError(
            f"字段 {context} 的数据校验失败（密钥不符或数据被改动），拒绝显示。") from None
    return plain.decode("utf-8")


def normalise_for_index(value: str | None) -> str:
    """What counts as "the same" value: NFKC (full-width folds to ASCII), no whitespace, upper."""
    if not value:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def blind_index(value: str | None) -> str:
    """HMAC-SHA256 of the normalised value, hex; "" for an empty value."""
    text = normalise_for_index(value)
    if not text:
        return ""
    _, _, hash_key = keys()
    return hmac.new(hash_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
