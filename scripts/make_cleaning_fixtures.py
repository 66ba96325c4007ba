"""Render the two-column PDF fixtures of the cleaning evaluation (tests/fixtures/cleaning/).

`python scripts/make_cleaning_fixtures.py [--out tests/fixtures/cleaning]` writes
`pdf_twocol_emphysematous.pdf` and `pdf_twocol_itp.pdf`: invented case reports laid out
like journal pages — full-width title block and abstract on page one, then two columns of
justified-looking text, a running header (alternating on odd/even pages in the second),
a footer with citation/DOI and page number, words hyphenated across line ends (from a
fixed list of break points, so the output never depends on a hyphenation library), real
compounds broken after their hyphen ("non-|steroidal"), citation markers and a reference
list. Their `.expect.json` files are written by hand; this script only renders the PDFs.

Deterministic: fixed fonts (the PDF core fonts), fixed creation date, no random input;
running it twice gives byte-identical files. Needs fpdf2 (a dev dependency).
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

# Break points for long words: where a typesetter would hyphenate them.
HYPHENATION = {
    w.replace("-", ""): w.split("-")
    for w in """
    pyelo-nephritis emphy-sematous dia-betes hyper-glycaemia percu-taneous nephros-tomy
    anti-biotic anti-biotics tomo-graphy compu-ted ultra-sound micro-biology intra-venous
    mero-penem crea-tinine haemo-dynamic haemo-dynamically cul-tures collec-tion para-nephric
    sub-capsular ketoaci-dosis immuno-globulin thrombo-cytopenia throm-bocytopenic
    predni-solone eltrom-bopag haemor-rhage petech-iae mucocu-taneous megakaryo-cytes
    rituxi-mab splenec-tomy platelet-count concen-tration bleed-ing presen-tation obser-vation
    manage-ment conserva-tive retro-peritoneal laparo-scopic infor-mation mor-tality
    resusci-tation admin-istered sever-ity hepato-splenomegaly lympha-denopathy recov-ery
    conti-nued trans-fusion trans-fusions dis-charged vacci-nation treat-ment patho-gens
    """.split()
}

TIMES = "Times"


@dataclass(frozen=True)
class Layout:
    header_odd: str
    header_even: str
    footer: str  # may contain {page} and {pages}
    page_number_alone: bool  # a bare page number on its own line at the foot
    body_bottom: float = 252.0  # where the columns end (mm from the top)


@dataclass(frozen=True)
class Report:
    file: str
    title: str
    authors: str
    affiliation: str
    dates: str
    correspondence: str
    abstract: str
    keywords: str
    sections: tuple[tuple[str, str], ...]  # (heading, paragraphs separated by "\n")
    references: tuple[str, ...]
    copyright: str
    layout: Layout


PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 16.0
GUTTER = 9.0
COL_W = (PAGE_W - 2 * MARGIN - GUTTER) / 2
BODY_TOP = 26.0
LINE_H = 5.2


def _pieces(word: str) -> list[str]:
    """Break points of a word: after each real hyphen, and the typesetter's points."""
    if "-" in word.strip(".,;:()"):
        parts = word.split("-")
        return [p + "-" for p in parts[:-1]] + [parts[-1]]
    core = word.rstrip(".,;:)")
    tail = word[len(core) :]
    lead = core[: len(core) - len(core.lstrip("("))]
    key = core[len(lead) :]
    if key.lower() in HYPHENATION:
        parts = HYPHENATION[key.lower()]
        out, pos = [], 0
        for p in parts:
            out.append(key[pos : pos + len(p)])
            pos += len(p)
        return [lead + out[0] + "-"] + [p + "-" for p in out[1:-1]] + [out[-1] + tail]
    return [word]


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy line breaking with hyphenation at known break points."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdf.get_string_width(candidate) <= width:
            line = candidate
            continue
        pieces = _pieces(word)
        placed = False
        for k in range(len(pieces) - 1, 0, -1):
            head = "".join(pieces[:k])
            head = head if head.endswith("-") else head + "-"
            if line and pdf.get_string_width(f"{line} {head}") <= width:
                lines.append(f"{line} {head}")
                line = "".join(pieces[k:])
                placed = True
                break
        if not placed:
            if line:
                lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


