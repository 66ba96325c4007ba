import spacy

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


def test_coding_billable_prefers_the_child_that_states_nothing_more():
    assert coding.billable("E11") == "E11.9"  # without complications, not 'with unspecified complications'
    assert coding.billable("K72.9") == "K72.90"  # without coma
    assert coding.billable("C92.0") == "C92.00"  # not having achieved remission
    assert coding.billable("K85.9") == "K85.90"  # without necrosis or infection
    assert coding.billable("K80") == "K80.20"  # gallbladder without cholecystitis, without obstruction


def test_coding_icd_words_organ_adjectives_and_filler():
    assert coding._icd_words("renal failure") == coding._icd_words("kidney failure")
    assert coding._icd_words("hepatic abscess") == coding._icd_words("abscess of liver")
    assert coding._icd_words("Malignant neoplasm of kidney, except renal pelvis") == coding._icd_words("malignant neoplasm of kidney")
    assert coding.icd10cm_code(["pulmonary tuberculosis"]) == "A15.0"  # 'Tuberculosis of lung'


def test_coding_icd10cm_index_cross_references():
    assert coding.icd10cm_code(["head trauma"]) == "S09.90XA"  # trauma -> injury
    assert coding.icd10cm_code(["mitral regurgitation"]) == "I34.0"  # regurgitation -> insufficiency, nonrheumatic default
    assert coding.icd10cm_code(["gallstones"]) == "K80.20"
    assert coding.icd10cm_code(["aortic stenosis"]) == "I35.0"  # 'Nonrheumatic aortic (valve) stenosis'


def test_coding_back_off_never_assumes_a_population():
    assert coding.icd10cm_code(["urinary tract infection"]) == "N39.0"  # not '... in pregnancy'
    assert coding.icd10cm_code(["sepsis"]) == "A41.9"
    assert not coding.icd10cm_code(["hyponatremia"]) or not coding.icd10cm_code(["hyponatremia"]).startswith("P")


def test_coding_icd10cm_neoplasm_behaviour_and_site():
    assert coding.icd10cm_code(["osteosarcoma"]) == "C41.9"  # malignant, default site bone
    assert coding.icd10cm_code(["glioblastoma"]) == "C71.9"
    assert coding.icd10cm_code(["brain metastases"]) == "C79.31"  # secondary, site from the text
    assert coding.icd10cm_code(["lung metastasis"]) == "C78.00"
    assert coding.icd10cm_code(["hepatic metastases"]) == "C78.7"
    assert coding.icd10cm_code(["adrenal adenoma"]) == "D35.00"
    assert coding.icd10cm_code(["pancreatic cancer"]) == "C25.9"
    assert coding.icd10cm_code(["tumour"]) == "D49.9"  # unspecified behaviour, unspecified site
    assert coding.icd10cm_code(["benign tumor"]) == "D36.9"
    assert coding.icd10cm_code(["carcinoma in situ of cervix"]) == "D06.9"
    assert coding.icd10cm_code(["basal cell carcinoma"]) == "C44.91"  # a title: not re-derived


def test_coding_diabetes_type_never_contradicted():
    for text in ("type 1 diabetes", "type 1 diabetes mellitus", "diabetes mellitus type 1"):
        assert coding.icd10cm_code([text]).startswith("E10"), text
    for text in ("type 2 diabetes mellitus", "type II diabetes mellitus", "diabetes mellitus", "diabetes"):
        assert coding.icd10cm_code([text]) == "E11.9", text
    assert coding.icd10cm_code(["diabetes insipidus"]).startswith("E23")


def test_coding_head_back_off():
    assert coding.icd10cm_head(["axonal sensory neuropathy"]) == "G62.9"  # -> 'Neuropathy NOS'
    assert coding.icd10cm_head(["severe unexplained failure"]) is None  # a generic head alone is not a diagnosis


def test_coding_short_form_expansion_by_category():
    assert coding.expansion("PCP", "diagnosis") == "pneumocystis pneumonia"
    assert coding.expansion("PCP", "treatment") is None
    assert coding.expansion("INH", "treatment") == "isoniazid"
    assert coding.expansion("AKI", "diagnosis") == "acute kidney injury"  # the lexicon's own table too


def test_coding_mention_uses_the_category_expansion():
    from pipeline import normalise
    from pipeline.components.lexicon_features import shared_lexicon

    ent = _ent("PCP was diagnosed.", "PCP", "DIAGNOSIS")
    concept = normalise.code_mention(ent, "diagnosis", shared_lexicon(None))
    assert concept.concept_id == "ICD-10-CM:B59"  # 'Pneumonia due to Pneumocystis jirovecii'


def test_coding_tables_are_validated():
    roles = coding.icd_words()
    assert roles["same"]["renal"] == "kidney" and "newborn" in roles["population"]
    assert coding.neoplasm_morphology()[("osteoma",)] == ("benign", ("bone",))
    assert all(v[0] in coding._NEOPLASM_BEHAVIOUR for v in coding.neoplasm_morphology().values())


def test_coding_fuzzy_words_back_off():
    # words the classification writes differently: an adjective or a hyphenated form of the
    # title's word, a misspelt ending; only when every word of the text is matched
    assert coding.icd10cm_fuzzy(["schizo-affective disorder"]) == "F25.9"
    assert coding.icd10cm_fuzzy(["osteomyelitic"]) == "M86.9"
    assert coding.icd10cm_fuzzy(["bradycardic"]) == "R00.1"
    assert coding.icd10cm_fuzzy(["chronic pancreatitus"]).startswith("K86")
    assert coding.icd10cm_code(["cholecystitic"]) == "K81.9"  # reached as the last back-off
    assert coding.icd10cm_fuzzy(["wholly unrelated words"]) is None


def test_coding_fuzzy_words_never_contradict_the_text():
    assert "hyperglycemia" not in coding.similar_words("hypoglycemic")  # opposite prefixes
    assert "toxic" not in coding.similar_words("nontoxic")
    assert coding.similar_words("acute") == {"acute": 1.0}  # course words match only themselves
    assert coding.icd10cm_fuzzy(["acute thyroiditis"]) == "E06.0"
    assert coding.icd10cm_fuzzy(["subacute thyroiditis"]) == "E06.1"
    assert coding.icd10cm_fuzzy(["type 3 diabetes"]) is None  # a number matches only itself
    # 'atypical' never reaches 'Endometrial hyperplasia without atypia', nor '... with
    # atypia' (a title adding 'with'/'without' states more than the text)
    assert coding.icd10cm_fuzzy(["atypical endometrial hyperplasia"]) is None
    assert coding.icd10cm_fuzzy(["ALS"]) is None  # a short form alone
    assert coding.icd10cm_fuzzy(["lesions"]) is None  # a generic word alone


def test_coding_mention_reaches_the_fuzzy_back_off():
    from pipeline import normalise
    from pipeline.components.lexicon_features import shared_lexicon

    ent = _ent("A schizo-affective disorder was diagnosed.", "schizo-affective disorder", "DIAGNOSIS")
    assert normalise.code_mention(ent, "diagnosis", shared_lexicon(None)).concept_id == "ICD-10-CM:F25.9"
