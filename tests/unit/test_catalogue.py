import pytest

from manifest.catalogue import (
    LAND_APPLICATION_OPERATIONS,
    HwCode,
    SCode,
    category_of,
    classify_code,
    classify_s_category,
    is_land_application,
    parse_hazards,
    parse_hw_code,
    parse_s_code,
    parse_waste_code,
    validate_operation,
    validate_physical_form,
    validate_waste_code,
)
from manifest.catalogue_data import (
    HAZARDS,
    HW_CATEGORIES,
    OPERATIONS,
    PHYSICAL_FORMS,
    UNIT_NAMES,
)
from manifest.errors import ValidationFailed
from manifest.quantities import UNITS


def test_the_list_has_46_categories_without_hw41_to_hw44():
    assert len(HW_CATEGORIES) == 46
    expected = {f"HW{n:02d}" for n in range(1, 51)} - {"HW41", "HW42", "HW43", "HW44"}
    assert set(HW_CATEGORIES) == expected


def test_category_names():
    assert HW_CATEGORIES["HW01"] == ("医疗废物", "Medical waste")
    assert HW_CATEGORIES["HW17"].zh == "表面处理废物"
    assert HW_CATEGORIES["HW08"].zh == "废矿物油与含矿物油废物"
    assert HW_CATEGORIES["HW48"].zh == "有色金属采选和冶炼废物"
    assert HW_CATEGORIES["HW50"].en == "Spent catalysts"
    assert all(name.zh and name.en for name in HW_CATEGORIES.values())


def test_electroplating_sludge_code_parses_to_hw17():
    code = parse_hw_code("336-064-17")
    assert code == HwCode("336", "064", "HW17")
    assert code.code == str(code) == "336-064-17"
    assert code.kind == "hazardous"


@pytest.mark.parametrize("text", ["33606417", " 336-064-17 ", "３３６－０６４－１７", "336–064–17"])
def test_hw_codes_are_normalised(text):
    assert parse_hw_code(text).code == "336-064-17"


@pytest.mark.parametrize("text", ["336-64-17", "336-064-170", "HW17", "336-064", "abc-def-gh", ""])
def test_malformed_hw_codes_say_the_expected_form(text):
    with pytest.raises(ValidationFailed, match="NNN-NNN-NN") as info:
        parse_hw_code(text)
    assert "waste_code" in info.value.errors


@pytest.mark.parametrize("number", ["00", "41", "42", "43", "44", "51", "99"])
def test_categories_not_in_use_are_refused(number):
    with pytest.raises(ValidationFailed, match=f"HW{number}, which is not in") as info:
        parse_hw_code(f"900-001-{number}")
    assert ("HW41-HW44" in info.value.message) == (41 <= int(number) <= 44)


def test_s_codes_use_dashed_form_and_accept_the_nine_characters():
    assert parse_s_code("462-001-S07") == SCode("462", "001", "S07")
    assert parse_s_code("462001s07").code == "462-001-S07"
    assert parse_s_code("462001S07").category_kind == "industrial"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("462-000-S07", "sequence must be 001-099"),
        ("462-100-S07", "sequence must be 001-099"),
        ("462-001-S08", "S08 is not in use"),
        ("462-001-S00", "not S01-S99"),
        ("462-001-07", "NNN-NNN-SNN"),
        ("462-01-S07", "NNN-NNN-SNN"),
    ],
)
def test_bad_s_codes(text, reason):
    with pytest.raises(ValidationFailed, match=reason):
        parse_s_code(text)


@pytest.mark.parametrize(
    ("n", "kind"),
    [
        (1, "industrial"),
        (7, "industrial"),
        (59, "industrial"),
        (60, "household"),
        (69, "household"),
        (70, "construction"),
        (79, "construction"),
        (80, "agricultural"),
        (89, "agricultural"),
        (90, "other"),
        (99, "other"),
        ("S64", "household"),
    ],
)
def test_s_category_ranges(n, kind):
    assert classify_s_category(n) == kind


@pytest.mark.parametrize("n", [0, 8, 100, "S8x", "x"])
def test_s_category_out_of_range(n):
    with pytest.raises(ValidationFailed):
        classify_s_category(n)


