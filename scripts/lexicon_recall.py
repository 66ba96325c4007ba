"""Score the lexicon matcher against MACCROBAT brat gold, per category (strict and overlap).

Contract
--------
Input:  ../shared/corpora/maccrobat2020/{splits/<split>.txt, docs/<id>.txt, docs/<id>.ann}
        and the shipped lexicons (or --lexicons DIR).
Output: a table on stdout: category, gold, predicted, strict P/R/F1, overlap P/R/F1;
        with --errors N also the N most frequent false positives/negatives per category.
Side effects: none.  Tune on the train split only; dev is for reporting.

Gold mapping (DESIGN.md section 4): diagnosis <- Disease_disorder; anatomy <-
Biological_structure; imaging <- Diagnostic_procedure whose text names an imaging
modality (IMAGING_RE below); treatment <- Therapeutic_procedure + Medication.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import time
from collections import Counter

import spacy

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # a script, not a test: make `pipeline` importable

from pipeline.lexicon import Lexicon  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "maccrobat2020"
IMAGING_RE = re.compile(
    r"\b(mri|mr|magnetic resonance|ct|cta|computed|tomograph\w*|cat scan|x-?rays?|"
    r"radiograph\w*|roentgen\w*|ultraso\w+|sonograph\w*|sonogram|echocardiogra\w*|echo|"
    r"doppler|tte|tee|eus|scintigra\w*|bone scan|spect|pet|mammogra\w*|angiogra\w*|"
    r"arteriogra\w*|venogra\w*|fluorosco\w*|barium|dexa|dxa|imaging|scan|scans)\b",
    re.IGNORECASE,
)
CATEGORY_OF_TYPE = {
    "Disease_disorder": "diagnosis",
    "Biological_structure": "anatomy",
    "Therapeutic_procedure": "treatment",
    "Medication": "treatment",
}
CATEGORIES = ("diagnosis", "anatomy", "imaging", "treatment")

Span = tuple[int, int, str]  # start, end, category


def read_gold(ann_path: pathlib.Path) -> list[tuple[int, int, str, str]]:
    spans = []
    for line in ann_path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        _, type_and_offsets, text = line.split("\t", 2)
        label, offsets = type_and_offsets.split(" ", 1)
        pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
        start, end = min(p[0] for p in pieces), max(p[1] for p in pieces)
        category = CATEGORY_OF_TYPE.get(label)
        if label == "Diagnostic_procedure" and IMAGING_RE.search(text):
            category = "imaging"
        if category:
            spans.append((start, end, category, text))
    return spans


def score(gold: list[Span], pred: list[Span], overlap: bool) -> int:
    """Number of one-to-one matches (same category; exact or overlapping span)."""
    used: set[int] = set()
    hits = 0
    for ps, pe, pc in sorted(pred):
        for i, (gs, ge, gc) in enumerate(gold):
            if i in used or gc != pc:
                continue
            if (ps == gs and pe == ge) if not overlap else (ps < ge and gs < pe):
                used.add(i)
                hits += 1
                break
    return hits


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train", choices=("train", "dev"))
    parser.add_argument("--lexicons", type=pathlib.Path, default=REPO / "pipeline/resources/lexicons")
    parser.add_argument("--errors", type=int, default=0, help="show N top FP/FN per category")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    lexicon = Lexicon.load(args.lexicons)
    load_s = time.perf_counter() - t0
    tokenizer = spacy.blank("en").tokenizer
    ids = (CORPUS / "splits" / f"{args.split}.txt").read_text().split()
    totals = {c: Counter() for c in CATEGORIES}
    fps: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    fns: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    match_s = 0.0
    n_tokens = 0
    for doc_id in ids:
        text = (CORPUS / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        gold_full = read_gold(CORPUS / "docs" / f"{doc_id}.ann")
        gold = [(s, e, c) for s, e, c, _ in gold_full]
        doc = tokenizer(text)
        words = [t.text for t in doc]
        n_tokens += len(words)
        t1 = time.perf_counter()
        matches = lexicon.match(words)
        match_s += time.perf_counter() - t1
        pred = []
        for start, end, cid in matches:
            span = doc[start:end]
            pred.append((span.start_char, span.end_char, lexicon.concepts[cid].category))
        for cat in CATEGORIES:
            g = [x for x in gold if x[2] == cat]
            p = [x for x in pred if x[2] == cat]
            totals[cat]["gold"] += len(g)
            totals[cat]["pred"] += len(p)
            totals[cat]["strict"] += score(g, p, overlap=False)
            totals[cat]["overlap"] += score(g, p, overlap=True)
            if args.errors:
                for s, e, _ in p:
                    if not any(s < ge and gs < e for gs, ge, _ in g):
                        fps[cat][text[s:e].lower()] += 1
                for s, e, _ in g:
                    if not any(s < pe and ps < e for ps, pe, _ in p):
                        fns[cat][text[s:e].lower()] += 1

    print(
        f"split={args.split} docs={len(ids)} tokens={n_tokens} terms={len(lexicon)} "
        f"load={load_s:.2f}s match={1000 * match_s / len(ids):.2f}ms/doc"
    )
    print(f"{'category':<10} {'gold':>5} {'pred':>5}  strict P/R/F1      overlap P/R/F1")
    all_t: Counter[str] = Counter()
    for cat in CATEGORIES:
        t = totals[cat]
        all_t.update(t)
        sp, sr, sf = prf(t["strict"], t["pred"], t["gold"])
        op, orr, of = prf(t["overlap"], t["pred"], t["gold"])
        print(f"{cat:<10} {t['gold']:>5} {t['pred']:>5}  {sp:.2f} {sr:.2f} {sf:.2f}    {op:.2f} {orr:.2f} {of:.2f}")
    sp, sr, sf = prf(all_t["strict"], all_t["pred"], all_t["gold"])
    op, orr, of = prf(all_t["overlap"], all_t["pred"], all_t["gold"])
    print(
        f"{'micro':<10} {all_t['gold']:>5} {all_t['pred']:>5}  {sp:.2f} {sr:.2f} {sf:.2f}    "
        f"{op:.2f} {orr:.2f} {of:.2f}"
    )
    if args.errors:
        for cat in CATEGORIES:
            print(
                f"\n[{cat}] top false positives: " + ", ".join(f"{k}:{v}" for k, v in fps[cat].most_common(args.errors))
            )
            print(
                f"[{cat}] top false negatives: " + ", ".join(f"{k}:{v}" for k, v in fns[cat].most_common(args.errors))
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
