"""`case_abbreviations_v1`: abbreviations defined in the report, and every use of them.

Reads: tokens, `doc.ents`. Writes: `Doc._.abbreviations` (short-form spans sorted by
position), `Span._.long_form` (text of the long form) on those spans and on entities
that are short forms, and `doc.ents`: each use of a defined short form whose long form is
(or overlaps) an entity becomes an entity of that category with the long form's
`concept_id`, `source` "abbreviation" — unless it overlaps an entity already.

Definitions are found with scispacy's Schwartz & Hearst implementation
(`scispacy.abbreviation.filter_matches` / `find_abbreviation`; the same steps as its
`AbbreviationDetector`, without that class's re-registration of extensions), over the
whole report. Unambiguous clinical abbreviations the report does not define get their
expansion from `resources/abbreviations/clinical.tsv`.
"""


from pathlib import Path

from scispacy.abbreviation import filter_matches, find_abbreviation
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline import resources


def load_clinical(file: Path | None = None) -> dict[str, str]:
    file = file or resources.path("abbreviations", "clinical.tsv")
    table: dict[str, str] = {}
    for number, row in enumerate(resources.read_tsv(file, ("short", "long")), start=2):
        if row["short"] in table:
            raise ValueError(f"{file}: row {number}: duplicate short form {row['short']!r}")
        table[row["short"]] = row["long"]
    return table


def by_initials(long_candidate: Span, short: Span) -> Span | None:
    """The words right before the parenthesis whose initials spell the short form, if any.

    Schwartz & Hearst may match several letters inside one word ("osteoid osteoma (OO)"
    gives "osteoma"); when the initials of the last k words spell the k letters of the
    short form, that reading is the definition. Hyphens split words ("non-steroidal").
    """
    letters = [c.lower() for c in short.text if c.isalpha()]
    if not 2 <= len(letters) <= 8 or long_candidate.end != short.start - 1:
        return None
    words: list[tuple[int, str]] = []  # (token index, initial) from the right
    for token in reversed(long_candidate):
        parts = [p for p in token.text.split("-") if p]
        if not parts or not parts[0][0].isalpha():
            break
        words[:0] = [(token.i, p[0].lower()) for p in parts]
        if len(words) >= len(letters):
            break
    if len(words) < len(letters) or [w[1] for w in words[-len(letters) :]] != letters:
        return None
    return long_candidate.doc[words[-len(letters)][0] : long_candidate.end]


def find_definitions(doc: Doc, matcher: Matcher) -> list[tuple[Span, Span]]:
    """(short form, long form) pairs defined in the doc, first definition of each short form."""
    matches = [(m, s + 1, e - 1) for m, s, e in matcher(doc)]
    pairs: dict[str, tuple[Span, Span]] = {}
    seen_long: set[str] = set()
    for long_candidate, short_candidate in filter_matches(matches, doc):
        short, long = find_abbreviation(long_candidate, short_candidate)
        long = by_initials(long_candidate, short) or long
        if long is None or short.text in pairs or long.text in seen_long:
            continue
        pairs[short.text] = (short, long)
        seen_long.add(long.text)
    return sorted(pairs.values(), key=lambda p: (p[0].start, p[0].text))


class Abbreviations:
    def __init__(self, nlp: Language, clinical: dict[str, str]) -> None:
        self.tokenizer = nlp.tokenizer
        self.clinical = clinical
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("parenthesis", [[{"ORTH": "("}, {"OP": "+"}, {"ORTH": ")"}]])

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        taken = [False] * len(doc)
        for ent in ents:
            for i in range(ent.start, ent.end):
                taken[i] = True
        shorts: list[Span] = []
        added: list[Span] = []
        definitions = find_definitions(doc, self.matcher)
        texts = [t.text for t in doc] if definitions else []
        for short, long in definitions:
            source = self._entity_for(ents, long)
            words = [t.text for t in self.tokenizer(short.text)]
            n = len(words)
            first = words[0] if words else None
            for i in range(len(doc) - n + 1):
                if (n and texts[i] != first) or texts[i : i + n] != words:
                    continue
                span = Span(doc, i, i + n, label=source.label_ if source is not None else "")
                span._.long_form = long.text
                shorts.append(span)
                if source is None:
                    continue
                if any(taken[i : i + n]):
                    for ent in ents:
                        if ent.start == i and ent.end == i + n:
                            ent._.long_form = long.text
                    continue
                span._.concept_id = source._.concept_id
                span._.source = "abbreviation"
                added.append(span)
                for k in range(i, i + n):
                    taken[k] = True
        defined = {s.text for s in shorts}
        for ent in ents:
            if ent._.long_form is None and ent.text not in defined and ent.text in self.clinical:
                ent._.long_form = self.clinical[ent.text]
        if added:
            doc.ents = sorted(ents + added, key=lambda s: (s.start, s.end))
        doc._.abbreviations = sorted(shorts, key=lambda s: (s.start, s.end, s.text))
        return doc

    @staticmethod
    def _entity_for(ents: list[Span], long: Span) -> Span | None:
        """The entity the long form names: the one ending where it ends, else the longest overlap."""
        overlapping = [e for e in ents if e.start < long.end and long.start < e.end]
        if not overlapping:
            return None
        ending = [e for e in overlapping if e.end == long.end]
        pool = ending or overlapping
        return max(pool, key=lambda e: (min(e.end, long.end) - max(e.start, long.start), -e.start))


@Language.factory(
    "case_abbreviations_v1",
    assigns=["doc.ents", "doc._.abbreviations", "span._.long_form"],
    requires=["doc.ents"],
    default_config={"clinical_file": None},
)
def make_abbreviations(nlp: Language, name: str, clinical_file: str | None) -> Abbreviations:
    return Abbreviations(nlp, load_clinical(Path(clinical_file) if clinical_file else None))
