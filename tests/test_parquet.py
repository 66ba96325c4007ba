"""--format parquet: the same tables, columns, order and types as the CSVs."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq

from pipeline import run
from pipeline.schema import TABLES
from pipeline.settings import Settings
from pipeline.write import escape_cell

_TYPES = {"string": "string", "integer": "int64", "number": "double", "boolean": "bool"}


def test_parquet_tables_have_the_csv_schema_and_values(repo, tmp_path, nlp):
    run.extract(repo / "corpus", tmp_path / "csv", Settings(progress=False), nlp=nlp)
    run.extract(repo / "corpus", tmp_path / "pq", Settings(progress=False, output_format="parquet"), nlp=nlp)
    for table in TABLES:
        data = pq.read_table(tmp_path / "pq" / f"{table.name}.parquet")
        assert data.column_names == table.column_names
        assert [str(f.type) for f in data.schema] == [_TYPES[c.type] for c in table.columns]
        assert not (tmp_path / "pq" / f"{table.name}.csv").exists()
        with (tmp_path / "csv" / f"{table.name}.csv").open(encoding="utf-8", newline="") as handle:
            expected = list(csv.DictReader(handle))
        rows = data.to_pylist()
        assert len(rows) == len(expected)
        for got, want in zip(rows, expected, strict=True):
            for column in table.columns:
                value = got[column.name]
                if value is None:
                    text = ""
                elif column.type == "string":
                    text = escape_cell(value)
                elif isinstance(value, float) and value.is_integer():
                    text = str(int(value))
                else:
                    text = str(value)
                assert text == want[column.name], (table.name, column.name)
    package = json.loads((tmp_path / "pq" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {f"{t.name}.parquet" for t in TABLES}
    assert (tmp_path / "pq" / "text").is_dir()
