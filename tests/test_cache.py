"""The incremental cache: reruns reuse results, and never serve a stale one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pipeline
from pipeline import cache, run
from pipeline.settings import Settings
from tests.scale_corpus import files, make_corpus


@pytest.fixture()
def corpus(repo, tmp_path) -> Path:
    return make_corpus(repo, tmp_path, n_copies=1)


def _run(corpus: Path, out: Path, cache_dir: Path | None, nlp, **kw) -> run.RunSummary:
    settings = Settings(progress=False, cache_dir=str(cache_dir) if cache_dir else None, **kw)
    return run.extract(corpus, out, settings, nlp=nlp)


def test_cache_unchanged_corpus_is_served_from_cache_with_same_output(corpus, tmp_path, nlp):
    cold = _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    warm = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp)
    fresh = _run(corpus, tmp_path / "c", None, nlp)
    assert cold.n_cached == 0 and warm.n_cached == cold.n_inputs - 4  # 4 fail in ingest: never cached
    assert files(tmp_path / "a") == files(tmp_path / "b") == files(tmp_path / "c")
    assert fresh.n_cached == 0 and not (tmp_path / "c" / ".partitions").exists()


def test_cache_changed_report_is_the_only_one_reprocessed(corpus, tmp_path, nlp):
    first = _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    report = corpus / "r1_0.txt"
    added = "The patient was later treated with amoxicillin for acute otitis media."
    report.write_text(report.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")
    again = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp)
    assert again.n_cached == first.n_inputs - 4 - 1
    _run(corpus, tmp_path / "c", None, nlp)
    assert files(tmp_path / "b") == files(tmp_path / "c")
    assert added.encode() in (tmp_path / "b" / "text" / "r1_0.txt").read_bytes()


def test_cache_report_is_redone_when_its_lines_become_corpus_boilerplate(corpus, tmp_path, nlp):
    """r1_0 is unchanged, but a line it contains starts recurring elsewhere: its result changes."""
    (corpus / "only_boilerplate.txt").unlink()
    report = corpus / "r1_0.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("\n", "\nZebra Lantern Journal of Rheumatology\n", 1), encoding="utf-8")
    first = _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    assert b"Zebra Lantern Journal of Rheumatology" not in (tmp_path / "a" / "boilerplate.csv").read_bytes()
    for i in range(3):
        (corpus / f"extra{i}.txt").write_text(f"Extra report {i}.\nZebra Lantern Journal of Rheumatology\nThe patient had a fever.\n", encoding="utf-8")
    again = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp)
    assert again.n_cached == first.n_ok - 1  # r1_0 redone, the new ones computed
    assert b"recurring_line,Zebra Lantern Journal of Rheumatology" in (tmp_path / "b" / "boilerplate.csv").read_bytes()
    _run(corpus, tmp_path / "c", None, nlp)
    assert files(tmp_path / "b") == files(tmp_path / "c")


def test_cache_resource_change_reprocesses_everything(corpus, tmp_path, nlp, monkeypatch):
    _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    monkeypatch.setattr(run, "resources_fingerprint", lambda *_: "a lexicon was edited")
    again = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp)
    assert again.n_cached == 0


def test_cache_resources_fingerprint_follows_every_resource_file(tmp_path, monkeypatch):
    from pipeline import resources

    copy = tmp_path / "resources"
    shutil.copytree(resources.path(), copy, ignore=shutil.ignore_patterns("model"))
    monkeypatch.setattr(resources, "path", lambda *parts: copy.joinpath(*parts))
    before = cache.resources_fingerprint()
    terms = copy / "lexicons" / "terms.tsv"
    terms.write_bytes(terms.read_bytes() + b"\n")
    assert cache.resources_fingerprint() != before
    # the precomputed ICD-10-CM look-ups (pipeline.icd_data) are part of both fingerprints
    from pipeline import icd_data, nlp

    again = cache.resources_fingerprint()
    index = copy / "lexicons" / icd_data.resource_path().name
    index.write_bytes(index.read_bytes() + b"\0")
    assert cache.resources_fingerprint() != again
    assert index in nlp.fingerprint_files()


def test_cache_fingerprints_from_shared_digests_equal_their_own():
    """A run hashes every resource file once (`resource_digests`); both fingerprints made
    from those digests equal the ones that read the files themselves."""
    from pipeline import nlp as nlp_stage

    digests = cache.resource_digests()
    assert list(digests) == sorted(digests) and all(len(d) == 32 for d in digests.values())
    assert cache.resources_fingerprint(digests) == cache.resources_fingerprint()
    assert nlp_stage.resources_fingerprint(digests) == nlp_stage.resources_fingerprint()
    # a file the digests lack is read (never skipped)
    name = next(iter(digests))
    partial = {k: v for k, v in digests.items() if k != name}
    assert nlp_stage.resources_fingerprint(partial) == nlp_stage.resources_fingerprint()


def test_cache_temporary_store_keeps_only_what_the_run_reads_again(corpus, tmp_path, nlp, monkeypatch):
    """Without a cache, a report's candidate lines are not stored (only a later run reads
    them) and its source text is removed once pass 3 has read it; with a cache both stay."""
    writes, removals = [], []
    put, discard = run.Store.put, run.Store.discard
    monkeypatch.setattr(run.Store, "put", lambda self, kind, key, value: (writes.append(kind), put(self, kind, key, value)))
    monkeypatch.setattr(run.Store, "discard", lambda self, kind, key: (removals.append(kind), discard(self, kind, key)))
    _run(corpus, tmp_path / "a", None, nlp, jobs=1)
    assert "lines" not in writes and writes.count("source") == removals.count("source") > 0
    _run(corpus, tmp_path / "fresh", None, nlp, jobs=1)
    assert files(tmp_path / "a") == files(tmp_path / "fresh")
    writes.clear()
    removals.clear()
    b = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp, jobs=1)
    assert "lines" in writes and "source" not in removals and b.n_cached == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")
    store = tmp_path / "cache"
    assert {p.parent.parent.name for p in store.rglob("*.bin")} >= {"lines", "source"}


def test_cache_code_or_version_change_reprocesses_everything(corpus, tmp_path, nlp, monkeypatch):
    _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    monkeypatch.setattr(run, "code_fingerprint", lambda: "other code")
    assert _run(corpus, tmp_path / "b", tmp_path / "cache", nlp).n_cached == 0
    monkeypatch.setattr(pipeline, "__version__", "99.0.0")
    assert cache.code_fingerprint.__wrapped__() != cache.code_fingerprint()


def test_cache_settings_that_change_output_are_in_the_key(corpus, tmp_path, nlp):
    _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    assert _run(corpus, tmp_path / "b", tmp_path / "cache", nlp, max_pages=7).n_cached == 0
    assert _run(corpus, tmp_path / "c", tmp_path / "cache", nlp, batch_size=3, jobs=2).n_cached > 0


def test_cache_damaged_entries_are_recomputed(corpus, tmp_path, nlp):
    first = _run(corpus, tmp_path / "a", tmp_path / "cache", nlp)
    entries = sorted((tmp_path / "cache").rglob("*.bin"))
    assert entries
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if i % 2 else data[:-1] + bytes([data[-1] ^ 1]))
    again = _run(corpus, tmp_path / "b", tmp_path / "cache", nlp)
    assert again.n_cached == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert _run(corpus, tmp_path / "c", tmp_path / "cache", nlp).n_cached == first.n_inputs - 4


def test_cache_store_ignores_foreign_and_truncated_entries(tmp_path):
    store = cache.Store(tmp_path)
    store.put("kind", "ab" * 32, {"x": 1})
    assert store.get("kind", "ab" * 32) == {"x": 1} and store.valid("kind", "ab" * 32)
    path = next(tmp_path.rglob("*.bin"))
    path.write_bytes(b"CXCACHE\x00" + path.read_bytes()[8:])  # another format version
    assert store.get("kind", "ab" * 32) is None and not store.valid("kind", "ab" * 32)
    assert store.get("kind", "cd" * 32) is None
    assert not list(tmp_path.rglob("*.tmp"))


def test_cache_flat_store_keeps_one_folder_per_kind(tmp_path):
    """A run's temporary store is flat (removing hundreds of key-prefix folders is slow on
    some file systems); it reads and writes like the fanned-out cache."""
    flat, nested = cache.Store(tmp_path / "flat", flat=True), cache.Store(tmp_path / "nested")
    for store in (flat, nested):
        for key in ("ab" * 32, "cd" * 32):
            store.put("result", key, {"key": key})
        assert store.get("result", "ab" * 32) == {"key": "ab" * 32} and store.valid("result", "cd" * 32)
        assert store.get("result", "ef" * 32) is None
    assert {p.parent.name for p in (tmp_path / "flat").rglob("*.bin")} == {"result"}
    assert {p.parent.name for p in (tmp_path / "nested").rglob("*.bin")} == {"ab", "cd"}


def test_cache_temporary_store_is_flat_and_removed(corpus, tmp_path, nlp, monkeypatch):
    layouts = []
    original = run.Store

    def spy(root, flat=False):
        layouts.append(flat)
        return original(root, flat=flat)

    monkeypatch.setattr(run, "Store", spy)
    _run(corpus, tmp_path / "out", None, nlp, jobs=1)
    assert layouts and all(layouts)
    assert not (tmp_path / "out" / ".partitions").exists()
    layouts.clear()
    _run(corpus, tmp_path / "out2", tmp_path / "cache", nlp, jobs=1)
    assert layouts and not any(layouts)


def _small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    folder.mkdir()
    texts = [
        "A 40-year-old man had pneumonia. A chest CT showed a mass in the left lung.\nHe was treated with amoxicillin.",
        "A 9-year-old girl had knee pain. MRI of the right knee showed osteoid osteoma.\nIt was resected.",
        "A 70-year-old woman had a stroke. Brain CT showed no bleeding.\nShe received alteplase.",
    ]
    for i, text in enumerate(texts):
        (folder / f"case{i}.txt").write_text(f"Case {i}\n\n{text}\n", encoding="utf-8")
    return folder


def test_cache_unchanged_run_skips_rewriting_an_intact_output_folder(tmp_path, nlp, monkeypatch):
    corpus = _small_corpus(tmp_path)
    out, store = tmp_path / "out", tmp_path / "cache"
    first = _run(corpus, out, store, nlp)
    before = files(out)
    assert first.n_failed == 0 and first.n_cached == 0

    def no_writing(*args, **kwargs):
        raise AssertionError("an unchanged run with an intact output folder must not rewrite it")

    with monkeypatch.context() as m:
        m.setattr(run, "_write_outputs", no_writing)
        again = _run(corpus, out, store, nlp)
    assert again.n_cached == again.n_inputs == first.n_inputs and again.up_to_date and not first.up_to_date
    assert "already up to date" in again.paragraph(out)
    assert again.mentions_by_category == first.mentions_by_category
    assert files(out) == before


def test_cache_run_skip_never_leaves_an_edited_or_stale_folder(tmp_path, nlp):
    corpus = _small_corpus(tmp_path)
    out, store = tmp_path / "out", tmp_path / "cache"
    _run(corpus, out, store, nlp)
    before = files(out)
    # an output file edited or removed by hand: the folder is written again
    (out / "mentions.csv").write_text("edited\n", encoding="utf-8")
    (out / "text" / "case1.txt").unlink()
    _run(corpus, out, store, nlp)
    assert files(out) == before
    # another table format, then an edited input: never the old folder
    _run(corpus, tmp_path / "pq", store, nlp, output_format="parquet")
    assert (tmp_path / "pq" / "mentions.parquet").exists()
    (corpus / "case2.txt").write_text("Case 2\n\nThe patient had appendicitis.\n", encoding="utf-8")
    again = _run(corpus, out, store, nlp)
    assert again.n_cached == 2
    assert b"appendicitis" in (out / "text" / "case2.txt").read_bytes()
    _run(corpus, tmp_path / "fresh", None, nlp)
    assert files(out) == files(tmp_path / "fresh")


def test_cache_csv_and_parquet_results_are_kept_apart(tmp_path, nlp):
    """CSV runs store their rows rendered as CSV text, Parquet runs the values: one format
    never reads the other's entry, and each gives the output of a run without cache."""
    corpus = _small_corpus(tmp_path)
    store = tmp_path / "cache"
    _run(corpus, tmp_path / "csv", store, nlp)
    pq = _run(corpus, tmp_path / "pq", store, nlp, output_format="parquet")
    assert pq.n_cached == 0  # the CSV run's entries are not Parquet's
    _run(corpus, tmp_path / "pq_fresh", None, nlp, output_format="parquet")
    assert files(tmp_path / "pq") == files(tmp_path / "pq_fresh")
    (tmp_path / "csv" / "cases.csv").unlink()
    again = _run(corpus, tmp_path / "csv", store, nlp)
    assert again.n_cached == 3 and not again.up_to_date
    _run(corpus, tmp_path / "csv_fresh", None, nlp)
    assert files(tmp_path / "csv") == files(tmp_path / "csv_fresh")
    assert {p.parent.parent.name for p in store.rglob("*.bin")} >= {"result", "result-csv", "meta", "source"}


def test_cache_scanned_sources_follow_the_resources(tmp_path, nlp, monkeypatch):
    """ingest reads packaged resources (HTML chrome names): a resource change re-reads every
    file instead of serving the text extracted under the old resources."""
    corpus = _small_corpus(tmp_path)
    reads = []
    original = run.ingest.read_source

    def counting(*args, **kwargs):
        reads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(run.ingest, "read_source", counting)
    _run(corpus, tmp_path / "a", tmp_path / "cache", nlp, jobs=1)
    assert len(reads) == 3
    (tmp_path / "a" / "cases.csv").unlink()
    _run(corpus, tmp_path / "a", tmp_path / "cache", nlp, jobs=1)
    assert len(reads) == 3  # served from the scan cache
    monkeypatch.setattr(run, "resources_fingerprint", lambda *_: "the HTML chrome names were edited")
    _run(corpus, tmp_path / "b", tmp_path / "cache", nlp, jobs=1)
    assert len(reads) == 6
