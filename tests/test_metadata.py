"""Report-level metadata: demographics, document type, language, duplicates."""

from __future__ import annotations

import pytest

from pipeline.duplicates import find_duplicates
from pipeline.metadata import demographics, doc_type, language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We present a 35-year-old male, who complained of back pain.", (35.0, "male")),
        ("A 9-year-old female patient presented with pain.", (9.0, "female")),
        ("This middle\u2010aged man suffered from knee pain.", (None, "male")),
        ("A 6-month-old boy was admitted.", (0.5, "male")),
        ("A 45-year-old Caucasian woman presented.", (45.0, "female")),
        ("Barta et al. reported a 23-year-old male with stiffness.", (None, "")),
        ("The disease occurs in children and young adults.", (None, "")),
    ],
)
def test_metadata_demographics(text, expected):
    assert demographics(text) == expected


def test_metadata_doc_type_distinguishes_case_article_and_qa():
    assert doc_type("A 9-year-old girl presented with foot pain. She underwent biopsy.") == "case_report"
    assert doc_type("Abstract\nWe review trials.\nIntroduction\nGout is common.\nMethods\nWe searched.") == "article"
    assert doc_type("Can hemangioma cause back pain?\nYes, intraosseous hemangiomas can cause back pain.") == "other"


def test_metadata_language():
    assert language("The patient was treated with aspirin and the pain of the back was relieved in a week. " * 2) == "en"
    assert language("Le patient a été traité par aspirine et la douleur du dos est partie dans une semaine avec le repos. " * 2) == "fr"
    assert language("12 34") == "und"


_CASE = (
    "We report the first case of regional migratory osteoporosis in a patient with ankylosing spondylitis. "
    "This middle-aged man suffered from an acute onset of knee pain that increased on weight bearing, "
    "followed by ankle pain. The diagnosis was confirmed using magnetic resonance imaging."
)


def test_metadata_duplicates_match_despite_boilerplate_dashes_and_translation():
    web = _CASE.replace("middle-aged", "middle\u2010aged").replace("weight bearing", "weight\u2013bearing") + "\nTalk to us. Schedule a call."
    pubmed = "Straten V H H P, Franssen M J A M\n" + _CASE + "\n我们报告了首例强直性脊柱炎患者"
    other = "A 9-year-old girl presented with pain and swelling of the left foot; biopsy of the second metatarsal showed osteitis."
    dups = find_duplicates({"b_web": web, "a_pubmed": pubmed, "c_other": other})
    assert dups == {"b_web": "a_pubmed"}


def test_metadata_duplicates_distinct_cases_do_not_match():
    first = _CASE
    second = _CASE.replace("knee", "wrist").replace("ankle", "elbow").replace("osteoporosis", "osteonecrosis").replace("man", "woman").replace("magnetic resonance imaging", "computed tomography scan")
    assert find_duplicates({"a": first, "b": second}) == {}
