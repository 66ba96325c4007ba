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

import collections
import functools
import itertools
import math
import re
import unicodedata

from spacy.tokens import Span

from pipeline import icd_data, resources

_CURATED = ("lexicons", "curated")  # below pipeline/resources
_CODING = (*_CURATED, "coding")
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
                       "vertebrae": "vertebra", "bones": "bone", "phalanges": "phalanx", "metastases": "metastasis",
                       "thrombi": "thrombus", "emboli": "embolus", "calculi": "calculus", "bacilli": "bacillus",
                       "crises": "crisis", "causes": "cause", "abuses": "abuse", "doses": "dose"}
_SEVERITY = frozenset({"severe", "mild", "moderate", "acute", "chronic", "progressive", "recurrent", "multiple",
                       # extent and novelty never change the disease ('massive pulmonary embolism')
                       "massive", "huge", "extensive", "significant", "minimal", "new-onset", "worsening"})
# size words dropped like severity words ('large pericardial effusion'), except where they
# name the thing ('small cell carcinoma', 'small vessel disease', 'large B-cell lymphoma')
_SIZE = frozenset({"large", "small"})
_SIZE_NAMES = frozenset({"cell", "cells", "vessel", "vessels", "b-cell", "bowel", "intestine", "intestinal", "airway",
                         "airways", "fiber", "fibre", "for"})


def _without_severity(words: list[str], dropped: frozenset[str] | set[str]) -> list[str]:
    """The words without severity/default words and size words that do not name a thing."""
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if low in dropped or (low in _SIZE and nxt and nxt not in _SIZE_NAMES):
            continue
        out.append(w)
    return out


def singular(word: str) -> str:
    """English singular of a (lower-case) noun; unchanged when unsure."""
    low = word.lower()
    if low in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[low]
    if len(low) > 4 and low.endswith("ies"):
        return low[:-3] + "y"
    if len(low) > 6 and low.endswith("oses"):
        return low[:-2] + "is"  # diagnoses, stenoses, anastomoses
    if len(low) > 4 and low.endswith(("sses", "uses", "xes", "ches", "shes")):
        return low[:-2]  # abscesses, viruses, reflexes, patches
    if len(low) > 4 and low.endswith("ses") and not low.endswith("oses"):
        return low[:-1]  # diseases, cases, lapses (not 'diseas')
    if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "sis")):
        return low[:-1]
    return low


@functools.lru_cache(maxsize=1)
def lookup_words() -> dict[str, frozenset[str]]:
    """role -> words, from `resources/lexicons/curated/lookup_words.tsv` (validated)."""
    file = resources.path(*_CURATED, "lookup_words.tsv")
    roles: dict[str, set[str]] = {role: set() for role in _LOOKUP_ROLES}
    for row in resources.read_tsv(file, ("word", "role")):
        if row["role"] not in roles or row["word"] != row["word"].lower():
            raise ValueError(f"{file}: {row['word']!r}: need a lower-case word and a role in {sorted(roles)}")
        roles[row["role"]].add(row["word"])
    return {role: frozenset(words) for role, words in roles.items()}


_LOOKUP_ROLES = ("quantifier", "part", "head", "position")
_IMAGING_GENERIC = frozenset({"scan", "scans", "scanning", "study", "studies", "image", "images", "imaging",
                              "examination", "examinations", "exam", "exams", "finding", "findings", "test"})
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
    # (round 4) an organ adjective as its noun ('upper pulmonary lobe' -> 'upper lung
    # lobe': `curated/coding/icd_words.tsv` `same` rows), then leading position words off
    # ('distal LAD' -> LAD, 'upper abdomen' -> abdomen): tried after everything above
    organ = {a: n for a, n in icd_words()["same"].items() if _ADJECTIVE.search(a) and " " not in n}
    for cand in list(out):
        named = [organ.get(w.lower(), w) for w in cand]
        if named != cand and named not in out:
            out.append(named)
    for cand in list(out):
        k = 0
        while k < len(cand) - 1 and cand[k].lower() in roles["position"] | _VERTICAL:
            k += 1
        if k and cand[k:] not in out:
            out.append(cand[k:])
    return out


_VERTICAL = frozenset({"upper", "lower", "superior", "inferior"})


def _bracket_variants(words: list[str]) -> list[list[str]]:
    """A bracketed word inside a mention restates or narrows the word before it: the
    mention without it, then with it in that word's place ('left ventricular (LV)
    failure' -> 'left ventricular failure'; 'neuroendocrine (carcinoid) tumor' ->
    'neuroendocrine tumor', 'carcinoid tumor'); a mention that is all bracket, its inside."""
    if "(" not in words or ")" not in words:
        return []
    i = words.index("(")
    j = words.index(")", i) if ")" in words[i:] else -1
    if j < 0:
        return []
    inside, outside = words[i + 1 : j], words[:i] + words[j + 1 :]
    if not outside:
        return [inside] if inside else []
    out = [outside]
    if len(inside) == 1 and i > 0:
        out.append(words[: i - 1] + inside + words[j + 1 :])
    return out


def _short_form_variants(words: list[str]) -> list[list[str]]:
    """A short form inside a longer diagnosis mention read as its usual sense ('PRES
    syndrome' -> 'posterior reversible encephalopathy syndrome': the head word the short
    form already holds is not repeated)."""
    if len(words) < 2:
        return []
    for i, w in enumerate(words):
        long_form = _short_form_sense("diagnosis", w) if len(w) > 1 and w.isupper() else None
        if long_form is None:
            continue
        lf = long_form.split()
        rest = words[i + 1 :]
        if rest and singular(rest[0].lower()) == singular(lf[-1].lower()):
            rest = rest[1:]
        return [words[:i] + lf + rest]
    return []


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
        # ... or in the words before a generic last word: 'computed tomographic scan',
        # 'ultrasound examination'
        if len(words) > 1 and words[-1].lower() in _IMAGING_GENERIC:
            out += [c for c in (words[:-1], *(words[i:-1] for i in range(1, len(words) - 1))) if c not in out]
    if category == "diagnosis":
        for cand in [words, *out]:
            for variant in _bracket_variants(cand) + _short_form_variants(cand):
                if variant and variant != words and variant not in out:
                    out.append(variant)
        # the classification's defaults (idiopathic, primary) go with the severity words:
        # 'juvenile idiopathic arthritis' is 'Juvenile arthritis'
        dropped = _SEVERITY | icd_words()["default"].keys()
        for cand in list(out) or [words]:
            stripped = _without_severity(cand, dropped)
            if stripped and stripped != cand and stripped not in out:
                out.append(stripped)
                if [*stripped[:-1], singular(stripped[-1])] not in out:
                    out.append([*stripped[:-1], singular(stripped[-1])])
        # 'polycystic kidney disease' is the title 'Polycystic kidney': a trailing
        # 'disease' tried off (only an exact title matches such a variant first)
        for cand in list(out) or [words]:
            eponym = len(cand) == 2 and cand[0][:1].isupper() and not cand[0].isupper()  # 'Kawasaki disease'
            if (len(cand) > 2 or eponym) and cand[-1].lower() in ("disease", "diseases") and cand[:-1] not in out:
                out.append(cand[:-1])
        # an eponym names one condition whether it is called a disease or a syndrome
        # ('Leigh syndrome' = "Leigh's disease"; 'Sweet syndrome' = '... [Sweet]')
        for cand in [words, *out]:
            if len(cand) == 2 and cand[0][:1].isupper() and not cand[0].isupper() and cand[1].lower() == "syndrome":
                for variant in ([cand[0], "disease"], [cand[0]]):
                    if variant not in out:
                        out.append(variant)
    return out


# --- ICD-10-CM: most specific code the text supports --------------------------------------

