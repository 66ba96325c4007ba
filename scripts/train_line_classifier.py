"""Train the cleaner's line classifier and write `pipeline/resources/boilerplate/line_classifier.json`.

`python scripts/train_line_classifier.py [--shared ../shared] [--out PATH] [--C 0.1] [--smoothing 0.2] [--dry-run]`

Input (read only):
- the cleaning fixtures `tests/fixtures/cleaning`, `tests/fixtures/cleaning_heldout`, the
  synthetic `tests/fixtures/cleaning_train` (`scripts/make_cleaning_train_fixtures.py`) and,
  since round 4, `tests/fixtures/cleaning_heldout3` (no longer unseen):
  a source line that holds a "gone" string (or lies inside one) is boilerplate; a line
  whose text (citation markers removed, first and last word dropped for hyphenation)
  lies inside a "kept" sentence, or that holds a whole "kept" sentence, is content; a
  line that is both or neither is skipped;
- the MACCROBAT 2020 train split (`<shared>/corpora/maccrobat2020/docs/<id>.txt`, ids
  in `splits/train.txt`): every line the rules keep is content;
- the sample reports in `corpus/`, as the rule-based cleaner marks them: kept lines are
  content, lines a rule removes are boilerplate.

Features are `clean.line_features` over `clean.mark_lines(..., classify=False)` (the
rules' marks are the neighbour features). Model: scikit-learn logistic regression
(standardised features, balanced class weights, C 0.1, fixed seed), fitted on the lines the
classifier is asked about (`clean.guard` not "hard") at weight 1 and the others at 0.3.
Cross-validation: 5 folds grouped by document, and leave one fixture set (or corpus) out;
out-of-fold precision/recall at the shipped thresholds. Round 6: every line of a document is scored
(unlabelled lines too, never fitted on) and the scores are smoothed over the page as the cleaner does
(`clean.smoothed_log_odds`, weight `--smoothing`); the figures without smoothing are measured beside
them (`cross_validation.smoothing_compared` in the weights file). Thresholds, one for free lines, one
for soft ones (sentences), one for strict ones (plain sentences and labels outside the
body) and (round 5) one for weak ones (titles over the case's first sentence, plain sentences
inside the body that tell nothing): the highest probability a content line of that kind gets,
in-sample or out-of-fold, plus a margin of 0.02, rounded up to 0.01, never below 0.80 (strict
and weak: 0.90) and at most 0.99 (strict and weak: none at all above 0.99). Features include
the prose model's scores (`prose_model.json`, `scripts/train_prose_model.py`: build it first). The HTML block classifier gets a threshold and a strict
one (`ingest.strict_block`) the same way.

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from pipeline import brat, clean, cleaning_eval, ingest, resources
from pipeline.records import SourceText
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURE_SETS = (
    "tests/fixtures/cleaning",
    "tests/fixtures/cleaning_heldout",
    "tests/fixtures/cleaning_train",
    "tests/fixtures/cleaning_heldout3",  # visible since round 4: its pages are of yet other site families
)
SEED = 0
C = 0.1
MARGIN = 0.02
# Few content lines get past the guards to be scored at all (a few dozen), so the highest
# content score is a thin basis for a threshold: never go below this one.
THRESHOLD_FLOOR = 0.8
RULE_REMOVED_WEIGHT = 0.3
# Strict lines (`clean.guard`: sentences with no chrome cue, short lines heading text) are mostly content:
# removed only above this, and only when every content line of the kind scores below it
STRICT_FLOOR = 0.9
# round 6: a line's log-odds plus this much of the mean of its two neighbours' (`clean.smoothed_log_odds`);
# chosen on the cross-validation below (0.2 and 0.3 alike; 0.5 removes a content-set line fewer in heldout1)
SMOOTHING = 0.2


@dataclass(frozen=True)
class Example:
    doc: str  # group for cross-validation
    source: str  # fixtures | maccrobat | corpus
    features: list[float]
    label: int  # 1 boilerplate, 0 content, -1 unlabelled (round 6: a neighbour for the smoothing only, never fitted on)
    candidate: bool  # the classifier would be asked about it (no rule, not hard-guarded, not the title)
    soft: bool  # a candidate `clean.guard` calls soft: removed only at the sentence threshold
    strict: bool  # a candidate `clean.guard` calls strict: removed only at the strict threshold
    text: str
    weak: bool = False  # a candidate `clean.guard` calls weak (round 5): removed only at the weak threshold
    ruled: bool = False  # a rule removed the line: a neighbour at `clean.RULE_REMOVED_LOG_ODDS` in the smoothing

    @property
    def group(self) -> str:
        """The fixture set (or corpus) the line comes from: folds of the cross-set check."""
        return self.doc.rsplit("/", 1)[0]


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
    """Every line of the document in order (round 6: the unlabelled ones too, label -1, as the smoothing's
    neighbours), labelled from `labels`."""
    out = []
    title = clean._title_index(lines)
    for i, line in enumerate(lines):
        label = labels.get(i, -1)
        kind_of_guard = clean.guard(lines, i)
        candidate = not line.rule and i != title and kind_of_guard != "hard"
        features = clean.line_features(lines, i, kind_of_guard)
        out.append(Example(doc, kind, features, label, candidate, candidate and kind_of_guard == "soft",
                           candidate and kind_of_guard == "strict", line.text, candidate and kind_of_guard == "weak",
                           bool(line.rule)))
    return out


def smoothed(raw_log_odds: np.ndarray, examples: Sequence[Example], smoothing: float) -> np.ndarray:
    """P(boilerplate) after `clean.smoothed_log_odds` over each document's lines, as `clean._mark_classified`."""
    out = np.zeros(len(examples))
    for k, e in enumerate(examples):
        own = clean.RULE_REMOVED_LOG_ODDS if e.ruled else float(raw_log_odds[k])
        neighbours = [clean.RULE_REMOVED_LOG_ODDS if examples[j].ruled else float(raw_log_odds[j])
                      for j in (k - 1, k + 1) if 0 <= j < len(examples) and examples[j].doc == e.doc]
        out[k] = 1.0 / (1.0 + np.exp(-clean.smoothed_log_odds(own, neighbours if smoothing else [], smoothing)))
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
                # inside a kept sentence (a wrapped line), or holding one (a paragraph of several)
                is_kept = (len(key) >= 10 and any(key in k for k in kept)) or any(len(k) >= 20 and k in folded for k in kept)
                if is_gone != is_kept:
                    labels[i] = int(is_gone)
            examples += _examples(f"{folder}/{fixture.name}", "fixtures", source, lines, labels)
    return examples


