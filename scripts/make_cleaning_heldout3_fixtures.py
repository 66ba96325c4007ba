"""Generate `tests/fixtures/cleaning_heldout3/`: a third held-out set of cleaning fixtures.

`python scripts/make_cleaning_heldout3_fixtures.py [--out tests/fixtures/cleaning_heldout3]`

Written independently of the other generators and before the round of cleaner changes it
measures, to estimate how the cleaner does on sites it has not seen: other site families
(hospital newsroom, pharmacy drug-information page, medical-society case of the month,
preprint server, university repository record, Q&A with answers by several doctors,
symptom-checker page, health-insurer member magazine, English case inside German, French
and Spanish site chrome, a phone's "copy all" of a mobile page, a page copied from a
browser with its line breaks lost, a telehealth blog in Markdown), widget wordings written
afresh for this set (none is taken from the other generators' pools or from the
cleaner's rule files), and mixed formats (html, txt line by line, txt without line
breaks, md).

Every case, name, site, address and number is invented for this project (MIT); no corpus
text. Deterministic: no randomness, running it again gives byte-identical files.

Do not tune the cleaner on this set: score it with the aggregate lines only
(`python -m pipeline.cleaning_eval --fixtures tests/fixtures/cleaning_heldout3 | tail -4`).
"""

from __future__ import annotations

import argparse
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


# ----------------------------------------------------------------------------- 1 hospital newsroom (html, semantic-ish class names)


def hospital_news() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 29-year-old amateur runner collapsed two kilometres before the finish line of a city half marathon on a humid morning.",
        "Paramedics found him confused and agitated, with a rectal temperature of 41.6 °C and a heart rate of 142 beats per minute.",
        "He was cooled by ice-water immersion at the medical tent until his temperature fell below 39 °C and was then transferred to our emergency department.",
        "Blood tests showed a creatine kinase of 18,400 U/L, a creatinine of 212 µmol/L and a prolonged prothrombin time.",
        "He received intravenous fluids guided by urine output, and his kidney function returned to normal within five days.",
        "He was discharged after a week and returned to light training two months later under the supervision of a sports physician.",
    ]
    quote = "Exertional heat stroke is a medical emergency in which every minute of cooling counts, and the on-site team did exactly the right thing."
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Runner survives heat stroke | St Aldric Newsroom</title></head><body>",
        f"<div class=\"utility-bar\"><a href=\"/emergency\">{E(p.g('Emergency wait times: 35 min'))}</a> "
        f"<a href=\"/portal\">{E(p.g('Patient portal sign-in'))}</a> <a href=\"/give\">{E(p.g('Make a gift'))}</a></div>",
        f"<header class=\"masthead\"><a href=\"/\">St Aldric University Hospital</a><ul>"
        f"<li><a href=\"/care\">{E(p.g('Care & treatments'))}</a></li><li><a href=\"/research\">{E(p.g('Research institutes'))}</a></li>"
        f"<li><a href=\"/educ\">{E(p.g('Education & training'))}</a></li><li><a href=\"/news\">{E(p.g('Newsroom'))}</a></li></ul></header>",
        f"<div class=\"alert-strip\"><p>{E(p.g('Visiting hours have changed on our surgical wards starting 1 July; check the visitor guide before you travel.'))}</p></div>",
        "<main><article class=\"story\">",
        f"<p class=\"kicker\">{E(p.g('Patient stories · Sports medicine'))}</p>",
        "<h1>Runner survives heat stroke after collapsing near the finish line</h1>",
        f"<p class=\"dateline\">{E(p.g('Newsroom staff | 4 minute read | 18 September 2025'))}</p>",
        f"<ul class=\"social-tools\"><li>{E(p.g('Post on X'))}</li><li>{E(p.g('Send by WhatsApp'))}</li><li>{E(p.g('Copy the link to this story'))}</li></ul>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<aside class=\"promo-rail\"><h4>{E(p.g('Training for a race this season?'))}</h4><p>{E(p.g('Our sports cardiology clinic screens amateur athletes in a single morning visit.'))}</p>"
        f"<a href=\"/screen\">{E(p.g('Reserve a screening slot'))}</a></aside>",
        f"<p>{E(p.k(*case[2:4]))}</p>",
        f"<blockquote><p>{E(p.k(quote))}</p></blockquote>",
        f"<p>{E(p.k(*case[4:]))}</p>",
        "<h2>Learning points</h2><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("Cool first, transport second", "Check creatine kinase and kidney function", "Watch for coagulopathy")],
        "</ul>",
        f"<div class=\"media-contact\"><p>{E(p.g('Media contact: Joanna Pryce, communications office, press@staldric.example, 555-0144'))}</p></div>",
        f"<div class=\"tags\"><span>{E(p.g('Topics:'))}</span> <a href=\"/t/1\">{E(p.g('Emergency medicine'))}</a> <a href=\"/t/2\">{E(p.g('Running'))}</a></div>",
        "</article>",
        f"<section class=\"more-news\"><h3>{E(p.g('More from the newsroom'))}</h3><ul>"
        f"<li><a href=\"/n1\">{E(p.g('New robotic theatre opens in the east wing'))}</a></li>"
        f"<li><a href=\"/n2\">{E(p.g('Nurses honoured at the annual excellence awards'))}</a></li>"
        f"<li><a href=\"/n3\">{E(p.g('Hospital volunteers knit 600 hats for newborns'))}</a></li></ul></section>",
        "</main>",
        f"<footer class=\"global-footer\"><p>{E(p.g('St Aldric University Hospital is part of the Aldric Health Partnership, a not-for-profit academic health system.'))}</p>"
        f"<p><a href=\"/n\">{E(p.g('Nondiscrimination notice'))}</a> <a href=\"/ls\">{E(p.g('Language assistance services'))}</a> "
        f"<a href=\"/pr\">{E(p.g('Website privacy'))}</a></p><p>{E(p.g('Copyright 2025 St Aldric Health. All rights reserved.'))}</p></footer>",
        "</body></html>",
    ]
    return "hospital_news_heatstroke", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 2 pharmacy drug-information page (html, generated class names)


