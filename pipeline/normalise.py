"""Normalise: spaCy Doc -> flat Mention rows, and mentions -> case-level rollups.

Input: a `Doc` of the cleaned text and its `CleanText` (for the offset map); the
packaged lexicon for concept details. Output: `Mention` records (offsets into the
clean and source text), concept rows, and per-category (case, concept) rollups.
Pure functions; no I/O.

A mention the lexicon does not code gets a `local` concept keyed by its normalised
text (`local:<category>/<normalised text>`), so that analysts can still group it.
A short form ("OO", with `Span._.long_form` "osteoid osteoma") is coded as its long form;
its `text` stays the short form as written. A short form the document does not define is
coded as its usual sense in the mention's category (`coding.expansion`: PCP as a
diagnosis, INH as a treatment). Section, assertion, experiencer (and their
triggers) come from the components' span attributes; laterality, levels, imaging body
region and treatment kind from `pipeline.coding`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from spacy.tokens import Doc, Span

from pipeline import coding
from pipeline.lexicon import Concept, Lexicon, normalise_key
from pipeline.records import CleanText, Mention

_LOCAL_CODE = re.compile(r"[^a-z0-9]+")


def local_concept(category: str, text: str) -> Concept:
    """The project's own concept for a mention no vocabulary codes."""
    words = text.split()
    if words:  # one concept for singular and plural ('intestinal crypts' = 'intestinal crypt')
        words[-1] = coding.singular(words[-1])
    key = normalise_key(words)
    code = f"{category}/{_LOCAL_CODE.sub('-', key).strip('-') or 'x'}"
    return Concept(f"local:{code}", category, key, "local", code, "")


def doc_to_mentions(doc: Doc, clean: CleanText, lexicon: Lexicon) -> tuple[list[Mention], dict[str, Concept]]:
    """One Mention per entity, plus the concepts they are coded to."""
    mentions: list[Mention] = []
    concepts: dict[str, Concept] = {}
    for ent in doc.ents:
        if any(ent.start_char < seam < ent.end_char for seam in clean.seams):
            # the span joins text from both sides of removed text (e.g. a page header):
            # it has no contiguous source span, so it cannot be written honestly
            continue
        category = ent.label_.lower()
        text = ent.text
        concept, mesh = code_mention_with_mesh(ent, category, lexicon)
        concepts[concept.concept_id] = concept
        raw_start, raw_end = clean.raw_span(ent.start_char, ent.end_char)
        mentions.append(
            Mention(
                case_id=clean.case_id,
                mention_id=f"{clean.case_id}-m{len(mentions) + 1:04d}",
                category=category,
                text=text,
                start=ent.start_char,
                end=ent.end_char,
                raw_start=raw_start,
                raw_end=raw_end,
                section=ent._.report_section if ent.doc._.report_sections else "",
                assertion=ent._.assertion or "",
                experiencer=ent._.experiencer or "",
                concept_id=concept.concept_id,
                preferred_term=concept.preferred_term,
                code_system=concept.code_system,
                code=concept.code,
                source=ent._.source or "model",
                assertion_trigger=ent._.assertion_trigger or "",
                experiencer_trigger=ent._.experiencer_trigger or "",
                long_form=ent._.long_form or "",
                laterality=coding.laterality(ent) if category in ("anatomy", "imaging", "diagnosis") else "",
                level=coding.levels(ent) if category in ("anatomy", "diagnosis") else "",
                body_region=coding.body_region(ent) if category == "imaging" else "",
                kind=coding.treatment_kind(ent, concept.kind) if category == "treatment" else concept.kind,
                mesh_id=mesh.code if mesh is not None else "",
                mesh_term=mesh.preferred_term if mesh is not None else "",
            )
        )
    return mentions, concepts


def code_mention(ent: Span, category: str, lexicon: Lexicon) -> Concept:
    """The concept of one entity (see the module docstring for the order of attempts)."""
    return code_mention_with_mesh(ent, category, lexicon)[0]


