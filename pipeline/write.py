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
no longer in the corpus are removed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
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
