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


def test_coding_singular_and_variants():
    assert coding.singular("ribs") == "rib"
    assert coding.singular("testicles") == "testis"
    assert coding.singular("metastasis") == "metastasis"
    assert ["breast"] in coding.lookup_variants(["left", "breast"], "anatomy")
    assert ["aplastic", "anemia"] in coding.lookup_variants(["severe", "aplastic", "anemia"], "diagnosis")
    assert ["echocardiography"] in coding.lookup_variants(["transthoracic", "echocardiography"], "imaging")


def test_coding_icd10cm_most_specific_unspecified_child():
    assert coding.icd10cm_code(["ankylosing spondylitis"]) == "M45.9"
    assert coding.icd10cm_code(["pneumonia"]) == "J18.9"
    assert coding.icd10cm_code(["hemangiomas"]) == "D18.00"
    assert coding.billable("M41") == "M41.9"
    assert coding.icd10cm_code(["no such disease"]) is None


def test_coding_icd10cm_never_contradicts_type():
    assert coding.icd10cm_code(["type 1 diabetes mellitus"]).startswith("E10")
    assert coding.icd10cm_code(["type 2 diabetes mellitus"]).startswith("E11")


def test_coding_uninvert_mesh_heading():
    assert coding.uninvert("Osteoma, Osteoid") == "Osteoid Osteoma"


def test_coding_icd10cm_inclusion_terms_and_token_set():
    assert coding.icd10cm_code(["pulmonary edema"]) == "J81.1"  # 'Pulmonary edema NOS'
    assert coding.icd10cm_code(["cirrhosis"]) == "K74.60"  # 'Cirrhosis (of liver) NOS'
    assert coding.icd10cm_code(["central giant cell granuloma"]) == "M27.1"  # word order
    assert coding.icd10cm_code(["tuberculosis"]) == "A15.9"  # fewest extra words, most general
    assert coding.billable("J96.9") == "J96.90"  # the most 'unspecified' child


def test_coding_anatomy_variants():
    assert ["right", "ventricle"] in coding.lookup_variants(["right", "ventricle", "of", "his", "heart"], "anatomy")
    assert ["elbows"] in coding.lookup_variants(["flexor", "surface", "of", "the", "elbows"], "anatomy")
    assert ["ileal"] in coding.lookup_variants(["ileal", "loops"], "anatomy")
    assert ["limbs"] in coding.lookup_variants(["four", "limbs"], "anatomy")