def pharmacy_druginfo() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 74-year-old woman with rheumatoid arthritis was admitted with painful mouth ulcers, diarrhoea and bruising.",
        "A new pharmacy label had been misread, and she had taken methotrexate 10 mg every day for nine days instead of once a week.",
        "Her white cell count was 0.9 × 10^9/L, the platelet count 21 × 10^9/L and the alanine aminotransferase three times the upper limit of normal.",
        "Methotrexate was stopped, and she was given intravenous folinic acid, granulocyte colony-stimulating factor and platelet transfusions.",
        "Her blood counts recovered after twelve days, and the mucositis healed within three weeks.",
    ]
    edu = "Methotrexate for arthritis is taken once a week, and a daily dose can cause life-threatening bone marrow suppression."
    c = ["x7f3a", "q0d91", "m4k22", "b8s0e", "z1y7c", "h6w5v"]
    parts = [
        "<!DOCTYPE html><html><head><title>Methotrexate: uses, dosing and a case of daily dosing error - MedCabinet</title></head><body>",
        f"<div class=\"{c[0]}\"><a href=\"/\">MedCabinet</a> <a href=\"/interactions\">{E(p.g('Interaction checker'))}</a> "
        f"<a href=\"/pill\">{E(p.g('Pill identifier'))}</a> <a href=\"/prices\">{E(p.g('Compare drug prices'))}</a> "
        f"<a href=\"/acct\">{E(p.g('My medicine cabinet'))}</a></div>",
        f"<div class=\"{c[1]}\"><input placeholder=\"Search drugs\"><span>{E(p.g('Search over 24,000 medicines by brand or generic name'))}</span></div>",
        f"<div class=\"{c[2]}\"><h1>Methotrexate</h1><p>{E(p.g('Generic name: methotrexate sodium · Drug class: antimetabolites'))}</p>"
        f"<p>{E(p.g('Fact-checked by our pharmacist review board · Updated 2 Aug 2025'))}</p></div>",
        f"<div class=\"{c[3]}\"><a href=\"#u\">{E(p.g('Uses'))}</a> <a href=\"#w\">{E(p.g('Warnings'))}</a> <a href=\"#d\">{E(p.g('Dosage'))}</a> "
        f"<a href=\"#s\">{E(p.g('Side effects'))}</a> <a href=\"#c\">{E(p.g('Case study'))}</a></div>",
        f"<div class=\"{c[4]}\"><p>{E(p.g('Pay as little as $4.20 for methotrexate with a free MedCabinet savings card.'))}</p><button>{E(p.g('Get free coupon'))}</button></div>",
        "<h2>Important safety information</h2>",
        f"<p>{E(p.k(edu))}</p>",
        "<h2>Case report: a daily dosing error</h2>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<div class=\"{c[5]}\"><span>{E(p.g('Advertisement'))}</span><p>{E(p.g('Ask your rheumatologist whether a once-weekly injectable pen could suit your routine.'))}</p></div>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        "<h3>Laboratory findings on admission</h3><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("White cell count 0.9 × 10^9/L", "Platelets 21 × 10^9/L", "Creatinine 104 µmol/L")],
        "</ul>",
        f"<div class=\"{c[0]}-r\"><p>{E(p.g('Add methotrexate to your medication list to receive refill reminders and recall alerts.'))}</p>"
        f"<button>{E(p.g('Add to my list'))}</button> <button>{E(p.g('Print this monograph'))}</button></div>",
        f"<div class=\"{c[1]}-f\"><h3>{E(p.g('Frequently checked together'))}</h3><ul><li>{E(p.g('Folic acid tablets'))}</li>"
        f"<li>{E(p.g('Hydroxychloroquine'))}</li><li>{E(p.g('Trimethoprim interactions'))}</li></ul></div>",
        f"<div class=\"{c[2]}-l\"><p>{E(p.g('MedCabinet provides information for educational purposes and does not endorse any drug, diagnose patients or recommend therapy.'))}</p>"
        f"<p>{E(p.g('Drug data licensed from a third-party compendium; last synchronised 30 July 2025.'))}</p>"
        f"<p>{E(p.g('© 2025 MedCabinet Health Media LLC'))}</p></div>",
        "</body></html>",
    ]
    return "pharmacy_druginfo_methotrexate", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 3 medical society case of the month (html)


