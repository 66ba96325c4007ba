"""Clean: remove what is not the report's own content, keeping a map back to the source.

Input: a `SourceText` and, optionally, corpus-level knowledge (`CorpusContext`: lines
that recur across many reports). Output: a `CleanText` whose `offsets[i]` is the source
offset of clean character i, every removed span with the rule that removed it, and
metadata found on the way (title, DOI, PMID, PMCID, journal, year, authors). Pure
apart from loading the rule files and the classifier weights once.

Steps:
1. Segment the source into lines; a line is also split at runs of three or more spaces,
   and (not in PDF text) at tabs and at two spaces after a block that ends without
   punctuation (pages copied from the web without line breaks keep their blocks apart
   that way). Form feeds mark PDF page breaks. Each line learns whether the text is
   hard-wrapped (`Line.wrap`) and where the body of the text lies (`Line.zone`: before
   its first paragraph of prose, inside, after its last), and whether it names the site
   (`Line.site_named`: a rare capitalised word a removed line or the page's metadata gives
   as the site's name, that the case itself never uses).
2. Mark lines to remove: PDF page furniture (lines repeated at the top/bottom of pages,
   page numbers); rules from `resources/boilerplate/line_rules.tsv` with their scope
   (line, next paragraph, to next heading, to end); lines mostly in a non-Latin script
   (and short ones with no Latin letter at all), translated blocks in French, German or
   Spanish, short lines of site chrome in German, Spanish, French, Italian, Dutch or
   Portuguese (`foreign_short_line`, two or more per page); lines that recur across the
   corpus; a title repeated at the end.
   Then the line classifier (`resources/boilerplate/line_classifier.json`, trained by
   `scripts/train_line_classifier.py`): `guard` calls each line the rules left hard (never
   removed: headings, captions, table rows, wrapped paragraph lines, sentences about the
   patient, telling what happened or inside the body of the text), strict (plain
   sentences and widget labels outside the body that do not speak like site chrome:
   "Archived pages are provided as-is."), soft (other sentences: marketing, notices) or
   free (short fragments); a logistic regression over `FEATURES` removes a free line when
   P(boilerplate) reaches `threshold`, a soft one at `sentence_threshold`, a strict one at
   `strict_threshold` (rule `line_classifier`). The title is never removed. `mark_lines`
   returns the lines with their marks (steps 1-2).
3. Inside kept lines, remove citation markers ("[5]", "(12, 13)"); not a reference range
   after a value ("7 u/L (1–15)"), a descending pair, or an enumeration ("cells: (1) ...").
4. Re-flow: hard-wrapped lines are joined into paragraphs, a line-end hyphen is dropped
   when the joined form is a word — of this text or of an English word list — and kept
   after prefixes such as "non-" (`hyphen_prefixes.txt`); whitespace runs become one
   space, paragraphs are separated by one blank line.

Every removed non-whitespace character is in a `RemovedSpan`; whitespace changes are
not logged (they carry no content).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import resources
from pipeline.records import CleanText, RemovedSpan, SourceText

SCOPES = ("line", "next_paragraph", "to_next_heading", "to_next_prose", "to_end")


@dataclass(frozen=True)
class LineRule:
    rule_id: str
    scope: str
    pattern: re.Pattern[str]
    description: str


@dataclass(frozen=True)
class CorpusContext:
    """What the cleaner learns from the whole corpus: normalised recurring lines."""

    recurring: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def line_rules() -> tuple[LineRule, ...]:
    file = resources.path("boilerplate", "line_rules.tsv")
    rules = []
    for row in resources.read_tsv(file, ("rule_id", "scope", "pattern", "description")):
        where = f"{file}: rule {row['rule_id']}"
        try:
            pattern = re.compile(row["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{where}: bad regular expression: {exc}") from exc
        if not re.fullmatch(r"[a-z][a-z0-9_]*", row["rule_id"]):
            raise ValueError(f"{where}: rule id must be lower_snake_case")
        if row["scope"] not in SCOPES:
            raise ValueError(f"{where}: scope {row['scope']!r} is not one of {', '.join(SCOPES)}")
        rules.append(LineRule(row["rule_id"], row["scope"], pattern, row["description"]))
    return tuple(rules)


@lru_cache(maxsize=1)
def hyphen_prefixes() -> frozenset[str]:
    """Word parts that keep their hyphen at a line end ("non-steroidal")."""
    return _word_list("hyphen_prefixes.txt")


@lru_cache(maxsize=1)
def closed_prefixes() -> frozenset[str]:
    """Word parts that close up with the next word at a line end ("sub-capsular")."""
    return _word_list("closed_prefixes.txt")


def _word_list(name: str) -> frozenset[str]:
    return resources.read_word_list(resources.path("boilerplate", name))


def _english_frequencies_bytes() -> bytes:
    """pyspellchecker's English word-frequency dictionary, gzip-compressed JSON (as installed)."""
    from importlib import resources as importlib_resources

    return importlib_resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()


@lru_cache(maxsize=1)
def _english_frequencies() -> dict[str, int]:
    import gzip
    import json

    return json.loads(gzip.decompress(_english_frequencies_bytes()))


# Word lists precomputed from bigger sources, each stamped with what it was made from; built by
# `python scripts/build_word_lists.py`, read at start-up instead of parsing the sources
# (`_stamped_words`). When a stamp does not match (another pyspellchecker version, an edited
# terms.tsv) the words are computed from the source: the same sets either way.
ENGLISH_RANKS_FILE = "english_word_ranks.txt.gz"  # every English word, most frequent first
CLINICAL_VOCABULARY_FILE = "clinical_vocabulary.txt.gz"  # `clinical_vocabulary`, sorted
WORD_RANK_SIZES = (3000, 20000)


@lru_cache(maxsize=1)
def english_ranks_stamp() -> str:
    """What `ENGLISH_RANKS_FILE` must be stamped with for the installed pyspellchecker dictionary
    (hashed once per process: `english_words` and `_word_ranks` both check it)."""
    import hashlib

    return "english-ranks-1 " + hashlib.sha256(_english_frequencies_bytes()).hexdigest()


def clinical_vocabulary_stamp() -> str:
    """What `CLINICAL_VOCABULARY_FILE` must be stamped with for the current `lexicons/terms.tsv`."""
    import hashlib

    return "clinical-vocabulary-1 " + hashlib.sha256(resources.path("lexicons", "terms.tsv").read_bytes()).hexdigest()


def ranked_words(freqs: Mapping[str, int], n: int | None = None) -> list[str]:
    """The first `n` (None: all) words ordered by (-count, word), without sorting all 160k words for a small `n`."""
    counts = sorted(freqs.values(), reverse=True)  # ints sort ~4x faster than (count, word) pairs
    if n is None or n >= len(counts):
        return sorted(freqs, key=lambda w: (-freqs[w], w))
    cut = counts[n - 1]
    above = sorted((w for w, c in freqs.items() if c > cut), key=lambda w: (-freqs[w], w))
    return above + sorted(w for w, c in freqs.items() if c == cut)[: n - len(above)]


def encode_stamped_words(words: Sequence[str], stamp: str) -> bytes:
    """A stamped word list's content: gzip of a header line (stamp, tab, number of words), then one word a line."""
    import gzip

    if "\t" in stamp or "\n" in stamp or any("\n" in w for w in words):
        raise ValueError("a stamp has no tab or newline, a word no newline")
    return gzip.compress("\n".join([f"{stamp}\t{len(words)}", *words, ""]).encode("utf-8"), mtime=0)


def _stamped_words(name: str, stamp: str) -> list[str] | None:
    """The words of `resources/boilerplate/<name>` (`encode_stamped_words`), or None when it is
    missing, damaged or stamped otherwise."""
    import gzip

    try:
        lines = gzip.decompress(resources.path("boilerplate", name).read_bytes()).decode("utf-8").split("\n")
    except (OSError, EOFError, ValueError):
        return None
    words = lines[1:-1]
    if lines[0] != f"{stamp}\t{len(words)}" or lines[-1] != "":
        return None
    return words


@lru_cache(maxsize=1)
def _english_ranks() -> list[str] | None:
    """Every word of pyspellchecker's English dictionary, most frequent first (`ENGLISH_RANKS_FILE`), or None when stale."""
    return _stamped_words(ENGLISH_RANKS_FILE, english_ranks_stamp())