class Pages:
    """Places lines into two columns, page after page, drawing the furniture on each page."""

    def __init__(self, pdf: FPDF, report: Report) -> None:
        self.pdf, self.report = pdf, report
        self.col = 0
        self.y = BODY_TOP
        self.column_top = BODY_TOP  # where the right column starts on this page (below page one's title block)

    def new_page(self) -> None:
        self.pdf.add_page()
        self.col, self.y, self.column_top = 0, BODY_TOP, BODY_TOP

    def furniture(self) -> None:
        pdf, layout = self.pdf, self.report.layout
        pages = len(pdf.pages)
        for n in range(1, pages + 1):
            pdf.page = n
            pdf.set_font(TIMES, "I", 8)
            header = layout.header_odd if n % 2 else layout.header_even
            pdf.set_xy(MARGIN, 9)
            pdf.cell(PAGE_W - 2 * MARGIN, 4, header, align="L" if n % 2 else "R")
            pdf.set_font(TIMES, "", 8)
            pdf.set_xy(MARGIN, 281)
            pdf.cell(PAGE_W - 2 * MARGIN, 4, layout.footer.format(page=n, pages=pages), align="C")
            if layout.page_number_alone:
                pdf.set_xy(PAGE_W - MARGIN - 10, 287)
                pdf.cell(10, 4, str(n), align="R")

    def full_width(self, text: str, style: str, size: float, gap: float = 1.5) -> None:
        pdf = self.pdf
        pdf.set_font(TIMES, style, size)
        for line in wrap(pdf, text, PAGE_W - 2 * MARGIN):
            pdf.set_xy(MARGIN, self.y)
            pdf.cell(PAGE_W - 2 * MARGIN, size * 0.45, line)
            self.y += size * 0.45
        self.y += gap

    def column_line(self, text: str, style: str = "", size: float = 10.5) -> None:
        if self.y + LINE_H > self.report.layout.body_bottom:
            if self.col == 0:
                self.col, self.y = 1, self.column_top
            else:
                self.new_page()
        pdf = self.pdf
        pdf.set_font(TIMES, style, size)
        x = MARGIN + self.col * (COL_W + GUTTER)
        pdf.set_xy(x, self.y)
        pdf.cell(COL_W, LINE_H, text)
        self.y += LINE_H

    def paragraph(self, text: str, style: str = "", size: float = 10.5) -> None:
        self.pdf.set_font(TIMES, style, size)
        for line in wrap(self.pdf, text, COL_W):
            self.column_line(line, style, size)

    def gap(self) -> None:
        self.y += LINE_H * 0.6


def render(report: Report, out: Path) -> None:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    pdf.set_title(report.title)
    pdf.set_author("caseextract test fixture")
    pages = Pages(pdf, report)
    pages.new_page()
    pages.full_width("CASE REPORT", "B", 9, gap=2)
    pages.full_width(report.title, "B", 15, gap=3)
    pages.full_width(report.authors, "", 10)
    pages.full_width(report.affiliation, "I", 8.5)
    pages.full_width(report.dates, "", 8.5)
    pages.full_width(report.correspondence, "", 8.5, gap=3)
    pages.full_width("Abstract", "B", 10)
    pages.full_width(report.abstract, "", 9.5)
    pages.full_width(report.keywords, "I", 9, gap=4)
    pages.column_top = pages.y
    for heading, body in report.sections:
        pages.paragraph(heading, "B", 10)
        for para in body.split("\n"):
            pages.paragraph(para.strip())
            pages.gap()
    pages.paragraph("References", "B", 10)
    for ref in report.references:
        pages.paragraph(ref, "", 8)
    pages.gap()
    pages.paragraph(report.copyright, "I", 8)
    pages.furniture()
    pdf.output(str(out))