def society_case() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 46-year-old gardener with type 2 diabetes grazed his left shin on a wheelbarrow and noticed redness around the wound the next day.",
        "Within 36 hours the pain had become out of proportion to the visible skin changes, and dusky blisters appeared over the calf.",
        "He was hypotensive at 84/50 mmHg, with a lactate of 5.8 mmol/L and a sodium of 129 mmol/L.",
        "Computed tomography showed gas tracking along the fascial planes of the posterior compartment.",
        "At surgery the fascia was grey and necrotic, and group A Streptococcus grew from the tissue samples.",
        "He needed three debridements, intravenous benzylpenicillin and clindamycin, and split-skin grafting, and he kept the leg.",
    ]
    parts = [
        "<html><head><title>Case of the Month | Society for Surgical Infection</title></head><body>",
        f"<nav><a href=\"/join\">{E(p.g('Become a member'))}</a> <a href=\"/renew\">{E(p.g('Renew your membership'))}</a> "
        f"<a href=\"/login\">{E(p.g('Members area'))}</a> <a href=\"/guidelines\">{E(p.g('Guidelines & position statements'))}</a></nav>",
        f"<div class=\"event-banner\"><p>{E(p.g('Annual Congress 2026 in Valletta: early-bird registration closes on 31 January.'))}</p>"
        f"<a href=\"/congress\">{E(p.g('Register for the congress'))}</a></div>",
        "<div id=\"content\"><h1>Case of the Month: rapidly spreading infection after a garden injury</h1>",
        f"<p class=\"submitted\">{E(p.g('Submitted by the Trainee Committee, reviewed by the Education Board'))}</p>",
        "<h2>Case presentation</h2>",
        f"<p>{E(p.k(*case[:3]))}</p>",
        "<h2>Investigations</h2>",
        f"<p>{E(p.k(case[3]))}</p>",
        f"<div class=\"poll\"><p>{E(p.g('What would you do next? Cast your vote before reading on.'))}</p>"
        "<label>Repeat imaging in 12 hours</label><label>Immediate surgical exploration</label>"
        f"<label>Broaden antibiotics and observe</label><button>{E(p.g('Submit vote'))}</button>"
        f"<p>{E(p.g('68% of 412 members chose surgical exploration'))}</p></div>",
        "<h2>Management and outcome</h2>",
        f"<p>{E(p.k(*case[4:]))}</p>",
        "<h2>Teaching points</h2><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("Pain out of proportion to the skin findings", "Hyponatraemia and raised lactate", "Early debridement saves limbs")],
        "</ul>",
        f"<div class=\"cme\"><p>{E(p.g('Members can claim 1 CME credit by completing the short quiz on this case.'))}</p>"
        f"<a href=\"/cme\">{E(p.g('Start the CME quiz'))}</a></div>",
        f"<div class=\"submit\"><p>{E(p.g('Have an instructive case? Trainees are invited to send theirs to the Education Board for publication.'))}</p></div>",
        "</div>",
        f"<footer><p>{E(p.g('Society for Surgical Infection, a registered scientific association, 3 Rue Fictive, 1000 Brussels'))}</p>"
        f"<p>{E(p.g('Statutes'))} | {E(p.g('Annual reports'))} | {E(p.g('Contact the secretariat'))}</p></footer>",
        "</body></html>",
    ]
    return "society_case_fasciitis", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 4 preprint server page (txt, copied line by line)


def preprint_page() -> tuple[str, str, Page]:
    p = Page()
    title = "Thyrotoxic periodic paralysis presenting as acute quadriparesis after a carbohydrate-rich meal: a case report"
    abstract = [
        "Thyrotoxic periodic paralysis is an uncommon complication of hyperthyroidism that is easily mistaken for a primary neurological emergency.",
    ]
    case = [
        "A 27-year-old man woke at 3 am unable to move his arms or legs after eating a large rice dinner the evening before.",
        "He was alert, cranial nerves were normal, and power was 2/5 in the proximal muscles of all four limbs with reduced reflexes.",
        "Serum potassium was 1.9 mmol/L, free thyroxine 48 pmol/L and thyroid-stimulating hormone undetectable.",
        "The electrocardiogram showed U waves and first-degree atrioventricular block.",
        "He received 40 mmol of potassium chloride over four hours and oral propranolol, and his strength returned fully by the afternoon.",
        "Thyroid-stimulating hormone receptor antibodies were positive, and Graves disease was treated with carbimazole.",
    ]
    lines = [
        p.g("Skip to main content"),
        "ClinArchive",
        p.g("The preprint server for clinical sciences"),
        p.g("Home | About | Submit a manuscript | News & notes | Alerts / RSS"),
        p.g("Search this site"),
        p.g("Advanced search"),
        "",
        p.g("This article is a preprint and has not yet been evaluated by peer review. It reports new clinical research that should not be used to guide clinical practice."),
        "",
        title,
        "Mirela Constantin, Oskar Baumann, Li Wen",
        p.g("doi: https://doi.org/10.5555/2025.03.14.25311902"),
        p.g("This article is a preprint and has not been peer-reviewed [what does this mean?]."),
        p.g("Now published in Endocrine Case Chronicles, doi: 10.5555/ecc.2025.0412"),
        "",
        "Abstract",
        "Full Text",
        p.g("Info/History"),
        p.g("Metrics"),
        p.g("Supplementary material"),
        p.g("Data/Code"),
        p.g("Preview PDF"),
        "",
        "Abstract",
        p.k(*abstract),
        "",
        "Case presentation",
        p.k(*case[:3]),
        p.k(*case[3:]),
        "",
        "Discussion",
        p.k("Paralysis in this condition is caused by an intracellular shift of potassium rather than by a loss of total body potassium.",
            "Rebound hyperkalaemia after aggressive replacement is a recognised hazard and justifies frequent measurement of the potassium level."),
        "",
        "Competing Interest Statement",
        "The authors have declared no competing interest.",
        "",
        p.g("Copyright"),
        p.g("The copyright holder for this preprint is the author/funder, who has granted ClinArchive a license to display the preprint in perpetuity."),
        "",
        p.g("View the discussion thread."),
        p.g("Back to top"),
        p.g("Previous"),
        p.g("Next"),
        p.g("Posted March 17, 2025."),
        p.g("Download PDF"),
        p.g("Print/Save Options"),
        p.g("Email"),
        p.g("Share"),
        p.g("Citation Tools"),
        p.g("Tweet"),
        p.g("Like"),
        p.g("COVID-19 SARS-CoV-2 preprints from ClinArchive and its sister server"),
        p.g("Subject Area"),
        p.g("Endocrinology (including Diabetes Mellitus and Metabolic Disease)"),
        p.g("Subject Areas"),
        p.g("All Articles"),
        p.g("Addiction Medicine"),
        p.g("Allergy and Immunology"),
        p.g("Anesthesia"),
        "",
    ]
    return "preprint_page_tpp", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 5 university repository record (md)


