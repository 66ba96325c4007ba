"""The precomputed ICD-10-CM look-ups (`pipeline.icd_data`): current, equal to a fresh
build, used instead of simple_icd_10_cm at run time, and safe when stale."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

from pipeline import coding, icd_data


def _shipped_json() -> dict:
    """The shipped file's content as `build_data()` gives it (every section decoded)."""
    return icd_data.data_of(icd_data.resource_path().read_bytes())


def test_icd_data_shipped_resource_is_current():
    """Cheap check: the stamp of the shipped file is the stamp of today's inputs."""
    stamp = _shipped_json()["stamp"]
    assert stamp == icd_data.inputs_stamp(), (
        "pipeline/resources/lexicons/icd10cm_index.bin is stale (coding.py, lexicon.py, the curated "
        "lexicons or simple-icd-10-cm changed): run `python -m pipeline.icd_data --build`"
    )


def test_icd_data_shipped_resource_equals_a_fresh_build():  # ~8 s: imports simple_icd_10_cm, builds it all
    """The shipped file holds exactly what coding's own functions compute today."""
    fresh = icd_data.build_data()
    shipped = _shipped_json()
    assert shipped.keys() == fresh.keys()
    for key in fresh:
        assert shipped[key] == fresh[key], f"{key} differs: run `python -m pipeline.icd_data --build`"
    assert icd_data.decode(icd_data.encode(fresh))[0] == fresh["stamp"]


def test_icd_data_encoding_is_deterministic():
    data = {"format": icd_data.FORMAT, "stamp": "x", "source": "test", "bags": "a b\nc",
            "entries": [[1, 0], [3, 3], ["A00", "B1"], ["", "c"]],
            "posting_words": "a\nb\nc", "posting_ends": [1, 2, 3], "posting_bags": [0, 0, 1],
            "codes": "A00\nB1", "titles": "Cholera\nSomething", "billable": "\nB10",
            "gram_words": "abcd\nabce", "gram_keys": " ab\nabc\nbcd\nbce\ncd \nce ", "gram_idf": [1.0, 1.0, 1.4054651081081644,
            1.4054651081081644, 1.4054651081081644, 1.4054651081081644], "gram_unseen": 2.09861228866811,
            "gram_ends": [2, 4, 5, 6, 7, 8], "gram_numbers": [0, 1, 0, 1, 0, 1, 0, 1], "gram_norms": [2.4, 2.4]}
    assert icd_data.encode(data) == icd_data.encode(json.loads(json.dumps(data)))
    assert icd_data.data_of(icd_data.encode(data)) == data  # every column round-trips, floats bit for bit
    stamp, decoded = icd_data.decode(icd_data.encode(data))
    index, postings = decoded.index
    ab, c = frozenset({"a", "b"}), frozenset({"c"})
    assert stamp == "x"
    assert list(index.items()) == [(ab, (1, 3, "A00", "")), (c, (0, 3, "B1", "c"))]
    assert postings == {"a": [ab], "b": [ab], "c": [c]}
    assert postings["a"][0] is next(iter(index))  # the same bag objects, as built
    assert decoded.codes == {"A00": ("Cholera", "A00"), "B1": ("Something", "B10")}
    assert decoded.codes.title("B1") == "Something" and decoded.codes.billable("A00") == "A00"
    assert decoded.codes.title("A0") is None and decoded.codes.billable("B2") is None and "B" not in decoded.codes
    assert type(index) is dict and type(postings) is dict  # look-ups at full dict speed
    words, idf, unseen, inverted, norms = decoded.grams
    assert words == ["abcd", "abce"] and unseen == 2.09861228866811 and norms == [2.4, 2.4]
    assert idf["bcd"] == 1.4054651081081644 and inverted == {" ab": [0, 1], "abc": [0, 1], "bcd": [0], "bce": [1], "cd ": [0], "ce ": [1]}


