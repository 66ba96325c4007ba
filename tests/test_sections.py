from itertools import pairwise

from pipeline.components.sections import find_sections, load_rules


def _names(text):
    return [(s, text[a:b].split("\n")[0].strip()) for s, a, b, _ in find_sections(text, load_rules())]


def test_sections_headers_with_and_without_colons_numbered_and_run_in():
    text = (
        "Osteoid osteoma of the spine\n\nAbstract\nWe present a man.\n\n1. Introduction: OO is a tumour.\n\n"
        "Case presentation A 35-year-old man.\n\nDISCUSSION\nIt is rare.\n\nConclusions. Treat it.\n\n"
        "Figure 1: CT scan of the spine.\n"
    )
    sections = [s for s, _ in _names(text)]
    assert sections == ["title", "abstract", "introduction", "case", "discussion", "conclusion", "figure"]


def test_sections_lowercase_run_in_word_is_not_a_header():
    text = "A 9-year-old girl presented with pain.\nDiscussion of the options followed.\n"
    assert "discussion" not in [s for s, _ in _names(text)]


def test_sections_blocks_cover_the_text():
    text = "Title line\n\nAbstract\nSome text.\n"
    blocks = find_sections(text, load_rules())
    assert blocks[0][1] == 0 and blocks[-1][2] == len(text)
    assert all(a[2] == b[1] for a, b in pairwise(blocks))


def test_sections_back_matter_headers_end_the_discussion():
    text = (
        "Title line\n\nDiscussion\nIt is rare.\n\nDeclarations\nThe authors declare no conflicts.\n\n"
        "Availability of data and materials\nNot applicable.\n"
    )
    assert [s for s, _ in _names(text)] == ["title", "discussion", "other", "other"]
