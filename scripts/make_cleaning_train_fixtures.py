"""Generate `tests/fixtures/cleaning_train/`: synthetic web pages for training and tuning the cleaner.

`python scripts/make_cleaning_train_fixtures.py [--out tests/fixtures/cleaning_train] [--n 35] [--n2 30]`

Every page is an invented case (written for this project, no corpus text) wrapped in site
chrome drawn from wide pools of wordings: cookie/consent banners, newsletter and
appointment marketing in full sentences, share bars, related-article lists, author bios,
comment sections, sponsored blocks, "was this page helpful", accessibility widgets,
language pickers, breadcrumbs, forum post furniture, Q&A badges, legal footers. Page
kinds: journal article HTML (semantic or generated class names), PMC-like page flattened
to one line, a page copied line by line as text, hospital blog HTML, health Q&A Markdown,
forum thread HTML with several posts, patient-education page, newsletter e-mail text.

Deterministic (seeded): running it again gives byte-identical files. Each fixture is
`<name>.<html|txt|md>` plus `<name>.expect.json` in the format of
`tests/fixtures/cleaning/README.md` ("gone": every chrome item, "kept": every content
sentence). This set is for training the line classifier and for tuning; it is not a
held-out set.
"""

from __future__ import annotations

import argparse
import html
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20261121

# ----------------------------------------------------------------------------- content

CASES = [
    ("septic arthritis of the hip", [
        "A 7-year-old boy was brought in with two days of fever and refusal to bear weight on his right leg.",
        "He held the hip flexed and externally rotated, and any passive movement caused severe pain.",
        "His temperature was 39.2 °C, the white cell count 17.8 × 10^9/L and the C-reactive protein 96 mg/L.",
        "Ultrasound showed a hip effusion, and aspiration under general anaesthesia yielded turbid fluid.",
        "Staphylococcus aureus sensitive to flucloxacillin grew from the joint fluid and from one blood culture.",
        "He underwent arthroscopic washout and received intravenous flucloxacillin for one week, followed by four weeks of oral treatment.",
        "At the three-month review he walked without a limp and the hip had a full range of movement.",
    ]),
    ("Addisonian crisis", [
        "A 38-year-old woman presented with vomiting, abdominal pain and dizziness after a week of gastroenteritis.",
        "Her blood pressure was 78/40 mmHg and her skin was noticeably darker than in photographs from a year earlier.",
        "Serum sodium was 121 mmol/L, potassium 6.1 mmol/L and the random cortisol 23 nmol/L.",
        "She was resuscitated with intravenous saline and given hydrocortisone 100 mg intravenously, and her blood pressure recovered within hours.",
        "Adrenocorticotropic hormone was markedly raised and adrenal antibodies were positive, confirming autoimmune adrenal insufficiency.",
        "She was discharged on hydrocortisone and fludrocortisone with written sick-day rules and an emergency injection kit.",
    ]),
    ("herpes zoster ophthalmicus", [
        "A 71-year-old man noticed a burning pain over his left forehead, followed three days later by a vesicular rash in the same area.",
        "The rash extended to the tip of his nose, and the left eye was red and sensitive to light.",
        "Slit-lamp examination showed dendritiform lesions of the corneal epithelium and mild anterior uveitis.",
        "He was treated with oral valaciclovir 1 g three times daily for seven days and topical steroid drops under ophthalmology supervision.",
        "The uveitis settled over four weeks, but he was left with post-herpetic neuralgia that needed amitriptyline at night.",
        "He had not received the shingles vaccine, and it was offered to his wife at the same visit.",
    ]),
    ("pulmonary embolism in pregnancy", [
        "A 31-year-old woman at 28 weeks of gestation developed sudden breathlessness and pleuritic chest pain on the right.",
        "Her heart rate was 118 beats per minute and the oxygen saturation 91% on room air.",
        "The electrocardiogram showed sinus tachycardia, and compression ultrasound of both legs found no thrombosis.",
        "A computed tomography pulmonary angiogram with abdominal shielding showed emboli in the right lower lobe arteries.",
        "She was started on weight-adjusted enoxaparin twice daily, which was continued until six weeks after delivery.",
        "She delivered a healthy baby girl by spontaneous vaginal delivery at 39 weeks.",
    ]),
    ("Guillain-Barre syndrome", [
        "A 45-year-old man developed tingling in his feet ten days after an episode of diarrhoea.",
        "Over the following four days the weakness ascended to his thighs and arms, and he could no longer climb stairs.",
        "Tendon reflexes were absent throughout, while sensation to pinprick was only mildly reduced.",
        "The cerebrospinal fluid protein was 1.9 g/L with a normal cell count, and nerve conduction studies showed a demyelinating neuropathy.",
        "He received intravenous immunoglobulin 0.4 g/kg daily for five days, and his forced vital capacity was monitored every six hours.",
        "He did not need ventilation and was walking with a stick after six weeks of inpatient rehabilitation.",
    ]),
    ("acute angle-closure glaucoma", [
        "A 64-year-old woman presented at night with a severe headache, vomiting and blurred vision in the right eye.",
        "She had taken an over-the-counter cold remedy containing an antihistamine earlier that evening.",
        "The right pupil was mid-dilated and unreactive, the cornea was hazy and the intraocular pressure was 58 mmHg.",
        "Gonioscopy confirmed a closed angle, and the left eye had a narrow angle at risk of closure.",
        "Pressure was lowered with intravenous acetazolamide and topical timolol and pilocarpine, followed by laser peripheral iridotomy in both eyes.",
        "Her visual acuity returned to 6/9 in the right eye within two weeks.",
    ]),
    ("lithium toxicity", [
        "A 58-year-old man on long-term lithium for bipolar disorder became confused and unsteady after starting a diuretic for ankle swelling.",
        "He had a coarse tremor, slurred speech and myoclonic jerks of both arms.",
        "The serum lithium level was 3.1 mmol/L and the creatinine had risen from 96 to 188 µmol/L.",
        "Lithium and the diuretic were stopped, and he underwent two sessions of haemodialysis because of the neurological signs.",
        "His confusion cleared over five days, but a mild cerebellar ataxia persisted at the three-month follow-up.",
        "His psychiatrist changed his mood stabiliser to valproate.",
    ]),
    ("Kawasaki disease", [
        "A 3-year-old girl had a fever for six days that did not respond to antipyretics.",
        "She had bilateral non-purulent conjunctival injection, cracked red lips, a strawberry tongue and swelling of the hands and feet.",
        "A polymorphous rash covered her trunk, and there was a single enlarged cervical lymph node of 2 cm.",
        "Echocardiography showed a dilated left anterior descending coronary artery with a z-score of 3.2.",
        "She was given intravenous immunoglobulin 2 g/kg and high-dose aspirin, and the fever resolved within 24 hours.",
        "At eight weeks the coronary artery dimensions had returned to normal and aspirin was stopped.",
    ]),
    ("diabetic ketoacidosis with euglycaemia", [
        "A 52-year-old woman with type 2 diabetes taking empagliflozin was admitted with nausea, vomiting and rapid breathing two days after a cholecystectomy.",
        "Her blood glucose was only 9.8 mmol/L, but the venous pH was 7.08, bicarbonate 8 mmol/L and blood ketones 6.2 mmol/L.",
        "Euglycaemic diabetic ketoacidosis related to the sodium-glucose cotransporter 2 inhibitor was diagnosed.",
        "She was treated with intravenous fluids, a fixed-rate insulin infusion and dextrose to allow the insulin to continue.",
        "The acidosis resolved after 30 hours, and empagliflozin was not restarted.",
    ]),
    ("spontaneous pneumothorax", [
        "A 22-year-old tall, thin man felt a sudden sharp pain on the left side of his chest while sitting at his desk.",
        "Breath sounds were reduced over the left hemithorax, and the oxygen saturation was 95% on room air.",
        "The chest radiograph showed a left-sided pneumothorax with a rim of 3 cm at the level of the hilum.",
        "Needle aspiration removed 1.6 litres of air, and a repeat radiograph showed the lung fully expanded.",
        "He was advised not to fly for two weeks after radiological resolution and to stop smoking.",
    ]),
]

