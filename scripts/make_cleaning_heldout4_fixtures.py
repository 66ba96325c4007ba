"""Generate `tests/fixtures/cleaning_heldout4/`: a fourth held-out set of cleaning fixtures.

`python scripts/make_cleaning_heldout4_fixtures.py [--out tests/fixtures/cleaning_heldout4]`

Written for round 4 of issue #4 before any cleaner change of that round, independently of
the other generators and deliberately unlike their site families and layouts: an
open-access publisher page with article-metrics / citations / permissions blocks, a
radiology case library (contributor line, quiz mode, image viewer), a patient-community
forum with reactions and badges, a syndicated news story with advertisement slots and
sponsored cards, a reader-mode copy of an AMP page, a page behind a translate bar and an
accessibility toolbar, a Markdown export with breadcrumb and print/e-mail/font-size
tools, a two-column PDF e-print with a publisher watermark and "Downloaded from ... on"
lines (fpdf2), a long-form blogging-platform post, a slide-sharing page with a transcript,
a journal's image-challenge quiz page, a mailing-list archive message, and a page copied
from a browser's "select all" with tabs. Every widget wording is written afresh for this
set (none is taken from the other generators' pools or from the cleaner's rule files).

Every case, name, site, address and number is invented for this project (MIT); no corpus
text. Deterministic: no randomness and a fixed PDF creation date, so running it again
gives byte-identical files.

Do not tune the cleaner on this set: score it with the aggregate lines only
(`python -m pipeline.cleaning_eval --fixtures tests/fixtures/cleaning_heldout4 | tail -4`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
E = html.escape


class Page:
    """Collects the "gone" and "kept" strings while a page is written."""

    def __init__(self) -> None:
        self.gone: list[str] = []
        self.kept: list[str] = []

    def g(self, text: str) -> str:
        """Chrome: listed in "gone" when long enough to test by substring."""
        if len(text) >= 5 and text not in self.gone:
            self.gone.append(text)
        return text

    def k(self, *sentences: str) -> str:
        """Content sentences (each listed in "kept"), joined into one paragraph."""
        for s in sentences:
            if s not in self.kept:
                self.kept.append(s)
        return " ".join(sentences)


# ----------------------------------------------------------------------------- 1 open-access publisher page with metrics (html)


def oa_publisher() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 38-year-old woman presented with three weeks of intermittent diplopia and a drooping right eyelid that worsened towards evening.",
        "Examination showed fatigable ptosis on sustained upgaze, and an ice-pack test improved the ptosis by 3 mm.",
        "Acetylcholine receptor antibodies were strongly positive, and repetitive nerve stimulation showed a decrement of 18% in the facial muscles.",
        "Chest computed tomography revealed a 4 cm anterior mediastinal mass consistent with a thymoma.",
        "She was started on pyridostigmine and underwent robotic thymectomy, and histology confirmed a type AB thymoma.",
        "Six months after surgery she had no diplopia and had stopped pyridostigmine.",
    ]
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ocular myasthenia revealing a thymoma | Clinical Cases Open</title></head><body>",
        f"<div class=\"c-header\"><a href=\"/\">Clinical Cases Open</a> <a href=\"/browse\">{E(p.g('Browse volumes'))}</a> "
        f"<a href=\"/authors\">{E(p.g('For authors'))}</a> <a href=\"/apc\">{E(p.g('Article processing charges'))}</a> "
        f"<a href=\"/signin\">{E(p.g('Sign in to your reader account'))}</a></div>",
        "<div class=\"c-article\">",
        f"<p class=\"c-type\">{E(p.g('Case Report | Open Access | Published: 09 October 2025'))}</p>",
        "<h1>Ocular myasthenia revealing a thymoma in a young woman</h1>",
        f"<p class=\"c-authors\">{E(p.g('Marisol Quintero, Benedikt Aurel & Chidi Okonkwo-Hale'))}</p>",
        f"<p class=\"c-cite\">{E(p.g('Clinical Cases Open volume 11, Article number: 274 (2025)'))}</p>",
        f"<ul class=\"c-metrics-bar\"><li>{E(p.g('5,118 Accesses'))}</li><li>{E(p.g('9 Citations'))}</li><li>{E(p.g('23 Altmetric'))}</li>"
        f"<li><a href=\"/m\">{E(p.g('Metrics details'))}</a></li></ul>",
        "<h2>Case presentation</h2>",
        f"<p>{E(p.k(*case[:3]))}</p>",
        f"<div class=\"c-pdf\"><a href=\"/pdf\">{E(p.g('Download PDF (1.2 MB)'))}</a></div>",
        f"<p>{E(p.k(*case[3:]))}</p>",
        "<h2>Conclusions</h2>",
        f"<p>{E(p.k('Ptosis that fluctuates during the day should prompt testing for myasthenia gravis and imaging of the mediastinum.'))}</p>",
        f"<section class=\"c-bib\"><h2>{E(p.g('Rights and permissions'))}</h2>"
        f"<p>{E(p.g('Open Access: this article is distributed under a Creative Commons Attribution 4.0 International License, which permits reuse with credit to the original authors.'))}</p>"
        f"<a href=\"/perm\">{E(p.g('Reprints and permissions'))}</a></section>",
        f"<section class=\"c-about\"><h2>{E(p.g('About this article'))}</h2>"
        f"<p>{E(p.g('Received 14 May 2025 · Accepted 22 August 2025 · Version of record 09 October 2025'))}</p>"
        f"<p>{E(p.g('Share this article: anyone you share the following link with will be able to read this content'))}</p>"
        f"<button>{E(p.g('Get shareable link'))}</button></section>",
        f"<section class=\"c-metrics\"><h3>{E(p.g('Article metrics'))}</h3>"
        f"<p>{E(p.g('Altmetric attention score 23: mentioned by 4 news outlets and 31 posts'))}</p>"
        f"<h3>{E(p.g('Cited by (9)'))}</h3><ul><li>{E(p.g('Thymoma-associated myasthenia in pregnancy: a review, Neuromuscular Letters, 2026'))}</li></ul></section>",
        f"<section class=\"c-related\"><h3>{E(p.g('Related articles in this journal'))}</h3><ul>"
        f"<li><a href=\"/r1\">{E(p.g('Seronegative myasthenia presenting with dysphagia alone'))}</a></li>"
        f"<li><a href=\"/r2\">{E(p.g('Good syndrome ten years after thymectomy'))}</a></li></ul></section>",
        "</div>",
        f"<footer class=\"c-footer\"><p>{E(p.g('Clinical Cases Open is published by Halden Scientific, part of Halden Group.'))}</p>"
        f"<p>{E(p.g('Your US state privacy rights'))} · {E(p.g('Manage consent'))} · {E(p.g('Journal finder'))}</p></footer>",
        "</body></html>",
    ]
    return "oa_publisher_thymoma", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 2 radiology case library (html)


def radiology_library() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 9-year-old boy was brought in with a limp and pain in the right hip for two weeks after a minor fall at school.",
        "He was afebrile, and the C-reactive protein was 6 mg/L.",
        "Plain radiographs showed a lytic lesion with a narrow zone of transition in the proximal femoral metaphysis.",
        "Magnetic resonance imaging demonstrated multiple fluid-fluid levels within an expansile lesion without a solid component.",
        "Curettage and bone grafting were performed, and histology confirmed an aneurysmal bone cyst.",
    ]
    parts = [
        "<html><head><title>Aneurysmal bone cyst of the femur | Case | RadiCases</title></head><body>",
        f"<div class=\"topbar\"><a href=\"/\">RadiCases</a> <a href=\"/cases\">{E(p.g('Case library'))}</a> "
        f"<a href=\"/courses\">{E(p.g('Online courses'))}</a> <a href=\"/pro\">{E(p.g('Go ad-free with Pro'))}</a></div>",
        "<div class=\"case-body\">",
        "<h1>Aneurysmal bone cyst of the proximal femur</h1>",
        f"<p class=\"credit\">{E(p.g('Case contributed by Dr Yusuf Demirci'))}</p>",
        f"<p class=\"diagnosis-cert\">{E(p.g('Diagnosis certain'))}</p>",
        f"<div class=\"mode\"><a href=\"?quiz\">{E(p.g('Enter quiz mode'))}</a> <span>{E(p.g('Hide diagnosis until you answer'))}</span></div>",
        "<h2>Presentation</h2>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<div class=\"viewer\"><p>{E(p.g('Loading images...'))}</p><p>{E(p.g('Frontal radiograph · 1 image'))}</p>"
        f"<p>{E(p.g('Axial T2 fat sat · 28 images'))}</p><button>{E(p.g('Open in full-screen viewer'))}</button>"
        f"<span>{E(p.g('Drag to scroll through the stack'))}</span></div>",
        "<h2>Case discussion</h2>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        f"<div class=\"cite-box\"><p>{E(p.g('Citation, DOI, disclosures and case data'))}</p>"
        f"<p>{E(p.g('Cite this case as: Demirci Y. Aneurysmal bone cyst of the proximal femur. RadiCases, case 118402.'))}</p>"
        f"<p>{E(p.g('Permalink: radicases.example/case/118402'))}</p>"
        f"<p>{E(p.g('Disclosures: none declared at the time of publication'))}</p></div>",
        f"<div class=\"rate\"><span>{E(p.g('How educational was this case?'))}</span> ★★★★☆ <span>{E(p.g('212 ratings'))}</span></div>",
        f"<div class=\"also\"><h3>{E(p.g('Cases with a similar appearance'))}</h3><ul>"
        f"<li>{E(p.g('Telangiectatic osteosarcoma'))}</li><li>{E(p.g('Unicameral bone cyst with pathological fracture'))}</li></ul></div>",
        "</div>",
        f"<div class=\"site-foot\"><p>{E(p.g('Content is peer reviewed by volunteer radiologists and may be reused for non-commercial teaching.'))}</p>"
        f"<p>{E(p.g('Help us keep RadiCases free: become a supporter'))}</p></div>",
        "</body></html>",
    ]
    return "radiology_library_abc", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 3 patient-community forum with reactions and badges (html)


def community_forum() -> tuple[str, str, Page]:
    p = Page()
    post1 = [
        "My husband is 57 and was diagnosed with acute intermittent porphyria last month after three admissions for severe abdominal pain.",
        "Each time his sodium dropped to around 122 mmol/L and his urine turned dark on the windowsill.",
        "The porphobilinogen in his urine was more than ten times the upper limit, and he was treated with intravenous haemin for four days.",
        "He has since stopped the carbamazepine that his neurologist had started in the spring.",
    ]
    post2 = [
        "I have the same diagnosis and my attacks were also triggered by an anticonvulsant.",
        "Since switching medicines I have had one mild attack in two years.",
    ]
    parts = [
        "<html><head><title>Husband just diagnosed with AIP - Rare Together community</title></head><body>",
        f"<div class=\"hdr\"><span>Rare Together</span> <a href=\"/groups\">{E(p.g('All support groups'))}</a> "
        f"<a href=\"/new\">{E(p.g('Start a conversation'))}</a> <a href=\"/inbox\">{E(p.g('Messages (2)'))}</a></div>",
        f"<p class=\"guide\">{E(p.g('Be kind: everyone here is living with something hard. Read the house rules.'))}</p>",
        "<div class=\"thread\">",
        "<h1>Husband just diagnosed with AIP</h1>",
        "<div class=\"post\">",
        f"<div class=\"who\"><span>{E(p.g('posted by lakeside_rowan'))}</span> <span>{E(p.g('Caregiver badge'))}</span> "
        f"<span>{E(p.g('Community Champion 2024'))}</span></div>",
        f"<p>{E(p.k(*post1[:2]))}</p><p>{E(p.k(*post1[2:]))}</p>",
        f"<div class=\"react\"><span>{E(p.g('❤ 14 · 🤗 9 · 🙏 3'))}</span> <a>{E(p.g('React to this'))}</a> <a>{E(p.g('Follow this thread'))}</a></div>",
        "</div><div class=\"post\">",
        f"<div class=\"who\"><span>{E(p.g('reply from Quietfern'))}</span> <span>{E(p.g('First year member'))}</span> "
        f"<span>{E(p.g('Sent 41 hugs'))}</span></div>",
        f"<p>{E(p.k(*post2))}</p>",
        f"<div class=\"react\"><span>{E(p.g('❤ 6 · 🤗 2'))}</span> <a>{E(p.g('Send a hug back'))}</a></div>",
        "</div></div>",
        f"<div class=\"cta\"><p>{E(p.g('You are browsing as a guest. Create a free profile to reply and to join the porphyria group.'))}</p>"
        f"<button>{E(p.g('Create my profile'))}</button></div>",
        f"<div class=\"sim\"><h3>{E(p.g('Conversations you might find helpful'))}</h3><ul>"
        f"<li>{E(p.g('Anyone else get attacks before their period?'))}</li><li>{E(p.g('Travel insurance with a rare condition'))}</li></ul></div>",
        f"<footer><p>{E(p.g('Rare Together is run by a patient-led nonprofit. Posts are not medical advice.'))}</p></footer>",
        "</body></html>",
    ]
    return "community_forum_porphyria", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 4 syndicated news with ads and sponsored cards (html)


def syndicated_news() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 66-year-old retired fisherman noticed a painless swelling of his left index finger that grew over four months after a cut from a fishing hook.",
        "A biopsy of the nodule showed granulomatous inflammation, and the culture grew Mycobacterium marinum after three weeks at 30 °C.",
        "He was treated with clarithromycin and ethambutol for five months.",
        "The swelling resolved completely, and he kept full movement of the finger.",
    ]
    quote = "Anyone who handles fish or cleans aquariums and has a sore that will not heal should mention it to their doctor."
    parts = [
        "<html><head><title>Fisherman's slow-growing finger lump turned out to be a rare infection | Coastline Courier</title></head><body>",
        f"<div class=\"mast\"><a href=\"/\">Coastline Courier</a> <a href=\"/local\">{E(p.g('Local'))}</a> <a href=\"/sport\">{E(p.g('Sport'))}</a> "
        f"<a href=\"/weather\">{E(p.g('Weather: 14°C, showers'))}</a> <a href=\"/epaper\">{E(p.g('Today’s e-paper'))}</a></div>",
        "<div class=\"story\">",
        "<h1>Fisherman's slow-growing finger lump turned out to be a rare infection</h1>",
        f"<p class=\"by\">{E(p.g('Dana Whitlock, Health Reporter'))}</p>",
        f"<p class=\"syn\">{E(p.g('This story first appeared in the Harbourtown Gazette and is shared through the Regional News Exchange.'))}</p>",
        f"<p>{E(p.k(case[0]))}</p>",
        f"<div class=\"slot-a\"><span>{E(p.g('ADVERTISEMENT'))}</span></div>",
        f"<p>{E(p.k(*case[1:3]))}</p>",
        f"<div class=\"slot-b\"><span>{E(p.g('Story continues below'))}</span></div>",
        f"<p>{E(p.k(case[3]))}</p>",
        f"<p>{E(p.k(quote))}</p>",
        f"<div class=\"cards\"><p>{E(p.g('Sponsored stories'))}</p>"
        f"<a href=\"/s1\">{E(p.g('Homeowners in your area are switching to this solar deal'))}</a> "
        f"<span>{E(p.g('SunPeak Energy'))}</span> "
        f"<a href=\"/s2\">{E(p.g('Surgeons stunned by this simple knee trick'))}</a> <span>{E(p.g('JointEase Daily'))}</span></div>",
        f"<p class=\"tip\">{E(p.g('Got a story? Email tips@coastlinecourier.example or message us on 555-0171.'))}</p>",
        "</div>",
        f"<div class=\"trend\"><h3>{E(p.g('Trending in Coastline'))}</h3><ol><li>{E(p.g('Harbour bridge closed for resurfacing'))}</li>"
        f"<li>{E(p.g('Lifeboat crew rescues paddleboarders'))}</li></ol></div>",
        f"<footer><p>{E(p.g('© Coastline Media Group 2026. Reproduction without permission prohibited.'))}</p></footer>",
        "</body></html>",
    ]
    return "syndicated_news_marinum", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 5 reader-mode copy of an AMP page (txt)


def reader_mode() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 31-year-old woman developed sudden severe headache two days after delivering her second child by caesarean section under spinal anaesthesia.",
        "The headache was worse on standing and eased within minutes of lying flat.",
        "Neurological examination was normal, and there was no fever or neck stiffness.",
        "An epidural blood patch with 18 mL of autologous blood relieved the headache within an hour.",
        "She went home the next day and had no recurrence at her six-week check.",
    ]
    lines = [
        p.g("healthbrief-news.example.cdn.ampproject.example"),
        "",
        "New mother's positional headache cured by a blood patch",
        "",
        p.g("Healthbrief News"),
        p.g("5–7 minutes"),
        "",
        p.k(*case[:2]),
        "",
        p.g("View the original article"),
        "",
        p.k(*case[2:]),
        "",
        p.k("Post-dural puncture headache is a recognised complication of neuraxial anaesthesia."),
        "",
        p.g("Related Coverage"),
        p.g("Why some women get migraines only after giving birth"),
        p.g("Tap to load the comments"),
        p.g("Accelerated page served from a cache; some features may be missing."),
    ]
    return "reader_mode_pdph", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 6 translate bar and accessibility toolbar (html)


def translate_toolbar() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 52-year-old man on long-term amiodarone for atrial fibrillation reported tiredness, weight gain and constipation.",
        "His thyroid-stimulating hormone was 48 mU/L with a low free thyroxine.",
        "Amiodarone was continued because his arrhythmia had been difficult to control, and levothyroxine was started at 50 micrograms daily.",
        "His symptoms improved within two months, and the thyroid function tests normalised on 100 micrograms.",
    ]
    parts = [
        "<html><head><title>Amiodarone-induced hypothyroidism - Endocrine teaching file</title></head><body>",
        f"<div class=\"gtbar\"><span>{E(p.g('Select Language ▼'))}</span> <span>{E(p.g('Translation service by a third party'))}</span> "
        f"<a>{E(p.g('Show original'))}</a> <a>{E(p.g('Suggest a better translation'))}</a></div>",
        f"<div class=\"a11y\"><button>{E(p.g('Bigger text'))}</button><button>{E(p.g('Smaller text'))}</button>"
        f"<button>{E(p.g('Invert colours'))}</button><button>{E(p.g('Highlight links'))}</button>"
        f"<button>{E(p.g('Large cursor'))}</button><button>{E(p.g('Reading guide'))}</button></div>",
        f"<p class=\"trail\">{E(p.g('Teaching file › Thyroid › Drug effects › Case 31'))}</p>",
        "<h1>Hypothyroidism during amiodarone therapy</h1>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        "<h3>Points to remember</h3><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("Check thyroid function before starting amiodarone", "Repeat it every six months", "Hypothyroidism does not require stopping the drug")],
        "</ul>",
        f"<div class=\"tools\"><a>{E(p.g('Print-friendly'))}</a> <a>{E(p.g('Email to a friend'))}</a> <a>{E(p.g('Suggest an edit to this case'))}</a></div>",
        f"<div class=\"ft\"><p>{E(p.g('Maintained by the Endocrine Registrars Network. Last checked for accuracy in 2025.'))}</p></div>",
        "</body></html>",
    ]
    return "translate_toolbar_amiodarone", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 7 Markdown export with breadcrumb and print/e-mail/font tools (md)


def markdown_tools() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 44-year-old warehouse worker presented with a painful red eye and blurred vision in the left eye for three days.",
        "Slit-lamp examination showed cells and flare in the anterior chamber with fine keratic precipitates.",
        "He also described low back pain and stiffness that was worse in the morning and improved with exercise.",
        "Pelvic radiographs showed bilateral sacroiliitis, and he was positive for HLA-B27.",
        "The uveitis settled with topical prednisolone and cyclopentolate, and he was referred to rheumatology for axial spondyloarthritis.",
    ]
    lines = [
        p.g("[Start](/) › [Clinical library](/lib) › [Ophthalmology](/lib/eye) › Anterior uveitis"),
        "",
        p.g("[🖨 Print](/print) · [✉ E-mail](/mail) · [A−](/smaller) [A+](/larger) · [Save as PDF](/pdf)"),
        "",
        "# Anterior uveitis as the first sign of axial spondyloarthritis",
        "",
        p.g("*Page owner: Eye Emergency Service · Review due: June 2027*"),
        "",
        p.k(*case[:2]),
        "",
        p.k(*case[2:]),
        "",
        "## Teaching points",
        "",
        *[f"- {p.k(t)}" for t in ("Ask about back pain in every patient with anterior uveitis", "Check HLA-B27", "Refer early to rheumatology")],
        "",
        p.g("> Did you find what you needed? [Yes](/y) [No](/n)"),
        "",
        p.g("Printed copies of this page are uncontrolled; always check the online version."),
        "",
        p.g("[Back to the clinical library](/lib) | [Report a broken link](/broken)"),
    ]
    return "markdown_tools_uveitis", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 8 two-column PDF e-print with watermark (pdf, fpdf2)


def pdf_eprint(out: Path) -> tuple[str, None, Page]:
    from fpdf import FPDF

    p = Page()
    title = "Refeeding syndrome after prolonged fasting in an adolescent"
    abstract = p.k(
        "We describe a 16-year-old girl with anorexia nervosa who developed severe hypophosphataemia on the third day of nutritional rehabilitation.",
        "Early recognition and slow feeding prevented cardiac complications.",
    )
    body = [
        ("Case", [
            "A 16-year-old girl was admitted with a body mass index of 13.1 kg/m2 after eight months of severe food restriction.",
            "Her heart rate was 44 beats per minute, and the electrocardiogram showed sinus bradycardia with a normal QT interval.",
            "Nasogastric feeding was started at 20 kcal per kilogram per day with thiamine supplements.",
            "On the third day the serum phosphate fell to 0.38 mmol/L, and she developed ankle oedema and muscle weakness.",
            "Feeding was reduced, and intravenous phosphate and potassium were given with daily electrolyte monitoring.",
            "The phosphate normalised within four days, and feeding was then increased gradually without further complications.",
            "She was discharged to a specialist eating disorder unit after five weeks with a body mass index of 15.2 kg/m2.",
        ]),
        ("Discussion", [
            "Refeeding syndrome results from the shift of phosphate, potassium and magnesium into cells when insulin secretion resumes.",
            "Patients with very low body weight and little intake before admission are at the highest risk.",
            "Electrolytes should be checked daily during the first week of refeeding.",
        ]),
    ]
    for _, sents in body:
        p.k(*sents)
    watermark = p.g("Downloaded from https://pubs.northwick-press.example by guest on 02 February 2026")
    personal = p.g("For personal use only. Not for redistribution.")
    running = p.g("Adolesc Med Case Rep 2025; 8(3): 211-214")
    journal = p.g("ADOLESCENT MEDICINE CASE REPORTS")
    cite = p.g("Cite as: Lindqvist A, Mbeki T. Adolesc Med Case Rep 2025;8:211")
    copyright_ = p.g("© 2025 Northwick Press. All rights reserved. Reuse requires a licence from the publisher.")
    authors = p.g("Astrid Lindqvist, Thabo Mbeki-Sand")
    received = p.g("Received 03/03/2025 | Revised 11/05/2025 | Accepted 20/05/2025")

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    margin, gutter, top, bottom, lh = 18.0, 8.0, 30.0, 262.0, 5.0
    colw = (210 - 2 * margin - gutter) / 2

    def furniture(pageno: int) -> None:
        pdf.set_font("Helvetica", "", 7.5)
        pdf.set_xy(margin, 10)
        pdf.cell(210 - 2 * margin, 4, journal, align="L")
        pdf.set_xy(margin, 10)
        pdf.cell(210 - 2 * margin, 4, running, align="R")
        pdf.set_xy(margin, 14)
        pdf.cell(210 - 2 * margin, 4, personal, align="R")
        pdf.set_xy(margin, 280)
        pdf.cell(210 - 2 * margin, 4, watermark, align="C")
        pdf.set_xy(margin, 285)
        pdf.cell(210 - 2 * margin, 4, str(pageno), align="C")

    def wrap(text: str, width: float) -> list[str]:
        lines, line = [], ""
        for w in text.split():
            cand = f"{line} {w}" if line else w
            if pdf.get_string_width(cand) <= width:
                line = cand
            else:
                lines.append(line)
                line = w
        if line:
            lines.append(line)
        return lines

    pageno = 1
    pdf.add_page()
    furniture(pageno)
    y = top
    pdf.set_font("Times", "B", 15)
    for ln in wrap(title, 210 - 2 * margin):
        pdf.set_xy(margin, y)
        pdf.cell(0, 7, ln)
        y += 7
    pdf.set_font("Times", "", 10)
    for txt in (authors, received, cite):
        pdf.set_xy(margin, y)
        pdf.cell(0, 5, txt)
        y += 5
    y += 2
    pdf.set_font("Times", "B", 10)
    pdf.set_xy(margin, y)
    pdf.cell(0, 5, "Abstract")
    y += 5
    pdf.set_font("Times", "", 9.5)
    for ln in wrap(abstract, 210 - 2 * margin):
        pdf.set_xy(margin, y)
        pdf.cell(0, lh, ln)
        y += lh
    y += 4
    col_top = y
    col = 0
    items: list[tuple[str, str]] = []
    for head, sents in body:
        items.append(("B", head))
        items.append(("", " ".join(sents[: len(sents) // 2 + 1])))
        items.append(("", " ".join(sents[len(sents) // 2 + 1 :])))
    items.append(("I", copyright_))
    for style, text in items:
        pdf.set_font("Times", style, 10 if style == "B" else 9.5)
        for ln in wrap(text, colw):
            if y + lh > bottom:
                if col == 0:
                    col, y = 1, col_top
                else:
                    pageno += 1
                    pdf.add_page()
                    furniture(pageno)
                    col, y, col_top = 0, top, top
            pdf.set_xy(margin + col * (colw + gutter), y)
            pdf.cell(colw, lh, ln)
            y += lh
        y += 2
    name = "pdf_eprint_refeeding"
    pdf.output(str(out / f"{name}.pdf"))
    return name, None, p


# ----------------------------------------------------------------------------- 9 long-form blogging platform post (html)


def blog_platform() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "During my emergency medicine rotation I met a 23-year-old student who had been vomiting for two days after a weekend at a music festival.",
        "He used cannabis daily and said that only long hot showers eased his nausea.",
        "His lipase, liver tests and abdominal ultrasound were normal.",
        "The vomiting stopped after topical capsaicin cream and intravenous haloperidol, and he was advised to stop cannabis.",
        "At a follow-up call three months later he had not used cannabis and had had no further episodes.",
    ]
    parts = [
        "<html><head><title>The patient who showered six times a day | by Noor Haddad | Scrubs & Stories</title></head><body>",
        f"<div class=\"x1\"><a>{E(p.g('Open in app'))}</a> <a>{E(p.g('Write'))}</a> <a>{E(p.g('Sign up free'))}</a></div>",
        f"<div class=\"x2\"><p>{E(p.g('Member-only story'))}</p></div>",
        "<h1>The patient who showered six times a day</h1>",
        f"<div class=\"x3\"><span>{E(p.g('Noor Haddad'))}</span> <a>{E(p.g('Follow'))}</a> <span>{E(p.g('Published in Scrubs & Stories'))}</span> "
        f"<span>{E(p.g('8 min read · Nov 3, 2025'))}</span></div>",
        f"<div class=\"x4\"><span>{E(p.g('👏 1.2K'))}</span> <span>{E(p.g('💬 37'))}</span> <a>{E(p.g('Listen'))}</a></div>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        f"<p>{E(p.k('Cannabinoid hyperemesis syndrome should be considered in any regular cannabis user with recurrent vomiting and compulsive hot bathing.'))}</p>",
        f"<div class=\"x5\"><p>{E(p.g('Written by Noor Haddad'))}</p><p>{E(p.g('2.4K followers · Fourth-year medical student writing about the patients who taught me most'))}</p></div>",
        f"<div class=\"x6\"><h3>{E(p.g('More from Noor Haddad and Scrubs & Stories'))}</h3>"
        f"<a>{E(p.g('What nobody tells you about your first night shift'))}</a> <a>{E(p.g('I failed Step 1 and here is what happened next'))}</a></div>",
        f"<div class=\"x7\"><p>{E(p.g('Responses (37)'))}</p><p>{E(p.g('What are your thoughts?'))}</p></div>",
        f"<div class=\"x8\"><p>{E(p.g('Status · About · Careers · Press · Text to speech · Teams'))}</p></div>",
        "</body></html>",
    ]
    return "blog_platform_chs", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 10 slide-sharing page with transcript (txt, browser copy)


def slide_share() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 70-year-old man with chronic lymphocytic leukaemia presented with fever, a productive cough and right-sided chest pain.",
        "Chest radiography showed a right lower lobe consolidation with a moderate pleural effusion.",
        "Pleural fluid analysis showed a pH of 7.05 and a glucose of 1.4 mmol/L, consistent with a complicated parapneumonic effusion.",
        "A chest drain was inserted, and intrapleural alteplase and dornase alfa were given twice daily for three days.",
        "The effusion cleared, and surgery was not required.",
    ]
    lines = [
        p.g("SlideVault"),
        p.g("Upload"),
        p.g("Explore presentations"),
        p.g("Log in"),
        "",
        "Grand rounds: complicated pleural infection",
        p.g("Uploaded by respiratory_registrars"),
        p.g("Nov 12, 2025 · 1,904 views"),
        p.g("Download to read offline"),
        p.g("Slide 1 of 24"),
        p.g("Embed this deck"),
        "",
        "Transcript",
        "",
        p.k(*case[:2]),
        "",
        p.k(*case[2:]),
        "",
        p.k("Pleural fluid pH below 7.2 in a patient with pneumonia is an indication for drainage."),
        "",
        p.g("Recommended presentations"),
        p.g("Sepsis bundles: what changed in 2025 (42 slides)"),
        p.g("Bronchiectasis for the generalist (31 slides)"),
        p.g("Like this presentation? Save it to a clipboard"),
        p.g("Clipboard"),
        p.g("About · Support · Terms · Privacy · Copyright · Everand"),
    ]
    return "slide_share_empyema", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 11 journal image challenge (html)


def image_challenge() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 27-year-old man presented with a painless ulcer on the penis and a generalised non-itchy rash on the palms and soles.",
        "He had had unprotected intercourse with a new partner three months earlier.",
        "The rapid plasma reagin titre was 1:64, and the treponemal antibody test was positive.",
        "He was treated with a single intramuscular dose of benzathine penicillin G, and the rash faded within three weeks.",
    ]
    parts = [
        "<html><head><title>Image Challenge: rash on the palms | Clinical Pictures Quarterly</title></head><body>",
        f"<div class=\"nv\"><a>{E(p.g('Current issue'))}</a> <a>{E(p.g('Image challenge archive'))}</a> <a>{E(p.g('Subscribe to the print edition'))}</a></div>",
        "<h1>Image Challenge: a rash on the palms and soles</h1>",
        f"<p class=\"q\">{E(p.g('Test your diagnostic skills. Choose an answer to see how other readers voted.'))}</p>",
        f"<div class=\"opts\"><label>{E(p.g('A. Erythema multiforme'))}</label><label>{E(p.g('B. Secondary syphilis'))}</label>"
        f"<label>{E(p.g('C. Hand, foot and mouth disease'))}</label><label>{E(p.g('D. Palmoplantar psoriasis'))}</label>"
        f"<button>{E(p.g('Show me the answer'))}</button></div>",
        f"<p class=\"votes\">{E(p.g('61% of 18,233 respondents chose B'))}</p>",
        "<h2>Answer and explanation</h2>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        f"<div class=\"nx\"><a>{E(p.g('‹ Previous challenge'))}</a> <a>{E(p.g('Next challenge ›'))}</a> <a>{E(p.g('Get the weekly image challenge by email'))}</a></div>",
        f"<footer><p>{E(p.g('Clinical Pictures Quarterly is a publication of the Westbrook Medical Society.'))}</p></footer>",
        "</body></html>",
    ]
    return "image_challenge_syphilis", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 12 mailing-list archive message (txt)


def mailing_list() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "We saw a 35-year-old woman with systemic lupus erythematosus who developed sudden painless loss of vision in the right eye.",
        "Fundoscopy showed a cherry-red spot with a pale, swollen retina, and fluorescein angiography confirmed a central retinal artery occlusion.",
        "Her lupus anticoagulant and anticardiolipin antibodies were strongly positive on two occasions twelve weeks apart.",
        "She was anticoagulated with warfarin, but the visual acuity in the right eye remained at counting fingers.",
    ]
    lines = [
        p.g("[Ocular-Rheum] Retinal artery occlusion in antiphospholipid syndrome"),
        "",
        p.g("Dr. Elif Karahan ekarahan at eyehosp.example"),
        p.g("Tue Sep 16 08:41:12 UTC 2025"),
        "",
        p.g("Previous message (by thread): [Ocular-Rheum] Scleritis and rituximab dosing"),
        p.g("Next message (by thread): [Ocular-Rheum] Retinal artery occlusion in antiphospholipid syndrome"),
        p.g("Messages sorted by: [ date ] [ thread ] [ subject ] [ author ]"),
        "",
        p.g("Dear colleagues,"),
        "",
        p.k(*case[:2]),
        p.k(*case[2:]),
        "",
        p.k("Has anyone used a direct oral anticoagulant in this setting?"),
        "",
        p.g("Best wishes,"),
        p.g("Elif"),
        "",
        p.g("-------------- next part --------------"),
        p.g("An HTML attachment was scrubbed..."),
        p.g("URL: <http://lists.eyehosp.example/pipermail/ocular-rheum/attachments/20250916/4f1c2a/attachment.html>"),
        "",
        p.g("More information about the Ocular-Rheum mailing list"),
    ]
    return "mailing_list_crao", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 13 "select all" browser copy with tabs (txt)


def select_all_tabs() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 58-year-old man who kept pigeons presented with six months of progressive breathlessness and a dry cough.",
        "High-resolution computed tomography showed centrilobular ground-glass nodules and mosaic attenuation.",
        "Bronchoalveolar lavage showed a lymphocytosis of 62%, and serum precipitins to avian antigens were positive.",
        "He rehomed the birds and received a tapering course of prednisolone, and his forced vital capacity improved by 600 mL.",
    ]
    head = [p.g("Pulmonary Practice Network"), p.g("Cases"), p.g("Webinars"), p.g("Jobs board"), p.g("Sign in | Join")]
    mid = [p.g("Quick poll: do you routinely ask about hobbies?"), p.g("Vote now")]
    tail = [p.g("Tags: ILD, occupational, birds"), p.g("Save case"), p.g("Discuss with peers (4)"),
            p.g("Content for healthcare professionals only."), p.g("© Pulmonary Practice Network Ltd")]
    text = "\t".join(head) + "\n" + "Bird fancier's lung presenting as slowly progressive breathlessness" + "\n"
    text += p.k(*case[:2]) + "\n" + "\t".join(mid) + "\n" + p.k(*case[2:]) + "\n"
    text += p.k("Removing the antigen is the most important part of treating hypersensitivity pneumonitis.") + "\n"
    text += "\t".join(tail) + "\n"
    return "select_all_tabs_hp", text, p


BUILDERS = [oa_publisher, radiology_library, community_forum, syndicated_news, reader_mode, translate_toolbar,
            markdown_tools, blog_platform, slide_share, image_challenge, mailing_list, select_all_tabs]
EXT = {"reader_mode_pdph": "txt", "markdown_tools_uveitis": "md", "slide_share_empyema": "txt",
       "mailing_list_crao": "txt", "select_all_tabs_hp": "txt"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "cleaning_heldout4")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    built = []
    for build in BUILDERS:
        name, text, page = build()
        (args.out / f"{name}.{EXT.get(name, 'html')}").write_text(text, encoding="utf-8")
        built.append((name, page))
    name, _, page = pdf_eprint(args.out)
    built.append((name, page))
    for name, page in built:
        expect = {"description": f"held-out page {name} (scripts/make_cleaning_heldout4_fixtures.py)",
                  "gone": page.gone, "kept": page.kept}
        (args.out / f"{name}.expect.json").write_text(json.dumps(expect, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(built)} fixtures to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
