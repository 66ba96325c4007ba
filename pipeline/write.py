"""Write: rows -> the output folder, atomically and byte-for-byte reproducibly.

Input: table rows (dicts keyed by the column names of `pipeline.schema`), cleaned and
source texts, run facts for the manifest. Output files: `<table>.csv` for every table
of the contract, `text/<case_id>.txt` and `text/<case_id>.source.txt`, `manifest.json`,
`datapackage.json`. This module is the only one that maps outputs to paths.

CSV dialect: UTF-8 without BOM, "\\n" line ends, comma separated, fields quoted only
when needed (RFC 4180 double quotes), header always present, fixed column order, rows
sorted by the table's primary key. Empty cells mean "no value".

Spreadsheet safety (OWASP CSV injection): a text cell that starts with `=`, `+`, `-`,
`@`, tab or carriage return is written with a leading apostrophe (`'`), which
spreadsheet programs show as text and never evaluate. Numeric columns are never
prefixed. To recover the original value, strip one leading apostrophe from text cells
that start with `'=`, `'+`, `'-`, `'@`, `'\\t` or `'\\r`.

Every file is written to a temporary name in the same folder and moved into place with
`os.replace`, so a reader never sees a half-written file. Text files of cases that are
no longer in the corpus are removed. `TableWriter` and `TextWriter` do the same one row
or one case at a time (large corpora: memory does not grow with the corpus), and
`TableWriter` also writes Parquet with the same columns and types (`--format parquet`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.schema import NOT_YET, TABLES, Table

_UMASK = os.umask(0)
os.umask(_UMASK)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Prefix an apostrophe to a text cell a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(value: Any, column_type: str) -> str:
    if value is None:
        return ""
    if column_type in ("integer", "number"):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_cell(str(value))


def _fast_string_cell(value: Any) -> str:
    """`_cell(value, "string")`, with a fast path for the common case of a str."""
    if value.__class__ is str:
        return "'" + value if value.startswith(_FORMULA_START) else value
    return _cell(value, "string")


def _fast_number_cell(value: Any) -> str:
    """`_cell(value, "integer")`, with a fast path for a plain int (not bool)."""
    if value.__class__ is int:
        return str(value)
    return _cell(value, "integer")


def cell_converter(column_type: str) -> Callable[[Any], str]:
    """The function that turns one value of a column of `column_type` into its CSV text
    (the same text as `_cell`; one call per cell, the writers' hot loop)."""
    if column_type == "string":
        return _fast_string_cell
    if column_type in ("integer", "number"):
        return _fast_number_cell
    return functools.partial(_cell, column_type=column_type)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_bytes(table: Table, rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.column_names)
    types = [c.type for c in table.columns]
    for row in rows:
        unknown = set(row) - set(table.column_names)
        if unknown:
            raise KeyError(f"{table.name}: unknown column(s) {sorted(unknown)}")
        writer.writerow([_cell(row.get(c), t) for c, t in zip(table.column_names, types, strict=True)])
    return buffer.getvalue().encode("utf-8")


def write_table(out: Path, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    atomic_write_bytes(out / f"{table.name}.csv", csv_bytes(table, rows))


def write_texts(out: Path, texts: Mapping[str, tuple[str, str]]) -> None:
    """Write text/<case_id>.txt (clean) and .source.txt; drop files of vanished cases."""
    folder = out / "text"
    folder.mkdir(parents=True, exist_ok=True)
    wanted: set[str] = set()
    for case_id, (clean, source) in sorted(texts.items()):
        for name, content in ((f"{case_id}.txt", clean), (f"{case_id}.source.txt", source)):
            wanted.add(name)
            atomic_write_bytes(folder / name, content.encode("utf-8"))
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in wanted:
            stale.unlink()


def write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))


def datapackage(version: str) -> dict[str, Any]:
    """A Frictionless Data Package describing every CSV of the contract."""
    resources = []
    for table in TABLES:
        fields = []
        for column in table.columns:
            spec: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
            constraints: dict[str, Any] = {}
            if column.required:
                constraints["required"] = True
            if column.enum:
                constraints["enum"] = list(column.enum)
            if constraints:
                spec["constraints"] = constraints
            fields.append(spec)
        schema: dict[str, Any] = {
            "fields": fields,
            "primaryKey": list(table.primary_key),
            "missingValues": [""],
        }
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(local), "reference": {"resource": target, "fields": list(remote)}}
                for local, target, remote in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True, "header": True},
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "caseextract-output",
        "title": "Entities extracted from medical case reports",
        "description": (
            "Diagnoses, anatomy, imaging modalities and treatments extracted from case reports, "
            "normalised to concept codes. Text cells that start with = + - @ are prefixed with an "
            "apostrophe (CSV-injection guard; see README). Columns whose description says "
            f"'{NOT_YET.strip()}' are empty in this version."
        ),
        "version": version,
        "resources": resources,
    }


