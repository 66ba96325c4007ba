import pytest
import spacy

from pipeline import resources
from pipeline.components.context import (
    CaseContext,
    default_rules_path,
    expand_first_token,
    load_coordination,
    load_rules,
)
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


# The fast path (issue #7) must give exactly what medspaCy's own ConText gives.

_FAST_VS_PLAIN_TEXTS = [
    (
        "Case presentation\nA 35-year-old man presented with fever. There was no rash, cough or dyspnea, but he had "
        "arthralgia. His mother had psoriasis; lupus was ruled out. Tuberculosis was not suspected",
        [("fever", "DIAGNOSIS"), ("rash", "DIAGNOSIS"), ("cough", "DIAGNOSIS"), ("dyspnea", "DIAGNOSIS"), ("arthralgia", "DIAGNOSIS"),
         ("psoriasis", "DIAGNOSIS"), ("lupus", "DIAGNOSIS"), ("Tuberculosis", "DIAGNOSIS")],
    ),
    (
        "Discussion\nBarta et al. reported a 23-year-old male with osteoblastoma. Osteoid osteoma is usually painful. "
        "No. Denied any history of diabetes. CT of the liver was negative. He denied chest pain and was not given aspirin.",
        [("osteoblastoma", "DIAGNOSIS"), ("Osteoid osteoma", "DIAGNOSIS"), ("diabetes", "DIAGNOSIS"), ("CT", "IMAGING"),
         ("liver", "ANATOMY"), ("chest pain", "DIAGNOSIS"), ("aspirin", "TREATMENT")],
    ),
    ("Can hemangioma cause back pain? Yes, hemangiomas can cause back pain. No further", [("hemangiomas", "DIAGNOSIS")]),
    ("No lesion. No evidence of", []),
]


def _context(nlp, fast):
    rules = load_rules(default_rules_path()) + load_rules(resources.path("context", "rules.json"))
    coordination = load_coordination(resources.path("context", "rules.json"))
    return CaseContext(nlp, rules, ["title", "abstract", "case", "figure"], ["ANATOMY", "IMAGING"], 6, coordination, fast=fast)


def _snapshot(doc):
    ents = [
        (e.start, e.end, e._.assertion, e._.assertion_trigger, e._.experiencer, e._.experiencer_trigger,
         [(m.modifier_span, m.scope_span, m.rule.literal) for m in e._.modifiers])
        for e in doc.ents
    ]
    graph = doc._.context_graph
    modifiers = [(m.modifier_span, m.scope_span, m.rule.literal, [(t.start, t.end) for t in m._targets]) for m in graph.modifiers]
    edges = [((t.start, t.end), m.modifier_span) for t, m in graph.edges]
    return ents, modifiers, edges


@pytest.mark.parametrize("text,targets", _FAST_VS_PLAIN_TEXTS)
def test_context_fast_path_equals_medspacy_context(text, targets):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    sections = Sections(section_rules())
    fast, plain = _context(nlp, True), _context(nlp, False)
    results = []
    for context in (plain, fast):
        doc = sections(nlp(text))
        doc.ents = [doc.char_span(text.index(p), text.index(p) + len(p), label=label) for p, label in targets]
        results.append(_snapshot(context(doc)))
    assert results[0] == results[1]
    assert results[0][1], "the text should produce ConText modifiers"


def test_context_fast_token_matcher_returns_medspacys_matches():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    fast = _context(nlp, True)
    plain_matcher = fast.context._ConText__matcher._MedspacyMatcher__matcher  # medspaCy's own token Matcher
    doc = nlp(" ".join(t for t, _ in _FAST_VS_PLAIN_TEXTS) + " Family: the sisters, brothers and parents were not affected.")
    expected = plain_matcher(doc)
    assert len(expected) > 20
    assert fast._token_matcher(doc) == expected  # same matches, same order


def test_expand_first_token():
    assert expand_first_token([{"LOWER": {"IN": ["no", "not", "no"]}}, {"LOWER": "evidence"}]) == [
        [{"LOWER": "no"}, {"LOWER": "evidence"}],
        [{"LOWER": "not"}, {"LOWER": "evidence"}],
    ]
    assert expand_first_token([{"ORTH": {"IN": [",", ";"]}}]) == [[{"ORTH": ","}], [{"ORTH": ";"}]]
    for unchanged in (
        [{"LOWER": {"IN": ["may", "might"]}, "OP": "?"}, {"LOWER": "be"}],  # optional first token: order of states would change
        [{"LOWER": "no"}, {"LOWER": {"IN": ["new", "other"]}}],
        [{"LIKE_NUM": True}, {"LOWER": "old"}],
        [{"LOWER": {"REGEX": "^al"}}],
    ):
        assert expand_first_token(unchanged) == [unchanged]