EMPHYSEMATOUS = Report(
    file="pdf_twocol_emphysematous.pdf",
    title="Emphysematous pyelonephritis managed without nephrectomy in a woman with undiagnosed diabetes",
    authors="Priya Ramdass, Owen T. Hallett, Mireille Baptiste",
    affiliation="Department of Internal Medicine, Northfield District Hospital, Northfield, New Zealand",
    dates="Received: 3 April 2023; Accepted: 19 June 2023; Published: 2 August 2023",
    correspondence="Correspondence to: Owen T. Hallett, o.hallett@northfield.example.nz",
    abstract=(
        "Emphysematous pyelonephritis is a necrotising infection of the kidney in which gas-forming organisms "
        "produce gas within the renal parenchyma. We report a 61-year-old woman with previously undiagnosed "
        "diabetes who presented in septic shock and was treated successfully with antibiotics and percutaneous "
        "drainage, avoiding an emergency nephrectomy."
    ),
    keywords="Keywords: emphysematous pyelonephritis; diabetes mellitus; percutaneous drainage",
    sections=(
        (
            "Introduction",
            "Emphysematous pyelonephritis is uncommon, and more than nine in ten patients have diabetes mellitus [1]. "
            "Escherichia coli and Klebsiella pneumoniae are the usual pathogens, and the mortality reported in older "
            "series exceeded forty per cent [2,3].",
        ),
        (
            "Case presentation",
            "A 61-year-old woman presented to the emergency department with five days of left flank pain, fever and "
            "vomiting. She had not seen a doctor for many years and took no regular medication. On arrival her "
            "temperature was 39.4 °C, the heart rate was 124 beats per minute and the blood pressure was 82/46 mmHg "
            "despite two litres of intravenous crystalloid.\n"
            "Laboratory tests showed a white cell count of 23.8 x 10^9/L, a platelet count of 96 x 10^9/L, a serum "
            "creatinine of 212 µmol/L and a blood glucose of 27.6 mmol/L with a glycated haemoglobin of 112 mmol/mol. "
            "Ketones were mildly raised, but the bicarbonate was 17 mmol/L, which was not consistent with diabetic "
            "ketoacidosis. Urine and blood cultures were taken before antibiotics were started.\n"
            "Non-contrast computed tomography of the abdomen showed gas replacing much of the parenchyma of the upper "
            "and middle thirds of the left kidney, with a subcapsular gas collection and stranding of the perinephric "
            "fat, but no gas beyond Gerota's fascia. This corresponded to class 2 of the Huang and Tseng classification.\n"
            "She was treated with intravenous meropenem, noradrenaline and an insulin infusion, and she was admitted "
            "to the intensive care unit. Because she remained febrile and haemodynamically unstable after twelve hours, "
            "a percutaneous nephrostomy and a subcapsular drain were placed under computed tomography guidance. Both "
            "blood and urine cultures grew Escherichia coli sensitive to ceftriaxone and gentamicin.\n"
            "Her condition improved over the following three days, noradrenaline was withdrawn, and the antibiotics "
            "were changed to intravenous ceftriaxone. A repeat scan on day ten showed resolution of most of the gas, "
            "and the drains were removed on day fourteen. She was discharged on basal-bolus insulin after completing "
            "four weeks of antibiotics, with a serum creatinine of 104 µmol/L.\n"
            "A dimercaptosuccinic acid scan at three months showed that the left kidney contributed 31% of total renal "
            "function. She has had no further urinary infection during a year of follow-up, and her glycated "
            "haemoglobin has fallen to 54 mmol/mol.",
        ),
        (
            "Discussion",
            "Early percutaneous drainage combined with antibiotics has replaced emergency nephrectomy as the first "
            "line of management for localised disease [4]. Thrombocytopenia, acute kidney injury, altered consciousness "
            "and shock are the features that predict a poor outcome, and patients with two or more of them may still "
            "need a nephrectomy if drainage fails.\n"
            "Our patient had two of these risk factors, yet she recovered with drainage, antibiotics and strict "
            "control of her blood glucose. Non-steroidal anti-inflammatory drugs should be avoided in such patients "
            "because of the acute kidney injury.",
        ),
        (
            "Conclusion",
            "Emphysematous pyelonephritis can be the first presentation of diabetes. Prompt computed tomography, "
            "broad-spectrum antibiotics and early percutaneous drainage can preserve useful renal function.",
        ),
    ),
    references=(
        "1. Huang JJ, Tseng CC. Emphysematous pyelonephritis: clinicoradiological classification, management, "
        "prognosis, and pathogenesis. Arch Intern Med. 2000;160(6):797-805.",
        "2. Ubee SS, McGlynn L, Fordham M. Emphysematous pyelonephritis. BJU Int. 2011;107(9):1474-1478.",
        "3. Somani BK, Nabi G, Thorpe P, et al. Is percutaneous drainage the new gold standard in the management "
        "of emphysematous pyelonephritis? J Urol. 2008;179(5):1844-1849.",
        "4. Aboumarzouk OM, Hughes O, Narahari K, et al. Emphysematous pyelonephritis: time for a management "
        "plan with an evidence-based approach. Arab J Urol. 2014;12(2):106-115.",
    ),
    copyright="© 2023 The Authors. Published by Northfield Medical Press under a CC BY 4.0 licence.",
    layout=Layout(
        header_odd="Journal of Rural Clinical Cases · Volume 7 · 2023",
        header_even="Journal of Rural Clinical Cases · Volume 7 · 2023",
        footer="J Rural Clin Cases 2023;7:e1042 · https://doi.org/10.5555/jrcc.2023.1042 · Page {page} of {pages}",
        page_number_alone=False,
    ),
)

