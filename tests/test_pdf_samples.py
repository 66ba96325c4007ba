"""The four real PDFs in ../shared/samples/pdf: reading order, no page furniture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.clean import clean
from pipeline.ingest import discover, read_source
from pipeline.settings import Settings

FURNITURE = {
    "CERMINE_test1_BMC_JTraumaManagOutcomes2010_CCBY2": ["Journal of Trauma Management & Outcomes 2010, 4:1", "Page 9 of 11", "traumamanagement.org/content"],
    "CERMINE_test2_Hindawi_RehabResPract2010_CCBY": ["Rehabilitation Research and Practice", "Hindawi Publishing Corporation"],
    "cureus-0015-00000035179": ["Cureus 15(2): e35179. DOI 10.7759/cureus.35179 2 of 4", "Review began", "Open Access"],
    "cureus-0015-00000040274": ["Cureus 15(6): e40274. DOI 10.7759/cureus.40274 2 of 6", "Review ended", "Open Access"],
}
# Sentences that run across a line break inside one column: intact only if the columns
# were read one after the other and the line breaks re-flowed.
READING_ORDER = {
    "CERMINE_test1_BMC_JTraumaManagOutcomes2010_CCBY2": "Although DVT alone is not life-threatening, a resulting pulmonary embolism (PE) carries potentially significant morbidity and mortality.",
    "CERMINE_test2_Hindawi_RehabResPract2010_CCBY": "The combined effects of an ageing population and advances in treatments for acute myocardial infarction have resulted in heart failure becoming what is known as a silent epidemic in industrialised nations.",
    "cureus-0015-00000035179": "We tested ChatGPT to write about the pathogenesis of these conditions.",
    "cureus-0015-00000040274": "The paucity of skilled personnel must be addressed if India is to accelerate its progress toward achieving universal health coverage",
}


@pytest.fixture(scope="module")
def cleaned(shared: Path) -> dict[str, str]:
    folder = shared / "samples" / "pdf"
    return {item.case_id: clean(read_source(folder, item, Settings())).text for item in discover(folder)}


def test_pdf_samples_have_no_running_headers_footers_or_page_numbers(cleaned):
    assert sorted(cleaned) == sorted(FURNITURE)
    for case_id, strings in FURNITURE.items():
        text = cleaned[case_id]
        for s in strings:
            assert s not in text, f"{case_id}: page furniture {s!r} left in the cleaned text"
        lone_numbers = [line for line in text.splitlines() if re.fullmatch(r"\s*\d{1,3}\s*", line)]
        assert not lone_numbers, f"{case_id}: page numbers left: {lone_numbers[:3]}"


def test_pdf_samples_read_columns_in_order(cleaned):
    for case_id, sentence in READING_ORDER.items():
        assert sentence in cleaned[case_id], f"{case_id}: {sentence[:40]!r}... not intact"
