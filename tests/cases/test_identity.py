import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cases import identity
from cases.identity import (
    CREDIT_CODE_ALPHABET,
    birth_date_from_resident_id,
    check_char_credit_code,
    check_char_resident_id,
    looks_like_credit_code,
    looks_like_mobile,
    looks_like_resident_id,
    make_credit_code,
    make_mobile,
    make_resident_id,
    mask_credit_code,
    mask_identity,
    mask_mobile,
    mask_name,
    mask_resident_id,
    normalize_credit_code,
    normalize_mobile,
    normalize_resident_id,
    sex_from_resident_id,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TEXTBOOK_ID = "11010519491231002X"  # GB 11643-1999 example
PUBLIC_CODE = "91350100M000100Y43"  # published example, verified below
RID_CHARS = "0123456789X"


def with_check_rid(first17: str) -> str:
    return first17 + check_char_resident_id(first17)


def with_check_cc(first17: str) -> str:
    return first17 + check_char_credit_code(first17)


def assert_invalid(validate, value, code, message, **kwargs):
    with pytest.raises(ValidationError) as exc:
        validate(value, **kwargs)
    assert exc.value.code == code
    assert exc.value.messages == [message]


# --- 居民身份证号 -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        TEXTBOOK_ID,
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２ｘ",  # full-width digits and letter
        "110105\u300019491231002Ｘ",  # ideographic space
    ],
)
def test_resident_id_accepts_and_normalizes(raw):
    assert validate_resident_id(raw) == TEXTBOOK_ID
    assert normalize_resident_id(raw) == TEXTBOOK_ID


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_resident_id_required(raw):
    assert_invalid(validate_resident_id, raw, "resident_id_required", "请输入身份证号")


@pytest.mark.parametrize("raw", ["11010519491231002", "11010519491231002X1", "110105491231002"])
def test_resident_id_length(raw):
    assert_invalid(validate_resident_id, raw, "resident_id_length", "身份证号应为18位")


@pytest.mark.parametrize(
    "raw",
    ["1101051949123100XX", "A1010519491231002X", "11010519491231002Y", "110105-949123-002X"],
)
def test_resident_id_format(raw):
    assert_invalid(
        validate_resident_id, raw, "resident_id_format", "身份证号前17位应为数字，最后一位为数字或X"
    )


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "39", "47", "55", "70", "80", "91", "99"]
)
def test_resident_id_region(prefix):
    value = with_check_rid(prefix + "010519491231002")
    assert_invalid(validate_resident_id, value, "resident_id_region", "身份证号中的地址码无效")


@pytest.mark.parametrize("prefix", ["11", "15", "46", "54", "65", "71", "81", "82", "83"])
def test_resident_id_region_accepted(prefix):
    value = with_check_rid(prefix + "000019800101001")
    assert validate_resident_id(value) == value


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "18991231", "20240102"])
def test_resident_id_birth_date(birth):
    value = with_check_rid("110105" + birth + "002")
    assert_invalid(
        validate_resident_id,
        value,
        "resident_id_birth_date",
        "身份证号中的出生日期无效",
        today=date(2024, 1, 1),
    )


@pytest.mark.parametrize("birth", ["19000101", "20000229", "20240101"])
def test_resident_id_birth_date_boundaries(birth):
    value = with_check_rid("110105" + birth + "002")
    assert validate_resident_id(value, today=date(2024, 1, 1)) == value


def test_resident_id_future_birth_against_real_today():
    value = with_check_rid("110105" + "29991231" + "002")
    assert_invalid(
        validate_resident_id, value, "resident_id_birth_date", "身份证号中的出生日期无效"
    )


@pytest.mark.parametrize("raw", ["110105194912310021", "11010519491231003X"])
def test_resident_id_checksum(raw):
    assert_invalid(
        validate_resident_id, raw, "resident_id_checksum", "身份证号校验位不正确，请核对后重新输入"
    )


