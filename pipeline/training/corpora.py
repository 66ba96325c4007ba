"""Convert the annotated corpora into spaCy training `Doc`s and `DocBin` files.

Input: the corpora folder (``../shared/corpora`` by default; layout in its README.md).
Output: `spacy.tokens.Doc` objects with ``doc.ents`` set to the labels DIAGNOSIS, ANATOMY,
IMAGING, TREATMENT, and (`write_docbin`) ``.spacy`` files under ``build/`` — never in the
repository. Tokenisation: spaCy's default English tokenizer (``spacy.blank("en")``).

MACCROBAT2020 documents follow the span policy of `pipeline.brat` (covering spans for
discontinuous annotations, overlaps flattened longest-first). A gold span that does not
fall on token boundaries is expanded to the enclosing tokens; if that makes it clash with
an already placed span it is dropped (counted in `ConversionStats`).

Extra corpora carry only some of our categories (NCBI: diseases; BC5CDR: diseases and
chemicals; AnEM/AnatEM: anatomy). With ``partial="missing"`` the tokens outside their
annotated spans are marked *missing* (unknown) rather than *outside*, so the model is
not taught that, e.g., an unannotated organ in an NCBI abstract is not anatomy.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from pipeline import brat

LABELS: tuple[str, ...] = ("DIAGNOSIS", "ANATOMY", "IMAGING", "TREATMENT")
CATEGORY_TO_LABEL: dict[str, str] = {c: c.upper() for c in brat.CATEGORIES}
LABEL_TO_CATEGORY: dict[str, str] = {v: k for k, v in CATEGORY_TO_LABEL.items()}

MACCROBAT_DIR = "maccrobat2020"


@dataclass
class ConversionStats:
    docs: int = 0
    spans: int = 0
    expanded: int = 0
    dropped: int = 0
    by_label: dict[str, int] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tune_split(train_ids: Sequence[str], n_tune: int = 20, seed: int = 13) -> tuple[list[str], list[str]]:
    """Fixed, seeded hold-out of ``n_tune`` train documents for tuning: (fit, tune)."""
    ids = sorted(train_ids)
    rng = random.Random(seed)
    tune = sorted(rng.sample(ids, n_tune))
    fit = [i for i in ids if i not in set(tune)]
    return fit, tune


def _make_doc(
    nlp: Language,
    text: str,
    spans: Iterable[tuple[int, int, str]],
    stats: ConversionStats,
    outside_missing: bool = False,
) -> Doc:
    doc = nlp.make_doc(text)
    placed: list[Span] = []
    taken: set[int] = set()
    for start, end, label in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            stats.expanded += 1
        if span is None or len(span) == 0 or any(i in taken for i in range(span.start, span.end)):
            stats.dropped += 1
            continue
        taken.update(range(span.start, span.end))
        placed.append(span)
        stats.spans += 1
        stats.by_label[label] = stats.by_label.get(label, 0) + 1
    placed.sort(key=lambda s: s.start)
    if outside_missing:
        doc.set_ents(placed, default="missing")
    else:
        doc.set_ents(placed, default="outside")
    stats.docs += 1
    return doc


def maccrobat_documents(corpora: Path, ids: Sequence[str]) -> list[tuple[str, str, list[brat.GoldMention]]]:
    """(doc_id, text, gold mentions) for the given MACCROBAT ids, in the given order."""
    docs_dir = corpora / MACCROBAT_DIR / "docs"
    out = []
    for doc_id in ids:
        text, gold = brat.read_document(docs_dir / f"{doc_id}.ann")
        out.append((doc_id, text, gold))
    return out


def maccrobat_docs(
    nlp: Language,
    corpora: Path,
    ids: Sequence[str],
    stats: ConversionStats,
    split_paragraphs: bool = True,
) -> list[Doc]:
    """Training Docs for MACCROBAT ids; by default one Doc per non-empty line (paragraph)."""
    out: list[Doc] = []
    for _doc_id, text, gold in maccrobat_documents(corpora, ids):
        flat = brat.flatten(gold)
        if not split_paragraphs:
            out.append(_make_doc(nlp, text, [(m.start, m.end, CATEGORY_TO_LABEL[m.category]) for m in flat], stats))
            continue
        pos = 0
        for line in text.split("\n"):
            lo, hi = pos, pos + len(line)
            pos = hi + 1
            if not line.strip():
                continue
            spans = [
                (m.start - lo, m.end - lo, CATEGORY_TO_LABEL[m.category])
                for m in flat
                if m.start >= lo and m.end <= hi
            ]
            stats.dropped += sum(1 for m in flat if m.start < hi and m.end > lo and not (m.start >= lo and m.end <= hi))
            out.append(_make_doc(nlp, line, spans, stats))
    return out


# ---------------------------------------------------------------------------
# Extra corpora
# ---------------------------------------------------------------------------


def _pubtator(path: Path, type_map: dict[str, str]) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
    """Yield (text, spans) per PubTator document; text = title + ' ' + abstract."""
    title = abstract = ""
    spans: list[tuple[int, int, str]] = []

    def flush() -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
        if title or abstract:
            yield f"{title} {abstract}", spans

    for raw in path.read_text("utf-8").splitlines():
        line = raw.rstrip("\n")
        if not line.strip():
            yield from flush()
            title = abstract = ""
            spans = []
            continue
        if "|t|" in line[:20]:
            title = line.split("|t|", 1)[1]
        elif "|a|" in line[:20]:
            abstract = line.split("|a|", 1)[1]
        else:
            parts = line.split("\t")
            if len(parts) >= 5 and parts[1].isdigit() and parts[2].isdigit():
                label = type_map.get(parts[4])
                if label is not None:
                    spans.append((int(parts[1]), int(parts[2]), label))
    yield from flush()


def _iob_sentences(path: Path, label_of: dict[str, str] | None, with_offsets: bool) -> Iterator[tuple[list[str], list[str]]]:
    words: list[str] = []
    tags: list[str] = []
    for raw in path.read_text("utf-8").splitlines():
        parts = raw.rstrip("\n").split("\t")
        if not raw.strip():
            if words:
                yield words, tags
            words, tags = [], []
            continue
        word, tag = parts[0], parts[-1]
        if tag != "O":
            bio, _, etype = tag.partition("-")
            label = "ANATOMY" if label_of is None else label_of.get(etype)
            tag = f"{bio}-{label}" if label else "O"
        words.append(word)
        tags.append(tag)
    if words:
        yield words, tags


def _iob_doc(nlp: Language, words: list[str], tags: list[str], stats: ConversionStats, outside_missing: bool) -> Doc:
    doc = Doc(nlp.vocab, words=words)
    spans: list[Span] = []
    start = None
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.append(Span(doc, start, i, label=label))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, label = i, tag[2:]
    doc.set_ents(spans, default="missing" if outside_missing else "outside")
    stats.docs += 1
    stats.spans += len(spans)
    for s in spans:
        stats.by_label[s.label_] = stats.by_label.get(s.label_, 0) + 1
    return doc


# BioNLP13CG types that correspond to our anatomy / diagnosis categories.
BIONLP13CG_MAP = {
    "Organ": "ANATOMY", "Tissue": "ANATOMY", "Multi-tissue_structure": "ANATOMY",
    "Anatomical_system": "ANATOMY", "Organism_subdivision": "ANATOMY",
    "Cancer": "DIAGNOSIS",
}
# AnEM types kept as anatomy (cells, substances and pathological formations are not
# Biological_structure in the MACCROBAT sense).
ANEM_MAP = {
    "Organ": "ANATOMY", "Tissue": "ANATOMY", "Multi-tissue_structure": "ANATOMY",
    "Anatomical_system": "ANATOMY", "Organism_subdivision": "ANATOMY",
    "Immaterial_anatomical_entity": "ANATOMY",
}

EXTRA_CORPORA = ("ncbi", "bc5cdr", "anem", "anatem", "bionlp13cg")


def extra_corpus_files(corpora: Path, name: str) -> list[Path]:
    """Training files of an extra corpus (train portions only)."""
    return {
        "ncbi": [corpora / "ncbi_disease" / "NCBItrainset_corpus.txt"],
        "bc5cdr": [corpora / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"],
        "anem": [corpora / "anem" / "CONLL-format" / "data" / "AnEM.train"],
        "anatem": [corpora / "anatem" / "train.tsv"],
        "bionlp13cg": [corpora / "bionlp13cg" / "train.tsv"],
    }[name]


def extra_docs(nlp: Language, corpora: Path, name: str, stats: ConversionStats, partial: str = "missing") -> list[Doc]:
    """Training Docs from one extra corpus (see module docstring for ``partial``)."""
    missing = partial == "missing"
    out: list[Doc] = []
    for path in extra_corpus_files(corpora, name):
        if name == "ncbi":
            tmap = {t: "DIAGNOSIS" for t in ("SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention")}
            out += [_make_doc(nlp, t, s, stats, missing) for t, s in _pubtator(path, tmap)]
        elif name == "bc5cdr":
            tmap = {"Disease": "DIAGNOSIS", "Chemical": "TREATMENT"}
            out += [_make_doc(nlp, t, s, stats, missing) for t, s in _pubtator(path, tmap)]
        elif name == "anem":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, ANEM_MAP, True)]
        elif name == "anatem":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, None, False)]
        elif name == "bionlp13cg":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, BIONLP13CG_MAP, False)]
    return out


def unlabelled_texts(corpora: Path, exclude_ids: Iterable[str] = ()) -> Iterator[str]:
    """Raw text of every corpus (for tok2vec pretraining); MACCROBAT ids in ``exclude_ids`` are skipped."""
    skip = set(exclude_ids)
    for txt in sorted((corpora / MACCROBAT_DIR / "docs").glob("*.txt")):
        if txt.stem not in skip:
            for line in txt.read_text("utf-8").split("\n"):
                if line.strip():
                    yield line
    for name in ("ncbi", "bc5cdr"):
        for path in extra_corpus_files(corpora, name):
            for text, _ in _pubtator(path, {}):
                yield text
    for name in ("anem", "anatem", "bionlp13cg"):
        for path in extra_corpus_files(corpora, name):
            for words, _ in _iob_sentences(path, {}, False):
                yield " ".join(words)


def write_docbin(docs: Sequence[Doc], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
