import pytest
import spacy

from pipeline import resources
from pipeline.components.context import CaseContext, default_rules_path, load_coordination, load_rules
from pipeline.components.sections import Sections
from pipeline.components.sections import load_rules as section_rules


@pytest.fixture(scope="module")
def pipe():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    rules = load_rules(default_rules_path()) + load_rules(resources.path("context", "rules.json"))
    coordination = load_coordination(resources.path("context", "rules.json"))
    context = CaseContext(nlp, rules, ["title", "abstract", "case", "figure"], ["ANATOMY", "IMAGING"], 6, coordination)
    sections = Sections(section_rules())

    def run(text, targets):
        doc = nlp(text)
        doc = sections(doc)
        spans = []
        for phrase, label in targets:
            start = text.index(phrase)
            spans.append(doc.char_span(start, start + len(phrase), label=label))
        doc.ents = spans
        doc = context(doc)
        return {e.text: e for e in doc.ents}

    return run


def test_context_ruled_out_backward_is_absent(pipe):
    ents = pipe("A 35-year-old man. A recurrence of osteoid osteoma was suspected, diagnosis ruled out by MRI.", [("osteoid osteoma", "DIAGNOSIS")])
    assert ents["osteoid osteoma"]._.assertion == "absent"
    assert ents["osteoid osteoma"]._.assertion_trigger == "diagnosis ruled out"


@pytest.mark.parametrize(
    "text,target,expected",
    [
        ("The patient was negative for tuberculosis.", "tuberculosis", "absent"),
        ("The patient had no history of diabetes.", "diabetes", "absent"),
        ("The patient had oedema without abscess formation.", "abscess", "absent"),
        ("Ankylosing spondylitis was suspected in the patient.", "Ankylosing spondylitis", "possible"),
        ("The patient had sacroiliitis.", "sacroiliitis", "present"),
        ("The patient had neither fever nor cough.", "cough", "absent"),
        ("The patient's cellulitis gradually resolved.", "cellulitis", "absent"),
        ("Emergency computed tomography excluded pulmonary thromboembolism.", "pulmonary thromboembolism", "absent"),
        ("Signs of right-sided heart failure were absent.", "heart failure", "absent"),
        ("The CT scan showed not only a hip mass but also a pancreatic tumour.", "pancreatic tumour", "present"),
        ("Repeat radiograph showed near complete resolution of the infiltrates.", "infiltrates", "present"),
        ("Porphyria and diabetic ketoacidosis also had to be excluded.", "diabetic ketoacidosis", "absent"),
        ("He had no hematological response to imatinib for his leukaemia.", "leukaemia", "present"),
    ],
)
def test_context_assertion_rules(pipe, text, target, expected):
    assert pipe(text, [(target, "DIAGNOSIS")])[target]._.assertion == expected


@pytest.mark.parametrize(
    "text,target,expected",
    [
        ("He began refusing food and medication.", "medication", "absent"),
        ("The patient was deemed a poor candidate for stem-cell transplantation.", "stem-cell transplantation", "absent"),
        ("He was admitted many times but never required an intestinal resection.", "resection", "absent"),
        ("The mass was removed in one piece, as fragmentation was not physically possible.", "fragmentation", "absent"),
        ("He was started on metoprolol after the infusion was stopped.", "metoprolol", "present"),
    ],
)
def test_context_treatment_rules(pipe, text, target, expected):
    assert pipe(text, [(target, "TREATMENT")])[target]._.assertion == expected


def test_context_negation_passes_through_anatomy_in_a_list(pipe):
    text = "The patient had no heart murmur, third heart sound or jugular venous distension."
    targets = [("heart murmur", "DIAGNOSIS"), ("third heart sound", "DIAGNOSIS"), ("jugular venous", "ANATOMY"), ("distension", "DIAGNOSIS")]
    ents = pipe(text, targets)
    assert [ents[t]._.assertion for t, _ in targets] == ["absent", "absent", "present", "absent"]


def test_context_negation_reaches_along_a_list(pipe):
    text = "Endoscopy had revealed no esophageal varices, gastric varices, portal hypertensive gastropathy, or other GI lesions."
    ents = pipe(text, [("esophageal varices", "DIAGNOSIS"), ("gastric varices", "DIAGNOSIS"), ("gastropathy", "DIAGNOSIS"), ("lesions", "DIAGNOSIS")])
    assert [e._.assertion for e in ents.values()] == ["absent"] * 4


def test_context_negation_reaches_back_along_a_list(pipe):
    text = "Patent foramen ovale (PFO), atrial septal defect and anomalous venous connections were ruled out."
    targets = [("Patent foramen ovale", "DIAGNOSIS"), ("PFO", "DIAGNOSIS"), ("atrial septal defect", "DIAGNOSIS"), ("anomalous venous connections", "DIAGNOSIS")]
    assert [e._.assertion for e in pipe(text, targets).values()] == ["absent"] * 4


def test_context_list_negation_stops_at_a_clause(pipe):
    text = "There was no fever, and the patient was started on amoxicillin for otitis."
    ents = pipe(text, [("fever", "DIAGNOSIS"), ("amoxicillin", "TREATMENT"), ("otitis", "DIAGNOSIS")])
    assert [ents[t]._.assertion for t in ("fever", "amoxicillin", "otitis")] == ["absent", "present", "present"]


def test_context_anatomy_is_never_absent(pipe):
    ents = pipe("The patient had no lesion in the liver.", [("lesion", "DIAGNOSIS"), ("liver", "ANATOMY")])
    assert ents["lesion"]._.assertion == "absent" and ents["liver"]._.assertion == "present"


def test_context_literature_case_is_other(pipe):
    text = "We present a 35-year-old man.\n\nDiscussion\nBarta et al. reported a 23-year-old male with osteoblastoma."
    assert pipe(text, [("osteoblastoma", "DIAGNOSIS")])["osteoblastoma"]._.experiencer == "other"


def test_context_family_and_patient(pipe):
    text = "We present a 35-year-old man with sacroiliitis. His mother had psoriasis."
    ents = pipe(text, [("sacroiliitis", "DIAGNOSIS"), ("psoriasis", "DIAGNOSIS")])
    assert ents["sacroiliitis"]._.experiencer == "patient"
    assert ents["psoriasis"]._.experiencer == "family"


def test_context_document_without_patient_is_other(pipe):
    text = "Can hemangioma cause back pain? Yes, hemangiomas can cause back pain."
    assert pipe(text, [("hemangiomas", "DIAGNOSIS")])["hemangiomas"]._.experiencer == "other"


def test_context_rules_file_is_validated(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text('{"context_rules": [{"literal": "x", "category": "NEGATED_EXISTENCE", "scope": 3}]}')
    with pytest.raises(ValueError, match="unknown key"):
        load_rules(bad)


def test_context_clause_end_rule_needs_a_scope(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text('{"context_rules": [{"literal": ";", "category": "CLAUSE_END", "direction": "PSEUDO", "pattern": [{"ORTH": ";"}]}]}')
    with pytest.raises(ValueError, match="max_scope"):
        load_rules(bad)


def test_context_coordination_block_is_validated(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text('{"context_rules": [], "coordination": {"max_gap": 3, "connectors": ["OR"], "breakers": []}}')
    with pytest.raises(ValueError, match="lower-case"):
        load_coordination(bad)
