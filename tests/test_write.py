"""Write: CSV dialect, spreadsheet safety, atomic replacement, the data package."""

from __future__ import annotations

import csv
import io

from pipeline import write
from pipeline.schema import TABLE_BY_NAME, TABLES


def test_write_escapes_formula_cells_but_not_numbers():
    table = TABLE_BY_NAME["errors"]
    data = write.csv_bytes(
        table,
        [{"source_path": "=HYPERLINK(1)", "stage": "+x", "error": "-1", "message": "@SUM(A1)"}],
    ).decode()
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[1] == ["'=HYPERLINK(1)", "'+x", "'-1", "'@SUM(A1)"]
    cases = write.csv_bytes(TABLE_BY_NAME["boilerplate"], [{"case_id": "c", "raw_start": 0, "raw_end": 3, "rule": "r", "text": "a,b\n"}])
    assert cases.decode() == 'case_id,raw_start,raw_end,rule,text\nc,0,3,r,"a,b\n"\n'


def test_write_header_only_when_empty_and_no_bom():
    data = write.csv_bytes(TABLE_BY_NAME["mentions"], [])
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == 1 and b"\r" not in data
    assert data.decode().strip().split(",")[:4] == ["case_id", "mention_id", "category", "text"]


def test_write_rejects_unknown_columns():
    try:
        write.csv_bytes(TABLE_BY_NAME["errors"], [{"bogus": 1}])
    except KeyError as exc:
        assert "bogus" in str(exc)
    else:
        raise AssertionError("unknown column accepted")


def test_write_atomic_replace_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a.csv"
    write.atomic_write_bytes(target, b"one")
    write.atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_write_text_files_prune_vanished_cases(tmp_path):
    write.write_texts(tmp_path, {"a": ("clean a", "source a"), "b": ("clean b", "source b")})
    write.write_texts(tmp_path, {"a": ("clean a", "source a")})
    assert sorted(p.name for p in (tmp_path / "text").iterdir()) == ["a.source.txt", "a.txt"]


def test_write_datapackage_describes_every_column():
    package = write.datapackage("0")
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    for resource, table in zip(package["resources"], TABLES, strict=True):
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == table.column_names
        assert all(f["description"] for f in fields)
        assert resource["schema"]["primaryKey"]


def test_write_cell_converters_agree_with_cell():
    from pipeline.write import _cell, cell_converter

    values = [None, "", "x", "=1+1", "-3", "@a", "\tx", 0, 7, -2, 3.0, 2.5, True, False, "12"]
    for kind in ("string", "integer", "number", "boolean"):
        convert = cell_converter(kind)
        for value in values:
            if kind in ("integer", "number") and isinstance(value, str) and value:
                continue  # numeric columns never hold text
            assert convert(value) == _cell(value, kind), (kind, value)
