"""Sample-level facts of issue #5 on the real pipeline over corpus/."""

from pathlib import Path

import pytest

from pipeline import clean, ingest, normalise
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def mentions(nlp, repo: Path):
    corpus = repo / "corpus"
    lexicon = nlp.get_pipe("lexicon_ner").lexicon
    out = {}
    for item in ingest.discover(corpus):
        cleaned = clean.clean(ingest.read_source(corpus, item, Settings()))
        out[item.case_id] = normalise.doc_to_mentions(nlp(cleaned.text), cleaned, lexicon)[0]
    return out


def _case(mentions, prefix):
    return next(v for k, v in mentions.items() if k.startswith(prefix))


def test_samples_meaning_ruled_out_recurrence_is_absent(mentions):
    ms = _case(mentions, "000_")
    ruled = [m for m in ms if m.category == "diagnosis" and m.assertion == "absent" and m.mesh_term == "Osteoma, Osteoid"]
    assert len(ruled) >= 2  # abstract and case report
    assert all(m.experiencer == "patient" for m in ruled)


def test_samples_meaning_sacroiliitis_present_for_patient(mentions):
    rows = normalise.rollup(_case(mentions, "000_"), "diagnosis")
    row = next(r for r in rows if r["first_text"] == "sacroiliitis")
    assert (row["assertion"], row["experiencer"]) == ("present", "patient")


def test_samples_meaning_published_osteoblastoma_is_other(mentions):
    ms = [m for m in _case(mentions, "000_") if m.text.lower() == "osteoblastoma"]
    assert ms and all(m.experiencer == "other" for m in ms)


def test_samples_meaning_oo_is_osteoid_osteoma(mentions):
    oo = [m for m in _case(mentions, "000_") if m.text == "OO"]
    assert len(oo) > 10
    assert all(m.mesh_term == "Osteoma, Osteoid" and m.long_form == "osteoid osteoma" for m in oo)
    # ICD-10-CM files it with other benign bone tumours; MeSH keeps it apart from osteoblastoma
    assert all(m.concept_id == "ICD-10-CM:D16.9" for m in oo)
    blastoma = [m for m in _case(mentions, "000_") if m.text.lower() == "osteoblastoma"]
    assert blastoma and all(m.mesh_id != oo[0].mesh_id for m in blastoma)


def test_samples_meaning_qa_article_has_no_patient(mentions):
    ms = _case(mentions, "003_")
    assert ms and all(m.experiencer != "patient" for m in ms)


def test_samples_meaning_vertebral_and_rib_levels(mentions):
    ms = _case(mentions, "004_")
    assert any("T5-T6" in m.level for m in ms)
    assert any(m.level == "rib 12" and m.laterality == "left" for m in ms)
