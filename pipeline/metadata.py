"""Report-level facts from the cleaned text: demographics, document type, language.

Input: cleaned text (and its title). Output: plain values for cases.csv. Pure functions;
the word lists they use are data in `resources/metadata/`.

- `demographics`: the reported patient's age in years and sex from the first statement
  of the form "a 35-year-old male", "a 9-year-old female patient", "a 6-month-old boy",
  "middle-aged man" (age empty, sex male). Statements attributed to the literature
  ("X et al. reported a 23-year-old male") are skipped.
- `doc_type`: case_report when the text reports a patient (a demographic statement next
  to presentation wording, or "case report"/"we report/present" wording); article when
  it reads as a scholarly article without a case; other otherwise (Q&A pages, web
  guidance).
- `language`: ISO 639-1 code from the share of common function words ("en" for English);
  "und" when undetermined.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline import resources

_DASH = "[-\u2010\u2011\u2012\u2013 ]"
_AGE = re.compile(
    rf"\b(?P<num>\d{{1,3}}(?:\.\d)?){_DASH}(?P<unit>year|month|week|day)s?{_DASH}old\b,?(?P<after>(?:\s+[\w-]+){{1,3}})",
    re.IGNORECASE,
)
_AGE_GROUP = re.compile(
    rf"\b(?:(?:middle|young|old){_DASH}aged|elderly|young)\s+(?P<who>\w+)", re.IGNORECASE
)
_LITERATURE = re.compile(r"\bet al\b|\b(reported|described|published)\s+(a|an)\b|\bin\s+(a|the)\s+(previous|prior)\b", re.IGNORECASE)
_PERSON = frozenset("patient child infant individual person subject neonate newborn".split())


@lru_cache(maxsize=1)
def _sex_words() -> dict[str, str]:
    rows = resources.read_tsv(resources.path("metadata", "sex_words.tsv"), ("word", "sex"))
    for row in rows:
        if row["sex"] not in ("female", "male"):
            raise ValueError(f"sex_words.tsv: sex must be female or male, got {row['sex']!r}")
    return {row["word"].lower(): row["sex"] for row in rows}


def _sentence_before(text: str, start: int) -> str:
    """Text from the start of the sentence that contains `start` up to it."""
    cut = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    return text[cut + 1 : start]


def demographics(text: str) -> tuple[float | None, str]:
    """(age in years or None, "female"/"male"/"") of the reported patient."""
    words = _sex_words()
    candidates: list[tuple[int, float | None, str]] = []
    for match in _AGE.finditer(text):
        after = [w.lower() for w in match.group("after").split()]
        sex = next((words[w] for w in after if w in words), "")
        if not sex and not any(w in _PERSON for w in after):
            continue
        if _LITERATURE.search(_sentence_before(text, match.start())):
            continue
        value = float(match.group("num"))
        unit = match.group("unit").lower()
        age = value if unit == "year" else value / {"month": 12, "week": 52.1775, "day": 365.25}[unit]
        candidates.append((match.start(), round(age, 2), sex))
        break
    for match in _AGE_GROUP.finditer(text):
        who = match.group("who").lower()
        if who in words and not _LITERATURE.search(_sentence_before(text, match.start())):
            candidates.append((match.start(), None, words[who]))
            break
    if not candidates:
        return None, ""
    _, age, sex = min(candidates, key=lambda c: c[0])
    return age, sex


_REPORT_CUES = re.compile(r"\b(case report|we (report|present|describe)|this case|our patient|our case)\b", re.IGNORECASE)
_NARRATIVE = re.compile(
    r"\b(presented|was admitted|suffered|complained|underwent|was diagnosed|was treated|was referred|was performed)\b",
    re.IGNORECASE,
)
_ARTICLE_HEADINGS = re.compile(
    r"^(abstract|introduction|background|methods|results|discussion|references|conclusions?)\s*$", re.IGNORECASE | re.MULTILINE
)


def doc_type(text: str) -> str:
    age, sex = demographics(text)
    reports_patient = age is not None or bool(sex) or bool(_REPORT_CUES.search(text))
    if reports_patient and _NARRATIVE.search(text):
        return "case_report"
    if len({m.group(1).lower() for m in _ARTICLE_HEADINGS.finditer(text)}) >= 2:
        return "article"
    return "other"


_FUNCTION_WORDS = {
    "en": frozenset("the of and in to a is was with for that on as by are be this an or from which at were".split()),
    "fr": frozenset("le la les des et en un une du est dans pour que au par sur avec".split()),
    "de": frozenset("der die das und in den von zu mit ist im des dem nicht ein eine".split()),
    "es": frozenset("el la los las de y en un una que del por con para es se".split()),
}


def function_word_shares(text: str, min_words: int = 6) -> dict[str, float]:
    """Share of each language's common function words among the words of `text`."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if len(words) < min_words:
        return {}
    return {lang: sum(1 for w in words if w in vocab) / len(words) for lang, vocab in _FUNCTION_WORDS.items()}


def language(text: str) -> str:
    shares = function_word_shares(text, min_words=20)
    if not shares:
        return "und"
    lang, share = max(sorted(shares.items()), key=lambda kv: kv[1])
    return lang if share >= 0.12 else "und"