def test_resident_id_check_char():
    assert check_char_resident_id("11010519491231002") == "X"
    for bad in ["1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２"]:
        with pytest.raises(ValueError):
            check_char_resident_id(bad)


def test_birth_date_and_sex_from_resident_id():
    assert birth_date_from_resident_id("11010519491231002x") == date(1949, 12, 31)
    assert sex_from_resident_id(TEXTBOOK_ID) == "女"  # 17th digit 2
    assert sex_from_resident_id(with_check_rid("14058119800101001")) == "男"
    assert birth_date_from_resident_id("123") is None
    assert birth_date_from_resident_id(with_check_rid("11010519490230002")) is None
    assert sex_from_resident_id("") is None


# --- 统一社会信用代码 ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        PUBLIC_CODE,
        "91350100m000100y43",
        " 9135 0100 M000 100Y 43 ",
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_credit_code_accepts_and_normalizes(raw):
    assert validate_credit_code(raw) == PUBLIC_CODE
    assert normalize_credit_code(raw) == PUBLIC_CODE


@pytest.mark.parametrize("registration", ["Y", "A", "N", "5", "1", "9"])
def test_credit_code_letters_first(registration):
    code = make_credit_code(random.Random(7), registration=registration, category="1")
    assert code[0] == registration
    assert validate_credit_code(code) == code


def test_credit_code_letter_first_by_hand():
    code = with_check_cc("Y1140581MA0GRW9TX")
    assert validate_credit_code(code.lower()) == code


@pytest.mark.parametrize("raw", ["", " ", None])
def test_credit_code_required(raw):
    assert_invalid(validate_credit_code, raw, "credit_code_required", "请输入统一社会信用代码")


@pytest.mark.parametrize("raw", ["91350100M000100Y4", "91350100M000100Y433", "M000100Y4"])
def test_credit_code_length(raw):
    assert_invalid(validate_credit_code, raw, "credit_code_length", "统一社会信用代码应为18位")


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "i", "o", "-", "中"])
def test_credit_code_charset(bad):
    raw = PUBLIC_CODE[:10] + bad + PUBLIC_CODE[11:]
    assert_invalid(
        validate_credit_code,
        raw,
        "credit_code_charset",
        "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）",
    )


def test_credit_code_region():
    code = with_check_cc("91A50100M000100Y4")  # only the region is wrong
    assert_invalid(
        validate_credit_code,
        code,
        "credit_code_region",
        "统一社会信用代码第3至8位应为6位数字的行政区划码",
    )


@pytest.mark.parametrize("raw", ["91350100M000100Y42", "91350100M000100Y34", "91350100M000010Y43"])
def test_credit_code_checksum(raw):
    assert_invalid(
        validate_credit_code,
        raw,
        "credit_code_checksum",
        "统一社会信用代码校验位不正确，请核对后重新输入",
    )


def test_credit_code_check_char():
    assert check_char_credit_code(PUBLIC_CODE[:17]) == "3"
    # sum mod 31 == 0 must map to "0", not to an out-of-range 31
    assert check_char_credit_code("0" * 17) == "0"
    for bad in ["91350100M000100Y", "91350100M000100YI", "91350100m000100Y4"]:
        with pytest.raises(ValueError):
            check_char_credit_code(bad)


def test_registration_authorities_are_in_alphabet():
    assert set(identity.REGISTRATION_AUTHORITIES) <= set(CREDIT_CODE_ALPHABET)
    assert len(CREDIT_CODE_ALPHABET) == 31 and not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


# --- 手机号码 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "(+86) 138-1234-5678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_accepts_and_normalizes(raw):
    assert validate_mobile(raw) == "13812345678"
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    ["", None, "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a",
     "86138123456", "+8512345678901", "010-12345678"],
)  # fmt: skip
def test_mobile_invalid(raw):
    assert_invalid(validate_mobile, raw, "mobile_invalid", "请输入11位手机号码")


# --- search routing -----------------------------------------------------------


