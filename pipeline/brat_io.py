"""Brat standoff export of an output folder, and scoring against corrected brat files.

Export (`export_brat`): input an output folder of `python -m pipeline extract`; output
(side effect) a folder that brat and INCEpTION open directly:

- `<case_id>.txt`: the cleaned text (`text/<case_id>.txt`), the text `start`/`end` index;
- `<case_id>.ann`: one `T` line per mention (type = category, offsets = start/end; a
  mention that crosses a line break is written as fragments split at the line breaks,
  as brat requires), `A` lines for non-empty `assertion` and `experiencer` (attributes
  `Assertion`, `Experiencer`), and an `AnnotatorNotes` line with the concept
  (`concept_id | preferred term | source | mention_id`);
- `annotation.conf` (entity types = the categories of the contract plus any other found,
  the two attributes with their allowed values) and `visual.conf` (the review site's
  colours).

Import and score (`read_brat_folder`, `score_output`): every `<doc>.ann` of a folder with
its `<doc>.txt` becomes gold `(doc, start, end, type)` tuples — discontinuous annotations
count as their covering span, as in `pipeline.brat` — after checking that each
annotation's text matches the `.txt`. The output folder's mentions (`start`/`end`) of the
same documents are scored against them with `pipeline.scoring.score`, the evaluation's
scorer (strict and overlap P/R/F1 per category). A `.txt` that differs from the output's
cleaned text is an error: the offsets would not mean the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import scoring
from pipeline.brat import BratFormatError, parse_ann
from pipeline.diff import load_output
from pipeline.schema import ASSERTIONS, CATEGORIES, EXPERIENCERS
from pipeline.write import atomic_write_bytes

ATTRIBUTES = {"Assertion": ("assertion", ASSERTIONS), "Experiencer": ("experiencer", EXPERIENCERS)}
_COLOURS = {"diagnosis": "#f7c5c5", "anatomy": "#c9e4f6", "imaging": "#d8cdf3", "treatment": "#c7ecc9"}
_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class BratReadError(Exception):
    """A brat folder that cannot be read or does not fit the output; says which file."""


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    n_docs: int
    n_entities: int

    def __str__(self) -> str:
        return (f"export-brat: wrote {self.n_docs} document(s) with {self.n_entities} annotation(s) and "
                f"annotation.conf to {self.folder}; open the folder in brat or import it into INCEpTION (brat format)")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) split at line breaks, dropping empty pieces (brat spans cannot hold newlines)."""
    pieces: list[tuple[int, int]] = []
    at = start
    for part in text[start:end].split("\n"):
        s, e = at, at + len(part)
        if e > s:
            pieces.append((s, e))
        at = e + 1
    return pieces or [(start, end)]


def _clean_note(text: str) -> str:
    return " ".join(text.split())


def ann_text(rows: Sequence[dict[str, str]], text: str) -> str:
    """The .ann content for one case's mention rows (in file order) over its cleaned text."""
    lines: list[str] = []
    n_attr = n_note = 0
    for number, row in enumerate(rows, start=1):
        start, end = int(row["start"]), int(row["end"])
        parts = fragments(text, start, end)
        offsets = ";".join(f"{s} {e}" for s, e in parts)
        covered = " ".join(text[s:e] for s, e in parts)
        category = row["category"]
        if not _TYPE_RE.match(category):
            raise ValueError(f"category {category!r} is not usable as a brat type")
        tid = f"T{number}"
        lines.append(f"{tid}\t{category} {offsets}\t{covered}")
        for name, (column, _) in ATTRIBUTES.items():
            value = row.get(column, "")
            if value:
                n_attr += 1
                lines.append(f"A{n_attr}\t{name} {tid} {value}")
        note = " | ".join(_clean_note(row.get(c, "")) for c in ("concept_id", "preferred_term", "source", "mention_id"))
        n_note += 1
        lines.append(f"#{n_note}\tAnnotatorNotes {tid}\t{note}")
    return "".join(line + "\n" for line in lines)


def annotation_conf(categories: Iterable[str]) -> str:
    values = {name: "|".join(allowed) for name, (_, allowed) in ATTRIBUTES.items()}
    return (
        "# caseextract categories (DESIGN.md section 3); written by `python -m pipeline export-brat`\n"
        "[entities]\n" + "".join(f"{c}\n" for c in categories)
        + "\n[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
        "\n[events]\n"
        "\n[attributes]\n" + "".join(f"{name}\tArg:<ENTITY>, Value:{values[name]}\n" for name in ATTRIBUTES)
    )


def visual_conf(categories: Iterable[str]) -> str:
    return (
        "[labels]\n" + "".join(f"{c} | {c.capitalize()}\n" for c in categories)
        + "\n[drawing]\nSPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n"
        + "".join(f"{c}\tbgColor:{_COLOURS.get(c, '#eee2b8')}\n" for c in categories)
        + "ATTRIBUTE_DEFAULT\tglyph:*\n"
    )


