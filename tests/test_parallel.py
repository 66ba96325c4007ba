"""-j N: the same bytes as -j 1, and the streaming pieces equal the functions they replace."""

from __future__ import annotations

import csv

import numpy as np

from pipeline import clean, duplicates, run
from pipeline.settings import Settings
from tests.scale_corpus import files, make_corpus


def test_parallel_two_jobs_equal_one_job_on_corpus(repo, tmp_path, nlp):
    run.extract(repo / "corpus", tmp_path / "j1", Settings(progress=False, jobs=1), nlp=nlp)
    run.extract(repo / "corpus", tmp_path / "j2", Settings(progress=False, jobs=2, task_size=2), nlp=nlp)
    assert files(tmp_path / "j1") == files(tmp_path / "j2")


def test_parallel_two_jobs_equal_one_job_with_failures_and_duplicates(repo, tmp_path, nlp):
    corpus = make_corpus(repo, tmp_path)
    one = run.extract(corpus, tmp_path / "j1", Settings(progress=False, jobs=1), nlp=nlp)
    two = run.extract(corpus, tmp_path / "j2", Settings(progress=False, jobs=2, task_size=3), nlp=nlp)
    assert files(tmp_path / "j1") == files(tmp_path / "j2")
    assert (one.n_inputs, one.n_failed) == (two.n_inputs, two.n_failed) == (16, 5)
    with (tmp_path / "j2" / "cases.csv").open(encoding="utf-8", newline="") as handle:
        dups = {r["case_id"]: r["duplicate_of"] for r in csv.DictReader(handle) if r["duplicate_of"]}
    assert dups.get("sub__r0_0_txt") == "r0_0_txt"  # the copy in sub/ is found
    assert "recurring_line" in (tmp_path / "j2" / "boilerplate.csv").read_text(encoding="utf-8")
    assert not (tmp_path / "j2" / ".partitions").exists()


def test_parallel_recurring_hashes_match_clean_recurring_lines(repo):
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "corpus").glob("*.txt"))]
    texts += ["Shared site line\nsomething else\n"] * 3
    expected = {run._line_hash(k) for k in clean.recurring_lines(texts)}
    got = run.recurring_hashes([run._hashes(run._line_keys(t)) for t in texts], len(texts))
    assert set(got.tolist()) == expected and expected


def test_parallel_duplicates_from_arrays_match_find_duplicates(repo):
    base = [p.read_text(encoding="utf-8") for p in sorted((repo / "corpus").glob("*.txt"))]
    texts = {f"c{i}": t for i, t in enumerate(base)}
    texts["d0"] = "Extra line at the top.\n" + base[0]
    texts["d1"] = base[1][: len(base[1]) // 2]  # half of a report: contained in it
    texts["e"] = "too short to count"
    ids = sorted(texts)
    expected = duplicates.find_duplicates(texts)
    got = duplicates.find_duplicates_from_arrays(ids, (duplicates.shingle_array(texts[i]) for i in ids))
    assert got == expected and expected
    assert duplicates.find_duplicates_from_arrays([], iter([])) == {}
    assert duplicates.find_duplicates_from_arrays(["a"], [np.zeros(0, dtype=np.uint64)]) == {}
