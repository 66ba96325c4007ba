"""Experiment (issue #5): a learned negation model on top of the ConText rules, scored by cross-validation.

`python scripts/assertion_model_cv.py [--corpus ../shared/corpora/maccrobat2020] [--grid]`

Not part of the pipeline: the model did not beat the rules alone on train-CV (figures in
pipeline/resources/context/README.md), so no weights are shipped. This script keeps the
experiment reproducible; it reads only the MACCROBAT2020 **train** split and writes nothing.

Data: every gold entity of our four categories and every Sign_symptom entity is run
through the pipeline's own sentencizer, sections and ConText rules exactly as
`pipeline.assertion_eval` does (gold spans as entities); `features` is read from each
entity. Label: gold polarity negative. ANATOMY and IMAGING are never absent and are left
out of the fit. Features: the rules' decision (absent by its own trigger or along a list,
possible, ...), the nearest negation trigger (literal, side, distance bucket, what lies
between), the other ConText categories on the entity, the words in a window around it,
its own words, its label, and negation cue words anywhere in the sentence by side and
distance (scope beyond the rules' window).

Model: scikit-learn logistic regression (liblinear, L2, fixed seed) over binary features
seen at least `MIN_COUNT` times; it re-decides absent vs not for every entity (the rules'
decision is a feature). Settings (ConText `max_scope`, word window, C, threshold) are
chosen by 5-fold cross-validation grouped by document (`--grid` prints every setting).
The honest figure is nested: in each outer fold the setting is chosen by an inner 4-fold
CV on the other folds. Caveat: the rules were themselves tuned on all of train, so the
rules' decision is a better feature here than it would be on unseen reports.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from spacy.tokens import Span

from pipeline import assertion_eval, brat
from pipeline.nlp import load_config, load_nlp

REPO = Path(__file__).resolve().parent.parent
SEED = 0
MIN_COUNT = 2
NEVER_ABSENT = ("ANATOMY", "IMAGING")
GRID = {
    "max_scope": [5, 6],
    "window": [3, 5, 8],
    "C": [0.1, 0.3, 1.0],
    "threshold": [0.2, 0.25, 0.3, 0.4, 0.5],
}
# words that often signal a negation, whatever the rules make of them
CUES = frozenset(
    "no not without negative never neither nor absent absence denied denies excluded exclude ruled free resolved "
    "disappeared normal unremarkable stopped discontinued refused declined none nil failed".split()
)


def _distance_bucket(d: int) -> str:
    d = abs(d)
    if d <= 2:
        return str(d)
    if d <= 4:
        return "3-4"
    if d <= 6:
        return "5-6"
    if d <= 9:
        return "7-9"
    return "10+"


def _word(token: Any) -> str:
    if token.like_num:
        return "<num>"
    return token.lower_


def _distance(ent: Span, start: int, end: int) -> int:
    return ent.start - end if end <= ent.start else start - ent.end


def features(ent: Span, window: int) -> list[str]:
    """Binary features of an entity after the ConText rules have decided it (set on ent._)."""
    feats = [f"label={ent.label_}", f"rule={ent._.assertion}"]
    negations = [m for m in ent._.modifiers if m.category.upper() == "NEGATED_EXISTENCE"]
    if ent._.assertion == "absent" and not negations:
        feats.append("rule=absent_by_list")
    for m in ent._.modifiers:
        category = m.category.upper()
        if category != "NEGATED_EXISTENCE":
            feats.append(f"mod={category}")
    if negations:
        nearest = min(negations, key=lambda m: (abs(_distance(ent, *m.modifier_span)), m.modifier_span))
        start, end = nearest.modifier_span
        d = _distance(ent, start, end)
        side = "before" if end <= ent.start else "after"
        literal = str(nearest.rule.literal).lower()
        feats += [
            f"neg={literal}",
            f"neg={literal}|{side}",
            f"negdist={_distance_bucket(d)}",
            f"negdist={_distance_bucket(d)}|{ent.label_}",
            f"neg|{ent.label_}",
        ]
        lo, hi = (end, ent.start) if side == "before" else (ent.end, start)
        between = {t.lower_ for t in ent.doc[lo:hi]}
        for w in sorted(between & {",", "and", "or", "(", "which", "but", "with", "after", "by", "of", "to"}):
            feats.append(f"negbetween={w}")
        if len(negations) > 1:
            feats.append("neg>1")
    sent = ent.sent
    left = [_word(t) for t in ent.doc[max(sent.start, ent.start - window) : ent.start]]
    right = [_word(t) for t in ent.doc[ent.end : min(sent.end, ent.end + window)]]
    feats += [f"L={w}" for w in sorted(set(left))]
    feats += [f"R={w}" for w in sorted(set(right))]
    if left:
        feats.append(f"L1={left[-1]}")
    if len(left) > 1:
        feats.append(f"L2={left[-2]} {left[-1]}")
    if right:
        feats.append(f"R1={right[0]}")
    if len(right) > 1:
        feats.append(f"R2={right[0]} {right[1]}")
    feats += [f"E={w}" for w in sorted({_word(t) for t in ent})]
    # negation cue words anywhere in the sentence, by side and distance (scope beyond the rules' window)
    for t in sent:
        if t.lower_ in CUES and not (ent.start <= t.i < ent.end):
            d = ent.start - t.i if t.i < ent.start else t.i - ent.end + 1
            side = "before" if t.i < ent.start else "after"
            feats.append(f"cue={t.lower_}|{side}|{_distance_bucket(d)}")
            feats.append(f"cue|{side}|{_distance_bucket(d)}")
    return sorted(set(feats))


@dataclass(frozen=True)
class Example:
    doc: str
    label: str
    gold: bool
    rule_absent: bool
    feats: dict[int, list[str]]  # window -> features


def collect(corpus: Path, max_scope: int, windows: list[int]) -> list[Example]:
    """Every gold entity of the train split with the rules' decision and its features."""
    cfg = load_config()
    cfg["components"]["context"]["max_scope"] = max_scope
    nlp = load_nlp(cfg)
    out: list[Example] = []
    for doc_id in brat.read_split(corpus, "train"):
        text, items = assertion_eval.gold_items(corpus, doc_id)

        def keep(item: assertion_eval.Item, ent, doc_id: str = doc_id) -> None:
            feats = {w: features(ent, w) for w in windows}
            out.append(Example(doc_id, item.label, item.gold_negated, ent._.assertion == "absent", feats))

        assertion_eval.assert_items(nlp, text, items, keep)
    return out


