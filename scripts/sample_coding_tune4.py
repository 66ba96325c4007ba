"""Draw the mentions of split `tune4` of `pipeline/resources/coding_tuning.tsv` (coding round 4).

Systematic, seeded, not cherry-picked: the MACCROBAT *train* documents are shuffled with a
fixed seed and taken in that order until at least `--min-diagnoses` distinct
Disease_disorder mentions are collected that splits tune2/tune3 did not use (a mention is
used when its document already has a row with the same text, case-insensitive, or the same
start). Every such distinct mention of a chosen document is taken (first occurrence;
discontinuous spans are skipped). From the same documents a seeded sample of `--other`
treatment mentions (Therapeutic_procedure + Medication), imaging mentions
(Diagnostic_procedure naming an imaging modality) and anatomy mentions (Biological_structure)
is added.

Output (stdout): TSV rows in the table's column order with the expected code left empty, for
a person to code by hand *before* the coder runs on them. No corpus sentence is written:
`context_start`/`context_end` locate the sentence in the document (split at '. ', '? ',
'! ' and line ends), `start`/`end` the mention inside it.

Usage: python scripts/sample_coding_tune4.py [--corpora ../shared/corpora] [--seed 4]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

from pipeline import brat

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "pipeline" / "resources" / "coding_tuning.tsv"
IMAGING = re.compile(
    r"\b(ct|mri|mr|pet|spect|x-?ray|radiograph\w*|ultraso\w*|sonograph\w*|echocardiogra\w*|"
    r"tomograph\w*|magnetic resonance|scintigra\w*|angiogra\w*|mammogra\w*|fluoroscop\w*|"
    r"cholangiopancreatograph\w*|urograph\w*|doppler|scan)\b",
    re.I,
)


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+|\n+", text[:pos]):
        start = m.end()
    m = re.compile(r"[.!?](?=\s)|\n").search(text, pos)
    end = m.end() if m else len(text)
    if end < len(text) and text[end - 1] == "\n":
        end -= 1
    return start, end


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--min-diagnoses", type=int, default=85)
    ap.add_argument("--other", type=int, default=15)
    args = ap.parse_args(argv)
    base = args.corpora / "maccrobat2020"
    train = brat.read_split(base, "train")
    used_text: dict[str, set[str]] = {}
    used_start: set[tuple[str, int]] = set()
    with TABLE.open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["split"] not in ("tune2", "tune3"):
                continue  # (the table now holds tune4 too: the draw is against what came before)
            doc = r["doc_id"].split(":", 1)[1]
            used_text.setdefault(doc, set()).add(r["text"].lower())
            used_start.add((doc, int(r["context_start"]) + int(r["start"])))
    order = sorted(train)
    random.Random(args.seed).shuffle(order)
    rows: list[tuple[str, str, str, int, int]] = []
    others: dict[str, list[tuple[str, str, str, int, int]]] = {"imaging": [], "treatment": [], "anatomy": []}
    n_diag = 0
    for doc in order:
        if n_diag >= args.min_diagnoses:
            break
        text = (base / "docs" / f"{doc}.txt").read_text(encoding="utf-8")
        seen: dict[str, set[str]] = {}
        entities = brat.parse_ann((base / "docs" / f"{doc}.ann").read_text(encoding="utf-8")).entities
        anns = [(*ent.fragments[0], ent.type, ent.text) for ent in entities if len(ent.fragments) == 1]  # not discontinuous
        for s, e, typ, mention in sorted(anns):
            category = {"Disease_disorder": "diagnosis", "Therapeutic_procedure": "treatment",
                        "Medication": "treatment", "Biological_structure": "anatomy"}.get(typ)
            if typ == "Diagnostic_procedure" and IMAGING.search(mention):
                category = "imaging"
            if category is None or text[s:e] != mention:
                continue
            key = mention.lower()
            if key in used_text.get(doc, set()) or (doc, s) in used_start or key in seen.setdefault(category, set()):
                continue
            seen[category].add(key)
            item = (doc, mention, category, s, e)
            if category == "diagnosis":
                rows.append(item)
                n_diag += 1
            else:
                others[category].append(item)
    rng = random.Random(args.seed)
    for category in ("treatment", "imaging", "anatomy"):
        pool = others[category]
        rows.extend(sorted(rng.sample(pool, min(args.other, len(pool))), key=lambda r: (r[0], r[3])))
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    for doc, mention, category, s, e in rows:
        text = (base / "docs" / f"{doc}.txt").read_text(encoding="utf-8")
        cs, ce = sentence_bounds(text, s)
        if e > ce:
            ce = e
        out.writerow([f"maccrobat:{doc}", mention, category, "", "", "", "", s - cs, e - cs, "tune4", cs, ce])
    return 0


if __name__ == "__main__":
    sys.exit(main())
