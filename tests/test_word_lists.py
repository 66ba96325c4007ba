"""The cleaner's precomputed word lists (english_word_ranks.txt.gz, clinical_vocabulary.txt.gz):
up to date with their sources, the same sets as computing from the sources, and ignored
(the sets computed from the sources instead) when stale or damaged."""

from __future__ import annotations

import gzip

import pytest

from pipeline import clean

_CACHED = (clean.english_words, clean._word_ranks, clean._english_ranks, clean.clinical_vocabulary)


@pytest.fixture
def fresh_caches():
    for func in _CACHED:
        func.cache_clear()
    yield
    for func in _CACHED:
        func.cache_clear()


def _top_by_rank(freqs: dict[str, int], n: int) -> frozenset[str]:
    """The reference: the first n words ordered by (-count, word), by sorting everything."""
    return frozenset(sorted(freqs, key=lambda w: (-freqs[w], w))[:n])


def test_stored_word_lists_are_up_to_date():
    """Fails after a pyspellchecker upgrade or an edit of lexicons/terms.tsv: run scripts/build_word_lists.py."""
    assert clean._english_ranks() is not None, "english_word_ranks.txt.gz is stale: run scripts/build_word_lists.py"
    assert clean._stamped_words(clean.CLINICAL_VOCABULARY_FILE, clean.clinical_vocabulary_stamp()) is not None, (
        "clinical_vocabulary.txt.gz is stale: run scripts/build_word_lists.py"
    )


def test_stored_word_lists_give_the_sets_computed_from_the_sources(fresh_caches):
    freqs = clean._english_frequencies()
    common, frequent = clean._word_ranks()
    assert common == _top_by_rank(freqs, 3000) and frequent == _top_by_rank(freqs, 20000)
    assert clean.english_words() == frozenset(freqs)
    assert clean.clinical_vocabulary() == clean._clinical_vocabulary_from_terms()
    assert clean._english_ranks_head(20000) == clean._english_ranks()[:20000]


def test_stale_stamps_fall_back_to_the_sources(fresh_caches, monkeypatch):
    expected = (clean._word_ranks(), clean.english_words(), clean.clinical_vocabulary())
    for func in _CACHED:
        func.cache_clear()
    monkeypatch.setattr(clean, "english_ranks_stamp", lambda: "english-ranks-1 another-dictionary")
    monkeypatch.setattr(clean, "clinical_vocabulary_stamp", lambda: "clinical-vocabulary-1 edited-terms")
    assert clean._english_ranks() is None and clean._english_ranks_head(20000) is None
    assert clean._stamped_words(clean.CLINICAL_VOCABULARY_FILE, clean.clinical_vocabulary_stamp()) is None
    assert (clean._word_ranks(), clean.english_words(), clean.clinical_vocabulary()) == expected


def test_stamped_words_round_trip_and_reject_damage(tmp_path, monkeypatch):
    monkeypatch.setattr(clean.resources, "path", lambda *parts: tmp_path / parts[-1])
    words = [f"w{i:05d}" for i in range(30000)]
    (tmp_path / "list.txt.gz").write_bytes(clean.encode_stamped_words(words, "stamp-1 abc"))
    assert clean._stamped_words("list.txt.gz", "stamp-1 abc") == words
    assert clean._stamped_words("list.txt.gz", "stamp-1 abd") is None
    assert clean._stamped_words("missing.txt.gz", "stamp-1 abc") is None
    data = (tmp_path / "list.txt.gz").read_bytes()
    (tmp_path / "list.txt.gz").write_bytes(data[: len(data) // 2])  # truncated
    assert clean._stamped_words("list.txt.gz", "stamp-1 abc") is None
    (tmp_path / "list.txt.gz").write_bytes(gzip.compress(b"stamp-1 abc\t5\na\nb\n"))  # fewer words than it says
    assert clean._stamped_words("list.txt.gz", "stamp-1 abc") is None
    with pytest.raises(ValueError):
        clean.encode_stamped_words(["a\nb"], "stamp")


def test_ranks_head_reads_a_prefix_and_checks_stamp_and_length(tmp_path, monkeypatch):
    monkeypatch.setattr(clean.resources, "path", lambda *parts: tmp_path / parts[-1])
    monkeypatch.setattr(clean, "english_ranks_stamp", lambda: "english-ranks-1 test")
    words = [f"word{i}" for i in range(100_000)]  # several 64 KB pieces of decompressed text
    (tmp_path / clean.ENGLISH_RANKS_FILE).write_bytes(clean.encode_stamped_words(words, "english-ranks-1 test"))
    assert clean._english_ranks_head(20000) == words[:20000]
    assert clean._english_ranks_head(100_000) == words
    assert clean._english_ranks_head(100_001) is None
    (tmp_path / clean.ENGLISH_RANKS_FILE).write_bytes(clean.encode_stamped_words(words, "english-ranks-1 other"))
    assert clean._english_ranks_head(20000) is None
    (tmp_path / clean.ENGLISH_RANKS_FILE).write_bytes(b"not gzip at all")
    assert clean._english_ranks_head(20000) is None


def test_ranked_words_prefix_matches_a_full_sort_with_ties():
    freqs = {"b": 5, "a": 5, "c": 7, "d": 1, "e": 5, "f": 2, "g": 7}
    full = clean.ranked_words(freqs)
    assert full == ["c", "g", "a", "b", "e", "f", "d"]
    for n in range(1, len(freqs) + 2):
        assert clean.ranked_words(freqs, n) == full[:n]
