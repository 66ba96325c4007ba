"""Typed records the stages hand each other.

Every record is a frozen dataclass of plain values; a spaCy `Doc` never leaves the
nlp/normalise stages. Offsets are Python string (code-point) offsets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputFile:
    """One file found in the corpus folder."""

    path: str  # relative to the corpus folder, POSIX separators
    case_id: str
    suffix: str  # lower-case, with the dot: ".txt"


@dataclass(frozen=True)
class SourceText:
    """A report's text as extracted from its file (the text raw offsets index)."""

    case_id: str
    path: str
    source_format: str  # txt, md, html, pdf
    sha256: str
    text: str
    encoding: str  # detected encoding of the bytes ("" for PDF)
    metadata: Mapping[str, str] = field(default_factory=dict)
    # PDF only: [start, end) spans of lines that sat in a page's top or bottom margin
    # (running headers, footers, page numbers); the cleaner treats them as furniture.
    margins: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class RemovedSpan:
    """A span of the source text the cleaner removed, and why."""

    raw_start: int
    raw_end: int
    rule: str
    text: str


@dataclass(frozen=True)
class CleanText:
    """Cleaned text plus the map from each clean character to its source offset."""

    case_id: str
    text: str
    # offsets[i] is the source offset of clean character i; len(offsets) == len(text)
    offsets: tuple[int, ...]
    removed: tuple[RemovedSpan, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)
    # clean offsets where text was joined across a removed span (a page header between
    # two halves of a sentence): a mention must not straddle one
    seams: tuple[int, ...] = ()

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean [start, end) span to the source span that produced it."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside clean text of {len(self.text)}")
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True)
class Mention:
    """One extracted mention, as written to mentions.csv."""

    case_id: str
    mention_id: str
    category: str
    text: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    section: str
    assertion: str
    experiencer: str
    concept_id: str
    preferred_term: str
    code_system: str
    code: str
    source: str
    # Added columns (at the end of mentions.csv; see schema.py).
    assertion_trigger: str = ""
    experiencer_trigger: str = ""
    long_form: str = ""
    laterality: str = ""
    level: str = ""
    body_region: str = ""
    kind: str = ""
    mesh_id: str = ""
    mesh_term: str = ""


@dataclass(frozen=True)
class ErrorRecord:
    """An input that failed, as written to errors.csv."""

    source_path: str
    stage: str  # ingest, clean, nlp, normalise
    error: str  # a short machine-readable kind, e.g. "empty_file"
    message: str  # one line a user can act on


class PipelineError(Exception):
    """A failure caused by one input; carries a kind and a user-facing message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
