"""Read brat standoff annotations and map MACCROBAT2020 types to the project's categories.

Input: the text of a brat ``.ann`` file (and, for mapping, the text of its ``.txt``).
Output: typed, immutable records (`BratEntity`, `BratEvent`, `BratAttribute`,
`BratAnnotations`) and category-level `GoldMention`s. Pure functions, no side effects
except `load_modalities`, which reads a data file shipped in ``pipeline/resources/``.

Offsets are code-point offsets into the ``.txt`` file (Python ``str`` indices), exactly as
brat writes them.

Category mapping (DESIGN.md section 4)::

    diagnosis <- Disease_disorder
    anatomy   <- Biological_structure
    imaging   <- Diagnostic_procedure whose text names an imaging modality
                 (terms in pipeline/resources/imaging_modalities.txt)
    treatment <- Therapeutic_procedure, Medication

Span policy (documented in pipeline/resources/model/README.md as well):

1. Discontinuous annotations (``T1 Type 10 14;20 25``) become one mention covering the
   first fragment's start to the last fragment's end (the covering span). The imaging
   decision looks at the annotated fragments' text, not at the gap.
2. Gold for scoring (`gold_mentions`): mentions of the *same category* that overlap
   (nested or crossing; in MACCROBAT this arises almost only from covering spans, e.g.
   "left [and right] arm") are merged into the longest one (ties: earliest start).
   Overlaps *across* categories are kept: each category is scored separately.
3. Training data for a flat NER model (`flatten`): additionally, overlaps across
   categories are resolved by keeping the longer span; on identical spans the category
   priority diagnosis > treatment > imaging > anatomy decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

CATEGORIES: tuple[str, ...] = ("diagnosis", "anatomy", "imaging", "treatment")

# MACCROBAT type -> category; Diagnostic_procedure is handled separately (imaging test).
TYPE_TO_CATEGORY: dict[str, str] = {
    "Disease_disorder": "diagnosis",
    "Biological_structure": "anatomy",
    "Therapeutic_procedure": "treatment",
    "Medication": "treatment",
}
IMAGING_SOURCE_TYPE = "Diagnostic_procedure"

# Used to break ties between identical spans when a flat layer is required.
CATEGORY_PRIORITY: dict[str, int] = {"diagnosis": 0, "treatment": 1, "imaging": 2, "anatomy": 3}

_NEGATIVE_VALUES = frozenset({"NEG", "NEGATED", "TRUE", "YES", "ABSENT"})


@dataclass(frozen=True)
class BratEntity:
    """A text-bound annotation (``T`` line)."""

    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    text: str

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]

    @property
    def discontinuous(self) -> bool:
        return len(self.fragments) > 1


@dataclass(frozen=True)
class BratEvent:
    """An event (``E`` line): its type and trigger entity id (arguments are ignored)."""

    id: str
    type: str
    trigger: str


@dataclass(frozen=True)
class BratAttribute:
    """An attribute or modifier (``A``/``M`` line), e.g. ``A1 POLARITY E35 NEG``.

    A binary attribute (``A1 Negation T3``) has value ``None``.
    """

    id: str
    name: str
    target: str
    value: str | None


@dataclass(frozen=True)
class BratAnnotations:
    entities: tuple[BratEntity, ...]
    events: tuple[BratEvent, ...]
    attributes: tuple[BratAttribute, ...]


@dataclass(frozen=True, order=True)
class GoldMention:
    """A gold mention in one of the project's categories."""

    doc_id: str
    start: int
    end: int
    category: str
    text: str = ""
    negated: bool = False
    source_type: str = ""


class BratFormatError(ValueError):
    """A line of an .ann file that cannot be parsed."""


def parse_ann(text: str) -> BratAnnotations:
    """Parse the text of a brat ``.ann`` file.

    Handles discontinuous spans (``s e;s e``), trailing whitespace on ``E``/``R`` lines,
    ``A``/``M`` attributes (binary or valued). Relations, notes (``#``), normalisations
    (``N``) and equivalences (``*``) are skipped.
    """
    entities: list[BratEntity] = []
    events: list[BratEvent] = []
    attributes: list[BratAttribute] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        kind = line[0]
        try:
            if kind == "T":
                entities.append(_parse_entity(line))
            elif kind == "E":
                ident, rest = line.split("\t", 1)
                trigger_part = rest.split()[0]
                etype, trigger = trigger_part.split(":", 1)
                events.append(BratEvent(ident.strip(), etype, trigger))
            elif kind in ("A", "M"):
                ident, rest = line.split("\t", 1)
                parts = rest.split()
                value = parts[2] if len(parts) > 2 else None
                attributes.append(BratAttribute(ident.strip(), parts[0], parts[1], value))
        except (ValueError, IndexError) as exc:
            raise BratFormatError(f"line {lineno}: cannot parse {line!r}: {exc}") from exc
    return BratAnnotations(tuple(entities), tuple(events), tuple(attributes))


def _parse_entity(line: str) -> BratEntity:
    ident, middle, *rest = line.split("\t", 2)
    etype, offsets = middle.split(" ", 1)
    fragments = []
    for part in offsets.split(";"):
        s, e = part.split()
        fragments.append((int(s), int(e)))
    fragments.sort()
    return BratEntity(ident.strip(), etype, tuple(fragments), rest[0] if rest else "")


