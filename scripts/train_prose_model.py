"""Build the cleaner's prose model: `pipeline/resources/boilerplate/prose_model.json`.

`python scripts/train_prose_model.py [--shared ../shared] [--out PATH] [--dry-run]`

A word-level naive Bayes contrast between **biomedical narrative** and **everyday English**:
for each word, log P(word | biomedical text) - log P(word | English at large). The mean over a
line's words (`clean.prose_score`) says how much the line reads like a case report or an
abstract rather than like the everyday words site chrome is written in ("Scroll to keep
reading", "Members save 20% on all consultations"). It is learned from real content only, never
from the cleaning fixtures' chrome, so it carries no knowledge of the fixture pages' wording.

Input (read only):
- biomedical narrative: the MACCROBAT 2020 **train** split texts
  (`<shared>/corpora/maccrobat2020/docs/<id>.txt`, ids in `splits/train.txt`; CC BY 4.0; never
  the dev split), the BC5CDR titles and abstracts (`<shared>/corpora/bc5cdr/*.PubTator.txt`,
  public domain) and the NCBI disease corpus titles and abstracts
  (`<shared>/corpora/ncbi_disease/*_corpus.txt`, public domain);
- everyday English: pyspellchecker's English word frequencies (`spellchecker/resources/en.json.gz`,
  MIT), its 30,000 most frequent words.

Words are lower-case letter runs (`clean.prose_words`). Add-0.5 smoothing on the biomedical side,
the same prior mass on the English side; the weight of a word is clipped to [-5, 5] and rounded
to 0.01. Words of either vocabulary whose weight is within 0.25 of 0 are left out (they weigh 0,
as an unknown word does). Only the per-word weights are written: no sentence of any corpus.

Output: the JSON file (atomic write, sorted keys, no timestamp) and a summary on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pipeline import brat, clean, resources
from pipeline.training.corpora import all_corpus_files, pubtator_documents

REPO = Path(__file__).resolve().parent.parent
ENGLISH_WORDS = 30000
SMOOTHING = 0.5
CLIP = 5.0
DROP_BELOW = 0.25
MIN_BIO_COUNT = 2  # a word seen once in the biomedical texts is not part of its vocabulary


def biomedical_counts(shared: Path) -> tuple[Counter[str], dict[str, int]]:
    """Word counts of the biomedical texts, and the number of documents per corpus."""
    corpora = shared / "corpora"
    counts: Counter[str] = Counter()
    docs: dict[str, int] = {}
    root = corpora / "maccrobat2020"
    ids = sorted(brat.read_split(root, "train"))
    for doc_id in ids:
        counts.update(clean.prose_words((root / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")))
    docs["maccrobat2020/train"] = len(ids)
    for file in [*all_corpus_files(corpora, "bc5cdr"), *all_corpus_files(corpora, "ncbi")]:
        if not file.is_file():
            continue
        n = 0
        for text, _ in pubtator_documents(file, {}):  # title + ' ' + abstract
            counts.update(clean.prose_words(text))
            n += 1
        docs[file.relative_to(corpora).as_posix()] = n
    return counts, docs


def english_counts() -> dict[str, int]:
    freqs = clean._english_frequencies()
    top = sorted(freqs.items(), key=lambda kv: (-kv[1], kv[0]))[:ENGLISH_WORDS]
    return {w: c for w, c in top if clean.prose_words(w) == [w]}


def weights(bio: Counter[str], english: dict[str, int]) -> dict[str, float]:
    bio = Counter({w: c for w, c in bio.items() if c >= MIN_BIO_COUNT})
    vocabulary = set(bio) | set(english)
    n_bio, n_en = sum(bio.values()), sum(english.values())
    # the English side gets the same smoothing mass relative to its size
    en_smoothing = SMOOTHING * n_en / n_bio
    out = {}
    for w in vocabulary:
        p_bio = (bio.get(w, 0) + SMOOTHING) / (n_bio + SMOOTHING * len(vocabulary))
        p_en = (english.get(w, 0) + en_smoothing) / (n_en + en_smoothing * len(vocabulary))
        value = max(-CLIP, min(CLIP, math.log(p_bio / p_en)))
        if abs(value) >= DROP_BELOW:
            out[w] = round(value, 2)
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=resources.path("boilerplate", clean.PROSE_MODEL_FILE))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    bio, docs = biomedical_counts(args.shared)
    english = english_counts()
    table = weights(bio, english)
    data = {
        "model": "word_log_odds",
        "description": "log P(word | biomedical narrative) - log P(word | everyday English), per lower-case word; "
        "unknown words weigh 0; a line's prose score is the mean over its words (clean.prose_score)",
        "trained": {
            "script": "scripts/train_prose_model.py",
            "biomedical_documents": docs,
            "biomedical_tokens": sum(bio.values()),
            "english": f"pyspellchecker en.json.gz, {ENGLISH_WORDS} most frequent words",
            "smoothing": SMOOTHING,
            "clip": CLIP,
            "drop_below": DROP_BELOW,
            "min_biomedical_count": MIN_BIO_COUNT,
        },
        "weights": table,
    }
    clean.parse_prose_model(data, "trained prose model")
    print(json.dumps(data["trained"], indent=2, sort_keys=True))
    print(f"{len(table)} words; e.g. " + ", ".join(f"{w} {table.get(w, 0.0):+.2f}" for w in
          ("patient", "biopsy", "revealed", "click", "subscribe", "browser", "members", "she", "the")))
    if args.dry_run:
        return 0
    text = json.dumps(data, indent=0, sort_keys=True, separators=(",", ":")) + "\n"
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.stem}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(text) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
