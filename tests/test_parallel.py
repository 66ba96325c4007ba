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


def test_parallel_balance_tail_keeps_items_in_order_and_shrinks_the_last_tasks():
    for n in (1, 5, 50, 200, 401):
        batches = run._chunks(list(range(n)), 8)
        balanced = run._balance_tail(batches, 2)
        assert [x for b in balanced for x in b] == list(range(n))
        assert all(b for b in balanced) and max(len(b) for b in balanced) <= 8
        if n >= 200:
            sizes = [len(b) for b in balanced]
            assert sizes[:-4] == sorted(sizes[:-4], reverse=True) and sizes[-1] == 1 and sizes[0] == 8
    assert run._balance_tail([[1, 2, 3]], 2) == [[1, 2, 3]]
    assert run._balance_tail([[1, 2], [3, 4]], 1) == [[1, 2], [3, 4]]


def test_parallel_rendered_rows_equal_the_table_writer_bytes(tmp_path):
    """Workers render their rows (`write.RowRenderer`); the writer only concatenates."""
    from pipeline import write
    from pipeline.schema import TABLE_BY_NAME

    rows = [
        {"case_id": "c1", "raw_start": 0, "raw_end": 3, "rule": "=cmd|x", "text": 'quote " and,comma\nline'},
        {"case_id": "c1", "raw_start": 4, "raw_end": 9.0, "rule": "-rule", "text": "@at\r\ttab"},
        {"case_id": "c2", "raw_start": None, "raw_end": 7, "rule": "", "text": "plain"},
    ]
    table = TABLE_BY_NAME["boilerplate"]
    with write.TableWriter(tmp_path / "a", table) as w:
        for r in rows:
            w.write(r)
    renderer = write.RowRenderer(table)
    with write.TableWriter(tmp_path / "b", table) as w:
        w.write_rendered(renderer.render(rows[:2]))
        w.write_rendered(renderer.render([]))
        w.write_rendered(renderer.render(rows[2:]))
    assert (tmp_path / "a" / "boilerplate.csv").read_bytes() == (tmp_path / "b" / "boilerplate.csv").read_bytes()
    assert write.csv_bytes(table, rows) == (tmp_path / "b" / "boilerplate.csv").read_bytes()
    try:
        renderer.render([{"bogus": 1}])
    except KeyError as exc:
        assert "bogus" in str(exc)
    else:
        raise AssertionError("unknown column accepted")


_CLEAN_AHEAD_RUN = r"""
import json, sys, time
from pathlib import Path
from pipeline import run
from pipeline.nlp import load_nlp
from pipeline.settings import Settings

corpus, tmp = Path(sys.argv[1]), Path(sys.argv[2])
nlp = load_nlp()
loads, calls, cache_dir = [], [], tmp / "cache"

def slow_load():  # the real load takes ~1 s: wait until the workers have cleaned ahead
    calls.append(1)  # in this process (a forked worker appends to its own copy)
    if loads:  # loaded already (as `_worker_nlp` does in the forked workers)
        return nlp
    loads.append(1)
    deadline = time.monotonic() + 60
    while len(list(cache_dir.rglob("clean/*/*.bin"))) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    return nlp

run._worker_nlp = slow_load
method = run._start_method()
first = run.extract(corpus, tmp / "j2", Settings(progress=False, jobs=2, task_size=2, timings=True, cache_dir=str(cache_dir)))
left, first_calls = len(list(cache_dir.rglob("clean/*/*.bin"))), len(calls)
again = run.extract(corpus, tmp / "j2b", Settings(progress=False, jobs=2, cache_dir=str(cache_dir)))
print(json.dumps({"method": method, "failed": first.n_failed, "loads": len(loads), "left": left, "cached": again.n_cached,
                  "calls": [first_calls, len(calls)]}))
"""


def test_parallel_workers_clean_ahead_while_the_pipeline_loads(repo, tmp_path, nlp):
    """-j 2 without a loaded pipeline: the main process loads it while the forked workers
    scan and clean ahead; reports with corpus-wide boilerplate lines are cleaned again with
    them, and the output is byte-identical to -j 1. (In a fresh process: forking needs a
    process without other threads, which a long test session may not be.)"""
    import json
    import subprocess
    import sys

    corpus = make_corpus(repo, tmp_path)
    run.extract(corpus, tmp_path / "j1", Settings(progress=False, jobs=1), nlp=nlp)
    proc = subprocess.run([sys.executable, "-c", _CLEAN_AHEAD_RUN, str(corpus), str(tmp_path)], cwd=repo,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["method"] == "fork"
    assert files(tmp_path / "j1") == files(tmp_path / "j2") == files(tmp_path / "j2b")
    assert facts["failed"] == 5 and facts["loads"] == 1  # loaded once, in the main process
    ahead = [line for line in proc.stderr.splitlines() if line.startswith("timing: scan")]
    assert ahead and " cleaned ahead" in ahead[0]
    # every readable report (only_boilerplate.txt fails later, in the clean with the recurring lines)
    assert int(ahead[0].split("; ")[-1].split()[0]) == 12
    assert "while the workers scan" in proc.stderr and "timing: warm cleaner" in proc.stderr
    assert facts["left"] == 0  # each text cleaned ahead is used once, then removed from the store
    assert facts["cached"] == 12 and facts["calls"] == [1, 1]  # a rerun with everything cached loads nothing


def test_parallel_warm_coding_builds_what_forked_workers_would_each_build():
    """Before workers fork, this process builds the code look-ups they all need, the ones
    coding builds on first use included (else every forked worker builds its own copy)."""
    from pipeline import coding

    coding._word_gram_index.cache_clear()
    coding._indexed_codes.cache_clear()
    run._warm_coding()
    assert coding._word_gram_index.cache_info().currsize == 1
    assert coding._indexed_codes.cache_info().currsize == 1
    assert coding.lookup_words.cache_info().currsize == 1  # and coding.warm_up's own
