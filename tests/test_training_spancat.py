"""Round-6 span categoriser tooling (pipeline/training/spancat.py): data, decoding, precedence."""

from __future__ import annotations

import numpy as np
import spacy

from pipeline.training import spancat

LABELS = ["DIAGNOSIS", "ANATOMY", "IMAGING", "TREATMENT"]


def _row(diag: float, anat: float, img: float, treat: float) -> list[float]:
    return [diag, anat, img, treat, 1.0 - (diag + anat + img + treat)]


def test_decode_keeps_highest_and_drops_overlaps() -> None:
    # candidates: "left lung" (0,2) anatomy 0.7; "lung" (1,2) anatomy 0.6; "cancer" (2,3) diagnosis 0.55;
    # "lung cancer" (1,3) diagnosis 0.5
    indices = np.array([[0, 2], [1, 2], [2, 3], [1, 3]])
    scores = np.array([_row(0, 0.7, 0, 0), _row(0, 0.6, 0, 0), _row(0.55, 0, 0, 0), _row(0.5, 0, 0, 0)])
    out = spancat.decode(indices, scores, LABELS, 0.3)
    assert [(s, e, lab) for s, e, lab, _ in out] == [(0, 2, "ANATOMY"), (2, 3, "DIAGNOSIS")]
    # a higher threshold removes the weaker candidate
    assert [(s, e) for s, e, _, _ in spancat.decode(indices, scores, LABELS, 0.6)] == [(0, 2)]


def test_decode_argmax_rule_uses_negative_label() -> None:
    indices = np.array([[0, 1], [1, 2]])
    scores = np.array([_row(0.4, 0, 0, 0), _row(0, 0, 0.45, 0.1)])  # negative: 0.6, 0.45
    out = spancat.decode(indices, scores, LABELS, None)
    assert out == [(1, 2, "IMAGING", 0.45)]
    assert spancat.decode(np.zeros((0, 2), dtype=int), np.zeros((0, 5)), LABELS, 0.5) == []


def test_with_precedence() -> None:
    ner = [(0, 2, "ANATOMY"), (5, 6, "SIGN_SYMPTOM")]
    spans = [(1, 3, "DIAGNOSIS"), (3, 4, "TREATMENT"), (5, 7, "DIAGNOSIS")]
    assert spancat.with_precedence(ner, spans) == [(0, 2, "ANATOMY"), (3, 4, "TREATMENT"), (5, 6, "SIGN_SYMPTOM")]
    assert spancat.with_precedence(spans, ner) == spans


def test_span_doc_expands_and_keeps_overlaps() -> None:
    nlp = spacy.blank("en")
    text = "CT of the left lung showed adenocarcinoma."
    doc = spancat.span_doc(nlp, text, [(0, 2, "IMAGING"), (10, 19, "ANATOMY"), (15, 19, "ANATOMY"),
                                       (28, 40, "DIAGNOSIS")])  # last one off a token boundary
    got = [(s.text, s.label_) for s in doc.spans[spancat.SPANS_KEY]]
    assert got == [("CT", "IMAGING"), ("left lung", "ANATOMY"), ("lung", "ANATOMY"), ("adenocarcinoma", "DIAGNOSIS")]
    # the same spans are the gold of a span_finder (spancat_finder.cfg)
    assert [s.text for s in doc.spans[spancat.CANDIDATES_KEY]] == ["CT", "left lung", "lung", "adenocarcinoma"]
    assert not doc.ents  # spancat-only training: no flat NER layer


def test_calib_split_is_seeded_subset() -> None:
    ids = [f"d{i:03d}" for i in range(93)]
    train, sl = spancat.calib_split(ids)
    assert len(sl) == spancat.CALIB_SIZE and set(train) | set(sl) == set(ids) and not set(train) & set(sl)
    assert spancat.calib_split(list(reversed(ids))) == (train, sl)


def test_span_doc_joint_sets_flat_ents_too() -> None:
    nlp = spacy.blank("en")
    text = "MRI of the brain showed glioma."
    mentions = [(0, 3, "IMAGING"), (11, 16, "ANATOMY"), (24, 30, "DIAGNOSIS")]
    doc = spancat.span_doc(nlp, text, mentions, flat=mentions)
    assert [(e.text, e.label_) for e in doc.ents] == [("MRI", "IMAGING"), ("brain", "ANATOMY"), ("glioma", "DIAGNOSIS")]
    assert [s.text for s in doc.spans[spancat.SPANS_KEY]] == ["MRI", "brain", "glioma"]
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)  # unannotated tokens are outside, not missing