def repository_md() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 9-year-old boy had three weeks of evening fevers, night sweats and a weight loss of 2 kg.",
        "Two months earlier he had been scratched by a new kitten, and a healed papule was still visible on the back of his hand.",
        "Ultrasound of the abdomen showed multiple small hypoechoic lesions in the liver and spleen.",
        "Bartonella henselae IgG was positive at a titre of 1:1024, and a tuberculosis interferon-gamma release assay was negative.",
        "He was treated with rifampicin and azithromycin for two weeks, and the fevers stopped within four days.",
        "Repeat ultrasound at three months showed complete resolution of the lesions.",
    ]
    lines = [
        f"[{p.g('Deposit an item')}](/deposit) · [{p.g('Browse by department')}](/browse) · [{p.g('Open access policy')}](/policy) · [{p.g('Staff login')}](/login)",
        "",
        p.g("Northfield University Research Repository"),
        "",
        "# Hepatosplenic cat-scratch disease as a cause of prolonged fever in a child",
        "",
        p.g("Item Type: Article (Published version)"),
        p.g("Refereed: Yes"),
        p.g("Divisions: Faculty of Medicine > School of Child Health"),
        p.g("Date Deposited: 11 Feb 2025 09:14"),
        p.g("Last Modified: 03 Jun 2025 16:40"),
        p.g("URI: https://repository.northfield.example/id/eprint/48213"),
        "",
        "## Abstract",
        "",
        p.k(*case[:2]),
        p.k(*case[2:4]),
        "",
        p.k(*case[4:]),
        "",
        "## Key messages",
        "",
        *[f"- {p.k(t)}" for t in ("Ask about contact with cats", "Image the liver and spleen", "Serology confirms the diagnosis")],
        "",
        f"## {p.g('Files in this item')}",
        "",
        f"- [{p.g('cat_scratch_fever_child_VoR.pdf')}](/files/1) ({p.g('Available under License Creative Commons Attribution 4.0')}) {p.g('Download (412kB)')}",
        f"- {p.g('Preview unavailable for the supplementary file')}",
        "",
        f"## {p.g('Export citation')}",
        "",
        p.g("BibTeX | EndNote | RIS | Dublin Core | ASCII Citation | HTML Citation"),
        "",
        f"## {p.g('Usage statistics')}",
        "",
        p.g("Abstract views: 1,318 · Downloads: 402 · Last 12 months"),
        "",
        p.g("Actions (login required)"),
        "",
        p.g("Edit Item"),
        "",
        p.g("Repository staff only: item control page"),
        "",
        p.g("The repository is run by the University Library. Contact openaccess@northfield.example with takedown requests."),
        "",
    ]
    return "repository_record_bartonella", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 6 Q&A with answers by several doctors (html)


