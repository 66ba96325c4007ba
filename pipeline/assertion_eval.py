"""Negation measured against MACCROBAT2020 gold, independent of NER quality.

`python -m pipeline.assertion_eval [--split dev] [--corpus DIR]` prints precision, recall
and F1 of `assertion == absent` against the gold polarity (`POLARITY ... NEG` /
`Negation` attributes), for the gold entities of our four categories and, separately,
with MACCROBAT's Sign_symptom entities added.

For each document the gold spans themselves are the entities: the text goes through the
pipeline's own sentencizer, `sections` and `context` components (from config.cfg) with
`doc.ents` set to the gold spans (label = category in upper case, SIGN_SYMPTOM for
Sign_symptom), in layers of non-overlapping spans. Tune rules on `--split train` only;
report `dev`. Reads the corpus; writes only to stdout.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Span

from pipeline import brat

DEFAULT_CORPUS = Path("../shared/corpora/maccrobat2020")  # seen from the repository root, like the other commands
CONTEXT_PIPES = ("sentencizer", "sections", "context")


@dataclass(frozen=True)
class Item:
    doc_id: str
    start: int
    end: int
    label: str
    text: str
    gold_negated: bool
    predicted: str = ""
    trigger: str = ""


def gold_items(corpus: Path, doc_id: str) -> tuple[str, list[Item]]:
    ann_path = corpus / "docs" / f"{doc_id}.ann"
    text, mentions = brat.read_document(ann_path)
    items = [Item(doc_id, m.start, m.end, m.category.upper(), m.text, m.negated) for m in mentions]
    ann = brat.parse_ann(ann_path.read_text("utf-8"))
    negated = brat.negated_entity_ids(ann)
    for ent in ann.entities:
        if ent.type == "Sign_symptom":
            items.append(Item(doc_id, ent.start, ent.end, "SIGN_SYMPTOM", text[ent.start : ent.end], ent.id in negated))
    return text, items


def _layers(items: list[Item]) -> list[list[Item]]:
    layers: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.start, -i.end)):
        for layer in layers:
            if all(item.end <= o.start or o.end <= item.start for o in layer):
                layer.append(item)
                break
        else:
            layers.append([item])
    return layers


def assert_items(nlp: Language, text: str, items: list[Item], on_entity: Callable[[Item, Span], None] | None = None) -> list[Item]:
    """Run the pipeline's context logic with the gold spans as entities.

    `on_entity(item, ent)` is called for every evaluated entity while its Doc is live
    (`scripts/assertion_model_cv.py` reads its features there).
    """
    doc = nlp.make_doc(text)
    for name in CONTEXT_PIPES[:-1]:
        doc = nlp.get_pipe(name)(doc)
    context = nlp.get_pipe("context")
    out: list[Item] = []
    for layer in _layers(items):
        spans: list[tuple[Item, Span]] = []
        for item in layer:
            span = doc.char_span(item.start, item.end, label=item.label, alignment_mode="expand")
            if span is not None and all(span.start >= s.end or s.start >= span.end for _, s in spans):
                spans.append((item, span))
        doc.ents = [s for _, s in spans]
        doc = context(doc)
        for item, span in spans:
            ent = next(e for e in doc.ents if e.start == span.start and e.end == span.end)
            if on_entity is not None:
                on_entity(item, ent)
            out.append(Item(item.doc_id, item.start, item.end, item.label, item.text, item.gold_negated, ent._.assertion, ent._.assertion_trigger or ""))
    return out


def prf(items: Iterable[Item]) -> tuple[float, float, float, int, int, int]:
    tp = fp = fn = 0
    for i in items:
        pred = i.predicted == "absent"
        tp += pred and i.gold_negated
        fp += pred and not i.gold_negated
        fn += (not pred) and i.gold_negated
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def evaluate(nlp: Language, corpus: Path, split: str) -> list[Item]:
    results: list[Item] = []
    for doc_id in brat.read_split(corpus, split):
        text, items = gold_items(corpus, doc_id)
        results.extend(assert_items(nlp, text, items))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", help="MACCROBAT split (train for tuning, dev for reporting)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    args = parser.parse_args(argv)
    from pipeline.nlp import load_nlp

    results = evaluate(load_nlp(), args.corpus, args.split)
    four = [i for i in results if i.label != "SIGN_SYMPTOM"]
    for name, pool in (("4 categories", four), ("4 categories + Sign_symptom", results)):
        p, r, f, tp, fp, fn = prf(pool)
        print(f"{args.split} {name}: n={len(pool)} negated={tp + fn} P={p:.3f} R={r:.3f} F1={f:.3f} (tp={tp} fp={fp} fn={fn})")
    if args.errors:
        for i in results:
            if (i.predicted == "absent") != i.gold_negated:
                kind = "FP" if i.predicted == "absent" else "FN"
                print(f"{kind}\t{i.doc_id}\t{i.label}\t{i.text}\t{i.trigger}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