def code_mention_with_mesh(ent: Span, category: str, lexicon: Lexicon) -> tuple[Concept, Concept | None]:
    """The concept of one entity, and the MeSH concept the lexicon matched when there is one.

    A diagnosis coded to ICD-10-CM keeps its MeSH concept beside it: ICD-10-CM often files
    distinct diseases under one code (osteoid osteoma and osteoblastoma are both D16.9),
    and MeSH tells them apart."""
    text = ent.text
    long_form = ent._.long_form or ""
    concept = lexicon.concepts.get(ent._.concept_id) if ent._.concept_id else None
    if concept is not None and concept.category != category:
        concept = None
    words = [t.text for t in ent]
    attempts = [words, *coding.lookup_variants(words, category)]
    if not long_form:
        # a short form the document does not define: its usual sense in the category
        # (PCP as a diagnosis, INH as a treatment)
        long_form = coding.expansion(text, category) or ""
    if long_form:
        lf = long_form.split()
        attempts += [lf, *coding.lookup_variants(lf, category)]
    if category == "anatomy" and ent.end < len(ent.doc) and ent.doc[ent.end].lower_ in coding.lookup_words()["head"]:
        # an adjective-only span before its noun ('left oculomotor' nerve palsy)
        extended = [*words, ent.doc[ent.end].text]
        attempts += [extended, *coding.lookup_variants(extended, category)]
    for attempt in attempts:
        if concept is not None:
            break
        concept = _lookup(lexicon, attempt, category)
    mesh = concept if concept is not None and concept.code_system == "MeSH" else None
    if category == "diagnosis":
        # the ICD-10-CM matcher knows inclusion terms ('Pulmonary edema NOS' -> J81.1),
        # so it goes first (also with only default words added: 'nonrheumatic'), then a
        # neoplasm by behaviour and a named site; a lexicon
        # ICD-10-CM concept is the fall-back, then the synonyms of the lexicon concept,
        # then the back-offs of `coding.icd10cm_code` in its order (one extra word, a
        # neoplasm of unspecified site, the Index rewrites, the head: 'axonal sensory
        # neuropathy' -> 'neuropathy')
        texts = [" ".join(a) for a in attempts]
        code = coding.icd10cm_exact(texts) or coding.icd10cm_default(texts) or coding.icd10cm_neoplasm(texts, sited_only=True)
        if code is None and concept is not None and concept.code_system == "ICD-10-CM":
            code = coding.billable(concept.code)
        if code is None:
            code = _icd10cm_for(attempts, concept, lexicon)
        if code is None:
            code = coding.icd10cm_backoff(texts, [concept.preferred_term] if concept is not None else [])
        if code is not None:
            concept = Concept(f"ICD-10-CM:{code}", category, coding.icd10cm_title(code), "ICD-10-CM", code, "disease")
    if concept is None:
        concept = local_concept(category, long_form or text)
    return concept, mesh


def _icd10cm_for(attempts: list[list[str]], concept: Concept | None, lexicon: Lexicon) -> str | None:
    """ICD-10-CM for a diagnosis the lexicon did not code to ICD-10-CM: the synonyms of
    its MeSH concept as an ICD-10-CM title or inclusion term (the code most synonyms agree
    on; on a tie, the one a synonym of fewest words names: MeSH files narrower variants
    under a heading, 'pulmonary nocardioses' under Nocardia Infections)."""
    code = None
    if concept is not None:
        # only synonyms that name this concept alone: the MeSH variant lists also file
        # broader words under a heading ('malignancy' under Neoplasm Metastasis)
        own = [k for k in lexicon.synonyms.get(concept.concept_id, ()) if lexicon.concept_for_key(k) == concept]
        votes: dict[str, int] = {}
        shortest: dict[str, int] = {}
        for text in (coding.uninvert(concept.preferred_term), *own):
            hit = coding.icd10cm_exact([text])
            if hit is not None:
                votes[hit] = votes.get(hit, 0) + 1
                shortest[hit] = min(shortest.get(hit, 99), len(text.split()))
        code = min(votes, key=lambda c: (-votes[c], shortest[c], c)) if votes else None
    return code


def _lookup(lexicon: Lexicon, words: list[str], category: str) -> Concept | None:
    concept = lexicon.concept_for_key(normalise_key(words))
    return concept if concept is not None and concept.category == category else None


_ASSERTION_STRENGTH = ("present", "possible", "historical", "hypothetical", "absent", "")


def rollup(mentions: Iterable[Mention], category: str) -> list[dict[str, object]]:
    """(case, concept) rows for one category, in case/concept order."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        if m.category == category:
            groups.setdefault((m.case_id, m.concept_id), []).append(m)
    rows = []
    for (case_id, concept_id), group in sorted(groups.items()):
        group.sort(key=lambda m: (m.start, m.end))
        first = group[0]
        patient = [m for m in group if m.experiencer == "patient"]
        pool = patient or group
        assertion = min((m.assertion for m in pool), key=_ASSERTION_STRENGTH.index)
        experiencer = "patient" if patient else _most_common(m.experiencer for m in group)
        rows.append(
            {
                "case_id": case_id,
                "concept_id": concept_id,
                "preferred_term": first.preferred_term,
                "code_system": first.code_system,
                "code": first.code,
                "n_mentions": len(group),
                "assertion": assertion,
                "experiencer": experiencer,
                "first_start": first.start,
                "first_text": first.text,
            }
        )
    return rows


def _most_common(values: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(sorted(counts), key=lambda v: counts[v]) if counts else ""


def concept_rows(concepts: Mapping[str, Concept]) -> list[dict[str, object]]:
    return [
        {
            "concept_id": c.concept_id,
            "category": c.category,
            "preferred_term": c.preferred_term,
            "code_system": c.code_system,
            "code": c.code,
            "kind": c.kind,
        }
        for _, c in sorted(concepts.items())
    ]