def test_classify_code():
    assert classify_code("900-249-08") == "hazardous"
    assert classify_code("462-001-S07") == "solid"
    assert category_of("336-064-17") == "HW17"
    assert category_of("462-001-S07") == "S07"
    assert isinstance(parse_waste_code("90004149"), HwCode)
    with pytest.raises(ValidationFailed, match="neither a hazardous-waste code"):
        classify_code("HW17-336-064-17")
    with pytest.raises(ValidationFailed, match="HW42"):
        classify_code("900-001-42")


def test_without_a_loaded_list_only_the_format_is_checked():
    assert validate_waste_code(" 33606418 ") == "336-064-18"
    assert validate_waste_code("336-064-18", official=None) == "336-064-18"
    assert validate_waste_code("336-064-18", official=set()) == "336-064-18"


def test_a_loaded_list_refuses_codes_not_in_it():
    official = {"336-064-17", "900-249-08"}
    assert validate_waste_code("33606417", official=official) == "336-064-17"
    with pytest.raises(ValidationFailed, match="not in the loaded official list") as info:
        validate_waste_code("336-064-18", official=official)
    assert info.value.errors == {"waste_code": [info.value.message]}


def test_a_list_of_one_kind_does_not_restrict_the_other_kind():
    hazardous_only = {"336-064-17"}
    assert validate_waste_code("462-001-S07", official=hazardous_only) == "462-001-S07"
    both = {"336-064-17": "表面处理废物", "462-001-S07": "污泥"}
    with pytest.raises(ValidationFailed, match="not in the loaded official list"):
        validate_waste_code("462-002-S07", official=both)


def test_format_errors_come_before_the_list_check():
    with pytest.raises(ValidationFailed, match="HW41"):
        validate_waste_code("900-001-41", official={"336-064-17"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T", ("T",)),
        ("T/C", ("T", "C")),
        ("T,In", ("T", "In")),
        ("C，T", ("T", "C")),
        ("T、I、R", ("T", "I", "R")),
        ("in", ("In",)),
        ("T/C/I/R/In", ("T", "C", "I", "R", "In")),
        (["R", "T", "T"], ("T", "R")),
    ],
)
def test_hazards(text, expected):
    assert parse_hazards(text) == expected


def test_hazard_errors_name_the_unknown_letters():
    with pytest.raises(ValidationFailed, match="unknown hazard characteristic\\(s\\) X, Tox"):
        parse_hazards("T/X/Tox")
    with pytest.raises(ValidationFailed, match="at least one"):
        parse_hazards(" ")


def test_hazard_names():
    assert HAZARDS["In"] == ("感染性", "infectivity")
    assert list(HAZARDS) == ["T", "C", "I", "R", "In"]


def test_physical_forms_and_units():
    assert PHYSICAL_FORMS["SS"].zh == "半固态"
    assert validate_physical_form(" ss ") == "SS"
    with pytest.raises(ValidationFailed, match="not one of S, SS, L, G"):
        validate_physical_form("liquid")
    assert set(UNIT_NAMES) == set(UNITS)


def test_operations_are_r1_to_r13_and_d1_to_d15():
    expected = {f"R{n}" for n in range(1, 14)} | {f"D{n}" for n in range(1, 16)}
    assert set(OPERATIONS) == expected
    assert all(name.zh and name.en for name in OPERATIONS.values())


@pytest.mark.parametrize(("text", "code"), [("r1", "R1"), ("D10", "D10"), ("R 01", "R1")])
def test_operations_are_normalised(text, code):
    assert validate_operation(text) == code


@pytest.mark.parametrize("text", ["R0", "R14", "D16", "C1", "", "R1a"])
def test_unknown_operations(text):
    with pytest.raises(ValidationFailed, match="R1-R13, D1-D15"):
        validate_operation(text)


def test_land_application():
    assert LAND_APPLICATION_OPERATIONS == {"R10", "D2"}
    assert is_land_application("r10") and is_land_application("D2")
    assert not is_land_application("D10")
    assert "agriculture" in OPERATIONS["R10"].en