def qa_multi() -> tuple[str, str, Page]:
    p = Page()
    question = [
        "My father is 68 and two days ago he suddenly got severe pain in his left leg while walking, and the leg went cold and pale.",
        "At the hospital they found a tear in his aorta that had spread down to the artery of the leg.",
        "He had high blood pressure for years but no chest pain at all.",
    ]
    ans1 = [
        "An aortic dissection can extend into the iliac arteries and cut off the blood supply to a leg, so acute limb ischaemia is sometimes its first sign.",
        "Chest or back pain is absent in a minority of patients, which is why the diagnosis is easily missed.",
    ]
    ans2 = [
        "The usual treatment of a type B dissection with a threatened limb is an endovascular stent graft together with strict control of the blood pressure and heart rate.",
        "Long-term follow-up with computed tomography angiography is needed because the false lumen can enlarge over the years.",
    ]
    parts = [
        "<!DOCTYPE html><html><head><title>Leg pain turned out to be aortic dissection - DocsAnswer</title></head><body>",
        f"<div class=\"topnav\"><a href=\"/\">DocsAnswer</a> <a href=\"/ask\">{E(p.g('Post your health question'))}</a> "
        f"<a href=\"/specialists\">{E(p.g('Browse 3,000+ specialists'))}</a> <a href=\"/login\">{E(p.g('Log in / Register'))}</a></div>",
        "<div class=\"question\">",
        "<h1>Sudden cold leg in my father: how can a torn aorta cause this?</h1>",
        f"<p class=\"asker\">{E(p.g('Asked by a family member · Male, 68 years · Vascular surgery'))}</p>",
        f"<p>{E(p.k(*question))}</p>",
        f"<p class=\"qstats\">{E(p.g('3 doctor answers · 2,615 views'))}</p>",
        "</div>",
        "<div class=\"answer\">",
        f"<div class=\"doc\"><b>{E(p.g('Dr. Raúl Esteban'))}</b> <span>{E(p.g('Vascular Surgeon · 19 years of practice'))}</span></div>",
        f"<p>{E(p.k(*ans1))}</p>",
        f"<div class=\"abar\"><a href=\"#\">{E(p.g('Thank the doctor'))}</a> <span>{E(p.g('41 people agreed'))}</span> <a href=\"#\">{E(p.g('Consult Dr. Esteban privately'))}</a></div>",
        "</div>",
        f"<div class=\"sponsored-inline\"><p>{E(p.g('Private video consultation with a cardiologist from $29, usually within the hour.'))}</p></div>",
        "<div class=\"answer\">",
        f"<div class=\"doc\"><b>{E(p.g('Dr. Ingrid Solberg'))}</b> <span>{E(p.g('Interventional Radiologist · Oslo'))}</span></div>",
        f"<p>{E(p.k(*ans2))}</p>",
        f"<div class=\"abar\"><a href=\"#\">{E(p.g('Thank the doctor'))}</a> <span>{E(p.g('17 people agreed'))}</span></div>",
        "</div>",
        "<div class=\"answer\">",
        f"<div class=\"doc\"><b>{E(p.g('Dr. Kwame Asante'))}</b> <span>{E(p.g('General Practitioner · Answered 1 day ago'))}</span></div>",
        "<p>I hope your father is recovering well. Please follow the advice of the team treating him.</p>",
        "</div>",
        f"<div class=\"cta\"><p>{E(p.g('Still worried? Describe your case and a verified specialist will reply within 24 hours.'))}</p>"
        f"<button>{E(p.g('Ask a specialist privately'))}</button></div>",
        f"<div class=\"similar\"><h3>{E(p.g('Questions like this one'))}</h3><ul>"
        f"<li><a href=\"/q1\">{E(p.g('Why does my calf hurt after walking 100 metres?'))}</a></li>"
        f"<li><a href=\"/q2\">{E(p.g('Is a 4 cm aortic aneurysm dangerous at 70?'))}</a></li></ul></div>",
        f"<footer><p>{E(p.g('Answers on DocsAnswer are general opinions and do not establish a doctor-patient relationship.'))}</p>"
        f"<p>{E(p.g('DocsAnswer Ltd · Terms · Privacy · Community guidelines'))}</p></footer>",
        "</body></html>",
    ]
    return "qa_multi_doctor_dissection", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 7 symptom-checker page (txt, browser copy without line breaks)


def symptom_checker_flat() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 34-year-old woman, her husband and their two children all developed headache, nausea and dizziness on the same winter evening.",
        "The symptoms improved whenever they left the house and returned at night.",
        "The carboxyhaemoglobin level was 24% in the mother and 19% in the younger child.",
        "All four were treated with high-flow oxygen through a tight-fitting mask, and the mother also received hyperbaric oxygen because of a brief loss of consciousness.",
        "A faulty gas boiler was found, and none of the family had neurological symptoms at the six-week review.",
    ]
    blocks = [
        p.g("SymptoSure"),
        p.g("Check symptoms"),
        p.g("Find care"),
        p.g("For employers"),
        p.g("Sign up free"),
        p.g("Your answers are private and encrypted."),
        "Case study: a family with headaches that got better outside the house",
        p.g("Clinical team article · 5 min"),
        p.k(*case[:2]),
        p.g("Not sure what is causing your symptoms? Answer a few questions and get possible causes in under three minutes."),
        p.g("Start my assessment"),
        p.k(*case[2:]),
        "Learning points",
        p.k("Symptoms shared by a household suggest an environmental cause."),
        p.k("Pulse oximetry does not detect carbon monoxide poisoning."),
        p.g("SymptoSure is not a diagnosis. It suggests possible causes and the right level of care based on what you tell it."),
        p.g("Rated 4.8 by 120,000 users"),
        p.g("Get the app"),
        p.g("About SymptoSure"),
        p.g("Medical advisory board"),
        p.g("Responsible disclosure"),
        p.g("© 2025 SymptoSure Health GmbH"),
    ]
    # a browser "copy" whose line breaks were lost: blocks end up two or three spaces or a tab apart
    seps = ["  ", "\t", "   ", "  \t"]
    out = blocks[0]
    for i, b in enumerate(blocks[1:]):
        out += seps[i % len(seps)] + b
    return "symptom_checker_co_flat", out + "\n", p


# ----------------------------------------------------------------------------- 8 health insurer member magazine (html)