def _english_ranks_head(n: int) -> list[str] | None:
    """The first `n` words of `ENGLISH_RANKS_FILE`, decompressing only as much of the file as they
    take (a tenth of it for 20,000 words), or None when it is missing, damaged, stamped otherwise or
    shorter."""
    import zlib

    try:
        data = resources.path("boilerplate", ENGLISH_RANKS_FILE).read_bytes()
        stream = zlib.decompressobj(wbits=31)  # gzip
        parts = [stream.decompress(data, 1 << 16)]
        lines = parts[0].count(b"\n")
        while lines <= n and stream.unconsumed_tail:
            parts.append(stream.decompress(stream.unconsumed_tail, 1 << 16))
            lines += parts[-1].count(b"\n")
        head = b"".join(parts).split(b"\n", n + 1)[: n + 1]
        if len(head) <= n:
            return None
        stamp, _, count = head[0].decode("utf-8").partition("\t")
        if stamp != english_ranks_stamp() or not count.isdigit() or int(count) < n:
            return None
        return b"\n".join(head[1:]).decode("utf-8").split("\n")
    except (OSError, zlib.error, UnicodeDecodeError):
        return None


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English word list (pyspellchecker's frequency dictionary, MIT) for hyphen repair."""
    ranks = _english_ranks()
    return frozenset(_english_frequencies() if ranks is None else ranks)


@lru_cache(maxsize=1)
def _word_ranks() -> tuple[frozenset[str], frozenset[str]]:
    """(the 3,000 most frequent English words, the 20,000 most frequent): classifier features.

    Site chrome and marketing are written in everyday words; a case report is full of
    rare ones ("creatinine", "thrombosis").
    """
    ranks = _english_ranks_head(max(WORD_RANK_SIZES))
    if ranks is None:
        freqs = _english_frequencies()
        return tuple(frozenset(ranked_words(freqs, n)) for n in WORD_RANK_SIZES)  # type: ignore[return-value]
    return tuple(frozenset(ranks[:n]) for n in WORD_RANK_SIZES)  # type: ignore[return-value]


# Languages whose site chrome is recognised word by word on short lines (pyspellchecker's dictionaries, MIT).
FOREIGN_DICTIONARIES = ("de", "es", "fr", "it", "nl", "pt")


@lru_cache(maxsize=1)
def _foreign_dictionaries() -> dict[str, str]:
    """Language -> pyspellchecker's word-frequency JSON as text (one '"word": count' per line, sorted).

    Kept as sorted text and searched by bisection (`_in_dictionary`): decompressing costs
    about 0.25 s for the six languages; parsing them into sets would cost five times that.
    """
    import gzip
    from importlib import resources as importlib_resources

    root = importlib_resources.files("spellchecker").joinpath("resources")
    return {lang: gzip.decompress(root.joinpath(f"{lang}.json.gz").read_bytes()).decode("utf-8") for lang in FOREIGN_DICTIONARIES}


def _in_dictionary(data: str, word: str) -> bool:
    """`word` is a key of a sorted one-key-per-line JSON text (binary search over character positions)."""

    def key_at(pos: int) -> tuple[str | None, int]:
        start = data.find('\n"', pos)
        if start < 0:
            return None, len(data)
        return data[start + 2 : data.find('"', start + 2)], start

    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        key, start = key_at(mid)
        if key is None or key >= word:
            hi = mid
        else:
            lo = start + 1
    return key_at(lo)[0] == word


_LETTER_WORDS = re.compile(r"[^\W\d_]+")
_LATIN_ENDINGS = ("us", "um", "ae", "is", "ale", "ia", "io", "ix", "ex")


def foreign_short_line(text: str) -> str | None:
    """ISO 639-1 code of a short line (one to six words) written in another language, or None.

    Site chrome around an English report is often in the site's language ("Startseite",
    "Compartilhar", "Mentions légales"): too short for function words to tell. A line goes
    when one language's dictionary (de, es, fr, it, nl, pt) knows every word of three
    letters or more that is not among the 20,000 most frequent English words, at least half
    of the words are of that kind, and one of them has five letters or more. Drug names,
    eponyms and Latin terms ("ceruloplasmin", "Kayser-Fleischer", "zoster") are in none of
    those dictionaries, and a line of everyday English words has nothing to test.
    """
    words = [w.lower() for w in _LETTER_WORDS.findall(rule_text(text))]
    if not words or len(words) > 6 or len(text) > 80:
        return None
    long_words = [w for w in words if len(w) >= 3]
    _, frequent = _word_ranks()
    other = [w for w in long_words if w not in frequent]
    english = english_words()
    evidence = [w for w in other if w not in english]  # no English word at all, not even a rare one
    if not evidence or 2 * len(other) < len(long_words) or max(len(w) for w in evidence) < 5:
        return None
    if len(words) >= 2 and all(w.endswith(_LATIN_ENDINGS) for w in evidence):
        return None  # a Latin term ("status epilepticus", "cor pulmonale", "placenta previa")
    for lang, data in _foreign_dictionaries().items():
        if all(_in_dictionary(data, w) for w in other):
            return lang
    return None


# ------------------------------------------------------------------------ segmentation


_NO_BODY = 99  # `Line.narrative_gap` of a text without a body of prose


@dataclass
class Line:
    start: int  # source offset of the first non-space character
    end: int  # source offset after the last non-space character
    text: str
    page: int
    blank_before: bool  # a blank line (or page break) separates it from the previous line
    rule: str | None = None
    cuts: list[tuple[int, int, str]] = field(default_factory=list)  # inline removals
    wrap: int | None = 0  # the text's wrap width (`_wrap_width`), None when lines are paragraphs, 0 not known
    zone: int = 0  # -1 before the body of the text (its first paragraph of prose), 1 after its last, 0 inside
    repeated: bool = False  # a short line that occurs more than once in the text (a widget of every post)
    site_named: bool = False  # names the site (`_mark_site_names`): "MedCabinet provides information ..."
    narrative_gap: int = _NO_BODY  # lines to the nearest line of the body's prose (`_mark_zones`); `_NO_BODY` when none
    prose: float | None = None  # `prose_score` of the line, computed on first use


_BLOCK_GAP = re.compile(r"[ \t\u00a0]{3,}")
# pages copied from a browser also keep blocks apart by a tab (table cells, inline menus) or by two spaces after
# a block that ends without punctuation ("Find a doctor  Accepting new patients"); two spaces after a full stop
# are a typing habit inside a paragraph and do not split. Not for PDF text, whose lines are laid out already.
_NARROW_GAP = re.compile(r"[ \t\u00a0]{3,}|[ \u00a0]*\t[ \t\u00a0]*|(?<=[^\W_])[ \u00a0]{2}(?=[^\s\da-z(\[])")
_HSPACE = re.compile(r"[^\S\n\f]+")  # horizontal whitespace, incl. NBSP and friends


def segment(text: str, narrow_gaps: bool = True) -> list[Line]:
    """The source's lines (see step 1); `narrow_gaps` also splits at tabs and two-space gaps (not for PDF text)."""
    gap = _NARROW_GAP if narrow_gaps else _BLOCK_GAP
    lines: list[Line] = []
    page = 0
    blank = True
    pos = 0
    for raw in re.split(r"(\n|\f)", text):
        start = pos
        pos += len(raw)
        if raw == "\f":
            page += 1
            blank = True
            continue
        if raw == "\n":
            continue
        if not raw.strip():
            blank = True
            continue
        # split a line at wide gaps: web pages pasted without line breaks
        cursor = 0
        for piece_end, next_start in [(m.start(), m.end()) for m in gap.finditer(raw)] + [(len(raw), len(raw))]:
            piece = raw[cursor:piece_end]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                s = start + cursor + lead
                e = start + cursor + len(piece.rstrip())
                lines.append(Line(s, e, text[s:e], page, blank))
                blank = False
            cursor = next_start
        blank = False
    return lines


# ------------------------------------------------------------------------ classification


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
_HEADING_WORDS = frozenset(
    "abstract introduction background case report presentation discussion conclusion conclusions "
    "summary methods results acknowledgements acknowledgments references keywords figure figures "
    "table tables learning points consent funding declarations".split()
)
_FIGURE = re.compile(r"^(figure|fig\.?|table)\s*\d+", re.IGNORECASE)
_CITATION_TAIL = re.compile(r"\b(19|20)\d{2}\s*[;:]\s*\d")


def normalise_line(text: str) -> str:
    """The form recurring lines are compared in: lower case, digits as #, spaces folded."""
    return " ".join(_DIGITS.sub("#", text.lower()).split())


def _is_heading(line: Line) -> bool:
    text = rule_text(line.text)
    words = re.sub(r"[^a-z ]", " ", re.sub(r"^\d+(\.\d+)*\.?\s*", "", text.lower())).split()
    if _CITATION_TAIL.search(text):
        return False  # "Case Rev. 2020;7:61-70." ends a reference, it does not open a section
    return bool(words) and len(text) <= 60 and (words[0] in _HEADING_WORDS or bool(_FIGURE.match(text)))


# The language a script most likely writes (ISO 639-1), for the removal log.
_SCRIPT_LANGUAGE = {
    "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "CYRILLIC": "ru",
    "ARABIC": "ar", "HEBREW": "he", "GREEK": "el", "THAI": "th", "DEVANAGARI": "hi",
}


def _foreign_language(line: str) -> str | None:
    """ISO 639-1 code of a line that is not English, or None.

    Non-Latin scripts are recognised by their characters (a line mostly in Han script
    is "zh"; kana anywhere makes it "ja"); Latin-script lines of six words or more by
    their function words (fr, de, es).
    """
    script = _foreign_script(line)
    if script is not None:
        if script == "cjk" and any(unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA")) for ch in line):
            return "ja"
        return _SCRIPT_LANGUAGE.get(script.upper(), script)
    from pipeline.metadata import function_word_shares

    shares = function_word_shares(line)
    if shares:
        lang, share = max(sorted(shares.items()), key=lambda kv: kv[1])
        # a clear majority of another language's function words, and few English ones
        if lang != "en" and share >= 0.2 and share >= 3 * shares.get("en", 0.0):
            return lang
    return None


_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "CYRILLIC", "ARABIC", "HEBREW", "GREEK", "THAI", "DEVANAGARI")


def _mark_foreign_chrome(lines: list[Line]) -> None:
    """Short lines in another language (`foreign_short_line`), when two or more of the page's
    lines are in that same language: a site's menus and footer, not one Latin term or name."""
    found = [(i, lang) for i, line in enumerate(lines) if not line.rule and (lang := foreign_short_line(line.text))]
    counts = Counter(lang for _, lang in found)
    for i, lang in found:
        if counts[lang] >= 2:
            lines[i].rule = f"foreign_language:{lang}"


def _mark_foreign_runs(lines: list[Line]) -> None:
    """Extend a translated block (fr, de, es) to its neighbours that lean the same way.

    A translated abstract has lines too short or too technical for `_foreign_language`
    alone ("Hintergrund: Bleivergiftungen bei Erwachsenen ..."): a line next to a line
    of language L goes too when L's function words outnumber English ones on it, and a
    heading of one to three words that are not English ("Zusammenfassung") goes with
    the block under it. Lines other rules removed are skipped over.
    """
    from pipeline.metadata import function_word_shares

    order = [i for i, line in enumerate(lines) if not line.rule or line.rule.startswith("foreign_language:")]
    changed = True
    while changed:
        changed = False
        for pos, i in enumerate(order):
            line = lines[i]
            if line.rule:
                continue
            for step in (-1, 1):
                k = pos + step
                rule = lines[order[k]].rule if 0 <= k < len(order) else None
                if not rule or rule.split(":", 1)[1] not in ("fr", "de", "es"):
                    continue
                lang = rule.split(":", 1)[1]
                words = _WORDS.findall(line.text)
                shares = function_word_shares(line.text, min_words=3)
                leans = bool(shares) and shares[lang] >= 0.05 and shares[lang] > shares["en"]
                heading = (
                    step == 1
                    and 1 <= len(words) <= 3
                    and len(line.text) <= 40
                    and not any(w.lower() in english_words() for w in words)
                )
                if leans or heading:
                    line.rule = rule
                    changed = True
                    break


def _foreign_script(line: str) -> str | None:
    """Name the non-Latin script a line is mostly written in, or None.

    Ten letters or more, more than half of them non-Latin (the scripts together: a
    Japanese line mixes kanji and kana); or, for a short line such as a menu entry
    ("詳細検索"), two or more letters in a script other than Greek and no Latin letter.
    """
    if line.isascii():
        return None  # the common case, and cheap: no character names to look up
    letters = [ch for ch in line if ch.isalpha()]
    if len(letters) < 2:
        return None
    counts: Counter[str] = Counter()
    for ch in letters:
        if ch < "\u0370":
            continue  # Latin, Latin-1 and Latin Extended: no script of interest below Greek
        script = unicodedata.name(ch, "").split(" ", 1)[0].split("-", 1)[0]  # KATAKANA-HIRAGANA mark
        if script in _SCRIPTS:
            counts[script] += 1
    if not counts:
        return None
    script, _ = max(sorted(counts.items()), key=lambda kv: kv[1])
    n = sum(counts.values())
    if len(letters) < 10:
        # Greek letters (alpha, beta) appear in English medical text: never on a short line.
        return script.lower() if n == len(letters) and script != "GREEK" else None
    return script.lower() if n / len(letters) > 0.5 else None


def _furniture_key(text: str) -> str:
    """Line key that ignores page numbers: "Journal X 2010 Page 9 of 11" ~ "Journal X 2010"."""
    key = normalise_line(text)
    key = re.sub(r"(^(page\s*)?#(\s*(of|/)\s*#)?\s+)|(\s+(page\s*)?#(\s*(of|/)\s*#)?$)", "", key)
    return key.strip()


def _mark_page_furniture(lines: list[Line]) -> None:
    pages = sorted({line.page for line in lines})
    if len(pages) < 2:
        return
    edges: dict[int, list[Line]] = {}
    for page in pages:
        on_page = [line for line in lines if line.page == page]
        edges[page] = on_page[:3] + on_page[-3:]
    seen: Counter[str] = Counter()
    for page_edges in edges.values():
        seen.update({_furniture_key(line.text) for line in page_edges})
    # a third of the pages: journals alternate headers between odd and even pages
    threshold = max(2, -(-len(pages) // 3))
    for page_edges in edges.values():
        for line in page_edges:
            if line.rule:
                continue
            if _PAGE_NUMBER.match(line.text):
                line.rule = "page_number"
            elif seen[_furniture_key(line.text)] >= threshold and len(line.text) <= 150:
                line.rule = "page_furniture"


_MARKUP = re.compile(r"^(#{1,6}\s+|>\s*|\*\*|__)|(\*\*|__)$")


def rule_text(text: str) -> str:
    """A line as rules see it: Markdown heading/quote/bold markers stripped."""
    return _MARKUP.sub("", text).strip()


def _is_prose(line: Line) -> bool:
    """A sentence of running text (ends a sentence and is long), not a list entry."""
    return len(line.text) >= 150 and line.text.rstrip()[-1:] in ".?!" and not re.search(r"\bet al\b|;\s*\d+\(", line.text)


def _continues(prev: Line, line: Line) -> bool:
    """`line` is the wrapped continuation of `prev` (same block, starts in lower case)."""
    return not line.blank_before and line.page == prev.page and line.text[:1].islower() and prev.text.rstrip()[-1:] not in ".?!"


def _mark_rules(lines: list[Line], rules: Iterable[LineRule]) -> None:
    rules = tuple(rules)

    def match(line: Line) -> LineRule | None:
        text = rule_text(line.text)
        return next((r for r in rules if r.pattern.search(text)), None)

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rule:
            i += 1
            continue
        rule = match(line)
        if rule is None:
            i += 1
            continue
        line.rule = rule.rule_id
        j = i + 1
        if rule.scope == "to_end":
            j = len(lines)
        elif rule.scope == "next_paragraph":
            # the paragraph after the heading: lines up to the next blank line
            if j < len(lines):
                j += 1
                while j < len(lines) and not lines[j].blank_before:
                    j += 1
        elif rule.scope == "to_next_heading":
            while j < len(lines) and not _is_heading(lines[j]):
                j += 1
        elif rule.scope == "to_next_prose":
            # an entry's citation line ("Berg T, Sato Y. Clin Toxicol Rev. 2024;9:301-12.") belongs to the widget;
            # another widget heading (not a line-scope rule) starts its own block
            while j < len(lines) and not _is_heading(lines[j]) and not _is_prose(lines[j]):
                if _starts_case(lines, j) or (j + 1 < len(lines) and _starts_case(lines, j + 1) and not _chrome_cue(lines[j].text)):
                    break  # the case starts ("A 7-year-old boy was brought in with ..."), or its title above it
                other = match(lines[j])
                if other is not None and other.scope != "line":
                    break
                j += 1
        # a matched line takes its wrapped continuation lines with it
        while j < len(lines) and _continues(lines[j - 1], lines[j]) and not lines[j].rule:
            j += 1
        for k in range(i + 1, j):
            lines[k].rule = lines[k].rule or rule.rule_id
        i = j


def _starts_case(lines: Sequence[Line], j: int) -> bool:
    """Line j is a sentence about the patient (no link title reads so)."""
    return not lines[j].rule and is_sentence(lines[j].text) and _about_patient(lines[j].text)


def _mark_margins(lines: list[Line], margins: tuple[tuple[int, int], ...]) -> None:
    """PDF lines that sat in a page's top/bottom margin are running headers, footers or numbers."""
    if not margins:
        return
    spans = sorted(margins)
    k = 0
    for line in lines:
        while k < len(spans) and spans[k][1] <= line.start:
            k += 1
        if k < len(spans) and spans[k][0] <= line.start and line.end <= spans[k][1] and len(line.text) <= 150:
            line.rule = line.rule or ("page_number" if _PAGE_NUMBER.match(line.text) else "page_furniture")


_FRONT_END = re.compile(r"^(\d+\.?\s*)?(abstract|summary|introduction|background|case (presentation|description)|main text)\b", re.IGNORECASE)
_NAME_MARKS = re.compile(r"(?<=[^\W\d_])[\d*\u2020\u2021\u00a7\u00b6]+\)?|\b\d+\b\)?|[*\u2709]")
_PARTICLES = frozenset("van von de den der del della da di dos du la le y bin ben al el ter ten".split())
_INSTITUTION = re.compile(
    r"\b(universit(y|e|é|ät|at|à|ario|aria|eit)|universidad|hospital|h[ôo]pital|ospedale|klinik(um)?|kliniek|clinic|clínica|"
    r"institut(e|o)?|cent(re|er|ro)|department|departamento|servicio|service|faculty|facultad|school of|college|laborator(y|io)|"
    r"\bunit\b|division|medical (center|centre|school)|ministry|foundation)\b",
    re.IGNORECASE,
)
_SENTENCE_WORDS = re.compile(r"\b(was|were|is|are|had|has|have|showed|revealed|presented|underwent|with a|of the patient)\b", re.IGNORECASE)


def is_author_line(text: str) -> bool:
    """A list of two or more personal names ("Priya Ramdass, Owen T. Hallett, Mireille Baptiste").

    Affiliation marks (digits, asterisks, daggers) are ignored; each name is two to five
    capitalised words or initials, with particles (van, de, ...) allowed.
    """
    text = re.sub(r"\s*,(\s*,)+", ",", _NAME_MARKS.sub(" ", text))
    text = " ".join(text.split()).replace(" ,", ",").strip(" ,;")
    if not text or len(text) > 400 or text.endswith(".") and not re.search(r"\b[A-Z]\.$", text):
        return False
    items = [item.strip() for item in re.split(r",|;|\s&\s|\sand\s", text) if item.strip()]
    items = [re.sub(r"^and\s+", "", item) for item in items]
    if len(items) < 2:
        return False
    for item in items:
        tokens = item.split()
        if not 2 <= len(tokens) <= 5:
            return False
        if not any(len(t.rstrip(".")) >= 2 and t[:1].isupper() for t in tokens):
            return False
        for token in tokens:
            if token.lower() in _PARTICLES:
                continue
            if not (token[:1].isupper() and re.fullmatch(r"[^\W\d_][\w'\u2019.-]*", token)):
                return False
    return True


def _is_affiliation(text: str) -> bool:
    text = re.sub(r"^([a-z\d*\u2020\u2021]{1,2})(?=[A-Z])|^[\d*]+\.?\s*", "", text.strip())
    return (
        len(text) <= 300
        and bool(_INSTITUTION.search(text))
        and ("," in text or len(text.split()) <= 8)
        and not _SENTENCE_WORDS.search(text)
        and not re.search(r"\d+-(year|month|week|day)-old\b", text)  # "a 50-year-old man visited hospital ..."
    )


def _opens_text(lines: list[Line], i: int) -> bool:
    """The heading at `i` opens text: its own line runs on, or the next kept line is long.

    A page-navigation list ("Title & authors", "Abstract", "Similar articles") has a
    short line or another menu entry after its "Abstract".
    """
    if len(rule_text(lines[i].text)) > 40:
        return True  # "Abstract: We report ..." or "Background: ..." on one line
    nxt = next((line for line in lines[i + 1 : i + 4] if not line.rule), None)
    return nxt is not None and len(nxt.text) >= 60


def _mark_front_matter(lines: list[Line]) -> None:
    """Author lists and affiliations before the abstract/body become front matter."""
    end = 0
    while end < len(lines) and end < 80:
        line = lines[end]
        if not line.rule and ((_FRONT_END.match(rule_text(line.text)) and _opens_text(lines, end)) or _is_prose(line)):
            break
        end += 1
    previous_affiliation = False
    for i in range(end):
        line = lines[i]
        if line.rule:
            previous_affiliation = line.rule == "bib_affiliation"
            continue
        text = line.text
        if is_author_line(text):
            line.rule = "bib_author_list"
        elif _is_affiliation(text):
            line.rule = "bib_affiliation"
        elif previous_affiliation and not line.blank_before and len(text) <= 60 and text[-1:] not in ".?!":
            line.rule = "bib_affiliation"  # "Dublin 2, Ireland" under an affiliation
        elif (
            i + 1 < len(lines)
            and lines[i + 1].rule == "bib_citation"
            and len(text) <= 60
            and text[-1:] not in ".?!"
            and all(w[:1].isupper() for w in text.split())
        ):
            line.rule = "bib_citation"  # journal abbreviation on its own line ("Rev Med Caso Clin")
        previous_affiliation = line.rule == "bib_affiliation"


def _mark_repeated_title(lines: list[Line]) -> str | None:
    """A short last line that repeats an earlier kept line is the title, repeated.

    The document's last line (whatever removed it before), else its last kept line: a
    machine-written disclaimer or a separator after the repeated title is removed by its
    own rule first.
    """
    if len(lines) < 2:
        return None
    last_kept = next((line for line in reversed(lines) if not line.rule), None)
    for last in (lines[-1], last_kept):
        if last is None or len(last.text) > 200 or last.text.rstrip().endswith("."):
            continue
        key = normalise_line(last.text)
        earlier = [line for line in lines if not line.rule and line is not last and line.start < last.start]
        if len(earlier) >= 2 and any(normalise_line(line.text) == key for line in earlier):
            last.rule = "repeated_title"
            return last.text
    return None


_CITATION = re.compile(
    r"[ \t]?(\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\]"  # [5], [1, 2], [2-4]; \s spans line ends
    r"|(?<![\w(])\(\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\)(?![\w)]))"  # (12, 13) but not f(1)x
)


# what a value and its unit end with just before a parenthesised range ("85.8 fL (75–87)", "473 (100–300)")
_VALUE_BEFORE = re.compile(r"\d(?:[.,]\d+)?[\s\u2005\u2009\u00a0]?(?:%|[A-Za-zµμ]{1,4}(?:/[A-Za-zµμ0-9.]{1,5})?)?\s*$")
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
_NUMBERS = re.compile(r"\d+")


def _reference_range(text: str, start: int, marker: str) -> bool:
    """A parenthesised number that is a value, not a citation: a reference range after a measurement
    ("7 u/L (1–15)"), a descending pair ("(139-116)"), a number with a thousands separator, or an
    enumeration after a colon ("cells: (1) small")."""
    if not marker.lstrip().startswith("("):
        return False  # [5]: square brackets are citations
    numbers = [int(n) for n in _NUMBERS.findall(marker)]
    if _THOUSANDS.search(marker) or any(a > b for a, b in zip(numbers, numbers[1:], strict=False) if "\u2013" in marker or "-" in marker):
        return True
    before = text[max(0, start - 24) : start]
    if before.rstrip().endswith((":", ";")) or re.search(r"\b(and|or)\s*$", before):
        return True  # an enumeration: "two types of cells: (1) small ... and (2) large ..."
    return bool(_VALUE_BEFORE.search(before))


def citation_spans(text: str) -> list[tuple[int, int]]:
    """Source spans of citation markers, also those wrapped across a line end ("(2,\n3)");
    not reference ranges of laboratory values ("85.8 fL (75–87)")."""
    return [(m.start(), m.end()) for m in _CITATION.finditer(text) if not _reference_range(text, m.start(), m.group())]


def _mark_citations(line: Line, spans: list[tuple[int, int]]) -> None:
    for start, end in spans:
        if end <= line.start or start >= line.end:
            continue
        line.cuts.append((max(start, line.start), min(end, line.end), "citation_marker"))


# ------------------------------------------------------------------------ line classifier

# Feature names, in the order of the weights file; a weights file with other names or
# another order is refused on load (it was trained on different features).
FEATURES = (
    "log_chars",
    "log_words",
    "ends_sentence",
    "ends_colon",
    "ends_question",
    "capitalised_share",
    "function_word_share",
    "digit_share",
    "symbol_share",
    "has_verb",
    "ui_word_share",
    "second_person_share",
    "relative_position",
    "in_first_tenth",
    "in_last_tenth",
    "short_between_long",
    "prev_removed",
    "next_removed",
    "both_neighbours_short",
    "heading_match",
    "bullet",
    "url_email_phone",
    "markdown_link_share",
    "separator_marks",
    "starts_lower",
    "all_caps",
    "measurement",
    "imperative_start",
    "first_plural_share",
    "patient_cue",
    "clinical_word_share",
    "ui_stem_share",
    "count_widget",
    "date_or_time",
    "title_case_short",
    "exclamation",
    "near_removed",
    "neighbour_ui",
    "soft_guard",
    "common_word_share",
    "rare_word_share",
    "prev_is_text",
    "next_is_text",
    "words_in_next",
    "soft_x_second_person",
    "soft_x_ui_words",
    "soft_x_common_words",
    "soft_x_rare_words",
    "soft_x_first_plural",
    "soft_x_imperative",
    "list_under_chrome",
    "before_body",
    "after_body",
    "label_value",
    "site_talk",
    "clinical_vocabulary_share",
    "icon",
    "repeated_in_text",
    # round 5: how the line and its neighbourhood read (`prose_score`, learned from real content only), and where
    # it sits relative to the narrative (chrome comes in runs of short lines, narrative in blocks)
    "prose_score",
    "prose_neighbours",
    "narrative_distance",
    "short_run",
    "weak_guard",
)

_VERB = re.compile(
    r"\b(is|are|was|were|be|been|had|has|have|did|does|showed|revealed|presented|developed|received|"
    r"underwent|reported|denied|found|noted|started|given|treated|admitted|discharged|performed|"
    r"\w{3,}ed)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = frozenset("you your yours you're you'll we're our us".split())
_YOU = frozenset("you your yours yourself you're you'll you've".split())
_URL_EMAIL_PHONE = re.compile(
    r"https?://|www\.|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}-\d{4}\b|\.(com|org|net|gov|edu)\b",
    re.IGNORECASE,
)
_MD_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
_SEPARATOR_MARKS = re.compile(r"\s[|·•»›/]\s|\s[|·]|[|·]\s")
_MEASUREMENT = re.compile(
    r"\b\d+(\.\d+)?\s?(mg|g|kg|ml|mL|l|L|mmHg|mm|cm|µg|mcg|mmol|µmol|nmol|pmol|ng|pg|mEq|mIU|mOsm|kPa|IU|U|%|°C|bpm|g/dL|g/L|mg/dL|/µL|x\s?10)\b|\d+\s?%"
)
_WORD_TOKENS = re.compile(r"[^\W\d_][\w'\u2019-]*")
_NUMBERING = re.compile(r"^((\d+(\.\d+)*|[ivx]+|[a-z])[.)]\s+|\d+\s+)", re.IGNORECASE)


@lru_cache(maxsize=1)
def ui_words() -> frozenset[str]:
    """Words of site chrome (menus, buttons, sharing, marketing): a classifier feature."""
    return _word_list("ui_words.txt")


@lru_cache(maxsize=1)
def clinical_headings() -> frozenset[str]:
    """Clinical sub-headings (`clinical_headings.txt`) the classifier never removes."""
    return resources.read_word_list(
        resources.path("boilerplate", "clinical_headings.txt"), re.compile(r"[a-z][a-z -]*[a-z]"), "a lower-case heading"
    )


@lru_cache(maxsize=1)
def ordinary_ui_words() -> frozenset[str]:
    """UI words that are ordinary English too ("sign", "profile"): not a chrome cue alone."""
    return _word_list("ordinary_ui_words.txt")


@lru_cache(maxsize=1)
def imperative_words() -> frozenset[str]:
    """Verbs that open calls to action ("Book", "Discover", "Enter"): a classifier feature."""
    return _word_list("imperative_words.txt")


@lru_cache(maxsize=1)
def _ui_stems() -> frozenset[str]:
    """Five-letter stems of the longer UI words: "subscribing", "newsletters", "bookmarked" share them."""
    return frozenset(w[:5] for w in ui_words() if len(w) >= 6)


_FIRST_PLURAL = frozenset("we our us ours we're we'll we've".split())
_CLINICAL_WORD = re.compile(
    r"(itis|osis|oses|emia|aemia|ectomy|otomy|ostomy|oscopy|ography|ogram|pathy|plasia|oma|omas|algia|"
    r"cyte|cytes|ase|ine|ole|mab|nib|cillin|mycin|azole|statin|pril|sartan|olol|ular|ic|al|ous)$"
)
_COUNT_WIDGET = re.compile(
    r"\b\d[\d,.]*\s*k?\s+(views?|replies|repl(y|ied)|comments?|likes?|shares?|followers?|answers?|votes?|readers|members|"
    r"people|users|reviews?|ratings?|stars?|subscribers|posts?|downloads?|reads|"
    # (round 6) the counters of metrics blocks and reaction bars ("657.9K reactions", "12 citations", "3 saves")
    r"reactions|citations|mentions|bookmarks|saves|upvotes|favou?rites|retweets|reposts|clicks|impressions|page ?views)\b",
    re.IGNORECASE,
)
_DATE_TIME = re.compile(
    r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|jun(e)?|jul(y)?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|"
    r"dec(ember)?)\.? \d{1,2},? (19|20)\d{2}\b|\b\d{1,2} (jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
    r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?,? (19|20)\d{2}\b|\b\d{1,2}:\d{2}\b|\b\d+ (minutes?|hours?|days?|weeks?) ago\b|"
    r"\b(yesterday|today) at\b",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to with".split())


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Common English function words: a classifier feature."""
    return _word_list("function_words.txt")


@lru_cache(maxsize=1)
def section_headers() -> frozenset[str]:
    """Known section headings (`resources/sections/headers.tsv`), lower case: never removed."""
    file = resources.path("sections", "headers.tsv")
    return frozenset(row["header"].lower() for row in resources.read_tsv(file, ("section", "kind", "header")))


def heading_key(text: str) -> str:
    """A line in the form headings are compared in: no markup, numbering or colon, lower case."""
    text = _NUMBERING.sub("", rule_text(text).strip("*_ ")).strip().rstrip(":").strip()
    return " ".join(text.lower().split())


def is_known_heading(text: str) -> bool:
    """The line is a section heading of `headers.tsv` ("2. Case presentation", "DISCUSSION:")."""
    return len(text) <= 80 and heading_key(text) in section_headers()


@dataclass(frozen=True)
class LineClassifier:
    """Logistic regression over `FEATURES`: P(boilerplate) of one line, and the removal threshold."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    sentence_threshold: float | None = None  # for lines `guard` calls soft; None: never removed
    strict_threshold: float | None = None  # for lines `guard` calls strict; None: never removed
    weak_threshold: float | None = None  # for lines `guard` calls weak (round 5); None: never removed
    # (round 6) weight of the neighbours' log-odds in a line's smoothed score (`smoothed_log_odds`); 0: none
    smoothing: float = 0.0

    def log_odds(self, values: Sequence[float]) -> float:
        z = self.intercept
        for v, m, s, c in zip(values, self.mean, self.scale, self.coef, strict=True):
            z += c * (v - m) / s
        return z

    def probability(self, values: Sequence[float]) -> float:
        z = self.log_odds(values)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


# (round 6) score smoothing over the page: chrome comes in runs and narrative in blocks, so a line's log-odds
# gets `smoothing` times the mean log-odds of the lines right before and after it; a line a rule removed counts
# as P = 0.99, and every log-odds is clipped to P in [1e-4, 1 - 1e-4] first (one score cannot swamp the sum)
RULE_REMOVED_LOG_ODDS = math.log(0.99 / 0.01)
_LOG_ODDS_CLIP = math.log((1 - 1e-4) / 1e-4)


def smoothed_log_odds(own: float, neighbours: Sequence[float], smoothing: float) -> float:
    """A line's log-odds plus `smoothing` x the mean of its neighbours' (all clipped to +-9.2)."""
    clip = lambda z: max(-_LOG_ODDS_CLIP, min(_LOG_ODDS_CLIP, z))  # noqa: E731
    z = clip(own)
    if smoothing and neighbours:
        z += smoothing * sum(clip(v) for v in neighbours) / len(neighbours)
    return z


CLASSIFIER_FILE = "line_classifier.json"
_CLASSIFIER_KEYS = frozenset(
    ("model", "features", "mean", "scale", "coef", "intercept", "threshold", "sentence_threshold", "trained", "cross_validation")
)
_CLASSIFIER_OPTIONAL_KEYS = frozenset(("strict_threshold", "weak_threshold", "smoothing"))


def parse_classifier(data: object, where: str, features: tuple[str, ...] | None = None) -> LineClassifier:
    """Validate the weights file's content; raise ValueError naming the file and the problem.

    `features`: the feature names the file must hold (default: the line classifier's `FEATURES`)."""
    features = FEATURES if features is None else features
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object")
    missing = sorted(_CLASSIFIER_KEYS - set(data))
    unknown = sorted(set(data) - _CLASSIFIER_KEYS - _CLASSIFIER_OPTIONAL_KEYS)
    if missing or unknown:
        raise ValueError(f"{where}: missing key(s) {missing}, unknown key(s) {unknown}; retrain with scripts/train_line_classifier.py")
    if data["model"] != "logistic_regression":
        raise ValueError(f"{where}: model {data['model']!r} is not 'logistic_regression'")
    if tuple(data["features"]) != features:
        raise ValueError(f"{where}: feature names differ from the code's; retrain with scripts/train_line_classifier.py")
    vectors = {}
    for key in ("mean", "scale", "coef"):
        value = data[key]
        if not isinstance(value, list) or len(value) != len(features):
            raise ValueError(f"{where}: {key!r} must be a list of {len(features)} numbers")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
            raise ValueError(f"{where}: {key!r} holds a value that is not a finite number")
        vectors[key] = tuple(float(v) for v in value)
    if any(s <= 0 for s in vectors["scale"]):
        raise ValueError(f"{where}: 'scale' values must be positive")
    intercept, threshold = data["intercept"], data["threshold"]
    if not isinstance(intercept, (int, float)) or isinstance(intercept, bool) or not math.isfinite(intercept):
        raise ValueError(f"{where}: 'intercept' must be a finite number")
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0.5 <= threshold < 1.0:
        raise ValueError(f"{where}: 'threshold' must be a number in [0.5, 1)")
    sentence_threshold = data["sentence_threshold"]
    if sentence_threshold is not None and (
        not isinstance(sentence_threshold, (int, float))
        or isinstance(sentence_threshold, bool)
        or not threshold <= sentence_threshold < 1.0
    ):
        raise ValueError(f"{where}: 'sentence_threshold' must be null or a number in [threshold, 1)")
    strict_threshold = data.get("strict_threshold")
    if strict_threshold is not None and (
        not isinstance(strict_threshold, (int, float))
        or isinstance(strict_threshold, bool)
        or not max(threshold, sentence_threshold or 0.0) <= strict_threshold < 1.0
    ):
        raise ValueError(f"{where}: 'strict_threshold' must be null or a number in [sentence_threshold (or threshold), 1)")
    weak_threshold = data.get("weak_threshold")
    if weak_threshold is not None and (
        not isinstance(weak_threshold, (int, float)) or isinstance(weak_threshold, bool) or not threshold <= weak_threshold < 1.0
    ):
        raise ValueError(f"{where}: 'weak_threshold' must be null or a number in [threshold, 1)")
    smoothing = data.get("smoothing", 0.0)
    if not isinstance(smoothing, (int, float)) or isinstance(smoothing, bool) or not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"{where}: 'smoothing' must be a number in [0, 1]")
    return LineClassifier(
        features,
        vectors["mean"],
        vectors["scale"],
        vectors["coef"],
        float(intercept),
        float(threshold),
        None if sentence_threshold is None else float(sentence_threshold),
        None if strict_threshold is None else float(strict_threshold),
        None if weak_threshold is None else float(weak_threshold),
        float(smoothing),
    )


@lru_cache(maxsize=1)
def line_classifier() -> LineClassifier:
    """The shipped weights (`resources/boilerplate/line_classifier.json`), validated once."""
    return load_classifier(CLASSIFIER_FILE)


def load_classifier(name: str, features: tuple[str, ...] | None = None) -> LineClassifier:
    """Read and validate a classifier's weights from `resources/boilerplate/<name>`
    (`features`: as `parse_classifier`); a bad file raises ValueError naming it."""
    file, data = _boilerplate_json(name)
    return parse_classifier(data, str(file), features)


def _boilerplate_json(name: str) -> tuple[Path, object]:
    """(path, parsed content) of `resources/boilerplate/<name>`; ValueError naming the file
    and the line when it is not JSON."""
    import json

    file = resources.path("boilerplate", name)
    try:
        return file, json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


PROSE_MODEL_FILE = "prose_model.json"
_PROSE_WORD = re.compile(r"[a-z]+")


def prose_words(text: str) -> list[str]:
    """The words the prose model weighs: lower-case letter runs ("Post-operative" -> "post", "operative")."""
    return _PROSE_WORD.findall(text.lower())


def parse_prose_model(data: object, where: str) -> dict[str, float]:
    """Validate the prose model's content (`prose_model.json`); raise ValueError naming the file and the problem."""
    if not isinstance(data, dict) or set(data) != {"model", "description", "trained", "weights"}:
        raise ValueError(f"{where}: expected a JSON object with keys model, description, trained, weights; "
                         "rebuild it with scripts/train_prose_model.py")
    if data["model"] != "word_log_odds":
        raise ValueError(f"{where}: model {data['model']!r} is not 'word_log_odds'")
    table = data["weights"]
    if not isinstance(table, dict) or not table:
        raise ValueError(f"{where}: 'weights' must be a non-empty object of word -> number")
    for word, value in table.items():
        if not _PROSE_WORD.fullmatch(word):
            raise ValueError(f"{where}: weight key {word!r} is not a lower-case word")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{where}: weight of {word!r} is not a finite number")
    return {w: float(v) for w, v in table.items()}


@lru_cache(maxsize=1)
def prose_model() -> dict[str, float]:
    """Per-word log-odds of biomedical narrative against everyday English (`resources/boilerplate/prose_model.json`,
    built by `scripts/train_prose_model.py` from real content only), validated once."""
    file, data = _boilerplate_json(PROSE_MODEL_FILE)
    return parse_prose_model(data, str(file))


def prose_score(text: str) -> float:
    """How much a line reads like a case report or an abstract rather than everyday English: the mean of its
    words' log-odds (`prose_model`; 0 for a line without words). "Echocardiography showed a dilated left
    anterior descending artery" scores high, "Scroll to keep reading" and "Members save 20% on all
    consultations" low."""
    words = prose_words(text)
    if not words:
        return 0.0
    table = prose_model()
    return sum(table.get(w, 0.0) for w in words) / len(words)


def line_features(lines: Sequence[Line], i: int, kind: str | None | bool = False) -> list[float]:
    """The `FEATURES` of line i, given the rule marks already on `lines` (neighbour status).

    `kind` is `guard(lines, i)` when the caller has it already (False: work it out).
    """
    line = lines[i]
    text = rule_text(line.text)
    n_chars = len(text)
    words = _WORD_TOKENS.findall(text)
    lower = [w.lower() for w in words]
    n_words = len(words)
    alnum = sum(ch.isalnum() for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    spaces = text.count(" ")
    symbols = n_chars - alnum - spaces
    last = text.rstrip("*_)\"'\u201d ")[-1:]
    prev = lines[i - 1] if i > 0 else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    position = i / max(1, len(lines) - 1)
    prev_len = len(prev.text) if prev is not None else 0
    next_len = len(nxt.text) if nxt is not None else 0
    links = sum(len(m.group()) for m in _MD_LINK.finditer(line.text))
    common, frequent = _word_ranks()
    kind = guard(lines, i) if kind is False else kind
    soft = float(kind == "soft")
    share = {
        "second": sum(w in _SECOND_PERSON for w in lower) / n_words if n_words else 0.0,
        "ui": sum(w in ui_words() for w in lower) / n_words if n_words else 0.0,
        "common": sum(w in common for w in lower) / n_words if n_words else 0.0,
        "rare": sum(w.isalpha() and w not in frequent for w in lower) / n_words if n_words else 0.0,
        "plural": sum(w in _FIRST_PLURAL for w in lower) / n_words if n_words else 0.0,
    }
    imperative = float(bool(lower) and lower[0] in imperative_words())
    # a heading's words come back in the text under it ("Management Options" / "Management options include:")
    following = " ".join(line.text.lower() for line in lines[i + 1 : i + 3] if not line.rule)
    long_words = [w for w in lower if len(w) >= 4]
    words_in_next = sum(w in following for w in long_words) / len(long_words) if long_words else 0.0
    return [
        math.log1p(n_chars),
        math.log1p(n_words),
        float(last in (".", "!")),
        float(last == ":"),
        float(last == "?"),
        sum(w[:1].isupper() for w in words) / n_words if n_words else 0.0,
        sum(w in function_words() for w in lower) / n_words if n_words else 0.0,
        digits / n_chars if n_chars else 0.0,
        symbols / n_chars if n_chars else 0.0,
        float(bool(_VERB.search(text))),
        share["ui"],
        share["second"],
        position,
        float(position <= 0.1),
        float(position >= 0.9),
        float(n_chars <= 60 and prev_len >= 150 and next_len >= 150),
        float(prev is not None and bool(prev.rule)),
        float(nxt is not None and bool(nxt.rule)),
        float(prev_len <= 60 and next_len <= 60),
        float(is_known_heading(line.text)),
        float(line.text.lstrip().startswith(_BULLET) and not line.text.startswith("--")),
        float(bool(_URL_EMAIL_PHONE.search(text))),
        links / len(line.text) if line.text else 0.0,
        min(3.0, float(len(_SEPARATOR_MARKS.findall(text)))),
        float(text[:1].islower()),
        float(n_words >= 2 and text.upper() == text),
        float(bool(_MEASUREMENT.search(text))),
        imperative,
        share["plural"],
        float(bool(_PATIENT_CUE.search(text))),
        sum(len(w) >= 6 and bool(_CLINICAL_WORD.search(w)) for w in lower) / n_words if n_words else 0.0,
        sum(len(w) >= 5 and w.isalpha() and w not in ui_words() and w[:5] in _ui_stems() for w in lower) / n_words if n_words else 0.0,
        float(bool(_COUNT_WIDGET.search(text))),
        float(bool(_DATE_TIME.search(text))),
        float(
            1 <= n_words <= 6
            and last not in (".", "!", "?")
            and all(w[:1].isupper() or w.lower() in _SMALL_WORDS for w in words)
        ),
        float("!" in text),
        sum(bool(lines[k].rule) for k in (i - 2, i - 1, i + 1, i + 2) if 0 <= k < len(lines)) / 4,
        float(any(_ui_share(lines[k].text) > 0 for k in (i - 1, i + 1) if 0 <= k < len(lines))),
        soft,
        share["common"],
        share["rare"],
        float(prev is not None and not prev.rule and _is_text(prev.text)),
        float(nxt is not None and not nxt.rule and _is_text(nxt.text)),
        words_in_next,
        soft * share["second"],
        soft * share["ui"],
        soft * share["common"],
        soft * share["rare"],
        soft * share["plural"],
        soft * imperative,
        float(_is_bullet(line.text) and _under_chrome(lines, i)),
        float(line.zone < 0),
        float(line.zone > 0),
        float(bool(_LABEL_VALUE.match(text))),
        float(bool(_SITE_TALK.search(text) or _BIO.match(text))),
        sum(w in clinical_vocabulary() for w in lower) / n_words if n_words else 0.0,
        float(any(unicodedata.category(ch) == "So" or ch in _ARROWS for ch in text)),
        float(line.repeated),
        _line_prose(line),
        _neighbour_prose(lines, i),
        math.log1p(min(20, line.narrative_gap)),  # 20 also when the text has no body
        math.log1p(_short_run(lines, i)),
        float(kind == "weak"),
    ]


def _line_prose(line: Line) -> float:
    if line.prose is None:
        line.prose = prose_score(rule_text(line.text))
    return line.prose


def _neighbour_prose(lines: Sequence[Line], i: int) -> float:
    """The mean prose score of the two nearest lines on each side that no rule removed (0 if none)."""
    scores = []
    for step in (-1, 1):
        k, n = i + step, 0
        while 0 <= k < len(lines) and n < 2:
            if not lines[k].rule:
                scores.append(_line_prose(lines[k]))
                n += 1
            k += step
    return sum(scores) / len(scores) if scores else 0.0


def _short_run(lines: Sequence[Line], i: int, short: int = 60, cap: int = 12) -> int:
    """How many short lines (60 characters or fewer, rule-removed ones too) run together around line i,
    itself included (0 for a long line): menus, footers and widget blocks are runs of short lines."""
    if len(lines[i].text) > short:
        return 0
    n = 1
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(lines) and len(lines[k].text) <= short and n < cap:
            n += 1
            k += step
    return n


_ARROWS = frozenset("←↑→↓↗↘⤴›‹»«▶◀▲▼☰≡⋮…")  # pictograms and arrows of buttons; "So" symbols (emoji, ♡, ⚙) count too
_LABEL_VALUE = re.compile(r"^[A-Z][\w/&' -]{1,30}: \S")  # "Item type: Article", "Date deposited: 11 Feb 2025"


def _metadata_site_words(metadata: Mapping[str, str]) -> frozenset[str]:
    """Capitalised words of the site's name as the page states it (HTML metadata: the site name, and the
    last part of a title like "Methotrexate: uses and dosing - MedCabinet")."""
    parts = [metadata.get("sitename", "")]
    title = metadata.get("title", "")
    pieces = re.split(r"\s+[|\-–—:]\s+", title)
    if len(pieces) >= 2 and len(pieces[-1].split()) <= 4:
        parts.append(pieces[-1])
    return frozenset(w for part in parts for w in _NAME_WORD.findall(part) if len(w) >= 4)


def _mark_zones(lines: list[Line], site_words: frozenset[str] = frozenset()) -> None:
    """Set `Line.zone`: the body runs from the first to the last line of prose the rules left (a sentence
    about a patient, or a long line written as a sentence); menus, bylines and footers sit outside it."""
    counts = Counter(normalise_line(line.text) for line in lines if len(line.text) <= 80)
    for line in lines:
        line.repeated = len(line.text) <= 80 and counts[normalise_line(line.text)] >= 2
    body = [i for i, line in enumerate(lines) if not line.rule and (_is_prose(line) or (is_sentence(line.text) and _about_patient(line.text)))]
    _mark_site_names(lines, body, site_words)
    if not body:
        return
    k = 0
    for i, line in enumerate(lines):
        while k + 1 < len(body) and abs(body[k + 1] - i) <= abs(body[k] - i):
            k += 1
        line.narrative_gap = abs(body[k] - i)
    for i, line in enumerate(lines):
        line.zone = -1 if i < body[0] else 1 if i > body[-1] else 0


_NAME_WORD = re.compile(r"\b[A-Z][a-z]*[A-Z]?[a-z]+(?:[A-Z][a-z]+)*\b")


def _mark_site_names(lines: list[Line], body: list[int], site_words: frozenset[str] = frozenset()) -> None:
    """Set `Line.site_named` on lines naming the site: a capitalised rare word (not among the 3,000
    commonest English words, not a clinical term) that a line a rule removed holds ("© 2025 MedCabinet
    Health Media LLC") and at least one other line too, or that the page's metadata gives as the site's
    name (`site_words`), and that no sentence of the body uses. A notice
    that names the site ("MedCabinet provides information for educational purposes ...") is chrome
    however plainly it is worded."""
    common, _ = _word_ranks()
    in_body = set()
    for i in body:
        if _NARRATIVE.search(lines[i].text):
            in_body.update(_NAME_WORD.findall(lines[i].text))  # the case's own words (a drug's brand name)
    removed: set[str] = set()
    seen: Counter[str] = Counter()
    for line in lines:
        words = {w for w in _NAME_WORD.findall(line.text) if len(w) >= 4}
        seen.update(words)
        if line.rule:
            removed.update(words)
    names = {
        w
        for w in (removed & {w for w, n in seen.items() if n >= 2}) | site_words
        if w not in in_body and w.lower() not in common and w.lower() not in clinical_vocabulary()
    }
    if not names:
        return
    for line in lines:
        if not line.rule and any(w in names for w in _NAME_WORD.findall(line.text)):
            line.site_named = True


def _is_text(text: str) -> bool:
    """A line of running text or a list entry: long, or a sentence."""
    return len(text) >= 80 or is_sentence(text) or text.lstrip().startswith(_BULLET)


def _ui_share(text: str) -> float:
    words = [w.lower() for w in _WORD_TOKENS.findall(text)]
    return sum(w in ui_words() for w in words) / len(words) if words else 0.0


def is_sentence(text: str) -> bool:
    """A sentence of running text: two words or more, a full stop (or ! ?), and a verb,
    function words or a pronoun subject ("She recovered.", "We report a case of gout.")."""
    text = rule_text(text)
    if text.rstrip("\"')\u201d ")[-1:] not in (".", "!", "?"):
        return False
    words = [w.lower() for w in _WORD_TOKENS.findall(text)]
    if len(words) < 2:
        return False
    return (
        bool(_VERB.search(text))
        or sum(w in function_words() for w in words) / len(words) >= 0.15
        or words[0] in _PRONOUNS
    )


_PRONOUNS = frozenset("he she they we it i his her their our".split())


def _in_table(lines: Sequence[Line], i: int) -> bool:
    """Line i follows a "Table n" caption with no sentence in between (a table's rows)."""
    for k in range(i - 1, max(-1, i - 16), -1):
        text = rule_text(lines[k].text).lstrip("*_ ")
        if re.match(r"table\s*\d+", text, re.IGNORECASE):
            return True
        if lines[k].blank_before or is_sentence(lines[k].text):
            return False
    return False


def _is_description(text: str) -> bool:
    """Eight words or more of descriptive text with function words and no UI word: a title.

    "Severe lead poisoning from an imported Ayurvedic supplement presenting as colicky
    abdominal pain and anaemia" is the report's, not chrome, though it has no verb.
    """
    words = [w.lower() for w in _WORD_TOKENS.findall(rule_text(text))]
    return (
        len(words) >= 8
        and not any(w in ui_words() for w in words)
        and sum(w in function_words() for w in words) / len(words) >= 0.1
    )


# (round 6) not a date ("12 Jan 2019 - 30 Aug 2024", "3 March 2021"): a numbered heading opens with a word
_NUMBERED_HEADING = re.compile(
    r"^(\d{1,2}(\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+(?!(?i:jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
    r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\b\.?,? (19|20)\d{2}\b)[A-Z]"
)


def _is_section_heading(lines: Sequence[Line], i: int) -> bool:
    """A heading by Markdown ("## History"), by numbering ("5. Maintenance") or by place.

    By place: a short line without UI words or a full stop, between the end of a
    paragraph (or the start of a page) and a sentence or long line ("Recommendations").
    """
    line = lines[i]
    if line.text.startswith("#"):
        return True
    text = rule_text(line.text)
    if len(text) > 80 or text[-1:] in (".", "!", "?") or any(w.lower() in ui_words() for w in _WORD_TOKENS.findall(text)):
        return False
    if _NUMBERED_HEADING.match(text):
        return True
    prev = lines[i - 1] if i > 0 else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is None or nxt.rule:
        return False
    next_words = [w.lower() for w in _WORD_TOKENS.findall(nxt.text)]
    opens_text = is_sentence(nxt.text) or len(nxt.text) >= 100 or (len(nxt.text) >= 40 and not any(w in ui_words() for w in next_words))
    if not opens_text:
        return False
    return prev is None or bool(prev.rule) or prev.page != line.page or prev.text.rstrip()[-1:] in (".", "!", "?", ":")


def _is_running_text(text: str) -> bool:
    """A clause of running text, whatever its end: five words or more, a verb, function words."""
    words = [w.lower() for w in _WORD_TOKENS.findall(rule_text(text))]
    return (
        len(words) >= 5
        and bool(_VERB.search(text))
        and sum(w in function_words() for w in words) / len(words) >= 0.15
        and not any(w in ui_words() for w in words)
    )


_ABSTRACT_LABEL = re.compile(r"^[A-Z][A-Z]+( [A-Z]+){0,3}: \S.{80,}")  # "SEARCH STRATEGY: We searched ..." (structured abstract)
_OFFER = re.compile(  # "save 20%" is no measurement, nor (round 6) a progress bar's "45% complete"
    r"\b(save|saving|get|enjoy|up to)\s+\d+\s?%|\b\d+\s?%\s+(off|discount|complete|completed|done)\b", re.IGNORECASE
)
# (round 6) a post's or answer's stamp, in lower case after its author's name: "answered Mar 9, 2022 at 18:40"
_STAMP = re.compile(r"^(answered|asked|edited|posted|updated|modified|commented|replied|published|last (edited|updated|modified))\b")
_PATIENT_CUE = re.compile(
    r"\b(he|she|his|her|him|man|woman|boy|girl|infant|child|baby|neonate|newborn|toddler|"
    r"mother|father|son|daughter|husband|wife)\b|\d+-(year|month|week|day)-old\b|\b\d+ (years?|months?) (old|of age)\b|"
    # "patient" not as the modifier of a site's service ("patient portal", "patient reviews", "patient education team")
    r"\bpatients?\b(?! (portal|reviews?|stories|story|education|information|services|experience|login|visitors|guides?|leaflets?|"
    r"resources|support|advocacy)\b)|"
    # a case as the report's patient ("this case", "a case of"), not case reports or cases in general
    r"\b(this|the|our|present|index|a|an|first|second) case\b",
    re.IGNORECASE,
)


def guard(lines: Sequence[Line], i: int) -> str | None:
    """How the classifier may treat line i: "hard" never removed, "soft" only at `sentence_threshold`, "strict"
    only at `strict_threshold`, "weak" (round 5) only at `weak_threshold`, None free.

    Hard: table rows and lines with measurements, headings (known, Markdown, numbered,
    figure/table captions), text that runs on from a line above or into the next one (a
    hard-wrapped paragraph), and sentences about a patient ("he", "her", "patient",
    "52-year-old"). Soft: other sentences, clauses, long prose and descriptive lines, and
    short lines placed like a heading — marketing and notices are written in sentences too,
    so these go only when the classifier is very sure. Weak: lines that were hard only by their
    place (a title-like line over the case's first sentence, a plain sentence inside the body
    that tells nothing): widgets sit there too.
    """
    line = lines[i]
    text = line.text
    site_notice = line.site_named and not _NARRATIVE.search(text)  # "MedCabinet ... does not diagnose patients"
    if _about_patient(text) and (_is_prose(line) or is_sentence(text)) and not site_notice:
        return "hard"  # the common case first (a sentence about the patient): what the checks below would say
    if not _WORD_TOKENS.search(text) and any(unicodedata.category(ch) == "So" or ch in _ARROWS for ch in text):
        return None  # a pictogram with a counter and no word: a widget ("♡ 120", "▼ 2024 (9)")
    if _COUNT_WIDGET.search(text) and len(_WORD_TOKENS.findall(text)) <= 4 and not is_sentence(text):
        return None  # (round 6) a widget's counter ("657.9K reactions", "12 citations"), not a drug or disease name
    stamp = _STAMP.match(text) is not None and _DATE_TIME.search(text) is not None and len(_WORD_TOKENS.findall(text)) <= 8
    lower = text[:1].islower() and not stamp  # (round 6) a lower-case stamp is no line running on from above
    if _MEASUREMENT.search(_OFFER.sub("", text)) or _in_table(lines, i) or lower or not _WORD_TOKENS.search(text):
        return "hard"  # a table row of results ("Haemoglobin 68 g/L 120-150"); text running on from a line above; no word at all
    if is_known_heading(text) or _FIGURE.match(rule_text(text).lstrip("*_ ")):
        return "hard"  # a figure or table caption is the report's, however long
    if _is_heading(line) and (line.zone == 0 or len(_WORD_TOKENS.findall(text)) <= 3) and not _chrome_cue(text):
        # a line opening with a heading word ("Case report", "Keywords"); outside the body of the text a longer
        # one is as likely a widget ("Case contributed by a trainee", "Report a problem with this case")
        return "hard"
    if text.startswith("#") and not is_known_heading(text) and _chrome_cue(text.lstrip("# ").rstrip(" ?!")):
        return "strict"  # a Markdown heading worded as a widget ("## Export citation")
    if text.startswith("#") and line.zone != 0 and heading_key(text) not in clinical_headings() and _heads_chrome(lines, i):
        return "strict"  # (round 6) a Markdown heading outside the body over short lines only ("## Usage statistics")
    if text.startswith("#") or _NUMBERED_HEADING.match(rule_text(text)) or heading_key(text) in clinical_headings():
        return "hard"  # a heading by markup or numbering, or a clinical sub-heading ("Investigations")
    prev = lines[i - 1] if i > 0 else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    # a line of a hard-wrapped paragraph (PDF columns): its neighbour continues it, or it continues one
    if prev is not None and not prev.rule and (_continues(prev, line) or _open_end(prev, line)):
        return "hard"
    if nxt is not None and not nxt.rule and not nxt.blank_before and text.rstrip()[-1:] in (",", "-"):
        return "hard"  # stops mid-sentence: '"DVT", "deep venous thrombosis",'
    if nxt is not None and not nxt.rule and (_continues(line, nxt) or _open_end(line, nxt)):
        return "hard"  # runs on into the next line ("A" / "35-year-old male.")
    if text.endswith(":") and nxt is not None and not nxt.rule and (_is_bullet(nxt.text) or len(nxt.text) >= 80):
        return "hard"  # a lead-in to a list or paragraph ("Management options include:")
    if _clinical_item(text) and not _under_chrome(lines, i) and not _imperative_start(text):
        return "hard"  # a short clinical item ("• Fludrocortisone maintenance", "Rest and analgesia")
    if _in_text_list(lines, i) or _in_headed_list(lines, i):
        return "hard"  # an entry of a list whose entries are text ("• Observation for mild cases"), or of a plain list under a heading
    if ":" in text[:40] and (is_known_heading(text.split(":", 1)[0]) or _ABSTRACT_LABEL.match(text)):
        return "hard"  # a paragraph of a structured abstract ("Conclusions: Unexplained colic ...")
    if re.search(r"\d\s?[x×]$", text):
        return "hard"  # "a white cell count of 23.8 x" / "10^9/L": a measurement wrapped at the line end
    if _heads_text(lines, i):
        # a heading over a paragraph, or whose words the text under it takes up; but a widget's label can head
        # short lines too ("Similar pages" over a list of links): removed only when the classifier is all but certain
        following = next((line for line in lines[i + 1 : i + 3] if not line.rule), None)
        heads_prose = following is not None and (
            _is_prose(following) or len(following.text) >= 200 or (is_sentence(following.text) and _about_patient(following.text))
        )
        return "hard" if heads_prose and not _chrome_cue(text) or line.zone == 0 and not _chrome_cue(text) else "strict"
    if _clinical_name(text):
        return "hard"  # a drug or disease name alone, the title of a drug page ("Methotrexate", "Kawasaki disease")
    if (
        nxt is not None
        and _starts_case(lines, i + 1)
        and len(text) <= 120
        and not (_chrome_cue(text) or _DATE_TIME.search(text) or _LABEL_VALUE.match(text) or _icon(text))
        and not re.search(r"\b(is|are|will|can)\b", text, re.IGNORECASE)  # a notice ("Registration is open"), not a title
    ):
        # a title or heading right over the case's first sentence; a widget sits there too ("Sort the transcript",
        # "Video visits available"): from two words on, only at the weak-guard threshold (round 5); a single word
        # there is a heading or a name
        return "weak" if len(_WORD_TOKENS.findall(text)) >= 2 else "hard"
    soft = (
        (text.rstrip("\"')\u201d ")[-1:] == "." and len(_WORD_TOKENS.findall(text)) >= 1)  # a full stop: written as a sentence
        or _is_description(text)
        or _is_running_text(text)
        or _is_prose(line)
        or is_sentence(text)
        or _is_section_heading(lines, i)
    )
    if soft and line.site_named and not _NARRATIVE.search(text):
        return "soft"  # a notice naming the site ("MedCabinet ... does not diagnose patients")
    if soft and (_about_patient(text) or _technical(text)):
        # the case itself: "She was discharged on day six."; "CT showed an intravertebral vacuum sign."
        return "hard"
    if soft and not _chrome_cue(text) and not line.site_named:
        # a sentence that neither addresses the reader nor names the site or a UI action: the report's when it
        # narrates ("A cast was applied."); otherwise mostly the report's too, but notices are written so
        # ("Archived pages are provided as-is."): only at the strictest threshold
        # inside the body such a line is hard when it tells what happened, else (round 5) weak: "Next →",
        # "Series: Quick reads", "Organization: Open Web Preservation" sit between the case's paragraphs
        if _NARRATIVE.search(text) or (line.zone == 0 and line.narrative_gap == _NO_BODY):
            return "hard"  # tells what happened, or the text has no body of prose to tell inside from outside
        return "weak" if line.zone == 0 else "strict"
    return "soft" if soft else None


# sentence ends inside a line: a page copied without line breaks can run a case's sentences and a widget's
# call to action together ("... returned at night.  Not sure what is causing your symptoms? ...")
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9)\]][.!?])\s+(?=[\"'(\[]?[A-Z])")


def _about_patient(text: str) -> bool:
    """A sentence of the line with a patient word ("she", "patient", "case", "52-year-old")
    that does not speak to the reader ("you", or an imperative with a UI word): "Take the
    quiz for this case" is a widget; "We report a case of gout." and "He had eaten cookies
    with peanuts." are not. Judged per sentence, so a case sentence run together with a
    widget's question on one line is still about the patient (content is never traded)."""
    if not _PATIENT_CUE.search(text):
        return False
    return any(_sentence_about_patient(part) for part in _SENTENCE_BREAK.split(text))


def _sentence_about_patient(text: str) -> bool:
    if not _PATIENT_CUE.search(text):
        return False
    words = [w.lower() for w in _WORD_TOKENS.findall(text)]
    if any(w in _YOU for w in words) or _BIO.match(rule_text(text)):
        return False  # speaks to the reader, or introduces an author ("Dr. Jane Roe is a ...")
    if not _PATIENT_CUE.search(_GENERIC_PATIENT.sub(" ", text)) and not _NARRATIVE.search(text) and _chrome_cue(text):
        # (round 6) "patient" or "this case" its only patient word, nothing told, and it speaks like chrome: a site's
        # offer about the case ("Members can claim 1 CME credit by completing the short quiz on this case.")
        return False
    return not (words[0] in imperative_words() and any(w in ui_words() for w in words))


_GENERIC_PATIENT = re.compile(r"\bpatients?\b|\b(this|the|our|present|index|a|an|first|second) case\b", re.IGNORECASE)


# the voice of a case report: "we report", "we decided", "a CT was performed at our institution"
_REPORT_VOICE = re.compile(
    r"\b(we|the authors?) (also |further |therefore |thus |here |now |then |subsequently )?(report|present|describe|discuss|review|"
    r"consider|believe|postulate|propose|suggest|conclude|speculate|hypothesi[sz]e|suspect|provide|show|demonstrate|find|observe|"
    r"examine|investigate|study|analy[sz]e|note|emphasi[sz]e|[a-z]+ed)\b|\b(was|were)\b|"
    r"\bour (own )?(study|studies|report|observations?|findings?|results?|data|understanding|knowledge|experience|institution|"
    r"department|patients?|case|cases|series|cohort|analysis|review|laboratory|hypothesis|model|method|methods|sample)\b",
    re.IGNORECASE,
)


# what a site says about itself rather than about a patient: the medium it is read in, money, licences and
# liability, and an author's or clinician's bio ("Dr. Jane Roe is a consultant ...", "Priya Rao, RN, has worked ...")
_SITE_TALK = re.compile(
    r"\b(this|our) (page|site|website|web site|article|section|post|story|episode|show|podcast|lesson|course|module|"
    r"listing|newsletter|email|e-mail|app|forum|thread|blog)\b|"
    r"\blicen[cs]ed?\b|\bcreative commons\b|\ball rights\b|\bendorse(s|d|ment|ments)?\b|\bliabilit(y|ies)\b|"
    r"\bsponsor(s|ed|ship)?\b|\bsubmitted by\b|\bpublished as\b|"
    # a price offered to the reader: "just £10 a month", "from $29", "for as little as €5"
    r"\b(from|only|just|as little as|for)\s+[£$€]\s?\d|[£$€]\s?\d[\d.,]*\s*(a|per|/)\s*(month|year|week|visit|session|consultation)\b",
    re.IGNORECASE,
)
_BIO = re.compile(
    r"^(Dr\.? |Prof\.? |Professor )?[A-Z][a-z]+( [A-Z]\.)? [A-Z][a-z'-]+(, [A-Z]{2,5})*,? (is an? |has (worked|been|written|led|spent)|writes |leads |"
    r"joined |trained |specialises |specializes )"
)


def _chrome_cue(text: str) -> bool:
    """What marketing, notices and widgets written as sentences have and report text lacks:
    "you"/"your", "we"/"our" (not in a report's voice: "we report", "we decided", "was
    performed at our institution"), a UI word (not one of `ordinary_ui_words.txt`), an
    imperative opening ("Discover ...", "Book ..."), a web address, e-mail or phone number,
    an exclamation, a question to the reader, a counter ("1,204 people") or a copyright sign."""
    tokens = _WORD_TOKENS.findall(rule_text(text))
    words = [w.lower() for w in tokens]
    if not words:
        return False
    plain = [w.lower() for w in tokens if w in (w.lower(), w.capitalize())]  # not "ChAT", not "SEARCH STRATEGY"
    if any(w in _YOU for w in words) or any(w in ui_words() and w not in ordinary_ui_words() for w in plain):
        return True
    if any(w in _FIRST_PLURAL for w in words) and not _REPORT_VOICE.search(text):
        return True
    return (
        (words[0] in imperative_words() and tokens[0] in (words[0], words[0].capitalize()))
        or bool(_URL_EMAIL_PHONE.search(text) or _COUNT_WIDGET.search(text))
        or bool(_SITE_TALK.search(text) or _BIO.match(rule_text(text)))
        or "!" in text
        or "©" in text
        or text.rstrip().endswith("?")
    )


def _imperative_start(text: str) -> bool:
    """The line opens with a verb of a call to action ("Request through interlibrary loan", "Report a problem")."""
    tokens = _WORD_TOKENS.findall(rule_text(text).lstrip("•·▪◦*–- "))
    return bool(tokens) and tokens[0] == tokens[0].capitalize() and tokens[0].lower() in imperative_words()


def _is_bullet(text: str) -> bool:
    return text.lstrip().startswith(_BULLET) and not text.startswith("--")


def _in_text_list(lines: Sequence[Line], i: int) -> bool:
    """Line i is a bullet of a list (up to 8 lines on each side, no rule or blank line between) that holds
    a long entry (80+ characters) and no links or UI words: a list of the report's, not a menu."""
    if not _is_bullet(lines[i].text):
        return False
    run = [i]
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(lines) and abs(k - i) <= 8 and not lines[k].rule and _is_bullet(lines[k].text):
            if lines[max(k, k - step)].blank_before:
                break  # a blank line ends the list
            run.append(k)
            k += step
    texts = [lines[k].text for k in run]
    if any(_MD_LINK.search(t) or _ui_share(t) > 0 for t in texts):
        return False
    return len(run) >= 2 and any(len(t) >= 80 for t in texts)


def _plain_item(text: str) -> bool:
    """A list entry with no link, web address, UI or second-person word, question or exclamation."""
    words = [w.lower() for w in _WORD_TOKENS.findall(text)]
    return (
        bool(words)
        and not (_MD_LINK.search(text) or _URL_EMAIL_PHONE.search(text))
        and not any(w in ui_words() or w in _YOU for w in words)
        and text.rstrip()[-1:] not in ("?", "!")
    )


def _in_headed_list(lines: Sequence[Line], i: int) -> bool:
    """Line i is a bullet of a list of two or more plain entries (`_plain_item`) right under a short
    heading of plain words (five words or fewer, no sentence end, no UI word: "Warning signs" over
    "- Fainting"). Menus and related-link lists carry links, UI words or questions to the reader."""
    if not _is_bullet(lines[i].text):
        return False
    # (a Markdown "loose" list has blank lines between its entries, and one under its heading)
    start = i
    while start > 0 and not lines[start - 1].rule and _is_bullet(lines[start - 1].text):
        start -= 1
    end = i
    while end + 1 < len(lines) and not lines[end + 1].rule and _is_bullet(lines[end + 1].text):
        end += 1
    if end - start < 1 or start == 0 or not all(_plain_item(lines[k].text) for k in range(start, end + 1)):
        return False
    head = lines[start - 1]
    words = _WORD_TOKENS.findall(rule_text(head.text))
    return (
        not head.rule
        and not _is_bullet(head.text)
        and 1 <= len(words) <= 5
        and rule_text(head.text).rstrip()[-1:] not in (".", "!", "?")
        and _plain_item(head.text)
    )


def _under_chrome(lines: Sequence[Line], i: int) -> bool:
    """The list line i belongs to hangs under a line a rule removed ("Which best describes you?")."""
    k = i - 1
    while k >= 0 and not lines[k].rule and _is_bullet(lines[k].text) and _is_bullet(lines[i].text):
        k -= 1
    return k >= 0 and bool(lines[k].rule)


@lru_cache(maxsize=1)
def clinical_vocabulary() -> frozenset[str]:
    """Words of four letters or more in the lexicon's terms (`resources/lexicons/terms.tsv`: diagnoses,
    anatomy, drugs, procedures), lower case: what makes a rare word clinical rather than site jargon
    ("hydrocortisone", "gastrocnemius" are in it; "reprints", "attendees", "takeaways" are not).
    Read from `CLINICAL_VOCABULARY_FILE` when its stamp matches terms.tsv."""
    stored = _stamped_words(CLINICAL_VOCABULARY_FILE, clinical_vocabulary_stamp())
    return frozenset(_clinical_vocabulary_from_terms() if stored is None else stored)


def _clinical_vocabulary_from_terms() -> frozenset[str]:
    """`clinical_vocabulary` computed from `lexicons/terms.tsv` itself."""
    words: set[str] = set()
    with resources.path("lexicons", "terms.tsv").open(encoding="utf-8") as handle:
        next(handle, None)
        for row in handle:
            words.update(_LOWER_WORD.findall(row.split("\t", 1)[0]))
    return frozenset(words)


_LOWER_WORD = re.compile(r"[a-z]{4,}")


def _clinical_word(word: str) -> bool:
    """A rare word that reads as clinical: in the lexicon, with a clinical suffix, or in no English dictionary."""
    w = word.lower()
    return w in clinical_vocabulary() or bool(_CLINICAL_WORD.search(w)) or w not in english_words()


def _clinical_item(text: str) -> bool:
    """A short line (six words or fewer) naming something clinical: a rare word (outside the
    20,000 most frequent English words) in lower case, or anywhere in a bullet item, and no
    UI or second-person word. Menus and buttons are made of everyday words and site names."""
    body = rule_text(text).lstrip("•·▪◦*–- ")
    words = _WORD_TOKENS.findall(body)
    if not words or len(words) > 6 or any(w.lower() in ui_words() or w.lower() in _YOU for w in words):
        return False
    if _MD_LINK.search(text) or _URL_EMAIL_PHONE.search(text):
        return False  # a link or an image ("![Coronal reformat](/cases/318/fig2.jpg)")
    _, frequent = _word_ranks()
    bullet = _is_bullet(text)
    return any(
        w.isalpha() and len(w) >= 6 and w.lower() not in frequent and (w[:1].islower() or (bullet and k == 0)) and _clinical_word(w)
        for k, w in enumerate(words)
    )


# the verbs a case is told in ("was", "underwent", "showed"): a sentence with one is the report's
_NARRATIVE = re.compile(
    r"\b(was|were|had|did|has been|have been|showed|revealed|presented|developed|received|underwent|denied|noted|"
    r"admitted|discharged|performed|treated|diagnosed|improved|resolved|complained|recovered)\b",
    re.IGNORECASE,
)


def _icon(text: str) -> bool:
    """A pictogram or arrow of a button ("♡", "↑", "☰")."""
    return any(unicodedata.category(ch) == "So" or ch in _ARROWS for ch in text)


def _clinical_name(text: str) -> bool:
    """One to four words, every word of four letters or more a word of the lexicon's terms, no UI word."""
    words = [w.lower() for w in _WORD_TOKENS.findall(rule_text(text))]
    long_words = [w for w in words if len(w) >= 4]
    common, _ = _word_ranks()
    return (
        1 <= len(words) <= 4
        and any(w not in common for w in long_words)  # not "Back to top": "back" is a term's word too
        and all(w in clinical_vocabulary() for w in long_words)
        and not any(w in ui_words() for w in words)
    )


def _technical(text: str) -> bool:
    """Technical prose not addressed to the reader: two or more rare lower-case words
    (outside the 20,000 most frequent English words: "sarcoidosis", "palpable"), no
    second-person word and no UI word. Marketing and notices are written in everyday words
    to "you"."""
    _, frequent = _word_ranks()
    words = _WORD_TOKENS.findall(text)
    if any(w.lower() in _YOU or (w in (w.lower(), w.capitalize()) and w.lower() in ui_words()) for w in words):
        return False
    table = prose_model()
    # (round 5) a rare word counts when it is a word of biomedical text (`prose_model`) or reads as clinical
    # (`_clinical_word`), not site jargon ("compendium", "perpetuity", "synchronised")
    return sum(
        w[:1].islower() and w.isalpha() and len(w) >= 6 and w not in frequent and (table.get(w, 0.0) > 0 or _clinical_word(w))
        for w in words
    ) >= 2


def _heads_text(lines: Sequence[Line], i: int, depth: int = 0) -> bool:
    """Line i is a heading that opens a section: short, no full stop, no UI words, and either
    placed like one (`_is_section_heading`) over a long paragraph, or its words come back in
    the next lines ("Management Options" over "Management options include:"). Site chrome
    headings sit over short blurbs and buttons and are not taken up by them.
    """
    text = rule_text(lines[i].text)
    words = _WORD_TOKENS.findall(text)
    if not words or len(text) > 60 or text[-1:] in (".", "!", "?") or any(w.lower() in ui_words() for w in words):
        return False
    if words[0].lower() in imperative_words() and words[0] in (words[0].capitalize(), words[0].lower()):
        return False  # a call to action ("Schedule a visit", "See available times"), not a section heading
    if _DATE_TIME.search(text) or any(unicodedata.category(ch) == "So" or ch in _ARROWS for ch in text if ch != "\u2026"):
        return False  # a byline's date ("Updated Apr 26, 2023") or a button's arrow ("▲ Top"): no section heading (round 5)
    following = [line for line in lines[i + 1 : i + 3] if not line.rule]
    if not following:
        return False
    if len(following[0].text) >= 200 and _is_section_heading(lines, i):
        return True
    long_words = [w.lower() for w in words if len(w) >= 4]
    under = " ".join(line.text.lower() for line in following)
    if len(words) >= 2 and bool(long_words) and sum(w in under for w in long_words) / len(long_words) >= 0.5:
        return True
    # a kicker over a heading that opens text ("From the Research" / "Intraosseous Hemangioma and Back Pain")
    j = next(k for k in range(i + 1, len(lines)) if not lines[k].rule)
    kicker = depth == 0 and len(words) >= 2 and not text.endswith(":") and not _is_bullet(lines[i].text)
    return kicker and lines[i].blank_before and lines[j].blank_before and _heads_text(lines, j, depth + 1)


def _heads_chrome(lines: Sequence[Line], i: int) -> bool:
    """(round 6) What follows line i up to the next Markdown heading (twelve lines at most) that no rule removed is
    short lines only, none a sentence, about a patient, a clinical item or a measurement: a widget's block ("## Files
    in this item" over file names, "## Usage statistics" over counters), not a section of the text."""
    for line in lines[i + 1 : i + 13]:
        if line.text.startswith("#"):
            break
        if line.rule:
            continue
        text = line.text
        if len(text) >= 80 or is_sentence(text) or _about_patient(text) or _clinical_item(text) or _MEASUREMENT.search(text):
            return False
    return True


def _protected(lines: Sequence[Line], i: int) -> bool:
    """Lines the classifier never removes at its ordinary threshold (hard or soft `guard`)."""
    return guard(lines, i) is not None


# (round 6) a title scores above this on the prose model: report titles, news-style ones too ("Runner survives heat
# stroke after collapsing near the finish line", -0.45), do; "Answer from a verified doctor" (-1.13) does not
_TITLE_PROSE_FLOOR = -0.75


def _title_index(lines: Sequence[Line]) -> int | None:
    """The line that is most likely the report's title: never removed by the classifier.

    The first kept line in the first half of the document with five or more words and
    no sentence end, that is not a heading or a menu of links ("Spontaneous spinal
    epidural haematoma after chiropractic manipulation of the neck"), nor (round 6) worded
    in a site's everyday English by the prose model (`_TITLE_PROSE_FLOOR`).
    """
    half = len(lines) // 2 + 1
    for i, line in enumerate(lines[:half]):
        text = rule_text(line.text)
        if line.rule or _is_heading(line) or len(text) > 250 or text.rstrip()[-1:] in ".!":
            continue
        if _MD_LINK.search(text) or _URL_EMAIL_PHONE.search(text) or _SEPARATOR_MARKS.search(text):
            continue  # a menu of links ("[Cases](/cases) · [Quizzes](/quiz)") is no title
        if _chrome_cue(text.rstrip(" ?!")) or _DATE_TIME.search(text) or _LABEL_VALUE.match(text):
            continue  # a widget or byline before the title ("Find it at the library", "Posted 3 May 2024 by ...")
        if len(_WORD_TOKENS.findall(text)) >= 5 and _line_prose(line) < _TITLE_PROSE_FLOOR:
            continue  # (round 6) reads as a site's everyday English, not a report's ("Answer from a verified doctor")
        if len(_WORD_TOKENS.findall(text)) >= 5:
            return i
    return None


def _open_end(prev: Line, line: Line) -> bool:
    """`prev` stops mid-phrase (on a comma, hyphen or function word), so `line` continues it."""
    if line.blank_before or line.page != prev.page:
        return False
    tail = prev.text.rstrip()
    last_word = tail.rsplit(" ", 1)[-1].lower()
    if tail[-1:] in (",", "-"):
        return True
    # a title over two lines reads as one description; a short block over a paragraph does not continue it.
    # Where every paragraph is one line (wrap None) a title is not wrapped either, unless it ends in a colon
    # ("Artificial Hallucinations in ChatGPT:" / "Implications in Scientific Writing")
    title_like = (
        (prev.wrap is not None or tail.endswith(":"))
        and len(tail) + len(line.text) <= 200
        and line.text.rstrip()[-1:] not in (".", "!", "?")
        and not _is_bullet(prev.text)
    )
    if prev.wrap is None:
        # one paragraph per line: a line ending without punctuation is a block of its own (a menu entry)
        return title_like and _is_description(tail + " " + line.text)
    if last_word in function_words() and " " in tail:  # not a "No" button
        return True
    if tail[-1:] in (".", "!", "?"):
        return False
    # a sentence runs on into a line that opens with a citation marker or a number ("[3, 4].", "52-year-old man"),
    # a wrapped line runs on from a long one, a title runs on over two lines
    # (a line of 40 characters or more is a wrapped one only in a hard-wrapped text: where every paragraph is
    # one line, short lines in a row are blocks of their own - menus, buttons, footer links)
    wrapped = len(tail) >= (40 if prev.wrap == 0 else max(40, 0.6 * prev.wrap))
    return (
        tail[-1:] not in _TERMINAL and (line.text[:1] in ("[", "(") or line.text[:1].isdigit() or wrapped)
    ) or (title_like and _is_description(tail + " " + line.text))


def _mark_classified(lines: list[Line], classifier: LineClassifier) -> None:
    """Remove lines the rules left whose P(boilerplate) reaches the classifier's threshold.

    Lines `guard` calls soft (sentences, clauses, heading-like lines without a patient)
    need the higher `sentence_threshold`; hard-guarded lines and the title are never
    removed. Features see the rule marks only (not earlier classifier decisions), so the
    result does not depend on the order lines are visited in. Since round 6 the score is
    smoothed over the page (`smoothed_log_odds`): the lines right before and after a
    candidate, guarded or not, are scored too and pull its log-odds their way.
    """
    title = _title_index(lines)
    kinds: dict[int, str | None] = {}
    candidates = []
    for i, line in enumerate(lines):
        if line.rule:
            continue
        kinds[i] = guard(lines, i)
        if i != title and kinds[i] != "hard":
            candidates.append(i)
    scores: dict[int, float] = {}

    def log_odds(j: int) -> float:  # a line's own log-odds (features see the rules' marks only)
        if lines[j].rule:
            return RULE_REMOVED_LOG_ODDS
        if j not in scores:
            scores[j] = classifier.log_odds(line_features(lines, j, kinds[j]))
        return scores[j]

    decisions = []
    for i in candidates:
        threshold = {None: classifier.threshold, "soft": classifier.sentence_threshold, "strict": classifier.strict_threshold,
                     "weak": classifier.weak_threshold}[kinds[i]]
        if threshold is None:
            continue
        neighbours = [log_odds(j) for j in (i - 1, i + 1) if 0 <= j < len(lines)] if classifier.smoothing else []
        z = smoothed_log_odds(log_odds(i), neighbours, classifier.smoothing)
        if 1.0 / (1.0 + math.exp(-z)) >= threshold:
            decisions.append(i)
    for i in decisions:
        lines[i].rule = "line_classifier"


# ------------------------------------------------------------------------ re-flow


class _Builder:
    """Accumulates clean text and its per-character source offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def copy(self, source: str, start: int, end: int) -> None:
        self.parts.append(source[start:end])
        self.offsets.extend(range(start, end))

    def emit(self, text: str, source_offset: int) -> None:
        if text.startswith("\n") and self.parts and self.parts[-1].endswith(" "):
            self.parts[-1] = self.parts[-1][:-1]  # no trailing space before a line break
            self.offsets.pop()
        self.parts.append(text)
        self.offsets.extend([source_offset] * len(text))

    def tail(self, n: int) -> str:
        return "".join(self.parts[-n:])


_TERMINAL = tuple(".?!:;")
_BULLET = tuple("•·▪◦*–-")
_WORD_AT_END = re.compile(r"([A-Za-z]+)-$")
_WORD_AT_START = re.compile(r"^([a-z]+)")
_WORDS = re.compile(r"[A-Za-z]+")


def _wrap_width(lines: list[Line]) -> int | None:
    """Typical line length of a hard-wrapped text, or None if lines are paragraphs."""
    widths = sorted(len(line.text) for line in lines if len(line.text) >= 20)
    if len(widths) < 5:
        return None
    p90 = widths[int(len(widths) * 0.9) - 1]
    return p90 if p90 <= 130 else None


def _separator(prev: Line, prev_text: str, line: Line, gap_removed: bool, wrap: int | None) -> str:
    """How the clean text continues from one kept line to the next: ' ', '\\n' or '\\n\\n'."""
    first = line.text[:1]
    continues = prev_text[-1:] not in _TERMINAL and (first.islower() or first.isdigit() or first in "(")
    if line.text.startswith(_BULLET) and not line.text.startswith("-" * 2):
        return "\n"
    if continues:
        return " "  # also across removed text (a page header): the seam is recorded
    if gap_removed:
        return "\n\n"
    if line.page != prev.page or _is_heading(line):
        return "\n\n"
    long_line = wrap is not None and len(prev.text) >= 0.6 * wrap
    if line.blank_before:
        return " " if (long_line and prev_text[-1:] not in _TERMINAL and not _is_heading(prev)) else "\n\n"
    if long_line and not _is_heading(prev) and not _is_heading(line):
        return " "
    return "\n"


def load_resources() -> None:
    """Load every rule file, word list and the classifier now (each is cached), not on first use."""
    line_rules(), hyphen_prefixes(), closed_prefixes(), english_words(), _word_ranks(), _foreign_dictionaries()
    ui_words(), ordinary_ui_words(), imperative_words(), function_words(), clinical_headings(), section_headers()
    line_classifier(), clinical_vocabulary(), prose_model()


def mark_lines(source: SourceText, context: CorpusContext | None = None, classify: bool = True) -> list[Line]:
    """Steps 1-2: the source's lines, each with the rule that removes it (or None).

    `classify=False` stops before the line classifier: what its features and its
    training script see.
    """
    context = context or CorpusContext()
    text = source.text
    lines = segment(text, narrow_gaps=source.source_format != "pdf")
    # paragraphs of 160 characters or more on one line each: the text is not hard-wrapped, whatever its short lines
    # (or when the long lines end their sentences: a hard-wrapped text breaks most of them mid-sentence)
    long_lines = [line.text for line in lines if len(line.text) >= 80]
    ended = sum(t.rstrip("\"')\u201d ")[-1:] in (".", "!", "?") for t in long_lines)
    paragraphs = sum(len(t) >= 160 for t in long_lines) >= 3 or (len(long_lines) >= 2 and ended >= 0.6 * len(long_lines))
    wrap = None if paragraphs else (_wrap_width(lines) or 0)  # 0: too few lines to tell
    for line in lines:
        line.wrap = wrap
    _mark_margins(lines, source.margins)
    _mark_page_furniture(lines)
    _mark_rules(lines, line_rules())
    _mark_front_matter(lines)
    for line in lines:
        if line.rule:
            continue
        lang = _foreign_language(line.text)
        if lang:
            line.rule = f"foreign_language:{lang}"
        elif context.recurring and normalise_line(line.text) in context.recurring:
            line.rule = "recurring_line"
    _mark_foreign_chrome(lines)
    _mark_foreign_runs(lines)
    _mark_repeated_title(lines)
    _mark_zones(lines, _metadata_site_words(source.metadata))
    if classify:
        _mark_classified(lines, line_classifier())
        _mark_enclosed_names(lines)
    return lines


def _mark_enclosed_names(lines: list[Line], longest: int = 3) -> None:
    """(round 6) After the body of the text, a run of one to three short name-like lines ("Addiction Medicine",
    "Anesthesia": what `guard` keeps as a clinical name or item) with a removed line right before and right after
    it is the entry of a menu whose other entries went (a subject list, related links): rule `enclosed_name`.
    Never a sentence, a heading, a line about a patient, a measurement or inside the body."""
    def name_like(line: Line) -> bool:
        text = line.text
        return (
            not line.rule
            and line.zone == 1
            and len(_WORD_TOKENS.findall(text)) <= 6
            and not is_sentence(text)
            and not text.startswith("#")
            and not is_known_heading(text)
            and heading_key(text) not in clinical_headings()
            and not _about_patient(text)
            and not _MEASUREMENT.search(text)
            and (_clinical_name(text) or _clinical_item(text))
        )

    i = 1
    while i < len(lines):
        j = i
        while j < len(lines) and j - i < longest and name_like(lines[j]):
            j += 1
        if j > i and j < len(lines) and lines[i - 1].rule and lines[j].rule:
            for k in range(i, j):
                lines[k].rule = "enclosed_name"
        i = max(j, i + 1)


def clean(source: SourceText, context: CorpusContext | None = None) -> CleanText:
    text = source.text
    lines = mark_lines(source, context)
    repeated_title = next((line.text for line in lines if line.rule == "repeated_title"), None)

    wrap = _wrap_width([line for line in lines if not line.rule])
    vocabulary = {w.lower() for w in _WORDS.findall(text)}
    citations = citation_spans(text)
    removed: list[RemovedSpan] = []
    seams: list[int] = []
    out = _Builder()
    prev: Line | None = None
    prev_text = ""
    gap_removed = False
    for line in lines:
        if line.rule:
            removed.append(RemovedSpan(line.start, line.end, line.rule, text[line.start : line.end]))
            gap_removed = gap_removed or prev is not None
            continue
        _mark_citations(line, citations)
        if prev is not None:
            hyphen = _WORD_AT_END.search(prev_text)
            head = _WORD_AT_START.match(line.text)
            # a word hyphenated at a line end, also across a page break whose header was removed
            if hyphen and head and (not line.blank_before or gap_removed or line.page != prev.page):
                if _drop_hyphen(hyphen.group(1), head.group(1), text, vocabulary):
                    hyphen_at = out.offsets.pop()
                    out.parts[-1] = out.parts[-1][:-1]
                    removed.append(RemovedSpan(hyphen_at, hyphen_at + 1, "hyphenation", "-"))
                if gap_removed:
                    seams.append(len(out.offsets))
                # either way the two halves are one word: no space between them
            else:
                sep = _separator(prev, prev_text, line, gap_removed, wrap)
                if sep in (" ", "\n") and _kept_head(text, line)[:1] in tuple(".,;:)"):
                    sep = ""  # "rupture\n[1]. In": the marker went, the full stop closes the sentence
                if sep == "\n\n" and out.tail(2).endswith("\n\n"):
                    sep = ""
                out.emit(sep, prev.end)
                if gap_removed and sep == " ":
                    seams.append(len(out.offsets))
        _copy_line(text, line, out, removed)
        prev, prev_text, gap_removed = line, _kept_text(text, line), False
    clean_text = "".join(out.parts)
    if clean_text and out.offsets[-1] + 1 < len(text):
        clean_text += "\n"
        out.offsets.append(out.offsets[-1] + 1)
    metadata = _metadata(text, lines, clean_text, repeated_title)
    return CleanText(
        case_id=source.case_id,
        text=clean_text,
        offsets=tuple(out.offsets),
        removed=tuple(sorted(removed, key=lambda r: (r.raw_start, r.raw_end))),
        metadata=metadata,
        seams=tuple(seams),
    )


def _drop_hyphen(left: str, right: str, text: str, vocabulary: set[str]) -> bool:
    """Whether "left-<line break>right" is one word split by the layout (drop the hyphen).

    In order: the text itself (the hyphenated or the joined form written elsewhere); a
    prefix that keeps its hyphen ("non-steroidal", `hyphen_prefixes.txt`); a prefix that
    closes up ("sub-capsular" -> "subcapsular", `closed_prefixes.txt`); the English word
    list; two real words on both sides keep the hyphen ("follow-up"); anything else is
    a word broken mid-syllable ("ketoaci-dosis").
    """
    joined = (left + right).lower()
    if re.search(rf"\b{re.escape(left)}-{re.escape(right)}\b", text, re.IGNORECASE):
        return False
    if joined in vocabulary:
        return True
    if left.lower() in hyphen_prefixes():
        return False
    if left.lower() in closed_prefixes():
        return True
    words = english_words()
    if joined in words:
        return True
    return not (left.lower() in words and right.lower() in words)


def _kept_head(text: str, line: Line) -> str:
    """The first characters the clean text shows of a line (after a leading citation cut)."""
    start = line.start
    for cut_start, cut_end, _ in line.cuts:
        if cut_start > start:
            break
        start = max(start, cut_end)
    return text[start : min(line.end, start + 8)].lstrip()


def _kept_text(text: str, line: Line) -> str:
    """The line's text without its inline cuts (what the clean text shows)."""
    parts, cursor = [], line.start
    for start, end, _ in line.cuts:
        parts.append(text[cursor:start])
        cursor = end
    parts.append(text[cursor : line.end])
    return "".join(parts).rstrip()


def _copy_line(text: str, line: Line, out: _Builder, removed: list[RemovedSpan]) -> None:
    cursor = line.start
    pieces: list[tuple[int, int]] = []
    for start, end, rule in line.cuts:
        pieces.append((cursor, start))
        removed.append(RemovedSpan(start, end, rule, text[start:end]))
        cursor = end
    pieces.append((cursor, line.end))
    for start, end in pieces:
        if start >= end:
            continue
        if out.parts and out.tail(1)[-1:] == " " and text[start].isspace():
            while start < end and text[start].isspace():
                start += 1
        piece_cursor = start
        for match in _HSPACE.finditer(text, start, end):
            out.copy(text, piece_cursor, match.start())
            if not out.tail(1).endswith((" ", "\n")):
                out.emit(" ", match.start())
            piece_cursor = match.end()
        out.copy(text, piece_cursor, end)


# ------------------------------------------------------------------------ metadata

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b")
_PMCID = re.compile(r"\b(PMC\d{5,9})\b")
_CITATION_LINE = re.compile(r"^(?P<journal>[A-Z][^.;]{1,120}?)\.\s*(?P<year>(?:19|20)\d{2})\b")


def _metadata(text: str, lines: list[Line], clean_text: str, repeated_title: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if match := _DOI.search(text):
        found["doi"] = match.group(1)
    if match := _PMID.search(text):
        found["pmid"] = match.group(1)
    if match := _PMCID.search(text):
        found["pmcid"] = match.group(1)
    for line in lines:
        if line.rule == "bib_citation" and "journal" not in found:
            if match := _CITATION_LINE.match(line.text):
                found["journal"] = match.group("journal").strip()
                found["year"] = match.group("year")
        elif line.rule == "bib_author_list" and "author" not in found:
            found["author"] = line.text.strip()
    title = repeated_title or _title_from_text(clean_text)
    if title:
        found["title"] = " ".join(title.split())
    return found


def _title_from_text(clean_text: str) -> str | None:
    """The first short paragraph that is not a generic heading (e.g. "Case report")."""
    for paragraph in clean_text.split("\n\n")[:3]:
        paragraph = paragraph.strip()
        words = re.sub(r"[^a-z ]", " ", paragraph.lower()).split()
        if not words:
            continue
        if len(words) <= 3 and all(w in _HEADING_WORDS for w in words):
            continue
        if len(paragraph) <= 250 and "\n" not in paragraph and not paragraph.endswith("."):
            return paragraph
        return None
    return None


def recurring_lines(texts: Iterable[str], min_docs: int = 3, min_share: float = 0.3) -> frozenset[str]:
    """Normalised lines that recur across the corpus: candidates for boilerplate.

    A line counts once per document. It qualifies when it appears in at least `min_docs`
    documents and in at least `min_share` of them, is short (at most 200 characters) and
    is not a section heading ("Abstract", "Figure 1") — site chrome is short; a real
    sentence that two reports share (or the two copies of one case) stays below the
    document threshold.
    """
    docs = list(texts)
    counts: Counter[str] = Counter()
    for text in docs:
        counts.update({normalise_line(line.text) for line in segment(text) if len(line.text) <= 200})
    needed = max(min_docs, int(min_share * len(docs) + 0.999))
    return frozenset(
        line
        for line, n in counts.items()
        if n >= needed and len(line) >= 3 and not _is_heading(Line(0, len(line), line, 0, False))
    )
