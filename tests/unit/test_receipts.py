"""Weighbridge record parsing and the pure matching rules."""

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from manifest.errors import ValidationFailed
from manifest.receipt_matching import (
    FINDING_FOR_OUTCOME,
    MATCH_WINDOW,
    MAX_TRANSIT,
    PendingRecord,
    Trip,
    decide_matches,
    fits_by_plate,
)
from manifest.receipts import (
    RowError,
    WeighRecord,
    detect_format,
    file_encoding,
    iter_receipts,
    normalize_plate,
    parse_arrival,
    parse_receipts,
)

HEADER = "ticket,plate,arrived_at,gross_kg,tare_kg,net_kg,manifest_number\n"


def csv_text(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


GOOD = "T001,粤J·12345,2024-05-06T09:30:00+08:00,25400,15200,10200,20244407000123"


def test_a_good_row():
    records, errors = parse_receipts(csv_text(GOOD))
    assert errors == []
    assert records == [
        WeighRecord(
            row=2,
            ticket="T001",
            plate="粤J12345",
            arrived_at=datetime(2024, 5, 6, 1, 30, tzinfo=UTC),
            net_kg=D("10200"),
            gross_kg=D("25400"),
            tare_kg=D("15200"),
            manifest_number="20244407000123",
        )
    ]


def test_mixed_rows_keep_the_good_and_report_the_bad_by_row():
    text = csv_text(
        GOOD,
        "T002,ABC123,2024-05-06 10:00,25000,15000,10000,",
        "T003,粤J12346,yesterday,25000,15000,10000,",
        "T004,粤J12347,2024-05-06 11:00,25000,15000,,2024440700012",
        "T005,粤JD12348,2024-05-06 12:00,-5,15000,,",
        "T006,粤J12349,2024-05-06 13:00,,,8000.5,",
    )
    records, errors = parse_receipts(text)
    assert [r.ticket for r in records] == ["T001", "T006"]
    assert [(e.row, e.field) for e in errors] == [
        (3, "plate"),
        (4, "arrived_at"),
        (5, "manifest_number"),
        (6, "gross_kg"),
    ]
    assert "not a Chinese vehicle plate" in errors[0].message
    assert "14-digit" in errors[2].message
    assert records[1].net_kg == D("8000.500")
    assert records[1].gross_kg is None


def test_several_errors_in_one_row_are_all_reported():
    _, errors = parse_receipts(csv_text(",,,abc,,,"))
    assert {e.field for e in errors} == {"ticket", "plate", "arrived_at", "gross_kg"}
    assert {e.row for e in errors} == {2}


def test_net_must_equal_gross_minus_tare_within_one_kilogram():
    text = csv_text(
        "T1,粤J12345,2024-05-06 09:00,25400,15200,10201,",
        "T2,粤J12345,2024-05-06 10:00,25400,15200,10202,",
        "T3,粤J12345,2024-05-06 11:00,15000,25000,,",
    )
    records, errors = parse_receipts(text)
    assert [r.ticket for r in records] == ["T1"]
    assert errors == [
        RowError(
            3, "net_kg", "net 10202.000 kg is not gross 25400.000 − tare 15200.000 = 10200.000 kg"
        ),
        RowError(4, "tare_kg", "tare 25000.000 kg is above gross 15000.000 kg"),
    ]


def test_net_is_computed_when_missing():
    [record], _ = parse_receipts(csv_text("T1,粤J12345,2024-05-06 09:00,25400.5,15200,,"))
    assert record.net_kg == D("10200.5")


def test_net_needs_a_figure():
    _, [error] = parse_receipts(csv_text("T1,粤J12345,2024-05-06 09:00,25400,,,"))
    assert (error.field, error.message) == (
        "net_kg",
        "net weight is missing (and cannot be computed)",
    )


def test_duplicate_ticket_in_one_upload_is_reported_on_the_later_row():
    other_time = GOOD.replace("09:30", "17:45")
    records, errors = parse_receipts(csv_text(GOOD, GOOD, other_time))
    assert [r.row for r in records] == [2]
    assert errors == [
        RowError(3, "ticket", "ticket T001 already appears in row 2"),
        RowError(4, "ticket", "ticket T001 already appears in row 2"),
    ]


def test_chinese_headers_gb18030_and_tonnes():
    text = (
        "磅单号,车牌号,进场时间,毛重(吨),皮重（吨）,净重(吨),联单编号,司磅员\n"
        "B-0001,粤J 12345,2024/5/6 9:30,25.4,15.2,10.2,20244407000123,张三\n"
    )
    [record], errors = parse_receipts(text.encode("gb18030"))
    assert errors == []
    assert record.ticket == "B-0001"
    assert (record.gross_kg, record.tare_kg, record.net_kg) == (D("25400"), D("15200"), D("10200"))
    assert record.arrived_at == datetime(2024, 5, 6, 1, 30, tzinfo=UTC)


def test_a_large_files_encoding_is_read_as_an_uploads():
    def encoding(data: bytes) -> str:
        handle = io.BytesIO(data)
        handle.seek(3)
        found = file_encoding(handle)
        assert handle.tell() == 3  # left where it was
        return found

    assert encoding("\ufeff磅单号\nB-1".encode()) == "utf-8-sig"
    assert encoding("ticket\n磅单号\n".encode("gb18030")) == "gb18030"
    for unreadable, line in ((b"ticket\n\xff\xff\n", 2), ("一\n".encode() + b"\x81\n", 2)):
        with pytest.raises(ValidationFailed) as refused:
            encoding(b"abc" + unreadable)
        assert refused.value.errors == {"file": ["unreadable encoding"]}
        assert f"line {line}" in refused.value.message


def test_utf8_bom_semicolons_and_thousands_separators():
    text = (
        "\ufeffTicket;Plate;Arrived_at;Gross_kg;Tare_kg\n"
        'T1;粤j12345;2024-05-06 09:30;"25,400";"15,200"\n'
    )
    [record], errors = parse_receipts(text.encode("utf-8"))
    assert errors == []
    assert (record.plate, record.net_kg) == ("粤J12345", D("10200"))


def test_missing_columns_fail_the_whole_file():
    with pytest.raises(ValidationFailed) as caught:
        parse_receipts("ticket,plate,gross_kg\nT1,粤J12345,100\n")
    assert caught.value.errors == {
        "columns": ["missing column arrived_at", "missing column net_kg (or gross_kg and tare_kg)"]
    }


def test_two_columns_with_one_meaning_fail():
    with pytest.raises(ValidationFailed) as caught:
        parse_receipts("ticket,磅单号,plate,arrived_at,net_kg\n")
    assert "both mean ticket" in caught.value.errors["columns"][0]


def test_empty_upload_and_blank_lines():
    assert parse_receipts("") == ([], [])
    assert parse_receipts(HEADER) == ([], [])
    records, errors = parse_receipts(csv_text(GOOD, "", ",,,,,,"))
    assert (len(records), errors) == (1, [])


def test_json_list_and_records_object():
    item = {
        "ticket": "T1",
        "plate": "粤J12345",
        "arrived_at": "2024-05-06T01:30:00Z",
        "gross_kg": 25400.5,
        "tare_kg": "15200",
        "manifest_number": "20244407000123",
    }
    for document in ([item, 42], {"records": [item, 42]}):
        records, errors = parse_receipts(json.dumps(document))
        assert [r.net_kg for r in records] == [D("10200.5")]
        assert errors == [RowError(2, "", "a record must be an object")]


def test_json_floats_stay_exact():
    item = {"ticket": "T1", "plate": "粤J12345", "arrived_at": "2024-05-06 09:30", "net_kg": 0.1}
    [record], _ = parse_receipts(json.dumps([item]))
    assert record.net_kg == D("0.1")


def test_invalid_json_fails():
    with pytest.raises(ValidationFailed):
        parse_receipts("[{", fmt="application/json")
    with pytest.raises(ValidationFailed):
        parse_receipts('{"rows": []}')


def test_row_limit():
    rows = [GOOD.replace("T001", f"T{i}") for i in range(3)]
    assert len(parse_receipts(csv_text(*rows), max_rows=3)[0]) == 3
    with pytest.raises(ValidationFailed) as caught:
        parse_receipts(csv_text(*rows), max_rows=2)
    assert caught.value.errors == {"records": ["more than 2 records"]}
    with pytest.raises(ValidationFailed):
        parse_receipts(json.dumps([{}] * 3), max_rows=2)


def test_streaming_reads_a_file_lazily():
    rows = [GOOD.replace("T001", f"T{i:05}") for i in range(1000)]
    stream = io.StringIO(csv_text(*rows, "bad,粤J12345,2024-05-06 09:00,,,x,"), newline="")
    items = iter_receipts(stream)
    first = next(items)
    assert isinstance(first, WeighRecord) and first.ticket == "T00000"
    assert stream.tell() < len(stream.getvalue())  # not all read yet
    rest = list(items)
    assert len(rest) == 1000
    assert rest[-1] == RowError(1002, "net_kg", "net_kg: not a number")


def test_streaming_limit_stops_at_the_row():
    rows = [GOOD.replace("T001", f"T{i}") for i in range(5)]
    items = iter_receipts(io.StringIO(csv_text(*rows)), max_rows=2)
    assert len([next(items), next(items)]) == 2
    with pytest.raises(ValidationFailed):
        next(items)


# fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "plate"),
    [
        ("粤J·12345", "粤J12345"),
        ("粤j 12345", "粤J12345"),
        ("粤J.D12345", "粤JD12345"),  # new-energy plate, six characters
        ("粤Ｊ１２３４５", "粤J12345"),  # full-width
        ("粤J1234挂", "粤J1234挂"),  # trailer
    ],
)
def test_plates_are_normalised(raw, plate):
    assert normalize_plate(raw) == plate
    item = {"ticket": "T", "plate": raw, "arrived_at": "2024-05-06 09:30", "net_kg": 1}
    [record], _ = parse_receipts(json.dumps([item]))
    assert record.plate == plate