def test_looks_like():
    assert looks_like_resident_id("11010519491231002x")
    assert looks_like_resident_id("110105194912310021")  # shape only, checksum ignored
    assert not looks_like_resident_id("91350100M000100Y43")
    assert not looks_like_resident_id("张三")
    assert looks_like_credit_code(" 91350100m000100y43 ")
    assert looks_like_credit_code("110105194912310021")  # all digits: could be either
    assert not looks_like_credit_code("91A50100M000100Y43")
    assert not looks_like_credit_code("91350100M000100Y4")
    assert looks_like_mobile("+86 138-1234-5678")
    assert not looks_like_mobile("1381234567")
    assert not looks_like_mobile("高平市")


# --- masking ------------------------------------------------------------------


def test_masks_on_real_shapes():
    assert mask_resident_id(TEXTBOOK_ID) == "110105********002X"
    assert mask_resident_id("11010519491231002x") == "110105********002X"
    assert mask_credit_code(PUBLIC_CODE) == "91350100******0Y43"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("王小明", "王**"), ("欧阳小明", "欧阳**"), ("司马光", "司**"),
     ("买买提·艾力", "买买****"), ("李", "*"), ("", ""), (None, ""), (" 张 三 ", "张*")],
)  # fmt: skip
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (TEXTBOOK_ID, "110105********002X"),
        (PUBLIC_CODE, "91350100******0Y43"),
        ("138 1234 5678", "138****5678"),
        ("110105194912310021", "110105********0021"),  # invalid but ID-shaped
        ("91350100M000100Y42", "91350100******0Y42"),  # invalid but code-shaped
        ("110105491231002", "110*********002"),  # old 15-digit number
        ("", ""),
        (None, ""),
        ("12", "**"),
        ("abcdefgh", "ab****gh"),
    ],
)
def test_mask_identity(value, masked):
    assert mask_identity(value) == masked


@pytest.mark.parametrize("mask", [mask_resident_id, mask_credit_code, mask_mobile, mask_identity])
@pytest.mark.parametrize("odd", ["", None, "1", "12", "123", "1234", "12345", 12345, "   "])
def test_masks_never_raise_and_hide_most(mask, odd):
    out = mask(odd)
    assert isinstance(out, str)
    assert len(out) - out.count("*") <= len(out) // 2


@given(st.text().filter(lambda t: "*" not in t))
def test_masks_never_raise_on_any_text(text):
    for mask in (mask_resident_id, mask_credit_code, mask_mobile, mask_name, mask_identity):
        out = mask(text)
        # The fixed masks hide 8/18, 6/18 and 4/11; every fallback hides half or more.
        assert out.count("*") >= len(out) // 3


# --- generators ---------------------------------------------------------------


def test_make_resident_id_parameters():
    rng = random.Random(2026)
    rid = make_resident_id(rng, region="430981", birth=date(1985, 6, 15), sex="女")
    assert rid.startswith("43098119850615")
    assert sex_from_resident_id(rid) == "女"
    assert validate_resident_id(rid) == rid
    assert sex_from_resident_id(make_resident_id(rng, sex="M")) == "男"
    assert make_resident_id(rng).startswith("140581")


def test_generators_are_deterministic():
    assert make_resident_id(random.Random(5)) == make_resident_id(random.Random(5))
    assert make_credit_code(random.Random(5)) == make_credit_code(random.Random(5))
    assert make_mobile(random.Random(5)) == make_mobile(random.Random(5))


@pytest.mark.parametrize(
    "kwargs", [{"region": "14058"}, {"region": "910000"}, {"region": "ABCDEF"}, {"sex": "X"}]
)
def test_make_resident_id_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_resident_id(random.Random(1), **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"region": "1405"}, {"registration": "I"}, {"category": "12"}, {"registration": ""}]
)
def test_make_credit_code_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_credit_code(random.Random(1), **kwargs)


