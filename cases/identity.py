"""Identity numbers: validation, normalisation, masking and test-data generators.

Pure functions (no models) shared by the public form, staff intake, the APIs,
the demo data generator and the masking in lists, exports and documents.

* 居民身份证号 — GB 11643-1999, check character ISO 7064 MOD 11-2.
* 统一社会信用代码 — GB 32100-2015, check character MOD 31.
* 手机号码 — mainland China mobile numbers.

Validators raise ``django.core.exceptions.ValidationError`` with a Chinese
message and a stable ``code`` (constants such as ``RESIDENT_ID_CHECKSUM``)
and return the normalised value, so they work as form ``clean_*`` helpers
and as model field validators alike.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map onto ASCII;
# IME input in Chinese forms often produces these.
_FULL_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WHITESPACE = re.compile(r"\s+")


def _fold(value: object) -> str:
    if value is None:
        return ""
    return _WHITESPACE.sub("", str(value).translate(_FULL_TO_HALF))


def _clean(value: object) -> str:
    return _fold(value).upper()


def _today() -> date:
    # "Today" follows settings.TIME_ZONE (Asia/Shanghai) around midnight; the
    # OS clock is the fallback for scripts running without Django settings.
    from django.conf import settings

    from cases.localtime import local_date

    if settings.configured and settings.USE_TZ:
        return local_date()
    return date.today()


# ---------------------------------------------------------------------------
# 居民身份证号 (GB 11643-1999)
# ---------------------------------------------------------------------------

RESIDENT_ID_REQUIRED = "resident_id_required"
RESIDENT_ID_LENGTH = "resident_id_length"
RESIDENT_ID_FORMAT = "resident_id_format"
RESIDENT_ID_REGION = "resident_id_region"
RESIDENT_ID_BIRTH_DATE = "resident_id_birth_date"
RESIDENT_ID_CHECKSUM = "resident_id_checksum"

# Province-level prefixes of GB/T 2260. 71 (台湾) and 81/82 (港澳) are in the
# standard; 83 is accepted because 港澳台居民居住证 (2018) issue GB 11643 numbers
# with 810000/820000/830000. 91 (formerly "国外") is rejected: no ID card
# carries it today and accepting it would only let typos through.
RESIDENT_ID_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
     *range(50, 55), *range(61, 66), 71, 81, 82, 83]
)  # fmt: skip

_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RID_CHECK_MAP = "10X98765432"
_RID_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)
_EARLIEST_BIRTH = date(1900, 1, 1)


def normalize_resident_id(value: str) -> str:
    """Strip whitespace, fold full-width characters, upper-case the trailing x."""
    return _clean(value)


def check_char_resident_id(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if not (len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _RID_WEIGHTS, strict=True))
    return _RID_CHECK_MAP[total % 11]


def _birth_date(normalized: str) -> date | None:
    try:
        return date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate a 18-character resident ID number and return it normalised.

    Checks run from coarse to fine (length, format, region, birth date,
    checksum) so the message names the first thing the user should fix.
    """
    normalized = normalize_resident_id(value)
    if not normalized:
        raise ValidationError("请输入身份证号", code=RESIDENT_ID_REQUIRED)
    if len(normalized) != 18:
        raise ValidationError("身份证号应为18位", code=RESIDENT_ID_LENGTH)
    if not _RID_SHAPE.fullmatch(normalized):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X", code=RESIDENT_ID_FORMAT)
    if int(normalized[:2]) not in RESIDENT_ID_PROVINCES:
        raise ValidationError("身份证号中的地址码无效", code=RESIDENT_ID_REGION)
    birth = _birth_date(normalized)
    if birth is None or not _EARLIEST_BIRTH <= birth <= (today or _today()):
        raise ValidationError("身份证号中的出生日期无效", code=RESIDENT_ID_BIRTH_DATE)
    if check_char_resident_id(normalized[:17]) != normalized[17]:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入", code=RESIDENT_ID_CHECKSUM)
    return normalized


def birth_date_from_resident_id(value: str) -> date | None:
    """Birth date encoded in an 18-character ID, or None if it has none."""
    normalized = normalize_resident_id(value)
    if not _RID_SHAPE.fullmatch(normalized):
        return None
    return _birth_date(normalized)


def sex_from_resident_id(value: str) -> str | None:
    """Return 男 or 女 from the 17th digit (odd = male); None if not ID-shaped."""
    normalized = normalize_resident_id(value)
    if not _RID_SHAPE.fullmatch(normalized):
        return None
    return "男" if int(normalized[16]) % 2 else "女"


