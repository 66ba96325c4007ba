"""Coding evaluation: how often normalisation gives the code a coder gave, per category.

Input: the reference table `resources/coding_reference.tsv` (or `--reference FILE`), one
row per mention: doc_id, text, category, expected_concept_id, expected_preferred_term,
note, context, start, end, split, context_start, context_end. `context` is the sentence
holding the mention (for a short form defined elsewhere, the defining sentence is not
added: the coder read the whole report, the system reads the context only); `start`/`end`
index the mention in it. MACCROBAT rows keep no corpus text in the repository: `context`
is empty and `context_start`/`context_end` locate the sentence in the document under
`--corpora` (rows are left out when that folder is absent).
Output (stdout): accuracy per category and overall for the tune half, the test half and
all rows: exact concept_id, same code system, and for ICD-10-CM the same 3-character
category; how many rows the last back-off (`coding.icd10cm_fuzzy`, fuzzy words) decided
and how many of those are wrong; with `--verbose`, every disagreement. Side effects: none (loads the pipeline).

How a row is coded: the real pipeline (`pipeline.nlp.load_nlp`) runs on the context; if
it found an entity with exactly the mention's span and category, that entity is used
(so abbreviation long forms and lexicon links are the pipeline's own); otherwise the
mention span is set as the only entity of its category. Then `normalise.doc_to_mentions`
codes it, as in a real run.

`--split tune` codes and reports the tune half only (the half to look at while tuning;
`--errors` then lists only its disagreements, so the test half stays unseen).

A second table, `resources/coding_tuning.tsv` (split `tune2`), holds mentions sampled
from MACCROBAT *train* documents (nobody evaluates on them) to tune on: every Disease_disorder
(and a share of the treatment and imaging) annotations drawn with a fixed seed, coded by hand
before the coder ran on them. `--split tune2` reads it. Split `tune3` (same table, added a
round later, written before the coder ran on it) holds every distinct Disease_disorder mention
of the 30 train documents tune2 did not use, topped up with a seeded sample of tune2
documents' mentions tune2 did not take, and 15 imaging and 15 treatment mentions of those
30 documents: fresh rows to measure a round's rules on. `--split tune3` reads it. Split
`tune4` (round 4, written before the coder ran on it; drawn by `scripts/sample_coding_tune4.py`)
holds every distinct Disease_disorder mention tune2/tune3 did not take of the first train
documents in a seeded shuffle (90 mentions, 18 documents), and a seeded sample of 15
treatment, 15 imaging and 15 anatomy mentions of those documents. `--split tune4` reads it.
There an expected `NONE` means no
code of the category's vocabulary applies ('ruptured', 'lesion' without its site): right
when a diagnosis gets no ICD-10-CM code, or another mention a `local:` concept.
With `--errors`, diagnosis disagreements are also counted by class (no code, a code where
none applies, another chapter, another category of the chapter, the right category but
another code).

Usage: python -m pipeline.coding_eval [--reference FILE] [--split tune|test|tune2|tune3|tune4|all] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import coding, normalise, resources
from pipeline.records import CleanText

CATEGORIES = ("diagnosis", "anatomy", "imaging", "treatment")
COLUMNS = (
    "doc_id",
    "text",
    "category",
    "expected_concept_id",
    "expected_preferred_term",
    "note",
    "context",
    "start",
    "end",
    "split",
)


@dataclass(frozen=True)
class Row:
    doc_id: str
    text: str
    category: str
    expected: str
    expected_term: str
    note: str
    context: str
    start: int
    end: int
    split: str


@dataclass(frozen=True)
class Result:
    row: Row
    concept_id: str
    preferred_term: str
    fallback: bool = False  # the code came from the last back-off (`coding.icd10cm_fuzzy`)

    @property
    def exact(self) -> bool:
        if self.row.expected == NONE:
            return self._uncoded
        return self.concept_id == self.row.expected

    @property
    def _uncoded(self) -> bool:
        """No code of the category's vocabulary: no ICD-10-CM code for a diagnosis, a
        `local:` concept otherwise."""
        if self.row.category == "diagnosis":
            return not self.concept_id.startswith("ICD-10-CM:")
        return self.concept_id.startswith("local:")

    @property
    def same_system(self) -> bool:
        if self.row.expected == NONE:
            return self._uncoded
        return self.concept_id.split(":", 1)[0] == self.row.expected.split(":", 1)[0]

    @property
    def error_class(self) -> str:
        """How a diagnosis disagrees: '' (it does not), 'no code', 'code where none
        applies', 'other chapter', 'other category' (same chapter), 'other code' (same
        3-character category: specificity)."""
        if self.exact:
            return ""
        exp, got = self.row.expected, self.concept_id
        if exp == NONE:
            return "code where none applies"
        if not got.startswith("ICD-10-CM:"):
            return "no code"
        if exp[10:13] == got[10:13]:
            return "other code"
        return "other category" if exp[10] == got[10] else "other chapter"

    @property
    def same_icd_category(self) -> bool:
        """Same ICD-10-CM 3-character category (diagnoses coded to ICD-10-CM only)."""
        exp, got = self.row.expected, self.concept_id
        return exp.startswith("ICD-10-CM:") and got.startswith("ICD-10-CM:") and exp[10:13] == got[10:13]


NONE = "NONE"  # expected: no code of the category's vocabulary applies
SPLITS = ("tune", "test", "tune2", "tune3", "tune4")
TUNING_SPLITS = ("tune2", "tune3", "tune4")  # the splits of resources/coding_tuning.tsv


def reference_path() -> Path:
    return resources.path("coding_reference.tsv")


def tuning_path() -> Path:
    """The second tuning table (MACCROBAT train documents, splits tune2, tune3, tune4)."""
    return resources.path("coding_tuning.tsv")


DEFAULT_CORPORA = Path("../shared/corpora")


def read_reference(path: Path | None = None, corpora: Path | None = DEFAULT_CORPORA) -> list[Row]:
    """The reference rows. MACCROBAT rows carry no corpus text in the repository: their
    sentence is read from `corpora`/maccrobat2020/docs at `context_start:context_end`;
    when that folder is absent (or `corpora` is None) those rows are left out."""
    file = path or reference_path()
    rows = []
    docs: dict[str, str] = {}
    for number, r in enumerate(resources.read_tsv(file, COLUMNS[:4] + ("start", "end", "split")), start=2):
        start, end = int(r["start"]), int(r["end"])
        context = r["context"]
        if r["doc_id"].startswith("maccrobat:"):
            folder = corpora / "maccrobat2020" / "docs" if corpora is not None else None
            if folder is None or not folder.is_dir():
                continue
            doc_id = r["doc_id"].split(":", 1)[1]
            if doc_id not in docs:
                docs[doc_id] = (folder / f"{doc_id}.txt").read_text(encoding="utf-8")
            context = docs[doc_id][int(r["context_start"]) : int(r["context_end"])]
        if context[start:end] != r["text"]:
            raise ValueError(f"{file}: row {number}: context[{start}:{end}] is not {r['text']!r}")
        if r["category"] not in CATEGORIES or r["split"] not in SPLITS:
            raise ValueError(f"{file}: row {number}: bad category or split")
        rows.append(
            Row(r["doc_id"], r["text"], r["category"], r["expected_concept_id"], r["expected_preferred_term"],
                r["note"], context, start, end, r["split"])
        )
    return rows


def _clean_text(case_id: str, text: str) -> CleanText:
    return CleanText(case_id=case_id, text=text, offsets=tuple(range(len(text))), removed=())


def _mention_entity(doc: Doc, row: Row) -> Span:
    label = row.category.upper()
    for ent in doc.ents:
        if ent.start_char == row.start and ent.end_char == row.end and ent.label_ == label:
            return ent
    span = doc.char_span(row.start, row.end, label=label, alignment_mode="expand")
    if span is None:
        raise ValueError(f"{row.doc_id}: cannot align {row.text!r} to tokens")
    return span


def code_rows(nlp: Language, rows: Sequence[Row]) -> list[Result]:
    lexicon = nlp.get_pipe("lexicon_ner").lexicon
    results = []
    fuzzy = coding.icd10cm_fuzzy
    fired: list[str] = []

    def watched(texts: list[str]) -> str | None:
        code = fuzzy(texts)
        if code is not None:
            fired.append(code)
        return code

    coding.icd10cm_fuzzy = watched  # to count the rows the last back-off decides
    try:
        for row, doc in zip(rows, nlp.pipe(r.context for r in rows), strict=True):
            ent = _mention_entity(doc, row)
            doc.ents = [ent]  # the one mention under test; attributes set by the pipeline stay
            before = len(fired)
            mentions, _ = normalise.doc_to_mentions(doc, _clean_text(row.doc_id, row.context), lexicon)
            m = mentions[0]
            decided = len(fired) > before and m.concept_id == f"ICD-10-CM:{fired[-1]}"
            results.append(Result(row, m.concept_id, m.preferred_term, decided))
    finally:
        coding.icd10cm_fuzzy = fuzzy
    return results


def accuracy(results: Sequence[Result], category: str | None = None, split: str | None = None) -> tuple[float, float, int]:
    """(exact accuracy, code-system agreement, n) over a category/split subset."""
    pool = [r for r in results if (category is None or r.row.category == category) and (split is None or r.row.split == split)]
    if not pool:
        return 0.0, 0.0, 0
    return sum(r.exact for r in pool) / len(pool), sum(r.same_system for r in pool) / len(pool), len(pool)


def report(results: Sequence[Result], verbose: bool = False, part: str = "all") -> str:
    """Accuracy table for `part` (tune, test or all: both halves and all rows); with
    `verbose`, every disagreement among the rows reported."""
    lines = ["split  category   n    exact  system  icd3"]
    present = [s for s in SPLITS if any(r.row.split == s for r in results)]
    for split in (*present, None) if part == "all" else (part,):
        for category in (*CATEGORIES, None):
            exact, system, n = accuracy(results, category, split)
            if n == 0:
                lines.append(f"{split or 'all':6} {category or 'overall':10} 0    -      -")
                continue
            pool = [r for r in results if (split is None or r.row.split == split) and r.row.category == "diagnosis"]
            icd3 = ""
            if category == "diagnosis":
                icd3 = f"{sum(r.same_icd_category for r in pool) / len(pool):.2f}" if pool else ""
            lines.append(f"{split or 'all':6} {category or 'overall':10} {n:<4} {exact:.2f}   {system:.2f}    {icd3}")
        fell = [r for r in results if r.fallback and (split is None or r.row.split == split)]
        lines.append(f"{split or 'all':6} fuzzy-word back-off decided {len(fell)} rows, {sum(not r.exact for r in fell)} wrong")
    if verbose:
        classes: dict[str, int] = {}
        for r in results:
            if r.row.category == "diagnosis" and not r.exact:
                classes[r.error_class] = classes.get(r.error_class, 0) + 1
        lines.append("")
        lines.append("diagnosis disagreements by class: "
                     + (", ".join(f"{k} {v}" for k, v in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"))
        lines.append("")
        lines.append("disagreements (split, category, text -> got | expected):")
        for r in results:
            if not r.exact:
                why = f" [{r.error_class}]" if r.row.category == "diagnosis" else ""
                lines.append(
                    f"  {r.row.split:4} {r.row.category:9} {r.row.text!r} -> {r.concept_id} ({r.preferred_term})"
                    f" | {r.row.expected} ({r.row.expected_term}){why}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.coding_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=None,
                        help="reference TSV (default: the packaged table; with --split tune2/tune3/tune4 the tuning table)")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all",
                        help="code and report only this split (default: all, with each split); tune2, tune3 and tune4 "
                             "read resources/coding_tuning.tsv unless --reference is given")
    parser.add_argument("--errors", "--verbose", dest="verbose", action="store_true",
                        help="list every disagreement of the rows reported")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="annotated corpora folder holding maccrobat2020/docs (default: ../shared/corpora); "
                             "MACCROBAT rows are left out without it")
    args = parser.parse_args(argv)
    from pipeline.nlp import load_nlp

    reference = args.reference or (tuning_path() if args.split in TUNING_SPLITS else None)
    rows = read_reference(reference, args.corpora)
    if args.split != "all":
        rows = [r for r in rows if r.split == args.split]
    results = code_rows(load_nlp(), rows)
    print(report(results, args.verbose, args.split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
