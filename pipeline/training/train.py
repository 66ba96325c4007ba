"""Train the project's NER model end to end, reproducibly.

Usage::

    python -m pipeline.training.train --corpora ../shared/corpora --out pipeline/resources/model
    python -m pipeline.training.train --mode tune --set training.max_epochs=20   # experiments

Input: the corpora folder (read only). Output:

- ``--mode final`` (default): trains on all MACCROBAT train-split documents (plus any
  ``--extra`` corpora), writes the spaCy pipeline to ``--out`` (an existing README.md
  there is kept) with ``training_meta.json`` (config + its sha256, overrides, seed, data
  file sha256s, conversion counts, and the bare-model scores on the MACCROBAT dev split,
  which is scored once, after training, and never used for any choice).
- ``--mode tune``: trains on the train split minus a fixed seeded hold-out of 20
  documents and scores the bare model on that hold-out (the tune set). Nothing is
  written outside ``--build``.

Intermediate files (converted DocBins, spaCy's training output) go to ``--build``
(default ``build/training``, gitignored). Single process; seeds fixed via the config's
``system.seed`` (``--seed``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from pipeline import brat, scoring
from pipeline.components import lexicon_features as features  # noqa: F401  (registers case_lexicon_features)
from pipeline.training import corpora as conv

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "ner.cfg"
MODEL_NAME = "case_report_ner"
# 1.0.0: the four categories as labels (shipped); 2.0.0: auxiliary labels and/or static
# vectors (the round-2 candidate in EXPERIMENTS.md)
MODEL_VERSIONS = {False: "1.0.0", True: "2.0.0"}


def predict_mentions(nlp: Language, docs: Sequence[tuple[str, str]], batch_size: int = 16) -> list[tuple[str, int, int, str]]:
    """Run a pipeline over (doc_id, text) pairs; return (doc_id, start, end, category)."""
    out: list[tuple[str, int, int, str]] = []
    texts = [t for _, t in docs]
    for (doc_id, _), doc in zip(docs, nlp.pipe(texts, batch_size=batch_size), strict=True):
        for ent in doc.ents:
            cat = conv.LABEL_TO_CATEGORY.get(ent.label_)
            if cat is not None:
                out.append((doc_id, ent.start_char, ent.end_char, cat))
    return out


def score_model(nlp: Language, corpora: Path, ids: Sequence[str]) -> scoring.Scores:
    docs = conv.maccrobat_documents(corpora, ids)
    gold = [(m.doc_id, m.start, m.end, m.category) for _, _, g in docs for m in g]
    pred = predict_mentions(nlp, [(i, t) for i, t, _ in docs])
    return scoring.score(gold, pred, brat.CATEGORIES)


def _parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def build_data(
    corpora: Path, build: Path, train_ids: Sequence[str], dev_ids: Sequence[str],
    extra: Sequence[str], partial: str, extra_weight: float, seed: int,
    scheme: conv.LabelScheme = conv.BASE_SCHEME,
    silver: Sequence[Path] = (), silver_weight: float = 1.0, gold_repeat: int = 1,
) -> tuple[dict[str, Any], Path, Path]:
    nlp = spacy.blank("en")
    stats_train = conv.ConversionStats()
    stats_dev = conv.ConversionStats()
    train_docs = conv.maccrobat_docs(nlp, corpora, train_ids, stats_train, scheme=scheme)
    dev_docs = conv.maccrobat_docs(nlp, corpora, dev_ids, stats_dev, split_paragraphs=False, scheme=scheme)
    extra_stats: dict[str, Any] = {}
    import random

    rng = random.Random(seed)
    for name in extra:
        st = conv.ConversionStats()
        docs = conv.extra_docs(nlp, corpora, name, st, partial=partial)
        if extra_weight < 1.0:
            docs = rng.sample(docs, int(len(docs) * extra_weight))
        train_docs += docs
        extra_stats[name] = {"docs": len(docs), "spans": st.spans, "by_label": st.by_label}
    silver_stats = add_silver(nlp, train_docs, silver, silver_weight, gold_repeat, seed)
    train_path = build / "train.spacy"
    dev_path = build / "dev.spacy"
    conv.write_docbin(train_docs, train_path)
    conv.write_docbin(dev_docs, dev_path)
    info = {
        "maccrobat_train": vars(stats_train),
        "maccrobat_dev_for_spacy": vars(stats_dev),
        "extra": extra_stats,
    }
    if silver_stats:
        info["silver"] = silver_stats
    return info, train_path, dev_path


def add_silver(
    nlp: Language, train_docs: list[Any], silver: Sequence[Path], weight: float, gold_repeat: int, seed: int,
) -> dict[str, Any]:
    """Knowledge distillation (pipeline/training/distill.py): append teacher-labelled DocBins
    (``weight``: seeded fraction of their docs) and repeat the gold docs ``gold_repeat`` times
    in all. Modifies ``train_docs`` in place; no-op without silver and with gold_repeat 1."""
    import random

    from spacy.tokens import DocBin

    if not silver and gold_repeat == 1:
        return {}
    n_gold = len(train_docs)
    train_docs[:] = train_docs * max(1, gold_repeat)
    stats: dict[str, Any] = {"gold_docs": n_gold, "gold_repeat": gold_repeat, "weight": weight, "files": {}}
    rng = random.Random(seed)
    sources: set[str] = set()
    for path in silver:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if weight < 1.0:
            docs = rng.sample(docs, int(len(docs) * weight))
        for d in docs:
            sources.add(str(d.user_data.get("source", "unknown")))
            d.user_data.clear()
        train_docs += docs
        stats["files"][str(path)] = {"sha256": conv.sha256_file(path), "docs": len(docs),
                                     "tokens": sum(len(d) for d in docs)}
    stats["sources"] = sorted(sources)
    # the silver labels are derived from the text of these corpora: CC BY-SA ones make the model share-alike
    stats["share_alike_sources"] = sorted(sources - {"ncbi", "bc5cdr"})
    return stats


def data_hashes(corpora: Path, ids: Sequence[str], extra: Sequence[str]) -> dict[str, str]:
    files: list[Path] = []
    docs_dir = corpora / conv.MACCROBAT_DIR / "docs"
    for doc_id in sorted(ids):
        files += [docs_dir / f"{doc_id}.txt", docs_dir / f"{doc_id}.ann"]
    files += [corpora / conv.MACCROBAT_DIR / "splits" / "train.txt", corpora / conv.MACCROBAT_DIR / "splits" / "dev.txt"]
    for name in extra:
        files += conv.extra_corpus_files(corpora, name)
    out = {str(p.relative_to(corpora)): conv.sha256_file(p) for p in files}
    agg = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(out.items())).encode()).hexdigest()
    return {"_all": agg, **out}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, default=Path("pipeline/resources/model"))
    ap.add_argument("--build", type=Path, default=Path("build/training"))
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--mode", choices=("final", "tune"), default="final")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra", default="", help="comma-separated: " + ",".join(conv.EXTRA_CORPORA))
    ap.add_argument("--partial", choices=("missing", "outside"), default="missing")
    ap.add_argument("--extra-weight", type=float, default=1.0, help="fraction of extra docs to sample")
    ap.add_argument("--init-tok2vec", type=Path, default=None, help="pretrained tok2vec weights (spacy pretrain)")
    ap.add_argument("--pretrain-epochs", type=int, default=0,
                    help="first pretrain tok2vec for N epochs on unlabelled corpus text (pretrain.py)")
    ap.add_argument("--aux", default="",
                    help="comma-separated auxiliary MACCROBAT types trained as labels of their own and dropped "
                         "at output (choices: " + ",".join(conv.AUX_TYPES) + ")")
    ap.add_argument("--split-treatment", action="store_true",
                    help="train MEDICATION and THERAPEUTIC_PROCEDURE instead of TREATMENT (both output as treatment)")
    ap.add_argument("--vectors", type=Path, default=None,
                    help="spaCy vectors folder (pipeline.training.vectors) used as static vectors by tok2vec")
    ap.add_argument("--silver", type=Path, action="append", default=[],
                    help="teacher-labelled DocBin (pipeline.training.distill) added to the training docs; repeatable")
    ap.add_argument("--silver-weight", type=float, default=1.0, help="fraction of silver docs to sample")
    ap.add_argument("--gold-repeat", type=int, default=1, help="repeat the gold training docs N times (with --silver)")
    ap.add_argument("--set", action="append", default=[], help="config override key=value (JSON value)")
    ap.add_argument("--tag", default="", help="name of the experiment (tune mode log)")
    args = ap.parse_args(argv)

    t0 = time.time()
    corpora: Path = args.corpora
    mac = corpora / conv.MACCROBAT_DIR
    if not mac.is_dir():
        print(f"error: {mac} not found; pass --corpora", file=sys.stderr)
        return 2
    train_split = brat.read_split(mac, "train")
    dev_split = brat.read_split(mac, "dev")
    fit_ids, tune_ids = conv.tune_split(train_split)
    extra = [e for e in args.extra.split(",") if e]
    aux = tuple(a for a in args.aux.split(",") if a)
    unknown = [a for a in aux if a not in conv.AUX_TYPES]
    if unknown:
        print(f"error: unknown --aux types {unknown}; choices: {', '.join(conv.AUX_TYPES)}", file=sys.stderr)
        return 2
    scheme = conv.LabelScheme(aux_types=aux, split_treatment=args.split_treatment)
    build: Path = args.build / (args.mode if not args.tag else f"{args.mode}-{args.tag}")
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)

    train_ids = fit_ids if args.mode == "tune" else sorted(train_split)
    # The spaCy dev corpus only drives logging/model-best; in final mode it is the tune
    # documents (which are part of the training data) and model-last is shipped.
    info, train_path, dev_path = build_data(
        corpora, build, train_ids, tune_ids, extra, args.partial, args.extra_weight, args.seed, scheme,
        args.silver, args.silver_weight, args.gold_repeat,
    )
    overrides = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        "system.seed": args.seed,
        **_parse_overrides(args.set),
    }
    if args.vectors is not None:
        overrides["paths.vectors"] = str(args.vectors)
        overrides["components.tok2vec.model.embed.include_static_vectors"] = True
    if args.pretrain_epochs > 0:
        from pipeline.training import pretrain

        args.init_tok2vec = pretrain.pretrain(corpora, args.config, build / "pretrain", args.pretrain_epochs, args.seed)
    if args.init_tok2vec is not None:
        overrides["paths.init_tok2vec"] = str(args.init_tok2vec)

    from spacy.cli.train import train as spacy_train

    train_config = Path(args.config)
    if args.init_tok2vec is not None:
        # spaCy loads init_tok2vec only when the config has a [pretraining] block.
        from spacy.cli.init_config import fill_config

        train_config = build / "train_with_pretraining.cfg"
        fill_config(train_config, Path(args.config), pretraining=True, silent=True)
    spacy_train(train_config, build / "output", use_gpu=-1, overrides=overrides)
    pick = "model-best" if args.mode == "tune" else "model-last"
    nlp = spacy.load(build / "output" / pick)
    train_secs = round(time.time() - t0, 1)

    if args.mode == "tune":
        scores = score_model(nlp, corpora, tune_ids)
        table = scoring.format_table(scores, f"tune set ({len(tune_ids)} docs) {args.tag}")
        print(table)
        rec = {"tag": args.tag, "argv": list(argv if argv is not None else sys.argv[1:]),
               "scores": scores.as_dict(), "train_seconds": train_secs, "data": info}
        (build / "tune_scores.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
        last = score_model(spacy.load(build / "output" / "model-last"), corpora, tune_ids)
        rec["scores_model_last"] = last.as_dict()
        print(scoring.format_table(last, f"tune set, model-last {args.tag}"))
        (build / "tune_scores.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
        with (args.build / "tune_log.jsonl").open("a") as fh:
            fh.write(json.dumps({"tag": args.tag, "argv": rec["argv"],
                                 "overlap": {c: round(scores.f1("overlap", c), 3) for c in (*brat.CATEGORIES, "micro")},
                                 "strict": {c: round(scores.f1("strict", c), 3) for c in (*brat.CATEGORIES, "micro")},
                                 "last_overlap": round(last.f1("overlap"), 3), "last_strict": round(last.f1("strict"), 3),
                                 "seconds": train_secs}) + "\n")
        return 0

    # final: write the shipped model
    nlp.meta["name"] = MODEL_NAME
    round2 = bool(args.aux or args.split_treatment or args.vectors is not None)
    model_version = MODEL_VERSIONS[round2]
    nlp.meta["version"] = model_version
    nlp.meta["description"] = "NER for case reports: DIAGNOSIS, ANATOMY, IMAGING, TREATMENT" + (
        "; other labels are auxiliary MACCROBAT types, not output" if args.aux else "") + " (see README.md)"
    vec_sources: dict[str, Any] = {}
    if args.vectors is not None and (args.vectors / "sources.json").is_file():
        vec_sources = json.loads((args.vectors / "sources.json").read_text("utf-8"))
    share_alike = bool(extra) or bool(vec_sources.get("share_alike_sources")) or bool(
        info.get("silver", {}).get("share_alike_sources"))
    nlp.meta["license"] = "CC BY-SA 4.0" if share_alike else "CC BY 4.0"
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.name != "README.md":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    nlp.to_disk(out)
    labels = sorted(nlp.get_pipe("ner").labels)
    if labels != sorted(scheme.labels()):
        print(f"error: model labels {labels} != {sorted(scheme.labels())}", file=sys.stderr)
        return 1

    model = spacy.load(out)
    dev_scores = score_model(model, corpora, dev_split)
    print(scoring.format_table(dev_scores, f"MACCROBAT dev split ({len(dev_split)} docs), bare model"))
    config_text = Path(args.config).read_text("utf-8")
    meta = {
        "model": {"name": MODEL_NAME, "version": model_version, "labels": list(scheme.labels()),
                  "output_categories": {lab: conv.LABEL_TO_CATEGORY.get(lab) for lab in scheme.labels()},
                  "spacy_version": spacy.__version__},
        "command": "python -m pipeline.training.train " + " ".join(argv if argv is not None else sys.argv[1:]),
        "config_file": str(Path(args.config).name),
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "overrides": {k: v for k, v in overrides.items() if not k.startswith("paths.")},
        "init_tok2vec_sha256": conv.sha256_file(args.init_tok2vec) if args.init_tok2vec else None,
        "pretrain_epochs": args.pretrain_epochs,
        "seed": args.seed,
        "label_scheme": {"aux_types": list(scheme.aux_types), "split_treatment": scheme.split_treatment},
        "vectors": str(args.vectors) if args.vectors is not None else None,
        "vectors_sources": vec_sources or None,
        "vectors_sha256": conv.sha256_file(args.vectors / "vocab" / "vectors") if args.vectors is not None else None,
        **({"silver": info["silver"]} if "silver" in info else {}),
        "extra_corpora": extra,
        "partial_label_policy": args.partial if extra else None,
        "train_ids": sorted(train_ids),
        "data_sha256": data_hashes(corpora, [*train_split, *dev_split], extra),
        "lexicon_sha256": {name: conv.sha256_file(features.lexicon_path(None) / name)
                           for name in ("concepts.tsv", "terms.tsv")},
        "conversion": info,
        "dev_scores_bare_model": dev_scores.as_dict(),
        "train_seconds": train_secs,
    }
    (out / "training_meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {out} ({train_secs}s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
