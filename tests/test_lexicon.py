"""Unit tests of pipeline.lexicon on tiny fixture TSVs, plus one check of the shipped data."""

from __future__ import annotations

import importlib.resources
import pathlib
import time

import pytest
import spacy

from pipeline.lexicon import Concept, Lexicon, normalise_key

CONCEPTS_HEADER = "concept_id\tcategory\tpreferred_term\tcode_system\tcode\tkind\tsource\n"
TERMS_HEADER = "key\tterm\tconcept_id\n"


def write_lexicon(directory: pathlib.Path, concepts: list[str], terms: list[str]) -> pathlib.Path:
    (directory / "concepts.tsv").write_text(CONCEPTS_HEADER + "".join(row + "\n" for row in concepts), encoding="utf-8")
    (directory / "terms.tsv").write_text(TERMS_HEADER + "".join(row + "\n" for row in terms), encoding="utf-8")
    return directory


@pytest.fixture
def tiny(tmp_path: pathlib.Path) -> Lexicon:
    write_lexicon(
        tmp_path,
        [
            "MeSH:D010026\tdiagnosis\tOsteoma, Osteoid\tMeSH\tD010026\tdisease\ttest",
            "MeSH:D010016\tdiagnosis\tOsteoma\tMeSH\tD010016\tdisease\ttest",
            "DICOM:MR\timaging\tMagnetic resonance imaging\tDICOM\tMR\tmodality\tcurated",
            "DICOM:DX\timaging\tRadiography\tDICOM\tDX\tmodality\tcurated",
            "MeSH:D004487\tdiagnosis\tEdema\tMeSH\tD004487\tdisease\ttest",
        ],
        [
            "osteoid osteoma\tosteoid osteoma\tMeSH:D010026",
            "osteoma\tosteoma\tMeSH:D010016",
            "magnetic resonance imaging\tmagnetic resonance imaging\tDICOM:MR",
            "mri\tMRI\tDICOM:MR",
            "x ray\tX-ray\tDICOM:DX",
            "edema\tedema\tMeSH:D004487",
        ],
    )
    return Lexicon.load(tmp_path)


def test_lexicon_load_reads_concepts_and_terms(tiny: Lexicon) -> None:
    assert len(tiny) == 6
    assert tiny.max_term_length == 3
    assert tiny.concepts["DICOM:MR"] == Concept(
        "DICOM:MR", "imaging", "Magnetic resonance imaging", "DICOM", "MR", "modality"
    )


def test_lexicon_validation_error_names_file_and_line(tmp_path: pathlib.Path) -> None:
    write_lexicon(
        tmp_path,
        [
            "MeSH:D1\tdiagnosis\tA\tMeSH\tD1\tdisease\ttest",
            "MeSH:D2\tsymptom\tB\tMeSH\tD2\tdisease\ttest",
        ],
        [],
    )
    with pytest.raises(ValueError, match=r"concepts\.tsv:3: category 'symptom'"):
        Lexicon.load(tmp_path)


def test_lexicon_validation_rejects_unknown_concept_and_bad_header(tmp_path: pathlib.Path) -> None:
    write_lexicon(tmp_path, ["MeSH:D1\tdiagnosis\tA\tMeSH\tD1\tdisease\ttest"], ["a\ta\tMeSH:D9"])
    with pytest.raises(ValueError, match=r"terms\.tsv:2: concept_id 'MeSH:D9' is not in"):
        Lexicon.load(tmp_path)
    (tmp_path / "terms.tsv").write_text("key\tconcept_id\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms\.tsv:1: header must be"):
        Lexicon.load(tmp_path)


def test_lexicon_validation_rejects_wrong_field_count(tmp_path: pathlib.Path) -> None:
    write_lexicon(tmp_path, ["MeSH:D1\tdiagnosis\tA\tMeSH\tD1\tdisease"], [])
    with pytest.raises(ValueError, match=r"concepts\.tsv:2: expected 7 tab-separated fields"):
        Lexicon.load(tmp_path)


def test_lexicon_longest_match_wins(tiny: Lexicon) -> None:
    tokens = ["An", "osteoid", "osteoma", "and", "an", "osteoma", "."]
    assert tiny.match(tokens) == [(1, 3, "MeSH:D010026"), (5, 6, "MeSH:D010016")]


def test_lexicon_match_is_case_insensitive(tiny: Lexicon) -> None:
    assert tiny.match(["Magnetic", "Resonance", "IMAGING", "and", "mri"]) == [
        (0, 3, "DICOM:MR"),
        (4, 5, "DICOM:MR"),
    ]


def test_lexicon_match_skips_hyphen_tokens(tiny: Lexicon) -> None:
    assert tiny.match(["an", "X", "-", "ray"]) == [(1, 4, "DICOM:DX")]
    assert tiny.match(["x", "ray"]) == [(0, 2, "DICOM:DX")]


