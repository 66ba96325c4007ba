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


def _code(text):
    words = text.split()
    return coding.icd10cm_code([" ".join(a) for a in [words, *coding.lookup_variants(words, "diagnosis")]])


def test_coding_singular_of_plurals_in_ses_and_latin_plurals():
    # 'diseases' was read as 'diseas', so no title with 'diseases' ever matched
    assert [coding.singular(w) for w in ("diseases", "abscesses", "viruses", "stenoses", "crises", "thrombi")] == [
        "disease", "abscess", "virus", "stenosis", "crisis", "thrombus"]
    assert coding.icd10cm_exact(["other ill-defined heart disease"]) == "I51.89"  # parent titled as the child


def test_coding_organism_name_as_its_infection():
    assert coding.icd10cm_organism(["Nocardia infection"]) == "A43.9"  # nocardiosis
    assert coding.icd10cm_organism(["Cryptococcus neoformans var. grubii"]) == "B45.9"  # cryptococcosis
    assert coding.icd10cm_organism(["varicella infection"]) == "B01.9"
    # a disease named with its organism is not an organism name
    assert coding.icd10cm_organism(["Candida esophagitis"]) is None
    assert coding.icd10cm_organism(["tuberculosis"]) is None


def test_coding_back_off_never_codes_an_adjective_alone_or_assumes_a_name():
    assert _code("ruptured") is None  # not 'ruptured appendix' K35.32
    assert _code("viral") is None  # not 'viral encephalitis'
    assert _code("hypovitaminosis") is None  # not 'Hypovitaminosis A' (a letter the text does not give)
    assert _code("hepatitis") == "K75.9"  # not hepatitis A
    assert _code("bone disease") != "M88.9"  # not "Paget's disease of bone" (an eponym)


def test_coding_generic_heads_after_the_one_extra_word_back_off():
    assert _code("autonomic dysregulation") == "G90.9"
    assert _code("myocardial pathology") == "I51.5"  # inclusion term 'Myocardial disease'
    assert _code("erectile dysfunction") == "N52.9"  # not 'Male erectile disorder' F52.21
    assert _code("clotting disorder") == "D68.9"


def test_coding_malformation_implies_congenital_and_conjunct_titles():
    assert _code("limb malformations") == "Q74.9"
    assert _code("acromegaly") == "E22.0"  # 'Acromegaly and pituitary gigantism'
    assert _code("bronchial collapse") != "R55"  # half of 'Syncope and collapse' is no head
    assert coding._conjuncts("Hereditary and idiopathic neuropathy") == []
    assert coding._conjuncts("Measles keratitis and keratoconjunctivitis") == []


def test_coding_intent_defaults_to_accidental_and_more_morphology():
    assert _code("lead poisoning") == "T56.0X1A"
    assert _code("squamous cell carcinoma") == "C80.1"  # no default site in the Index
    assert _code("basal cell carcinoma") == "C44.91"  # skin
    assert _code("prolactinoma") == "D35.2"
    assert _code("adrenocortical carcinoma") == "C74.00"
    assert _code("juvenile idiopathic arthritis") == "M08.90"  # a default word dropped
    assert _code("polycystic kidney disease") == "Q61.3"  # a trailing 'disease' dropped
    assert coding.billable("D46") == "D46.9"  # the child restating the parent, not refractory anemia


def test_coding_imaging_generic_last_word():
    assert ["computed", "tomographic"] in coding.lookup_variants(["computed", "tomographic", "scan"], "imaging")


# The tuning table (MACCROBAT train documents, split tune2) as coded by hand before the
# coder ran on it was 41beb6bdd2db66cceaaa32c41f8ace85; two rows were then corrected
# (pulmonary congestion: the Tabular lists it under J81.1), each with a note. Round 3
# appended split tune3 (every distinct Disease_disorder mention of the 30 train documents
# tune2 did not use, topped up with a seeded sample of tune2 documents' other mentions, and
# 15 imaging + 15 treatment mentions), coded before the coder ran on it:
# 1447f6bf504dec0e63466eb067b30324. Five rows were then corrected against the Tabular's
# own inclusion terms ('Carcinoid tumor NOS' D3A.00, 'Neuroendocrine tumor NOS' D3A.8 --
# also the one tune2 row --, 'Lymphadenopathy NOS' R59.1), each with a note. Pinned so that
# expected codes are not edited to match the system.
TUNING_MD5 = "34c9f78a5d1def5f8b907d4ea28b361b"