EDUCATION = [
    "Septic arthritis in children most often affects the hip and knee and needs urgent drainage to protect the joint.",
    "Adrenal crisis is life-threatening and is treated with intravenous hydrocortisone and fluids before the results are back.",
    "Shingles near the eye can damage vision and should be assessed by an eye specialist within a day.",
    "Pregnancy increases the risk of venous thromboembolism about fivefold, and the risk is highest in the weeks after delivery.",
    "Most people with Guillain-Barre syndrome recover, although recovery can take many months.",
    "Several common medicines, including some antihistamines and decongestants, can trigger angle closure in eyes with narrow angles.",
    "Dehydration and some diuretics and painkillers raise lithium levels, so regular blood tests are part of treatment.",
    "Kawasaki disease is the most common cause of acquired heart disease in children in high-income countries.",
]

# Short structured content: a heading and a list of clinical items (kept, however short).
STRUCTURED = [
    ("Differential diagnosis", ["Deep vein thrombosis", "Ruptured popliteal cyst", "Cellulitis", "Gastrocnemius tear"]),
    ("Investigations", ["Full blood count", "Serum lactate", "Blood cultures", "Compression ultrasound"]),
    ("Key points", ["Sepsis can present without fever", "Check the lactate early", "Image the joint before surgery"]),
    ("Symptoms", ["Fever and rigors", "Painful swollen joint", "Reduced appetite"]),
    ("Treatment", ["Intravenous hydrocortisone", "Isotonic saline", "Fludrocortisone maintenance"]),
    ("Warning signs", ["Confusion or drowsiness", "Vomiting that will not stop", "Fainting"]),
    ("Risk factors", ["Recent surgery", "Oral contraceptive use", "Long-haul travel", "Obesity"]),
    ("Outcome", ["Full recovery at three months", "No recurrence at one year"]),
]

# ----------------------------------------------------------------------------- chrome pools

COOKIE = [
    "We use cookies and similar technologies to improve your experience, analyse traffic and personalise content.",
    "This website stores data such as cookies to enable essential site functionality, as well as marketing, personalisation and analytics.",
    "By continuing to browse this site you agree to our use of cookies.",
    "We and our partners process personal data such as your IP address to deliver tailored advertising and measure its performance.",
    "Your privacy matters to us. Choose which optional trackers you are happy for us to use.",
    "Some features of this site rely on third-party services that may set their own cookies on your device.",
    "We value your privacy: select Accept to allow all technologies, or Manage to choose which ones we may use.",
    "Our site uses tracking technologies to understand how visitors use our pages and to show you relevant ads.",
    "Can we store small files on your device to remember your preferences and measure site usage?",
]
COOKIE_BUTTONS = ["Accept all", "Reject non-essential", "Manage preferences", "Allow selection", "Got it", "I agree",
                  "Decline", "Customise settings", "Only necessary", "Save my choices", "OK, continue"]

NEWSLETTER_HEAD = ["Stay in the loop", "Get our weekly health digest", "Never miss an update", "The Healthy Living Letter",
                   "Join our mailing list", "Sign up for clinical updates", "Fresh research, every Friday"]
NEWSLETTER_BODY = [
    "Expert advice from our doctors, delivered straight to your inbox every week.",
    "Get the latest research news and practical tips sent to you twice a month. Unsubscribe at any time.",
    "Be the first to hear about new treatments, clinical trials and events near you.",
    "Join more than 80,000 readers who get our free newsletter on heart, brain and bone health.",
    "Enter your email address and we will send you our most-read stories each Sunday morning.",
    "Receive a monthly round-up of case reports, quizzes and continuing education opportunities.",
]
NEWSLETTER_BUTTON = ["Subscribe", "Sign me up", "Count me in", "Send me updates", "Join now", "Get the newsletter"]

MARKETING_OPEN = ["Worried about your {organ}?", "Need a second opinion?", "Looking for expert care?",
                  "Living with {topic}?", "Is {topic} holding you back?", "Questions about your {organ} health?"]
MARKETING_BODY = [
    "Our award-winning team of specialists is here to help you get back to the life you love.",
    "Same-day and weekend appointments are available at our clinics across the region.",
    "Our consultants offer fast access to diagnosis and treatment, with no waiting list.",
    "We have helped thousands of families find answers, and we are ready to help yours.",
    "Talk to one of our friendly care advisers to find the right specialist for you.",
    "Start your journey to better health with a free 15-minute phone consultation.",
    "Our nurses are available around the clock to answer your questions.",
    "Members save 20% on all consultations and get priority booking.",
]
MARKETING_CTA = ["Book your consultation today", "Request an appointment", "Find a doctor near you", "Make an appointment online",
                 "Speak to our team", "Schedule a visit", "Check your symptoms now", "Call 0800 555 0199 to book",
                 "Start your free trial", "See available times"]
ORGANS = ["heart", "joints", "skin", "eyes", "kidneys", "lungs", "back", "hormones"]
TOPICS = ["joint pain", "diabetes", "migraine", "back pain", "anxiety", "an eye condition"]

SHARE = ["Share this article", "Share on Facebook", "Share via email", "Pin it", "Copy link", "Send to a friend",
         "Tweet this", "Post to LinkedIn", "Print this page", "Save for later", "Email this story", "Share: X · Facebook · WhatsApp"]

RELATED_HEAD = ["Related articles", "You may also like", "More from our blog", "Recommended for you", "Read next",
                "Popular this week", "Other readers also viewed", "Explore more stories"]
RELATED_TITLES = [
    "Five myths about cholesterol, busted", "How to sleep better during a heatwave", "What your resting heart rate says about you",
    "Is intermittent fasting right for you?", "The truth about vitamin D supplements", "When should you worry about a headache?",
    "Ten simple swaps for a healthier lunchbox", "Why do my knees click when I climb stairs?", "A beginner's guide to strength training after fifty",
    "Coping with hay fever season", "Can stress really turn your hair grey?", "Understanding your blood test results",
]

AUTHOR_BIO = [
    "Dr. Helena Markovic is a consultant rheumatologist and writes regularly for our patient blog.",
    "About the author: James Okafor is a health journalist with fifteen years of experience covering medicine.",
    "Priya Venkatesh, RN, has worked in emergency nursing for over a decade and leads our patient education team.",
    "Dr. Tomas Lindqvist is a family physician with a special interest in sports medicine. Follow him for weekly tips.",
    "Our editorial team is made up of doctors, nurses and medical writers who review every article.",
]

COMMENTS = ["3 comments", "Leave a comment", "Log in to comment", "Great write-up, thanks for sharing!",
            "Reply", "Report comment", "Load more comments", "Comments are closed for this article.",
            "Join the discussion", "Sort by: Newest", "This really helped me understand what my dad went through, thank you.",
            "Be the first to comment"]

SPONSORED = ["Sponsored", "Advertisement", "Promoted content", "Paid partnership", "Ad", "Partner content",
             "Discover the smart blood pressure monitor trusted by 2 million users. Order today and get free delivery.",
             "Earn 12 CPD points with our self-paced online dermatology course. Enrol now and save 25%.",
             "Feel younger, stronger and more energetic with our doctor-formulated daily multivitamin.",
             "Try our symptom checker app: answers in minutes, available 24/7 on iOS and Android."]

HELPFUL = ["Was this page helpful?", "Yes", "No", "Did this article answer your question?", "Thanks for your feedback!",
           "Rate this article", "How useful was this page?", "Tell us how we can improve this page",
           "Was this information useful to you?", "Give feedback"]

ACCESSIBILITY = ["Accessibility options", "Increase text size", "Decrease text size", "High contrast", "Listen to this article",
                 "Text size: A A A", "Read aloud", "Dyslexia-friendly font", "Reset display settings", "Screen reader help"]

LANGUAGE = ["English | Español | Français | Deutsch", "Select language", "Choose your language", "Translate this page",
            "Language: English", "EN · ES · FR · PT", "View this page in another language"]