def insurer_page() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 39-year-old man had a lower molar extracted and three days later developed painful swelling under his jaw and difficulty swallowing.",
        "By the time he reached the emergency department he could not close his mouth, his voice was muffled and the floor of his mouth was raised and firm.",
        "Computed tomography of the neck showed cellulitis of the submandibular and sublingual spaces without a drainable abscess.",
        "His airway was secured by awake fibreoptic intubation, and he was treated with intravenous amoxicillin-clavulanate and dexamethasone.",
        "He was extubated on the fourth day and went home after a week.",
    ]
    parts = [
        "<!DOCTYPE html><html><head><title>When a tooth infection became an emergency | Meridian Mutual Health</title></head><body>",
        f"<div role=\"banner\"><a href=\"/quote\">{E(p.g('Get a quote'))}</a> <a href=\"/members\">{E(p.g('Member sign in'))}</a> "
        f"<a href=\"/providers\">{E(p.g('Find an in-network provider'))}</a> <a href=\"/claims\">{E(p.g('Submit a claim'))}</a></div>",
        f"<div class=\"plan-banner\"><p>{E(p.g('Open enrolment ends December 15. Compare plans and lock in next year’s coverage.'))}</p></div>",
        "<div class=\"article-body\">",
        f"<span class=\"eyebrow\">{E(p.g('Healthy Living magazine · Real stories'))}</span>",
        "<h1>When a tooth infection became an emergency</h1>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<div class=\"benefit-callout\"><p>{E(p.g('Good to know: most Meridian plans cover two dental cleanings a year at no extra cost.'))}</p>"
        f"<a href=\"/dental\">{E(p.g('See your dental benefits'))}</a></div>",
        f"<p>{E(p.k(*case[2:]))}</p>",
        "<h2>Warning signs after dental work</h2><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("Swelling under the jaw", "Trouble swallowing or speaking", "Fever after an extraction")],
        "</ul>",
        f"<p class=\"reviewer\">{E(p.g('Clinically reviewed by Meridian’s medical affairs team in October 2025.'))}</p>",
        "</div>",
        f"<div class=\"nurse-line\"><p>{E(p.g('Members can call our 24/7 nurse line at 1-800-555-0162 at no cost.'))}</p></div>",
        f"<div class=\"footer-legal\"><p>{E(p.g('Coverage and benefits vary by plan. This article is not a statement of coverage.'))}</p>"
        f"<p>{E(p.g('Meridian Mutual Health plans are underwritten by Meridian Mutual Insurance Company.'))}</p>"
        f"<p>{E(p.g('Español'))} | {E(p.g('Tiếng Việt'))} | {E(p.g('Nondiscrimination & accessibility'))}</p></div>",
        "</body></html>",
    ]
    return "insurer_magazine_ludwig", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 9 German site chrome around an English case (html)


def german_chrome() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 16-year-old girl was referred with a three-month decline in school performance, slurred speech and a tremor of both hands.",
        "Her liver enzymes had been mildly raised for a year, and slit-lamp examination showed Kayser-Fleischer rings in both eyes.",
        "Serum ceruloplasmin was 0.06 g/L and 24-hour urinary copper excretion 3.9 µmol.",
        "Magnetic resonance imaging of the brain showed symmetrical T2 hyperintensities in the putamen and thalamus.",
        "Treatment with trientine and zinc was started at a low dose and increased slowly to avoid early neurological worsening.",
        "After one year her speech had improved and she had returned to school.",
    ]
    parts = [
        "<!DOCTYPE html><html lang=\"de\"><head><title>Fallbericht: Morbus Wilson | Klinikum Rheinau</title></head><body>",
        f"<div id=\"consent\"><p>{E(p.g('Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Webseite zu ermöglichen.'))}</p>"
        f"<button>{E(p.g('Alle akzeptieren'))}</button> <button>{E(p.g('Nur notwendige'))}</button> <a href=\"/ds\">{E(p.g('Einstellungen'))}</a></div>",
        f"<div class=\"kopf\"><a href=\"/\">{E(p.g('Startseite'))}</a> <a href=\"/kliniken\">{E(p.g('Kliniken & Zentren'))}</a> "
        f"<a href=\"/karriere\">{E(p.g('Karriere'))}</a> <a href=\"/kontakt\">{E(p.g('Kontakt & Anfahrt'))}</a> <a href=\"/en\">{E(p.g('English version'))}</a></div>",
        f"<div class=\"pfad\">{E(p.g('Sie sind hier: Startseite › Kinder- und Jugendmedizin › Fallberichte'))}</div>",
        "<div class=\"inhalt\">",
        "<h1>Wilson disease presenting with neurological symptoms in an adolescent</h1>",
        f"<p class=\"meta\">{E(p.g('Veröffentlicht am 12.05.2025 von der Redaktion'))}</p>",
        f"<p>{E(p.k(*case[:3]))}</p>",
        f"<div class=\"hinweis\"><p>{E(p.g('Terminvereinbarung für die Spezialsprechstunde Stoffwechsel: Montag bis Freitag 8 bis 12 Uhr.'))}</p></div>",
        f"<p>{E(p.k(*case[3:]))}</p>",
        "<h2>Key investigations</h2><ul>",
        *[f"<li>{E(p.k(t))}</li>" for t in ("Slit-lamp examination", "Serum ceruloplasmin", "24-hour urinary copper")],
        "</ul>",
        f"<p class=\"teilen\">{E(p.g('Diesen Artikel teilen'))}: Facebook | LinkedIn | {E(p.g('E-Mail senden'))}</p>",
        "</div>",
        f"<div class=\"fuss\"><p>{E(p.g('Klinikum Rheinau gGmbH · Uferstraße 4 · 50999 Köln'))}</p>"
        f"<p>{E(p.g('Impressum'))} | {E(p.g('Datenschutzerklärung'))} | {E(p.g('Barrierefreiheit'))} | {E(p.g('Cookie-Einstellungen'))}</p></div>",
        "</body></html>",
    ]
    return "german_chrome_wilson", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 10 French site chrome, copied line by line (txt)


