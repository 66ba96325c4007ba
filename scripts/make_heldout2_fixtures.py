"""Render the three PDF fixtures of the second held-out cleaning set (tests/fixtures/cleaning_heldout2).

    python scripts/make_heldout2_fixtures.py [--show]

Deterministic: a fixed creation date and producer, and a small line breaker of our own
(greedy, hyphenating long words at syllable-like points and compounds after their hyphen),
so running it again gives byte-identical files. `--show` prints every laid-out line per page
and column, which is what the expect files' "kept" and "gone" strings were checked against.

All cases, authors, journals, hospitals, DOIs and references are invented (DOIs use the
10.5555 test prefix); MIT like the rest of the project.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cleaning_heldout2"
FIXED_DATE = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
VOWELS = set("aeiouy")
WORD = re.compile(r"([(\[]?)([A-Za-z]+)([.,;:)\]]*)")


# ----------------------------------------------------------------------------- line breaking


def _syllable_break(core: str, i: int) -> bool:
    """A plausible hyphenation point between core[i-1] and core[i] (no dictionary, just V-CV / VC-CV)."""
    low = core.lower()
    a, b, c = low[i - 1], low[i], low[i + 1]
    if b == "h" or (a, b) in {("c", "k"), ("q", "u")}:
        return False
    if a in VOWELS and b not in VOWELS and c in VOWELS:
        return True
    return a not in VOWELS and b not in VOWELS and low[i - 2] in VOWELS and c in VOWELS


def split_token(width, token: str, avail: float) -> tuple[str, str] | None:
    """Split `token` so that the head (with a hyphen) fits `avail`; None when no good point fits."""
    if "-" in token[1:-1]:  # compound: break after one of its own hyphens, keep the hyphen
        for i in range(len(token) - 2, 0, -1):
            if token[i] == "-" and token[i - 1].isalpha() and width(token[: i + 1]) <= avail:
                return token[: i + 1], token[i + 1 :]
        return None
    m = WORD.fullmatch(token)
    if not m:
        return None
    pre, core, post = m.groups()
    if len(core) < 8 or core[1:] != core[1:].lower():
        return None
    for i in range(len(core) - 3, 3, -1):
        if _syllable_break(core, i) and width(pre + core[:i] + "-") <= avail:
            return pre + core[:i] + "-", core[i:] + post
    return None


def wrap(width, text: str, line_width: float, hyphenate: bool = True, min_gap: float = 0.1) -> list[str]:
    """Greedy line breaking; hyphenates only when the gap left would exceed `min_gap` of the width."""
    lines: list[str] = []
    line = ""
    tokens = text.split()
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        cand = tok if not line else line + " " + tok
        if width(cand) <= line_width:
            line = cand
            k += 1
            continue
        if not line:  # a single token wider than the line: hard split
            lines.append(tok)
            k += 1
            continue
        avail = line_width - width(line + " ")
        parts = split_token(width, tok, avail) if hyphenate and avail > min_gap * line_width else None
        if parts:
            lines.append(line + " " + parts[0])
            tokens[k] = parts[1]
        else:
            lines.append(line)
        line = ""
    if line:
        lines.append(line)
    return lines


# ----------------------------------------------------------------------------- page model


@dataclass
class Glyphs:
    page: int
    x: float
    y: float
    style: str
    size: float
    text: str
    col: int = 0  # 0 full width, 1 left, 2 right


class Layout:
    """Collects positioned lines; `render` draws them with per-page chrome once the page count is known."""

    def __init__(self, family: str, body_size: float, lead: float, margin: float = 18.0):
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.add_page()
        self.family, self.body_size, self.lead, self.margin = family, body_size, lead, margin
        self.items: list[Glyphs] = []
        self.page_w, self.page_h = 210.0, 297.0

    def width_fn(self, style: str, size: float):
        def width(s: str) -> float:
            self.pdf.set_font(self.family, style, size)
            return self.pdf.get_string_width(s)

        return width

    def put(self, page, x, y, style, size, text, col=0):
        self.items.append(Glyphs(page, x, y, style, size, text, col))

    def block(self, page, y, text, style="", size=None, lead=None, align="L", x=None, w=None, hyphenate=False):
        """Full-width (or given-width) wrapped block; returns the y below it."""
        size = size or self.body_size
        lead = lead or self.lead
        x = self.margin if x is None else x
        w = (self.page_w - 2 * self.margin) if w is None else w
        width = self.width_fn(style, size)
        for line in wrap(width, text, w, hyphenate=hyphenate):
            lx = x + (w - width(line)) / 2 if align == "C" else x
            self.put(page, lx, y, style, size, line)
            y += lead
        return y

    def flow(self, blocks, first_page_top, top, bottom, columns=2, gap=8.0, para_gap=1.6):
        """Flow (kind, text) blocks through columns and pages; returns the last page number."""
        col_w = (self.page_w - 2 * self.margin - (columns - 1) * gap) / columns
        page, col, y = 1, 0, first_page_top
        col_top = first_page_top

        def advance():
            nonlocal page, col, y, col_top
            col += 1
            if col == columns:
                page, col = page + 1, 0
                col_top = top
            y = col_top

        for kind, text in blocks:
            style, size, indent = "", self.body_size, 0.0
            if kind == "h":
                style = "B"
                y += para_gap
            elif kind == "ref":
                size = self.body_size - 1
            width = self.width_fn(style, size)
            lines = wrap(width, text, col_w - indent, hyphenate=(kind == "p"))
            if kind == "h" and y + 2 * self.lead > bottom:
                advance()
            for line in lines:
                if y > bottom:
                    advance()
                x = self.margin + col * (col_w + gap)
                self.put(page, x, y, style, size, line, col + 1 if columns > 1 else 0)
                y += self.lead if kind != "ref" else self.lead - 0.4
            y += para_gap if kind != "h" else 0.2
        return page

    def render(self, path: Path, chrome, title: str, author: str):
        pages = max(g.page for g in self.items)
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_creation_date(FIXED_DATE)
        pdf.set_producer("make_heldout2_fixtures")
        pdf.set_creator("make_heldout2_fixtures")
        pdf.set_title(title)
        pdf.set_author(author)
        pdf.set_auto_page_break(False)
        for n in range(1, pages + 1):
            pdf.add_page()
            chrome(pdf, n, pages)
            for g in (g for g in self.items if g.page == n):
                pdf.set_font(self.family, g.style, g.size)
                pdf.text(g.x, g.y, g.text)
        pdf.output(str(path))
        return pages

    def dump(self, name: str):
        print(f"===== {name}")
        last = None
        for g in self.items:
            key = (g.page, g.col)
            if key != last:
                print(f"--- page {g.page} col {g.col}")
                last = key
            print("   ", g.text)


def right(pdf: FPDF, x_right: float, y: float, text: str):
    pdf.text(x_right - pdf.get_string_width(text), y, text)


# ----------------------------------------------------------------------------- fixture 1: two columns, Page n of N


TPP_BLOCKS = [
    ("h", "Introduction"),
    ("p", "Thyrotoxic periodic paralysis (TPP) is a channelopathy in which thyroid hormone excess increases the activity of the sodium-potassium pump and drives potassium into skeletal muscle cells [1]. It occurs most often in young men of East Asian descent, but cases are increasingly reported in other populations [2,3]. Attacks are typically provoked by heavy carbohydrate intake, strenuous exercise or alcohol, and the paralysis may be the first sign of an otherwise unrecognised thyroid disorder."),
    ("h", "Case presentation"),
    ("p", "A 27-year-old man of Filipino and Norwegian descent was brought to the emergency department at 06:00 because he was unable to stand or lift his arms. The evening before he had eaten a large rice dinner and played two hours of indoor football. He reported similar but milder episodes of leg weakness on two occasions during the previous three months, each resolving spontaneously within a few hours. He took no regular medication and denied the use of diuretics, laxatives or performance-enhancing supplements."),
    ("p", "On examination he was alert and fully oriented. His heart rate was 124 beats per minute and his blood pressure 148/72 mmHg. Power was graded 1/5 in the proximal and 2/5 in the distal muscles of all four limbs, with absent tendon reflexes and normal sensation. Cranial nerves and respiratory effort were intact. A fine tremor and a small, non-tender diffuse goitre were noted."),
    ("p", "Serum potassium was 1.9 mmol/L, with normal sodium, magnesium and creatinine. Venous blood gas showed no acid-base disturbance, and the urinary potassium-to-creatinine ratio was low, arguing against renal potassium loss. The electrocardiogram showed sinus tachycardia, prominent U waves and a prolonged QT interval. Thyroid-stimulating hormone was undetectable, free thyroxine was 48 pmol/L and thyrotropin receptor antibodies were strongly positive."),
    ("p", "He received 40 mmol of potassium chloride intravenously over four hours together with oral propranolol 40 mg. Muscle strength returned to normal within six hours, and the serum potassium rose to 4.6 mmol/L, a level that reflected redistribution rather than the modest amount given. Carbimazole was started, and he was advised to avoid large carbohydrate-rich meals and intense exercise until euthyroid. He remained attack-free during 14 months of follow-up and later underwent radioactive iodine therapy."),
    ("h", "Discussion"),
    ("p", "The combination of acute flaccid weakness, profound hypokalaemia and a low urinary potassium excretion should prompt testing of thyroid function, even in patients without obvious thyrotoxic features [4]. Rebound hyperkalaemia is a recognised hazard of aggressive replacement because potassium shifts back out of the cells once the attack subsides [5]. Non-selective beta-blockers shorten attacks and may be used while antithyroid treatment takes effect. In our patient the earlier self-limiting episodes had been attributed to exertion, which delayed the diagnosis by several months."),
    ("p", "Hypomagnesaemia and hypophosphataemia may accompany an attack and should be corrected, although neither was present here. Variants of the inwardly rectifying potassium channel Kir2.6 have been found in some affected patients, which may explain why only a minority of people with thyrotoxicosis ever develop paralysis."),
    ("h", "Conclusion"),
    ("p", "Thyrotoxic periodic paralysis is reversible, but delayed recognition risks arrhythmia and iatrogenic hyperkalaemia. Clinicians should measure thyroid function in any patient presenting with hypokalaemic paralysis."),
    ("h", "References"),
    ("ref", "1. Halvorsen T, Lim CW. Sodium-potassium ATPase activity in thyrotoxic paralysis. Endocr Channel Res. 2019;8:112-9."),
    ("ref", "2. Quispe-Rojas M, Ferraz A. Periodic paralysis outside East Asia: a review of 41 cases. Clin Thyroid Rev. 2021;14:301-8."),
    ("ref", "3. Odhiambo P, Grant L. Hypokalaemic paralysis in young men of mixed ancestry. Emerg Med Casebook. 2020;5:77-81."),
    ("ref", "4. Varga E, Tanaka H. Urinary potassium indices in acute paralysis. Nephro Diagn J. 2018;22:45-50."),
    ("ref", "5. Brennan S, Iyer K. Rebound hyperkalaemia after replacement in periodic paralysis. Acute Med Notes. 2022;3:210-4."),
]


def make_tpp(show: bool) -> None:
    lay = Layout("Helvetica", 10, 4.7)
    m = lay.margin
    y = 24.0
    lay.put(1, m, y, "B", 8.5, "CASE REPORT")
    y += 9
    y = lay.block(1, y, "Thyrotoxic periodic paralysis as the first presentation of Graves disease in a 27-year-old man: a case report", "B", 14, 6.2)
    y += 2
    y = lay.block(1, y, "Kwame Adeyemi-Lund 1, Ingrid Sorensen 2, Min-jun Pak 1", "", 10, 5)
    y += 1
    for aff in (
        "1 Department of Internal Medicine, Vestby County Hospital, Norway",
        "2 Section of Endocrinology, Vestby County Hospital, Norway",
        "Correspondence: k.adeyemi-lund@vestby-hf.example.no",
        "Received 4 January 2024; accepted 28 February 2024",
    ):
        lay.put(1, m, y, "", 7.5, aff)
        y += 3.6
    y += 3
    lay.put(1, m, y, "B", 9.5, "Abstract")
    y += 4.6
    y = lay.block(
        1,
        y,
        "Thyrotoxic periodic paralysis is an uncommon complication of hyperthyroidism characterised by sudden muscle weakness and hypokalaemia. We describe a young man who woke with flaccid weakness of all four limbs after an evening meal rich in carbohydrates. Serum potassium was 1.9 mmol/L and thyroid tests confirmed Graves disease. Cautious potassium replacement restored strength within hours, and definitive treatment of the thyrotoxicosis prevented further attacks.",
        "I",
        9,
        4.2,
    )
    y += 1
    lay.put(1, m, y, "", 8, "Keywords: hypokalaemia; Graves disease; periodic paralysis")
    y += 8
    lay.flow(TPP_BLOCKS, first_page_top=y, top=30.0, bottom=270.0)

    def chrome(pdf: FPDF, n: int, total: int):
        pdf.set_font("Helvetica", "", 7.5)
        if n % 2:  # odd pages: journal left, volume right
            pdf.text(m, 14, "Case Reports in Endocrine Medicine")
            right(pdf, 210 - m, 14, "2024, Vol. 11, e0217")
        else:  # even pages: authors left, short title right
            pdf.text(m, 14, "Adeyemi-Lund, Sorensen and Pak")
            right(pdf, 210 - m, 14, "Periodic paralysis after a rice meal")
        pdf.line(m, 16, 210 - m, 16)
        pdf.line(m, 278, 210 - m, 278)
        if n == 1:
            pdf.text(m, 283, "(c) 2024 The Authors. Open access under CC BY 4.0.")
            pdf.text(m, 287, "https://doi.org/10.5555/crem.2024.e0217")
        right(pdf, 210 - m, 283, f"Page {n} of {total}")

    pages = lay.render(OUT / "pdf_twocol_thyrotoxic_paralysis.pdf", chrome, "Thyrotoxic periodic paralysis", "Adeyemi-Lund K")
    if show:
        lay.dump(f"pdf_twocol_thyrotoxic_paralysis ({pages} pages)")


# ----------------------------------------------------------------------------- fixture 2: two columns, bare page numbers


PFO_BLOCKS = [
    ("h", "INTRODUCTION"),
    ("p", "Paradoxical embolism occurs when a venous thrombus crosses into the systemic circulation through a right-to-left shunt, most often a patent foramen ovale [1]. The diagnosis requires evidence of venous thrombosis, an intracardiac or pulmonary shunt and arterial embolism without a left-sided source [2]. Involvement of more than one arterial territory at the same time is rarely documented."),
    ("h", "CASE REPORT"),
    ("p", "A 46-year-old woman presented four hours after the sudden onset of right-sided weakness and difficulty finding words. Ten days earlier she had returned from a 14-hour flight, and since then she had noticed swelling of the left calf and mild left flank pain, which she attributed to sitting in a cramped seat. She was taking a combined oral contraceptive and had no history of cardiac disease. Her National Institutes of Health Stroke Scale score was 7. Non-contrast computed tomography of the head showed no haemorrhage, and angiography demonstrated an occlusion of the superior division of the left middle cerebral artery. She received intravenous alteplase and underwent mechanical thrombectomy with complete reperfusion."),
    ("p", "Because of the flank pain, computed tomography was extended to the abdomen and showed a well-demarcated wedge-shaped perfusion defect in the upper pole of the left kidney. Serum lactate dehydrogenase was 612 U/L and urinalysis revealed microscopic haematuria. Compression ultrasound confirmed thrombosis of the left popliteal and posterior tibial veins. Transoesophageal echocardiography with agitated saline showed a large patent foramen ovale with an atrial septal aneurysm and early passage of more than 30 microbubbles into the left atrium at rest. Prolonged cardiac monitoring recorded no atrial fibrillation, and thrombophilia screening detected heterozygosity for the factor V Leiden mutation."),
    ("p", "She was anticoagulated with low-molecular-weight heparin followed by apixaban, and the oral contraceptive was discontinued. Her speech recovered completely over two weeks and the residual weakness of the right hand resolved with rehabilitation. Renal function remained normal. Three months later the foramen ovale was closed percutaneously with a 25 mm occluder, and anticoagulation was continued for a further three months."),
    ("h", "DISCUSSION"),
    ("p", "Our patient met all the diagnostic criteria for paradoxical embolism, and the simultaneous cerebral and renal infarcts strengthened the case for a single venous source [3]. Renal infarction is probably underdiagnosed because flank pain and haematuria are nonspecific and imaging of the abdomen is seldom requested in acute stroke [4]. Elevated lactate dehydrogenase with a normal or mildly raised creatinine is a useful clue. Long-haul travel, oestrogen exposure and an inherited thrombophilia each added to the risk of venous thrombosis in this case. Closure of the foramen ovale is supported by randomised trials in selected patients under 60 years with an otherwise cryptogenic stroke [5]."),
    ("p", "In a patient with stroke and unexplained flank pain, renal infarction and paradoxical embolism should be sought together. Identifying the venous source changes both the acute and the long-term management."),
    ("h", "REFERENCES"),
    ("ref", "1. Morrow JD, Achterberg L. Right-to-left shunts and systemic embolism. Cardiol Pathways. 2017;12:233-41."),
    ("ref", "2. Sandoval-Ruiz P, Keane B. Criteria for presumed paradoxical embolism revisited. Heart Vasc Insights. 2020;7:14-22."),
    ("ref", "3. Oyelaran F, Nystrom C. Multiterritory infarction from a single venous source. Stroke Case Ser. 2021;4:58-63."),
    ("ref", "4. Lindqvist A, Obi R. Acute renal infarction: an overlooked diagnosis. Kidney Emerg Rep. 2019;2:101-6."),
    ("ref", "5. Harcourt E, Wen Z. Closure of the foramen ovale after cryptogenic stroke. Interv Cardiol Digest. 2022;9:310-8."),
]


def make_pfo(show: bool) -> None:
    lay = Layout("Times", 11, 5.1)
    m = lay.margin
    y = 26.0
    lay.put(1, m, y, "", 9, "Clinical Vignettes in Cardiology  |  Case Report")
    y += 10
    y = lay.block(1, y, "Simultaneous ischaemic stroke and renal infarction from paradoxical embolism through a patent foramen ovale", "B", 15, 6.6)
    y += 2
    y = lay.block(1, y, "Lucia Ferreira-Haddad*, Tobias Engel and Priya Raghunathan", "I", 10.5, 5)
    y += 1
    for aff in (
        "Department of Cardiology, Kilbride University Hospital, Ireland",
        "*Corresponding author: l.ferreirahaddad@kilbride.example.ie",
        "Submitted: 11 July 2023 / Revised: 2 September 2023",
    ):
        lay.put(1, m, y, "", 8, aff)
        y += 3.8
    y += 3
    y = lay.block(
        1,
        y,
        "Summary: We report a woman with simultaneous occlusion of the left middle cerebral artery and infarction of the left kidney after a long-haul flight. Deep vein thrombosis, a large patent foramen ovale and heterozygous factor V Leiden were identified. She recovered fully after thrombectomy and anticoagulation, and the defect was later closed percutaneously.",
        "",
        9.5,
        4.4,
    )
    y += 8
    lay.flow(PFO_BLOCKS, first_page_top=y, top=28.0, bottom=272.0)

    def chrome(pdf: FPDF, n: int, total: int):
        pdf.set_font("Times", "I", 8.5)
        if n % 2:
            right(pdf, 210 - m, 15, "Clin Vignettes Cardiol 2023;19:88-93")
        else:
            pdf.text(m, 15, "Ferreira-Haddad et al.: Paradoxical embolism to brain and kidney")
        pdf.set_font("Times", "", 9)
        num = str(87 + n)
        if n % 2:
            right(pdf, 210 - m, 284, num)
        else:
            pdf.text(m, 284, num)

    pages = lay.render(OUT / "pdf_twocol_paradoxical_embolism.pdf", chrome, "Paradoxical embolism", "Ferreira-Haddad L")
    if show:
        lay.dump(f"pdf_twocol_paradoxical_embolism ({pages} pages)")


# ----------------------------------------------------------------------------- fixture 3: conference abstract, one column


GBM_BLOCKS = [
    ("h", "Background"),
    ("p", "Anti-glomerular basement membrane (anti-GBM) disease classically combines rapidly progressive glomerulonephritis with alveolar haemorrhage. Isolated pulmonary involvement is uncommon and can delay the diagnosis, because attention is drawn away from the kidneys when the creatinine is normal."),
    ("h", "Case description"),
    ("p", "A 23-year-old man who smoked 15 cigarettes a day presented with two weeks of cough, exertional dyspnoea and three episodes of haemoptysis. He had no fever, rash or joint pain. Oxygen saturation was 89% on room air, and chest radiography showed bilateral perihilar airspace opacities. Haemoglobin fell from 128 to 94 g/L over 48 hours. Bronchoalveolar lavage returned progressively bloodier aliquots, and haemosiderin-laden macrophages made up 42% of the cells. Serum creatinine was 78 umol/L and urine microscopy showed no red cell casts, but dipstick testing detected trace blood. Circulating anti-GBM antibodies were strongly positive at 186 U/mL, while antineutrophil cytoplasmic antibodies were negative. A kidney biopsy was performed despite the normal creatinine. It showed linear IgG deposition along the glomerular capillary walls with focal segmental necrosis in 2 of 21 glomeruli and no crescents."),
    ("h", "Outcome"),
    ("p", "He was treated with daily plasma exchange for 14 sessions, pulsed intravenous methylprednisolone followed by oral prednisolone, and oral cyclophosphamide for three months. Haemoptysis stopped on day 4 and the chest opacities cleared within three weeks. Anti-GBM antibodies became undetectable after nine weeks. He stopped smoking, and at one year his creatinine and urinalysis remained normal."),
    ("h", "Conclusion"),
    ("p", "Anti-GBM antibodies should be measured in young patients with alveolar haemorrhage even when renal function is preserved. Smoking may expose hidden epitopes in the alveolar basement membrane and predispose to lung-dominant disease. The early biopsy revealed active glomerular injury that was not apparent from the creatinine and justified full immunosuppression."),
    ("h", "Disclosure"),
    ("p", "The authors have no conflicts of interest to declare."),
]


def make_gbm(show: bool) -> None:
    lay = Layout("Helvetica", 11, 6.2, margin=22.0)
    m = lay.margin
    y = 44.0
    lay.put(1, m, y, "B", 10, "Poster session 2: Glomerular disease and vasculitis")
    y += 9
    lay.put(1, m, y, "B", 12, "P2-117")
    y += 7
    y = lay.block(1, y, "Anti-glomerular basement membrane disease presenting with pulmonary haemorrhage and normal renal function in a young smoker", "B", 13, 6.2)
    y += 2
    y = lay.block(1, y, "Eirik Solheim 1, Aino Korhonen 2, Dagny Vik 1", "I", 10.5, 5.2)
    for aff in (
        "1 Department of Nephrology, Sogn Regional Hospital, Forde, Norway",
        "2 Department of Pathology, Sogn Regional Hospital, Forde, Norway",
    ):
        lay.put(1, m, y, "", 8.5, aff)
        y += 4.2
    y += 4
    lay.flow(GBM_BLOCKS, first_page_top=y, top=42.0, bottom=262.0, columns=1, para_gap=2.0)

    def chrome(pdf: FPDF, n: int, total: int):
        pdf.set_fill_color(22, 70, 110)
        pdf.rect(0, 0, 210, 26, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", "B", 13)
        pdf.text(m, 12, "NSN 2024 - 42nd Annual Meeting of the Nordic Society of Nephrology")
        pdf.set_font("Helvetica", "", 9)
        pdf.text(m, 19, "Bergen, 12-14 June 2024  |  Poster Abstracts")
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(22, 70, 110)
        pdf.line(m, 272, 210 - m, 272)
        pdf.set_font("Helvetica", "", 8)
        pdf.text(m, 278, "Nephrology Nordica 2024; 33 (Suppl 1)")
        pdf.text(m, 282, "Abstracts are published as submitted and have not been edited.")
        right(pdf, 210 - m, 278, f"S{147 + n}")

    pages = lay.render(OUT / "pdf_conference_abstract_antigbm.pdf", chrome, "P2-117 Anti-GBM disease", "Solheim E")
    if show:
        lay.dump(f"pdf_conference_abstract_antigbm ({pages} pages)")


def main(argv: list[str]) -> int:
    show = "--show" in argv
    OUT.mkdir(parents=True, exist_ok=True)
    make_tpp(show)
    make_pfo(show)
    make_gbm(show)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