ITP = Report(
    file="pdf_twocol_itp.pdf",
    title="Severe immune thrombocytopenia after a first dose of a recombinant zoster vaccine",
    authors="Kwame Asante-Boateng, Lena Vogt, Sébastien Marchand",
    affiliation="Haematology Unit, Lakeshore University Medical Centre, Geneva, Switzerland",
    dates="Received 11 January 2024 | Revised 2 March 2024 | Accepted 9 March 2024",
    correspondence="Corresponding author: Lena Vogt, lena.vogt@lakeshore.example.ch",
    abstract=(
        "Immune thrombocytopenia is an acquired autoimmune disorder in which antibodies against platelet "
        "glycoproteins cause platelet destruction and impaired production. We describe a 68-year-old man who "
        "developed mucocutaneous bleeding and a platelet count of 3 x 10^9/L nine days after a first dose of a "
        "recombinant zoster vaccine, and who responded to corticosteroids and intravenous immunoglobulin."
    ),
    keywords="Key words: immune thrombocytopenia, vaccination, eltrombopag",
    sections=(
        (
            "Background",
            "Vaccine-associated immune thrombocytopenia is best known after measles, mumps and rubella vaccination "
            "in children [1]. Reports in adults are fewer, and a causal link is difficult to establish in an individual "
            "patient (2, 3).",
        ),
        (
            "Case presentation",
            "A 68-year-old retired teacher presented with widespread petechiae on his legs, blood blisters in the "
            "mouth and two days of epistaxis. Nine days earlier he had received the first dose of a recombinant "
            "zoster vaccine. He had hypertension treated with amlodipine, had taken no new drugs, and a platelet "
            "count one year before had been 231 x 10^9/L.\n"
            "His platelet count was 3 x 10^9/L with a normal haemoglobin and white cell count. The blood film showed "
            "a few large platelets and no schistocytes or abnormal white cells, and the coagulation screen was normal. "
            "Tests for hepatitis C, human immunodeficiency virus and Helicobacter pylori were negative, and there "
            "was no hepatosplenomegaly or lymphadenopathy on examination.\n"
            "Because of the mucosal bleeding he was given intravenous immunoglobulin 1 g/kg on two consecutive days "
            "together with oral prednisolone 1 mg/kg daily. Tranexamic acid was given for the epistaxis, and no "
            "platelet transfusions were needed. The platelet count rose to 48 x 10^9/L on day four and to 162 x 10^9/L "
            "on day eight, and he was discharged with a tapering course of prednisolone.\n"
            "When prednisolone was reduced below 10 mg daily after six weeks, the count fell to 21 x 10^9/L. "
            "Eltrombopag 50 mg daily was started, the count stabilised above 80 x 10^9/L, and prednisolone was stopped. "
            "Eltrombopag was withdrawn after seven months without relapse. The second vaccine dose was not given.",
        ),
        (
            "Discussion",
            "The short interval between vaccination and the onset of bleeding, together with the absence of other "
            "causes, supports an association in this patient. Most vaccine-associated cases in adults respond to "
            "first-line treatment, but some, as here, become steroid-dependent and need a thrombopoietin receptor "
            "agonist.\n"
            "The differential diagnosis of an isolated severe thrombocytopenia in an older adult includes "
            "drug-induced thrombocytopenia, myelodysplasia, and thrombotic thrombocytopenic purpura. A normal blood "
            "film without schistocytes, a normal haemoglobin and the brisk response to immunoglobulin made these "
            "unlikely, and a bone marrow examination was therefore not performed. Pseudothrombocytopenia caused by "
            "platelet clumping in anticoagulated samples was excluded by a count in a citrated tube.\n"
            "Whether the second dose of the vaccine can be given safely after such a reaction is not known. Some "
            "authorities advise against it, whereas others suggest vaccination once the platelet count has been "
            "stable without treatment for several months, with a count checked one and two weeks after the dose. "
            "Our patient chose not to receive the second dose after discussing the uncertain benefit with his "
            "general practitioner.\n"
            "Clinicians should measure the platelet count in any patient who develops petechiae or mucosal bleeding "
            "in the weeks after a vaccination.",
        ),
        (
            "Learning points",
            "Severe immune thrombocytopenia can follow vaccination in older adults as well as in children.\n"
            "Mucosal bleeding with a platelet count below 20 x 10^9/L calls for immunoglobulin as well as "
            "corticosteroids.\n"
            "A thrombopoietin receptor agonist is an effective option when the disease becomes steroid-dependent.",
        ),
    ),
    references=(
        "1. France EK, Glanz J, Xu S, et al. Risk of immune thrombocytopenic purpura after measles-mumps-rubella "
        "immunization in children. Pediatrics. 2008;121(3):e687-e692.",
        "2. Perricone C, Ceccarelli F, Nesher G, et al. Immune thrombocytopenic purpura (ITP) associated with "
        "vaccinations: a review of reported cases. Immunol Res. 2014;60(2-3):226-235.",
        "3. Neunert C, Terrell DR, Arnold DM, et al. American Society of Hematology 2019 guidelines for immune "
        "thrombocytopenia. Blood Adv. 2019;3(23):3829-3866.",
    ),
    copyright="Copyright © 2024 Lakeshore Academic Publishing. All rights reserved.",
    layout=Layout(
        header_odd="Case Reports in Haematology and Transfusion",
        header_even="Asante-Boateng et al.",
        footer="Case Rep Haematol Transfus. 2024;12:88-91 | doi:10.5555/crht.2024.0088",
        page_number_alone=True,
        body_bottom=215.0,
    ),
)

REPORTS = (EMPHYSEMATOUS, ITP)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/cleaning"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for report in REPORTS:
        render(report, args.out / report.file)
        print(args.out / report.file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