class RowRenderer:
    """CSV text of rows of one table, without the header: exactly the bytes `TableWriter`
    writes for the same rows (same converters, same dialect). Workers render their rows
    with it so that the process writing the tables only concatenates text."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._names = table.column_names
        self._converters = [cell_converter(c.type) for c in table.columns]
        self._known = set(self._names)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)

    def render(self, rows: Iterable[Mapping[str, Any]]) -> str:
        names, converters, known = self._names, self._converters, self._known
        self._buffer.seek(0)
        self._buffer.truncate()
        for row in rows:
            unknown = set(row) - known
            if unknown:
                raise KeyError(f"{self.table.name}: unknown column(s) {sorted(unknown)}")
            get = row.get
            self._csv.writerow([convert(get(c)) for c, convert in zip(names, converters, strict=True)])
        return self._buffer.getvalue()


class TableWriter:
    """Stream rows of one table into `<table>.csv` (or `.parquet`), moved into place on close.

    Same bytes as `write_table` for CSV; for Parquet, the same columns in the same order,
    typed from the schema (string, int64, float64, bool; empty = null for numbers), no
    spreadsheet escaping (Parquet is not opened by spreadsheets), row groups of
    `PARQUET_ROWS` rows so memory stays flat. Use as a context manager: on error the
    temporary file is removed and the previous table (if any) stays.
    """

    PARQUET_ROWS = 50_000

    def __init__(self, out: Path, table: Table, fmt: str = "csv") -> None:
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown table format {fmt!r}; use csv or parquet")
        self.table, self.fmt = table, fmt
        self.path = out / f"{table.name}.{fmt}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._names = table.column_names
        self._types = [c.type for c in table.columns]
        self._converters = [cell_converter(t) for t in self._types]
        self._known = set(self._names)
        if fmt == "csv":
            self._handle = open(fd, "w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            self._csv.writerow(self._names)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            os.close(fd)
            kinds = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
            self._schema = pa.schema([pa.field(c.name, kinds[c.type]) for c in table.columns])
            self._parquet = pq.ParquetWriter(self._tmp, self._schema, compression="zstd")
            self._buffer: list[list[Any]] = [[] for _ in self._names]
            self._buffered = 0

    def write(self, row: Mapping[str, Any]) -> None:
        unknown = set(row) - self._known
        if unknown:
            raise KeyError(f"{self.table.name}: unknown column(s) {sorted(unknown)}")
        if self.fmt == "csv":
            get = row.get
            self._csv.writerow([convert(get(c)) for c, convert in zip(self._names, self._converters, strict=True)])
            return
        for column, name, kind in zip(self._buffer, self._names, self._types, strict=True):
            column.append(_parquet_value(row.get(name), kind))
        self._buffered += 1
        if self._buffered >= self.PARQUET_ROWS:
            self._flush()

    def write_rendered(self, text: str) -> None:
        """Append rows rendered by `RowRenderer` for this table (CSV only)."""
        if self.fmt != "csv":
            raise ValueError(f"{self.table.name}: pre-rendered rows are CSV; this writer writes {self.fmt}")
        self._handle.write(text)

    def _flush(self) -> None:
        import pyarrow as pa

        if self._buffered:
            arrays = [pa.array(col, type=f.type) for col, f in zip(self._buffer, self._schema, strict=True)]
            self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self._buffer = [[] for _ in self._names]
        self._buffered = 0

    def close(self) -> None:
        if self.fmt == "csv":
            self._handle.close()
        else:
            self._flush()
            self._parquet.close()
        os.chmod(self._tmp, 0o666 & ~_UMASK)
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        try:
            if self.fmt == "csv":
                self._handle.close()
            else:
                self._parquet.close()
        finally:
            Path(self._tmp).unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _parquet_value(value: Any, column_type: str) -> Any:
    if value is None:
        return None
    if column_type == "integer":
        return int(value)
    if column_type == "number":
        return float(value)
    if column_type == "boolean":
        return bool(value)
    return str(value)


class TextWriter:
    """Write text/<case_id>.txt (clean) and .source.txt one case at a time (as `write_texts`).

    `finish()` removes the files of cases that were not written in this run.
    """

    def __init__(self, out: Path) -> None:
        self.folder = out / "text"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._wanted: set[str] = set()

    def write(self, case_id: str, clean: str, source: str) -> None:
        for name, content in ((f"{case_id}.txt", clean), (f"{case_id}.source.txt", source)):
            self._wanted.add(name)
            path = self.folder / name
            data = content.encode("utf-8")
            # Unchanged files are left alone: a rerun over a large corpus rewrites nothing.
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    continue
            except OSError:
                pass
            atomic_write_bytes(path, data)

    def finish(self) -> None:
        for stale in self.folder.iterdir():
            if stale.is_file() and stale.name not in self._wanted:
                stale.unlink()


def parquet_datapackage(version: str) -> dict[str, Any]:
    """`datapackage` with every table resource pointing at its Parquet file."""
    package = datapackage(version)
    for resource in package["resources"]:
        resource["path"] = f"{resource['name']}.parquet"
        resource["format"] = "parquet"
        resource["mediatype"] = "application/vnd.apache.parquet"
        for key in ("encoding", "dialect"):
            resource.pop(key, None)
        resource["schema"].pop("missingValues", None)
    package["description"] = package["description"].replace(
        "Text cells that start with = + - @ are prefixed with an apostrophe (CSV-injection guard; see README). ", ""
    )
    return package
