import io
from pathlib import Path

import pytest

from manifest.catalogue import HW_CATEGORIES
from manifest.catalogue_csv import (
    CatalogueEntry,
    RejectedRow,
    iter_catalogue_csv,
    parse_catalogue_csv,
)
from manifest.errors import ValidationFailed

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "catalogue-sample.csv"
BAD = DATA / "catalogue-bad.csv"


def test_the_sample_list_loads_completely():
    rows, rejected = parse_catalogue_csv(SAMPLE)
    assert rejected == []
    assert len(rows) == 42
    assert all(row.category in HW_CATEGORIES for row in rows)
    assert all(row.code.endswith(row.category[2:]) for row in rows)
    by_code = {row.code: row for row in rows}
    sludge = by_code["336-064-17"]
    assert sludge.category == "HW17" and sludge.hazards == ("T", "C")
    assert sludge.kind == "hazardous" and sludge.line_no == 26
    assert by_code["841-001-01"].hazards == ("In",)
    assert by_code["900-249-08"].hazards == ("T", "I")
    assert by_code["900-042-49"].hazards == ("T", "C", "I", "R", "In")
    # A quoted name with ASCII commas stays one field.
    assert "1,1-二氯乙烷" in by_code["900-401-06"].name_zh


def test_bad_rows_are_rejected_with_line_and_reason_and_good_rows_kept():
    rows, rejected = parse_catalogue_csv(str(BAD))
    assert [(r.line_no, r.code) for r in rows] == [
        (2, "336-064-17"),
        (12, "772-002-18"),
        (13, "900-024-29"),
    ]
    assert rows[2].name_zh == "废含汞温度计\n废含汞血压计"
    reasons = {r.line_no: r.reason for r in rejected}
    assert reasons == {
        3: "336-064-18: category HW17 does not match the code's category HW18",
        4: "waste code '33606417X' is neither a hazardous-waste code (NNN-NNN-NN) "
        "nor a solid-waste code (NNN-NNN-SNN)",
        5: "waste code 900-001-42 names category HW42, which is not in the National "
        "Hazardous Waste List (HW41-HW44 are not in use)",
        6: "900-249-08: unknown hazard characteristic(s) X; allowed: T, C, I, R, In",
        7: "duplicate code 336-064-17, first on line 2",
        8: "900-041-49: the Chinese name is empty",
        9: "900-039-49: at least one hazard characteristic is required",
        10: "6 fields but the header has 5 (quote names containing commas)",
        15: "900-052-31: unknown hazard characteristic(s) Q; allowed: T, C, I, R, In",
    }
    assert rejected[0].raw == "336-064-18,HW17,表面处理废物,Surface treatment waste,T/C"


def chinese_version() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert header == "code,category,name_zh,name_en,hazard"
    return "废物代码,废物类别,危险废物,英文名称,危险特性\n" + rest


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_and_chinese_headers(tmp_path, encoding):
    path = tmp_path / "list.csv"
    path.write_bytes(chinese_version().encode(encoding))
    rows, rejected = parse_catalogue_csv(path)
    assert rejected == [] and len(rows) == 42
    assert rows[0].name_zh == "感染性废物"


def test_binary_and_text_file_objects_and_line_lists():
    data = chinese_version().encode("gb18030")
    rows, _ = parse_catalogue_csv(io.BytesIO(data))
    assert len(rows) == 42
    rows, _ = parse_catalogue_csv(io.StringIO("\ufeff" + chinese_version()))
    assert len(rows) == 42
    lines = ["code,category,name_zh,hazard\n", "900-041-49,HW49,废包装物,T/In\n"]
    rows, _ = parse_catalogue_csv(lines)
    assert rows == [CatalogueEntry(2, "900-041-49", "HW49", "废包装物", "", ("T", "In"))]


def test_header_case_order_extra_columns_and_category_forms():
    text = (
        "行业来源,Hazard,Name_ZH,Code,Category\n"
        "非特定行业,T/C,表面处理废物,336-064-17,HW17表面处理废物\n"
        "非特定行业,T,飞灰,772-002-18,18\n"
        "非特定行业,T,铅蓄电池,900-052-31,\n"
        "非特定行业,T,残渣,900-013-11,HW111\n"
    )
    rows, rejected = parse_catalogue_csv(io.StringIO(text))
    assert [(r.code, r.category) for r in rows] == [
        ("336-064-17", "HW17"),
        ("772-002-18", "HW18"),
        ("900-052-31", "HW31"),  # blank category taken from the code
    ]
    assert rejected[0].line_no == 5 and "not like HW17" in rejected[0].reason


def test_solid_waste_rows():
    text = (
        "code,category,name_zh,hazard\n"
        "462-001-S07,S07,污泥,\n"
        "462-002-S07,S07,污泥,T\n"
        "462-003-S08,S08,污泥,\n"
        "462-004-S07,S09,污泥,\n"
    )
    rows, rejected = parse_catalogue_csv(io.StringIO(text))
    assert [(r.code, r.kind, r.hazards) for r in rows] == [("462-001-S07", "solid", ())]
    assert [r.reason for r in rejected] == [
        "462-002-S07: a solid-waste code carries no hazard characteristic",
        "waste code 462-003-S08: solid-waste category S08 is not in use",
        "462-004-S07: category S09 does not match the code's category S07",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "header row is required"),
        ("\n\n", "header row is required"),
        ("code,name_zh,hazard\n336-064-17,x,T\n", "lacks column(s) category"),
        ("废物代码,code,category,name_zh,hazard\n", "names column 'code' twice"),
    ],
)
def test_unusable_headers_refuse_the_whole_file(text, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_catalogue_csv(io.StringIO(text))


def test_iterating_streams_one_result_per_row():
    results = iter_catalogue_csv(BAD)
    first = next(results)
    assert isinstance(first, CatalogueEntry) and first.line_no == 2
    second = next(results)
    assert isinstance(second, RejectedRow) and second.line_no == 3
    results.close()
    assert sum(1 for _ in iter_catalogue_csv(BAD)) == 12


def test_control_characters_in_names_are_rejected():
    data = "code,category,name_zh,hazard\n336-064-17,HW17,a\x00b,T\n900-041-49,HW49,包装物,T/In\n"
    rows, rejected = parse_catalogue_csv(io.StringIO(data))
    assert [r.code for r in rows] == ["900-041-49"]
    assert rejected[0].reason == "336-064-17: the name contains a control character"


def test_undecodable_bytes_refuse_the_file_naming_the_line():
    data = (
        "code,category,name_zh,hazard\n336-064-17,HW17,表面处理,T\n".encode("gb18030")
        + b"\x81\x20,x\n"
    )
    with pytest.raises(
        ValidationFailed, match="line 3: the file is neither UTF-8 nor GB18030 text"
    ):
        parse_catalogue_csv(io.BytesIO(data))


def test_a_damaged_utf8_file_is_refused_rather_than_read_as_gb18030():
    good = "code,category,name_zh,hazard\n336-064-17,HW17,表面处理废物,T/C\n".encode()
    with pytest.raises(ValidationFailed, match="line 3: invalid UTF-8 in a UTF-8 file"):
        parse_catalogue_csv(io.BytesIO(good + "900-041-49,HW49,包装物".encode()[:-1] + b",T\n"))
