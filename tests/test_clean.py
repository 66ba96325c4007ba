"""Clean: boilerplate removal is logged, and the clean->source offset map is exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import clean, line_rules
from pipeline.records import SourceText


def _source(text: str) -> SourceText:
    return SourceText(case_id="c", path="c.txt", source_format="txt", sha256="0" * 64, text=text, encoding="utf-8")


def test_clean_removes_site_widgets_and_logs_them():
    text = "A man had knee pain.\n\nTalk to us\n\nSchedule a call\n\nDisclaimer: All third-party content is provided as is.\n"
    result = clean(_source(text))
    assert result.text == "A man had knee pain.\n"
    assert [r.rule for r in result.removed] == ["site_chat_widget", "site_chat_widget", "site_disclaimer"]
    for span in result.removed:
        assert text[span.raw_start : span.raw_end] == span.text


def test_clean_drops_a_translated_abstract_line():
    text = "We report a case of osteoporosis.\n我们报告了首例强直性脊柱炎患者发生的区域性迁移性骨质疏松症。\n"
    result = clean(_source(text))
    assert result.text == "We report a case of osteoporosis.\n"
    assert result.removed[0].rule == "foreign_language:cjk"


def test_clean_keeps_greek_letters_in_english_sentences():
    text = "Levels of TNF-α and IL-1β were raised in the β-thalassemia patient.\n"
    assert clean(_source(text)).text == text


def test_clean_collapses_layout_whitespace():
    text = "\n \nCase report  \n\n\n \nA   35-year-old\tmale.\n\f\nPage two text.\n"
    assert clean(_source(text)).text == "Case report\n\nA 35-year-old male.\n\nPage two text.\n"


def test_clean_extracts_identifiers():
    text = "Scand J Rheumatol. 2009;38(1):63-5. doi: 10.1080/03009740802213302. PMID: 19191160 PMCID: PMC1234567\n"
    meta = clean(_source(text)).metadata
    assert meta == {"doi": "10.1080/03009740802213302", "pmid": "19191160", "pmcid": "PMC1234567"}


def test_clean_rules_file_is_valid():
    rules = line_rules()
    assert rules and all(r.rule_id and r.description for r in rules)


_lines = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
        st.sampled_from(["Talk to us", "  ", "\f", "我们报告了首例强直性脊柱炎患者发生", "Disclaimer: x", "a  b\tc"]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_lines)
def test_clean_offset_map_is_exact(lines):
    text = "\n".join(lines)
    result = clean(_source(text))
    assert len(result.offsets) == len(result.text)
    assert list(result.offsets) == sorted(result.offsets)
    for i, ch in enumerate(result.text):
        if not ch.isspace():
            assert text[result.offsets[i]] == ch
    # every span within one line maps back to the same characters up to whitespace
    n = len(result.text)
    for start in range(0, n, 3):
        for end in range(start + 1, min(n, start + 30) + 1, 2):
            if "\n" in result.text[start:end]:
                break
            raw_start, raw_end = result.raw_span(start, end)
            assert "".join(result.text[start:end].split()) == "".join(text[raw_start:raw_end].split())
    # removed spans never overlap kept characters
    kept = set(result.offsets)
    for span in result.removed:
        assert text[span.raw_start : span.raw_end] == span.text
        assert not any(span.raw_start <= o < span.raw_end for o in kept if not text[o].isspace())