def test_lexicon_british_spelling(tiny: Lexicon) -> None:
    assert normalise_key(["Oedema"]) == "edema"
    assert normalise_key(["Haemorrhage", "tumours"]) == "hemorrhage tumors"
    assert normalise_key(["X", "-", "Ray"]) == "x ray"
    assert tiny.match(["bone", "oedema"]) == [(1, 2, "MeSH:D004487")]


def test_lexicon_deterministic_tie_break(tmp_path: pathlib.Path) -> None:
    concepts = [
        "MeSH:D2\tdiagnosis\tB\tMeSH\tD2\tdisease\ttest",
        "MeSH:D1\tdiagnosis\tA\tMeSH\tD1\tdisease\ttest",
        "ICD-10-CM:X1\tdiagnosis\tC\tICD-10-CM\tX1\tdisease\ttest",
        "local:x\tdiagnosis\tD\tlocal\tx\t\tcurated",
    ]
    terms = ["foo\tfoo\tMeSH:D2", "foo\tfoo\tMeSH:D1", "bar\tbar\tMeSH:D1", "bar\tbar\tICD-10-CM:X1"]
    first = Lexicon.load(write_lexicon(tmp_path, concepts, terms))
    # same key, same vocabulary: the smaller concept_id wins, whatever the row order
    assert first.match(["foo"]) == [(0, 1, "MeSH:D1")]
    # ICD-10-CM outranks MeSH
    assert first.match(["bar"]) == [(0, 1, "ICD-10-CM:X1")]
    reversed_dir = tmp_path / "reversed"
    reversed_dir.mkdir()
    second = Lexicon.load(write_lexicon(reversed_dir, concepts[::-1], terms[::-1] + ["foo\tfoo\tlocal:x"]))
    # curated beats every vocabulary
    assert second.match(["foo", "bar"]) == [(0, 1, "local:x"), (1, 2, "ICD-10-CM:X1")]


def test_lexicon_shipped_terms_resolve() -> None:
    directory = pathlib.Path(str(importlib.resources.files("pipeline") / "resources" / "lexicons"))
    started = time.perf_counter()
    lexicon = Lexicon.load(directory)
    assert time.perf_counter() - started < 5.0  # ~0.4 s on the reference machine
    tokenizer = spacy.blank("en").tokenizer

    def resolve(text: str) -> Concept:
        tokens = [t.text for t in tokenizer(text)]
        matches = lexicon.match(tokens)
        assert matches and matches[0][:2] == (0, len(tokens)), (text, matches)
        return lexicon.concepts[matches[0][2]]

    assert resolve("osteoid osteoma").category == "diagnosis"
    mri = resolve("magnetic resonance imaging")
    assert (mri.category, mri.code_system, mri.code) == ("imaging", "DICOM", "MR")
    assert resolve("MRI").concept_id == "DICOM:MR"
    assert resolve("bone scan").concept_id == "DICOM:NM"
    assert resolve("ibandronate").category == "treatment"
    assert resolve("sacroiliac joints").category == "anatomy"
    assert resolve("knee").category == "anatomy"
    assert resolve("haemangioma").category == "diagnosis"
    assert resolve("oesophageal cancer").category == "diagnosis"
    # stoplisted ambiguous abbreviations do not match
    assert lexicon.match(["AS", "MS", "PE"]) == []


# --------------------------------------------------------------------------- compiled form


def _tables(lexicon: Lexicon) -> tuple:
    """Everything a lexicon holds, in order (dict order included)."""
    return (
        list(lexicon.concepts.items()), list(lexicon._key_to_concept.items()), list(lexicon.synonyms.items()),
        list(lexicon._lengths.items()), lexicon.max_term_length,
    )


_TINY_CONCEPTS = [
    "MeSH:D2\tdiagnosis\tB\tMeSH\tD2\tdisease\ttest",
    "MeSH:D1\tdiagnosis\tA\tMeSH\tD1\tdisease\ttest",
    "ICD-10-CM:X1\tdiagnosis\tC\tICD-10-CM\tX1\t\ttest",
    "DICOM:MR\timaging\tMagnetic resonance imaging\tDICOM\tMR\tmodality\tcurated",
]
_TINY_TERMS = [
    "foo\tfoo\tMeSH:D2", "foo\tfoo\tMeSH:D1", "bar\tbar\tMeSH:D1", "bar baz\tbar baz\tICD-10-CM:X1",
    "magnetic resonance imaging\tMRI\tDICOM:MR",
]


