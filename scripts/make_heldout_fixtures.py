"""Render the two PDF fixtures of the held-out cleaning set (tests/fixtures/cleaning_heldout).

    python scripts/make_heldout_fixtures.py [--out tests/fixtures/cleaning_heldout]

Writes `pdf_twocol_kounis.pdf` and `pdf_twocol_cvst.pdf`: invented case reports laid out
as two-column journal PDFs with fpdf2 — title block, author/affiliation block, full-width
abstract, justified columns with hyphenated line ends, section headings, citation markers,
a reference list, running headers that differ on odd and even pages, page numbers on the
outer edge, and first-page / every-page footers. The layout engine here is deliberately
independent of `scripts/make_cleaning_fixtures.py` (the held-out set must not share its
construction with the tuning fixtures).

Deterministic: fixed creation date, producer and file id, no randomness, so running it
again gives byte-identical files. All names, journals, DOIs and addresses are invented
(DOIs use the 10.5555 test prefix). Side effects: writes the two PDFs, nothing else.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

# ---------------------------------------------------------------------------- hyphenation

# Break points for long words (only these words are ever hyphenated at a line end).
HYPHENATION = {
    w.replace("-", ""): w
    for w in """
    amox-i-cil-lin clav-u-lan-ate an-a-phy-lac-tic an-a-phy-lax-is ad-ren-a-line
    an-gi-og-ra-phy an-ti-his-ta-mine cor-o-nary elec-tro-car-dio-gram
    vaso-spasm hy-po-ten-sion hy-per-sen-si-tiv-i-ty in-tra-mus-cu-lar
    in-tra-ve-nous tro-po-nin ur-ti-car-i-a echo-car-dio-gra-phy
    phys-i-cal mon-i-tor-ing hy-dro-cor-ti-sone chlor-phen-a-mine
    con-cen-tra-tion ther-a-pist sub-se-quent-ly nor-mal-ised
    in-fe-ri-or re-gion-al car-di-ol-o-gy my-o-car-di-al de-gran-u-la-tion
    sur-round-ing pe-ri-o-don-tal tryp-tase al-ler-gol-o-gy re-cov-ered
    throm-bo-sis throm-bo-cy-to-sis men-or-rha-gi-a pap-il-lo-edema
    ven-og-ra-phy sag-it-tal trans-verse hae-mo-glo-bin fer-ri-tin
    an-ti-co-ag-u-la-tion en-ox-a-par-in sei-zure lev-e-ti-ra-ce-tam
    thrombo-phil-i-a re-ca-nal-i-sa-tion gy-nae-co-log-i-cal lev-o-nor-ges-trel
    hys-ter-os-co-py con-tra-cep-tion de-fi-cien-cy mi-cro-cyt-ic
    pro-throm-bot-ic hy-per-vis-cos-i-ty vi-su-al head-ache neu-ro-log-i-cal
    de-te-ri-o-rat-ed ad-min-is-tered car-box-y-mal-tose in-ter-mit-tent
    con-sid-ered ab-nor-mal-i-ties ex-am-i-na-tion ap-pro-pri-ate
    sec-ond-ary throm-bus sig-moid su-pe-ri-or un-der-ly-ing tran-sient
    """.split()
}


def break_points(word: str) -> list[tuple[str, str, bool]]:
    """Ways to split `word` at a line end: (head, tail, adds_hyphen), longest head first."""
    out: list[tuple[str, str, bool]] = []
    core = word.strip(".,;:()[]")
    lead = word[: word.index(core)] if core else ""
    pattern = HYPHENATION.get(core.lower())
    if pattern and core:
        pos = 0
        cuts = []
        for part in pattern.split("-")[:-1]:
            pos += len(part)
            cuts.append(pos)
        for cut in cuts:
            if cut >= 2 and len(core) - cut >= 3:
                out.append((lead + core[:cut] + "-", core[cut:] + word[len(lead) + len(core) :], True))
    # an existing hyphen (compound such as amoxicillin-clavulanate or 52-year-old)
    for i, ch in enumerate(word):
        if ch == "-" and 2 <= i < len(word) - 2 and word[i + 1].isalpha():
            out.append((word[: i + 1], word[i + 1 :], False))
    out.sort(key=lambda t: -len(t[0]))
    return out


# ---------------------------------------------------------------------------- document model


@dataclass
class Block:
    kind: str  # "heading", "para", "small", "ref", "figure", "table"
    text: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Article:
    filename: str
    page_format: tuple[float, float]
    journal: str
    journal_short: str
    volume_line: str
    doi: str
    article_type: str
    title: str
    running_title: str
    authors: list[tuple[str, str]]  # (name, affiliation marks)
    affiliations: list[str]
    correspondence: str
    dates: str
    abstract: list[tuple[str, str]]  # (label, text)
    keywords: str
    body: list[Block]
    first_page_footer: list[str]
    every_page_footer: str | None
    odd_header: str
    even_header: str
    page_number_format: str  # e.g. "{n}" or "Page {n}"; {n} is the journal page number
    first_page: int = 1


# ---------------------------------------------------------------------------- layout


class Layout:
    def __init__(self, art: Article) -> None:
        self.art = art
        w, h = art.page_format
        self.pdf = FPDF(orientation="P", unit="mm", format=(w, h))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)
        self.pdf.set_creation_date(dt.datetime(2024, 5, 6, 9, 30, tzinfo=dt.UTC))
        self.pdf.set_producer("Typeset with a journal production system")
        self.pdf.set_title(art.title)
        self.pdf.set_author(", ".join(name for name, _ in art.authors))
        self.w, self.h = w, h
        self.margin_x = 16.0
        self.top = 22.0
        self.bottom = h - 24.0
        self.gutter = 7.0
        self.col_w = (w - 2 * self.margin_x - self.gutter) / 2
        self.page_no = 0
        self.col = 0
        self.y = self.top
        self.col_top = self.top

    # -- page furniture
    def new_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.page_no += 1
        n = self.page_no
        art = self.art
        pdf.set_text_color(60, 60, 60)
        if n > 1:
            pdf.set_font("Helvetica", "", 7.5)
            header = art.odd_header if n % 2 else art.even_header
            tw = pdf.get_string_width(header)
            x = self.w - self.margin_x - tw if n % 2 else self.margin_x
            pdf.text(x, 12.0, header)
            pdf.set_draw_color(150, 150, 150)
            pdf.set_line_width(0.2)
            pdf.line(self.margin_x, 14.0, self.w - self.margin_x, 14.0)
        # page number on the outer edge
        pdf.set_font("Helvetica", "", 8)
        label = art.page_number_format.format(n=n + art.first_page - 1)
        tw = pdf.get_string_width(label)
        x = self.w - self.margin_x - tw if n % 2 else self.margin_x
        pdf.text(x, self.h - 9.0, label)
        if art.every_page_footer:
            pdf.set_font("Helvetica", "", 6.5)
            tw = pdf.get_string_width(art.every_page_footer)
            pdf.text((self.w - tw) / 2, self.h - 13.5, art.every_page_footer)
        if n == 1:
            pdf.set_font("Helvetica", "", 6.5)
            y = self.h - 22.0 + 1.0
            for line in art.first_page_footer:
                pdf.text(self.margin_x, y, line)
                y += 3.0
        pdf.set_text_color(0, 0, 0)
        self.col = 0
        self.y = self.top
        self.col_top = self.top

    def col_x(self) -> float:
        return self.margin_x + self.col * (self.col_w + self.gutter)

    def next_column(self) -> None:
        if self.col == 0:
            self.col = 1
            self.y = self.col_top
        else:
            self.new_page()

    def ensure(self, needed: float) -> None:
        if self.y + needed > self.bottom:
            self.next_column()

    # -- full-width text (title block, abstract)
    def full_width_lines(self, text: str, font: tuple[str, str, float], lead: float, justify: bool) -> None:
        pdf = self.pdf
        pdf.set_font(*font)
        width = self.w - 2 * self.margin_x
        for line, last in self.break_lines(text, width):
            self.y += lead
            self.draw_line(line, self.margin_x, self.y, width, justify and not last)

    # -- line breaking
    def break_lines(self, text: str, width: float) -> list[tuple[list[str], bool]]:
        pdf = self.pdf
        space = pdf.get_string_width(" ")
        words = text.split()
        lines: list[tuple[list[str], bool]] = []
        cur: list[str] = []
        cur_w = 0.0
        i = 0
        while i < len(words):
            word = words[i]
            ww = pdf.get_string_width(word)
            need = ww if not cur else cur_w + space + ww
            if need <= width:
                cur.append(word)
                cur_w = need
                i += 1
                continue
            # try to hyphenate the word that does not fit
            placed = False
            for head, tail, _ in break_points(word):
                hw = pdf.get_string_width(head)
                if (hw if not cur else cur_w + space + hw) <= width and (not cur or (cur_w + space + hw) > 0.72 * width):
                    cur.append(head)
                    lines.append((cur, False))
                    cur, cur_w = [], 0.0
                    words[i] = tail
                    placed = True
                    break
            if placed:
                continue
            if not cur:  # a single over-long word: set it anyway
                cur = [word]
                i += 1
            lines.append((cur, False))
            cur, cur_w = [], 0.0
        if cur:
            lines.append((cur, True))
        return lines

    def draw_line(self, words: list[str], x: float, y: float, width: float, justify: bool) -> None:
        pdf = self.pdf
        widths = [pdf.get_string_width(w) for w in words]
        space = pdf.get_string_width(" ")
        gap = space
        if justify and len(words) > 1:
            gap = (width - sum(widths)) / (len(words) - 1)
            gap = min(gap, 3.2 * space)
        for word, ww in zip(words, widths, strict=False):
            pdf.text(x, y, word)
            x += ww + gap

    # -- column flow
    def flow_para(self, text: str, size: float = 9.6, lead: float = 4.2, indent: bool = True, style: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("Times", style, size)
        lines = self.break_lines(text, self.col_w)
        for _n, (line, last) in enumerate(lines):
            if self.y + lead > self.bottom:
                self.next_column()
                pdf.set_font("Times", style, size)
            self.y += lead
            self.draw_line(line, self.col_x(), self.y, self.col_w, not last)
        self.y += 1.2 if indent else 0.6

    def flow_heading(self, text: str) -> None:
        self.ensure(14.0)
        if self.y > self.col_top + 1:
            self.y += 2.0
        self.pdf.set_font("Helvetica", "B", 9.0)
        self.y += 4.2
        self.pdf.text(self.col_x(), self.y, text)
        self.y += 0.8

    def flow_figure(self, caption: str, height: float, trace: str) -> None:
        """A figure placeholder: a framed grey panel with a drawn trace, caption below."""
        pdf = self.pdf
        pdf.set_font("Helvetica", "", 7.6)
        cap_lines = self.break_lines(caption, self.col_w)
        self.ensure(height + 3.4 * len(cap_lines) + 6)
        self.y += 2.0
        x0 = self.col_x()
        pdf.set_fill_color(232, 232, 232)
        pdf.set_draw_color(90, 90, 90)
        pdf.set_line_width(0.2)
        pdf.rect(x0, self.y, self.col_w, height, style="DF")
        pdf.set_line_width(0.35)
        mid = self.y + height / 2
        pts = []
        steps = 60
        for k in range(steps + 1):
            x = x0 + 3 + (self.col_w - 6) * k / steps
            if trace == "ecg":
                phase = k % 12
                dy = {3: -1.0, 4: 6.0, 5: -9.0, 6: 2.5, 8: -1.5}.get(phase, 0.0) - (1.2 if 6 <= phase <= 9 else 0.0)
            else:
                dy = ((k * 37) % 11 - 5) * 0.9 * (1 if k % 2 else -1)
            pts.append((x, mid + dy))
        for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
            pdf.line(xa, ya, xb, yb)
        self.y += height + 1.0
        pdf.set_font("Helvetica", "", 7.6)
        for line, last in cap_lines:
            self.y += 3.4
            self.draw_line(line, x0, self.y, self.col_w, not last)
        self.y += 2.5

    def flow_table(self, caption: str, rows: list[tuple[str, str, str]]) -> None:
        pdf = self.pdf
        need = 6 + 3.8 * (len(rows) + 1) + 10
        self.ensure(need)
        self.y += 2.0
        pdf.set_font("Helvetica", "B", 7.8)
        for line, _ in self.break_lines(caption, self.col_w):
            self.y += 3.6
            self.draw_line(line, self.col_x(), self.y, self.col_w, False)
        self.y += 1.2
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.3)
        pdf.line(self.col_x(), self.y, self.col_x() + self.col_w, self.y)
        x0 = self.col_x()
        cols = (x0 + 1, x0 + 0.45 * self.col_w, x0 + 0.76 * self.col_w)
        for r, row in enumerate(rows):
            pdf.set_font("Helvetica", "B" if r == 0 else "", 7.5)
            self.y += 3.8
            for cx, cell in zip(cols, row, strict=False):
                pdf.text(cx, self.y, cell)
            if r == 0:
                pdf.set_line_width(0.15)
                pdf.line(x0, self.y + 1.1, x0 + self.col_w, self.y + 1.1)
        self.y += 1.4
        pdf.set_line_width(0.3)
        pdf.line(x0, self.y, x0 + self.col_w, self.y)
        self.y += 3.0

    # -- the article
    def render(self) -> bytes:
        art, pdf = self.art, self.pdf
        self.new_page()
        # journal banner
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(20, 60, 120)
        pdf.text(self.margin_x, 13.0, art.journal)
        pdf.set_font("Helvetica", "", 7.5)
        vw = pdf.get_string_width(art.volume_line)
        pdf.text(self.w - self.margin_x - vw, 13.0, art.volume_line)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(20, 60, 120)
        pdf.set_line_width(0.6)
        pdf.line(self.margin_x, 15.5, self.w - self.margin_x, 15.5)
        self.y = 21.0
        pdf.set_font("Helvetica", "B", 8)
        pdf.set_text_color(150, 30, 30)
        pdf.text(self.margin_x, self.y, art.article_type)
        pdf.set_text_color(0, 0, 0)
        self.y += 2.0
        self.full_width_lines(art.title, ("Helvetica", "B", 14.5), 6.6, False)
        self.y += 2.5
        # authors with superscript affiliation marks
        x = self.margin_x
        self.y += 4.5
        for k, (name, marks) in enumerate(art.authors):
            pdf.set_font("Helvetica", "", 9.5)
            sep = ", " if k < len(art.authors) - 1 else ""
            pdf.text(x, self.y, name)
            x += pdf.get_string_width(name) + 0.3
            pdf.set_font("Helvetica", "", 6)
            pdf.text(x, self.y - 1.6, marks)
            x += pdf.get_string_width(marks)
            pdf.set_font("Helvetica", "", 9.5)
            if sep:
                pdf.text(x, self.y, ",")
                x += pdf.get_string_width(sep)
        self.y += 1.5
        for aff in art.affiliations:
            self.full_width_lines(aff, ("Helvetica", "", 7.2), 3.3, False)
        self.full_width_lines(art.correspondence, ("Helvetica", "I", 7.2), 3.3, False)
        self.full_width_lines(art.dates, ("Helvetica", "", 7.2), 3.6, False)
        # abstract box
        self.y += 2.5
        box_top = self.y
        self.y += 1.0
        for label, text in art.abstract:
            pdf.set_font("Helvetica", "B", 8.4)
            self.full_width_lines(label, ("Helvetica", "B", 8.4), 3.9, False)
            self.full_width_lines(text, ("Times", "", 9.0), 3.9, True)
            self.y += 0.8
        self.full_width_lines(art.keywords, ("Helvetica", "", 7.6), 3.6, False)
        self.y += 2.0
        pdf.set_draw_color(120, 120, 120)
        pdf.set_line_width(0.2)
        pdf.line(self.margin_x, box_top, self.w - self.margin_x, box_top)
        pdf.line(self.margin_x, self.y, self.w - self.margin_x, self.y)
        self.y += 2.0
        self.col_top = self.y
        # body in two columns
        for block in art.body:
            if block.kind == "heading":
                self.flow_heading(block.text)
            elif block.kind == "para":
                self.flow_para(block.text)
            elif block.kind == "ref":
                self.flow_para(block.text, size=7.6, lead=3.25, indent=False)
            elif block.kind == "small":
                self.flow_para(block.text, size=8.0, lead=3.5, indent=True)
            elif block.kind == "figure":
                self.flow_figure(block.text, 38.0, block.rows[0][0] if block.rows else "")
            elif block.kind == "table":
                self.flow_table(block.text, block.rows)
        return bytes(pdf.output())


# ---------------------------------------------------------------------------- the articles


def P(text: str) -> Block:
    return Block("para", " ".join(text.split()))


def H(text: str) -> Block:
    return Block("heading", text)


def R(text: str) -> Block:
    return Block("ref", " ".join(text.split()))


def S(text: str) -> Block:
    return Block("small", " ".join(text.split()))


KOUNIS = Article(
    filename="pdf_twocol_kounis.pdf",
    page_format=(160.0, 228.0),
    journal="Annals of Acute Case Medicine",
    journal_short="Ann Acute Case Med",
    volume_line="Ann Acute Case Med 2024; 6(2): 101-103",
    doi="10.5555/aacm.2024.0612",
    article_type="CASE REPORT",
    title="Allergic coronary vasospasm (Kounis syndrome) after a first dose of oral amoxicillin-clavulanate in a 52-year-old man",
    running_title="Kounis syndrome after amoxicillin-clavulanate",
    authors=[("Chidi Okonjo-Hale", "a"), ("Freya Lindqvist", "b"), ("Mateus Araujo Pinto", "a,c")],
    affiliations=[
        "a Department of Emergency Medicine, Saint Aldric General Hospital, Portmere, United Kingdom",
        "b Department of Cardiology, Saint Aldric General Hospital, Portmere, United Kingdom",
        "c Regional Allergy Service, Portmere Infirmary, Portmere, United Kingdom",
    ],
    correspondence="Correspondence to: Dr C. Okonjo-Hale, c.okonjo-hale@staldric.example.org",
    dates="Received 18 October 2023 / Revised 2 January 2024 / Accepted 9 January 2024 / Available online 1 March 2024",
    abstract=[
        (
            "Abstract",
            "Kounis syndrome is an acute coronary syndrome triggered by mast cell activation during an allergic reaction. "
            "We describe a 52-year-old man who developed urticaria, hypotension and chest pain with inferior ST-segment "
            "elevation twenty minutes after his first tablet of amoxicillin-clavulanate. Coronary angiography showed no "
            "obstructive disease, and the electrocardiogram returned to normal after treatment of the allergic reaction, "
            "consistent with a type I variant.",
        )
    ],
    keywords="Keywords: Kounis syndrome; anaphylaxis; coronary vasospasm; beta-lactam allergy; acute coronary syndrome",
    body=[
        H("1. Introduction"),
        P(
            "Kounis syndrome describes the coincidence of an acute coronary syndrome with a hypersensitivity reaction, "
            "in which mediators released from degranulating mast cells cause coronary vasospasm or plaque rupture [1]. "
            "In the type I variant the coronary arteries are normal, and the event is attributed to vasospasm alone [2]. "
            "Antibiotics, especially beta-lactams, are among the most frequently reported triggers [3, 4]."
        ),
        H("2. Case presentation"),
        P(
            "A 52-year-old man was prescribed amoxicillin-clavulanate 625 mg three times daily by his dentist for a "
            "periodontal abscess. About twenty minutes after the first tablet he developed generalised itching and "
            "urticaria, followed by dizziness and a crushing central chest pain radiating to the jaw. He had treated "
            "hypertension and was an ex-smoker, but he had no known drug allergies and had never had chest pain before. "
            "The ambulance crew recorded a blood pressure of 78/44 mmHg and gave intramuscular adrenaline 0.5 mg before "
            "transfer."
        ),
        P(
            "On arrival in the emergency department he was flushed, with widespread urticaria and mild lip swelling but "
            "no stridor or wheeze. His heart rate was 104 beats per minute and his blood pressure 92/58 mmHg after one "
            "litre of crystalloid. The electrocardiogram showed ST-segment elevation of 2 mm in leads II, III and aVF with "
            "reciprocal depression in leads I and aVL. He received a second dose of intramuscular adrenaline, intravenous "
            "chlorphenamine and hydrocortisone, and the chest pain eased over the following thirty minutes. A bedside "
            "ultrasound showed no pericardial effusion and normal right ventricular size. Serial electrocardiograms "
            "were recorded every fifteen minutes while he was prepared for the catheter laboratory."
        ),
        Block(
            "figure",
            "Figure 1. Twelve-lead electrocardiogram on arrival: ST-segment elevation in the inferior leads with "
            "reciprocal changes in I and aVL.",
            [("ecg", "", "")],
        ),
        P(
            "He was taken for emergency coronary angiography, which showed smooth coronary arteries without stenosis or "
            "thrombus, and a normal left ventricular angiogram [5]. By then the ST elevation had resolved. High-sensitivity "
            "troponin T rose from 18 ng/L on arrival to a peak of 412 ng/L at six hours. Serum tryptase was 24.6 µg/L one "
            "hour after the onset and 5.1 µg/L the next day, which supported mast cell activation. Transthoracic "
            "echocardiography on the following morning showed mild hypokinesia of the inferior wall, with an ejection "
            "fraction of 55%."
        ),
        Block(
            "table",
            "Table 1. Time course of cardiac and mast cell markers",
            [
                ("Marker", "Arrival", "6 h / day 2"),
                ("hs-troponin T (ng/L)", "18", "412 / 236"),
                ("Tryptase (µg/L)", "24.6", "- / 5.1"),
                ("CK-MB (µg/L)", "3.1", "14.8 / 7.2"),
                ("Eosinophils (x10^9/L)", "0.6", "0.3 / 0.2"),
            ],
        ),
        P(
            "He was monitored on the coronary care unit for 48 hours without arrhythmia. The periodontal abscess was "
            "drained and clindamycin was given instead of the beta-lactam. He was discharged with an adrenaline "
            "auto-injector, a written allergy record and a referral to the regional allergy service. Cardiac magnetic "
            "resonance imaging at six weeks showed no late gadolinium enhancement, and skin testing confirmed an "
            "immediate hypersensitivity to amoxicillin."
        ),
        H("3. Discussion"),
        P(
            "Chest pain during an allergic reaction is often attributed to hypotension or to adrenaline, and the "
            "electrocardiogram may not be recorded until the reaction has been treated [6]. In our patient the "
            "sequence of urticaria, hypotension and inferior ST elevation within minutes of the first dose, normal "
            "coronary arteries and a raised tryptase made the diagnosis clear. Adrenaline remains the treatment of "
            "choice for anaphylaxis even when coronary vasospasm is suspected, although the dose should be titrated "
            "and intravenous boluses avoided where possible [7]."
        ),
        H("4. Conclusion"),
        P(
            "An electrocardiogram should be recorded in every adult with anaphylaxis and chest pain, because allergic "
            "coronary vasospasm needs cardiology review even when the coronary arteries turn out to be normal."
        ),
        H("Declarations"),
        S(
            "Consent: written informed consent was obtained from the patient. Conflicts of interest: none. Funding: "
            "this report received no external funding."
        ),
        H("References"),
        R("[1] Papadakis E, Horne JR. Allergic angina and allergic myocardial infarction: a review of mechanisms. Int J Cardiol Pract. 2017;29:145-53."),
        R("[2] Benedetti S, Olawale T. Classification of Kounis syndrome variants in 312 published cases. Eur Heart Case Rev. 2020;7:61-70."),
        R("[3] Hargreaves P, Duarte M. Drug triggers of hypersensitivity coronary syndromes. Clin Drug Saf. 2019;41:220-8."),
        R("[4] Yilmaz K, Okafor N, Brand L. Beta-lactam antibiotics and acute coronary events: a pharmacovigilance study. Pharmacoepidemiol Notes. 2021;12:33-41."),
        R("[5] Strand H, Maclean I. Angiographic findings in allergic coronary syndromes. Cardiovasc Imaging Case Ser. 2022;5:88-95."),
        R("[6] Ferrante A, Ng WK. Missed myocardial ischaemia during anaphylaxis in the emergency department. Emerg Med Insights. 2018;14:301-6."),
        R("[7] Oduya F, Petersen C. Adrenaline dosing in anaphylaxis with cardiac involvement. Resusc Allergy J. 2023;2:12-19."),
    ],
    first_page_footer=[
        "https://doi.org/10.5555/aacm.2024.0612",
        "2590-0000/(c) 2024 The Authors. Published by Portmere Academic. Open access under a CC BY licence.",
    ],
    every_page_footer=None,
    odd_header="Ann Acute Case Med 2024; 6(2): 101-103",
    even_header="C. Okonjo-Hale et al. / Kounis syndrome after amoxicillin-clavulanate",
    page_number_format="{n}",
    first_page=101,
)


CVST = Article(
    filename="pdf_twocol_cvst.pdf",
    page_format=(160.0, 228.0),
    journal="Clinical Neurology Case Journal",
    journal_short="Clin Neurol Case J",
    volume_line="Clin Neurol Case J. 2023;18:e1147",
    doi="10.5555/cncj.2023.e1147",
    article_type="Case report  |  Open access",
    title="Cerebral venous sinus thrombosis in a young woman with severe iron-deficiency anaemia due to menorrhagia",
    running_title="Venous sinus thrombosis and iron deficiency",
    authors=[("Sofia Marinescu", "1"), ("Oluwaseun Adebayo-Clarke", "2"), ("Henrik Vestergaard", "1")],
    affiliations=[
        "1 Department of Neurology, Kingsbridge University Medical Centre, Kingsbridge, United Kingdom",
        "2 Department of Haematology, Kingsbridge University Medical Centre, Kingsbridge, United Kingdom",
    ],
    correspondence="Corresponding author: Sofia Marinescu, MD. E-mail: s.marinescu@kumc.example.org",
    dates="Submitted: 12 June 2023. Accepted: 4 September 2023. Published: 29 September 2023",
    abstract=[
        (
            "Summary",
            "Iron-deficiency anaemia is an under-recognised risk factor for cerebral venous sinus thrombosis. A "
            "28-year-old woman with heavy menstrual bleeding presented with headache, vomiting and a focal seizure. "
            "Venography showed thrombosis of the superior sagittal and right transverse sinuses, and her haemoglobin "
            "was 68 g/L with a ferritin of 3 µg/L. She recovered with anticoagulation, intravenous iron and treatment "
            "of the menorrhagia.",
        )
    ],
    keywords="Key words: cerebral venous thrombosis, iron deficiency, anaemia, menorrhagia, reactive thrombocytosis",
    body=[
        H("Introduction"),
        P(
            "Cerebral venous sinus thrombosis accounts for fewer than 1% of strokes and mainly affects young women [1]. "
            "Oral contraceptives, pregnancy and inherited thrombophilia are the best known risk factors, but "
            "iron-deficiency anaemia has been linked to the condition in case series and case-control studies [2-4]."
        ),
        H("Case description"),
        P(
            "A 28-year-old woman presented with a ten-day history of worsening generalised headache, worse on lying down "
            "and on coughing, with vomiting and transient blurring of vision. On the day of admission she had an episode "
            "of jerking of the left arm lasting two minutes without loss of consciousness. She reported heavy menstrual "
            "periods for three years, lasting eight days and requiring night-time protection, and increasing tiredness "
            "and breathlessness on stairs. She did not use hormonal contraception, had no personal or family history of "
            "venous thrombosis and was not pregnant."
        ),
        P(
            "On examination she was pale and alert, with bilateral papilloedema and a mild left pronator drift. Full "
            "blood count showed a haemoglobin of 68 g/L, a mean corpuscular volume of 59 fL and a platelet count of "
            "612 x 10^9/L. Serum ferritin was 3 µg/L and transferrin saturation 4%. Computed tomography of the head "
            "showed a hyperdense superior sagittal sinus, and computed tomography venography confirmed occlusive "
            "thrombosis of the superior sagittal sinus extending into the right transverse and sigmoid sinuses, with a "
            "small right frontal haemorrhagic venous infarct [5]. A lumbar puncture was not performed, and an "
            "electroencephalogram showed intermittent right frontal slowing without epileptiform discharges. Visual "
            "field testing showed enlarged blind spots in both eyes, more marked on the right side."
        ),
        Block(
            "table",
            "Table 1. Laboratory results on admission",
            [
                ("Test", "Result", "Reference"),
                ("Haemoglobin", "68 g/L", "120-150"),
                ("Mean cell volume", "59 fL", "80-100"),
                ("Platelets", "612 x 10^9/L", "150-400"),
                ("Ferritin", "3 µg/L", "15-150"),
                ("D-dimer", "2.9 mg/L", "< 0.5"),
            ],
        ),
        Block(
            "figure",
            "Figure 1. Computed tomography venography, sagittal reconstruction: filling defect along the superior "
            "sagittal sinus (arrows).",
            [("ct", "", "")],
        ),
        P(
            "She was started on therapeutic subcutaneous enoxaparin despite the small haemorrhage, together with "
            "levetiracetam for seizure prophylaxis. Because of symptomatic anaemia she received one unit of red cells, "
            "followed by intravenous ferric carboxymaltose 1,000 mg on day three. A thrombophilia screen, including "
            "antithrombin, protein C, protein S, factor V Leiden, the prothrombin gene variant and antiphospholipid "
            "antibodies, was negative. Pelvic ultrasound and hysteroscopy showed a 3 cm submucosal fibroid, and a "
            "levonorgestrel intrauterine system was inserted by the gynaecological team."
        ),
        P(
            "Her headache settled over the first week and the papilloedema had resolved at six weeks. Enoxaparin was "
            "switched to oral dabigatran after two weeks and continued for six months. At the six-month review her "
            "haemoglobin was 131 g/L, ferritin 86 µg/L and the platelet count 288 x 10^9/L, her periods were light, and "
            "magnetic resonance venography showed partial recanalisation of the superior sagittal sinus and complete "
            "recanalisation of the transverse sinus."
        ),
        H("Discussion"),
        P(
            "Several mechanisms may explain the link between iron deficiency and venous thrombosis, including reactive "
            "thrombocytosis, reduced red cell deformability and a prothrombotic state related to hypoxia [6]. In our "
            "patient no other risk factor was found despite a full work-up. Correcting the anaemia and its cause is an "
            "essential part of treatment, as persistent iron deficiency may increase the risk of recurrence [7, 8]."
        ),
        P(
            "Young women with thunderclap or progressive headache and a history of heavy periods should have a full "
            "blood count and iron studies as part of their assessment, and venous imaging should be considered when "
            "the anaemia is severe."
        ),
        H("Acknowledgements"),
        S("We thank the patient for permission to publish this report and the radiology team for help with the images."),
        H("References"),
        R("1. Aldana R, Whitlock J. Epidemiology of cerebral venous thrombosis in adults. Stroke Case Epidemiol. 2019;11:201-9."),
        R("2. Kapoor V, Lefebvre M. Anaemia as a risk factor for dural sinus thrombosis: a case-control study. J Neurovasc Dis. 2018;6:55-61."),
        R("3. Osei-Bonsu A, Hartmann D. Iron deficiency and venous thromboembolism: systematic review. Thromb Haem Rev. 2020;15:112-21."),
        R("4. Brennan S, Iqbal Z. Cerebral venous thrombosis in women with menorrhagia: a case series. Neurol Womens Health. 2021;3:18-24."),
        R("5. Takeda Y, Moreau P. Imaging of cerebral venous infarction. Neuroradiol Teach Files. 2017;9:77-86."),
        R("6. Castell J, Nwosu E. Reactive thrombocytosis and thrombotic risk in iron deficiency. Platelet Biol Clin. 2022;4:140-8."),
        R("7. Halvorsen T, Quist B. Recurrence after cerebral venous thrombosis: risk factors and duration of anticoagulation. Eur Stroke Case Rev. 2021;8:90-8."),
        R("8. Mbeki L, Sato R. Iron replacement after venous thrombosis in anaemic patients. Haematol Pract. 2023;19:e41."),
    ],
    first_page_footer=[
        "Copyright (c) 2023 the authors. This article is distributed under the Creative Commons Attribution licence (CC BY 4.0).",
        "Clin Neurol Case J is published by Kingsbridge Scholarly Press | doi:10.5555/cncj.2023.e1147",
    ],
    every_page_footer="Downloaded from cncj.kingsbridgepress.example by guest on 14 November 2023",
    odd_header="Marinescu S, et al.  Venous sinus thrombosis and iron deficiency",
    even_header="Clinical Neurology Case Journal  |  Volume 18  |  2023",
    page_number_format="Page {n}",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/cleaning_heldout"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for art in (KOUNIS, CVST):
        data = Layout(art).render()
        (args.out / art.filename).write_bytes(data)
        print(f"wrote {args.out / art.filename} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
