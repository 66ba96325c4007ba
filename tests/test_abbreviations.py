import spacy
from spacy.tokens import Span

from pipeline.components.abbreviations import Abbreviations, by_initials, load_clinical


def _doc(nlp, text, ents):
    doc = nlp(text)
    spans = []
    for start, end, label in ents:
        span = doc.char_span(start, end, label=label)
        span._.concept_id = "MeSH:D010017" if label == "DIAGNOSIS" else None
        spans.append(span)
    doc.ents = spans
    return doc


def test_abbreviations_short_forms_become_entities_with_long_form_concept():
    nlp = spacy.blank("en")
    text = "A spinal osteoid osteoma (OO) was resected. The OO did not recur."
    start = text.index("osteoid")
    doc = _doc(nlp, text, [(start, start + len("osteoid osteoma"), "DIAGNOSIS")])
    doc = Abbreviations(nlp, {})(doc)
    shorts = [e for e in doc.ents if e.text == "OO"]
    assert len(shorts) == 2
    assert all(e.label_ == "DIAGNOSIS" and e._.long_form == "osteoid osteoma" for e in shorts)
    assert all(e._.concept_id == "MeSH:D010017" and e._.source == "abbreviation" for e in shorts)
    assert [s.start for s in doc._.abbreviations] == sorted(s.start for s in doc._.abbreviations)


def test_abbreviations_by_initials_prefers_word_initials():
    nlp = spacy.blank("en")
    doc = nlp("the spinal osteoid osteoma (OO)")
    long = by_initials(doc[0:4], doc[5:6])
    assert long is not None and long.text == "osteoid osteoma"


def test_abbreviations_undefined_ambiguous_short_form_is_not_expanded():
    nlp = spacy.blank("en")
    doc = nlp("AS was mentioned.")
    doc.ents = [Span(doc, 0, 1, label="DIAGNOSIS")]
    doc = Abbreviations(nlp, load_clinical())(doc)
    assert doc.ents[0]._.long_form is None


def test_abbreviations_curated_list_expands_undefined_unambiguous():
    nlp = spacy.blank("en")
    doc = nlp("An MRI was done.")
    doc.ents = [Span(doc, 1, 2, label="IMAGING")]
    doc = Abbreviations(nlp, load_clinical())(doc)
    assert doc.ents[0]._.long_form == "magnetic resonance imaging"