_ICD_TAIL = re.compile(r",? (unspecified|not elsewhere classified|unspecified site|site not specified)\b.*$", re.I)
# ', valve unspecified', ', part unspecified': 'Endocarditis, valve unspecified' is endocarditis
_ICD_PART_UNSPECIFIED = re.compile(r", [a-z]+ unspecified\b", re.I)
# a tail cut that leaves a dangling function word ('Sepsis due to [unspecified
# staphylococcus]') would file the title under a broader bag: not indexed
_ICD_DANGLING = re.compile(r"\b(due to|of|with|in|by|to|from|and|or|as)\s*$", re.I)
_ICD_CHAPTERS = "ABCDEFGHIJKLMNOPQRSTU"  # diseases, symptoms (R), injuries (S-T), U07.1 COVID-19; not V-Z
# manifestation codes, never coded alone ('Glomerular disorders in diseases classified elsewhere')
_ICD_MANIFESTATION = re.compile(r"\bin (?:other )?diseases classified elsewhere\b", re.I)
_ICD_SIDED = re.compile(r"\b(right|left)\b(?! (?:bundle|heart|ventricular|(?:anterior |posterior )?fascicular)\b)", re.I)
# (a side that names the condition is no laterality: 'Left bundle-branch block' I44.7,
# 'Right heart failure' I50.81-, 'Left ventricular failure' I50.1)
_ICD_PAREN = re.compile(r"\s*[(\[]([^)\]]*)[)\]]")
# words that carry no meaning for matching: 'Cirrhosis (of liver) NOS' = 'cirrhosis'
_ICD_FILLER = frozenset({"of", "the", "a", "an", "nos", "unspecified", "site", "in", "to", "and", "or", "s", "due", "its"})
# 'Malignant neoplasm of kidney, except renal pelvis': what follows 'except' is excluded
_ICD_EXCEPT = re.compile(r"\bexcept\b.*$", re.I)
_ICD_WORD_ROLES = ("same", "rewrite", "head", "default", "population")
# match priority (smaller wins): an inclusion term 'X NOS' is the classification's own
# default for X; then the title itself; then the title without its 'unspecified' tail;
# then any other inclusion term.
_NOS, _TITLE, _TAIL, _INCLUDED, _CONJUNCT = range(5)
# a title joining two conditions ('Acromegaly and pituitary gigantism', 'Sinus, fistula
# and cyst ...' is not one: it names a site) also files each of them, below every other
# entry: only where the classification has no title of its own for it
_CONJUNCT_TITLE = re.compile(r"^([A-Za-z'-]+(?: [A-Za-z'-]+)?) and ([A-Za-z'-]+(?: [A-Za-z'-]+)?)$")
_NOT_CONJUNCT = frozenset({"of", "with", "without", "due", "to", "in", "other", "unspecified", "acute", "chronic",
                           "and", "or", "by", "for", "from", "not", "elsewhere", "classified", "right", "left"})


def _conjuncts(title: str) -> list[str]:
    """The two conditions of a title 'A and B' (A one noun, B one or two words; no site,
    course or population words): 'Acromegaly and pituitary gigantism' -> acromegaly,
    pituitary gigantism. Not 'Hereditary and idiopathic neuropathy' (A is an adjective
    shared by both) nor 'Measles keratitis and keratoconjunctivitis' (a shared modifier),
    nor a generic word alone ('Muscle wasting and atrophy')."""
    m = _CONJUNCT_TITLE.match(title.strip(" ,"))
    words = [w.lower() for w in title.replace(",", " ").split() if w.lower() != "and"]
    if not m or " " in m.group(1) or any(w in _NOT_CONJUNCT for w in words):
        return []
    first = m.group(1)
    population = icd_words()["population"]
    if _ADJECTIVE.search(first) or any(w in population for w in _icd_word_list(title)):
        return []
    parts = [first, m.group(2)]
    if any(_icd_words(p) <= _GENERIC_HEADS or _icd_words(p) & _NOT_A_CONDITION for p in parts):
        return []
    return parts


# words of 'A and B' titles that make a part no condition of its own ('Cheek and lip
# biting', 'Mastoiditis and related conditions', 'Voice and resonance disorders')
_NOT_A_CONDITION = frozenset({"cheek", "lip", "voice", "attention", "strange", "vasomotor", "related", "similar",
                              "following", "poor", "marked"})


