import spacy
from spacy.tokens import Span

from pipeline import coding


def _ent(text, phrase, label="ANATOMY", others=()):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    spans = []
    for p, lab in ((phrase, label), *others):
        start = text.index(p)
        spans.append(doc.char_span(start, start + len(p), label=lab))
    doc.ents = sorted(spans, key=lambda s: s.start)
    return next(e for e in doc.ents if e.text == phrase)


def test_coding_levels_dorsal_to_thoracic_and_ribs():
    assert coding.normalise_levels("the D5-D6 vertebra") == ["T5-T6"]
    assert coding.normalise_levels("a T12 thoracic spine lesion") == ["T12"]
    assert coding.normalise_levels("the 12th left rib") == ["rib 12"]
    assert coding.normalise_levels("L5-S1") == ["L5-S1"]


def test_coding_laterality():
    assert coding.laterality(_ent("oedema of the 12th left rib", "rib")) == "left"
    assert coding.laterality(_ent("active bilateral sacroiliitis", "sacroiliitis", "DIAGNOSIS")) == "bilateral"
    assert coding.laterality(_ent("the left and right tibial metaphysis", "tibial metaphysis")) == "bilateral"


def test_coding_imaging_body_region():
    ent = _ent("sacroiliac joints MRI was performed", "MRI", "IMAGING", (("sacroiliac joints", "ANATOMY"),))
    assert coding.body_region(ent) == "sacroiliac joints"


def test_coding_treatment_kind():
    assert coding.treatment_kind(_ent("radiation therapy was given", "radiation therapy", "TREATMENT"), "procedure") == "radiotherapy"
    assert coding.treatment_kind(_ent("aspirin was given", "aspirin", "TREATMENT"), "drug") == "drug"
