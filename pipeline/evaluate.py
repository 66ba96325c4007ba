"""Evaluate extraction against MACCROBAT2020 gold: per-category P/R/F1, strict and overlap.

Usage::

    python -m pipeline.evaluate [--corpora ../shared/corpora] [--split dev] [--out build/eval]
                                [--limit N] [--bare [--model DIR]] [--nlp-config CFG]

Input: the corpora folder (read only); the split's document ids
(``maccrobat2020/splits/<split>.txt``).
Default (whole pipeline): copies the split's ``.txt`` files into a temporary corpus folder,
runs `pipeline.run.extract` on it into ``<out>/run/``, reads ``<out>/run/mentions.csv`` and
scores its ``raw_start``/``raw_end`` (offsets into the source ``.txt``) against the gold of
`pipeline.brat` (mapping and span policy documented there).
``--bare``: scores the shipped statistical model alone (``spacy.load``), for comparison.
Output: prints a Markdown table and writes ``<out>/scores.md`` and ``<out>/scores.json``
(atomically). Exit code 0, or 2 if the corpora are missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import brat, scoring
from pipeline.write import atomic_write_bytes


def _atomic_write(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_mentions_csv(path: Path) -> list[tuple[str, int, int, str]]:
    """(case_id, raw_start, raw_end, category) from a mentions.csv."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("raw_start", "") == "" or row.get("raw_end", "") == "":
                continue
            out.append((row["case_id"], int(row["raw_start"]), int(row["raw_end"]), row["category"]))
    return out


def gold_for(corpora: Path, ids: Sequence[str]) -> list[tuple[str, int, int, str]]:
    docs_dir = corpora / "maccrobat2020" / "docs"
    gold: list[tuple[str, int, int, str]] = []
    for doc_id in ids:
        _, mentions = brat.read_document(docs_dir / f"{doc_id}.ann")
        gold += [(m.doc_id, m.start, m.end, m.category) for m in mentions]
    return gold


def run_whole_pipeline(
    corpora: Path, ids: Sequence[str], out: Path, nlp_config: Path | None = None
) -> tuple[list[tuple[str, int, int, str]], dict[str, Any]]:
    import pipeline.components  # noqa: F401  (registers the model's feature component)
    from pipeline import run

    nlp = None
    if nlp_config is not None:
        from pipeline.nlp import load_nlp

        nlp = load_nlp(nlp_config)

    docs_dir = corpora / "maccrobat2020" / "docs"
    run_dir = out / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    with tempfile.TemporaryDirectory(prefix="eval-corpus-") as tmp:
        corpus = Path(tmp)
        for doc_id in ids:
            shutil.copyfile(docs_dir / f"{doc_id}.txt", corpus / f"{doc_id}.txt")
        t0 = time.perf_counter()
        summary = run.extract(corpus, run_dir, nlp=nlp) if nlp is not None else run.extract(corpus, run_dir)
        secs = time.perf_counter() - t0
    info = {"mode": "whole pipeline (pipeline.run.extract)", "seconds": round(secs, 2),
            "reports_per_second": round(len(ids) / secs, 2) if secs else None,
            "n_failed": getattr(summary, "n_failed", None)}
    return read_mentions_csv(run_dir / "mentions.csv"), info


def run_bare_model(corpora: Path, ids: Sequence[str], model: Path) -> tuple[list[tuple[str, int, int, str]], dict[str, Any]]:
    import spacy

    import pipeline.components  # noqa: F401  (registers the model's feature component)
    from pipeline.training.train import predict_mentions

    t0 = time.perf_counter()
    nlp = spacy.load(model)
    load_s = time.perf_counter() - t0
    docs_dir = corpora / "maccrobat2020" / "docs"
    docs = [(i, (docs_dir / f"{i}.txt").read_text("utf-8")) for i in ids]
    t0 = time.perf_counter()
    pred = predict_mentions(nlp, docs)
    secs = time.perf_counter() - t0
    words = sum(len(t.split()) for _, t in docs)
    info = {"mode": f"bare model ({model.name})", "load_seconds": round(load_s, 2), "seconds": round(secs, 2),
            "reports_per_second": round(len(ids) / secs, 2), "words_per_second": round(words / secs)}
    return pred, info


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--out", type=Path, default=Path("build/eval"))
    ap.add_argument("--limit", type=int, default=0, help="first N documents of the split only")
    ap.add_argument("--bare", action="store_true", help="score the statistical model alone")
    ap.add_argument("--model", type=Path, default=None, help="model folder for --bare (default: the shipped model)")
    ap.add_argument("--nlp-config", type=Path, default=None,
                    help="whole pipeline from this spaCy config instead of the packaged one")
    args = ap.parse_args(argv)

    mac = args.corpora / "maccrobat2020"
    if not (mac / "splits" / f"{args.split}.txt").is_file():
        print(f"error: {mac}/splits/{args.split}.txt not found; pass --corpora DIR", file=sys.stderr)
        return 2
    ids = brat.read_split(mac, args.split)
    if args.limit:
        ids = ids[: args.limit]
    if args.bare:
        from pipeline.nlp import model_path

        pred, info = run_bare_model(args.corpora, ids, args.model or model_path())
    else:
        pred, info = run_whole_pipeline(args.corpora, ids, args.out, args.nlp_config)
    gold = gold_for(args.corpora, ids)
    scores = scoring.score(gold, pred, brat.CATEGORIES)
    title = f"MACCROBAT2020 {args.split} split, {len(ids)} documents, {info['mode']}"
    table = scoring.format_table(scores, title)
    speed = ", ".join(f"{k}={v}" for k, v in info.items() if k != "mode")
    report = f"{table}\n{speed}\n"
    print(report, end="")
    _atomic_write(args.out / "scores.md", report)
    _atomic_write(args.out / "scores.json", json.dumps(
        {"split": args.split, "documents": ids, "run": info, "scores": scores.as_dict()},
        indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