def test_coding_tuning_table_reads_and_is_pinned(shared):
    import hashlib

    from pipeline import coding_eval

    assert hashlib.md5(coding_eval.tuning_path().read_bytes()).hexdigest() == TUNING_MD5  # noqa: S324 - identity
    rows = coding_eval.read_reference(coding_eval.tuning_path(), shared / "corpora")
    assert {r.split for r in rows} == {"tune2", "tune3", "tune4"}
    for split in ("tune2", "tune3"):
        assert sum(r.category == "diagnosis" and r.split == split for r in rows) >= 120
    assert sum(r.category == "diagnosis" and r.split == "tune4" for r in rows) >= 80
    # tune4 takes no mention tune2/tune3 took (same document and text)
    splits: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        splits.setdefault((r.doc_id, r.text.lower()), set()).add(r.split)
    assert not any("tune4" in s and len(s) > 1 for s in splits.values())
    # MACCROBAT train documents only: none of the dev split, which the reference table uses
    dev = set((shared / "corpora" / "maccrobat2020" / "splits" / "dev.txt").read_text().split())
    assert not {r.doc_id.split(":", 1)[1] for r in rows} & dev


def test_coding_eval_none_expected_means_no_vocabulary_code():
    from pipeline import coding_eval

    row = coding_eval.Row("x", "ruptured", "diagnosis", coding_eval.NONE, "", "", "ruptured", 0, 8, "tune2")
    assert coding_eval.Result(row, "local:diagnosis/ruptured", "ruptured").exact
    assert coding_eval.Result(row, "MeSH:D012421", "Rupture").exact
    assert not coding_eval.Result(row, "ICD-10-CM:K35.32", "appendicitis").exact
    assert coding_eval.Result(row, "ICD-10-CM:K35.32", "appendicitis").error_class == "code where none applies"
    treat = coding_eval.Row("x", "surgery", "treatment", coding_eval.NONE, "", "", "surgery", 0, 7, "tune2")
    assert coding_eval.Result(treat, "local:treatment/surgery", "surgery").exact
    assert not coding_eval.Result(treat, "MeSH:D013514", "Surgery").exact


def test_coding_index_defaults_and_exclusions():
    assert _code("endocarditis") == "I38"  # 'Endocarditis, valve unspecified', not infective I33.0
    assert _code("diverticulitis") == "K57.92"  # part unspecified, without complications
    assert _code("glomerulonephritis") == "N05.9"  # never a manifestation code (N08 '... in diseases classified elsewhere')
    assert _code("Kawasaki disease") == "M30.3"  # 'Mucocutaneous lymph node syndrome [Kawasaki]'
    assert _code("COVID-19") == "U07.1"
    assert _code("septic shock") == "R65.21"
    assert _code("infection") == "B99.9"
    assert _code("wound infection") is None  # neither 'Wound NOS' nor 'wound infectious disease'


def test_mesh_synonym_vote_tie_goes_to_the_least_qualified_synonym() -> None:
    """Nocardia Infections' MeSH variants code to A43.9 ('nocardioses') and A43.0
    ('pulmonary nocardioses'), one vote each: the unqualified one wins, not the lower code."""
    from pipeline import normalise, resources
    from pipeline.lexicon import Lexicon, normalise_key

    lexicon = Lexicon.load(resources.path("lexicons"))
    concept = lexicon.concept_for_key(normalise_key(["nocardia", "infection"]))
    assert concept is not None and concept.code_system == "MeSH"
    assert normalise._icd10cm_for([], concept, lexicon) == "A43.9"