def f1(gold: np.ndarray, pred: np.ndarray, mask: np.ndarray) -> tuple[float, float, float, int, int, int]:
    g, p = gold[mask], pred[mask]
    tp, fp, fn = int((g & p).sum()), int((~g & p).sum()), int((g & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0), tp, fp, fn


def _int32(x):
    """liblinear accepts only 32-bit sparse indices (DictVectorizer may give 64-bit ones)."""
    x = x.tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)
    return x


def fit(docs: list[list[str]], y: np.ndarray, c: float) -> tuple[DictVectorizer, LogisticRegression]:
    counts = Counter(f for d in docs for f in set(d))
    vec = DictVectorizer()
    x = _int32(vec.fit_transform([{f: 1 for f in d if counts[f] >= MIN_COUNT} for d in docs]))
    model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000)
    model.fit(x, y)
    return vec, model


def proba(vec: DictVectorizer, model: LogisticRegression, docs: list[list[str]]) -> np.ndarray:
    return model.predict_proba(_int32(vec.transform([dict.fromkeys(d, 1) for d in docs])))[:, 1]


def cross_validate(examples: list[Example], window: int, c: float, subset: np.ndarray | None = None, folds: int = 5) -> np.ndarray:
    """Out-of-fold P(absent) for the examples in `subset` (all by default), folds grouped by
    document; NaN for the others and for never-absent labels."""
    n = len(examples)
    subset = np.ones(n, dtype=bool) if subset is None else subset
    learn = np.array([e.label not in NEVER_ABSENT for e in examples]) & subset
    y = np.array([e.gold for e in examples])
    groups = np.array([e.doc for e in examples])
    docs = [e.feats[window] for e in examples]
    index = np.flatnonzero(subset)
    oof = np.full(n, np.nan)
    for train, test in GroupKFold(n_splits=folds).split(index, y[index], groups[index]):
        train, test = index[train], index[test]
        train, test = train[learn[train]], test[learn[test]]
        vec, model = fit([docs[i] for i in train], y[train], c)
        oof[test] = proba(vec, model, [docs[i] for i in test])
    return oof


