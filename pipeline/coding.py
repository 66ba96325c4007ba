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
import importlib.resources
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


@functools.lru_cache(maxsize=1)
def lookup_words() -> dict[str, frozenset[str]]:
    """role -> words, from `resources/lexicons/curated/lookup_words.tsv` (validated)."""
    resource = importlib.resources.files("pipeline") / "resources" / "lexicons" / "curated" / "lookup_words.tsv"
    lines = resource.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split("\t")[:2] != ["word", "role"]:
        raise ValueError("lookup_words.tsv: header must start with word<TAB>role")
    roles: dict[str, set[str]] = {role: set() for role in _LOOKUP_ROLES}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) < 2 or cells[1] not in roles or not cells[0] or cells[0] != cells[0].lower():
            raise ValueError(f"lookup_words.tsv:{number}: need a lower-case word and a role in {sorted(roles)}")
        roles[cells[1]].add(cells[0])
    return {role: frozenset(words) for role, words in roles.items()}


_LOOKUP_ROLES = ("quantifier", "part", "head", "position")
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its", "this", "that"})


def _with_singular(cand: list[str]) -> list[list[str]]:
    return [cand, [*cand[:-1], singular(cand[-1])]] if cand else []


def _anatomy_variants(base: list[str]) -> list[list[str]]:
    """'four limbs' -> limbs; 'right ventricle of his heart' -> right ventricle, heart;
    'proximal to the ileocaecal junction' -> ileocaecal junction; 'ileal loops' -> ileal."""
    roles = lookup_words()
    words = [w for w in base if w.lower() not in roles["quantifier"]]
    out = _with_singular(words)
    low = [w.lower() for w in words]
    for i, w in enumerate(low):
        if w in ("of", "to") and 0 < i < len(words) - 1:
            before = [x for x in words[:i] if x.lower() not in roles["position"]]
            after = [x for x in words[i + 1 :] if x.lower() not in _DETERMINERS]
            out += _with_singular(before) + _with_singular(after)
    for cand in list(out):
        trimmed = list(cand)
        while len(trimmed) > 1 and trimmed[-1].lower() in roles["part"]:
            trimmed = trimmed[:-1]
        if trimmed != cand:
            out.append(trimmed)
    return out


def lookup_variants(words: list[str], category: str) -> list[list[str]]:
    """Word lists to try in order after the text itself: laterality and determiners out
    (laterality is an attribute, not part of the concept), then the last word singular;
    for anatomy also counts/ordinals out, 'X of Y' as X then Y, and a trailing generic
    part noun out (wall, loops, region: `curated/lookup_words.tsv`); for diagnoses
    severity/chronicity adjectives out (they never change the disease)."""
    out: list[list[str]] = []
    base = [w for w in words if w.lower() not in _LATERAL_WORDS] if category in ("anatomy", "diagnosis") else list(words)
    # anatomy: parts of 'right ventricle of his heart' keep their side first
    cands = [*_anatomy_variants(words), *_anatomy_variants(base)] if category == "anatomy" else _with_singular(base)
    for cand in cands:
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
_ICD_CHAPTERS = "ABCDEFGHIJKLMNOPQRST"  # diseases, symptoms (R), injuries (S-T); not V-Z
_ICD_SIDED = re.compile(r"\b(right|left)\b", re.I)
_ICD_PAREN = re.compile(r"\s*[(\[]([^)\]]*)[)\]]")
# words that carry no meaning for matching: 'Cirrhosis (of liver) NOS' = 'cirrhosis'
_ICD_FILLER = frozenset({"of", "the", "a", "an", "nos", "unspecified", "site", "in", "to", "and", "or", "s"})
# match priority (smaller wins): an inclusion term 'X NOS' is the classification's own
# default for X; then the title itself; then the title without its 'unspecified' tail;
# then any other inclusion term.
_NOS, _TITLE, _TAIL, _INCLUDED = range(4)