def test_surgical_procedures_get_their_own_pcs_table_not_a_neighbours_concept() -> None:
    """Curated procedures are filed under the ICD-10-PCS root-operation table they name
    (verified against the PCS tables or index at build time), not lumped under another
    procedure: a parathyroidectomy is not a 'Thyroidectomy'."""
    from pipeline import resources
    from pipeline.lexicon import Lexicon, normalise_key

    lexicon = Lexicon.load(resources.path("lexicons"))
    expected = {
        "parathyroidectomy": "ICD-10-PCS:0GT",
        "cholecystectomy": "ICD-10-PCS:0FT",
        "caesarean section": "ICD-10-PCS:10D",
        "plasmapheresis": "ICD-10-PCS:6A5",
        "bone marrow transplant": "ICD-10-PCS:302",
        "lumpectomy": "ICD-10-PCS:0HB",
        "mastectomy": "ICD-10-PCS:0HT",
        "coronary artery bypass grafting": "ICD-10-PCS:021",
        "beta blocker": "MeSH:D000319",
        "kidney transplant": "local:transplantation",
    }
    got = {}
    for text in expected:
        concept = lexicon.concept_for_key(normalise_key(text.split()))
        got[text] = concept.concept_id if concept is not None else None
    assert got == expected


def test_coding_short_forms_and_brackets_inside_a_mention():
    # a short form inside the mention, its head word not repeated
    assert coding.lookup_variants(["PRES", "syndrome"], "diagnosis")[0] == [
        "posterior", "reversible", "encephalopathy", "syndrome"]
    assert _code("PRES syndrome") == "I67.83"
    # a bracketed word restates or narrows the word before it
    variants = coding.lookup_variants(["left", "ventricular", "(", "LV", ")", "failure"], "diagnosis")
    assert ["left", "ventricular", "failure"] in variants
    assert coding.lookup_variants(["(", "CHF", ")"], "diagnosis")[0] == ["CHF"]


def test_coding_index_rewrites_round_3():
    assert _code("postpartum HELLP syndrome") == "O14.25"  # 'HELLP syndrome, complicating the puerperium'
    assert _code("autoimmune disorders") == "M35.9"  # disorder read as disease: 'Autoimmune disease NOS'
    assert _code("blood loss") == "R58"  # 'Loss, blood - see Hemorrhage'
    assert _code("thromboembolism") == "I74.9"  # 'Thromboembolism - see Embolism', not obstetric O88.2
    # a text's rewrite before its variant without the course word: C92.1, not 'myeloid leukemia' C92.9
    assert coding.icd10cm_exact(["chronic myeloid leukemia", "myeloid leukemia"]) == "C92.10"
    assert _code("acute myeloid leukemia") == "C92.00"  # never 'Acute myeloid leukemia M6' (erythroid)


def test_coding_back_off_never_assumes_a_cause_type_or_course():
    assert _code("bone disease") == "M89.9"  # not aluminum bone disease M83.4
    assert _code("hepatitis C") == "B19.20"  # an extra 'acute' loses a tie: viral hepatitis C, not B17.10
    assert _code("chest wall tumor") == "D49.89"  # never desmoid tumor of chest wall D48.111
    assert _code("fistula") is None  # 'Fistula, unspecified joint' files no 'fistula' NOS
    assert _code("effusion") is None
    assert _code("renal cyst") == "N28.1"  # 'Cyst of kidney NOS (congenital)' is the congenital one


def test_coding_neoplasm_of_unspecified_behaviour_by_body_system():
    assert _code("ovarian tumor") == "D49.59"  # D39.1 ovary -> other genitourinary organ
    assert _code("renal tumor") == "D49.519"
    assert _code("liver tumor") == "D49.0"
    assert _code("brain tumor") == "D49.6"
    assert _code("villous adenoma") == "D48.9"  # Index: see Neoplasm, uncertain behavior


def test_coding_billable_residuals_and_closed_fractures():
    assert coding.billable("K31") == "K31.89"  # the leaf titled as its category, two levels down
    assert coding.billable("S22.39") == "S22.39XA"  # closed, not open, fracture by default


def test_coding_sided_names_species_and_causes():
    # a side that names the condition is indexed; a side is never an extra word
    assert _code("left bundle branch block") == "I44.7"
    assert _code("bundle branch block") == "I45.4"
    assert _code("left ventricular failure") == "I50.1"
    # no species the text does not name, no cause dropped by the head back-off
    assert _code("Pseudomonas infection") != "A24.9"  # not melioidosis (P. pseudomallei)
    assert _code("Plasmodium falciparum") == "B50.9"
    assert _code("tuberculous lymphadenitis") != "I88.9"
    # an eponym is one condition as a disease or a syndrome
    assert _code("Leigh syndrome") == "G31.82"
    assert _code("Sweet syndrome") == "L98.2"