@pytest.mark.parametrize("raw", ["ABC1234", "粤12345", "粤J123", "XJ12345", "粤J1234567"])
def test_malformed_plates_are_refused(raw):
    item = {"ticket": "T", "plate": raw, "arrived_at": "2024-05-06 09:30", "net_kg": 1}
    _, [error] = parse_receipts(json.dumps([item]))
    assert error.field == "plate"


def test_times_without_offset_are_shanghai_local():
    assert parse_arrival("2024-05-06 08:00") == datetime(2024, 5, 6, 0, 0, tzinfo=UTC)
    assert parse_arrival("2024-05-06T08:00:00+00:00") == datetime(2024, 5, 6, 8, tzinfo=UTC)
    assert parse_arrival("2024/12/31 23:59:59") == datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["2024-05-06", "06/05/2024 08:00", "2024-13-01 08:00", "", None])
def test_bad_times_are_refused(raw):
    with pytest.raises(ValueError):
        parse_arrival(raw)


def test_ticket_length():
    item = {"ticket": "T" * 65, "plate": "粤J12345", "arrived_at": "2024-05-06 09:30", "net_kg": 1}
    _, [error] = parse_receipts(json.dumps([item]))
    assert (error.field, error.message) == ("ticket", "ticket is longer than 64 characters")


