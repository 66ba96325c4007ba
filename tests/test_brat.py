"""Unit tests for pipeline.brat on tiny hand-written annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import brat

TEXT = "CT of the left and right arm showed a fracture; aspirin was given.\n"
ANN = (
    "T1\tDiagnostic_procedure 0 2\tCT\n"
    "E1\tDiagnostic_procedure:T1 \n"
    "T2\tBiological_structure 10 14;24 27\tleft arm\n"
    "T3\tBiological_structure 19 27\tright arm\n"
    "T4\tDisease_disorder 38 46\tfracture\n"
    "E2\tDisease_disorder:T4 \n"
    "A1\tPOLARITY E2 NEG\n"
    "T5\tMedication 48 55\taspirin\n"
    "R1\tMODIFY Arg1:T2 Arg2:E2\t\n"
    "T6\tSign_symptom 38 46\tfracture\n"
    "A2\tNegation T5\n"
)


def test_brat_parse_discontinuous_and_trailing_whitespace() -> None:
    ann = brat.parse_ann(ANN)
    t2 = next(e for e in ann.entities if e.id == "T2")
    assert t2.fragments == ((10, 14), (24, 27))
    assert (t2.start, t2.end, t2.discontinuous) == (10, 27, True)
    assert [ev.trigger for ev in ann.events] == ["T1", "T4"]
    assert ann.attributes[0] == brat.BratAttribute("A1", "POLARITY", "E2", "NEG")
    assert ann.attributes[1] == brat.BratAttribute("A2", "Negation", "T5", None)


def test_brat_negation_through_events_and_binary_attributes() -> None:
    assert brat.negated_entity_ids(brat.parse_ann(ANN)) == frozenset({"T4", "T5"})


def test_brat_bad_line_raises_with_line_number() -> None:
    with pytest.raises(brat.BratFormatError, match="line 1"):
        brat.parse_ann("T1\tDisease_disorder x y\tfoo\n")


def test_brat_mapping_and_same_category_merge() -> None:
    mentions = brat.map_entities("d1", brat.parse_ann(ANN), TEXT)
    got = [(m.start, m.end, m.category) for m in brat.gold_mentions(mentions)]
    # "left [and right] arm" covers "right arm": the longer anatomy span is kept.
    assert got == [(0, 2, "imaging"), (10, 27, "anatomy"), (38, 46, "diagnosis"), (48, 55, "treatment")]
    fracture = next(m for m in mentions if m.category == "diagnosis")
    assert fracture.negated and fracture.text == "fracture"


def test_brat_cross_category_overlap_kept_for_gold_flattened_for_training() -> None:
    text = "biopsy"
    ann = brat.parse_ann("T1\tTherapeutic_procedure 0 6\tbiopsy\nT2\tDisease_disorder 0 6\tbiopsy\n")
    mentions = brat.map_entities("d", ann, text)
    assert {m.category for m in brat.gold_mentions(mentions)} == {"treatment", "diagnosis"}
    assert [m.category for m in brat.flatten(mentions)] == ["diagnosis"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CT", True), ("computed tomography scan", True), ("Echocardiographic study", True),
        ("chest X-ray", True), ("x ray", True), ("MRI", True), ("US", True),
        ("us", False), ("biopsy", False), ("physical examination", False), ("imaging", False),
        ("CTLA-4", False), ("ultrasonography", True), ("PET/CT", True),
    ],
)
def test_brat_imaging_modality_terms(text: str, expected: bool) -> None:
    assert brat.names_imaging_modality(text) is expected


def test_brat_modality_file_format() -> None:
    terms = brat.parse_modalities(["# comment", "", "scinti*  # prefix", "PET"])
    assert terms.terms == ("scinti*", "PET")
    assert terms.search("Scintigraphy") and terms.search("PET scan")
    assert not terms.search("pet")
    with pytest.raises(ValueError):
        brat.parse_modalities(["# nothing"])


def test_brat_non_imaging_procedure_dropped() -> None:
    ann = brat.parse_ann("T1\tDiagnostic_procedure 0 6\tbiopsy\n")
    assert brat.map_entities("d", ann, "biopsy") == []


def test_brat_read_document_and_split(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "42.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "42.ann").write_text(ANN, encoding="utf-8")
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "dev.txt").write_text("42\n\n", encoding="utf-8")
    assert brat.read_split(tmp_path, "dev") == ["42"]
    text, gold = brat.read_document(tmp_path / "docs" / "42.ann")
    assert text == TEXT and len(gold) == 4 and all(m.doc_id == "42" for m in gold)
    assert all(text[m.start : m.end] == m.text for m in gold)
