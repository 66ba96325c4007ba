"""Derive `pipeline/resources/abbreviations/corpus_short_forms.tsv`: short forms whose sense
is settled by corpus evidence, for mentions the report itself does not define.

Reads texts we may tune on (never MACCROBAT dev, which the coding reference's test half
comes from): MACCROBAT2020 train documents (brat), NCBI disease and BC5CDR (PubTator,
all splits; a PubMed id seen in two corpora is read once). Runs the pipeline's own
Schwartz & Hearst step (`pipeline.components.abbreviations.find_definitions`: scispacy's
`filter_matches`/`find_abbreviation` plus the initials rule, first definition per
document) on each text with the pipeline's tokenizer, and counts (short form -> long form)
definitions. The long form is compared lower-cased with hyphens as spaces and a final
plural 's' off. The category of a definition is the gold annotation that is exactly its
short form, else exactly its long form, in that corpus: NCBI Disease / BC5CDR Disease / MACCROBAT Disease_disorder
-> diagnosis, BC5CDR Chemical / MACCROBAT Medication, Therapeutic_procedure -> treatment,
MACCROBAT Biological_structure -> anatomy; unannotated definitions count for the sense
but give no category.

A short form is kept when
- it has >= MIN_DEFINITIONS definitions in >= MIN_DOCUMENTS documents,
- its dominant long form covers >= MIN_SHARE of them,
- >= MIN_SHARE of its categorised definitions agree on one category, and at least
  MIN_CATEGORISED are categorised,
- it is 2-8 characters with at least two capitals, and not an English word (lower-cased,
  in pyspellchecker's English list with frequency >= ENGLISH_MIN_FREQUENCY: 'AS', 'ALL',
  'HER'), and not in STOPLIST (short forms known to have several clinical senses),
- the curated tables (`abbreviations/clinical.tsv`, `lexicons/curated/abbreviations.tsv`,
  `lexicons/curated/coding/abbreviations.tsv`) do not already give it in that category.

Output: TSV (short, long, category, n_definitions, n_documents, n_dominant, n_categorised,
corpora) sorted by short form: counts and the long form only, no corpus sentence. The
long form written is the dominant one's most frequent spelling, lower-cased.

Usage: python scripts/mine_short_forms.py [--corpora ../shared/corpora] [--out FILE] [--report]
"""

from __future__ import annotations

import argparse
import csv
import functools
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from spacy.matcher import Matcher
from spacy.vocab import Vocab

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import brat  # noqa: E402
from pipeline.training.corpora import pubtator_documents  # noqa: E402

OUT = ROOT / "pipeline" / "resources" / "abbreviations" / "corpus_short_forms.tsv"
MIN_DEFINITIONS = 3
MIN_DOCUMENTS = 2
MIN_SHARE = 0.9
MIN_CATEGORISED = 2
ENGLISH_MIN_FREQUENCY = 1000
# several clinical senses, or a unit/word reading: never expanded without a definition
STOPLIST = frozenset({
    "AS", "OO", "PE", "MS", "PD", "PA", "CP", "MR", "CT", "AD", "ED", "HD", "LV", "RV", "PR", "SD", "CR", "RA",
    "PC", "PS", "BP", "HR", "IV", "IM", "SC", "ER", "OR", "IR", "DI", "CS", "CD", "AR", "MI", "ID", "LA",
    "ARF",  # acute renal / respiratory failure, acute rheumatic fever
    "HH",  # hereditary hemochromatosis, hiatal hernia, hypogonadotropic hypogonadism
    "MDA",  # malondialdehyde (a lab analyte), methylenedioxyamphetamine
})
_MACCROBAT_CATEGORY = {"Disease_disorder": "diagnosis", "Medication": "treatment",
                       "Therapeutic_procedure": "treatment", "Biological_structure": "anatomy"}
_PUBTATOR_CATEGORY = {"Disease": "diagnosis", "DiseaseClass": "diagnosis", "SpecificDisease": "diagnosis",
                      "Modifier": "diagnosis", "CompositeMention": "diagnosis", "Chemical": "treatment"}


Annotation = tuple[int, int, str]  # start, end, category


def maccrobat(corpora: Path) -> Iterator[tuple[str, str, str, list[Annotation]]]:
    base = corpora / "maccrobat2020"
    for doc in brat.read_split(base, "train"):
        text = (base / "docs" / f"{doc}.txt").read_text(encoding="utf-8")
        entities = brat.parse_ann((base / "docs" / f"{doc}.ann").read_text(encoding="utf-8")).entities
        anns = [(s, e, _MACCROBAT_CATEGORY[ent.type]) for ent in entities if ent.type in _MACCROBAT_CATEGORY
                for s, e in ent.fragments]
        yield "maccrobat", doc, text, anns


def pubtator(name: str, files: list[Path]) -> Iterator[tuple[str, str, str, list[Annotation]]]:
    """The documents of PubTator files (`training.corpora.pubtator_documents`); a document
    is known by its text, so an abstract in two corpora counts once."""
    for file in files:
        for text, anns in pubtator_documents(file, _PUBTATOR_CATEGORY):
            yield name, text, text, anns