BREADCRUMB = ["Home / Conditions / {cat}", "Home > Health A-Z > {cat}", "You are here: Home » Patient stories » {cat}",
              "Health Library / {cat} / Case studies", "Home › News › {cat}"]
CATEGORIES = ["Bones and joints", "Hormones", "Eye health", "Women's health", "Neurology", "Heart and lungs", "Children's health"]

NAV = ["Find a doctor", "Locations", "Patients & visitors", "Pay my bill", "Careers", "Donate", "MyChart login", "Health library",
       "Conditions A-Z", "Clinical trials", "For professionals", "About us", "Contact", "News", "Events", "Shop",
       "Podcasts", "Videos", "Our services", "Refer a patient"]

FOOTER = ["Privacy notice", "Terms of use", "Modern slavery statement", "Accessibility statement", "Cookie settings",
          "Sitemap", "Freedom of information", "Notice of privacy practices", "Price transparency", "Complaints",
          "Do not sell my information", "Media enquiries"]
FOOTER_LINES = [
    "Registered charity number 1098765. Registered office: 12 Harbour Row, Kestrelford KF2 8QP.",
    "Northvale Health is a trading name of Northvale Health Group Limited, registered in England and Wales.",
    "The content on this site is for general information only and is not a substitute for professional medical advice.",
    "If you think you may have a medical emergency, call your doctor or 999 immediately.",
    "Always talk to your own doctor or pharmacist before changing or stopping any medicine.",
    "Information on this website does not replace a consultation with a qualified healthcare professional.",
    "Opinions expressed by contributors are their own and do not necessarily reflect those of the publisher.",
    "Follow us on Instagram, TikTok and YouTube for daily health tips.",
    "Download our app from the App Store or Google Play.",
    "Northvale Health, 400 Mill Lane, Brackenbury, ON K0L 2A0 · Tel 555-0187",
]
NOTICES = [
    "Visitor update: from Monday, face masks are required in all outpatient areas.",
    "Our phone lines are very busy. You may find the answer to your question in our help centre.",
    "Important: our Eastside clinic is closed for refurbishment until the end of the month.",
    "Flu vaccination clinics are now open for everyone aged 65 and over.",
    "Please note that our website will be unavailable on Sunday between 2 am and 6 am for maintenance.",
]

BYLINE = ["By Dr. Sara Whitcombe | Updated 12 March 2024", "Written by the editorial team · 6 min read",
          "Medically reviewed by Dr. Amir Haddad, MD — Last reviewed 3 January 2025", "Posted on 14 June 2023 by admin",
          "Published 2 February 2024 · Reading time: 4 minutes", "Story by Lucy Tran, health writer"]

FORUM_META = ["Posted 2 hours ago", "Joined: Mar 2019", "Posts: 1,482", "Reputation 3,210", "Likes: 57", "Quote", "Report post",
              "Reply with quote", "Moderator", "Top contributor", "Thread starter", "Last edited 14 May 2024",
              "Subscribe to this thread", "Mark as solution", "12 replies · 3,401 views", "Upvote", "Downvote",
              "Permalink", "Member since 2017", "Verified physician"]

QA_META = ["Answered by Dr. Nadia Rahimi, MD, Internal Medicine", "Ask a doctor now", "1,204 people found this answer helpful",
           "Related questions", "Get a personalised answer in minutes", "Doctors online now: 14",
           "Reviewed by our medical panel", "Question asked by a 45-year-old female user", "Answer from a verified doctor",
           "Unlock unlimited answers with Premium."]

EMAIL = ["View this email in your browser", "You are receiving this email because you subscribed to our updates.",
         "Unsubscribe | Update your preferences", "Forward to a colleague", "Add us to your address book so our emails reach your inbox.",
         "This email was sent to you by Medline Digest, 5 Quay Street, Portlake.", "Read the full story on our website"]


# ----------------------------------------------------------------------------- page builders