def test_detect_format():
    assert detect_format("application/json; charset=utf-8", "") == "json"
    assert detect_format("text/csv", "[") == "csv"
    assert detect_format(None, "\ufeff  [") == "json"
    assert detect_format(None, "ticket,plate") == "csv"


# matching -------------------------------------------------------------------------------------

AT = datetime(2024, 5, 6, 12, tzinfo=UTC)


def trip(id, receiver_id=7, status="in_transit", picked=AT, delivered=None, **kw):
    return Trip(id, f"2024440700{id:04d}", receiver_id, "粤J12345", status, picked, delivered, **kw)


def pending(id, at=AT, number=None, receiver_id=7):
    return PendingRecord(id, receiver_id, "粤J12345", at, number)


def decided(records, trips):
    return [(d.manifest_id, d.matched_by, d.outcome) for d in decide_matches(records, trips)]


def test_another_receivers_number_reads_as_no_number_and_the_plate_still_counts():
    mine, theirs = trip(1), trip(2, receiver_id=8)
    record = pending(10, number=theirs.number)
    assert decided([record], [mine, theirs]) == [(1, "plate", "matched")]
    assert decided([record], [theirs]) == [(None, None, "unmanifested")]


def test_the_earliest_record_is_the_weighing_and_the_rest_already_received():
    records = [pending(11, AT + timedelta(hours=2)), pending(10, AT + timedelta(hours=1))]
    assert decided(records, [trip(1)]) == [
        (1, "plate", "already_received"),
        (1, "plate", "matched"),
    ]


def test_a_number_finds_its_manifest_at_any_time_and_in_any_status():
    late = AT + timedelta(days=30)
    assert decided([pending(10, late, "20244407000001")], [trip(1, status="cancelled")]) == [
        (1, "number", "cancelled")
    ]
    assert decided([pending(10, late, "20244407000001")], [trip(1, weighed=True)]) == [
        (1, "number", "already_received")
    ]


@pytest.mark.parametrize(
    ("after_pickup", "delivered_after", "fits"),
    [
        (-MATCH_WINDOW, None, True),
        (-MATCH_WINDOW - timedelta(seconds=1), None, False),
        (MAX_TRANSIT + MATCH_WINDOW, None, True),
        (MAX_TRANSIT + MATCH_WINDOW + timedelta(seconds=1), None, False),
        (timedelta(hours=20), timedelta(hours=8), True),
        (timedelta(hours=20, seconds=1), timedelta(hours=8), False),
    ],
)
def test_the_plate_window(after_pickup, delivered_after, fits):
    delivered = None if delivered_after is None else AT + delivered_after
    record = pending(10, AT + after_pickup)
    assert fits_by_plate(record, trip(1, delivered=delivered)) is fits


def test_the_nearest_trip_wins_and_of_two_as_near_the_later_made():
    near, far = trip(1, picked=AT - timedelta(hours=1)), trip(2, picked=AT - timedelta(hours=2))
    assert decided([pending(10)], [far, near]) == [(1, "plate", "matched")]
    twin = trip(3, picked=AT - timedelta(hours=1))
    assert decided([pending(10)], [near, twin]) == [(3, "plate", "matched")]


def test_every_non_match_raises_a_known_finding():
    assert set(FINDING_FOR_OUTCOME) == {"cancelled", "already_received", "unmanifested"}
    assert set(FINDING_FOR_OUTCOME.values()) == {"unmanifested_receipt"}
