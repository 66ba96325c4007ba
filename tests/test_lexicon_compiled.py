"""The compiled lexicon's lazy tables (`pipeline.lexicon`, format 2): read-only mappings that
answer exactly as the dicts read from the TSV files do."""

from __future__ import annotations

import pathlib

import pytest

from pipeline import lexicon as lx
from pipeline.lexicon import Lexicon
from tests.test_lexicon import _TINY_CONCEPTS, _TINY_TERMS, write_lexicon


def _both(tmp_path: pathlib.Path) -> tuple[Lexicon, Lexicon]:
    write_lexicon(tmp_path, _TINY_CONCEPTS, _TINY_TERMS)
    from_tsv = Lexicon.load(tmp_path)
    _, compiled = lx.decode_compiled(lx.build_compiled(tmp_path).read_bytes())
    return from_tsv, compiled


def test_lexicon_compiled_concepts_and_synonyms_answer_as_dicts(tmp_path: pathlib.Path) -> None:
    from_tsv, compiled = _both(tmp_path)
    assert type(from_tsv.concepts) is dict and type(compiled.concepts) is not dict  # made on first use
    for tables in ((from_tsv.concepts, compiled.concepts), (from_tsv.synonyms, compiled.synonyms)):
        expected, lazy = tables
        assert list(lazy) == list(expected) and len(lazy) == len(expected) and dict(lazy) == expected
        assert lazy == expected and list(lazy.items()) == list(expected.items())
        for key in [*expected, "MeSH:D9", "", None]:
            assert (key in lazy) == (key in expected)
            assert lazy.get(key) == expected.get(key) and lazy.get(key, "-") == expected.get(key, "-")
        with pytest.raises(KeyError):
            lazy["MeSH:D9"]
    assert compiled.concepts["MeSH:D1"] is compiled.concepts["MeSH:D1"]  # made once
    assert compiled.concept_for_key("bar baz") == from_tsv.concept_for_key("bar baz")
    # the key table shares one concept-id string per concept, as when read from the TSV files
    ids = {id(v) for v in compiled._key_to_concept.values()}
    assert ids <= {id(c) for c in compiled.concepts}


def test_lexicon_compiled_lengths_share_their_tuples(tmp_path: pathlib.Path) -> None:
    from_tsv, compiled = _both(tmp_path)
    assert compiled._lengths == from_tsv._lengths and compiled.max_term_length == from_tsv.max_term_length == 3
    by_value: dict[tuple[int, ...], int] = {}
    for lengths in compiled._lengths.values():
        assert by_value.setdefault(lengths, id(lengths)) == id(lengths)  # one tuple object per distinct value