# ---------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------

CREDIT_CODE_REQUIRED = "credit_code_required"
CREDIT_CODE_LENGTH = "credit_code_length"
CREDIT_CODE_CHARSET = "credit_code_charset"
CREDIT_CODE_REGION = "credit_code_region"
CREDIT_CODE_CHECKSUM = "credit_code_checksum"

# 31 characters; I, O, Z, S, V are left out because they read like 1, 0, 2, 5, U.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31

# Position 1 (登记管理部门码) per GB 32100-2015 and later assignments. Informational:
# validation accepts any alphabet character so newly assigned departments and
# their 机构类别码 (position 2, e.g. 9/1 企业, 9/2 个体工商户, 5/1 社会团体) never
# block a genuine employer.
REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业（农村集体经济组织）",
    "Y": "其他",
}


def normalize_credit_code(value: str) -> str:
    """Strip whitespace, fold full-width characters, upper-case letters."""
    return _clean(value)


def check_char_credit_code(first17: str) -> str:
    """GB 32100 MOD 31 check character for the first 17 characters."""
    if len(first17) != 17 or any(ch not in _CC_VALUE for ch in first17):
        raise ValueError("first17 must be 17 characters of CREDIT_CODE_ALPHABET")
    total = sum(_CC_VALUE[ch] * w for ch, w in zip(first17, _CC_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate a unified social credit code and return it normalised.

    Positions 9–17 (the GB 11714 organisation code body) are not checked on
    their own: codes of 个体工商户 and other late-comers need not follow it.
    """
    normalized = normalize_credit_code(value)
    if not normalized:
        raise ValidationError("请输入统一社会信用代码", code=CREDIT_CODE_REQUIRED)
    if len(normalized) != 18:
        raise ValidationError("统一社会信用代码应为18位", code=CREDIT_CODE_LENGTH)
    if any(ch not in _CC_VALUE for ch in normalized):
        raise ValidationError(
            "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）",
            code=CREDIT_CODE_CHARSET,
        )
    if not normalized[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码第3至8位应为6位数字的行政区划码", code=CREDIT_CODE_REGION
        )
    if check_char_credit_code(normalized[:17]) != normalized[17]:
        raise ValidationError(
            "统一社会信用代码校验位不正确，请核对后重新输入", code=CREDIT_CODE_CHECKSUM
        )
    return normalized


# ---------------------------------------------------------------------------
# 手机号码
# ---------------------------------------------------------------------------

MOBILE_INVALID = "mobile_invalid"
_MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_MOBILE_SEPARATORS = re.compile(r"[\s\-()]+")


def normalize_mobile(value: str) -> str:
    """Drop separators and a +86 / 0086 / 86 country prefix (only when 11 digits remain)."""
    text = _MOBILE_SEPARATORS.sub("", _clean(value))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) - len(prefix) == 11:
            return text[len(prefix) :]
    return text


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number and return its 11 digits."""
    normalized = normalize_mobile(value)
    if not _MOBILE_SHAPE.fullmatch(normalized):
        raise ValidationError("请输入11位手机号码", code=MOBILE_INVALID)
    return normalized


# ---------------------------------------------------------------------------
# Search routing: shape only, cheap and forgiving
# ---------------------------------------------------------------------------


def looks_like_resident_id(q: str) -> bool:
    """18 characters, 17 digits plus a digit or X. An all-digit query may
    also be a credit code, so callers should try both exact matches."""
    return bool(_RID_SHAPE.fullmatch(normalize_resident_id(q)))


def looks_like_credit_code(q: str) -> bool:
    """18 alphabet characters with a 6-digit region code at positions 3–8."""
    text = normalize_credit_code(q)
    return len(text) == 18 and all(ch in _CC_VALUE for ch in text) and text[2:8].isdigit()


def looks_like_mobile(q: str) -> bool:
    return bool(_MOBILE_SHAPE.fullmatch(normalize_mobile(q)))


# ---------------------------------------------------------------------------
# Masking: never raises; unknown shapes hide at least half of the text
# ---------------------------------------------------------------------------


def _mask(text: str, head: int, tail: int) -> str:
    n = len(text)
    if n == 0:
        return ""
    if n < head + tail + 4:  # too short for the window: show at most a quarter each side
        head = tail = n // 4
    return text[:head] + "*" * (n - head - tail) + text[n - tail :]


def mask_resident_id(value: str) -> str:
    """Keep the address code and the last 4: 11010519491231002X → 110105********002X."""
    text = normalize_resident_id(value)
    return _mask(text, 6, 4) if len(text) == 18 else _mask(text, 3, 3)


def mask_credit_code(value: str) -> str:
    """Keep 8 leading and 4 trailing: 91350100M000100Y43 → 91350100******0Y43.

    Department, category and region help staff and are public anyway.
    """
    text = normalize_credit_code(value)
    return _mask(text, 8, 4) if len(text) == 18 else _mask(text, 3, 3)


def mask_mobile(value: str) -> str:
    """Keep 3 leading and 4 trailing: 13812345678 → 138****5678."""
    text = normalize_mobile(value)
    return _mask(text, 3, 4) if len(text) == 11 else _mask(text, 2, 2)


def mask_name(value: str) -> str:
    """Mask a person's name: 张三 → 张*, 王小明 → 王**, 欧阳小明 → 欧阳**.

    Keeps one character for 2–3 character names and two for longer ones
    (compound surnames are mostly in 4-character names; "司马光" → "司**" is
    accepted). A single character is fully masked. Length is preserved.
    """
    text = _fold(value)
    keep = 0 if len(text) <= 1 else 1 if len(text) <= 3 else 2
    return text[:keep] + "*" * (len(text) - keep)


def mask_identity(value: str) -> str:
    """Mask a resident ID, credit code or mobile number, whichever it is.

    Valid values win over mere shapes; an 18-digit string valid as neither
    is masked as a resident ID, the stricter of the two.
    """
    text = _clean(value)
    for validate, mask in (
        (validate_resident_id, mask_resident_id),
        (validate_credit_code, mask_credit_code),
        (validate_mobile, mask_mobile),
    ):
        try:
            validate(text)
        except ValidationError:
            continue
        return mask(text)
    if looks_like_resident_id(text):
        return mask_resident_id(text)
    if looks_like_credit_code(text):
        return mask_credit_code(text)
    if looks_like_mobile(text):
        return mask_mobile(text)
    return _mask(_fold(value), 3, 3)  # unknown shape: keep the case as typed


# ---------------------------------------------------------------------------
# Generators for tests and demo data (deterministic given the rng)
# ---------------------------------------------------------------------------

_SEX_ODD = {"M": True, "MALE": True, "男": True, "F": False, "FEMALE": False, "女": False}


def make_resident_id(
    rng: random.Random,
    *,
    region: str = "140581",
    birth: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid resident ID. region e.g. "140581" 高平市, "430981" 沅江市;
    sex "男"/"女" (or "M"/"F"); birth defaults to a working-age date."""
    if not (len(region) == 6 and region.isdigit() and int(region[:2]) in RESIDENT_ID_PROVINCES):
        raise ValueError(f"invalid region code: {region!r}")
    if birth is None:
        start = date(1960, 1, 1)
        birth = start + timedelta(days=rng.randrange((date(2005, 12, 31) - start).days + 1))
    if sex is None:
        odd = rng.random() < 0.5
    elif sex.upper() in _SEX_ODD:
        odd = _SEX_ODD[sex.upper()]
    else:
        raise ValueError(f"invalid sex: {sex!r}")
    last = rng.choice("13579" if odd else "02468")
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{last}"
    return first17 + check_char_resident_id(first17)


def _org_code_check(body8: str) -> str:
    # GB 11714 check over the organisation code body: letters count A=10..Z=35.
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_credit_code(
    rng: random.Random,
    *,
    region: str = "140581",
    registration: str = "9",
    category: str = "1",
) -> str:
    """A valid credit code whose positions 9–17 also form a valid GB 11714
    organisation code, as real ones do; a quarter use the newer "MA" bodies."""
    if not (len(region) == 6 and region.isdigit()):
        raise ValueError(f"invalid region code: {region!r}")
    if (
        len(registration) != 1
        or len(category) != 1
        or not {registration, category} <= set(CREDIT_CODE_ALPHABET)
    ):
        raise ValueError("registration and category must be single alphabet characters")
    if rng.random() < 0.25:
        body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = registration + category + region + body + _org_code_check(body)
    return first17 + check_char_credit_code(first17)


def make_mobile(rng: random.Random) -> str:
    """A syntactically valid mobile number (not necessarily allocated)."""
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
