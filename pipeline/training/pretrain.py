"""Pretrain the model's tok2vec on the corpora's unlabelled text (``spacy pretrain``).

Usage::

    python -m pipeline.training.pretrain --corpora ../shared/corpora --config pipeline/training/ner.cfg \
        --out build/pretrain --epochs 3

Input: raw text of every corpus (MACCROBAT documents of the dev split and of the tune
hold-out are excluded, so neither scoring set is seen even unlabelled). Output:
``<out>/text.jsonl`` and spaCy's ``model<N>.bin`` weight files in ``<out>``; the last
epoch's file is what ``train.py --init-tok2vec`` takes. Objective: spaCy's character
objective (predict the first and last 4 characters of each word), seed fixed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import brat
from pipeline.components import lexicon_features as features  # noqa: F401  (the config names its factory)
from pipeline.training import corpora as conv

PRETRAIN_OVERRIDES = {
    "pretraining.max_epochs": 3,
    "pretraining.dropout": 0.2,
    "pretraining.n_save_every": None,
    "pretraining.component": "tok2vec",
    "pretraining.layer": "",
}


def excluded_ids(corpora: Path) -> list[str]:
    mac = corpora / conv.MACCROBAT_DIR
    _, tune = conv.tune_split(brat.read_split(mac, "train"))
    return sorted({*brat.read_split(mac, "dev"), *tune})


def write_texts(corpora: Path, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for text in conv.unlabelled_texts(corpora, excluded_ids(corpora)):
            fh.write(json.dumps({"text": text}) + "\n")
            n += 1
    return n


def pretrain(corpora: Path, config: Path, out: Path, epochs: int, seed: int = 0) -> Path:
    from spacy.cli.init_config import fill_config
    from spacy.cli.pretrain import pretrain as spacy_pretrain
    from spacy.util import load_config

    texts = out / "text.jsonl"
    n = write_texts(corpora, texts)
    print(f"{n} unlabelled texts -> {texts}")
    filled = out / "pretrain.cfg"
    fill_config(filled, config, pretraining=True, silent=True)
    cfg = load_config(filled, overrides={**PRETRAIN_OVERRIDES, "pretraining.max_epochs": epochs,
                                         "paths.raw_text": str(texts), "system.seed": seed, "training.seed": seed,
                                         "training.gpu_allocator": None,
                                         "pretraining.objective": {"@architectures": "spacy.PretrainCharacters.v1",
                                                                   "maxout_pieces": 3, "hidden_size": 300, "n_characters": 4}})
    cfg.to_disk(filled)
    spacy_pretrain(load_config(filled, interpolate=False), out, use_gpu=-1, silent=False)
    last = out / f"model{epochs - 1}.bin"
    if not last.exists():
        cands = sorted(out.glob("model*.bin"), key=lambda p: p.stat().st_mtime)
        last = cands[-1]
    return last


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--config", type=Path, default=Path(__file__).resolve().parent / "ner.cfg")
    ap.add_argument("--out", type=Path, default=Path("build/pretrain"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    weights = pretrain(args.corpora, args.config, args.out, args.epochs, args.seed)
    print(f"pretrained tok2vec weights: {weights}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