def negated_entity_ids(ann: BratAnnotations) -> frozenset[str]:
    """Ids of entities marked negative, directly or through the event they trigger.

    Recognises ``Negation``/``Negated`` binary attributes and ``POLARITY ... NEG``.
    """
    trigger_of = {ev.id: ev.trigger for ev in ann.events}
    out: set[str] = set()
    for att in ann.attributes:
        name = att.name.lower()
        is_neg = name in ("negation", "negated") and (
            att.value is None or att.value.upper() in _NEGATIVE_VALUES
        )
        is_neg = is_neg or (name == "polarity" and (att.value or "").upper() == "NEG")
        if is_neg:
            out.add(trigger_of.get(att.target, att.target))
    return frozenset(out)


# ---------------------------------------------------------------------------
# Imaging modality terms (data file)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityTerms:
    """Compiled modality matcher; build with `parse_modalities` or `load_modalities`."""

    terms: tuple[str, ...]
    pattern_ci: re.Pattern[str] | None
    pattern_cs: re.Pattern[str] | None

    def search(self, text: str) -> bool:
        return bool(
            (self.pattern_ci is not None and self.pattern_ci.search(text))
            or (self.pattern_cs is not None and self.pattern_cs.search(text))
        )


def _term_regex(term: str) -> str:
    prefix = term.endswith("*")
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    tail = r"\w*" if prefix else ""
    return rf"(?<![^\W_]){body}{tail}(?![^\W_])"


def parse_modalities(lines: Iterable[str]) -> ModalityTerms:
    """Compile modality terms (format described in imaging_modalities.txt)."""
    terms: list[str] = []
    for raw in lines:
        term = raw.split("#", 1)[0].strip()
        if term:
            terms.append(term)
    if not terms:
        raise ValueError("imaging modality list is empty")
    ci = [t for t in terms if t == t.lower()]
    cs = [t for t in terms if t != t.lower()]
    # Longest first so alternation prefers the longer term (only matters for readability).
    p_ci = re.compile("|".join(_term_regex(t) for t in sorted(ci, key=len, reverse=True)), re.I) if ci else None
    p_cs = re.compile("|".join(_term_regex(t) for t in sorted(cs, key=len, reverse=True))) if cs else None
    return ModalityTerms(tuple(terms), p_ci, p_cs)


@lru_cache(maxsize=4)
def load_modalities(path: str | None = None) -> ModalityTerms:
    """Load the modality list; default: the packaged ``imaging_modalities.txt``."""
    if path is None:
        text = (resources.files("pipeline") / "resources" / "imaging_modalities.txt").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return parse_modalities(text.splitlines())


def names_imaging_modality(text: str, modalities: ModalityTerms | None = None) -> bool:
    """True if ``text`` (a Diagnostic_procedure mention) names an imaging modality."""
    return (modalities or load_modalities()).search(text)


# ---------------------------------------------------------------------------
# Mapping and span policy
# ---------------------------------------------------------------------------


def map_entities(
    doc_id: str,
    ann: BratAnnotations,
    doc_text: str | None = None,
    modalities: ModalityTerms | None = None,
) -> list[GoldMention]:
    """Map brat entities to category mentions (policy step 1: covering spans).

    ``doc_text`` (the ``.txt`` contents) is used for the mention text; without it the
    annotation's own text field is used. Unmapped types are dropped.
    """
    mods = modalities or load_modalities()
    negated = negated_entity_ids(ann)
    out: list[GoldMention] = []
    for ent in ann.entities:
        if ent.type in TYPE_TO_CATEGORY:
            category = TYPE_TO_CATEGORY[ent.type]
        elif ent.type == IMAGING_SOURCE_TYPE:
            frag_text = (
                " ".join(doc_text[s:e] for s, e in ent.fragments) if doc_text is not None else ent.text
            )
            if not mods.search(frag_text):
                continue
            category = "imaging"
        else:
            continue
        text = doc_text[ent.start : ent.end] if doc_text is not None else ent.text
        out.append(GoldMention(doc_id, ent.start, ent.end, category, text, ent.id in negated, ent.type))
    return sorted(set(out))


def _resolve(mentions: Sequence[GoldMention], same_category_only: bool) -> list[GoldMention]:
    # Longest first; ties: category priority, then earliest start.
    order = sorted(
        mentions,
        key=lambda m: (m.doc_id, -(m.end - m.start), CATEGORY_PRIORITY.get(m.category, 9), m.start),
    )
    kept: list[GoldMention] = []
    for m in order:
        clash = any(
            k.doc_id == m.doc_id
            and k.start < m.end
            and m.start < k.end
            and (not same_category_only or k.category == m.category)
            for k in kept
        )
        if not clash:
            kept.append(m)
    return sorted(kept, key=lambda m: (m.doc_id, m.start, m.end, m.category))


def gold_mentions(mentions: Sequence[GoldMention]) -> list[GoldMention]:
    """Policy step 2: merge same-category overlaps into the longest mention."""
    return _resolve(mentions, same_category_only=True)


def flatten(mentions: Sequence[GoldMention]) -> list[GoldMention]:
    """Policy step 3: a non-overlapping layer for flat NER training."""
    return _resolve(mentions, same_category_only=False)


def read_document(ann_path: Path, modalities: ModalityTerms | None = None) -> tuple[str, list[GoldMention]]:
    """Read ``<id>.txt`` + ``<id>.ann``; return the text and its gold mentions (policy 1+2)."""
    txt_path = ann_path.with_suffix(".txt")
    doc_text = txt_path.read_text("utf-8")
    ann = parse_ann(ann_path.read_text("utf-8"))
    return doc_text, gold_mentions(map_entities(ann_path.stem, ann, doc_text, modalities))


def read_split(corpus_dir: Path, split: str) -> list[str]:
    """Document ids of a MACCROBAT split (``splits/<split>.txt``), in file order."""
    lines = (corpus_dir / "splits" / f"{split}.txt").read_text("utf-8").split()
    return [x.strip() for x in lines if x.strip()]
