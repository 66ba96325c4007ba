"""Packaged data files (rules, lexicons, NLP config, the trained model).

Found through `importlib.resources`, never by walking up from `__file__`. Each folder
holds a README naming its source, licence and version. `read_tsv` is the one validated
reader for the TSV rule files, `read_word_list` the one for one-entry-per-line lists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """Filesystem path of a packaged resource (the package is installed unzipped)."""
    return Path(str(resources.files("pipeline.resources").joinpath(*parts)))


def read_tsv(file: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Read a tab-separated data file with a header; raise ValueError naming file and line.

    Values are taken literally (no quoting); blank lines and lines starting with '#'
    are skipped. Every row must have exactly the header's number of fields and a
    non-empty value in each `required` column.
    """
    rows: list[dict[str, str]] = []
    with file.open(encoding="utf-8", newline="") as handle:
        lines = [line.rstrip("\n") for line in handle]
    if not lines:
        raise ValueError(f"{file}: empty file, expected a header row")
    header = lines[0].split("\t")
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"{file}:1: header lacks column(s) {missing}")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ValueError(f"{file}:{number}: expected {len(header)} tab-separated fields, found {len(fields)}")
        row = dict(zip(header, fields, strict=True))
        empty = [c for c in required if not row[c].strip()]
        if empty:
            raise ValueError(f"{file}:{number}: empty value in column(s) {empty}")
        rows.append(row)
    return rows


_ONE_WORD = re.compile(r"[a-z]+")


def read_word_list(file: Path, entry: re.Pattern[str] = _ONE_WORD, what: str = "one lower-case word") -> frozenset[str]:
    """Read a list with one entry per line (blank lines and '#' comments skipped); every
    entry must fully match `entry`, else ValueError naming file, line and `what` was expected."""
    words = set()
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not entry.fullmatch(line):
            raise ValueError(f"{file}:{number}: expected {what}, got {line!r}")
        words.add(line)
    return frozenset(words)
