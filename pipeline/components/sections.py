"""`case_sections_v1`: split a report into sections from its headers.

Reads: `doc.text`. Writes: `Doc._.report_sections`, a list of `(section, start_char, end_char,
header)` blocks that cover the whole text in order; `Span._.report_section` (a getter declared
in `extensions`) reads it for any span, so entities added later get a section too.

Headers come from `resources/sections/headers.tsv` (see its README): matched at the start
of a line, numbered or not, with or without a colon, alone on their line or run into the
text. Text before the first header is `title` when short (a title line), else `other`;
short blocks ahead of the abstract/introduction (a journal's "Case report" label above the
title) are `title` as well. `find_sections` is the pure function under the component.
"""


import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import resources
from pipeline.schema import SECTIONS

# A block this short before the abstract/introduction is a title (or a label above it).
TITLE_MAX_CHARS = 300
_KINDS = ("header", "caption")


@dataclass(frozen=True)
class SectionRules:
    pattern: re.Pattern[str]
    section_of: dict[str, str]  # normalised header -> section
    captions: frozenset[str]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def load_rules(file: Path | None = None) -> SectionRules:
    """Read and validate headers.tsv; compile one multiline regex."""
    file = file or resources.path("sections", "headers.tsv")
    rows = resources.read_tsv(file, ("section", "kind", "header"))
    section_of: dict[str, str] = {}
    captions: set[str] = set()
    for number, row in enumerate(rows, start=2):
        section, kind, header = row["section"], row["kind"], row["header"]
        if section not in SECTIONS:
            raise ValueError(f"{file}: row {number}: section {section!r} is not one of {', '.join(SECTIONS)}")
        if kind not in _KINDS:
            raise ValueError(f"{file}: row {number}: kind {kind!r} is not one of {', '.join(_KINDS)}")
        if header != header.lower() or _norm(header) in section_of:
            raise ValueError(f"{file}: row {number}: header {header!r} must be lower case and unique")
        section_of[_norm(header)] = section
        if kind == "caption":
            captions.add(_norm(header))
    alternatives = sorted(section_of, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in h.split(" ")) for h in alternatives)
    pattern = re.compile(
        r"^[ \t]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})[.)]?[ \t]+)?"
        rf"(?P<header>{body})(?![\w-])"
        r"(?P<number>[ \t]*\d+[a-z]?)?"
        r"(?P<tail>[ \t]*[:.\u2013\u2014-](?!\w)|[ \t]*(?=\n|$)|[ \t]+(?=[A-Z0-9\u2022(]))",
        re.IGNORECASE | re.MULTILINE,
    )
    return SectionRules(pattern, section_of, frozenset(captions))


def find_sections(text: str, rules: SectionRules) -> list[tuple[str, int, int, str]]:
    """Blocks (section, start, end, header) covering `text`, in order."""
    heads: list[tuple[int, str, str]] = []
    for m in rules.pattern.finditer(text):
        header = _norm(m.group("header"))
        section = rules.section_of[header]
        run_in = not m.group("tail").strip() and not text[m.end("tail") :].startswith("\n") and m.end("tail") < len(text)
        if header in rules.captions:
            if not m.group("number"):
                continue
        elif m.group("number") and header != "case":
            continue  # "Discussion 2 ..." is not a header; "Case 1" is
        if run_in and (not m.group("header")[0].isupper() or text[m.end("tail")].islower()):
            continue  # run into the text: only "Discussion The ...", never "Discussion of ..."
        heads.append((m.start("header"), section, m.group("header")))
    blocks: list[tuple[str, int, int, str]] = []
    first = heads[0][0] if heads else len(text)
    if text[:first].strip():
        lead = text[:first]
        line_end = lead.strip().find("\n")
        first_line = lead.strip() if line_end < 0 else lead.strip()[:line_end]
        if len(lead.strip()) <= TITLE_MAX_CHARS:
            blocks.append(("title", 0, first, ""))
        elif len(first_line) <= TITLE_MAX_CHARS // 2 and not first_line.endswith("."):
            cut = text.find(first_line) + len(first_line)
            blocks.append(("title", 0, cut, ""))
            blocks.append(("other", cut, first, ""))
        else:
            blocks.append(("other", 0, first, ""))
    for i, (start, section, header) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        blocks.append((section, start, end, header))
    # A short block ahead of the first abstract/introduction is a title or a label above it.
    opening = next((i for i, b in enumerate(blocks) if b[0] in ("abstract", "introduction")), None)
    if opening is not None:
        for i in range(opening):
            section, start, end, header = blocks[i]
            if len(text[start:end].strip()) <= TITLE_MAX_CHARS:
                blocks[i] = ("title", start, end, header)
    if not blocks:
        blocks.append(("other", 0, len(text), ""))
    if blocks[0][1] > 0:
        section, _, end, header = blocks[0]
        blocks[0] = (section, 0, end, header)
    return blocks


class Sections:
    """Sets `Doc._.report_sections` (and so `Span._.report_section`)."""

    def __init__(self, rules: SectionRules) -> None:
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        doc._.report_sections = find_sections(doc.text, self.rules)
        return doc


@Language.factory("case_sections_v1", assigns=["doc._.report_sections"], default_config={"headers_file": None})
def make_sections(nlp: Language, name: str, headers_file: str | None) -> Sections:
    return Sections(load_rules(Path(headers_file) if headers_file else None))
