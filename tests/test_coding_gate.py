"""Coding gate: accuracy on the reference table must not fall below pinned floors.

The table (`pipeline/resources/coding_reference.tsv`) stores the sentence of each sample
mention; MACCROBAT rows point into ../shared/corpora (no corpus text in the repository),
so the floors are checked when ../shared is present (always in CI). Floors sit just below the measured values (all rows); raise
them when coding improves. The table's hash is pinned: expected codes were fixed before
tuning and must not be edited to match the system (fix genuine coder errors, note them,
and update the hash in the same change).
"""

import hashlib

import pytest

from pipeline import coding_eval

# The table as written before tuning was b49c8b65d600a9d25e6d08009aa47c0e; its MACCROBAT
# context sentences were then replaced by offsets into ../shared (no corpus text in the
# repository) -- expected codes unchanged.
REFERENCE_MD5 = "6f98d9ba23d14a2656dc9a11b787f9b7"
FLOORS = {"diagnosis": 0.80, "anatomy": 0.89, "imaging": 0.90, "treatment": 0.88}


def test_coding_gate_reference_unchanged(shared):
    data = coding_eval.reference_path().read_bytes()
    assert hashlib.md5(data).hexdigest() == REFERENCE_MD5  # noqa: S324 - identity, not security
    rows = coding_eval.read_reference(corpora=shared / "corpora")
    assert len(rows) >= 150
    assert all(sum(r.category == c for r in rows) >= 30 for c in coding_eval.CATEGORIES)


@pytest.fixture(scope="module")
def results(shared):
    from pipeline.nlp import load_nlp

    return coding_eval.code_rows(load_nlp(), coding_eval.read_reference(corpora=shared / "corpora"))


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_coding_gate_floor(results, category):
    exact, _, n = coding_eval.accuracy(results, category)
    assert n >= 30
    assert exact >= FLOORS[category], f"{category}: {exact:.2f} < floor {FLOORS[category]}"
