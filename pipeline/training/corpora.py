"""Convert the annotated corpora into spaCy training `Doc`s and `DocBin` files.

Input: the corpora folder (``../shared/corpora`` by default; layout in its README.md).
Output: `spacy.tokens.Doc` objects with ``doc.ents`` set to the labels DIAGNOSIS, ANATOMY,
IMAGING, TREATMENT (with a `LabelScheme`: plus auxiliary labels, e.g. SIGN_SYMPTOM, and
optionally MEDICATION / THERAPEUTIC_PROCEDURE instead of TREATMENT), and (`write_docbin`)
``.spacy`` files under ``build/`` — never in the repository. Tokenisation: spaCy's
default English tokenizer (``spacy.blank("en")``). Leading/trailing whitespace inside an
annotation (e.g. a hair space) is trimmed before alignment.

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
# Model label -> output category. Labels not in this map (auxiliary labels such as
# SIGN_SYMPTOM) are trained on but never output.
LABEL_TO_CATEGORY: dict[str, str] = {
    **{v: k for k, v in CATEGORY_TO_LABEL.items()},
    "MEDICATION": "treatment",
    "THERAPEUTIC_PROCEDURE": "treatment",
}

# Auxiliary MACCROBAT types: trained as labels of their own (type name upper-cased) so the
# model learns the boundary between, e.g., a disorder and a sign; dropped at output.
# Diagnostic_procedure is auxiliary only where it does not name an imaging modality.
AUX_TYPES: tuple[str, ...] = (
    "Sign_symptom", "Diagnostic_procedure", "Lab_value", "Detailed_description", "Severity",
    "Clinical_event", "Date", "Dosage", "Nonbiological_location", "History",
)


@dataclass(frozen=True)
class LabelScheme:
    """Which labels the model is trained on (see `maccrobat_docs`)."""

    aux_types: tuple[str, ...] = ()
    split_treatment: bool = False  # MEDICATION / THERAPEUTIC_PROCEDURE instead of TREATMENT

    def labels(self) -> tuple[str, ...]:
        base = ["DIAGNOSIS", "ANATOMY", "IMAGING"]
        base += ["MEDICATION", "THERAPEUTIC_PROCEDURE"] if self.split_treatment else ["TREATMENT"]
        return (*base, *(t.upper() for t in self.aux_types))

    def target_label(self, mention: brat.GoldMention) -> str:
        if self.split_treatment and mention.category == "treatment":
            return mention.source_type.upper()
        return CATEGORY_TO_LABEL[mention.category]


BASE_SCHEME = LabelScheme()

MACCROBAT_DIR = "maccrobat2020"


@dataclass
class ConversionStats:
    docs: int = 0
    spans: int = 0
    expanded: int = 0
    dropped: int = 0
    aux_skipped: int = 0  # auxiliary spans on tokens a target span already covers
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
    aux_spans: Iterable[tuple[int, int, str]] = (),
) -> Doc:
    """A Doc with ``spans`` as entities; ``aux_spans`` only fill tokens ``spans`` left free."""
    doc = nlp.make_doc(text)
    placed: list[Span] = []
    taken: set[int] = set()
    order = [(0, *s) for s in spans] + [(1, *s) for s in aux_spans]
    for prio, start, end, label in sorted(order, key=lambda s: (s[0], -(s[2] - s[1]), s[1])):
        while start < end and text[start].isspace():  # e.g. a hair space inside the annotation
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            stats.expanded += 1
        if span is None or len(span) == 0 or any(i in taken for i in range(span.start, span.end)):
            if prio:
                stats.aux_skipped += 1
            else:
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


def aux_mentions(corpora: Path, doc_id: str, aux_types: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, LABEL) of the auxiliary-type annotations of one document (covering spans).

    A Diagnostic_procedure that names an imaging modality is a target (IMAGING), not auxiliary.
    """
    if not aux_types:
        return []
    ann_path = corpora / MACCROBAT_DIR / "docs" / f"{doc_id}.ann"
    text = ann_path.with_suffix(".txt").read_text("utf-8")
    ann = brat.parse_ann(ann_path.read_text("utf-8"))
    wanted = set(aux_types)
    out = []
    for ent in ann.entities:
        if ent.type not in wanted:
            continue
        if ent.type == brat.IMAGING_SOURCE_TYPE and brat.names_imaging_modality(
            " ".join(text[s:e] for s, e in ent.fragments)
        ):
            continue
        out.append((ent.start, ent.end, ent.type.upper()))
    return sorted(set(out))