def maccrobat_examples(shared: Path) -> list[Example]:
    root = shared / "corpora" / "maccrobat2020"
    ids = sorted(brat.read_split(root, "train"))
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


@dataclass(frozen=True)
class BlockExample:
    doc: str
    features: list[float]
    label: int  # 1 chrome, 0 content
    text: str
    candidate: bool = True  # scored at run time (not `ingest.protected_block`)
    strict: bool = False  # `ingest.strict_block`: dropped only at the strict threshold


def _without_citations(text: str) -> str:
    for start, end in sorted(clean.citation_spans(text), reverse=True):
        text = text[:start] + text[end:]
    return text


def html_block_examples() -> list[BlockExample]:
    """Leaf blocks of the HTML fixtures (after the rule-based pruning, as `ingest._prune_blocks` sees them),
    labelled from "gone"/"kept": a block holding a "gone" string and no "kept" text is chrome; a block of
    10+ characters inside a "kept" sentence, or holding one, with no "gone" string, is content."""
    from lxml import html as lxml_html

    examples: list[BlockExample] = []
    for folder in FIXTURE_SETS:
        fixtures, _ = cleaning_eval.load_fixtures(REPO / folder, None)
        for fixture in fixtures:
            if fixture.item.suffix not in (".html", ".htm"):
                continue
            raw, _ = ingest.decode_text((fixture.folder / fixture.item.path).read_bytes())
            tree = lxml_html.fromstring(raw)
            ingest._prune_chrome(tree, classify=False)
            body = tree.find(".//body")
            gone = [_fold(g) for g in fixture.gone]
            kept = [_fold(k) for k in fixture.kept]
            for element, text, features in ingest.html_blocks(body if body is not None else tree):
                candidate = not ingest.protected_block(element, text)  # protected blocks teach, at a lower weight
                folded = _fold(text)
                is_gone = any(g in folded for g in gone)
                # a content paragraph with citation markers ("gone" strings) is content: test it without them
                bare = _fold(_without_citations(text))
                is_kept = (len(bare) >= 10 and any(bare in k for k in kept)) or any(k in bare for k in kept)
                if is_gone != is_kept:
                    examples.append(BlockExample(f"{folder}/{fixture.name}", features, int(is_gone), text, candidate,
                                                 candidate and ingest.strict_block(text)))
    return examples