def french_chrome_txt() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 42-year-old hiker was seen for light-headedness and two fainting episodes three weeks after a camping trip in a wooded area.",
        "He remembered removing a tick from his thigh and had noticed an expanding red ring around the bite that faded without treatment.",
        "His pulse was 38 beats per minute, and the electrocardiogram showed complete heart block with a narrow escape rhythm.",
        "Borrelia burgdorferi serology was positive for IgM and IgG.",
        "He was given intravenous ceftriaxone and a temporary pacing wire, and atrioventricular conduction returned to normal after six days.",
        "A permanent pacemaker was not needed.",
    ]
    lines = [
        p.g("Aller au contenu principal"),
        p.g("Accueil"),
        p.g("Nos services"),
        p.g("Prendre rendez-vous"),
        p.g("Espace patient"),
        p.g("Se connecter"),
        "FR | EN",
        "",
        p.g("Accueil > Actualités > Cas cliniques"),
        "",
        "Lyme carditis with complete heart block in a hiker",
        p.g("Publié le 3 juillet 2025 · Temps de lecture : 3 min"),
        "",
        p.k(*case[:2]),
        "",
        p.k(*case[2:4]),
        "",
        p.g("Vous avez des questions sur les maladies transmises par les tiques ? Notre équipe vous répond du lundi au vendredi."),
        p.g("Contactez-nous"),
        "",
        p.k(*case[4:]),
        "",
        "Take-home messages",
        "- " + p.k("Lyme carditis can cause reversible heart block"),
        "- " + p.k("Ask about tick bites in young patients with syncope"),
        "",
        p.g("Partager sur Facebook"),
        p.g("Partager sur LinkedIn"),
        p.g("Imprimer la page"),
        "",
        p.g("Articles similaires"),
        p.g("La vaccination contre la grippe : questions fréquentes"),
        p.g("Bien préparer votre hospitalisation"),
        "",
        p.g("Mentions légales"),
        p.g("Politique de confidentialité"),
        p.g("Gestion des cookies"),
        p.g("© 2025 Centre Hospitalier des Trois Vallées"),
        "",
    ]
    return "french_chrome_lyme", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 11 mobile page, "copy all" on a phone (txt)


def mobile_copy() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 31-year-old woman came to the emergency department with sudden lower abdominal pain and shoulder-tip pain.",
        "Her last menstrual period had been seven weeks earlier, and she had a copper intrauterine device.",
        "Her blood pressure was 88/52 mmHg, and the serum beta-hCG was 3,850 IU/L.",
        "Transvaginal ultrasound showed an empty uterus, a right adnexal mass and free fluid in the pouch of Douglas.",
        "At laparoscopy a ruptured right tubal ectopic pregnancy with 900 mL of haemoperitoneum was found, and a right salpingectomy was performed.",
        "She received two units of red cells and went home two days later.",
    ]
    lines = [
        p.g("☰ Menu"),
        p.g("🔍"),
        p.g("Open in app"),
        p.g("Not now"),
        "",
        "Ruptured ectopic pregnancy despite an intrauterine device",
        p.g("Women's Health Desk"),
        p.g("2d ago · 3 min read"),
        p.g("🔊 Listen"),
        p.g("🔖 Save"),
        p.g("⤴ Share"),
        "",
        p.k(*case[:2]),
        "",
        p.k(case[2]),
        "",
        p.g("Tap to load the full interactive graphic"),
        "",
        p.k(*case[3:5]),
        "",
        p.k(case[5]),
        "",
        p.g("Swipe for the next story →"),
        p.g("Comments (14)"),
        p.g("Turn on notifications to hear about new cases first"),
        p.g("Allow"),
        p.g("↑ Back to top"),
        p.g("Terms · Privacy · Ad choices"),
        "",
    ]
    return "mobile_copy_ectopic", "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- 12 Spanish site chrome (html, generated classes)


