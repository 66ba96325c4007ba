"""Coding details of a mention beyond its concept: laterality, levels, body region, kind.

Input: a spaCy entity `Span` (with its Doc) and, for imaging, the Doc's other entities.
Output: plain strings. Pure functions, no I/O.

- `laterality`: left, right or bilateral, from the mention and the three words before it
  ("12th left rib", "both sacroiliac joints", "left and right tibial metaphysis").
- `levels`: vertebral levels in canonical form (T12; dorsal D5-D6 -> T5-T6; C/T/L/S) and
  numbered ribs/metatarsals/digits ("12th left rib" -> rib 12), from the mention and the
  words around it within the sentence.
- `body_region`: for an imaging mention, the anatomy entity right before or after it in
  the same sentence ("sacroiliac joints MRI", "MRI of the knee"), as the text names it.
- `treatment_kind`: drug, procedure, radiotherapy or other, from the concept's kind and
  the words of the mention.
"""

from __future__ import annotations

import re

from spacy.tokens import Span

_LEFT = re.compile(r"\b(left|lt\.?|sinistral)\b", re.I)
_RIGHT = re.compile(r"\b(right|rt\.?|dextral)\b", re.I)
_BOTH = re.compile(r"\b(bilateral|bilaterally|both)\b", re.I)
_VERTEBRA = re.compile(
    r"(?<![A-Za-z0-9])([CTLSD])\s?(\d{1,2})(?:\s*(?:-|\u2013|/|to)\s*([CTLSD])?\s?(\d{1,2}))?(?![A-Za-z0-9])"
)
_LIMITS = {"C": 7, "T": 12, "L": 5, "S": 5}
_ORDINAL_PART = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)\s+(?:(?:left|right)\s+)?(rib|metatarsal|metacarpal|toe|finger|intercostal space|cervical vertebra|thoracic vertebra|lumbar vertebra)s?\b",
    re.I,
)
_RADIO = re.compile(r"radiotherap|radiation|irradiat|radiosurg|brachytherap|proton therap", re.I)


def _window(ent: Span, before: int, after: int) -> str:
    sent = ent.sent if ent.doc.has_annotation("SENT_START") else ent.doc[:]
    start = max(sent.start, ent.start - before)
    end = min(sent.end, ent.end + after)
    return ent.doc[start:end].text


def laterality(ent: Span) -> str:
    text = _window(ent, 3, 0)
    left, right = bool(_LEFT.search(text)), bool(_RIGHT.search(text))
    if _BOTH.search(text) or (left and right):
        return "bilateral"
    return "left" if left else "right" if right else ""


def normalise_levels(text: str) -> list[str]:
    """Canonical levels named in `text`: ["T5-T6"], ["T12"], ["rib 12"]."""
    found: list[str] = []
    for m in _VERTEBRA.finditer(text):
        region = "T" if m.group(1) == "D" else m.group(1)
        first = int(m.group(2))
        if not 1 <= first <= _LIMITS[region]:
            continue
        level = f"{region}{first}"
        if m.group(4):
            region2 = m.group(3) or region
            region2 = "T" if region2 == "D" else region2
            second = int(m.group(4))
            if 1 <= second <= _LIMITS[region2]:
                level = f"{level}-{region2}{second}"
        found.append(level)
    for m in _ORDINAL_PART.finditer(text):
        found.append(f"{m.group(2).lower()} {int(m.group(1))}")
    return list(dict.fromkeys(found))


def levels(ent: Span) -> str:
    return ";".join(normalise_levels(_window(ent, 3, 2)))


def body_region(ent: Span) -> str:
    """Anatomy named right before/after an imaging mention, in the same sentence."""
    sent_start = ent.sent.start if ent.doc.has_annotation("SENT_START") else 0
    sent_end = ent.sent.end if ent.doc.has_annotation("SENT_START") else len(ent.doc)
    before = [e for e in ent.doc.ents if e.label_ == "ANATOMY" and sent_start <= e.start and 0 <= ent.start - e.end <= 1]
    if before:
        return before[-1].text.lower()
    after = [
        e
        for e in ent.doc.ents
        if e.label_ == "ANATOMY" and e.end <= sent_end and 0 <= e.start - ent.end <= 3
        and all(t.lower_ in ("of", "the", "both", "left", "right", "whole", "-") for t in ent.doc[ent.end : e.start])
        and ent.end < e.start
    ]
    return after[0].text.lower() if after else ""


def treatment_kind(ent: Span, concept_kind: str) -> str:
    if _RADIO.search(ent.text) or concept_kind == "radiotherapy":
        return "radiotherapy"
    if concept_kind in ("drug", "procedure"):
        return concept_kind
    return "other"