def export_brat(output_dir: Path, folder: Path) -> ExportSummary:
    """Write the brat folder for an output folder (see the module docstring)."""
    output = load_output(output_dir)
    seen = {r["category"] for rows in output.mentions.values() for r in rows}
    categories = [*CATEGORIES, *sorted(seen - set(CATEGORIES))]
    folder.mkdir(parents=True, exist_ok=True)
    n_docs = n_entities = 0
    wanted = {"annotation.conf", "visual.conf"}
    for case_id in output.case_ids:
        text = output.text(case_id, "clean")
        if text is None:
            continue  # failed case: no cleaned text, nothing to annotate
        rows = output.mentions.get(case_id, [])
        for r in rows:
            if text[int(r["start"]) : int(r["end"])] != r["text"]:
                raise ValueError(f"{output_dir}: mention {r['mention_id']} does not match text/{case_id}.txt; "
                                 "regenerate the output with `make extract`")
        atomic_write_bytes(folder / f"{case_id}.txt", text.encode("utf-8"))
        atomic_write_bytes(folder / f"{case_id}.ann", ann_text(rows, text).encode("utf-8"))
        wanted |= {f"{case_id}.txt", f"{case_id}.ann"}
        n_docs += 1
        n_entities += len(rows)
    atomic_write_bytes(folder / "annotation.conf", annotation_conf(categories).encode("utf-8"))
    atomic_write_bytes(folder / "visual.conf", visual_conf(categories).encode("utf-8"))
    for stale in folder.iterdir():
        if stale.is_file() and stale.suffix in (".txt", ".ann") and stale.name not in wanted:
            stale.unlink()
    return ExportSummary(folder, n_docs, n_entities)


@dataclass(frozen=True)
class BratDocument:
    doc_id: str
    text: str
    spans: tuple[tuple[str, int, int, str], ...]  # (doc, start, end, type), covering spans
    attributes: tuple[tuple[str, str, str], ...]  # (entity id, name, value)


def read_brat_document(txt: Path, ann: Path) -> BratDocument:
    """Read and validate one .txt/.ann pair; raise BratReadError naming the file and line."""
    try:
        text = txt.read_text(encoding="utf-8")
        parsed = parse_ann(ann.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BratReadError(f"{ann}: cannot read ({exc})") from exc
    except BratFormatError as exc:
        raise BratReadError(f"{ann}: {exc}") from exc
    spans = []
    for entity in parsed.entities:
        for s, e in entity.fragments:
            if not 0 <= s < e <= len(text):
                raise BratReadError(f"{ann}: {entity.id} offsets {s} {e} outside {txt.name} ({len(text)} characters)")
        covered = " ".join(text[s:e] for s, e in entity.fragments)
        if entity.text and " ".join(covered.split()) != " ".join(entity.text.split()):
            raise BratReadError(f"{ann}: {entity.id} text {entity.text!r} does not match {txt.name} ({covered!r})")
        spans.append((ann.stem, entity.start, entity.end, entity.type))
    attributes = tuple((a.target, a.name, a.value or "") for a in parsed.attributes)
    return BratDocument(ann.stem, text, tuple(spans), attributes)


def read_brat_folder(folder: Path) -> list[BratDocument]:
    """Every `<doc>.ann` of `folder` (sorted) with its `<doc>.txt`."""
    if not folder.is_dir():
        raise BratReadError(f"{folder}: no such folder; pass the folder with the corrected .ann/.txt files")
    docs = []
    for ann in sorted(folder.glob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise BratReadError(f"{ann}: no {txt.name} beside it; brat needs both files")
        docs.append(read_brat_document(txt, ann))
    if not docs:
        raise BratReadError(f"{folder}: no .ann files found")
    return docs


def score_output(brat_folder: Path, output_dir: Path) -> tuple[scoring.Scores, int]:
    """Score the output's mentions against the brat folder as gold; (scores, documents scored)."""
    docs = read_brat_folder(brat_folder)
    output = load_output(output_dir)
    gold: list[tuple[str, int, int, str]] = []
    pred: list[tuple[str, int, int, str]] = []
    for doc in docs:
        clean = output.text(doc.doc_id, "clean")
        if clean is None:
            raise BratReadError(f"{brat_folder / doc.doc_id}.ann: no case {doc.doc_id} with text in {output_dir}")
        if clean != doc.text:
            raise BratReadError(f"{brat_folder / doc.doc_id}.txt differs from {output_dir}/text/{doc.doc_id}.txt; "
                                "annotate the exported text unchanged (offsets refer to it)")
        gold.extend(doc.spans)
        pred.extend((r["case_id"], int(r["start"]), int(r["end"]), r["category"])
                    for r in output.mentions.get(doc.doc_id, []))
    seen = {s[3] for s in gold} | {s[3] for s in pred}
    categories = [*CATEGORIES, *sorted(seen - set(CATEGORIES))]
    return scoring.score(gold, pred, categories), len(docs)
