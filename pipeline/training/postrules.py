"""Measure lexicon post-rules on top of a trained model, on the tune set (experiment tool).

Usage::

    python -m pipeline.training.postrules --model build/training/tune-X/output/model-best

Input: a trained model and the corpora; scores, on the fixed tune hold-out of the train
split only, the model alone and the model combined with lexicon matches the way
``case_entity_merge`` (pipeline/components/merge.py) combines them: every model entity
stays; a lexicon match overlapping no model entity is added if its category is allowed.
Prints one line per allowed-category set. ``--propagate``
first applies the document-level propagation rules of `pipeline.training.propagate`. No files are written.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
import sys
from collections.abc import Sequence
from typing import Any

import spacy

from pipeline import brat, scoring
from pipeline.components import lexicon_features as features
from pipeline.training import corpora as conv
from pipeline.training.propagate import propagate


def combine(
    model: Sequence[tuple[int, int, str | None]], lexical: Sequence[tuple[int, int, str]], allowed: set[str],
    aux_blocks: bool = True,
) -> list[tuple[int, int, str]]:
    """Token spans (start, end, category): model spans plus non-overlapping allowed lexicon spans.

    Model spans with category None are auxiliary predictions: not output; they keep
    lexicon spans off their tokens if ``aux_blocks``.
    """
    taken: set[int] = set()
    out = [(s, e, c) for s, e, c in model if c is not None]
    for s, e, c in model:
        if c is not None or aux_blocks:
            taken.update(range(s, e))
    for s, e, c in sorted(lexical):
        if c in allowed and not taken.intersection(range(s, e)):
            out.append((s, e, c))
            taken.update(range(s, e))
    return out


MERGE_CATEGORIES = {"diagnosis", "anatomy"}  # what the shipped merge lets the lexicon add


def merge_scores(
    docs: Sequence[tuple[str, str, Sequence[Any]]], predictions: Sequence[tuple[Any, Sequence[tuple[int, int, str]]]],
    lexicon: Any, tables: bool = False,
) -> dict[str, Any]:
    """F1 per category and micro (`pipeline.scoring`), strict and overlap, of a model's entities
    bare and + the shipped lexicon merge (`combine` with `MERGE_CATEGORIES`, auxiliary labels
    blocking): `docs` as `corpora.maccrobat_documents` gives them, `predictions` one (spaCy Doc,
    [(start token, end token, model label)]) per doc; with `tables`, the formatted tables too."""
    gold = [(m.doc_id, m.start, m.end, m.category) for _, _, g in docs for m in g]
    bare: list[tuple[str, int, int, str]] = []
    merged: list[tuple[str, int, int, str]] = []
    for (doc_id, _, _), (doc, entities) in zip(docs, predictions, strict=True):
        model = [(s, e, conv.LABEL_TO_CATEGORY.get(label)) for s, e, label in entities]
        lexical = [(s, e, lexicon.concepts[c].category) for s, e, c in lexicon.match([t.text for t in doc])]
        for target, spans in ((bare, [m for m in model if m[2] is not None]),
                              (merged, combine(model, lexical, MERGE_CATEGORIES, True))):
            for s, e, c in spans:
                target.append((doc_id, doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), c))
    out: dict[str, Any] = {}
    for name, pred in (("bare", bare), ("merge", merged)):
        sc = scoring.score(gold, pred, brat.CATEGORIES)
        out[name] = {mode: {c: round(sc.f1(mode, c), 3) for c in (*brat.CATEGORIES, "micro")} for mode in scoring.MODES}
        if tables:
            out[name + "_table"] = scoring.format_table(sc, name)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=pathlib.Path, required=True)
    ap.add_argument("--corpora", type=pathlib.Path, default=pathlib.Path("../shared/corpora"))
    ap.add_argument("--propagate", action="store_true", help="apply pipeline.training.propagate first")
    ap.add_argument("--aux-free", action="store_true",
                    help="auxiliary model labels do not keep lexicon matches off their tokens")
    args = ap.parse_args(argv)
    mac = args.corpora / conv.MACCROBAT_DIR
    _, tune_ids = conv.tune_split(brat.read_split(mac, "train"))
    nlp = spacy.load(args.model)
    lex = features._load_lexicon(None)
    docs = conv.maccrobat_documents(args.corpora, tune_ids)
    gold = [(m.doc_id, m.start, m.end, m.category) for _, _, g in docs for m in g]
    per_doc = []
    for (doc_id, _, _), doc in zip(docs, nlp.pipe([t for _, t, _ in docs]), strict=True):
        model = [(e.start, e.end, conv.LABEL_TO_CATEGORY.get(e.label_)) for e in doc.ents]
        if args.propagate:
            model = [m for m in model if m[2] is not None]
            model = propagate([t.text for t in doc], model)
        lexical = [(s, e, lex.concepts[c].category) for s, e, c in lex.match([t.text for t in doc])]
        per_doc.append((doc_id, doc, model, lexical))
    cats = list(brat.CATEGORIES)
    for n in range(0, len(cats) + 1):
        for allowed in itertools.combinations(cats, n):
            pred = []
            for doc_id, doc, model, lexical in per_doc:
                for s, e, c in combine(model, lexical, set(allowed), not args.aux_free):
                    pred.append((doc_id, doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), c))
            sc = scoring.score(gold, pred, brat.CATEGORIES)
            row = " ".join(f"{c[:4]} {sc.f1('overlap', c):.3f}/{sc.f1('strict', c):.3f}" for c in (*cats, "micro"))
            print(f"lexicon adds {'+'.join(allowed) or '-':40s} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