def uninvert(term: str) -> str:
    """MeSH inverted headings read as phrases: 'Osteoma, Osteoid' -> 'Osteoid Osteoma'."""
    parts = [p.strip() for p in term.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and parts[1] else term


def _icd_words(text: str) -> frozenset[str]:
    """Bag of normalised words: lower case, American spelling, singular, filler out."""
    from pipeline.lexicon import normalise_key

    text = text.replace("\u2019", "'").replace("'s ", " ").lower()
    words = normalise_key(re.findall(r"[a-z0-9]+", text)).split()
    return frozenset(singular(w) for w in words if w not in _ICD_FILLER)


def _icd_variants(text: str) -> list[str]:
    """'Cirrhosis (of liver) NOS' -> with and without the bracketed words; a bracket that
    names the condition itself ('Photocontact dermatitis [berloque dermatitis]') too."""
    out = [_ICD_PAREN.sub(" ", text), _ICD_PAREN.sub(r" \1", text)]
    out += [m.group(1) for m in _ICD_PAREN.finditer(text) if len(m.group(1).split()) > 1]
    return list(dict.fromkeys(" ".join(o.split()) for o in out if o.strip()))


@functools.lru_cache(maxsize=1)
def _icd_index() -> tuple[dict[frozenset[str], tuple[int, int, str]], dict[str, list[frozenset[str]]]]:
    """Word bag -> (priority, code length, code) over ICD-10-CM chapters A-T, and the
    inverted index word -> bags for the token-set (subset) search.

    Titles naming a side (right/left) are skipped: laterality is an attribute, and the
    side-less sibling is always there. On a clash the best (priority, length, code) wins.
    """
    import simple_icd_10_cm as icd

    index: dict[frozenset[str], tuple[int, int, str]] = {}

    def put(text: str, rank: int, code: str) -> None:
        for variant in _icd_variants(text):
            bag = _icd_words(variant)
            entry = (rank, len(code), code)
            if bag and (bag not in index or entry < index[bag]):
                index[bag] = entry

    for code in icd.get_all_codes(True):
        if code[:1] not in _ICD_CHAPTERS or icd.is_chapter_or_block(code):
            continue
        desc = icd.get_description(code)
        if _ICD_SIDED.search(desc):
            continue
        put(desc, _TITLE, code)
        put(_ICD_TAIL.sub("", desc), _TAIL, code)
        for term in icd.get_inclusion_term(code):
            if _ICD_SIDED.search(term):
                continue
            put(term, _NOS if re.search(r"\bNOS\b", term) else _INCLUDED, code)
    postings: dict[str, list[frozenset[str]]] = {}
    for bag in sorted(index, key=lambda b: index[b]):
        for word in bag:
            postings.setdefault(word, []).append(bag)
    return index, postings


def icd10cm_exact(texts: list[str]) -> str | None:
    """Billable code of the first text whose word bag is an ICD-10-CM title or inclusion term."""
    index, _ = _icd_index()
    for text in texts:
        hit = index.get(_icd_words(uninvert(text))) if text else None
        if hit is not None:
            return billable(hit[2])
    return None


_MAX_EXTRA_WORDS = 1


def icd10cm_subset(texts: list[str]) -> str | None:
    """Token-set back-off: the entry holding every word of the text with the fewest extra
    words (at most one: 'tuberculosis' -> 'respiratory tuberculosis'); ties go to the most
    general code (shortest), then the classification's order, which lists the common
    default first (A15 respiratory before A19 miliary tuberculosis)."""
    index, postings = _icd_index()
    for text in texts:
        bag = _icd_words(uninvert(text)) if text else frozenset()
        if not bag or any(w not in postings for w in bag):
            continue
        rarest = min(bag, key=lambda w: len(postings[w]))
        best = None
        for cand in postings[rarest]:
            extra = len(cand) - len(bag)
            if 0 < extra <= _MAX_EXTRA_WORDS and bag <= cand:
                _, length, code = index[cand]
                key = (extra, length, code)
                if best is None or key < best:
                    best = key
        if best is not None:
            return billable(best[2])
    return None


def icd10cm_code(texts: list[str]) -> str | None:
    """ICD-10-CM code for `texts`: an exact title/inclusion-term match for any of them,
    else the token-set back-off."""
    return icd10cm_exact(texts) or icd10cm_subset(texts)


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
        # (J96.90 'unspecified, unspecified whether with hypoxia or hypercapnia' over
        # J96.91 'unspecified with hypoxia'): most 'unspecified', then shortest title
        code = min(unspecified, key=lambda c: (-icd.get_description(c).lower().count("unspecified"), len(icd.get_description(c)), c))
    return code


def icd10cm_title(code: str) -> str:
    import simple_icd_10_cm as icd

    return icd.get_description(code)


def warm_up() -> None:
    """Build the lazily built look-up structures now (before forking worker processes,
    so every worker inherits them instead of spending ~1.5 s rebuilding them)."""
    lookup_words()
    _icd_index()
