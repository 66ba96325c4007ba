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

import functools
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


# --- mention-text normalisation for concept look-up -------------------------------------

_LATERAL_WORDS = frozenset({"left", "right", "bilateral", "both", "lt", "rt", "the", "his", "her"})
_IRREGULAR_SINGULAR = {"testicles": "testis", "testes": "testis", "feet": "foot", "teeth": "tooth",
                       "vertebrae": "vertebra", "bones": "bone", "phalanges": "phalanx", "metastases": "metastasis"}
_SEVERITY = frozenset({"severe", "mild", "moderate", "acute", "chronic", "progressive", "recurrent", "multiple"})


def singular(word: str) -> str:
    """English singular of a (lower-case) noun; unchanged when unsure."""
    low = word.lower()
    if low in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[low]
    if len(low) > 4 and low.endswith("ies"):
        return low[:-3] + "y"
    if len(low) > 4 and low.endswith(("ses", "xes", "ches", "shes")) and not low.endswith("oses"):
        return low[:-2]
    if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "sis")):
        return low[:-1]
    return low


def lookup_variants(words: list[str], category: str) -> list[list[str]]:
    """Word lists to try in order after the text itself: laterality and determiners out
    (laterality is an attribute, not part of the concept), then the last word singular;
    for diagnoses also severity/chronicity adjectives out (they never change the disease)."""
    out: list[list[str]] = []
    base = [w for w in words if w.lower() not in _LATERAL_WORDS] if category in ("anatomy", "diagnosis") else list(words)
    for cand in (base, [*base[:-1], singular(base[-1])] if base else []):
        if cand and cand != words and cand not in out:
            out.append(cand)
    if category == "imaging":
        # head-noun back-off: "transthoracic echocardiography", "coronary angiography"
        # name their modality in the last words; the body part is a separate mention.
        out += [words[i:] for i in range(1, len(words)) if words[i:] not in out]
    if category == "diagnosis":
        for cand in list(out) or [words]:
            stripped = [w for w in cand if w.lower() not in _SEVERITY]
            if stripped and stripped != cand and stripped not in out:
                out.append(stripped)
                if [*stripped[:-1], singular(stripped[-1])] not in out:
                    out.append([*stripped[:-1], singular(stripped[-1])])
    return out


# --- ICD-10-CM: most specific code the text supports --------------------------------------

_ICD_TAIL = re.compile(r",? (unspecified|not elsewhere classified|unspecified site)\b.*$", re.I)


def uninvert(term: str) -> str:
    """MeSH inverted headings read as phrases: 'Osteoma, Osteoid' -> 'Osteoid Osteoma'."""
    parts = [p.strip() for p in term.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and parts[1] else term


def _icd_key(text: str) -> str:
    text = text.replace("\u2019", "'").lower()
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)
    return " ".join(singular(w) for w in words)


@functools.lru_cache(maxsize=1)
def _icd_index() -> dict[str, str]:
    """Normalised title -> code over all ICD-10-CM codes (chapters A-Q, T14 injury NOS).

    A title 'X, unspecified ...' / 'X, not elsewhere classified' also files X: that is
    the code a coder gives X without further detail. On a clash the shorter code wins
    (the category, which `billable` then resolves to its unspecified child).
    """
    import simple_icd_10_cm as icd

    index: dict[str, str] = {}
    for code in icd.get_all_codes(True):
        if not icd.is_category_or_subcategory(code) or code[:1] not in "ABCDEFGHIJKLMNOPQ":
            continue
        desc = icd.get_description(code)
        for title in {desc, _ICD_TAIL.sub("", desc)}:
            key = _icd_key(title)
            if key and (key not in index or (len(code), code) < (len(index[key]), index[key])):
                index[key] = code
    return index


def billable(code: str) -> str:
    """A category/subcategory resolved down its 'unspecified' children to a leaf code."""
    import simple_icd_10_cm as icd

    while not icd.is_leaf(code):
        children = icd.get_children(code)
        # 7th-character extensions: the initial encounter (A), never sequela/subsequent
        children = [c for c in children if not re.search(r"sequela|subsequent", icd.get_description(c), re.I)]
        unspecified = [c for c in children if "unspecified" in icd.get_description(c).lower() or len(children) == 1]
        if not unspecified:
            return code
        # the NOS child: 'unspecified' with the fewest extra words (no site/laterality)
        code = min(unspecified, key=lambda c: (len(icd.get_description(c)), c))
    return code


def icd10cm_code(texts: list[str]) -> str | None:
    """ICD-10-CM code for the first of `texts` whose normalised form is a code title."""
    index = _icd_index()
    for text in texts:
        code = index.get(_icd_key(uninvert(text))) if text else None
        if code is not None:
            return billable(code)
    return None


def icd10cm_title(code: str) -> str:
    import simple_icd_10_cm as icd

    return icd.get_description(code)
