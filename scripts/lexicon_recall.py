"""Score the lexicon matcher against MACCROBAT brat gold, per category (strict and overlap).

Contract
--------
Input:  ../shared/corpora/maccrobat2020/{splits/<split>.txt, docs/<id>.txt, docs/<id>.ann}
        (or --corpus DIR) and the shipped lexicons (or --lexicons DIR).
Output: a table on stdout: category, gold, predicted, strict P/R/F1, overlap P/R/F1;
        with --errors N also the N most frequent false positives/negatives per category.
Side effects: none.  Tune on the train split only; dev is for reporting.

Gold mapping and span policy are the project's (`pipeline.brat`, DESIGN.md section 4);
scores come from the evaluation's scorer (`pipeline.scoring`).
"""

from __future__ import annotations

import argparse
import pathlib
import time
from collections import Counter

import spacy

from pipeline import brat, resources, scoring
from pipeline.lexicon import Lexicon

CATEGORIES = ("diagnosis", "anatomy", "imaging", "treatment")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train", choices=("train", "dev"))
    parser.add_argument("--corpus", type=pathlib.Path, default=pathlib.Path("../shared/corpora/maccrobat2020"))
    parser.add_argument("--lexicons", type=pathlib.Path, default=resources.path("lexicons"))
    parser.add_argument("--errors", type=int, default=0, help="show N top FP/FN per category")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    lexicon = Lexicon.load(args.lexicons)
    load_s = time.perf_counter() - t0
    tokenizer = spacy.blank("en").tokenizer
    ids = brat.read_split(args.corpus, args.split)
    gold: list[tuple[str, int, int, str]] = []
    pred: list[tuple[str, int, int, str]] = []
    texts: dict[str, str] = {}
    match_s = 0.0
    n_tokens = 0
    for doc_id in ids:
        text, mentions = brat.read_document(args.corpus / "docs" / f"{doc_id}.ann")
        texts[doc_id] = text
        gold += [(doc_id, m.start, m.end, m.category) for m in mentions]
        doc = tokenizer(text)
        n_tokens += len(doc)
        t1 = time.perf_counter()
        matches = lexicon.match([t.text for t in doc])
        match_s += time.perf_counter() - t1
        for start, end, cid in matches:
            span = doc[start:end]
            pred.append((doc_id, span.start_char, span.end_char, lexicon.concepts[cid].category))

    print(
        f"split={args.split} docs={len(ids)} tokens={n_tokens} terms={len(lexicon)} "
        f"load={load_s:.2f}s match={1000 * match_s / len(ids):.2f}ms/doc"
    )
    print(scoring.format_table(scoring.score(gold, pred, CATEGORIES)))
    if args.errors:
        paired = scoring.match_overlap(gold, pred)
        hit_gold = {g for g, _ in paired}
        hit_pred = {p for _, p in paired}
        for cat in CATEGORIES:
            fps = Counter(texts[d][s:e].lower() for d, s, e, c in pred if c == cat and (d, s, e, c) not in hit_pred)
            fns = Counter(texts[d][s:e].lower() for d, s, e, c in gold if c == cat and (d, s, e, c) not in hit_gold)
            print(f"\n[{cat}] top false positives: " + ", ".join(f"{k}:{v}" for k, v in fps.most_common(args.errors)))
            print(f"[{cat}] top false negatives: " + ", ".join(f"{k}:{v}" for k, v in fns.most_common(args.errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
