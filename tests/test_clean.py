"""Clean: boilerplate removal is logged, and the clean->source offset map is exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import CorpusContext, clean, line_rules, normalise_line, recurring_lines
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
    assert result.removed[0].rule == "foreign_language:zh"


def test_clean_drops_a_translated_latin_script_abstract():
    text = (
        "We report a case of gout of the knee in a man.\n"
        "Nous rapportons le cas d'une goutte du genou chez un homme de 50 ans, traité par colchicine et repos, avec une bonne évolution.\n"
    )
    result = clean(_source(text))
    assert result.text == "We report a case of gout of the knee in a man.\n"
    assert result.removed[0].rule == "foreign_language:fr"


def test_clean_keeps_greek_letters_in_english_sentences():
    text = "Levels of TNF-α and IL-1β were raised in the β-thalassemia patient.\n"
    assert clean(_source(text)).text == text


def test_clean_collapses_layout_whitespace():
    text = "\n \nCase report  \n\n\n \nA   35-year-old\tmale.\n\f\nPage two text.\n"
    assert clean(_source(text)).text == "Case report\n\nA 35-year-old male.\n\nPage two text.\n"


def test_clean_reflows_hard_wrapped_lines_and_repairs_hyphenation():
    wrapped = (
        "We present a 35-year-old male, who initially complained of progressive and persistent \n"
        "inflammatory back pain for 2 years, which was diagnosed as a T12 thoracic spine osteoid \n"
        "osteoma. Treatment with aspirin and non-\n"
        "steroidal anti-inflammatory drugs was given, and the osteo-\n"
        "ma was resected. The osteoma did not recur over the next two years of follow up here.\n"
        "He is well now and was seen again in clinic for a final review of the spine and hips.\n"
        "All findings were normal at the last review, and no new lesions were seen at all.\n"
    )
    out = clean(_source(wrapped)).text
    assert "osteoid osteoma. Treatment" in out
    assert "non-steroidal" in out
    assert "the osteoma was resected" in out
    assert out.count("\n") == 1  # one paragraph


def test_clean_splits_a_one_line_web_page_at_wide_gaps():
    page = "Skip to content     A 9-year-old girl had pain in the left foot.     Talk to us     Share"
    result = clean(_source(page))
    assert result.text.strip() == "A 9-year-old girl had pain in the left foot."
    assert {r.rule for r in result.removed} == {"site_navigation", "site_chat_widget"}


def test_clean_scoped_rules_remove_following_paragraph_and_tail():
    text = (
        "A woman had sarcoidosis.\n\nProfessional Medical Disclaimer\n\nThis is for professionals only.\n"
        "More of it.\n\nShe recovered.\nThe above report is solely based on the available information.\n"
        "Sarcoidosis in a woman\n"
    )
    result = clean(_source(text))
    assert result.text == "A woman had sarcoidosis.\n\nShe recovered.\n"
    rules = [r.rule for r in result.removed]
    assert rules.count("site_disclaimer") == 3 and "machine_commentary_disclaimer" in rules


def test_clean_removes_repeated_title_and_uses_it_as_title():
    text = "Chronic recurrent multifocal osteomyelitis\nA 9-year-old girl had foot pain.\nShe improved.\nChronic recurrent multifocal osteomyelitis\n"
    result = clean(_source(text))
    assert result.removed[-1].rule == "repeated_title"
    assert result.metadata["title"] == "Chronic recurrent multifocal osteomyelitis"


def test_clean_removes_citation_markers_but_not_figure_letters():
    text = "Pain is relieved by aspirin (12, 13). Bone scan (C) shows uptake [5]. It recurs (2-4) rarely.\n"
    result = clean(_source(text))
    assert result.text == "Pain is relieved by aspirin. Bone scan (C) shows uptake. It recurs rarely.\n"
    assert {r.rule for r in result.removed} == {"citation_marker"}


def test_clean_removes_pdf_running_headers_and_page_numbers():
    bodies = ["The femur was fractured.", "A cast was applied.", "Healing was slow.", "She walks again."]
    pages = [f"Journal of Case Reports 2023\n{body}\n{n}" for n, body in enumerate(bodies, start=1)]
    result = clean(_source("\n\f\n".join(pages)))
    assert "Journal of Case Reports" not in result.text
    assert all(body in result.text for body in bodies)
    assert {r.rule for r in result.removed} == {"page_furniture", "page_number"}


def test_clean_front_matter_is_removed_and_becomes_metadata():
    text = (
        "Straten V H H P, Franssen M J A M, den Broeder A A\n"
        "Department of Rheumatology, Sint Maartenskliniek, Nijmegen, the Netherlands.\n"
        "Scand J Rheumatol. 2009 Jan-Feb;38(1):63-5. doi: 10.1080/03009740802213302.\n"
        "We report the first case of regional migratory osteoporosis.\n"
    )
    result = clean(_source(text))
    assert result.text == "We report the first case of regional migratory osteoporosis.\n"
    assert result.metadata["author"].startswith("Straten V H H P")
    assert (result.metadata["journal"], result.metadata["year"]) == ("Scand J Rheumatol", "2009")


def test_clean_recurring_lines_across_the_corpus_are_removed_but_shared_sentences_kept():
    chrome = "MedSite Weekly brings you our latest stories"
    docs = [f"Case {n}: a patient had gout of the knee number {n}.\n{chrome}\n" for n in range(5)]
    shared = "Gout is common."
    docs[0] += shared + "\n"
    docs[1] += shared + "\n"
    recurring = recurring_lines(docs)
    assert normalise_line(chrome) in recurring and normalise_line(shared) not in recurring
    result = clean(_source(docs[0]), CorpusContext(recurring))
    assert chrome not in result.text and shared in result.text
    assert "recurring_line" in {r.rule for r in result.removed}


def test_clean_accounts_for_every_source_character(repo):
    from pipeline.ingest import discover, read_source
    from pipeline.settings import Settings

    corpus = repo / "corpus"
    for item in discover(corpus):
        source = read_source(corpus, item, Settings())
        result = clean(source)
        covered = [False] * len(source.text)
        for i, ch in enumerate(result.text):
            if not ch.isspace():
                covered[result.offsets[i]] = True
        for span in result.removed:
            for k in range(span.raw_start, span.raw_end):
                covered[k] = True
        missing = [k for k, ch in enumerate(source.text) if not ch.isspace() and not covered[k]]
        assert not missing, f"{item.path}: characters neither kept nor logged at {missing[:5]}"


def test_clean_extracts_identifiers():
    text = "Scand J Rheumatol. 2009;38(1):63-5. doi: 10.1080/03009740802213302. PMID: 19191160 PMCID: PMC1234567\n"
    meta = clean(_source(text)).metadata
    assert meta == {
        "doi": "10.1080/03009740802213302",
        "pmid": "19191160",
        "pmcid": "PMC1234567",
        "journal": "Scand J Rheumatol",
        "year": "2009",
    }


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
            if any(start < seam < end for seam in result.seams):
                continue  # joined across removed text: normalise keeps no mention there
            raw_start, raw_end = result.raw_span(start, end)
            # line-end hyphens the cleaner dropped are logged; the raw span still holds them
            hyphens = {r.raw_start for r in result.removed if r.rule == "hyphenation"}
            raw = "".join(ch for k, ch in enumerate(text[raw_start:raw_end], start=raw_start) if k not in hyphens)
            assert "".join(result.text[start:end].split()) == "".join(raw.split())
    # removed spans never overlap kept characters
    kept = set(result.offsets)
    for span in result.removed:
        assert text[span.raw_start : span.raw_end] == span.text
        assert not any(span.raw_start <= o < span.raw_end for o in kept if not text[o].isspace())


def test_clean_seams_mark_text_joined_across_removed_lines():
    pages = [
        "Journal of Case Reports 2023\nThe patient had a pulmonary",
        "Journal of Case Reports 2023\nembolism and was treated with heparin.",
        "Journal of Case Reports 2023\nShe recovered fully after one month.",
    ]
    result = clean(_source("\n\f\n".join(pages)))
    assert "a pulmonary embolism and was treated" in result.text
    seam = result.text.index("embolism")
    assert seam in result.seams