def test_generated_credit_codes_carry_valid_organisation_codes():
    rng = random.Random(11)
    for _ in range(50):
        code = make_credit_code(rng)
        assert identity._org_code_check(code[8:16]) == code[16]
        assert code[2:8] == "140581"


# --- properties ---------------------------------------------------------------

regions = st.sampled_from(["140581", "430981", "110105", "650102", "810000", "830000"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
sexes = st.sampled_from([None, "男", "女", "M", "F"])
alphabet_chars = st.sampled_from(CREDIT_CODE_ALPHABET)


@st.composite
def resident_ids(draw):
    rng = draw(st.randoms(use_true_random=False))
    return make_resident_id(rng, region=draw(regions), birth=draw(births), sex=draw(sexes))


@st.composite
def credit_codes(draw):
    # Arbitrary alphabet characters outside the region, not only generator output.
    head = draw(st.text(alphabet_chars, min_size=2, max_size=2))
    region = draw(st.text(st.sampled_from("0123456789"), min_size=6, max_size=6))
    body = draw(st.text(alphabet_chars, min_size=9, max_size=9))
    return with_check_cc(head + region + body)


@given(resident_ids())
def test_generated_resident_ids_validate(rid):
    assert validate_resident_id(rid) == rid
    assert looks_like_resident_id(rid)
    assert mask_identity(rid) == rid[:6] + "*" * 8 + rid[-4:]


@given(st.randoms(use_true_random=False), st.text("0123456789", min_size=6, max_size=6),
       alphabet_chars, alphabet_chars)  # fmt: skip
def test_generated_credit_codes_validate(rng, region, registration, category):
    code = make_credit_code(rng, region=region, registration=registration, category=category)
    assert validate_credit_code(code) == code
    assert looks_like_credit_code(code)


@given(credit_codes())
def test_any_checked_credit_code_validates(code):
    assert validate_credit_code(code) == code


@given(st.randoms(use_true_random=False))
def test_generated_mobiles_validate(rng):
    mobile = make_mobile(rng)
    assert validate_mobile(mobile) == mobile
    assert validate_mobile(f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}") == mobile


# MOD 11-2 and MOD 31 use a prime modulus with weights that are all non-zero
# modulo it, so any single substitution in the first 17 changes the expected
# check character, and replacing the check character itself breaks the match.
@given(resident_ids(), st.integers(0, 17), st.sampled_from(RID_CHARS))
def test_single_substitution_breaks_resident_id(rid, position, char):
    if rid[position] == char:
        char = RID_CHARS[(RID_CHARS.index(char) + 1) % len(RID_CHARS)]
    with pytest.raises(ValidationError):
        validate_resident_id(rid[:position] + char + rid[position + 1 :])


@given(credit_codes(), st.integers(0, 17), alphabet_chars)
def test_single_substitution_breaks_credit_code(code, position, char):
    if code[position] == char:
        char = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(char) + 1) % 31]
    with pytest.raises(ValidationError):
        validate_credit_code(code[:position] + char + code[position + 1 :])


# Consecutive weights also differ modulo 11 and 31, so swapping two different
# adjacent characters among the first 17 is caught as well.
@given(resident_ids(), st.integers(0, 15))
def test_adjacent_transposition_changes_resident_id_check(rid, i):
    swapped = rid[:i] + rid[i + 1] + rid[i] + rid[i + 2 : 17]
    if swapped != rid[:17]:
        assert check_char_resident_id(swapped) != rid[17]


@given(credit_codes(), st.integers(0, 15))
def test_adjacent_transposition_changes_credit_code_check(code, i):
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 : 17]
    if swapped != code[:17]:
        assert check_char_credit_code(swapped) != code[17]


@given(st.text())
def test_validators_raise_only_validation_error(text):
    for validate in (validate_resident_id, validate_credit_code, validate_mobile):
        try:
            assert validate(validate(text)) == validate(text)  # idempotent
        except ValidationError as exc:
            assert exc.code and exc.messages