def sense_key(long: str) -> str:
    """Letters and digits only, lower-cased, a final plural 's' off: 'Non-steroidal
    anti-inflammatory drugs' and 'nonsteroidal antiinflammatory drug' are one sense."""
    key = re.sub(r"[^0-9a-z]", "", long.lower())
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _category(anns: list[Annotation], short_start: int, short_end: int, long_start: int, long_end: int) -> str:
    """The gold category of a definition: of an annotation that is exactly the short form,
    else of one that is exactly the long form; '' when neither is annotated (an
    annotation that only overlaps, 'adenomatous polyposis coli (APC) gene' inside a
    disease name, says nothing about the short form's own category)."""
    for spans in ((short_start, short_end), (long_start, long_end)):
        cats = Counter(c for s, e, c in anns if (s, e) == spans)
        if cats:
            return cats.most_common(1)[0][0]
    return ""


def curated() -> set[tuple[str, str]]:
    """(category, short form) pairs the curated tables already give."""
    from pipeline import resources

    have: set[tuple[str, str]] = set()
    for row in resources.read_tsv(resources.path("abbreviations", "clinical.tsv"), ("short", "long")):
        for category in ("diagnosis", "anatomy", "imaging", "treatment"):
            have.add((category, row["short"]))
    for parts in (("lexicons", "curated", "abbreviations.tsv"), ("lexicons", "curated", "coding", "abbreviations.tsv")):
        for row in resources.read_tsv(resources.path(*parts), ("abbreviation", "expansion")):
            have.add((row.get("category", "diagnosis"), row["abbreviation"]))
    return have


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report", action="store_true", help="print every candidate and why it was kept or dropped")
    args = ap.parse_args(argv)

    from spellchecker import SpellChecker

    from pipeline.components.abbreviations import find_definitions
    from pipeline.nlp import load_nlp

    tokenizer = load_nlp().tokenizer
    english = SpellChecker().word_frequency

    sources = [
        maccrobat(args.corpora),
        pubtator("ncbi_disease", sorted((args.corpora / "ncbi_disease").glob("NCBI*_corpus.txt"))),
        pubtator("bc5cdr", sorted((args.corpora / "bc5cdr").glob("CDR_*.PubTator.txt"))),
    ]
    seen_docs: set[str] = set()
    # short -> list of (doc, corpus, sense key, long text, category or '')
    found: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for source in sources:
        for corpus, doc_id, text, anns in source:
            if doc_id in seen_docs:
                continue
            seen_docs.add(doc_id)
            doc = tokenizer(text)
            for short, long in find_definitions(doc, _matcher(doc.vocab)):
                category = _category(anns, short.start_char, short.end_char, long.start_char, long.end_char)
                found[short.text].append((doc_id, corpus, sense_key(long.text), long.text, category))
    have = curated()
    kept = []
    for short, defs in sorted(found.items()):
        docs = {d[0] for d in defs}
        senses = Counter(d[2] for d in defs)
        sense, n_dom = senses.most_common(1)[0]
        cats = Counter(d[4] for d in defs if d[4])
        category, n_cat = cats.most_common(1)[0] if cats else ("", 0)
        n_categorised = sum(cats.values())
        why = ""
        if len(defs) < MIN_DEFINITIONS or len(docs) < MIN_DOCUMENTS:
            why = "too few definitions"
        elif n_dom / len(defs) < MIN_SHARE:
            why = f"ambiguous ({n_dom}/{len(defs)})"
        elif n_categorised < MIN_CATEGORISED or n_cat / n_categorised < MIN_SHARE:
            why = f"category unsettled ({dict(cats)})"
        elif not 2 <= len(short) <= 8 or sum(c.isupper() for c in short) < 2:
            why = "not a short form"
        elif english[short.lower()] >= ENGLISH_MIN_FREQUENCY:
            why = "English word"
        elif short in STOPLIST:
            why = "stoplist"
        elif (category, short) in have:
            why = "curated"
        spellings = Counter(d[3].lower() for d in defs if d[2] == sense)
        long_text = spellings.most_common(1)[0][0]
        if args.report and len(defs) >= MIN_DEFINITIONS:
            print(f"{'KEEP' if not why else 'drop'}\t{short}\t{long_text}\t{category}\t{n_dom}/{len(defs)}\t{why}", file=sys.stderr)
        if not why:
            corpora = ",".join(sorted({d[1] for d in defs if d[2] == sense}))
            kept.append((short, long_text, category, len(defs), len(docs), n_dom, n_categorised, corpora))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow(("short", "long", "category", "n_definitions", "n_documents", "n_dominant", "n_categorised", "corpora"))
        w.writerows(kept)
    print(f"{len(kept)} short forms from {len(seen_docs)} documents -> {args.out}", file=sys.stderr)
    return 0


@functools.lru_cache(maxsize=1)
def _matcher(vocab: Vocab) -> Matcher:
    """The parenthesis matcher of `components.abbreviations.Abbreviations`."""
    matcher = Matcher(vocab)
    matcher.add("parenthesis", [[{"ORTH": "("}, {"OP": "+"}, {"ORTH": ")"}]])
    return matcher


if __name__ == "__main__":
    sys.exit(main())