def test_icd_data_grams_equal_coding_own_computation():
    """The shipped 3-gram index of the spelling back-off is exactly what coding computes from
    the index (floats bit for bit), and coding uses it instead of computing it."""
    assert icd_data.load() is not None
    shipped = coding._word_gram_index()
    assert shipped is icd_data.load().grams
    fresh = coding._word_grams(coding._icd_index()[1])
    for name, a, b in zip(("words", "idf", "unseen", "inverted", "norms"), shipped, fresh, strict=True):
        assert a == b, name
    assert coding.similar_words("amblyopic") == coding.similar_words.__wrapped__("amblyopic")
    assert [coding.similar_words.__wrapped__(w) for w in ("pnemonia", "osteomyelitis", "hepatomegaly")] == [
        dict(_similar(w, fresh)) for w in ("pnemonia", "osteomyelitis", "hepatomegaly")]


def _similar(word, grams):
    """`coding.similar_words` over an explicitly given 3-gram index (its formula, restated)."""
    import collections
    import math

    _, postings = coding._icd_index()
    out = {word: 1.0} if word in postings else {}
    words, idf, unseen, inverted, norms = grams
    counts = collections.Counter(coding._char_grams(word))
    norm = math.sqrt(sum((c * idf.get(g, unseen)) ** 2 for g, c in counts.items()))
    dots = {}
    for g, c in counts.items():
        for n in inverted.get(g, ()):
            dots[n] = dots.get(n, 0.0) + c * idf.get(g, 0.0) ** 2
    for n in sorted(dots):
        other, sim = words[n], dots[n] / (norm * norms[n])
        if sim >= coding._FUZZY_MIN_SIMILARITY and other not in out and other not in coding._FUZZY_EXACT \
                and not coding._opposite(word, other):
            out[other] = sim
    return out


def test_icd_data_look_ups_equal_the_classification():
    """billable/title from the shipped table equal coding's functions over simple_icd_10_cm."""
    assert icd_data.load() is not None
    for code in ("J81", "J81.1", "A15", "E11", "E11.9", "I50", "C34", "M86.1", "S72", "D16.6", "R50.9", "Q21.1"):
        assert coding.billable(code) == coding.billable.__wrapped__(code), code
        assert coding.icd10cm_title(code) == coding.icd10cm_title.__wrapped__(code), code
    assert coding._icd_index() is icd_data.load().index


def test_icd_data_stale_resource_warns_and_falls_back(monkeypatch):
    """A stale file is never used: one warning naming the fix, and the same answers."""
    expected = {code: (coding.billable(code), coding.icd10cm_title(code)) for code in ("J81", "E11", "C34")}
    shipped_grams, shipped_index = icd_data.load().grams, icd_data.load().index
    monkeypatch.setattr(icd_data, "inputs_stamp", lambda: "something else")
    monkeypatch.setattr(coding, "_icd_index", lambda: shipped_index)  # (its own fall-back takes seconds)
    icd_data.load.cache_clear()
    try:
        with pytest.warns(UserWarning, match=r"stale.*python -m pipeline\.icd_data --build"):
            assert icd_data.load() is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert {code: (coding.billable(code), coding.icd10cm_title(code)) for code in expected} == expected
            # the 3-gram index too: computed (not taken from the stale file), the same
            grams = coding._word_gram_index.__wrapped__()
            assert grams is not shipped_grams and grams[0] == shipped_grams[0] and grams[3] == shipped_grams[3]
    finally:
        icd_data.load.cache_clear()


_EXTRACT = r"""
import sys, tempfile, warnings
from pathlib import Path
warnings.filterwarnings("error", message=".*icd10cm_index")  # a stale resource would warn
from pipeline.run import extract
from pipeline.settings import Settings
corpus = Path(tempfile.mkdtemp())
(corpus / "r1.txt").write_text(
    "Case report\nA 40-year-old man presented with pulmonary edema and pneumonia. A CT scan showed a mass "
    "in the left lung; a biopsy showed adenocarcinoma. He had no diabetes mellitus.\n", encoding="utf-8")
summary = extract(corpus, corpus / "out", Settings(progress=False, jobs=1, cache_dir=None))
assert summary.n_failed == 0, summary.errors
codes = (corpus / "out" / "mentions.csv").read_text(encoding="utf-8")
assert "ICD-10-CM" in codes, codes
heavy = sorted(m for m in ("simple_icd_10_cm", "sklearn", "scipy.stats") if m in sys.modules)
assert not heavy, f"extraction imported {heavy}"
import nltk  # deferred, not broken: the first use loads it
from nltk.metrics.distance import edit_distance
assert edit_distance("abc", "abd") == 1 and nltk.__version__
print("ok")
"""


