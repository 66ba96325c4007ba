"""Cleaning time against NER time on long reports (issue #4: "cleaning a 5,000-word report
takes well under the NER time for it").

Joins consecutive MACCROBAT case texts into reports of at least `--words` words and times,
per report (CPU time, best of 3, after one warm-up): `clean.clean`, the bare NER model
(lexicon features, tok2vec, ner) on the cleaned text, and the whole spaCy pipeline.

    .venv/bin/python scripts/clean_vs_ner_long.py [--corpora ../shared/corpora] [--words 5000] [--reports 4]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline import clean
from pipeline.nlp import load_nlp
from pipeline.records import SourceText

BARE = ("lexicon_features", "tok2vec", "ner")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--reports", type=int, default=4)
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((args.corpora / "maccrobat2020" / "docs").glob("*.txt"))]
    reports: list[str] = []
    current: list[str] = []
    for text in texts:
        current.append(text)
        if sum(len(t.split()) for t in current) >= args.words:
            reports.append("\n\n".join(current))
            current = []
        if len(reports) == args.reports:
            break
    nlp = load_nlp()
    others = [name for name in nlp.pipe_names if name not in BARE]
    for i, report in enumerate(reports):
        source = SourceText(case_id=f"long{i}", path=f"long{i}.txt", source_format="txt", sha256="-",
                            text=report, encoding="utf-8")
        cleaned = clean.clean(source)
        nlp(cleaned.text)
        times: dict[str, list[float]] = {"clean": [], "bare NER": [], "whole spaCy pipeline": []}
        for _ in range(3):
            began = time.process_time()
            cleaned = clean.clean(source)
            times["clean"].append(time.process_time() - began)
            with nlp.select_pipes(disable=others):
                began = time.process_time()
                nlp(cleaned.text)
                times["bare NER"].append(time.process_time() - began)
            began = time.process_time()
            nlp(cleaned.text)
            times["whole spaCy pipeline"].append(time.process_time() - began)
        best = {k: min(v) * 1000 for k, v in times.items()}
        print(f"{len(report.split()):,} words: " + ", ".join(f"{k} {v:.0f} ms" for k, v in best.items())
              + f"; cleaning / bare NER = {best['clean'] / best['bare NER']:.2f}")


if __name__ == "__main__":
    main()
