"""Clean: remove what is not the report's own content, keeping a map back to the source.

Input: a `SourceText`. Output: a `CleanText` whose `offsets[i]` is the source offset of
clean character i, plus every removed span with the rule that removed it. No I/O
besides loading the rule files once.

What it does, in order:
1. Split the source into lines (offsets kept).
2. Drop whole lines matched by a boilerplate rule (`resources/boilerplate/line_rules.tsv`,
   regular expressions on the stripped line, case-insensitive) and lines written mostly
   in a non-Latin script (e.g. a Chinese translation of the abstract): both are logged
   as removed spans.
3. Normalise layout: runs of spaces/tabs become one space, lines are stripped, page
   breaks (form feeds) become paragraph breaks, runs of blank lines collapse to one.
   Whitespace changes are not logged: they carry no content.

Metadata found in the text (DOI, PMID, PMCID) is returned in `CleanText.metadata`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipeline import resources
from pipeline.records import CleanText, RemovedSpan, SourceText


@dataclass(frozen=True)
class LineRule:
    rule_id: str
    pattern: re.Pattern[str]
    description: str


@lru_cache(maxsize=1)
def line_rules() -> tuple[LineRule, ...]:
    file = resources.path("boilerplate", "line_rules.tsv")
    rules = []
    for row in resources.read_tsv(file, ("rule_id", "pattern", "description")):
        try:
            pattern = re.compile(row["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{file}: rule {row['rule_id']}: bad regular expression: {exc}") from exc
        if not re.fullmatch(r"[a-z][a-z0-9_:]*", row["rule_id"]):
            raise ValueError(f"{file}: rule id {row['rule_id']!r} must be lower_snake_case")
        rules.append(LineRule(row["rule_id"], pattern, row["description"]))
    return tuple(rules)


class _Builder:
    """Accumulates clean text and its per-character source offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def copy(self, source: str, start: int, end: int) -> None:
        self.parts.append(source[start:end])
        self.offsets.extend(range(start, end))

    def emit(self, text: str, source_offset: int) -> None:
        self.parts.append(text)
        self.offsets.extend([source_offset] * len(text))

    @property
    def ends_with_blank_line(self) -> bool:
        return not self.parts or "".join(self.parts[-2:]).endswith("\n\n")


_HSPACE = re.compile(r"[^\S\n\f]+")  # horizontal whitespace (incl. NBSP and friends)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b")
_PMCID = re.compile(r"\b(PMC\d{5,9})\b")


def _foreign_script(line: str) -> str | None:
    """Name the non-Latin script a line is mostly written in, or None."""
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < 10:
        return None
    counts: dict[str, int] = {}
    for ch in letters:
        name = unicodedata.name(ch, "")
        script = name.split(" ", 1)[0] if name else ""
        if script in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "CYRILLIC", "ARABIC", "HEBREW", "GREEK", "THAI", "DEVANAGARI"):
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    script, n = max(sorted(counts.items()), key=lambda kv: kv[1])
    # Greek letters (alpha, beta) appear in English medical text: only whole lines count.
    return script.lower() if n / len(letters) > 0.5 else None


def clean(source: SourceText) -> CleanText:
    text = source.text
    rules = line_rules()
    removed: list[RemovedSpan] = []
    out = _Builder()
    pos = 0
    pending_break = False  # a paragraph break is owed before the next kept line
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        stripped = line.strip()
        if not stripped:
            if out.parts:
                pending_break = True
            continue
        rule = next((r.rule_id for r in rules if r.pattern.search(stripped)), None)
        if rule is None:
            script = _foreign_script(stripped)
            rule = f"foreign_language:{script}" if script else None
        if rule is not None:
            removed.append(RemovedSpan(start, end, rule, line))
            if out.parts:
                pending_break = True
            continue
        # First and last non-space characters of the line.
        first = start + (len(line) - len(line.lstrip()))
        last = start + len(line.rstrip())
        if out.parts:
            # Separators map to the line end of the previous kept line (a source "\n").
            line_end = out.offsets[-1] + 1
            if pending_break:
                if not out.ends_with_blank_line:
                    out.emit("\n\n", line_end)
            else:
                out.emit("\n", line_end)
        pending_break = False
        # Copy the line with horizontal whitespace runs collapsed to one space.
        cursor = first
        for match in _HSPACE.finditer(text, first, last):
            out.copy(text, cursor, match.start())
            out.emit(" ", match.start())
            cursor = match.end()
        out.copy(text, cursor, last)
    clean_text = "".join(out.parts)
    if clean_text and out.offsets[-1] + 1 < len(text):
        # End with a newline when the source has one there to map it to.
        clean_text += "\n"
        out.offsets.append(out.offsets[-1] + 1)
    metadata = _text_metadata(text)
    return CleanText(
        case_id=source.case_id,
        text=clean_text,
        offsets=tuple(out.offsets),
        removed=tuple(removed),
        metadata=metadata,
    )


def _text_metadata(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if match := _DOI.search(text):
        found["doi"] = match.group(1)
    if match := _PMID.search(text):
        found["pmid"] = match.group(1)
    if match := _PMCID.search(text):
        found["pmcid"] = match.group(1)
    return found
