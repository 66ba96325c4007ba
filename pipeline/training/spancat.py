"""Span-categorisation head (spaCy ``spancat_singlelabel``) for the four categories (round 6, issue #3).

Usage (tune protocol of EXPERIMENTS.md; one process per command, ``nice -n 19``, one thread)::

    # 1. threshold calibration: train on the fit documents minus a seeded 15-document slice,
    #    pick the decoding threshold on that slice (never on tune)
    python -m pipeline.training.spancat train --mode calib --tag cal-s0 --seed 0
    python -m pipeline.training.spancat calibrate --model build/spancat/calib-cal-s0/output/model-last
    # 2. train on the 93 fit documents, score model-last on tune (bare and + lexicon merge),
    #    alone and with the flat NER of the same seed (NER spans take precedence)
    python -m pipeline.training.spancat train --mode tune --tag sc-s0 --seed 0
    python -m pipeline.training.spancat score --model build/spancat/tune-sc-s0/output/model-last \
        --threshold T [--ner build/training/tune-base-s0/output/model-last]

Input: the corpora folder (read only). Output: only under ``--build`` (default
``build/spancat``): DocBins, spaCy's training output, ``scores.jsonl``.

Training data: one Doc per non-empty paragraph of the MACCROBAT documents with the gold
mentions (`brat.gold_mentions`, labels DIAGNOSIS/ANATOMY/IMAGING/TREATMENT) in
``doc.spans["sc"]``; a mention not on token boundaries is expanded to the enclosing tokens.
Decoding (`decode`) turns the candidate scores into flat, non-overlapping mentions: each
candidate's best non-negative label with its probability p; candidates with p >= threshold,
highest p first, each kept unless it overlaps an already kept one. ``threshold=None`` keeps
a candidate only when its best label beats the negative label (spaCy's own argmax rule).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline import brat
from pipeline.components import lexicon_features as features  # noqa: F401  (registers case_lexicon_features)
from pipeline.training import corpora as conv

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "spancat.cfg"
SPANS_KEY = "sc"
CANDIDATES_KEY = "sc_cand"  # span_finder's spans (spancat_finder.cfg)
CALIB_SIZE = 15
CALIB_SEED = 7
THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(11))  # 0.2 .. 0.7


def calib_split(fit_ids: Sequence[str], n: int = CALIB_SIZE, seed: int = CALIB_SEED) -> tuple[list[str], list[str]]:
    """Seeded slice of the fit documents for choosing the threshold: (train, slice)."""
    ids = sorted(fit_ids)
    sl = sorted(random.Random(seed).sample(ids, n))
    return [i for i in ids if i not in set(sl)], sl


def span_doc(
    nlp: Language, text: str, mentions: Sequence[tuple[int, int, str]], key: str = SPANS_KEY,
    flat: Sequence[tuple[int, int, str]] | None = None,
) -> Doc:
    """A Doc with ``mentions`` (char start, end, label) as the span group ``key`` (overlaps allowed);
    with ``flat``, also ``doc.ents`` set from those spans as `corpora.maccrobat_docs` does (joint model)."""
    doc = nlp.make_doc(text) if flat is None else conv._make_doc(nlp, text, flat, conv.ConversionStats())
    spans: list[Span] = []
    seen: set[tuple[int, int, str]] = set()
    for start, end, label in sorted(mentions):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or len(span) == 0 or (span.start, span.end, label) in seen:
            continue
        seen.add((span.start, span.end, label))
        spans.append(span)
    doc.spans[key] = spans
    doc.spans[CANDIDATES_KEY] = list(spans)  # gold for a span_finder (spancat_finder.cfg); unused otherwise
    return doc


def _cut(spans: Sequence[tuple[int, int, str]], lo: int, hi: int) -> list[tuple[int, int, str]]:
    """The spans inside [lo, hi), shifted to start at lo."""
    return [(s - lo, e - lo, lab) for s, e, lab in spans if s >= lo and e <= hi]


def span_docs(
    nlp: Language, corpora: Path, ids: Sequence[str], split_paragraphs: bool = True, with_ents: bool = False,
) -> list[Doc]:
    """Training Docs (one per paragraph unless ``split_paragraphs`` is false) with gold span groups
    and, ``with_ents``, the flat NER layer (`brat.flatten`) as ``doc.ents`` too."""
    out: list[Doc] = []
    for _, text, gold in conv.maccrobat_documents(corpora, ids):
        mentions = [(m.start, m.end, conv.CATEGORY_TO_LABEL[m.category]) for m in brat.gold_mentions(gold)]
        flat = [(m.start, m.end, conv.CATEGORY_TO_LABEL[m.category]) for m in brat.flatten(gold)]
        if not split_paragraphs:
            out.append(span_doc(nlp, text, mentions, flat=flat if with_ents else None))
            continue
        pos = 0
        for line in text.split("\n"):
            lo, hi = pos, pos + len(line)
            pos = hi + 1
            if line.strip():
                out.append(span_doc(nlp, line, _cut(mentions, lo, hi), flat=_cut(flat, lo, hi) if with_ents else None))
    return out


def decode(
    indices: np.ndarray, scores: np.ndarray, labels: Sequence[str], threshold: float | None,
) -> list[tuple[int, int, str, float]]:
    """Flat mentions (start, end, label, p) from candidate ``indices`` (n x 2 token offsets) and
    ``scores`` (n x (len(labels) + 1) softmax probabilities, the last column the negative label)."""
    if len(indices) == 0:
        return []
    pos = scores[:, : len(labels)]
    best = pos.argmax(axis=1)
    p = pos[np.arange(len(best)), best]
    keep = p > scores[:, len(labels)] if threshold is None else p >= threshold
    order = sorted(np.flatnonzero(keep).tolist(), key=lambda i: (-float(p[i]), int(indices[i, 0]), int(indices[i, 1])))
    taken = np.zeros(int(indices[:, 1].max()) + 1, dtype=bool)
    out: list[tuple[int, int, str, float]] = []
    for i in order:
        s, e = int(indices[i, 0]), int(indices[i, 1])
        if taken[s:e].any():
            continue
        taken[s:e] = True
        out.append((s, e, labels[int(best[i])], float(p[i])))
    return sorted(out)


def candidate_scores(nlp: Language, texts: Sequence[str], batch_size: int = 16) -> list[tuple[Doc, np.ndarray, np.ndarray]]:
    """Run the pipeline up to the span categoriser; (doc, candidate indices, candidate scores) per text."""
    spancat = nlp.get_pipe("spancat")
    out: list[tuple[Doc, np.ndarray, np.ndarray]] = []
    with nlp.select_pipes(disable=["spancat"]):
        docs = list(nlp.pipe(texts, batch_size=batch_size))
    for i in range(0, len(docs), batch_size):
        batch = docs[i: i + batch_size]
        indices, scores = spancat.predict(batch)
        scores = spancat.model.ops.to_numpy(scores)
        offset = 0
        for j, doc in enumerate(batch):
            idx = spancat.model.ops.to_numpy(indices[j].dataXd).reshape(-1, 2)
            n = int(indices.lengths[j])
            out.append((doc, idx, scores[offset: offset + n]))
            offset += n
    return out


def labels_of(nlp: Language) -> list[str]:
    spancat = nlp.get_pipe("spancat")
    labels = list(spancat.labels)
    if spancat._n_labels != len(labels) + 1:  # negative label expected last
        raise ValueError("expected spancat_singlelabel with a negative label")
    return labels


def with_precedence(
    first: Sequence[tuple[int, int, str]], second: Sequence[tuple[int, int, str]],
) -> list[tuple[int, int, str]]:
    """``first`` spans all kept; a ``second`` span only if it overlaps none kept so far."""
    out = list(first)
    taken: set[int] = set()
    for s, e, _ in first:
        taken.update(range(s, e))
    for s, e, lab in sorted(second):
        if not taken.intersection(range(s, e)):
            out.append((s, e, lab))
            taken.update(range(s, e))
    return sorted(out)


def score_ids(
    model: Path, corpora: Path, ids: Sequence[str], thresholds: Sequence[float | None],
    ner: Path | None = None, spancat_first: bool = False, ner_only: bool = False,
    spancat_labels: Sequence[str] = (),
) -> dict[str, Any]:
    """Bare and + lexicon-merge scores (`postrules.merge_scores`) of the decoded spans on ``ids``, per threshold."""
    from pipeline.training.postrules import merge_scores

    nlp = spacy.load(model)
    labels = labels_of(nlp)
    docs = conv.maccrobat_documents(corpora, ids)
    cands = candidate_scores(nlp, [t for _, t, _ in docs])
    ner_ents: list[list[tuple[int, int, str]]] = []
    if ner is not None and str(ner) == "self":  # joint model: its own NER head
        ner_ents = [[(e.start, e.end, e.label_) for e in doc.ents] for doc, _, _ in cands]
    elif ner is not None:
        ner_nlp = spacy.load(ner)
        for (doc, _, _), ndoc in zip(cands, ner_nlp.pipe([t for _, t, _ in docs]), strict=True):
            if [t.text for t in doc] != [t.text for t in ndoc]:
                raise ValueError("tokenisation differs between the NER and spancat pipelines")
            ner_ents.append([(e.start, e.end, e.label_) for e in ndoc.ents])
    lexicon = features._load_lexicon(None)
    res: dict[str, Any] = {}
    for t in thresholds:
        predictions = []
        for k, (doc, idx, sc) in enumerate(cands):
            spans = [(s, e, lab) for s, e, lab, _ in decode(idx, sc, labels, t) if not spancat_labels or lab in spancat_labels]
            if ner_only:
                spans = ner_ents[k]
            elif ner is not None:
                spans = with_precedence(spans, ner_ents[k]) if spancat_first else with_precedence(ner_ents[k], spans)
            predictions.append((doc, spans))
        res["argmax" if t is None else f"{t:.2f}"] = merge_scores(docs, predictions, lexicon)
    return res


def _fmt(s: dict[str, dict[str, float]]) -> str:
    return " | ".join(f"{s['overlap'][c]:.3f} / {s['strict'][c]:.3f}" for c in (*brat.CATEGORIES, "micro"))


def cmd_train(args: argparse.Namespace) -> int:
    from spacy.cli.train import train as spacy_train

    from pipeline.training.train import _parse_overrides

    t0 = time.time()
    mac = args.corpora / conv.MACCROBAT_DIR
    train_split = brat.read_split(mac, "train")
    fit_ids, _ = conv.tune_split(train_split)
    if args.mode == "tune":
        train_ids, dev_ids = fit_ids, fit_ids[:5]  # spaCy's dev corpus only drives its log; never tune
    elif args.mode == "calib":
        train_ids, dev_ids = calib_split(fit_ids)
    else:
        train_ids, dev_ids = sorted(train_split), sorted(train_split)[:5]
    build: Path = args.build / f"{args.mode}-{args.tag}"
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    nlp = spacy.blank("en")
    joint = "ner" in spacy.util.load_config(args.config)["nlp"]["pipeline"]
    train_docs = span_docs(nlp, args.corpora, train_ids, with_ents=joint)
    dev_docs = span_docs(nlp, args.corpora, dev_ids, split_paragraphs=False, with_ents=joint)
    conv.write_docbin(train_docs, build / "train.spacy")
    conv.write_docbin(dev_docs, build / "dev.spacy")
    overrides = {"paths.train": str(build / "train.spacy"), "paths.dev": str(build / "dev.spacy"),
                 "system.seed": args.seed, **_parse_overrides(args.set)}
    spacy_train(args.config, build / "output", use_gpu=-1, overrides=overrides)
    secs = round(time.time() - t0, 1)
    rec = {"tag": args.tag, "mode": args.mode, "seed": args.seed, "config": str(args.config), "set": args.set,
           "train_docs": len(train_docs), "train_ids": len(train_ids),
           "spans": sum(len(d.spans[SPANS_KEY]) for d in train_docs), "train_seconds": secs}
    (build / "train_record.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    print(json.dumps(rec))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    mac = args.corpora / conv.MACCROBAT_DIR
    fit_ids, _ = conv.tune_split(brat.read_split(mac, "train"))
    _, slice_ids = calib_split(fit_ids)
    res = score_ids(args.model, args.corpora, slice_ids, [None, *THRESHOLDS])
    best = max((k for k in res if k != "argmax"),
               key=lambda k: res[k]["bare"]["overlap"]["micro"] + res[k]["bare"]["strict"]["micro"])
    for k, v in res.items():
        print(f"{k:6s} bare  | {_fmt(v['bare'])}\n{'':6s} merge | {_fmt(v['merge'])}")
    print(f"chosen threshold (bare micro overlap + strict on the calibration slice): {best}")
    _log(args.build, {"cmd": "calibrate", "model": str(args.model), "slice": slice_ids, "scores": res, "chosen": best})
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    mac = args.corpora / conv.MACCROBAT_DIR
    _, tune_ids = conv.tune_split(brat.read_split(mac, "train"))
    t = None if args.threshold == "argmax" else float(args.threshold)
    res = score_ids(args.model, args.corpora, tune_ids, [t], args.ner, args.spancat_first, args.ner_only,
                    [x for x in args.spancat_labels.split(",") if x])
    for k, v in res.items():
        print(f"{k:6s} bare  | {_fmt(v['bare'])}\n{'':6s} merge | {_fmt(v['merge'])}")
    _log(args.build, {"cmd": "score", "tag": args.tag, "model": str(args.model), "ner": str(args.ner) if args.ner else None,
                      "spancat_first": args.spancat_first, "ner_only": args.ner_only,
                      "spancat_labels": args.spancat_labels, "scores": res})
    return 0


def cmd_speed(args: argparse.Namespace) -> int:
    """Bare throughput (words/s, best of ``--repeat``) of each model on the same texts."""
    mac = args.corpora / conv.MACCROBAT_DIR
    fit_ids, _ = conv.tune_split(brat.read_split(mac, "train"))
    texts = [t for _, t, _ in conv.maccrobat_documents(args.corpora, fit_ids[: args.n])]
    for model in args.models:
        nlp = spacy.load(model)
        n_words = sum(len(d) for d in nlp.tokenizer.pipe(texts))
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            if "spancat" in nlp.pipe_names:
                labels = labels_of(nlp)
                for _doc, idx, sc in candidate_scores(nlp, texts):
                    decode(idx, sc, labels, args.threshold)
            else:
                list(nlp.pipe(texts, batch_size=16))
            best = min(best, time.perf_counter() - t0)
        print(f"{model}: {n_words / best:,.0f} words/s ({len(texts)} docs, {n_words} words, best of {args.repeat})")
    return 0


def _log(build: Path, rec: dict[str, Any]) -> None:
    build.mkdir(parents=True, exist_ok=True)
    with (build / "scores.jsonl").open("a") as fh:
        fh.write(json.dumps(rec, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    corp = Path("../shared/corpora")
    tr = sub.add_parser("train", help="train a span categoriser (tune: 93 fit docs; calib: fit minus the slice)")
    tr.add_argument("--mode", choices=("tune", "calib", "final"), default="tune")
    tr.add_argument("--tag", required=True)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    tr.add_argument("--set", action="append", default=[], help="config override key=value (JSON value)")
    ca = sub.add_parser("calibrate", help="choose the decoding threshold on the calibration slice of the fit docs")
    ca.add_argument("--model", type=Path, required=True)
    sc = sub.add_parser("score", help="tune scores, bare and + lexicon merge, optionally with a NER model")
    sc.add_argument("--model", type=Path, required=True)
    sc.add_argument("--threshold", default="argmax", help="a probability or 'argmax'")
    sc.add_argument("--ner", type=Path, default=None, help="flat NER model whose entities take precedence ('self': the NER head of a joint model)")
    sc.add_argument("--spancat-first", action="store_true", help="with --ner: spancat spans take precedence instead")
    sc.add_argument("--spancat-labels", default="", help="keep only these spancat labels (comma-separated)")
    sc.add_argument("--ner-only", action="store_true", help="score the NER entities alone (with --ner self)")
    sc.add_argument("--tag", default="")
    sp = sub.add_parser("speed", help="bare throughput of spancat / NER models on the same fit texts")
    sp.add_argument("--models", type=Path, nargs="+", required=True)
    sp.add_argument("--n", type=int, default=60)
    sp.add_argument("--repeat", type=int, default=3)
    sp.add_argument("--threshold", type=float, default=0.5)
    for p in (tr, ca, sc, sp):
        p.add_argument("--corpora", type=Path, default=corp)
        p.add_argument("--build", type=Path, default=Path("build/spancat"))
    args = ap.parse_args(argv)
    return {"train": cmd_train, "calibrate": cmd_calibrate, "score": cmd_score, "speed": cmd_speed}[args.cmd](args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
