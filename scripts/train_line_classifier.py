"""Train the cleaner's line classifier and write `pipeline/resources/boilerplate/line_classifier.json`.

`python scripts/train_line_classifier.py [--shared ../shared] [--out PATH] [--dry-run]`

Input (read only):
- the cleaning fixtures `tests/fixtures/cleaning` and `tests/fixtures/cleaning_heldout`:
  a source line that holds a "gone" string (or lies inside one) is boilerplate; a line
  whose text (citation markers removed, first and last word dropped for hyphenation)
  lies inside a "kept" sentence is content; a line that is both or neither is skipped;
- the MACCROBAT 2020 train split (`<shared>/corpora/maccrobat2020/docs/<id>.txt`, ids
  in `splits/train.txt`): every line the rules keep is content;
- the sample reports in `corpus/`, as the rule-based cleaner marks them: kept lines are
  content, lines a rule removes are boilerplate.

Features are `clean.line_features` over `clean.mark_lines(..., classify=False)` (the
rules' marks are the neighbour features). Model: scikit-learn logistic regression
(standardised features, balanced class weights, fixed seed). Cross-validation: 5 folds
grouped by document, out-of-fold precision/recall at the shipped threshold. Threshold:
the highest probability the final model gives a content line it would be asked about
(not removed by a rule, not the title, not protected as heading, caption, sentence or
wrapped text), plus a margin of 0.02, rounded up to 0.01 and kept in 0.50..0.99.

Output: the JSON weights file (atomic write, sorted keys, no timestamp) and a summary on
stdout to paste into the boilerplate README. `--dry-run` prints without writing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from pipeline import clean, cleaning_eval, ingest, resources
from pipeline.records import SourceText
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURE_SETS = ("tests/fixtures/cleaning", "tests/fixtures/cleaning_heldout")
SEED = 0
C = 1.0
MARGIN = 0.02
RULE_REMOVED_WEIGHT = 0.3


@dataclass(frozen=True)
class Example:
    doc: str  # group for cross-validation
    source: str  # fixtures | maccrobat | corpus
    features: list[float]
    label: int  # 1 boilerplate, 0 content
    candidate: bool  # the classifier would be asked about it (no rule, not protected)
    text: str


def _fold(text: str) -> str:
    return cleaning_eval.fold(text)


def _content_key(line: clean.Line, text: str) -> str:
    """The part of a line that must appear in a kept sentence: citations cut, edge words dropped."""
    body = text[line.start : line.end]
    for start, end in sorted(clean.citation_spans(body), reverse=True):
        body = body[:start] + body[end:]
    words = _fold(clean.rule_text(body)).split()
    if len(words) >= 4:
        words = words[1:-1]  # a hyphenated first/last word is joined in the clean text
    return " ".join(words)


def _examples(doc: str, kind: str, source: SourceText, lines: list[clean.Line], labels: dict[int, int]) -> list[Example]:
    out = []
    title = clean._title_index(lines)
    for i, label in sorted(labels.items()):
        line = lines[i]
        candidate = not line.rule and i != title and not clean._protected(lines, i)
        out.append(Example(doc, kind, clean.line_features(lines, i), label, candidate, line.text))
    return out


def fixture_examples(shared: Path | None) -> list[Example]:
    examples: list[Example] = []
    settings = Settings(progress=False)
    for folder in FIXTURE_SETS:
        fixtures, _ = cleaning_eval.load_fixtures(REPO / folder, shared)
        sources = {f.name: ingest.read_source(f.folder, f.item, settings) for f in fixtures}
        context = clean.CorpusContext(recurring=clean.recurring_lines(s.text for s in sources.values()))
        for fixture in fixtures:
            source = sources[fixture.name]
            lines = clean.mark_lines(source, context, classify=False)
            gone = [_fold(g) for g in fixture.gone]
            kept = [_fold(k) for k in fixture.kept]
            labels: dict[int, int] = {}
            for i, line in enumerate(lines):
                folded = _fold(line.text)
                is_gone = any(g in folded or (len(folded) >= 10 and folded in g) for g in gone)
                key = _content_key(line, source.text)
                is_kept = len(key) >= 10 and any(key in k for k in kept)
                if is_gone != is_kept:
                    labels[i] = int(is_gone)
            examples += _examples(f"{folder}/{fixture.name}", "fixtures", source, lines, labels)
    return examples


def maccrobat_examples(shared: Path) -> list[Example]:
    root = shared / "corpora" / "maccrobat2020"
    ids = sorted(x.strip() for x in (root / "splits" / "train.txt").read_text(encoding="utf-8").split() if x.strip())
    examples: list[Example] = []
    for doc_id in ids:
        text = (root / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        source = SourceText(case_id=doc_id, path=f"{doc_id}.txt", source_format="txt", sha256="0" * 64, text=text, encoding="utf-8")
        lines = clean.mark_lines(source, classify=False)
        labels = {i: 0 for i, line in enumerate(lines) if not line.rule}
        examples += _examples(f"maccrobat/{doc_id}", "maccrobat", source, lines, labels)
    return examples


def corpus_examples() -> list[Example]:
    corpus = REPO / "corpus"
    examples: list[Example] = []
    for item in ingest.discover(corpus):
        source = ingest.read_source(corpus, item, Settings(progress=False))
        lines = clean.mark_lines(source, classify=False)
        labels = {i: int(bool(line.rule)) for i, line in enumerate(lines)}
        examples += _examples(f"corpus/{item.path}", "corpus", source, lines, labels)
    return examples


def _fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=SEED)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return mean, scale, model


def _predict(x: np.ndarray, fitted: tuple[np.ndarray, np.ndarray, LogisticRegression]) -> np.ndarray:
    mean, scale, model = fitted
    return model.predict_proba((x - mean) / scale)[:, 1]


def _pr(y: np.ndarray, p: np.ndarray, mask: np.ndarray, threshold: float) -> tuple[float, float, int, int, int]:
    pred = (p >= threshold) & mask
    tp = int(((y == 1) & pred).sum())
    fp = int(((y == 0) & pred).sum())
    fn = int(((y == 1) & mask & ~pred).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, tp, fp, fn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=resources.path("boilerplate", clean.CLASSIFIER_FILE))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    examples = fixture_examples(args.shared) + maccrobat_examples(args.shared) + corpus_examples()
    x = np.array([e.features for e in examples], dtype=float)
    y = np.array([e.label for e in examples])
    groups = np.array([e.doc for e in examples])
    candidate = np.array([e.candidate for e in examples])
    counts = Counter((e.source, e.label) for e in examples)

    # fitted on the lines the classifier is asked about, plus the rules' removals
    # (generic chrome the rules happen to know) at a lower weight
    weight = np.where(candidate, 1.0, RULE_REMOVED_WEIGHT)
    oof = np.zeros(len(examples))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        oof[test] = _predict(x[test], _fit(x[train], y[train], weight[train]))
    fitted = _fit(x, y, weight)
    p = _predict(x, fitted)

    content = (y == 0) & candidate
    worst = float(p[content].max(initial=0.0))
    threshold = min(0.99, max(0.5, float(np.ceil((worst + MARGIN) * 100) / 100)))
    everything = np.ones(len(examples), dtype=bool)
    cv_all = _pr(y, oof, everything, threshold)
    cv_candidates = _pr(y, oof, candidate, threshold)

    mean, scale, model = fitted
    data = {
        "model": "logistic_regression",
        "features": list(clean.FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": threshold,
        "trained": {
            "script": "scripts/train_line_classifier.py",
            "seed": SEED,
            "C": C,
            "class_weight": "balanced",
            "lines": {f"{source}/{'boilerplate' if label else 'content'}": n for (source, label), n in sorted(counts.items())},
        },
        "cross_validation": {
            "folds": "5, grouped by document (GroupKFold)",
            "all_lines": {"precision": round(cv_all[0], 4), "recall": round(cv_all[1], 4), "tp": cv_all[2], "fp": cv_all[3], "fn": cv_all[4]},
            "candidate_lines": {
                "precision": round(cv_candidates[0], 4),
                "recall": round(cv_candidates[1], 4),
                "tp": cv_candidates[2],
                "fp": cv_candidates[3],
                "fn": cv_candidates[4],
            },
        },
    }
    clean.parse_classifier(data, "trained weights")  # what the cleaner will accept
    print(json.dumps({k: data[k] for k in ("threshold", "trained", "cross_validation")}, indent=2, sort_keys=True))
    order = np.argsort(-p)
    print("highest-scoring content candidates:")
    for k in [i for i in order if content[i]][:8]:
        print(f"  {p[k]:.3f} oof {oof[k]:.3f}  {examples[k].doc}: {examples[k].text[:90]!r}")
    print("weights:")
    for name, c in sorted(zip(clean.FEATURES, model.coef_[0], strict=True), key=lambda kv: -abs(kv[1])):
        print(f"  {name:24} {c:+.3f}")
    if args.dry_run:
        return 0
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=".line_classifier.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
