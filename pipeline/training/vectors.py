"""Train static floret word vectors on the unlabelled text of the corpora (experiment/training tool).

Usage::

    python -m pipeline.training.vectors --corpora ../shared/corpora --out build/vectors/final
    python -m pipeline.training.vectors --exclude tune --out build/vectors/tune   # for --mode tune runs

Input: the corpora folder (read only): the text of every MACCROBAT document except the
dev split (never used for anything but the final score) and, with ``--exclude tune``, the
tune hold-out; plus every portion of the extra corpora (`corpora.unlabelled_texts`; the
CC BY-SA ones make the vectors, and so the model, CC BY-SA).
Output, under ``--out`` (``build/``, never the repository): ``text.txt`` (lower-cased
spaCy tokens, one line per paragraph), ``vectors.floret`` and ``spacy/`` (a spaCy
vectors folder, ``spacy init vectors --mode floret --attr LOWER``) to pass to training as
``--vectors``. Needs the ``floret`` package (training dependency only: at run time the
vectors are a table inside the model folder, read by spaCy).
Floret hashes every word and its character n-grams into ``--bucket`` rows, so the table
size is fixed (bucket x dim x 4 bytes) and unseen words still get a vector.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import spacy

from pipeline import brat
from pipeline.training import corpora as conv

# Corpora whose licence lets the model stay CC BY 4.0 (MACCROBAT is always used).
PERMISSIVE = ("ncbi", "bc5cdr")


def write_text(corpora: Path, exclude: Sequence[str], path: Path, extra: Sequence[str] = conv.EXTRA_CORPORA) -> int:
    tok = spacy.blank("en").tokenizer
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for line in conv.unlabelled_texts(corpora, exclude, all_portions=True, extra=extra):
            words = [t.lower_ for t in tok(line) if not t.is_space]
            n += len(words)
            fh.write(" ".join(words) + "\n")
    return n


def train_vectors(
    text: Path, out: Path, dim: int, bucket: int, epoch: int, minn: int, maxn: int, model: str
) -> Path:
    import floret

    ft = floret.train_unsupervised(
        str(text), model=model, mode="floret", hashCount=2, bucket=bucket, minn=minn, maxn=maxn,
        dim=dim, epoch=epoch, minCount=2, thread=1, verbose=0,
    )
    vec = out / "vectors.floret"
    ft.save_floret_vectors(str(vec))
    return vec


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--exclude", choices=("dev", "tune"), default="dev",
                    help="MACCROBAT documents left out: the dev split (always) and with 'tune' the tune hold-out")
    ap.add_argument("--sources", choices=("all", "permissive"), default="all",
                    help="extra corpora whose text is used: all, or only the public-domain ones "
                         "(NCBI disease, BC5CDR) so that the model stays CC BY 4.0")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--bucket", type=int, default=50000)
    ap.add_argument("--epoch", type=int, default=10)
    ap.add_argument("--minn", type=int, default=3)
    ap.add_argument("--maxn", type=int, default=5)
    ap.add_argument("--model", choices=("cbow", "skipgram"), default="skipgram")
    args = ap.parse_args(argv)
    mac = args.corpora / conv.MACCROBAT_DIR
    exclude = list(brat.read_split(mac, "dev"))
    if args.exclude == "tune":
        exclude += conv.tune_split(brat.read_split(mac, "train"))[1]
    args.out.mkdir(parents=True, exist_ok=True)
    extra = conv.EXTRA_CORPORA if args.sources == "all" else PERMISSIVE
    n = write_text(args.corpora, exclude, args.out / "text.txt", extra)
    print(f"{n} words of unlabelled text")
    vec = train_vectors(args.out / "text.txt", args.out, args.dim, args.bucket, args.epoch,
                        args.minn, args.maxn, args.model)
    from spacy.training.initialize import convert_vectors

    nlp = spacy.blank("en")
    convert_vectors(nlp, vec, truncate=0, prune=-1, mode="floret", attr="LOWER")
    nlp.to_disk(args.out / "spacy")
    share_alike = sorted(set(extra) - set(PERMISSIVE))
    (args.out / "spacy" / "sources.json").write_text(json.dumps({
        "maccrobat_excluded": sorted(exclude), "extra_corpora_all_portions": list(extra), "words": n,
        "dim": args.dim, "bucket": args.bucket, "epoch": args.epoch, "minn": args.minn, "maxn": args.maxn,
        "model": args.model, "share_alike_sources": share_alike,
    }, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out / 'spacy'} ({nlp.vocab.vectors.shape})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