Setting = tuple[int, int, float, float]  # max_scope, window, C, threshold


def select(data: dict[int, list[Example]], subset: np.ndarray, folds: int) -> tuple[Setting, list[str]]:
    """The setting with the best out-of-fold F1 (4 categories, then with Sign_symptom) on `subset`."""
    lines, best = [], None
    for max_scope, examples in data.items():
        for window, c in itertools.product(GRID["window"], GRID["C"]):
            oof = cross_validate(examples, window, c, subset, folds)
            for threshold in GRID["threshold"]:
                s = scores([e for e, keep in zip(examples, subset, strict=True) if keep], (np.nan_to_num(oof, nan=0.0) >= threshold)[subset])
                key = (round(s["4 categories"][2], 6), round(s["4 categories + Sign_symptom"][2], 6))
                lines.append(f"scope {max_scope} window {window} C {c} t {threshold}: 4cat F1 {key[0]:.3f} +SS {key[1]:.3f}")
                if best is None or key > best[0]:
                    best = (key, (max_scope, window, c, threshold))
    assert best is not None
    return best[1], lines


def nested(data: dict[int, list[Example]]) -> np.ndarray:
    """Honest out-of-fold decisions: each outer fold's setting is chosen by an inner CV on the other folds."""
    first = next(iter(data.values()))
    y = np.array([e.gold for e in first])
    groups = np.array([e.doc for e in first])
    absent = np.zeros(len(first), dtype=bool)
    for k, (train, test) in enumerate(GroupKFold(n_splits=5).split(first, y, groups)):
        subset = np.zeros(len(first), dtype=bool)
        subset[train] = True
        (max_scope, window, c, threshold), _ = select(data, subset, folds=4)
        examples = data[max_scope]
        learn = [i for i in train if examples[i].label not in NEVER_ABSENT]
        vec, model = fit([examples[i].feats[window] for i in learn], y[learn], c)
        test = np.array([i for i in test if examples[i].label not in NEVER_ABSENT])
        absent[test] = proba(vec, model, [examples[i].feats[window] for i in test]) >= threshold
        print(f"outer fold {k}: chose max_scope {max_scope} window {window} C {c} threshold {threshold}", file=sys.stderr)
    return absent


def scores(examples: list[Example], absent: np.ndarray) -> dict[str, tuple[float, float, float, int, int, int]]:
    gold = np.array([e.gold for e in examples])
    four = np.array([e.label != "SIGN_SYMPTOM" for e in examples])
    return {"4 categories": f1(gold, absent, four), "4 categories + Sign_symptom": f1(gold, absent, np.ones(len(examples), dtype=bool))}


def _fmt(s: tuple[float, float, float, int, int, int]) -> str:
    return f"P {s[0]:.3f} R {s[1]:.3f} F1 {s[2]:.3f} (tp {s[3]} fp {s[4]} fn {s[5]})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "maccrobat2020")
    parser.add_argument("--grid", action="store_true", help="print the CV score of every setting")
    args = parser.parse_args(argv)

    data = {max_scope: collect(args.corpus, max_scope, GRID["window"]) for max_scope in GRID["max_scope"]}
    keys = {max_scope: [(e.doc, e.label, e.gold) for e in examples] for max_scope, examples in data.items()}
    if len({tuple(k) for k in keys.values()}) != 1:
        raise SystemExit("the entities differ between max_scope runs; cannot compare settings")
    rules = {m: scores(examples, np.array([e.rule_absent for e in examples])) for m, examples in data.items()}
    for m, r in rules.items():
        print(f"max_scope {m}, rules alone: " + "; ".join(f"{k} {_fmt(v)}" for k, v in r.items()), file=sys.stderr)
    everything = np.ones(len(keys[GRID["max_scope"][0]]), dtype=bool)
    (max_scope, window, c, threshold), lines = select(data, everything, folds=5)
    if args.grid:
        print("\n".join(lines), file=sys.stderr)
    honest = scores(data[max_scope], nested(data))
    print(f"chosen on all train folds: max_scope {max_scope}, window {window}, C {c}, threshold {threshold}")
    print(f"rules alone (max_scope {max_scope}): " + "; ".join(f"{k} {_fmt(v)}" for k, v in rules[max_scope].items()))
    print("rules + model, nested CV:   " + "; ".join(f"{k} {_fmt(v)}" for k, v in honest.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