def test_coding_corpus_short_forms_expand_undefined_mentions_by_category():
    # resources/abbreviations/corpus_short_forms.tsv (scripts/mine_short_forms.py): a sense
    # corpus definitions settle, for a mention already labelled with that category
    table = coding._corpus_short_forms()
    assert table and all(cat in coding_eval_categories() for cat, _ in table)
    assert coding.expansion("PKU", "diagnosis") == "phenylketonuria"
    assert coding.expansion("PKU", "treatment") is None
    assert coding.expansion("CBZ", "treatment") == "carbamazepine"
    # the curated tables come first; known-ambiguous short forms are never in the table
    assert coding.expansion("AF", "diagnosis") == "atrial fibrillation"
    assert not {"AS", "PE", "MS", "OO", "ALL"} & {short for _, short in table}
    from pipeline import normalise
    from pipeline.components.lexicon_features import shared_lexicon

    for short, code in (("PKU", "E70.0"), ("FMF", "M04.1")):  # 'Classical phenylketonuria', 'Periodic fever syndromes'
        ent = _ent(f"{short} was diagnosed.", short, "DIAGNOSIS")
        assert normalise.code_mention(ent, "diagnosis", shared_lexicon(None)).concept_id == f"ICD-10-CM:{code}"


def coding_eval_categories():
    from pipeline import coding_eval

    return coding_eval.CATEGORIES


def test_mine_short_forms_sense_key_and_category():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "mine_short_forms.py"
    spec = importlib.util.spec_from_file_location("mine_short_forms", path)
    mine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mine)
    assert mine.sense_key("Non-steroidal anti-inflammatory drugs") == mine.sense_key("nonsteroidal antiinflammatory drug")
    anns = [(0, 26, "diagnosis"), (28, 31, "diagnosis"), (40, 70, "treatment")]
    assert mine._category(anns, 28, 31, 0, 26) == "diagnosis"  # the short form is annotated
    assert mine._category(anns, 80, 83, 40, 70) == "treatment"  # only the long form is
    assert mine._category(anns, 80, 83, 41, 70) == ""  # an overlap says nothing


def test_coding_billable_residual_child_when_no_unspecified_one():
    # I75 'Atheroembolism' has no unspecified child: its residual '... of other sites'
    assert coding.billable("I75") == "I75.89"
    # a residual that drops a word of the parent is no residual of it
    assert coding.billable("S70.2") == "S70.2"


def test_coding_default_word_loses_to_a_sibling_naming_another_type():
    # E71.43 'Iatrogenic carnitine deficiency' stands beside E71.41 'Primary ...': the
    # text names no type -> the parent's unspecified code
    assert coding.icd10cm_default(["carnitine deficiency"]) == "E71.40"
    assert coding.icd10cm_default(["aortic stenosis"]) == "I35.0"  # every sibling says nonrheumatic
    assert coding.icd10cm_default(["gout"]) == "M10.9"


def test_coding_optional_letters_inside_a_word_and_index_default():
    assert coding._icd_variants("Heteronymous hemianop(s)ia") == ["Heteronymous hemianopia", "Heteronymous hemianopsia"]
    assert _code("hemianopia") == "H53.47"  # Index: Hemianopia (heteronymous) H53.47
    assert _code("homonymous hemianopia") == "H53.469"


def test_coding_anatomy_organ_adjective_and_leading_position_words():
    # tried after the text and the earlier variants: an organ adjective as its noun, then
    # leading position words off (the part of a structure is not a concept of its own)
    assert ["upper", "lung", "lobe"] in coding.lookup_variants(["right", "upper", "pulmonary", "lobe"], "anatomy")
    assert coding.lookup_variants(["upper", "abdomen"], "anatomy") == [["abdomen"]]
    assert ["LAD"] in coding.lookup_variants(["distal", "LAD"], "anatomy")
    variants = coding.lookup_variants(["upper", "arm"], "anatomy")
    assert variants == [["arm"]]  # only after 'upper arm' itself (CID 4 'Upper arm') fails
    assert ["kidney", "cyst"] not in coding.lookup_variants(["renal", "cyst"], "diagnosis")  # anatomy only
