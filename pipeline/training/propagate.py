"""Document-level label propagation after the statistical NER (a post-rule).

Registers the spaCy factory ``case_entity_propagation``. Case reports repeat their terms
and abbreviations; the model often labels a term once and misses a later repetition.
Two rules, applied to ``doc.ents`` in this order:

1. Abbreviation definitions: an entity immediately followed by ``( SHORT )``, where
   SHORT is 1-2 tokens with an upper-case letter and no entity, gives SHORT the
   entity's label ("non-small cell lung cancer (NSCLC)").
2. Repetitions: every other occurrence of an entity's exact token sequence (same case;
   at least 2 characters) that overlaps no entity gets the same label. A text labelled
   with two different labels in the document is not propagated.

Reads and writes ``doc.ents`` (existing entities are never changed or removed).
Pure functions `abbreviation_spans` and `repetition_spans` do the work on token indices.
"""

from collections import defaultdict
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

TokenSpan = tuple[int, int, str]


def abbreviation_spans(words: Sequence[str], ents: Sequence[TokenSpan]) -> list[TokenSpan]:
    taken = [False] * len(words)
    for s, e, _ in ents:
        for i in range(s, e):
            taken[i] = True
    out: list[TokenSpan] = []
    for _, e, label in ents:
        if e < len(words) and words[e] == "(":
            for n in (1, 2):
                close = e + 1 + n
                if close < len(words) and words[close] == ")":
                    inner = range(e + 1, close)
                    short = "".join(words[i] for i in inner)
                    if any(c.isupper() for c in short) and not any(taken[i] for i in inner):
                        out.append((e + 1, close, label))
                        for i in inner:
                            taken[i] = True
                    break
    return out


def repetition_spans(words: Sequence[str], ents: Sequence[TokenSpan]) -> list[TokenSpan]:
    labels_of: dict = defaultdict(set)
    for s, e, label in ents:
        labels_of[tuple(words[s:e])].add(label)
    taken = [False] * len(words)
    for s, e, _ in ents:
        for i in range(s, e):
            taken[i] = True
    out: list[TokenSpan] = []
    by_first: dict = defaultdict(list)
    for key, labels in labels_of.items():
        if len(labels) == 1 and len("".join(key)) >= 2:
            by_first[key[0]].append((key, next(iter(labels))))
    for i, w in enumerate(words):
        for key, label in sorted(by_first.get(w, ()), key=lambda kl: -len(kl[0])):
            j = i + len(key)
            if tuple(words[i:j]) == key and not any(taken[i:j]):
                out.append((i, j, label))
                for k in range(i, j):
                    taken[k] = True
                break
    return out


def propagate(words: Sequence[str], ents: Sequence[TokenSpan]) -> list[TokenSpan]:
    """Entities plus propagated ones (token spans, sorted)."""
    ents = list(ents)
    ents += abbreviation_spans(words, ents)
    ents += repetition_spans(words, ents)
    return sorted(ents)


class EntityPropagation:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        words = [t.text for t in doc]
        current = [(e.start, e.end, e.label_) for e in doc.ents]
        new = propagate(words, current)
        if len(new) != len(current):
            keep = {(e.start, e.end, e.label_) for e in doc.ents}
            spans = list(doc.ents) + [Span(doc, s, e, label=lab) for s, e, lab in new if (s, e, lab) not in keep]
            doc.ents = sorted(spans, key=lambda sp: sp.start)
        return doc


@Language.factory("case_entity_propagation", assigns=["doc.ents"], requires=["doc.ents"])
def make_entity_propagation(nlp: Language, name: str) -> EntityPropagation:
    return EntityPropagation(name)
