"""Every custom Doc/Span attribute the pipeline sets, declared in one place.

Span._.concept_id:          str | None   concept the span is coded to (a lexicon concept_id)
Span._.source:              str | None   what produced the span: "model", "lexicon",
                                         "model+lexicon", "abbreviation"
Doc._.report_sections:      list[tuple[str, int, int, str]]  (section, start_char, end_char,
                                         header text) blocks covering the text, in order;
                                         set by `case_sections_v1`
Span._.report_section:      str   (getter) section of the span's first character, from
                                  Doc._.report_sections; "other" when none is set
Doc._.abbreviations:        list[Span]  short forms with a definition in the document,
                                        sorted by position (scispacy's attribute name)
Span._.long_form:           str | None  text of the long form a short form stands for (defined in
                                        the report, or from the curated clinical list)
Span._.assertion:           str | None  present, absent, possible, hypothetical, historical
Span._.assertion_trigger:   str | None  the ConText rule literal that decided the assertion
Span._.experiencer:         str | None  patient, family, other
Span._.experiencer_trigger: str | None  the cue that decided the experiencer
Span._.modifiers:           tuple       medspaCy ConText modifiers of the span (medspaCy's name)
Doc._.context_graph:        object      medspaCy ConText graph (medspaCy's name)
"""

from bisect import bisect_right

from spacy.tokens import Doc, Span


def _section_of(span: Span) -> str:
    blocks = span.doc._.report_sections
    if not blocks:
        return "other"
    starts = [b[1] for b in blocks]
    i = bisect_right(starts, span.start_char) - 1
    return blocks[i][0] if i >= 0 else blocks[0][0]


for _name in ("concept_id", "source", "long_form", "assertion", "assertion_trigger", "experiencer", "experiencer_trigger"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
if not Span.has_extension("modifiers"):
    Span.set_extension("modifiers", default=())
if not Span.has_extension("report_section"):
    Span.set_extension("report_section", getter=_section_of)
if not Doc.has_extension("report_sections"):
    Doc.set_extension("report_sections", default=[])
if not Doc.has_extension("abbreviations"):
    Doc.set_extension("abbreviations", default=[])
if not Doc.has_extension("context_graph"):
    Doc.set_extension("context_graph", default=None)