def test_lexicon_compiled_form_gives_the_same_lexicon_as_the_tsv_files(tmp_path: pathlib.Path) -> None:
    from pipeline import lexicon as lx

    write_lexicon(tmp_path, _TINY_CONCEPTS, _TINY_TERMS)
    from_tsv = Lexicon.load(tmp_path)  # no compiled form in the folder: read from the TSV files
    path = lx.build_compiled(tmp_path)
    assert path.name == lx.COMPILED_NAME and path.read_bytes()[:2] == b"\x1f\x8b"  # gzip, no pickle
    stamp, compiled = lx.decode_compiled(path.read_bytes())
    assert stamp == lx.compiled_stamp(tmp_path)
    assert _tables(compiled) == _tables(from_tsv) == _tables(Lexicon.load(tmp_path))
    assert compiled.match(["foo", "bar", "baz"]) == [(0, 1, "MeSH:D1"), (1, 3, "ICD-10-CM:X1")]
    assert compiled.concepts["ICD-10-CM:X1"].kind == ""  # empty cells survive
    # deterministic: the same files give the same bytes
    assert lx.build_compiled(tmp_path).read_bytes() == path.read_bytes()


def test_lexicon_compiled_form_of_the_shipped_lexicon_is_current_and_equal() -> None:
    """The shipped compiled form matches today's TSV files and lexicon.py, and holds exactly
    what parsing and validating them gives (rebuild: python -m pipeline.lexicon --build)."""
    from pipeline import lexicon as lx
    from pipeline import resources

    directory = resources.path("lexicons")
    stamp, compiled = lx.decode_compiled((directory / lx.COMPILED_NAME).read_bytes())
    assert stamp == lx.compiled_stamp(directory), (
        f"pipeline/resources/lexicons/{lx.COMPILED_NAME} is stale: run `python -m pipeline.lexicon --build`"
    )
    assert _tables(compiled) == _tables(Lexicon._load(directory))


def test_lexicon_editing_a_tsv_file_invalidates_the_compiled_form(tmp_path: pathlib.Path) -> None:
    """A compiled form is never served for other TSV files: after an edit, loading warns
    (naming the fix) and reads the edited files."""
    from pipeline import lexicon as lx

    write_lexicon(tmp_path, _TINY_CONCEPTS, _TINY_TERMS)
    lx.build_compiled(tmp_path)
    with open(tmp_path / "terms.tsv", "a", encoding="utf-8") as handle:
        handle.write("qux\tqux\tMeSH:D2\n")
    with pytest.warns(UserWarning, match=r"stale.*python -m pipeline\.lexicon --build"):
        edited = Lexicon.load(tmp_path)
    assert edited.match(["qux"]) == [(0, 1, "MeSH:D2")]
    assert _tables(edited) == _tables(Lexicon._load(tmp_path))
    # a concept edited in place (same size, same rows) changes the stamp too
    lx.build_compiled(tmp_path)
    text = (tmp_path / "concepts.tsv").read_text(encoding="utf-8")
    (tmp_path / "concepts.tsv").write_text(text.replace("\tB\t", "\tZ\t"), encoding="utf-8")
    with pytest.warns(UserWarning, match="stale"):
        assert Lexicon.load(tmp_path).concepts["MeSH:D2"].preferred_term == "Z"
    # and an invalid edit is reported as before, with its line
    lx.build_compiled(tmp_path)
    (tmp_path / "terms.tsv").write_text(TERMS_HEADER + "Foo\tfoo\tMeSH:D2\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="stale"), pytest.raises(ValueError, match=r"terms\.tsv:2: key 'Foo' is not lower-case"):
        Lexicon.load(tmp_path)


def test_lexicon_damaged_compiled_form_warns_and_reads_the_tsv_files(tmp_path: pathlib.Path) -> None:
    from pipeline import lexicon as lx

    write_lexicon(tmp_path, _TINY_CONCEPTS, _TINY_TERMS)
    expected = _tables(Lexicon.load(tmp_path))
    path = lx.build_compiled(tmp_path)
    path.write_bytes(path.read_bytes()[:-20])  # truncated
    with pytest.warns(UserWarning, match="cannot be read"):
        assert _tables(Lexicon.load(tmp_path)) == expected
    path.write_bytes(b"not gzip at all")
    with pytest.warns(UserWarning, match="cannot be read"):
        assert _tables(Lexicon.load(tmp_path)) == expected


def test_lexicon_check_command(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline import lexicon as lx

    write_lexicon(tmp_path, _TINY_CONCEPTS, _TINY_TERMS)
    assert lx.main(["--check", str(tmp_path)]) == 1  # missing
    assert lx.main(["--build", str(tmp_path)]) == 0
    assert lx.main(["--check", str(tmp_path)]) == 0
    (tmp_path / "terms.tsv").write_text(TERMS_HEADER + "foo\tfoo\tMeSH:D2\n", encoding="utf-8")
    assert lx.main(["--check", str(tmp_path)]) == 1  # stale
    assert "python -m pipeline.lexicon --build" in capsys.readouterr().err