def train_block_classifier(out: Path, dry_run: bool) -> None:
    """Fit the HTML block classifier, choose its threshold above every content block's score, write the JSON."""
    examples = html_block_examples()
    x = np.array([e.features for e in examples], dtype=float)
    y = np.array([e.label for e in examples])
    groups = np.array([e.doc for e in examples])
    candidate = np.array([e.candidate for e in examples])
    strict = np.array([e.strict for e in examples])
    weight = np.where(candidate, 1.0, RULE_REMOVED_WEIGHT)
    oof = np.zeros(len(examples))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        oof[test] = _predict(x[test], _fit(x[train], y[train], weight[train]))
    sets = np.array([e.doc.rsplit("/", 1)[0] for e in examples])
    oof_set = np.zeros(len(examples))
    for name in sorted(set(sets)):  # leave one fixture set out
        test = sets == name
        oof_set[test] = _predict(x[test], _fit(x[~test], y[~test], weight[~test]))
    fitted = _fit(x, y, weight)
    p = _predict(x, fitted)
    def above(mask: np.ndarray, floor: float) -> float:
        worst = max(float(p[mask].max(initial=0.0)), float(oof[mask].max(initial=0.0)), float(oof_set[mask].max(initial=0.0)))
        return max(floor, float(np.ceil((worst + MARGIN) * 100) / 100))

    content = (y == 0) & candidate
    threshold = min(0.99, above(content & ~strict, THRESHOLD_FLOOR))
    strict_raw = max(threshold, above(content & strict, STRICT_FLOOR))
    strict_threshold = strict_raw if strict_raw <= 0.99 else None

    def figures(scores: np.ndarray) -> dict[str, float | int]:
        pred = ((scores >= threshold) & candidate & ~strict) | (
            (scores >= (strict_threshold if strict_threshold is not None else 2.0)) & candidate & strict)
        tp, fp, fn = int(((y == 1) & pred).sum()), int(((y == 0) & pred).sum()), int(((y == 1) & candidate & ~pred).sum())
        return {"precision": round(tp / (tp + fp), 4) if tp + fp else 1.0, "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
                "tp": tp, "fp": fp, "fn": fn}

    model = fitted[2]
    data = _weights_json(fitted, ingest.BLOCK_FEATURES, threshold, None, strict_threshold, {
        "blocks": {"chrome": int(y.sum()), "content": int((y == 0).sum()), "content_scored": int(content.sum()),
                   "content_strict": int((content & strict).sum()), "chrome_strict": int(((y == 1) & candidate & strict).sum()),
                   "pages": len(set(groups)), "protected_weight": RULE_REMOVED_WEIGHT},
    }, {
        "folds": "5, grouped by page (GroupKFold); and leave one fixture set out",
        "blocks": figures(oof),
        "blocks_leave_one_set_out": figures(oof_set),
    })
    clean.parse_classifier(data, "trained block weights", ingest.BLOCK_FEATURES)
    print("HTML block classifier:")
    print(json.dumps({k: data[k] for k in ("threshold", "strict_threshold", "trained", "cross_validation")}, indent=2, sort_keys=True))
    order = np.argsort(-np.maximum(p, oof))
    print("highest-scoring content blocks:")
    for k in [i for i in order if y[i] == 0 and candidate[i]][:6]:
        print(f"  {p[k]:.3f} oof {oof[k]:.3f}  {examples[k].doc}: {examples[k].text[:90]!r}")
    for name, c in sorted(zip(ingest.BLOCK_FEATURES, model.coef_[0], strict=True), key=lambda kv: -abs(kv[1])):
        print(f"  {name:24} {c:+.3f}")
    if dry_run:
        return
    _write_json(out, data)


def _weights_json(fitted: tuple[np.ndarray, np.ndarray, LogisticRegression], features: Sequence[str], threshold: float,
                  sentence_threshold: float | None, strict_threshold: float | None, counts: dict[str, object],
                  cross_validation: dict[str, object], weak_threshold: float | None | bool = False) -> dict[str, object]:
    """The weights file both classifiers ship (the format `clean.parse_classifier` reads)."""
    mean, scale, model = fitted
    weak = {} if weak_threshold is False else {"weak_threshold": weak_threshold}
    return {**weak,
        "model": "logistic_regression",
        "features": list(features),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": threshold,
        "sentence_threshold": sentence_threshold,
        "strict_threshold": strict_threshold,
        "trained": {"script": "scripts/train_line_classifier.py", "seed": SEED, "C": _FIT["C"], "class_weight": "balanced",
                    **counts},
        "cross_validation": cross_validation,
    }


def _write_json(out: Path, data: dict[str, object]) -> None:
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, out)
    print(f"wrote {out}")


_FIT = {"C": C}