def spanish_chrome() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 52-year-old woman had episodes of pounding headache, palpitations and sweating for six months, which she had attributed to the menopause.",
        "During an elective hernia repair her blood pressure rose abruptly to 250/140 mmHg after induction of anaesthesia.",
        "The operation was abandoned, and plasma free metanephrines were later found to be eight times the upper limit of normal.",
        "Computed tomography showed a 4.5 cm heterogeneous left adrenal mass.",
        "After two weeks of phenoxybenzamine followed by a beta-blocker, a laparoscopic left adrenalectomy was performed without complications.",
        "Histology confirmed a phaeochromocytoma, and genetic testing found no germline mutation.",
    ]
    c = ["u2k9d", "t8p1q", "r3n6z", "w0f4m"]
    parts = [
        "<!DOCTYPE html><html lang=\"es\"><head><title>Caso clínico | Revista Clínica del Sur</title></head><body>",
        f"<div class=\"{c[0]}\"><a href=\"/\">{E(p.g('Inicio'))}</a> <a href=\"/numeros\">{E(p.g('Números anteriores'))}</a> "
        f"<a href=\"/autores\">{E(p.g('Normas para autores'))}</a> <a href=\"/suscripcion\">{E(p.g('Suscríbase a la revista'))}</a> "
        f"<a href=\"/acceso\">{E(p.g('Iniciar sesión'))}</a></div>",
        f"<div class=\"{c[1]}\"><p>{E(p.g('Este sitio utiliza cookies propias y de terceros. Si continúa navegando, consideramos que acepta su uso.'))}</p>"
        f"<button>{E(p.g('Aceptar'))}</button> <button>{E(p.g('Más información'))}</button></div>",
        f"<div class=\"{c[2]}\"><h1>Phaeochromocytoma unmasked by a hypertensive crisis during anaesthesia</h1>",
        f"<p>{E(p.g('Recibido: 14/01/2025 · Aceptado: 02/04/2025'))}</p>",
        f"<p>{E(p.k(*case[:2]))}</p>",
        f"<p>{E(p.k(*case[2:4]))}</p>",
        f"<p>{E(p.g('Descargar PDF'))} · {E(p.g('Exportar referencia'))} · {E(p.g('Enviar a un amigo'))}</p>",
        f"<p>{E(p.k(*case[4:]))}</p>",
        f"<p>{E(p.g('Artículos relacionados'))}</p>",
        f"<p><a href=\"/a1\">{E(p.g('Hipertensión secundaria: cuándo sospecharla'))}</a></p></div>",
        f"<div class=\"{c[3]}\"><p>{E(p.g('Revista Clínica del Sur · ISSN 0000-0000 · Todos los derechos reservados'))}</p>"
        f"<p>{E(p.g('Aviso legal'))} | {E(p.g('Política de privacidad'))}</p></div>",
        "</body></html>",
    ]
    return "spanish_chrome_pheo", "\n".join(parts) + "\n", p


# ----------------------------------------------------------------------------- 13 telehealth blog (md)


def telehealth_md() -> tuple[str, str, Page]:
    p = Page()
    case = [
        "A 58-year-old man started linezolid for a diabetic foot infection while taking sertraline 100 mg daily for depression.",
        "On the third day he developed agitation, sweating, diarrhoea and jerking of his legs.",
        "He had a temperature of 38.4 °C, inducible ankle clonus and hyperreflexia that was more marked in the legs than in the arms.",
        "Serotonin syndrome was diagnosed, both drugs were stopped and he was given cyproheptadine and intravenous fluids.",
        "His symptoms resolved within 48 hours, and the infection was treated with doxycycline instead.",
    ]
    lines = [
        f"**{p.g('CareNow Online')}** | [{p.g('See a doctor in 15 minutes')}](/visit) | [{p.g('Pricing')}](/pricing) | [{p.g('Download the CareNow app')}](/app)",
        "",
        "# Serotonin syndrome after an antibiotic: a case from our clinicians",
        "",
        f"*{p.g('Clinical blog · Reviewed by CareNow Medical Director')}*",
        "",
        p.k(*case[:2]),
        "",
        f"> {p.g('Feeling unwell right now? Our clinicians are online 24/7 and most visits take less than 20 minutes.')}",
        "",
        p.k(*case[2:]),
        "",
        "## Why it happened",
        "",
        p.k("Linezolid is a weak monoamine oxidase inhibitor and can cause serotonin toxicity when combined with serotonergic antidepressants."),
        "",
        "## Features to look for",
        "",
        *[f"* {p.k(t)}" for t in ("Clonus, especially at the ankles", "Agitation and sweating", "Fever and diarrhoea")],
        "",
        "---",
        "",
        p.g("Treatment through CareNow is available to adults in participating states. Prescriptions are issued at the clinician’s discretion."),
        "",
        p.g("Tags: pharmacology, antibiotics, mental health"),
        "",
        f"[{p.g('← Older post')}](/blog/older) · [{p.g('Newer post →')}](/blog/newer)",
        "",
    ]
    return "telehealth_blog_serotonin", "\n".join(lines) + "\n", p


BUILDERS = [hospital_news, pharmacy_druginfo, society_case, preprint_page, repository_md, qa_multi, symptom_checker_flat,
            insurer_page, german_chrome, french_chrome_txt, mobile_copy, spanish_chrome, telehealth_md]
EXT = {"hospital_news_heatstroke": "html", "pharmacy_druginfo_methotrexate": "html", "society_case_fasciitis": "html",
       "preprint_page_tpp": "txt", "repository_record_bartonella": "md", "qa_multi_doctor_dissection": "html",
       "symptom_checker_co_flat": "txt", "insurer_magazine_ludwig": "html", "german_chrome_wilson": "html",
       "french_chrome_lyme": "txt", "mobile_copy_ectopic": "txt", "spanish_chrome_pheo": "html",
       "telehealth_blog_serotonin": "md"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "cleaning_heldout3")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for build in BUILDERS:
        name, text, page = build()
        ext = EXT[name]
        (args.out / f"{name}.{ext}").write_text(text, encoding="utf-8")
        expect = {"description": f"held-out page {name} (scripts/make_cleaning_heldout3_fixtures.py)",
                  "gone": page.gone, "kept": page.kept}
        (args.out / f"{name}.expect.json").write_text(json.dumps(expect, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(BUILDERS)} fixtures to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
