"""NegEx (negspacy 1.1.0) beside our ConText rules, scored like pipeline.assertion_eval.

Scratch measurement for issue #5; negspacy is NOT a project dependency. Run with the
project venv and negspacy on PYTHONPATH only for this script:

    .venv/bin/python -m pip install --target /tmp/negspacy_pkg negspacy==1.1.0 --no-deps
    PYTHONPATH=/tmp/negspacy_pkg .venv/bin/python scripts/negex_compare.py --split train

Items, sentencizer, layers and gold are assertion_eval's (gold spans as entities). For
each entity it records our rules' decision (`assertion == absent`), negspacy's `negex`
with the `en_clinical` and `en_clinical_sensitive` termsets (entity types = our labels,
run on the same Doc after our context component), and whether our rules put a
NEGATED_EXISTENCE trigger (a ConText modifier) in the entity's sentence. Prints P/R/F1
for: rules, negex alone, rules OR negex, rules AND negex, and negex only where our rules
found no negation trigger in the sentence (rules elsewhere). `--skip-never-absent`
gives NegEx only the labels our rules may make absent (not ANATOMY/IMAGING). Writes
only to stdout.
Tune on train only.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    from negspacy.negation import Negex
except ImportError:
    sys.exit("negex_compare.py: negspacy is not installed (it is not a project dependency); see this script's "
             "docstring: pip install --target /tmp/negspacy_pkg negspacy==1.1.0 --no-deps, then PYTHONPATH=/tmp/negspacy_pkg")
from negspacy.termsets import termset  # noqa: E402
from spacy.tokens import Span  # noqa: E402

from pipeline import brat  # noqa: E402
from pipeline.assertion_eval import DEFAULT_CORPUS, Item, assert_items, gold_items, prf  # noqa: E402

TERMSETS = ("en_clinical", "en_clinical_sensitive")


def collect(nlp, corpus: Path, split: str, skip_never_absent: bool = False) -> list[tuple[Item, dict[str, bool]]]:
    doc_ids = brat.read_split(corpus, split)
    docs = [gold_items(corpus, d) for d in doc_ids]
    labels = sorted({i.label for _, items in docs for i in items})
    if skip_never_absent:  # the labels our context component never makes absent (ANATOMY, IMAGING)
        labels = [label for label in labels if label not in nlp.get_pipe("context").never_absent]
    negexes = {ts: Negex(nlp, f"negex_{ts}", termset(ts).get_patterns(), ent_types=labels, extension_name=f"negex_{ts}") for ts in TERMSETS}
    rows: list[tuple[Item, dict[str, bool]]] = []
    state: dict[str, object] = {"key": None, "neg_sents": set()}

    def on_entity(item: Item, ent: Span) -> None:
        doc = ent.doc
        key = (id(doc), tuple((e.start, e.end, e.label_) for e in doc.ents))
        if key != state["key"]:  # a new layer of entities: run NegEx on it
            state["key"] = key
            for e in doc.ents:
                for ts in TERMSETS:
                    e._.set(f"negex_{ts}", False)
            for negex in negexes.values():
                negex(doc)
            graph = doc._.context_graph
            mods = graph.modifiers if graph is not None else []
            state["neg_sents"] = {doc[m.modifier_span[0]].sent.start for m in mods if m.category.upper() == "NEGATED_EXISTENCE"}
        flags = {ts: bool(ent._.get(f"negex_{ts}")) for ts in TERMSETS}
        flags["rules"] = ent._.assertion == "absent"
        flags["rule_trigger_in_sentence"] = ent.sent.start in state["neg_sents"]
        rows.append((item, flags))

    for text, items in docs:
        assert_items(nlp, text, items, on_entity)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip-never-absent", action="store_true", help="NegEx ignores the context component's never_absent_labels, like our rules")
    args = parser.parse_args(argv)
    from pipeline.nlp import load_nlp

    rows = collect(load_nlp(), args.corpus, args.split, args.skip_never_absent)
    systems = {"rules": lambda f: f["rules"]}
    for ts in TERMSETS:
        systems[f"negex[{ts}]"] = lambda f, ts=ts: f[ts]
        systems[f"rules OR negex[{ts}]"] = lambda f, ts=ts: f["rules"] or f[ts]
        systems[f"rules AND negex[{ts}]"] = lambda f, ts=ts: f["rules"] and f[ts]
        systems[f"negex[{ts}] where no rule trigger in sentence"] = lambda f, ts=ts: f[ts] if not f["rule_trigger_in_sentence"] else f["rules"]
    print(f"{args.split}: {len(rows)} items, {sum(f['rule_trigger_in_sentence'] for _, f in rows)} in sentences with a rule negation trigger")
    for name, decide in systems.items():
        out = []
        for pool_name, keep in (("4 categories", lambda i: i.label != "SIGN_SYMPTOM"), ("+ Sign_symptom", lambda i: True)):
            pool = [replace(i, predicted="absent" if decide(f) else "present") for i, f in rows if keep(i)]
            p, r, f1, tp, fp, fn = prf(pool)
            out.append(f"{pool_name}: P={p:.3f} R={r:.3f} F1={f1:.3f} (tp={tp} fp={fp} fn={fn})")
        print(f"{name:55s} | " + " | ".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
