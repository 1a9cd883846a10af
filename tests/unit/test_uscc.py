import pytest

from manifest.errors import ValidationFailed
from manifest.uscc import (
    ALPHABET,
    check_character,
    is_valid_uscc,
    make_uscc,
    region_of,
    validate_uscc,
)

VALID = "91350100M000100Y43"  # Fuzhou (350100) enterprise, format as printed on licences


def message_of(code: str) -> str:
    with pytest.raises(ValidationFailed) as info:
        validate_uscc(code)
    assert info.value.errors == {"uscc": [info.value.message]}
    return info.value.message


def test_a_real_format_code_passes_and_its_check_character_is_recomputed():
    assert validate_uscc(VALID) == VALID
    assert check_character(VALID[:17]) == "3"
    assert is_valid_uscc(VALID)


def test_input_is_stripped_upper_cased_and_full_width_folded():
    assert validate_uscc("  91350100m000100y43 \n") == VALID
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == VALID


def test_changing_one_character_is_caught_and_the_expected_check_is_named():
    tampered = VALID[:9] + "1" + VALID[10:]  # 91350100M100100Y43
    message = message_of(tampered)
    assert "check character" in message
    assert f"expected {check_character(tampered[:17])!r}" in message
    assert not is_valid_uscc(tampered)


def test_a_wrong_check_character_names_the_one_given_and_the_expected_one():
    assert message_of(VALID[:17] + "4") == "wrong check character '4' at position 18, expected '3'"


@pytest.mark.parametrize("code", [VALID[:17], VALID + "0", ""])
def test_wrong_length(code):
    assert f"got {len(code)}" in message_of(code)


@pytest.mark.parametrize("letter", "IOSVZ")
def test_letters_outside_the_alphabet_are_named_with_their_position(letter):
    message = message_of(VALID[:8] + letter + VALID[9:])
    assert f"illegal character {letter!r} at position 9" in message


def test_the_region_part_must_be_digits():
    body = "91" + "3501A0" + "M000100Y4"
    assert "6-digit region code" in message_of(body + check_character(body))


def test_region_of_returns_the_division_code():
    assert region_of(VALID) == "350100"
    with pytest.raises(ValidationFailed):
        region_of("not a code")


def test_make_uscc_builds_valid_codes_for_any_body():
    code = make_uscc("440703", "MA4W12345")
    assert code.startswith("91440703MA4W12345") and len(code) == 18
    assert validate_uscc(code) == code
    assert region_of(code) == "440703"
    assert make_uscc("440700", "00000000X", department="5", org_type="2")[:2] == "52"


def test_every_check_value_is_reachable():
    # 31 bodies differing in the last character give 31 different check characters.
    checks = {check_character("91440700MA0000000"[:16] + ch) for ch in ALPHABET}
    assert checks == set(ALPHABET)


@pytest.mark.parametrize(
    ("region", "body", "field"),
    [
        ("44070", "MA4W12345", "region_code"),
        ("4407AB", "MA4W12345", "region_code"),
        ("440700", "MA4W1234", "body"),
    ],
)
def test_make_uscc_refuses_malformed_parts(region, body, field):
    with pytest.raises(ValidationFailed) as info:
        make_uscc(region, body)
    assert field in info.value.errors


def test_make_uscc_refuses_illegal_letters_in_the_body():
    with pytest.raises(ValidationFailed, match="illegal character 'O' at position 9"):
        make_uscc("440700", "OA4W12345")


def test_non_strings_are_refused_not_crashed():
    with pytest.raises(ValidationFailed):
        validate_uscc(913501001234)  # type: ignore[arg-type]
    assert is_valid_uscc(None) is False  # type: ignore[arg-type]