class Page:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.gone: list[str] = []
        self.kept: list[str] = []

    def chrome(self, text: str) -> str:
        """Chrome text: listed in "gone" unless too short to test by substring ("Yes", "Ad")."""
        if len(text) >= 5 and text not in self.gone:
            self.gone.append(text)
        return text

    def content(self, sentences: list[str]) -> str:
        self.kept.extend(s for s in sentences if s not in self.kept)
        return " ".join(sentences)

    def structured(self, bullet: str) -> list[str]:
        """A heading and a short list of clinical items, all content."""
        heading, items = self.rng.choice(STRUCTURED)
        lines = [heading] + [f"{bullet}{item}" for item in items]
        self.kept.extend(line for line in lines if line not in self.kept)
        return lines

    def pick(self, pool: list[str], k: int = 1) -> list[str]:
        return self.rng.sample(pool, min(k, len(pool)))

    def marketing(self) -> list[str]:
        r = self.rng
        return [
            r.choice(MARKETING_OPEN).format(organ=r.choice(ORGANS), topic=r.choice(TOPICS)),
            r.choice(MARKETING_BODY),
            r.choice(MARKETING_CTA),
        ]

    def paragraphs(self, case: list[str]) -> list[list[str]]:
        """Split a case into 2-4 paragraphs."""
        n = self.rng.randint(2, min(4, len(case)))
        cut = sorted(self.rng.sample(range(1, len(case)), n - 1))
        bounds = [0, *cut, len(case)]
        return [case[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _cls(rng: random.Random, semantic: str, generated: bool) -> str:
    if generated:
        return "css-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    return semantic


def html_page(rng: random.Random, title: str, case: list[str], kind: str) -> tuple[str, Page]:
    """Journal, blog, patient-education or forum page in HTML."""
    p = Page(rng)
    gen = rng.random() < 0.5  # generated class names: nothing semantic to go by
    e = html.escape
    out = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(title.capitalize())} | Northvale Health</title></head><body>"]
    if rng.random() < 0.7:
        items = "".join(f"<p>{e(p.chrome(t))}</p>" for t in [rng.choice(COOKIE)]) + " ".join(
            f"<button>{e(p.chrome(b))}</button>" for b in p.pick(COOKIE_BUTTONS, 2))
        out.append(f"<div class=\"{_cls(rng, 'cookie-consent', gen)}\">{items}</div>")
    if rng.random() < 0.6:
        out.append(f"<div class=\"{_cls(rng, 'site-notice', gen)}\">{e(p.chrome(rng.choice(NOTICES)))}</div>")
    nav = "".join(f"<a href=\"/{i}\">{e(p.chrome(t))}</a> " for i, t in enumerate(p.pick(NAV, 5)))
    out.append(f"<div class=\"{_cls(rng, 'top-nav', gen)}\">{nav}</div>")
    if rng.random() < 0.5:
        out.append(f"<div class=\"{_cls(rng, 'lang', gen)}\"><span>{e(p.chrome(rng.choice(LANGUAGE)))}</span></div>")
    if rng.random() < 0.5:
        acc = " ".join(f"<a href=\"#\">{e(p.chrome(t))}</a>" for t in p.pick(ACCESSIBILITY, 2))
        out.append(f"<div class=\"{_cls(rng, 'a11y-tools', gen)}\">{acc}</div>")
    crumb = rng.choice(BREADCRUMB).format(cat=rng.choice(CATEGORIES))
    out.append(f"<div class=\"{_cls(rng, 'crumbs', gen)}\">{e(p.chrome(crumb))}</div>")
    out.append(f"<div class=\"{_cls(rng, 'main', gen)}\"><h1>{e(title.capitalize())}</h1>")
    out.append(f"<div class=\"{_cls(rng, 'byline', gen)}\">{e(p.chrome(rng.choice(BYLINE)))}</div>")
    if rng.random() < 0.6:
        share = " ".join(f"<a href=\"#\">{e(p.chrome(t))}</a>" for t in p.pick(SHARE, 3))
        out.append(f"<div class=\"{_cls(rng, 'share-bar', gen)}\">{share}</div>")
    paragraphs = p.paragraphs(case)
    for k, para in enumerate(paragraphs):
        out.append(f"<p>{e(p.content(para))}</p>")
        if k == 0 and rng.random() < 0.7:
            m = p.marketing()
            out.append(
                f"<div class=\"{_cls(rng, 'promo-box', gen)}\"><p><strong>{e(p.chrome(m[0]))}</strong> {e(p.chrome(m[1]))}</p>"
                f"<a class=\"{_cls(rng, 'btn', gen)}\" href=\"/book\">{e(p.chrome(m[2]))}</a></div>"
            )
        if k == 1 and rng.random() < 0.5:
            ad = p.pick(SPONSORED[:6], 1) + p.pick(SPONSORED[6:], 1)
            out.append(f"<div class=\"{_cls(rng, 'ad-slot', gen)}\"><span>{e(p.chrome(ad[0]))}</span> <p>{e(p.chrome(ad[1]))}</p></div>")
    if rng.random() < 0.6:
        edu = rng.choice(EDUCATION)
        out.append(f"<h2>What this case teaches</h2><p>{e(p.content([edu]))}</p>")
    if rng.random() < 0.6:
        out.append(f"<div class=\"{_cls(rng, 'author-bio', gen)}\"><p>{e(p.chrome(rng.choice(AUTHOR_BIO)))}</p></div>")
    if rng.random() < 0.7:
        items = "".join(f"<p>{e(p.chrome(t))}</p>" for t in [HELPFUL[0] if rng.random() < 0.5 else rng.choice(HELPFUL[3:])])
        out.append(f"<div class=\"{_cls(rng, 'feedback', gen)}\">{items}<button>{e(p.chrome('Yes'))}</button><button>No</button></div>")
    if rng.random() < 0.7:
        head = rng.choice(NEWSLETTER_HEAD)
        body = rng.choice(NEWSLETTER_BODY)
        out.append(
            f"<div class=\"{_cls(rng, 'newsletter-signup', gen)}\"><h3>{e(p.chrome(head))}</h3><p>{e(p.chrome(body))}</p>"
            f"<input type=\"email\" placeholder=\"Email address\"><button>{e(p.chrome(rng.choice(NEWSLETTER_BUTTON)))}</button></div>"
        )
    out.append("</div>")
    if rng.random() < 0.8:
        head = rng.choice(RELATED_HEAD)
        links = "".join(f"<li><a href=\"/r{i}\">{e(p.chrome(t))}</a></li>" for i, t in enumerate(p.pick(RELATED_TITLES, 3)))
        out.append(f"<div class=\"{_cls(rng, 'related', gen)}\"><h2>{e(p.chrome(head))}</h2><ul>{links}</ul></div>")
    if rng.random() < 0.5:
        com = "".join(f"<p>{e(p.chrome(t))}</p>" for t in p.pick(COMMENTS, 3))
        out.append(f"<div class=\"{_cls(rng, 'comments', gen)}\">{com}</div>")
    foot = " · ".join(f"<a href=\"/f{i}\">{e(p.chrome(t))}</a>" for i, t in enumerate(p.pick(FOOTER, 3)))
    lines = "".join(f"<p>{e(p.chrome(t))}</p>" for t in p.pick(FOOTER_LINES, 2))
    out.append(f"<div class=\"{_cls(rng, 'site-footer', gen)}\">{lines}<p>{foot}</p><p>{e(p.chrome('© 2024 Northvale Health Group'))}</p></div>")
    out.append("</body></html>\n")
    return "\n".join(out), p


def forum_page(rng: random.Random, title: str, case: list[str], extra: list[str]) -> tuple[str, Page]:
    """Forum thread in HTML: the case in the first post, replies discussing it."""
    p = Page(rng)
    e = html.escape
    out = [f"<!DOCTYPE html><html><head><title>{e(title)} - ClinBoard</title></head><body>"]
    out.append(f"<div class=\"header\"><a href=\"/\">ClinBoard</a> <a href=\"/new\">{e(p.chrome('Start a new thread'))}</a> "
               f"<a href=\"/login\">{e(p.chrome('Sign in'))}</a></div>")
    out.append(f"<div class=\"crumbs\">{e(p.chrome('Forums / Case discussions / ' + rng.choice(CATEGORIES)))}</div>")
    out.append(f"<div id=\"thread\"><h1>{e(title.capitalize())} - any thoughts?</h1>")
    posts = [case[: len(case) // 2 + 1], case[len(case) // 2 + 1 :], extra]
    for k, body in enumerate(posts):
        meta = p.pick(FORUM_META, 3)
        out.append(f"<div class=\"post\" id=\"p{k}\"><div class=\"post-author\"><a href=\"/u/{k}\">user{k}</a> "
                   + " ".join(f"<span>{e(p.chrome(m))}</span>" for m in meta) + "</div>")
        out.append(f"<div class=\"post-body\"><p>{e(p.content(body))}</p></div>")
        out.append("<div class=\"post-actions\">" + " ".join(f"<a href=\"#\">{e(t)}</a>" for t in ("Reply", "Like", "Share")) + "</div></div>")
        if k == 0:
            ad = rng.choice(SPONSORED[6:])
            out.append(f"<div class=\"ad-slot\"><span>Sponsored</span><p>{e(p.chrome(ad))}</p></div>")
    out.append(f"<div class=\"reply-box\"><p>{e(p.chrome('You need to be logged in to reply to this thread.'))}</p></div></div>")
    out.append(f"<footer><p>{e(p.chrome(rng.choice(FOOTER_LINES[5:7])))}</p><p>{e(p.chrome('© 2024 ClinBoard Ltd'))}</p></footer>")
    out.append("</body></html>\n")
    return "\n".join(out), p


def text_page(rng: random.Random, title: str, case: list[str], flat: bool) -> tuple[str, Page]:
    """A page copied as text, line by line or flattened to one line (blocks split by wide gaps)."""
    p = Page(rng)
    blocks: list[str] = []
    blocks += [p.chrome(t) for t in p.pick(NAV, 4)]
    if rng.random() < 0.6:
        blocks.append(p.chrome(rng.choice(COOKIE)))
        blocks += [p.chrome(b) for b in p.pick(COOKIE_BUTTONS, 2)]
    if rng.random() < 0.5:
        blocks.append(p.chrome(rng.choice(LANGUAGE)))
    blocks.append(p.chrome(rng.choice(BREADCRUMB).format(cat=rng.choice(CATEGORIES))))
    blocks.append(title.capitalize())
    blocks.append(p.chrome(rng.choice(BYLINE)))
    if rng.random() < 0.5:
        blocks += [p.chrome(t) for t in p.pick(ACCESSIBILITY, 2)]
    if rng.random() < 0.5:
        blocks += [p.chrome(t) for t in p.pick(SHARE, 2)]
    for k, para in enumerate(p.paragraphs(case)):
        blocks.append(p.content(para))
        if k == 0 and rng.random() < 0.7:
            blocks += [p.chrome(t) for t in p.marketing()]
        if k == 1 and rng.random() < 0.5:
            blocks += [p.chrome(rng.choice(SPONSORED[:6])), p.chrome(rng.choice(SPONSORED[6:]))]
    if rng.random() < 0.6:
        blocks += p.structured(rng.choice(["• ", "- ", "* "]))
    if rng.random() < 0.5:
        blocks += [p.chrome(rng.choice(AUTHOR_BIO))]
    if rng.random() < 0.7:
        blocks += [p.chrome(t) for t in (rng.choice(HELPFUL[3:]), "Yes", "No")]
    if rng.random() < 0.7:
        blocks += [p.chrome(rng.choice(NEWSLETTER_HEAD)), p.chrome(rng.choice(NEWSLETTER_BODY)), p.chrome(rng.choice(NEWSLETTER_BUTTON))]
    if rng.random() < 0.7:
        blocks += [p.chrome(rng.choice(RELATED_HEAD))] + [p.chrome(t) for t in p.pick(RELATED_TITLES, 3)]
    if rng.random() < 0.5:
        blocks += [p.chrome(t) for t in p.pick(COMMENTS, 3)]
    blocks += [p.chrome(t) for t in p.pick(FOOTER_LINES, 2)]
    blocks.append(p.chrome(" · ".join(p.pick(FOOTER, 3))))
    blocks.append(p.chrome("© 2025 Northvale Health. All rights reserved."))
    if flat:
        return "     ".join(blocks) + "\n", p
    return "\n".join(blocks) + "\n", p


def qa_page(rng: random.Random, title: str, case: list[str]) -> tuple[str, Page]:
    """Health Q&A answer page saved as Markdown."""
    p = Page(rng)
    lines = [f"[{p.chrome('Ask a question')}](/ask) | [{p.chrome('Browse topics')}](/topics) | [{p.chrome('Log in')}](/login)", ""]
    lines += [f"# {title.capitalize()}: what happened?", ""]
    lines += [p.chrome(rng.choice(QA_META[7:9])), ""]
    lines += [p.content(case[:2]), ""]
    lines += [p.chrome(QA_META[0]), "", p.chrome(rng.choice(QA_META[6:7] + QA_META[8:9])), ""]
    for para in p.paragraphs(case[2:]):
        lines += [p.content(para), ""]
    if rng.random() < 0.7:
        block = p.structured("- ")
        lines += [f"## {block[0]}", "", *block[1:], ""]
    lines += [f"**{p.chrome(rng.choice(QA_META[1:2] + QA_META[4:5]))}**", "", p.chrome(rng.choice(QA_META[9:])), ""]
    lines += [p.chrome(rng.choice(HELPFUL[:1] + HELPFUL[3:5])), "", p.chrome(QA_META[2]), ""]
    lines += [f"## {p.chrome(QA_META[3])}", ""] + [f"- [{p.chrome(t)}](/q{i})" for i, t in enumerate(p.pick(RELATED_TITLES, 3))]
    lines += ["", p.chrome(rng.choice(FOOTER_LINES[2:6])), "", p.chrome("© 2024 AskClinic Inc.")]
    return "\n".join(lines) + "\n", p


def email_page(rng: random.Random, title: str, case: list[str]) -> tuple[str, Page]:
    """Newsletter e-mail saved as text, with a case of the month inside."""
    p = Page(rng)
    lines = [p.chrome(EMAIL[0]), "", p.chrome("MEDLINE DIGEST · ISSUE 214"), "", "Case of the month: " + title, ""]
    for para in p.paragraphs(case):
        lines += [p.content(para), ""]
    if rng.random() < 0.6:
        lines += [*p.structured("• "), ""]
    lines += [p.chrome(EMAIL[6]), "", p.chrome(rng.choice(SPONSORED[6:])), ""]
    lines += [p.chrome(EMAIL[3]), p.chrome(EMAIL[4]), "", p.chrome(EMAIL[1]), p.chrome(EMAIL[5]), p.chrome(EMAIL[2])]
    return "\n".join(lines) + "\n", p


# ----------------------------------------------------------------------------- batch 2: other site families
# Written for round 3 of issue #4: site kinds and wordings the first batch lacks, so the
# classifier and the HTML pruning learn chrome by its shape rather than by a few phrases.
# Each family: chrome before the title, chrome between paragraphs, chrome after the text.

FAMILIES = {
    "wiki": (
        ["Jump to navigation", "Jump to search", "From MedWiki, the free clinical encyclopedia", "Edit this page", "View history",
         "Talk page", "Create account", "Random article", "What links here"],
        ["This section needs additional citations for verification.", "Please help improve this article by adding reliable sources."],
        ["Retrieved from medwiki.example/w/index.php?oldid=88123", "Categories: Rare diseases | Articles with case vignettes",
         "This page was last edited on 3 May 2024, at 11:02.", "Text is available under a Creative Commons licence; additional terms may apply.",
         "About MedWiki", "Mobile view", "Developers", "Statistics", "Cookie statement"],
    ),
    "elearning": (
        ["Course home", "My courses", "Module 4 of 9: Acute care", "Progress: 45% complete", "Resume where you left off",
         "Learner dashboard", "Help centre"],
        ["Pause and reflect: what would you do next?", "Reveal the answer", "Drag the findings into the correct order.",
         "Take a moment to note your working diagnosis before continuing."],
        ["Mark this lesson as complete", "Previous lesson", "Next lesson", "Discussion board (23 posts)",
         "A certificate is issued after the final assessment.", "Need help? Contact course support", "Accessibility statement for learners"],
    ),
    "podcast": (
        ["All episodes", "Subscribe on Apple Podcasts", "Listen on Spotify", "Episode 87 · 42 min", "RSS feed", "Play episode"],
        ["This episode is brought to you by a continuing education platform for busy clinicians.",
         "Skip to 14:20 for the discussion of imaging."],
        ["Show notes", "Full transcript available to members", "Rate and review the show wherever you listen.",
         "Support the show on Patreon", "Music by Lowtide Studio", "Guest appearances are not endorsements."],
    ),
    "charity": (
        ["Donate now", "Get support", "Fundraise for us", "Our helpline is open weekdays from 9am to 5pm",
         "Information and support", "Volunteer with us", "Shop"],
        ["Just £10 a month could pay for a specialist nurse call.", "Give monthly and help families like this one.",
         "Share your story to help others feel less alone."],
        ["Registered charity in England and Wales (1187001) and Scotland (SC048812).", "Gift Aid your donation",
         "Visit our charity shop", "Fundraising regulator logo", "Sign up to our supporter emails"],
    ),
    "conference": (
        ["Programme", "Abstract book", "Speakers", "Exhibitors", "Venue and travel", "Registration is open"],
        ["Poster board P-117", "Session: Clinical vignettes II", "Add to my schedule", "Presenting author will be at the poster on Thursday."],
        ["Download the congress app", "Abstracts are published as submitted by the authors and have not been edited.",
         "Organised by the Northern Internal Medicine Forum", "Become a sponsor", "Code of conduct for attendees"],
    ),
    "doctor": (
        ["Find a specialist", "Accepting new patients", "Insurances accepted", "4.7 out of 5 (187 reviews)", "Languages: English, Polish",
         "Office hours"],
        ["Book online in under a minute.", "Next available appointment: Tuesday 9:30", "Video visits available"],
        ["Verified patient reviews", "Report an issue with this profile", "Is this your practice? Claim your profile",
         "Listings are not recommendations.", "Terms for providers"],
    ),
    "news": (
        ["Top stories", "World", "Health", "Science", "Opinion", "Live updates", "Sign in to personalise your feed"],
        ["Advertisement — story continues below", "Read more: the hidden cost of hospital delays", "Most read this hour",
         "This article is part of our series on medical mysteries."],
        ["Get the morning briefing in your inbox", "Corrections policy", "Contact the newsroom", "Syndication and reprints",
         "Ad choices", "Manage cookies"],
    ),
    "mobile": (
        ["≡ Sections", "Get the app for a better experience", "Continue in browser", "⌂ Home", "👤 Account", "Tap for more"],
        ["▶ Watch: the clinician explains the scan (2:14)", "Scroll to keep reading ↓", "Pinch to zoom the image"],
        ["♡ 120", "💬 Reply", "↗ Share this", "Next article ›", "Desktop site", "⚙ Settings", "Report a bug in the app"],
    ),
    "italian": (
        ["Chi siamo", "Contatti", "Area riservata", "Accetta tutti i cookie", "Prenota una visita", "Lavora con noi"],
        ["Condividi su Facebook", "Leggi anche"],
        ["Informativa sulla privacy", "Tutti i diritti riservati", "Partita IVA 01234567890", "Dove siamo"],
    ),
    "portuguese": (
        ["Página inicial", "Fale conosco", "Entrar", "Marcar consulta", "Trabalhe conosco"],
        ["Compartilhar", "Veja também"],
        ["Política de privacidade", "Todos os direitos reservados", "Mapa do site", "Ouvidoria"],
    ),
    "dutch": (
        ["Over ons", "Inloggen", "Afspraak maken", "Zoeken op de site", "Vacatures"],
        ["Deel dit artikel", "Lees ook"],
        ["Alle cookies accepteren", "Privacyverklaring", "Disclaimer en copyright", "Klachtenregeling"],
    ),
}
FAMILY_NAMES = sorted(FAMILIES)

# Batch 3 (round 4 of issue #4): more site families, written with their own wordings, so the
# classifiers see chrome of yet other shapes (counters, timestamps, archive and capture
# notes, portal furniture, shop cards, agency footers, blog archives, social posts).
FAMILIES3 = {
    "stackqa": (
        ["Ask Question", "Asked 3 years, 2 months ago", "Modified 5 months ago", "Viewed 8k times", "Questions tagged [dermatology]",
         "Unanswered", "Collectives on the network", "Teams for clinics: try it free"],
        ["Add a comment", "Improve this answer", "edited Jan 4 at 10:13", "answered Mar 9, 2022 at 18:40", "Show 2 more comments",
         "Follow this question to receive notifications"],
        ["Not the answer you need? Browse other questions tagged case-report or ask your own question.", "Hot network questions",
         "Linked (3)", "Site design and logo © 2025; user contributions licensed under CC BY-SA",
         "Highly active question. Earn 10 reputation in order to answer this question.", "Your privacy choices"],
    ),
    "wayback": (
        ["The Web Preservation Archive", "47 captures", "12 Jan 2019 - 30 Aug 2024", "About this capture",
         "Collected by: weekly crawl of health sites", "Go back to the calendar view", "Timestamps"],
        ["The capture you are viewing may be incomplete; some images failed to load.", "Organization: Open Web Preservation"],
        ["Save a page now", "Donate to keep the archive free", "Why is part of this page blank?", "Archived pages are provided as-is.",
         "Report an archival problem"],
    ),
    "portal": (
        ["MyHealth Connect", "Welcome back, Sam", "Your menu", "Messages (1 unread)", "Test results", "Billing and payments", "Log out",
         "Switch to your child's record"],
        ["This summary was printed on 04/02/2025 at 10:41 AM", "Questions about your visit? Send a message to your care team.",
         "Some results may be released before your clinician has reviewed them."],
        ["Release of records to patients follows applicable law.", "MRN: 00418822", "Download a copy of your record",
         "Manage proxy access", "Powered by a patient engagement platform", "Session expires in 10 minutes"],
    ),
    "library": (
        ["Library search", "Everything ▾", "Find it at the library", "Check availability", "Full text options",
         "Peer-reviewed journals only", "Sign in for full access"],
        ["Add to folder", "Cite this item", "Export to reference manager", "Permalink to this record"],
        ["Ask a librarian", "Request through interlibrary loan", "Off-campus access via the proxy server",
         "Results are drawn from licensed databases and may not be complete.", "Library opening hours"],
    ),
    "video": (
        ["Shorts", "Subscriptions", "Subscribe to the channel", "142K subscribers", "318,902 views · 2 years ago", "Show transcript",
         "Join this channel"],
        ["Chapters: 0:00 Intro · 4:12 The imaging · 9:30 Outcome", "Auto-generated captions are available",
         "Tap the bell to be notified of new cases"],
        ["Up next", "Autoplay is on", "1,047 comments", "Add a public comment...", "Report this video",
         "Music licensed to the channel by a stock library", "Transcript generated automatically and may contain errors."],
    ),
    "agency": (
        ["An official website of the health department", "Here is how you know", "Search the agency site", "A-Z index",
         "Media room", "Publications and data"],
        ["On this page", "Related pages", "Print this section"],
        ["Page last reviewed: March 4, 2024", "Content source: Division of Infection Surveillance", "Contact the agency",
         "Policies · Freedom of information · Inspector general", "Links with this icon indicate that you are leaving our website."],
    ),
    "cached": (
        ["This is a cached copy of the page as it appeared on 2 Sep 2024.", "The current page may have changed since then.",
         "Text-only version", "Full version", "Tip: press Ctrl+F to find your search term quickly"],
        ["Learn more about cached pages"],
        ["Cached pages are stored by the search service and are not endorsed by the original site.", "Return to the search results",
         "Similar pages"],
    ),
    "shop": (
        ["Free shipping over $50", "Cart (0)", "Wishlist", "Shop by concern", "Best sellers", "Rewards club"],
        ["As featured in this story: the ThermaWrap heat pad, now 30% off", "Add to cart", "Only 3 left in stock"],
        ["These statements have not been evaluated by any regulator.",
         "Affiliate disclosure: we may earn a commission when you buy through links on our site.",
         "Returns and refunds", "Track your order", "Gift cards"],
    ),
    "blogger": (
        ["About me", "Archive", "Search this blog", "Followers (212)", "Pages: Cases · ECG quizzes · Contact"],
        ["Posted by Dr K at 9:14 PM", "Labels: cardiology, ECG", "No comments yet"],
        ["Newer post", "Older post", "Subscribe to: Post comments (Atom)", "Blog archive", "► 2023 (14)", "▼ 2024 (9)",
         "Theme images by a stock photographer", "Powered by a free blogging service"],
    ),
    "social": (
        ["See new posts", "Conversation", "For you", "Following", "Trending in Health"],
        ["2:14 PM · Mar 5, 2025 · 48.2K Views", "312 Reposts 41 Quotes 1,900 Likes 208 Bookmarks", "Show this thread"],
        ["Relevant people", "Who to follow", "Show more replies", "Terms of Service | Privacy Policy | Cookie Policy | Ads info",
         "Post your reply", "Discover more: sourced from across the network"],
    ),
}
FAMILY3_NAMES = sorted(FAMILIES3)
# class names no list of chrome words holds: only the DOM structure and the text tell chrome from content
NEUTRAL_CLASSES = ["strip", "rail", "kicker", "mod", "panel", "box", "c-teaser", "zone-a", "zone-b", "slot", "well", "tile",
                   "blk", "section-x", "meta", "aux", "extra", "lower", "upper", "band"]


def family_page(rng: random.Random, family: str, title: str, case: list[str], fmt: str) -> tuple[str, Page]:
    """A page of `family` in format html, text (line by line), tabs (copied with tabs and narrow gaps) or md."""
    p = Page(rng)
    top, inline, bottom = FAMILIES[family] if family in FAMILIES else FAMILIES3[family]
    head = [p.chrome(t) for t in p.pick(top, rng.randint(3, 5))]
    mid = [p.chrome(t) for t in p.pick(inline, 1)]
    tail = [p.chrome(t) for t in p.pick(bottom, rng.randint(3, 5))]
    paragraphs = p.paragraphs(case)
    structured = p.structured("- ") if rng.random() < 0.6 else []
    edu = p.content([rng.choice(EDUCATION)]) if rng.random() < 0.5 else ""
    if fmt == "html":
        e = html.escape
        cls = lambda: rng.choice(NEUTRAL_CLASSES) + ("-" + str(rng.randint(1, 9)) if rng.random() < 0.5 else "")  # noqa: E731
        out = [f"<!DOCTYPE html><html><head><title>{e(title.capitalize())}</title></head><body>"]
        out.append(f"<div class=\"{cls()}\">" + " ".join(f"<a href=\"/t{i}\">{e(t)}</a>" if rng.random() < 0.6 else f"<span>{e(t)}</span>"
                                                      for i, t in enumerate(head)) + "</div>")
        out.append(f"<div class=\"{cls()}\"><h1>{e(title.capitalize())}</h1>")
        for k, para in enumerate(paragraphs):
            out.append(f"<p>{e(p.content(para))}</p>")
            if k == 0:
                out.append(f"<div class=\"{cls()}\"><p>{e(mid[0])}</p></div>")
        if edu:
            out.append(f"<p>{e(edu)}</p>")
        if structured:
            out.append(f"<h3>{e(structured[0])}</h3><ul>" + "".join(f"<li>{e(t[2:])}</li>" for t in structured[1:]) + "</ul>")
            p.kept = [k for k in p.kept if not k.startswith("- ")] + [t[2:] for t in structured[1:]]
        out.append("</div>")
        out.append(f"<div class=\"{cls()}\">" + "".join(f"<p>{e(t)}</p>" if rng.random() < 0.5 else f"<a href=\"/b{i}\">{e(t)}</a> "
                                                     for i, t in enumerate(tail)) + "</div>")
        out.append("</body></html>\n")
        return "\n".join(out), p
    blocks = head + [title.capitalize()]
    for k, para in enumerate(paragraphs):
        blocks.append(p.content(para))
        if k == 0:
            blocks += mid
    if edu:
        blocks.append(edu)
    blocks += structured + tail
    if fmt == "md":
        md = [" · ".join(f"[{t}](/n{i})" for i, t in enumerate(head)), "", f"# {title.capitalize()}", ""]
        for block in blocks[len(head) + 1 :]:
            md += [block, ""]
        return "\n".join(md), p
    if fmt == "tabs":
        seps = ["\t", "  ", "\t\t", "  \t"]
        return "".join(b + seps[k % len(seps)] for k, b in enumerate(blocks)).rstrip() + "\n", p
    return "\n".join(blocks) + "\n", p


# ----------------------------------------------------------------------------- batch 4: chrome from a grammar
# Round 4 of issue #4: instead of fixed phrases, chrome is composed from parts (a UI verb and an
# object, a counter and a noun, a byline with a date, a notice written as a plain sentence, a menu
# of nav words), so no two pages share their wording and the classifiers learn chrome by its shape.

G_VERBS = ["Download", "Save", "Share", "Print", "Export", "Cite", "Follow", "Bookmark", "Watch", "Listen to", "Rate",
           "Flag", "Embed", "Copy", "Open", "View", "Browse", "Explore", "Join", "Register for", "Upgrade to", "Unlock",
           "Try", "Claim", "Compare", "Vote on", "Translate", "Enlarge", "Expand", "Show", "Hide", "Load", "Filter",
           "Sort", "Add", "Send", "Track", "Manage", "Request", "Preview", "Revisit", "Switch to"]
G_OBJECTS = ["this article", "the PDF", "the full text", "to your library", "the citation", "this case", "the slides",
             "the transcript", "all comments", "more replies", "the app", "the image gallery", "all {n} images",
             "related content", "the original version", "high-resolution figures", "supplementary material",
             "this author", "notifications", "the thread", "premium", "your reading list", "the quiz", "the video",
             "the audio version", "your dashboard", "alerts for this topic", "the print edition", "reader mode",
             "a free account", "the discussion", "similar cases"]
G_COUNT_NOUNS = ["views", "likes", "reads", "downloads", "shares", "comments", "followers", "saves", "citations",
                 "reactions", "bookmarks", "plays", "votes", "answers", "subscribers", "reviews"]
G_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
G_FIRST = ["Ines", "Marek", "Odile", "Tariq", "Wen", "Bryony", "Kofi", "Lucia", "Anders", "Hira", "Emeka", "Sunniva"]
G_LAST = ["Haldane", "Oyelaran", "Vasquez", "Nakamura", "Brennan", "Petrov", "Achterberg", "Lindgren", "Mensah", "Kowal"]
G_SITE_A = ["Medi", "Clini", "Ward", "Pulse", "Vita", "Case", "Scan", "Derm", "Neuro", "Cardio", "Health", "Rx"]
G_SITE_B = ["Hub", "Point", "Notes", "Desk", "Wire", "Lens", "Atlas", "Forum", "Base", "Stream", "Post", "Daily"]
G_NAV = ["Home", "Topics", "Specialties", "Latest", "Podcasts", "Events", "Jobs", "Store", "About", "Contact", "Authors",
         "Archive", "Collections", "Webinars", "Community", "Help", "Careers", "Partners", "Advertise", "Press"]
G_NOTICES = [
    "{site} is not responsible for the content of external websites.",
    "Images are for illustration only and do not show the patient described.",
    "This page is archived and is no longer updated.",
    "Comments are moderated and may take a day to appear.",
    "Prices and availability are subject to change without notice.",
    "{site} is a registered trademark of {site} Media Group.",
    "The views expressed are those of the contributor and not of {site}.",
    "Figures are reproduced with permission of the copyright holder.",
    "Some links on this page are affiliate links.",
    "Content is reviewed every two years by the editorial board of {site}.",
    "Reuse of this material requires written permission from the publisher.",
    "This feature is supported by an unrestricted educational grant.",
    "Registration is free for students and trainees.",
    "Technical problems were reported with the image viewer on older browsers.",
    "Reader comments do not reflect the opinion of the editors.",
    "Member benefits depend on the subscription tier.",
]
G_LABELS = ["Section", "Category", "Filed under", "Topic", "Series", "Collection", "Format", "Audience", "Level", "Type"]
G_LABEL_VALUES = ["Case files", "Emergency medicine", "For clinicians", "Beginner", "Video case", "Teaching file",
                  "Open access", "Grand rounds", "Patient voices", "Quick reads"]


def g_site(rng: random.Random) -> str:
    return rng.choice(G_SITE_A) + rng.choice(G_SITE_B)


def g_date(rng: random.Random) -> str:
    return f"{rng.choice(G_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2019, 2026)}"


def g_chrome(rng: random.Random, site: str) -> str:
    """One piece of chrome in a freshly composed wording."""
    kind = rng.randrange(8)
    n = rng.choice([rng.randint(2, 99), rng.randint(100, 9999)])
    if kind == 0:
        return f"{rng.choice(G_VERBS)} {rng.choice(G_OBJECTS).format(n=rng.randint(3, 40))}"
    if kind == 1:
        num = f"{n:,}" if rng.random() < 0.6 else f"{n / 10:.1f}K"
        return f"{num} {rng.choice(G_COUNT_NOUNS)}" + (f" · {rng.randint(2, 60)} {rng.choice(G_COUNT_NOUNS)}" if rng.random() < 0.4 else "")
    if kind == 2:
        name = f"{rng.choice(G_FIRST)} {rng.choice(G_LAST)}"
        forms = [f"By {name} · {g_date(rng)}", f"{name} | {rng.randint(2, 15)} min read", f"Posted {g_date(rng)} by {name}",
                 f"Updated {g_date(rng)}", f"First published {g_date(rng)} · Last modified {g_date(rng)}",
                 f"{g_date(rng)} at {rng.randint(1, 12)}:{rng.randint(10, 59)} {rng.choice(['AM', 'PM'])}"]
        return rng.choice(forms)
    if kind == 3:
        return rng.choice(G_NOTICES).format(site=site)
    if kind == 4:
        sep = rng.choice([" | ", " · ", " / ", "  "])
        return sep.join(rng.sample(G_NAV, rng.randint(3, 6)))
    if kind == 5:
        return f"{rng.choice(G_LABELS)}: {rng.choice(G_LABEL_VALUES)}"
    if kind == 6:
        return rng.choice([f"© {rng.randint(2015, 2026)} {site}", f"{site} Ltd, all content © {rng.randint(2015, 2026)}",
                           f"{site}.example", f"Powered by {g_site(rng)}", f"Part of the {site} network"])
    return rng.choice([f"{rng.choice(['♥', '👍', '★', '👁', '💬', '🔖'])} {n}", f"{rng.randint(1, 9)} of {rng.randint(10, 30)}",
                       f"← {rng.choice(['Previous', 'Back'])}", f"{rng.choice(['Next', 'More'])} →", "▲ Top", "☰ Menu"])


def grammar_page(rng: random.Random, title: str, case: list[str], fmt: str) -> tuple[str, Page]:
    """A page whose chrome is composed by `g_chrome`: 3-6 pieces before the title, 1-2 between
    paragraphs, 3-6 after the text; html (nested neutral containers), text, md, tabs or a flat line."""
    p = Page(rng)
    site = g_site(rng)
    head = [p.chrome(g_chrome(rng, site)) for _ in range(rng.randint(3, 6))]
    tail = [p.chrome(g_chrome(rng, site)) for _ in range(rng.randint(3, 6))]
    paragraphs = p.paragraphs(case)
    mids = [[p.chrome(g_chrome(rng, site)) for _ in range(rng.randint(1, 2))] if k < len(paragraphs) - 1 else []
            for k in range(len(paragraphs))]
    structured = p.structured("- ") if rng.random() < 0.5 else []
    edu = p.content([rng.choice(EDUCATION)]) if rng.random() < 0.5 else ""
    title = title.capitalize()
    if fmt == "html":
        e = html.escape
        cls = lambda: _cls(rng, rng.choice(NEUTRAL_CLASSES), rng.random() < 0.5)  # noqa: E731

        def wrap(t: str) -> str:
            tag = rng.choice(["p", "span", "a", "div", "small", "li"])
            if tag == "a":
                return f"<a href=\"/x{rng.randint(1, 999)}\">{e(t)}</a>"
            if tag == "li":
                return f"<ul><li>{e(t)}</li></ul>"
            return f"<{tag}>{e(t)}</{tag}>"

        out = [f"<!DOCTYPE html><html><head><title>{e(title)} | {site}</title></head><body>"]
        out.append(f"<div class=\"{cls()}\">" + "\n".join(wrap(t) for t in head) + "</div>")
        out.append(f"<div class=\"{cls()}\"><div class=\"{cls()}\"><h1>{e(title)}</h1>")
        for k, para in enumerate(paragraphs):
            out.append(f"<p>{e(p.content(para))}</p>")
            if mids[k]:
                out.append(f"<div class=\"{cls()}\">" + "\n".join(wrap(t) for t in mids[k]) + "</div>")
        if edu:
            out.append(f"<p>{e(edu)}</p>")
        if structured:
            out.append(f"<h3>{e(structured[0])}</h3><ul>" + "".join(f"<li>{e(t[2:])}</li>" for t in structured[1:]) + "</ul>")
            p.kept = [k for k in p.kept if not k.startswith("- ")] + [t[2:] for t in structured[1:]]
        out.append("</div></div>")
        out.append(f"<div class=\"{cls()}\">" + "\n".join(wrap(t) for t in tail) + "</div>")
        out.append("</body></html>\n")
        return "\n".join(out), p
    blocks = head + [title]
    for k, para in enumerate(paragraphs):
        blocks.append(p.content(para))
        blocks += mids[k]
    if edu:
        blocks.append(edu)
    blocks += structured + tail
    if fmt == "md":
        md = []
        for b in blocks:
            if b == title:
                md += [f"# {b}", ""]
            elif b in head or b in tail:
                md += [f"[{b}](/l{rng.randint(1, 99)})" if rng.random() < 0.4 and "  " not in b else b, ""]
            else:
                md += [b, ""]
        return "\n".join(md), p
    if fmt == "tabs":
        seps = ["\t", "  ", "\t\t", "  \t"]
        return "".join(b + seps[k % len(seps)] for k, b in enumerate(blocks)).rstrip() + "\n", p
    if fmt == "flat":
        return "   ".join(blocks) + "\n", p
    return "\n".join(blocks) + "\n", p


def print_page(rng: random.Random, title: str, case: list[str]) -> tuple[str, Page]:
    """A web page printed to PDF by a browser and copied back as text: date/title header and URL/page footer on every page."""
    p = Page(rng)
    stamp = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/24, {rng.randint(1, 12)}:{rng.randint(10, 59)} PM"
    site = rng.choice(["ClinicNotes", "CaseBank", "MedPages"])
    url = f"https://www.{site.lower()}.example/cases/{rng.randint(1000, 9999)}"
    paragraphs = p.paragraphs(case)
    pages = []
    for k, para in enumerate(paragraphs):
        body = [p.content(para)]
        if k == 0:
            body = [p.chrome(t) for t in p.pick(NAV, 3)] + [title.capitalize()] + body
        header = f"{stamp}   " + p.chrome(f"{title.capitalize()} | {site}")
        p.chrome(stamp)
        pages.append([header, "", *body, "", p.chrome(url) + f"   {k + 1}/{len(paragraphs)}"])
    return "\f".join("\n".join(page) + "\n" for page in pages), p


def build(n: int, n2: int = 0, n3: int = 0, n4: int = 0) -> list[tuple[str, str, str, Page]]:
    rng = random.Random(SEED)
    kinds = ["html", "html", "forum", "text", "flat", "qa", "email"]
    fixtures = []
    for k in range(n):
        title, case = CASES[k % len(CASES)]
        kind = kinds[k % len(kinds)]
        r = random.Random(rng.randrange(1 << 30))
        if kind == "html":
            text, page = html_page(r, title, case, kind)
            ext = "html"
        elif kind == "forum":
            extra = [r.choice(EDUCATION), CASES[(k + 3) % len(CASES)][1][0].replace("was brought in", "presented")]
            text, page = forum_page(r, title, case, extra[:1])
            ext = "html"
        elif kind in ("text", "flat"):
            text, page = text_page(r, title, case, flat=kind == "flat")
            ext = "txt"
        elif kind == "qa":
            text, page = qa_page(r, title, case)
            ext = "md"
        else:
            text, page = email_page(r, title, case)
            ext = "txt"
        slug = title.split()[0].lower().replace("-", "")
        fixtures.append((f"train_{k:02d}_{kind}_{slug}", ext, text, page))
    # batch 2 (its own seed: batch 1 stays byte-identical)
    rng2 = random.Random(SEED + 2)
    formats = ["html", "text", "tabs", "md", "html"]
    for j in range(n2):
        k = n + j
        title, case = CASES[(j * 3 + 1) % len(CASES)]
        r = random.Random(rng2.randrange(1 << 30))
        slug = title.split()[0].lower().replace("-", "")
        if j % 6 == 5:
            text, page = print_page(r, title, case)
            fixtures.append((f"train_{k:02d}_print_{slug}", "txt", text, page))
            continue
        family = FAMILY_NAMES[j % len(FAMILY_NAMES)]
        fmt = formats[j % len(formats)]
        text, page = family_page(r, family, title, case, fmt)
        ext = {"html": "html", "md": "md"}.get(fmt, "txt")
        fixtures.append((f"train_{k:02d}_{family}_{slug}", ext, text, page))
    # batch 3 (its own seed: batches 1 and 2 stay byte-identical)
    rng3 = random.Random(SEED + 3)
    formats3 = ["html", "text", "md", "tabs", "html", "text"]
    for j in range(n3):
        k = n + n2 + j
        title, case = CASES[(j * 3 + 2) % len(CASES)]
        r = random.Random(rng3.randrange(1 << 30))
        slug = title.split()[0].lower().replace("-", "")
        family = FAMILY3_NAMES[j % len(FAMILY3_NAMES)]
        fmt = formats3[(j // len(FAMILY3_NAMES) + j) % len(formats3)]
        text, page = family_page(r, family, title, case, fmt)
        ext = {"html": "html", "md": "md"}.get(fmt, "txt")
        fixtures.append((f"train_{k:02d}_{family}_{slug}", ext, text, page))
    # batch 4 (its own seed: batches 1-3 stay byte-identical)
    rng4 = random.Random(SEED + 4)
    formats4 = ["html", "text", "html", "md", "tabs", "html", "flat"]
    for j in range(n4):
        k = n + n2 + n3 + j
        title, case = CASES[(j * 7 + 3) % len(CASES)]
        r = random.Random(rng4.randrange(1 << 30))
        slug = title.split()[0].lower().replace("-", "")
        fmt = formats4[j % len(formats4)]
        text, page = grammar_page(r, title, case, fmt)
        ext = {"html": "html", "md": "md"}.get(fmt, "txt")
        fixtures.append((f"train_{k:03d}_grammar_{slug}", ext, text, page))
    return fixtures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "cleaning_train")
    parser.add_argument("--n", type=int, default=35)
    parser.add_argument("--n2", type=int, default=30, help="pages of the second batch (other site families)")
    parser.add_argument("--n3", type=int, default=30, help="pages of the third batch (more site families, round 4)")
    parser.add_argument("--n4", type=int, default=42, help="pages of the fourth batch (chrome composed by a grammar, round 4)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("train_*"):
        old.unlink()
    built = build(args.n, args.n2, args.n3, args.n4)
    for name, ext, text, page in built:
        (args.out / f"{name}.{ext}").write_text(text, encoding="utf-8")
        expect = {"description": f"synthetic {name.split('_')[2]} page (scripts/make_cleaning_train_fixtures.py)",
                  "gone": page.gone, "kept": page.kept}
        (args.out / f"{name}.expect.json").write_text(json.dumps(expect, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(built)} fixtures to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