def test_icd_data_extraction_imports_neither_simple_icd_nor_nltk(repo):
    """A fresh process extracting a report codes diagnoses without importing
    simple_icd_10_cm, and medspaCy's unused nltk import stays deferred until used."""
    proc = subprocess.run([sys.executable, "-c", _EXTRACT], cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b[:1000] + b"x" * 100, lambda b: b""])
def test_icd_data_damaged_or_missing_resource_warns_and_falls_back(tmp_path, monkeypatch, damage):
    copy = tmp_path / icd_data.resource_path().name
    copy.write_bytes(damage(icd_data.resource_path().read_bytes()))
    monkeypatch.setattr(icd_data, "resource_path", lambda: copy)
    icd_data.load.cache_clear()
    try:
        with pytest.warns(UserWarning, match=r"cannot be read.*python -m pipeline\.icd_data --build"):
            assert icd_data.load() is None
        copy.unlink()
        icd_data.load.cache_clear()
        with pytest.warns(UserWarning, match=r"is missing"):
            assert icd_data.load() is None
    finally:
        icd_data.load.cache_clear()


def test_icd_data_titles_load_block_by_block():
    """Titles are decompressed per block of codes, on first use; every code still gets its own."""
    codes = [f"A{i:03d}" for i in range(600)]
    data = {"format": icd_data.FORMAT, "stamp": "x", "source": "test", "bags": "a", "entries": [[0], [4], ["A000"], [""]],
            "posting_words": "a", "posting_ends": [1], "posting_bags": [0], "codes": "\n".join(codes),
            "titles": "\n".join(f"title {c}" for c in codes), "billable": "\n" * 599, "gram_words": "", "gram_keys": "",
            "gram_idf": [], "gram_unseen": 1.0, "gram_ends": [], "gram_numbers": [], "gram_norms": []}
    _, decoded = icd_data.decode(icd_data.encode(data))
    titles = decoded.codes._titles
    assert titles._blocks == {}
    assert decoded.codes.title("A300") == "title A300" and list(titles._blocks) == [300 // icd_data._TITLE_BLOCK]
    assert [decoded.codes[c] for c in codes] == [(f"title {c}", c) for c in codes]
    assert icd_data.data_of(icd_data.encode(data)) == data


def test_icd_data_shipped_resource_is_binary_small_and_no_pickle():
    raw = icd_data.resource_path().read_bytes()
    assert icd_data.resource_path().suffix == ".bin" and raw.startswith(icd_data._MAGIC)
    assert len(raw) <= 5_000_000
    header = json.loads(raw[len(icd_data._MAGIC) : raw.index(b"\n")])  # a JSON header, then zlib sections
    assert header["format"] == icd_data.FORMAT and set(header["sections"]) >= {"bag_words", "posting_bags", "titles"}


def test_icd_data_flipped_byte_is_detected_at_load(tmp_path, monkeypatch):
    """A damaged byte anywhere (also in a title block read only later) fails the load, with
    the warning and fall-back, instead of failing a look-up during a run."""
    raw = bytearray(icd_data.resource_path().read_bytes())
    raw[-10] ^= 0xFF  # in the last titles block
    copy = tmp_path / icd_data.resource_path().name
    copy.write_bytes(bytes(raw))
    monkeypatch.setattr(icd_data, "resource_path", lambda: copy)
    icd_data.load.cache_clear()
    try:
        with pytest.warns(UserWarning, match=r"cannot be read.*checksum"):
            assert icd_data.load() is None
    finally:
        icd_data.load.cache_clear()
