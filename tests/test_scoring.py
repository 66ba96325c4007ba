"""Unit tests for pipeline.scoring on hand-written span sets."""

from __future__ import annotations

import pytest

from pipeline import scoring

CATS = ("diagnosis", "anatomy")


def test_scoring_strict_exact_match_only() -> None:
    gold = [("d", 0, 5, "diagnosis"), ("d", 10, 15, "anatomy")]
    pred = [("d", 0, 5, "diagnosis"), ("d", 10, 14, "anatomy"), ("d", 20, 25, "anatomy")]
    s = scoring.score(gold, pred, CATS)
    assert s.by_mode["strict"]["diagnosis"] == scoring.PRF(1, 0, 0)
    assert s.by_mode["strict"]["anatomy"] == scoring.PRF(0, 2, 1)
    assert s.by_mode["overlap"]["anatomy"] == scoring.PRF(1, 1, 0)
    assert s.by_mode["strict"]["micro"] == scoring.PRF(1, 2, 1)


def test_scoring_overlap_is_one_to_one() -> None:
    gold = [("d", 0, 4, "anatomy"), ("d", 5, 9, "anatomy")]
    pred = [("d", 0, 9, "anatomy")]
    s = scoring.score(gold, pred, CATS)
    assert s.by_mode["overlap"]["anatomy"] == scoring.PRF(1, 0, 1)


def test_scoring_overlap_prefers_exact_then_largest_overlap() -> None:
    gold = [("d", 0, 10, "anatomy"), ("d", 8, 12, "anatomy")]
    pred = [("d", 8, 12, "anatomy"), ("d", 2, 9, "anatomy")]
    pairs = scoring.match_overlap(gold, pred)
    assert sorted(pairs) == [(("d", 0, 10, "anatomy"), ("d", 2, 9, "anatomy")),
                             (("d", 8, 12, "anatomy"), ("d", 8, 12, "anatomy"))]


def test_scoring_category_and_document_must_agree() -> None:
    gold = [("d1", 0, 5, "diagnosis")]
    pred = [("d1", 0, 5, "anatomy"), ("d2", 0, 5, "diagnosis")]
    s = scoring.score(gold, pred, CATS)
    assert s.by_mode["overlap"]["micro"] == scoring.PRF(0, 2, 1)


def test_scoring_prf_values_and_empty_inputs() -> None:
    prf = scoring.PRF(tp=3, fp=1, fn=2)
    assert prf.precision == pytest.approx(0.75)
    assert prf.recall == pytest.approx(0.6)
    assert prf.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    s = scoring.score([], [], CATS)
    assert s.f1("strict") == 0.0 and s.by_mode["overlap"]["micro"] == scoring.PRF(0, 0, 0)


def test_scoring_duplicates_collapse_and_unknown_categories_ignored() -> None:
    gold = [("d", 0, 5, "diagnosis"), ("d", 0, 5, "diagnosis")]
    pred = [("d", 0, 5, "diagnosis", "extra field"), ("d", 0, 5, "sign")]
    s = scoring.score(gold, pred, CATS)
    assert s.by_mode["strict"]["micro"] == scoring.PRF(1, 0, 0)


def test_scoring_format_table_has_all_rows() -> None:
    s = scoring.score([("d", 0, 5, "diagnosis")], [("d", 0, 5, "diagnosis")], CATS)
    table = scoring.format_table(s, "t")
    assert table.startswith("## t\n")
    assert "| diagnosis | 1 | 1 | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |" in table
    assert "| micro |" in table and "| anatomy | 0 | 0 |" in table
    assert set(s.as_dict()) == {"strict", "overlap"}