def uninvert(term: str) -> str:
    """MeSH inverted headings read as phrases: 'Osteoma, Osteoid' -> 'Osteoid Osteoma'."""
    parts = [p.strip() for p in term.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and parts[1] else term


@functools.lru_cache(maxsize=1)
def icd_words() -> dict[str, dict[str, str]]:
    """role -> {word or phrase: target}, from `resources/lexicons/curated/icd_words.tsv`:
    `same` (an adjective and its organ noun, read as one word on both sides: renal =
    kidney), `rewrite` (a phrase tried as its ICD-10-CM Index cross-reference when the
    text itself fails: trauma -> injury), `default` (an extra title word the classification
    assumes when the text says nothing: nonrheumatic), `population` (an extra title word
    the back-off never assumes: newborn, pregnancy) and `head` (a generic word as the
    titles say it, tried only after the one-extra-word back-off: dysfunction -> disorder,
    so 'erectile dysfunction' stays N52.9 and 'autonomic dysregulation' reaches G90.9)."""
    file = resources.path(*_CODING, "icd_words.tsv")
    roles: dict[str, dict[str, str]] = {role: {} for role in _ICD_WORD_ROLES}
    for row in resources.read_tsv(file, ("word", "role")):
        word, role, target = row["word"], row["role"], row["target"]
        if role not in roles or word != word.lower():
            raise ValueError(f"{file}: {word!r}: need a lower-case word and a role in {list(roles)}")
        if (role in ("same", "rewrite", "head")) != bool(target):
            raise ValueError(f"{file}: {word!r}: a target is needed for same/rewrite/head rows only")
        if role == "same" and (" " in word or " " in target):
            raise ValueError(f"{file}: {word!r}: 'same' rows map one word to one word")
        roles[role][word] = target
    return roles


def _icd_word_list(text: str) -> list[str]:
    """Normalised words in order: lower case, American spelling, singular, adjective ->
    organ ('same' rows), filler and anything after 'except' out."""
    from pipeline.lexicon import normalise_key

    text = _ICD_EXCEPT.sub("", _fold(text).replace("'s ", " "))
    # 'Hypovitaminosis A', 'Hepatitis A': the letter, not the article (filler)
    text = _LETTER_A.sub("atype", text)
    acronyms = {w.lower() for w in _PLURAL_LOOKING_ACRONYM.findall(text)}  # PRES, AIDS: no plural 's'
    same = icd_words()["same"]
    words = normalise_key(re.findall(r"[a-z0-9]+", text.lower())).split()
    out = []
    for w in words:
        w = w if w in acronyms else singular(w)
        if w not in _ICD_FILLER:
            out.append(singular(same.get(w, w)) if w in same else w)
    return out


_LETTER_A = re.compile(r"(?<=[A-Za-z0-9] )A\b(?!['\u2019])")
_PLURAL_LOOKING_ACRONYM = re.compile(r"\b[A-Z]{3,}S\b")


def _fold(text: str) -> str:
    """Accents off ('Guillain-Barré' = 'Guillain-Barre'), typographic apostrophe plain."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _icd_words(text: str) -> frozenset[str]:
    """Bag of normalised words (see `_icd_word_list`)."""
    return frozenset(_icd_word_list(text))


@functools.lru_cache(maxsize=2)
def _rewrite_table(heads: bool = False) -> dict[str, str]:
    """`rewrite` rows (with `heads`, also the `head` rows) keyed as `_icd_rewrites` reads
    the text (singular words)."""
    rows = {**icd_words()["rewrite"], **(icd_words()["head"] if heads else {})}
    return {" ".join(singular(w) for w in k.split()): v for k, v in rows.items()}


def _icd_rewrites(text: str, heads: bool = False) -> str | None:
    """The text with its `rewrite` phrases replaced by their ICD-10-CM Index
    cross-references ('head trauma' -> 'head injury'), or None when none applies; with
    `heads`, also its generic words as the titles say them (`head` rows)."""
    words = [singular(w) for w in re.findall(r"[a-z0-9]+", _fold(text).replace("'s ", " ").lower())]
    rewrites = _rewrite_table(heads)
    longest = max((len(k.split()) for k in rewrites), default=0)
    out, i, changed = [], 0, False
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            target = rewrites.get(" ".join(words[i : i + n]))
            if (target is not None and n == 1 and len(words) > 1 and words[i] in _GENERIC_HEADS
                    and not (heads and words[i] in icd_words()["head"])):
                target = None  # 'infection' -> 'infectious disease' only alone, never 'wound infection'
            # never one that adds a word the text already has: 'type 1 diabetes mellitus'
            # does not become 'type 1 type 2 diabetes mellitus'
            if target is not None and not any(w in words and w not in words[i : i + n] for w in target.split()):
                out.append(target)
                i, changed = i + n, True
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out) if changed else None


_ICD_HYPHEN_PREFIX = re.compile(r"\b(hypo|hyper|non|pre|post|anti|intra|extra|sub|supra|peri|para|pseudo|poly|multi)-(?=[a-z])", re.I)


_ICD_IN_WORD = re.compile(r"(?<=[a-z])\(([a-z]{1,3})\)(?=[a-z])")
_PAREN_POPULATION = frozenset({"congenital", "newborn", "neonatal", "perinatal", "fetal", "fetus", "maternal", "pregnancy",
                               "childbirth", "puerperium", "puerperal", "gestational", "postpartum", "obstetric"})


def _icd_variants(text: str) -> list[str]:
    """'Cirrhosis (of liver) NOS' -> with and without the bracketed words; a bracket that
    names the condition itself ('Photocontact dermatitis [berloque dermatitis]') too."""
    # (a bracketed congenital/newborn/pregnancy word is no nonessential modifier: 'Cyst of
    # kidney NOS (congenital)' files the congenital cyst, not every 'cyst of kidney')
    dropped = [] if any(w in _PAREN_POPULATION for m in _ICD_PAREN.finditer(text) for w in _icd_word_list(m.group(1))) else [
        _ICD_PAREN.sub(" ", text)]
    # letters in brackets inside a word are optional: 'hemianop(s)ia' = hemianopia, hemianopsia
    inner = _ICD_IN_WORD.search(text)
    if inner is not None:
        return list(dict.fromkeys(v for variant in (_ICD_IN_WORD.sub("", text), _ICD_IN_WORD.sub(r"\1", text))
                                  for v in _icd_variants(variant)))
    out = [*dropped, _ICD_PAREN.sub(r" \1", text)]
    # a hyphenated prefix also as one word: 'Hypo-osmolality' = 'hypoosmolality'
    out += [_ICD_HYPHEN_PREFIX.sub(r"\1", o) for o in out if _ICD_HYPHEN_PREFIX.search(o)]
    # (not a bracket that only says what the term is: '[site of neoplasm]')
    # ... and an eponym alone: 'Mucocutaneous lymph node syndrome [Kawasaki]', '[Devic]'
    out += [m.group(1) for m in _ICD_PAREN.finditer(text)
            if (len(re.findall(r"[A-Za-z0-9]+", m.group(1))) > 1 or re.fullmatch(r"[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?", m.group(1)))
            and not m.group(1).lower().startswith("site")]
    return list(dict.fromkeys(" ".join(o.split()) for o in out if o.strip()))


@icd_data.shipped("index")  # precomputed in resources/lexicons/icd10cm_index.bin
def _icd_index() -> tuple[dict[frozenset[str], tuple[int, int, str, str]], dict[str, list[frozenset[str]]]]:
    """Word bag -> (priority, code length, code, its named words) over ICD-10-CM chapters
    A-U (not manifestation codes, never coded alone), and the inverted index word -> bags
    for the token-set (subset) search.

    Titles naming a side (right/left) are skipped: laterality is an attribute, and the
    side-less sibling is always there. On a clash the best (priority, length, code) wins.
    Named words are eponyms, organisms and places, which the back-offs never add to what
    the text says ('bone disease' is not "Paget's disease of bone"): words the
    classification writes possessive or capitalised inside a title and never in lower case.
    """
    import simple_icd_10_cm as icd

    index: dict[frozenset[str], tuple[int, int, str]] = {}
    capitalised: set[str] = set()
    lower: set[str] = set()

    def put(text: str, rank: int, code: str) -> None:
        for i, m in enumerate(re.finditer(r"[A-Za-z][A-Za-z'\u2019-]*", _fold(text))):
            word = m.group()
            if word[:1].isupper() and (i > 0 or re.search(r"'s?$", word)) and not _NUMBER.match(word.lower()):
                capitalised.update(_icd_word_list(word))
            elif word[:1].islower():
                lower.update(_icd_word_list(word))
        for variant in _icd_variants(text):
            bag = _icd_words(variant)
            entry = (rank, len(code), code)
            if bag and (bag not in index or entry < index[bag]):
                index[bag] = entry

    for code in icd.get_all_codes(True):
        # (a block of one category shares its code: B20, C50, D49 are categories too)
        if code[:1] not in _ICD_CHAPTERS or (icd.is_chapter_or_block(code) and not icd.is_category(code)):
            continue
        desc = icd.get_description(code)
        if _ICD_SIDED.search(desc) or _ICD_MANIFESTATION.search(desc):
            continue
        put(desc, _TITLE, code)
        part = _ICD_PART_UNSPECIFIED.sub("", desc)
        for cut in (_ICD_TAIL.sub("", desc), _ICD_DEFAULT_PHRASE.sub("", desc), part, _ICD_DEFAULT_PHRASE.sub("", part)):
            # 'Pleural effusion, not elsewhere classified' -> 'Pleural effusion'; 'Calculus
            # of gallbladder without cholecystitis' -> 'Calculus of gallbladder'
            if cut != desc and not _ICD_DANGLING.search(cut.strip(" ,")) and not _site_cut_generic(cut, desc):
                put(cut, _TAIL, code)
        for term in icd.get_inclusion_term(code):
            if _ICD_SIDED.search(term):
                continue
            put(term, _NOS if re.search(r"\bNOS\b", term) else _INCLUDED, code)
        for part in _conjuncts(_ICD_TAIL.sub("", desc)):
            put(part, _CONJUNCT, code)
    named = capitalised - lower
    index = {bag: (*entry, " ".join(sorted(bag & named))) for bag, entry in index.items()}
    postings: dict[str, list[frozenset[str]]] = {}
    for bag in sorted(index, key=lambda b: index[b]):
        for word in bag:
            postings.setdefault(word, []).append(bag)
    return index, postings


def _site_cut_generic(cut: str, desc: str) -> bool:
    """A cut that leaves a generic word alone by dropping the site it was filed under:
    'Fistula, unspecified joint' is no code for 'fistula', 'Effusion, unspecified joint'
    none for 'effusion' (but 'Pain, unspecified' is pain NOS)."""
    tail = desc[len(cut.rstrip(" ,")):] if desc.startswith(cut.rstrip(" ,")) else ""
    return (_icd_words(cut) <= _GENERIC_HEADS and bool(re.match(r",? unspecified [a-z]", tail))
            and not re.match(r",? unspecified (site|type)\b", tail))


def _with_rewrites(texts: list[str]) -> list[str]:
    """The texts, then their Index cross-reference rewrites; a text's rewrite comes before
    the texts that hold only some of its words (the variants without severity words:
    'chronic myeloid leukemia' is rewritten to C92.1 before 'myeloid leukemia' is tried)."""
    out: list[str] = []
    rewritten: list[str] = []
    for i, t in enumerate(texts):
        out.append(t)
        r = _icd_rewrites(uninvert(t)) if t else None
        if r is None:
            continue
        words = set(_icd_word_list(t))
        later = [u for u in texts[i + 1 :] if u]
        if later and all(set(_icd_word_list(u)) < words for u in later):
            out.append(r)
        else:
            rewritten.append(r)
    return [*out, *rewritten]


def icd10cm_heads(texts: list[str]) -> str | None:
    """Exact (or default-word) match of the texts with their generic words as the titles
    say them ('autonomic dysregulation' -> 'autonomic nervous system disorder' G90.9;
    'myocardial pathology' -> 'myocardial disease' I51.5); a back-off after the
    one-extra-word match on the text itself."""
    index, _ = _icd_index()
    rewritten = [r for r in (_icd_rewrites(uninvert(t), heads=True) for t in texts if t) if r]
    for text in rewritten:
        hit = index.get(_icd_words(text))
        if hit is not None:
            return billable(hit[2])
    for text in rewritten:
        code = _best_superset(_icd_words(text), 0)
        if code is not None:
            return billable(code)
    return None


def icd10cm_organism(texts: list[str]) -> str | None:
    """An organism name coded as the infection named after its genus ('Nocardia
    infection' -> nocardiosis A43.9): the first back-off, on the mention's own texts only
    (a MeSH heading's synonyms are not organism names: 'Mycobacterium Infections' under
    Tuberculosis)."""
    names = [o for o in (_organism_infection(t) for t in texts if t) if o]
    code = icd10cm_exact(names) if names else None
    # an infection is filed in chapter 1 (A-B): 'wound infection' is not 'Wound NOS'
    return code if code is not None and code[:1] in "AB" else None


_CONGENITAL_HEADS = frozenset({"malformation", "anomaly"})
_CONGENITAL = frozenset({"congenital"})
# a genus names its infection as the Index does: Nocardia -> nocardiosis, Cryptococcus ->
# cryptococcosis, Candida -> candidiasis, Strongyloides -> strongyloidiasis
_GENUS_ENDINGS = (("us", ("osis",)), ("um", ("osis",)), ("es", ("osis", "iasis")), ("a", ("osis", "iasis")), ("", ("osis", "iasis")))
# the words after a genus that keep the text an organism name ('Cryptococcus neoformans
# var. grubii (serotype A)', 'Nocardia infection', 'Aspergillus spp.')
_SPECIES = re.compile(r"^[a-z]+(us|um|is|ae|ii|i|a|ans|ens|es|ix)$")
_ORGANISM_WORDS = frozenset({"infection", "infections", "var", "serotype", "spp", "sp", "subsp", "strain", "species",
                             "complex", "group"})


def _organism_infection(text: str) -> str | None:
    """'Nocardia infection' -> 'nocardiosis'; 'Cryptococcus neoformans var. grubii' ->
    'cryptococcosis': the infection named after the genus, when the ICD-10-CM index has
    that word. Only for a text that is an organism name (a genus, then species words,
    'var.', 'serotype', or 'infection'), never for a disease named with its organism
    ('Candida esophagitis')."""
    words = re.findall(r"[A-Za-z]+", _fold(text))
    if not words or not words[0].isalpha() or len(words[0]) < 5:
        return None
    rest = [w for w in words[1:] if len(w) > 1]
    if not (words[0][0].isupper() or (rest and rest[-1].lower() in ("infection", "infections"))):
        return None
    _, postings = _icd_index()
    # (a species epithet is no word of the classification: 'Candida esophagitis' is a disease)
    if any(w.lower() not in _ORGANISM_WORDS and (not _SPECIES.match(w) or w.lower() in postings) for w in rest):
        return None
    genus = words[0].lower()
    if len(words) == 2 and words[1].lower() in ("infection", "infections") and genus in postings:
        return genus  # 'varicella infection' -> Varicella (exact only)
    for ending, suffixes in _GENUS_ENDINGS:
        if genus.endswith(ending):
            stem = genus[: len(genus) - len(ending)]
            for suffix in suffixes:
                name = stem + suffix
                if name in postings and name != genus:
                    return name
    return None


def icd10cm_exact(texts: list[str]) -> str | None:
    """Billable code of the first text whose word bag is an ICD-10-CM title or inclusion
    term; then the same for the texts rewritten by their Index cross-references."""
    index, _ = _icd_index()
    for text in _with_rewrites(texts):
        hit = index.get(_icd_words(uninvert(text))) if text else None
        if hit is not None:
            return billable(hit[2])
    return None


_MAX_EXTRA_WORDS = 1
_COURSE = frozenset({"acute", "chronic", "subacute"})
_DISEASE_ENDING = re.compile(r"(ia|osis|iasis|itis|oma)$")  # 'malaria' is no species epithet
# adjectives naming a cause: the head back-off never drops one
_ETIOLOGY = frozenset({"tuberculous", "viral", "bacterial", "fungal", "mycotic", "syphilitic", "gonococcal", "herpetic",
                       "streptococcal", "staphylococcal", "pneumococcal", "meningococcal", "candidal", "amebic",
                       "parasitic", "toxic", "alcoholic", "diabetic", "hypertensive", "traumatic", "septic",
                       "infectious", "infective", "autoimmune", "ischemic", "neoplastic", "malignant", "metastatic"})
_SIDES = frozenset({"left", "right"})


def _best_superset(
    bag: frozenset[str], max_extra: int | None, ranges: tuple[tuple[str, str], ...] = (), equal: bool = False,
    titles_only: bool = False,
) -> str | None:
    """Code of the index entry holding every word of `bag` plus the fewest extra words.

    Extra words that name a population (`population` rows: newborn, pregnancy,
    congenital) are never assumed; extra words naming the classification's default
    (`default` rows: nonrheumatic, primary) cost nothing, so 'aortic stenosis' reaches
    'Nonrheumatic aortic (valve) stenosis'. At most `max_extra` other extra words (None:
    any number); `ranges` limits the codes to 3-character categories lo..hi; `equal` lets
    the bag itself count (no extra word); `titles_only` leaves inclusion terms out. Ties go
    to the classification's own default ('X NOS', then titles), then the most general code
    (shortest), then the classification's order; with `ranges`, several codes tied on the
    fewest extra words give their common parent instead ('bone': C41.0 skull and face, C41.9 bone and
    articular cartilage -> C41, resolved by `billable` to C41.9)."""
    found = _superset_search(bag, max_extra, ranges, equal, titles_only)
    return found[0] if found is not None else None


def _superset_search(
    bag: frozenset[str], max_extra: int | None, ranges: tuple[tuple[str, str], ...], equal: bool, titles_only: bool
) -> tuple[str, tuple[int, int]] | None:
    """(code, (specific extra words, extra words)): see `_best_superset`."""
    index, postings = _icd_index()
    if not bag or any(w not in postings for w in bag):
        return None
    roles = icd_words()
    default, population = roles["default"], roles["population"]
    # what the text's own words imply: a malformation or an anomaly is congenital
    # (Index: 'Malformation (congenital)', 'Anomaly, anomalous (congenital)')
    implied = _CONGENITAL if bag & _CONGENITAL_HEADS else frozenset()
    rarest = min(bag, key=lambda w: len(postings[w]))
    best = None
    tied: list[str] = []
    for cand in postings[rarest]:
        if len(cand) < len(bag) + (0 if equal else 1) or not bag <= cand:
            continue
        extra = cand - bag
        if any(w in population and w not in implied for w in extra):
            continue
        if index[cand][3] and extra & set(index[cand][3].split()):
            continue  # an eponym, organism or place the text does not name
        if index[cand][3] and bag & set(index[cand][3].split()) and any(
                _SPECIES.match(w) and not _DISEASE_ENDING.search(w) for w in extra):
            continue  # a species the text does not name ('Pseudomonas infection' is not P. pseudomallei)
        if extra & _SIDES:
            continue  # a side the text does not give ('bundle branch block' is not the left one)
        if any(len(w) == 1 or w == "atype" or _NUMBER.match(w) or any(c.isdigit() for c in w) for w in extra):
            continue  # a type, stage or letter the text does not give ('Hypovitaminosis A', 'type 1')
        if max_extra is not None and any(w.endswith("genic") for w in extra):
            continue  # a cause the text does not state ('spinal cord compression' is not spondylogenic)
        if max_extra is not None and extra & _morphology_words():
            continue  # a tumour type the text does not give ('chest wall tumor' is no desmoid)
        specific = sum(w not in default and w not in implied for w in extra)
        if max_extra is not None and specific > max_extra:
            continue
        rank, length, code = index[cand][:3]
        if titles_only and rank > _TAIL:
            continue
        if ranges and not any(lo <= code[:3] <= hi for lo, hi in ranges):
            continue
        # (an extra course word is the last resort among equals: 'hepatitis C' is
        # viral hepatitis C B19.2, not acute B17.1)
        key = (specific, len(extra), len(extra & _COURSE), rank != _NOS, length, code)
        if best is None or key[:2] < best[:2]:
            tied = []
        if best is None or key[:2] <= best[:2]:
            tied.append(code)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    if ranges and len(tied) > 1:
        prefix = _common_prefix(tied).rstrip(".")
        if prefix != best[-1] and prefix in _indexed_codes():
            return prefix, best[:2]
    return best[-1], best[:2]


# tumour types named in titles besides those of `neoplasm_morphology.tsv`
_MORPHOLOGY_EXTRA = frozenset({"carcinoid", "lymphoma", "leukemia", "melanoma", "myeloma", "hemangioma", "lipoma"})


@functools.lru_cache(maxsize=1)
def _morphology_words() -> frozenset[str]:
    """Words that name a tumour type (the morphology table's, less the generic tumor,
    neoplasm, growth, cell, cyst): the one-extra-word back-off never adds one."""
    words = {w for key in neoplasm_morphology() for w in key}
    return frozenset((words | _MORPHOLOGY_EXTRA) - {"tumor", "neoplasm", "growth", "cell", "cyst"})


@functools.lru_cache(maxsize=1)
def _indexed_codes() -> frozenset[str]:
    return frozenset(entry[2] for entry in _icd_index()[0].values())


def _common_prefix(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def icd10cm_default(texts: list[str]) -> str | None:
    """The entry holding every word of a text plus only words that state the
    classification's default ('aortic stenosis' -> 'Nonrheumatic aortic (valve) stenosis'):
    as good as an exact match, so it is tried right after it."""
    for text in _with_rewrites(texts):
        bag = _icd_words(uninvert(text)) if text else frozenset()
        code = _best_superset(bag, 0) if bag else None
        if code is not None:
            return billable(_default_or_parent(bag, code))
    return None


def _default_or_parent(bag: frozenset[str], code: str) -> str:
    """`code` (reached by adding only default words to `bag`), or its parent when a
    sibling under that parent names the same condition with another word in the default
    word's place: 'carnitine deficiency' is not E71.41 'Primary carnitine deficiency' when
    E71.43 'Iatrogenic carnitine deficiency' stands beside it (-> E71.4 -> E71.40
    unspecified); 'aortic stenosis' stays 'Nonrheumatic aortic (valve) stenosis', whose
    siblings all say nonrheumatic."""
    index, postings = _icd_index()
    defaults = icd_words()["default"]
    rarest = min(bag, key=lambda w: len(postings.get(w, ())))
    own = [b for b in postings.get(rarest, ()) if index[b][2] == code and bag <= b]
    used = {w for b in own for w in b - bag if w in defaults}
    parent = code[:-1].rstrip(".")
    if not used or len(parent) < 3 or "." not in code:
        return code
    for cand in postings.get(rarest, ()):
        sib = index[cand][2]
        if sib.startswith(parent) and not sib.startswith(code) and not code.startswith(sib) and bag < cand \
                and not cand & used and "with" not in cand and index[cand][0] in (_TITLE, _TAIL):
            return parent
    return code


def icd10cm_subset(texts: list[str], rewrites: bool = True) -> str | None:
    """Token-set back-off: the entry holding every word of the text with the fewest extra
    words (at most one besides default words: 'tuberculosis' -> 'respiratory
    tuberculosis'); ties go to the most general code (shortest), then the
    classification's order, which lists the common default first (A15 respiratory before
    A19 miliary tuberculosis). Then (with `rewrites`) the same for the texts rewritten by
    their Index cross-references."""
    for text in _with_rewrites(texts) if rewrites else texts:
        bag = _icd_words(uninvert(text)) if text else frozenset()
        if bag <= _GENERIC_HEADS:
            continue  # 'stenosis', 'ulcer' alone: any one extra word would be a guess
        if _adjective_alone(text):
            continue  # 'ruptured', 'viral': the extra word would be the disease itself
        code = _best_superset(bag, _MAX_EXTRA_WORDS)
        if code is not None:
            return billable(code)
    return None


# --- neoplasms: behaviour from the morphology, site from the words ------------------------

# behaviour -> (the words of its ICD-10-CM titles, the 3-character categories holding them)
_NEOPLASM_BEHAVIOUR: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "malignant": ("malignant neoplasm", (("C00", "C76"), ("C80", "C80"))),
    "secondary": ("secondary malignant neoplasm", (("C77", "C79"),)),
    "in_situ": ("carcinoma in situ", (("D00", "D09"),)),
    "benign": ("benign neoplasm", (("D10", "D36"), ("D3A", "D3A"))),
    "uncertain": ("neoplasm of uncertain behavior", (("D37", "D39"), ("D40", "D48"))),
    "unspecified": ("neoplasm of unspecified behavior", (("D49", "D49"),)),
}
# uncertain- or benign-behaviour code of an organ (D37-D48, D10-D36 name organs) -> the
# unspecified-behaviour code of its body system (D49 names systems): first prefix that matches
_ORGAN_TO_UNSPECIFIED = (
    ("D37", "D49.0"), ("D38", "D49.1"), ("D39", "D49.59"), ("D40", "D49.59"), ("D41.0", "D49.519"),
    ("D41.4", "D49.4"), ("D41", "D49.59"), ("D42", "D49.7"), ("D43.0", "D49.6"), ("D43.1", "D49.6"),
    ("D43.2", "D49.6"), ("D43", "D49.7"), ("D44", "D49.7"), ("D48.0", "D49.2"), ("D48.1", "D49.2"),
    ("D48.2", "D49.2"), ("D48.5", "D49.2"), ("D48.6", "D49.3"), ("D48.3", "D49.0"), ("D48.4", "D49.0"),
    ("D10", "D49.0"), ("D11", "D49.0"), ("D12", "D49.0"), ("D13", "D49.0"), ("D14", "D49.1"), ("D16", "D49.2"),
    ("D17", "D49.2"), ("D21", "D49.2"), ("D22", "D49.2"), ("D23", "D49.2"), ("D24", "D49.3"), ("D25", "D49.59"),
    ("D26", "D49.59"), ("D27", "D49.59"), ("D28", "D49.59"), ("D29", "D49.59"), ("D30.0", "D49.519"),
    ("D30.3", "D49.4"), ("D30", "D49.59"), ("D31", "D49.89"), ("D32", "D49.7"), ("D33.0", "D49.6"),
    ("D33.1", "D49.6"), ("D33.2", "D49.6"), ("D33", "D49.7"), ("D34", "D49.7"), ("D35", "D49.7"),
)
_BEHAVIOUR_WORDS = frozenset({"malignant", "benign", "secondary", "metastatic", "metastasis", "situ", "primary"})


@functools.lru_cache(maxsize=1)
def neoplasm_morphology() -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
    """normalised morphology words -> (behaviour, default site words), from
    `resources/lexicons/curated/neoplasm_morphology.tsv` (validated)."""
    file = resources.path(*_CODING, "neoplasm_morphology.tsv")
    table = {}
    for row in resources.read_tsv(file, ("morphology", "behaviour")):
        words = _icd_word_list(row["morphology"])
        if row["behaviour"] not in _NEOPLASM_BEHAVIOUR or not words:
            raise ValueError(f"{file}: {row['morphology']!r}: need a morphology and a behaviour in {list(_NEOPLASM_BEHAVIOUR)}")
        table[tuple(words)] = (row["behaviour"], tuple(_icd_word_list(row["site"])))
    return table


@functools.lru_cache(maxsize=1)
def _neoplasm_sites() -> frozenset[str]:
    """Words naming a site in the ICD-10-CM neoplasm titles ('Malignant neoplasm of
    bronchus and lung' -> bronchus, lung), in the index's normalised form."""
    index, postings = _icd_index()
    structural = set().union(*(_icd_words(phrase) for phrase, _ in _NEOPLASM_BEHAVIOUR.values()))
    sites: set[str] = set()
    ranges = [r for _, rs in _NEOPLASM_BEHAVIOUR.values() for r in rs]
    for bag in postings.get("neoplasm", ()):  # the bags holding 'neoplasm', not all ~68k
        code = index[bag][2]
        if any(lo <= code[:3] <= hi for lo, hi in ranges):
            sites |= bag
    return frozenset(w for w in sites - structural - _BEHAVIOUR_WORDS - _NOT_SITES if w.isalpha() and len(w) > 2)


# words of the neoplasm titles that do not name a site ('Malignant neoplasm of
# overlapping sites of ...', '... of unspecified part of ...', 'Merkel cell ...')
_NOT_SITES = frozenset({
    "other", "overlapping", "part", "lesion", "specified", "cell", "cyst", "cystic", "multiple", "bilateral", "both",
    "inflammatory", "related", "associated", "involving", "including", "more", "not", "cannot", "determined",
    "classifiable", "specification", "contiguous", "site", "large", "small", "long", "short", "great", "greater",
    "lesser", "major", "minor", "free", "fixed", "false", "main", "common", "failed", "ill", "defined", "origin",
    "region", "area", "portion", "structure", "system", "organ", "ectopic", "retained", "surface", "aspect", "border",
    "margin", "point", "segment", "having", "achieved", "remission", "book", "lipstick", "pin", "ring", "leaf",
    "female", "male", "disseminated", "intraepithelial", "lipomatous", "myeloma", "plasma", "mast", "blastic",
    "dendritic", "plasmacytoid", "myelodysplastic", "myeloproliferative", "lymphoid", "hematopoietic", "endocrine",
})


def _neoplasm_code(text: str, sited_only: bool) -> str | None:
    words = _icd_word_list(uninvert(text))
    table = neoplasm_morphology()
    longest = max((len(k) for k in table), default=0)
    morph: tuple[str, ...] = ()
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), len(morph), -1):
            if tuple(words[i : i + n]) in table:
                morph = tuple(words[i : i + n])
                break
    if not morph and "metastasis" not in words:
        return None
    of = re.search(r"\bof\b", text.lower())
    if of and not set(_icd_word_list(text[: of.start()])) & (set(morph) | _BEHAVIOUR_WORDS):
        return None  # 'hypercalcemia of malignancy': the neoplasm is not the head
    behaviour, default_site = table[morph] if morph else ("secondary", ())
    if "situ" in words:
        behaviour = "in_situ"
    elif "metastasis" in words or ("metastatic" in words and behaviour == "unspecified"):
        behaviour = "secondary"  # 'lung metastases', 'metastatic tumour': the secondary site
    elif "malignant" in words and behaviour in ("unspecified", "benign", "uncertain"):
        behaviour = "malignant"
    elif "benign" in words and behaviour == "unspecified":
        behaviour = "benign"
    phrase, ranges = _NEOPLASM_BEHAVIOUR[behaviour]
    base = _icd_words(phrase)
    sites = _neoplasm_sites()
    named = [w for w in words if w in sites and w not in morph]
    search = functools.partial(_superset_search, max_extra=None, ranges=ranges, equal=True, titles_only=True)
    found = search(base | frozenset(named)) if named else None
    if found is None and len(named) > 1:
        # 'urinary bladder': the one site word with the closest title (bladder, not
        # 'urinary organ'), ties to the first
        singles = [f for f in (search(base | {w}) for w in named) if f is not None]
        found = min(singles, key=lambda f: f[1]) if singles else None
    if found is None and default_site:
        found = search(base | frozenset(default_site))
    if found is not None:
        return billable(found[0])
    if named and not default_site and behaviour == "unspecified":
        # D49 names body systems, not organs: the organ's uncertain- or benign-behaviour
        # title (those name organs) gives its system ('ovarian tumor' -> D39.1 ovary ->
        # D49.59 other genitourinary organ); a site none names ('chest wall tumor'): the
        # Neoplasm Table's 'other specified sites', D49.89
        for other in ("uncertain", "benign"):
            other_phrase, other_ranges = _NEOPLASM_BEHAVIOUR[other]
            hit = _superset_search(_icd_words(other_phrase) | frozenset(named), None, other_ranges, True, True)
            system = next((c for p, c in _ORGAN_TO_UNSPECIFIED if hit and hit[0].startswith(p)), None)
            if system is not None:
                return system
        return "D49.89"
    if sited_only and any(w not in morph and w not in _BEHAVIOUR_WORDS for w in words):
        return None  # other words: let the token-set back-off try them first
    hit = _icd_index()[0].get(base)  # unspecified site: 'Benign neoplasm, unspecified site'
    return billable(hit[2]) if hit is not None else None


def icd10cm_neoplasm(texts: list[str], sited_only: bool = False) -> str | None:
    """ICD-10-CM for a neoplasm the titles do not name, as the Index's Neoplasm Table would:
    the behaviour from the morphology (`curated/neoplasm_morphology.tsv`: osteoma benign,
    osteosarcoma malignant, metastasis secondary; 'malignant'/'benign'/'in situ' in the
    text override an unspecified one), the site from the text's words that name a site in
    the C/D chapter titles, else the morphology's default site (osteoma: bone), else the
    behaviour's 'unspecified site' code. The code is the title of that behaviour holding
    the site words with the fewest other words ('lung' -> 'Malignant neoplasm of bronchus
    and lung'). With `sited_only`, None rather than an 'unspecified site' code."""
    for text in texts:
        code = _neoplasm_code(text, sited_only) if text else None
        if code is not None:
            return code
    return None


# single words too generic to stand for a diagnosis on their own in the head back-off
_GENERIC_HEADS = frozenset({
    "disease", "disorder", "syndrome", "lesion", "mass", "injury", "infection", "failure", "obstruction",
    "insufficiency", "deficiency", "defect", "abnormality", "anomaly", "dysfunction", "condition", "change",
    "finding", "process", "inflammation", "neoplasm", "tumor", "cyst", "stenosis", "hemorrhage", "fracture",
    "malformation", "complication", "damage", "involvement", "pain", "ulcer", "nodule", "effusion", "edema",
    "granuloma", "embolism", "thrombosis", "abscess", "necrosis", "atrophy", "hypertrophy", "hyperplasia",
    "atresia", "agenesis", "aplasia", "hypoplasia", "dysplasia", "stricture", "perforation", "rupture", "dilatation",
    "calcification", "fistula", "hernia", "wasting", "deformity", "degeneration",
})


# words read as adjectives by their ending (axonal, toxic, nervous, sensory, demyelinating)
_ADJECTIVE = re.compile(r"(al|ic|ous|ive|ary|ory|ing|ed|ar|ile|oid|ent|ant|ular)$", re.I)


def _adjective_alone(text: str) -> bool:
    """One word that reads as an adjective by its ending ('ruptured', 'viral'), not a
    gerund ('swelling')."""
    words = text.split()
    return len(words) == 1 and len(words[0]) > 4 and bool(_ADJECTIVE.search(words[0])) and not words[0].lower().endswith("ing")


def icd10cm_head(texts: list[str]) -> str | None:
    """Head back-off: the exact match of the text without its first word(s), longest first
    ('axonal sensory neuropathy' -> 'sensory neuropathy' -> 'neuropathy'), dropping only
    words that read as adjectives (by their ending) or severity words;
    a single remaining word must not be a generic head (disease, lesion, failure ...)."""
    index, _ = _icd_index()
    for text in texts:
        words = re.sub(r"\s*-\s*", "-", text).split() if text else []  # 'community - acquired' is one word
        for i in range(1, len(words)):
            if not (len(words[i - 1]) > 4 and _ADJECTIVE.search(words[i - 1])) and words[i - 1].lower() not in _SEVERITY:
                break  # a noun in front ('lead poisoning') names what the head is about
            if words[i - 1].lower() in _ETIOLOGY:
                break  # a cause ('tuberculous lymphadenitis' is no nonspecific lymphadenitis)
            rest = words[i:]
            if len(rest) == 1 and _icd_words(rest[0]) <= _GENERIC_HEADS:
                break
            hit = index.get(_icd_words(" ".join(rest)))
            if hit is not None and hit[0] < _CONJUNCT:  # not half of an 'A and B' title ('bronchial collapse')
                return billable(hit[2])
    return None


def icd10cm_code(texts: list[str]) -> str | None:
    """ICD-10-CM code for `texts`: an exact title/inclusion-term match for any of them,
    else a neoplasm by behaviour and a site, else the token-set back-off on the texts, else
    a neoplasm of unspecified site, else the token-set back-off on the Index rewrites, else
    the head back-off (the order `normalise.code_mention` uses, without the lexicon)."""
    return icd10cm_exact(texts) or icd10cm_default(texts) or icd10cm_neoplasm(texts, sited_only=True) or icd10cm_backoff(texts)


def icd10cm_backoff(texts: list[str], also: list[str] = ()) -> str | None:
    """The back-offs after the exact and the sited-neoplasm matches, in order: an organism
    name as its infection, one extra
    word (on `texts`, then on `also`: a lexicon concept's preferred term), the generic
    words as the titles say them (`icd10cm_heads`), a neoplasm of
    unspecified site, one extra word on the Index rewrites, the head, the fuzzy-word match
    (on `texts`, then `also`)."""
    return (icd10cm_organism(texts) or icd10cm_subset([*texts, *also], rewrites=False) or icd10cm_heads(texts)
            or icd10cm_neoplasm(texts) or icd10cm_subset(texts)
            or icd10cm_head(texts) or icd10cm_fuzzy([*texts, *also]))


# --- fuzzy words: the last back-off ---------------------------------------------------------

# Two words are the same word written differently when the cosine of their character
# 3-gram TF-IDF vectors (as scikit-learn's char_wb analyzer: each word padded with one
# space; idf = ln((1 + n) / (1 + df)) + 1 over the index's words) reaches this. Exact
# search over an inverted 3-gram index in plain Python: no approximate-NN index (scispacy's
# `create_tfidf_ann_index` refuses scipy >= 1.11, and an approximate search is not
# reproducible), no scikit-learn import (1-3 s); ties broken by a total order. Whole-phrase
# TF-IDF nearest neighbours (scispacy's linker) were measured and rejected: 'acromegaly' ->
# hepatomegaly, 'vitamin B1 deficiency' -> vitamin A deficiency. Chosen on the
# MACCROBAT train-split diagnoses the rules leave uncoded (tune half of the reference
# table: no change): 0.75 codes amblyopic, atheroemboli, hemorrhaging, schizo-affective
# and nothing wrong; 0.70 adds choriocarcinoma -> 'carcinoma' (wrong), 0.60 more wrong ones.
_FUZZY_MIN_SIMILARITY = 0.75
_FUZZY_MIN_LENGTH = 4  # shorter words (abbreviations, numbers, type 'ii') only match exactly
# words that must match exactly: a side (sided titles are not indexed at all), a course
_FUZZY_EXACT = frozenset({"left", "right", "acute", "chronic", "subacute", "recurrent", "type"})
# prefixes that change the meaning of a word that is otherwise close ('hypoglycemic' is
# never 'hyperglycemia', 'nontoxic' never 'toxic')
_FUZZY_OPPOSITE = (("hypo", "hyper"), ("pre", "post"), ("intra", "extra"), ("micro", "macro"), ("mono", "poly"),
                   ("endo", "exo"), ("brady", "tachy"), ("non", ""), ("anti", ""), ("un", ""))
# extra title words the fuzzy match never assumes: a course, a complication ('with ...'),
# a stated absence ('without atypia' when the text says 'atypical'), a number (type 1/2)
_FUZZY_NEVER_EXTRA = frozenset({"acute", "chronic", "subacute", "recurrent", "with", "without", "not", "type"})
_NUMBER = re.compile(r"^(\d+[a-z]?|i{1,3}|iv|vi{0,3}|ix|x)$")


def _char_grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


@functools.lru_cache(maxsize=1)
@icd_data.shipped("grams")  # precomputed in resources/lexicons/icd10cm_index.bin
def _word_gram_index() -> tuple[list[str], dict[str, float], float, dict[str, list[int]], list[float]]:
    """(words, idf, idf of an unseen 3-gram, 3-gram -> word numbers (once per occurrence),
    each word's vector norm) over the ICD-10-CM index's words of `_FUZZY_MIN_LENGTH`
    letters or more (`_word_grams`)."""
    return _word_grams(_icd_index()[1])


def _word_grams(postings: dict[str, list[frozenset[str]]]) -> tuple[list[str], dict[str, float], float, dict[str, list[int]], list[float]]:
    """`_word_gram_index` of an inverted index word -> bags (the build of the shipped data
    calls it with the index it builds)."""
    words = sorted(w for w in postings if w.isalpha() and len(w) >= _FUZZY_MIN_LENGTH)
    grams = [_char_grams(w) for w in words]
    df = collections.Counter(itertools.chain.from_iterable(map(set, grams)))
    idf = {gram: math.log((1 + len(words)) / (1 + n)) + 1 for gram, n in df.items()}
    inverted: dict[str, list[int]] = {}
    norms = []
    for number, g in enumerate(grams):
        norms.append(math.sqrt(sum((count * idf[gram]) ** 2 for gram, count in collections.Counter(g).items())))
        for gram in g:
            inverted.setdefault(gram, []).append(number)
    return words, idf, math.log(1 + len(words)) + 1, inverted, norms


def _opposite(a: str, b: str) -> bool:
    return any((a.startswith(x) and b.startswith(y) and not b.startswith(x))
               or (a.startswith(y) and b.startswith(x) and not a.startswith(x)) for x, y in _FUZZY_OPPOSITE)


@functools.lru_cache(maxsize=4096)
def similar_words(word: str) -> dict[str, float]:
    """Index words written like `word` -> similarity (char 3-gram TF-IDF cosine >=
    `_FUZZY_MIN_SIMILARITY`; a 3-gram no index word has counts as the rarest, so it lowers
    the similarity): 'amblyopic' -> amblyopia; the word itself (1.0) when it is indexed.
    Short words, digits and `_FUZZY_EXACT` words match only themselves."""
    _, postings = _icd_index()
    out = {word: 1.0} if word in postings else {}
    if not word.isalpha() or len(word) < _FUZZY_MIN_LENGTH or word in _FUZZY_EXACT:
        return out
    words, idf, unseen, inverted, norms = _word_gram_index()
    counts = collections.Counter(_char_grams(word))
    norm = math.sqrt(sum((count * idf.get(gram, unseen)) ** 2 for gram, count in counts.items()))
    dots: dict[int, float] = {}
    for gram, count in counts.items():
        weight = count * idf.get(gram, 0.0) ** 2
        for number in inverted.get(gram, ()):
            dots[number] = dots.get(number, 0.0) + weight
    for number in sorted(dots):
        other, similarity = words[number], dots[number] / (norm * norms[number])
        if similarity >= _FUZZY_MIN_SIMILARITY and other not in out and other not in _FUZZY_EXACT and not _opposite(word, other):
            out[other] = similarity
    return out


def _fuzzy_bags(text: str) -> list[frozenset[str]]:
    """The text's word bag, and the bag with hyphenated words joined ('schizo-affective',
    also as tokens 'schizo - affective')."""
    text = uninvert(text)
    joined = re.sub(r"(?<=[A-Za-z])\s*-\s*(?=[A-Za-z])", "", text)
    return list(dict.fromkeys(_icd_words(t) for t in (text, joined)))


def icd10cm_fuzzy(texts: list[str]) -> str | None:
    """Last back-off, for words the classification writes differently (retrieval-style
    linking, kept to what the text says): the index entry each of whose words is one of
    the text's words or written like it (`similar_words`), and each of the text's words
    matched that way; no extra word except the classification's defaults (`default` rows).
    Never for a short form alone (one word of 5 characters or fewer) or generic words
    alone (disease, lesion); numbers, sides and course words (acute, chronic) match only
    themselves, and an entry adding 'with', 'without' or a population word is never taken.
    Best: the highest mean similarity, then the classification's default (priority), the
    most general code, the code order."""
    index, postings = _icd_index()
    default = icd_words()["default"]
    best: tuple[tuple[float, int, int, int, str], str] | None = None
    for text in texts:
        if not text or (len(text.split()) == 1 and len(text) <= 5):
            continue
        for bag in _fuzzy_bags(text):
            if not bag or bag <= _GENERIC_HEADS:
                continue
            words = sorted(bag)
            alike = {w: similar_words(w) for w in words}
            if not all(alike.values()):
                continue
            rarest = min(words, key=lambda w: (sum(len(postings[x]) for x in alike[w]), w))
            for cand in {c for x in alike[rarest] for c in postings[x]}:
                score, matched = 0.0, set()
                for w in words:
                    hits = [x for x in cand if x in alike[w]]
                    if not hits:
                        break
                    score += max(alike[w][x] for x in hits)
                    matched.update(hits)
                else:
                    extra = cand - matched
                    if any(x not in default or x in _FUZZY_NEVER_EXTRA or _NUMBER.match(x) for x in extra):
                        continue
                    rank, length, code = index[cand][:3]
                    key = (-round(score / len(words), 6), len(extra), rank, length, code)
                    if best is None or key < best[0]:
                        best = (key, code)
    return billable(best[1]) if best is not None else None


# the classification's defaults, which state nothing the text must say: 'without
# complications', 'not having achieved remission', 'not intractable', 'unspecified whether
# with hypoxia or hypercapnia'
_ICD_DEFAULT_PHRASE = re.compile(
    r"\bunspecified whether with\b[^,]*|\bwithout\b(?:(?!\bwith\b)[^,])*|\bnot having achieved remission\b|\bnot intractable\b"
    r"|\bnot in remission\b|\bnot specified as\b[^,]*|\bwith unspecified severity\b|\baccidental \(unintentional\)", re.I)
# ... and what a child title states beyond its parent: 'with coma', 'in remission'
_ICD_STATES_MORE = re.compile(r"\b(with|in remission|in relapse|intractable|recurrent)\b", re.I)


@icd_data.shipped("billable")
def billable(code: str) -> str:
    """A category/subcategory resolved down its default children to a leaf code."""
    import simple_icd_10_cm as icd

    if not icd.is_leaf(code):
        # a leaf further down titled as the category is its residual: K31 'Other diseases
        # of stomach and duodenum' -> K31.89 (under K31.8), not K31.9 'unspecified'
        title = icd.get_description(code).lower()
        same = [c for c in icd.get_descendants(code) if icd.is_leaf(c) and icd.get_description(c).lower() == title]
        if len(same) == 1:
            return same[0]
    while not icd.is_leaf(code):
        children = icd.get_children(code)
        # 7th-character extensions: the initial encounter (A), never sequela/subsequent
        children = [c for c in children if not re.search(r"sequela|subsequent", icd.get_description(c), re.I)]
        titles = {c: icd.get_description(c) for c in children}
        parent = icd.get_description(code).lower()
        # (a child titled as its parent is the parent's own residual: I51.8 'Other
        # ill-defined heart diseases' -> I51.89, not I51.81 Takotsubo)
        defaults = [c for c in children
                    if len(children) == 1 or "unspecified" in titles[c].lower() or _ICD_DEFAULT_PHRASE.search(titles[c])
                    or titles[c].lower() == parent]
        if not defaults:
            # no unspecified child: the residual 'other' child (Index 'specified NEC') that
            # keeps every word of the parent's title, when there is exactly one: I75
            # 'Atheroembolism' -> I75.8 '... of other sites' -> I75.89 (not S70.2 'Other
            # superficial injuries of hip' -> '... bite'); else the code stays non-billable
            words = _icd_words(parent) - {"other"}
            residual = [c for c in children if re.search(r"\bother\b", titles[c], re.I) and _icd_words(titles[c]) >= words]
            if len(residual) != 1:
                return code
            defaults = residual
        # the NOS child: one that states nothing more ('Type 2 diabetes mellitus without
        # complications' over '... with unspecified complications'; 'Hepatic failure,
        # unspecified without coma' over '... with coma'), then the most 'unspecified'
        # (J96.90 'unspecified, unspecified whether with hypoxia or hypercapnia' over
        # J96.91 'unspecified with hypoxia'), then the shortest title
        # ... and 'female' over 'male' (the Index's default for the breast, the one site
        # ICD-10-CM splits by sex: 'Neoplasm, breast (female) C50.91-')
        code = min(defaults, key=lambda c: (
            bool(_ICD_STATES_MORE.search(_ICD_DEFAULT_PHRASE.sub(" ", titles[c]))),
            -titles[c].lower().count("unspecified"),
            # the parent's own words: N40 BPH -> N40.0, not N40.2 nodular; D46
            # 'Myelodysplastic syndromes' -> D46.9, not D46.4 'Refractory anemia, unspecified'
            not (titles[c].lower().startswith(parent) or _icd_words(titles[c]) >= _icd_words(parent)),
            bool(re.search(r"\bmale\b", titles[c], re.I)),
            # a fracture not stated open or closed is closed (Official Guidelines I.C.19.c.1)
            bool(re.search(r"\bopen fracture\b", titles[c], re.I)),
            len(titles[c]), c))
    return code


@icd_data.shipped("title")
def icd10cm_title(code: str) -> str:
    import simple_icd_10_cm as icd

    return icd.get_description(code)



@functools.lru_cache(maxsize=1)
def _coding_abbreviations() -> dict[tuple[str, str], str]:
    """(category, short form) -> expansion: `curated/abbreviations.tsv` (diagnoses, also
    used by the lexicon build) and `curated/coding/abbreviations.tsv` (any category)."""
    table: dict[tuple[str, str], str] = {}
    for file in (resources.path(*_CURATED, "abbreviations.tsv"), resources.path(*_CODING, "abbreviations.tsv")):
        for row in resources.read_tsv(file, ("abbreviation", "expansion")):
            category = row.get("category", "diagnosis")
            if category not in ("diagnosis", "anatomy", "imaging", "treatment"):
                raise ValueError(f"{file}: {row['abbreviation']!r}: unknown category {category!r}")
            table.setdefault((category, row["abbreviation"]), row["expansion"])
    return table


@functools.lru_cache(maxsize=1)
def _corpus_short_forms() -> dict[tuple[str, str], str]:
    """(category, short form) -> long form of the short forms whose sense corpus evidence
    settles (`resources/abbreviations/corpus_short_forms.tsv`, derived by
    `scripts/mine_short_forms.py` from the definitions in texts we may tune on: >= 3
    definitions, >= 90% one sense and one category, no English word, no known-ambiguous
    short form)."""
    file = resources.path("abbreviations", "corpus_short_forms.tsv")
    table: dict[tuple[str, str], str] = {}
    for row in resources.read_tsv(file, ("short", "long", "category", "n_definitions", "n_dominant")):
        if row["category"] not in ("diagnosis", "anatomy", "imaging", "treatment"):
            raise ValueError(f"{file}: {row['short']!r}: unknown category {row['category']!r}")
        if (row["category"], row["short"]) in table:
            raise ValueError(f"{file}: duplicate short form {row['short']!r} ({row['category']})")
        table[(row["category"], row["short"])] = row["long"]
    return table


def _short_form_sense(category: str, text: str) -> str | None:
    """The curated sense of a short form, else the corpus-evidence sense."""
    return _coding_abbreviations().get((category, text)) or _corpus_short_forms().get((category, text))


def expansion(text: str, category: str) -> str | None:
    """The usual sense, in `category`, of a short form the document does not define
    ('PCP' as a diagnosis -> 'pneumocystis pneumonia'; 'INH' as a treatment ->
    'isoniazid'): only for a mention already labelled with that category (as a plain
    word 'PE' is also a physical examination). The curated tables first, then the short
    forms corpus evidence settles ('PKU' -> 'phenylketonuria'). Case-sensitive; a plural
    's' is allowed."""
    text = text.strip().strip("()[]")
    found = _short_form_sense(category, text)
    if found is None and len(text) > 2 and text.endswith("s"):
        found = _short_form_sense(category, text[:-1])
    return found


def warm_up() -> None:
    """Build the lazily built look-up structures now (before forking worker processes,
    so every worker inherits them instead of spending ~1.5 s rebuilding them)."""
    lookup_words()
    _icd_index()
    icd_words()
    neoplasm_morphology()
    _neoplasm_sites()
    _coding_abbreviations()
    _corpus_short_forms()
    _indexed_codes()
    _word_gram_index()  # the spelling back-off's ICD-10-CM word 3-grams (shipped precomputed)