def maccrobat_docs(
    nlp: Language,
    corpora: Path,
    ids: Sequence[str],
    stats: ConversionStats,
    split_paragraphs: bool = True,
    scheme: LabelScheme = BASE_SCHEME,
) -> list[Doc]:
    """Training Docs for MACCROBAT ids; by default one Doc per non-empty line (paragraph).

    Target spans (our four categories, `brat.flatten`) are placed first; auxiliary spans of
    ``scheme`` (longest first) only on tokens no target span covers.
    """
    out: list[Doc] = []
    for doc_id, text, gold in maccrobat_documents(corpora, ids):
        flat = [(m.start, m.end, scheme.target_label(m)) for m in brat.flatten(gold)]
        aux = aux_mentions(corpora, doc_id, scheme.aux_types)
        if not split_paragraphs:
            out.append(_make_doc(nlp, text, flat, stats, aux_spans=aux))
            continue
        pos = 0
        for line in text.split("\n"):
            lo, hi = pos, pos + len(line)
            pos = hi + 1
            if not line.strip():
                continue
            spans = [(s - lo, e - lo, lab) for s, e, lab in flat if s >= lo and e <= hi]
            line_aux = [(s - lo, e - lo, lab) for s, e, lab in aux if s >= lo and e <= hi]
            stats.dropped += sum(1 for s, e, _ in flat if s < hi and e > lo and not (s >= lo and e <= hi))
            out.append(_make_doc(nlp, line, spans, stats, aux_spans=line_aux))
    return out


# ---------------------------------------------------------------------------
# Extra corpora
# ---------------------------------------------------------------------------


def pubtator_documents(path: Path, type_map: dict[str, str]) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
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
            out += [_make_doc(nlp, t, s, stats, missing) for t, s in pubtator_documents(path, tmap)]
        elif name == "bc5cdr":
            tmap = {"Disease": "DIAGNOSIS", "Chemical": "TREATMENT"}
            out += [_make_doc(nlp, t, s, stats, missing) for t, s in pubtator_documents(path, tmap)]
        elif name == "anem":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, ANEM_MAP, True)]
        elif name == "anatem":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, None, False)]
        elif name == "bionlp13cg":
            out += [_iob_doc(nlp, w, t, stats, missing) for w, t in _iob_sentences(path, BIONLP13CG_MAP, False)]
    return out


def all_corpus_files(corpora: Path, name: str) -> list[Path]:
    """Every portion (train, development, test) of an extra corpus: unlabelled text only."""
    return {
        "ncbi": [corpora / "ncbi_disease" / f"NCBI{p}_corpus.txt" for p in ("trainset", "developset", "testset")],
        "bc5cdr": [corpora / "bc5cdr" / f"CDR_{p}.PubTator.txt" for p in ("TrainingSet", "DevelopmentSet", "TestSet")],
        "anem": [corpora / "anem" / "CONLL-format" / "data" / f"AnEM.{p}" for p in ("train", "test")],
        "anatem": [corpora / "anatem" / f"{p}.tsv" for p in ("train", "devel", "test")],
        "bionlp13cg": [corpora / "bionlp13cg" / f"{p}.tsv" for p in ("train", "devel", "test")],
    }[name]


def unlabelled_texts(
    corpora: Path, exclude_ids: Iterable[str] = (), all_portions: bool = False,
    extra: Sequence[str] = EXTRA_CORPORA,
) -> Iterator[str]:
    """Raw text of every corpus (for tok2vec pretraining and word vectors).

    MACCROBAT ids in ``exclude_ids`` are skipped; of the ``extra`` corpora the train
    portions, or with ``all_portions`` every portion (their labels are not used).
    """
    skip = set(exclude_ids)
    files = all_corpus_files if all_portions else extra_corpus_files
    for txt in sorted((corpora / MACCROBAT_DIR / "docs").glob("*.txt")):
        if txt.stem not in skip:
            for line in txt.read_text("utf-8").split("\n"):
                if line.strip():
                    yield line
    for name in ("ncbi", "bc5cdr"):
        for path in files(corpora, name) if name in extra else []:
            for text, _ in pubtator_documents(path, {}):
                yield text
    for name in ("anem", "anatem", "bionlp13cg"):
        for path in files(corpora, name) if name in extra else []:
            for words, _ in _iob_sentences(path, {}, False):
                yield " ".join(words)


def write_docbin(docs: Sequence[Doc], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