def _fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=_FIT["C"], class_weight="balanced", max_iter=2000, random_state=SEED)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return mean, scale, model


def _predict(x: np.ndarray, fitted: tuple[np.ndarray, np.ndarray, LogisticRegression]) -> np.ndarray:
    mean, scale, model = fitted
    return model.predict_proba((x - mean) / scale)[:, 1]


def _evaluate(examples: list[Example], smoothing: float) -> dict[str, object]:
    """Fit on the labelled lines, score every line, smooth over each document, choose the thresholds above
    every content line's score (in-sample, 5-fold grouped by document, leaving one fixture set out) and
    measure the removals at them."""
    x = np.array([e.features for e in examples], dtype=float)
    y = np.array([e.label for e in examples])
    lab = y >= 0
    groups = np.array([e.doc for e in examples])
    sets = np.array([e.group for e in examples])
    candidate = np.array([e.candidate for e in examples]) & lab
    soft = np.array([e.soft for e in examples]) & lab
    strict = np.array([e.strict for e in examples]) & lab
    weak = np.array([e.weak for e in examples]) & lab
    free = candidate & ~soft & ~strict & ~weak
    # fitted on the lines the classifier is asked about, plus the rules' removals and the
    # hard-guarded lines (generic chrome the rules happen to know; content it never sees)
    # at a lower weight; unlabelled lines are only neighbours in the smoothing
    weight = np.where(candidate, 1.0, RULE_REMOVED_WEIGHT)

    def scores(train: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, LogisticRegression]]:
        train = train & lab
        fitted = _fit(x[train], y[train], weight[train])
        mean, scale, model = fitted
        return smoothed(model.decision_function((x - mean) / scale), examples, smoothing), fitted

    index = np.flatnonzero(lab)
    oof = np.zeros(len(examples))
    for _, test in GroupKFold(n_splits=5).split(x[index], y[index], groups[index]):
        held = np.isin(groups, list(set(groups[index[test]])))
        oof[held] = scores(~held)[0][held]
    # leave one fixture set (or corpus) out: how the thresholds carry over to pages of another kind
    oof_set = np.zeros(len(examples))
    for name in sorted(set(sets)):
        held = sets == name
        oof_set[held] = scores(~held)[0][held]
    p, fitted = scores(np.ones(len(examples), dtype=bool))

    # thresholds: above every content line of its kind, in-sample and out-of-fold, plus a margin
    def above_content(mask: np.ndarray, floor: float = THRESHOLD_FLOOR) -> float:
        worst = max(
            float(p[(y == 0) & mask].max(initial=0.0)),
            float(oof[(y == 0) & mask].max(initial=0.0)),
            float(oof_set[(y == 0) & mask].max(initial=0.0)),
        )
        return max(floor, float(np.ceil((worst + MARGIN) * 100) / 100))

    threshold = min(0.99, above_content(free))
    sentence_threshold = min(0.99, max(threshold, above_content(soft)))
    # strict lines (sentences without any chrome cue, short lines heading text): mostly content, so a high
    # floor; none at all when some content line of the kind scores too close to 1
    strict_raw = max(sentence_threshold, above_content(strict, STRICT_FLOOR))
    strict_threshold = strict_raw if strict_raw <= 0.99 else None
    # weak lines (round 5: titles over the case's first sentence, plain sentences without a narrative verb inside the
    # body) are content far more often than not: the strict floor, and none when a content line scores too close to 1
    weak_raw = max(threshold, above_content(weak, STRICT_FLOOR))
    weak_threshold = weak_raw if weak_raw <= 0.99 else None

    def removed_at(scores: np.ndarray, free: np.ndarray, soft: np.ndarray, strict: np.ndarray, weak: np.ndarray) -> np.ndarray:
        out = (free & (scores >= threshold)) | (soft & (scores >= sentence_threshold))
        if weak_threshold is not None:
            out |= weak & (scores >= weak_threshold)
        return out | (strict & (scores >= strict_threshold)) if strict_threshold is not None else out

    def figures(scores: np.ndarray, mask: np.ndarray) -> dict[str, float | int]:
        pred = removed_at(scores, free, soft, strict, weak) & mask
        tp = int(((y == 1) & pred).sum())
        fp = int(((y == 0) & pred).sum())
        fn = int(((y == 1) & mask & ~pred).sum())
        return {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }

    return {
        "fitted": fitted, "p": p, "oof": oof, "removed_at": removed_at,
        "thresholds": {"free": threshold, "soft": sentence_threshold, "strict": strict_threshold, "weak": weak_threshold},
        "all_lines": figures(oof, lab),
        "candidate_lines": figures(oof, candidate),
        "by_set": {name: figures(oof_set, candidate & (sets == name)) for name in sorted(set(sets))},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=resources.path("boilerplate", clean.CLASSIFIER_FILE))
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--C", type=float, default=C, help="inverse regularisation strength (default: %(default)s)")
    parser.add_argument("--smoothing", type=float, default=SMOOTHING,
                        help="weight of the neighbours' log-odds (clean.smoothed_log_odds; default: %(default)s, 0: none)")
    parser.add_argument("--blocks-out", type=Path, default=resources.path("boilerplate", ingest.BLOCK_CLASSIFIER_FILE))
    args = parser.parse_args(argv)
    _FIT["C"] = args.C

    # the HTML block classifier first: it changes what HTML pages bring to the line classifier
    train_block_classifier(args.blocks_out, args.dry_run)
    ingest.block_classifier.cache_clear()

    examples = fixture_examples(args.shared) + maccrobat_examples(args.shared) + corpus_examples()
    labelled = [e for e in examples if e.label >= 0]
    counts = Counter((e.source, e.label) for e in labelled)
    # round 6: the line's score is smoothed over the page (`clean.smoothed_log_odds`); measured against none
    runs = {a: _evaluate(examples, a) for a in dict.fromkeys((0.0, args.smoothing))}
    chosen = runs[args.smoothing]
    fitted, p, oof = chosen["fitted"], chosen["p"], chosen["oof"]
    threshold, sentence_threshold, strict_threshold, weak_threshold = (chosen["thresholds"][k] for k in ("free", "soft", "strict", "weak"))
    keep = np.array([e.label >= 0 for e in examples])
    examples = [e for e in examples if e.label >= 0]
    p, oof = p[keep], oof[keep]
    y = np.array([e.label for e in examples])
    candidate = np.array([e.candidate for e in examples])
    soft = np.array([e.soft for e in examples])
    strict = np.array([e.strict for e in examples])
    weak = np.array([e.weak for e in examples])
    free = candidate & ~soft & ~strict & ~weak
    removed_at_thresholds = chosen["removed_at"]

    def removed_kept(scores: np.ndarray) -> np.ndarray:
        return removed_at_thresholds(scores, free, soft, strict, weak)


    model = fitted[2]
    data = _weights_json(fitted, clean.FEATURES, threshold, sentence_threshold, strict_threshold, {
        "lines": {f"{source}/{'boilerplate' if label else 'content'}": n for (source, label), n in sorted(counts.items())},
    }, {
        "folds": "5, grouped by document (GroupKFold); and leave one fixture set out",
        "all_lines": chosen["all_lines"],
        "candidate_lines": chosen["candidate_lines"],
        "candidate_lines_leave_one_set_out": chosen["by_set"],
        "smoothing_compared": {f"{a:g}": {"thresholds": r["thresholds"], "candidate_lines": r["candidate_lines"],
                                          "leave_one_set_out_tp": sum(f["tp"] for f in r["by_set"].values()),
                                          "leave_one_set_out_fp": sum(f["fp"] for f in r["by_set"].values())}
                               for a, r in runs.items()},
    }, weak_threshold)
    if args.smoothing:
        data["smoothing"] = args.smoothing
    clean.parse_classifier(data, "trained weights")  # what the cleaner will accept
    print(json.dumps({k: data[k] for k in ("threshold", "sentence_threshold", "strict_threshold", "weak_threshold", "smoothing", "trained",
                                           "cross_validation")},
                     indent=2, sort_keys=True))
    order = np.argsort(-np.maximum(p, oof))
    for label, mask in (("free", free), ("soft", soft), ("strict", strict), ("weak", weak)):
        print(f"highest-scoring content candidates ({label}):")
        for k in [i for i in order if mask[i] and y[i] == 0][:8]:
            print(f"  {p[k]:.3f} oof {oof[k]:.3f}  {examples[k].doc}: {examples[k].text[:90]!r}")
        left = mask & (y == 1) & ~removed_kept(p)
        print(f"boilerplate candidates ({label}) left at the thresholds: {int(left.sum())} of {int((mask & (y == 1)).sum())}")
        for k in [i for i in order if left[i]][:10]:
            print(f"  {p[k]:.3f} oof {oof[k]:.3f}  {examples[k].doc}: {examples[k].text[:90]!r}")
    print("weights:")
    for name, c in sorted(zip(clean.FEATURES, model.coef_[0], strict=True), key=lambda kv: -abs(kv[1])):
        print(f"  {name:24} {c:+.3f}")
    if args.dry_run:
        return 0
    _write_json(args.out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
