"""The output contract as data: every table, its columns, types and descriptions.

`pipeline.write` writes CSVs in exactly this column order and builds
`datapackage.json` (a Frictionless Data Package) from the same definitions, so the
files and their documentation cannot drift apart. Changing the contract means adding
columns here and recording it in the README changelog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Columns whose stage does not exist yet are written empty; their description says so.
NOT_YET = " Not filled yet: always empty in this version (the stage that fills it is planned)."


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless type: string, integer, number, boolean
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str  # file name without .csv
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


CATEGORIES = ("diagnosis", "anatomy", "imaging", "treatment")
SECTIONS = ("title", "abstract", "introduction", "case", "discussion", "conclusion", "figure", "other")
ASSERTIONS = ("present", "absent", "possible", "hypothetical", "historical")
EXPERIENCERS = ("patient", "family", "other")

_case_id = Column("case_id", "string", "Report identifier, from the file name (stem); unique and stable across runs.", required=True)
_concept_id = Column("concept_id", "string", "Normalised concept, `<code_system>:<code>`; joins concepts.csv.", required=True)
_preferred = Column("preferred_term", "string", "Canonical name of the concept.")
_code_system = Column(
    "code_system",
    "string",
    "Vocabulary of `code`: ICD-10-CM, MeSH, DrugBank, DICOM, ICD-10-PCS, or `local` "
    "(the project's own identifiers: curated entries, and mentions no vocabulary covers, "
    "coded by their normalised text).",
)
_code = Column("code", "string", "Code within `code_system`.")
_assertion = Column(
    "assertion",
    "string",
    "present, absent (negated/ruled out), possible, hypothetical or historical "
    "(medspaCy ConText with the project's rules; the rule is in `assertion_trigger`).",
)
_experiencer = Column(
    "experiencer",
    "string",
    "Who the mention applies to: patient (the reported case), family, other (a case or statement "
    "from the literature, general background, text about no patient); the cue is in `experiencer_trigger`.",
)


def _category_table(category: str, plural: str) -> Table:
    return Table(
        name=plural,
        title=f"{category.capitalize()} concepts per case",
        description=f"One row per (case, {category} concept): mentions of category `{category}` rolled up per concept.",
        columns=(
            _case_id,
            _concept_id,
            _preferred,
            _code_system,
            _code,
            Column("n_mentions", "integer", "Number of mentions of the concept in the case.", required=True),
            Column(
                "assertion",
                "string",
                "Case-level verdict for the patient: present if any patient mention is present, "
                "otherwise the strongest other status.",
            ),
            Column("experiencer", "string", "patient if any mention applies to the patient, else the most frequent experiencer."),
            Column("first_start", "integer", "Clean-text offset of the first mention.", required=True),
            Column("first_text", "string", "Text of the first mention.", required=True),
        ),
        primary_key=("case_id", "concept_id"),
        foreign_keys=((("case_id",), "cases", ("case_id",)), (("concept_id",), "concepts", ("concept_id",))),
    )


TABLES: tuple[Table, ...] = (
    Table(
        name="cases",
        title="Reports",
        description="One row per input report, including the ones that failed (status error).",
        columns=(
            _case_id,
            Column("source_path", "string", "Path of the input file relative to the corpus folder (POSIX separators).", required=True),
            Column("source_sha256", "string", "sha256 of the input file's bytes (empty when the file could not be read)."),
            Column("source_format", "string", "Input format: txt, md, html or pdf (empty for unsupported files).", enum=("txt", "md", "html", "pdf")),
            Column("status", "string", "ok, or error (see errors.csv).", required=True, enum=("ok", "error")),
            Column("doc_type", "string", "case_report (reports a patient), article (scholarly text without a case) or other (Q&A, web guidance).", enum=("case_report", "article", "other")),
            Column("title", "string", "Title: from HTML/PDF metadata, else a title repeated at the end, else the first short non-heading paragraph."),
            Column("doi", "string", "DOI found in the text or metadata."),
            Column("pmid", "string", "PubMed id found in the text (\"PMID: ...\")."),
            Column("journal", "string", "Journal (from a citation line) or site name (HTML metadata)."),
            Column("year", "integer", "Publication year, from a citation line or HTML/PDF metadata."),
            Column("language", "string", "ISO 639-1 language of the cleaned text (en, fr, de, es) from function-word shares; und when undetermined. Lines in other scripts are removed before (boilerplate.csv rule foreign_language:<script>)."),
            Column("age_years", "number", "Patient age in years from the first age statement about the patient (months/weeks converted); empty for \"middle-aged\" or when not stated."),
            Column("sex", "string", "Patient sex when the report states it.", enum=("female", "male")),
            Column("duplicate_of", "string", "case_id of the canonical copy (the smallest case_id of the group) when this report is the same case as another (5-word-shingle containment >= 0.8); empty otherwise."),
            Column("n_chars_source", "integer", "Characters of source text (text/<case_id>.source.txt)."),
            Column("n_chars_clean", "integer", "Characters of cleaned text (text/<case_id>.txt)."),
            Column("n_mentions", "integer", "Rows of mentions.csv for the case."),
            Column("pmcid", "string", "PubMed Central id found in the text (PMC...)."),
            Column("authors", "string", "Authors as written: from HTML/PDF metadata or a PubMed-style author line."),
        ),
        primary_key=("case_id",),
    ),
    Table(
        name="mentions",
        title="Mentions",
        description="One row per extracted mention, with offsets into the cleaned and the source text.",
        columns=(
            _case_id,
            Column("mention_id", "string", "Mention identifier `<case_id>-m<NNNN>`, numbered in text order.", required=True),
            Column("category", "string", "diagnosis, anatomy, imaging or treatment.", required=True, enum=CATEGORIES),
            Column("text", "string", "The mention as it appears in the cleaned text.", required=True),
            Column("start", "integer", "Start offset (code points) into text/<case_id>.txt.", required=True),
            Column("end", "integer", "End offset (exclusive) into text/<case_id>.txt.", required=True),
            Column("raw_start", "integer", "Start offset into text/<case_id>.source.txt (the source text).", required=True),
            Column("raw_end", "integer", "End offset (exclusive) into text/<case_id>.source.txt.", required=True),
            Column("section", "string", "Report section: " + ", ".join(SECTIONS) + " (headers in pipeline/resources/sections/).", enum=SECTIONS),
            _assertion,
            _experiencer,
            _concept_id,
            _preferred,
            _code_system,
            _code,
            Column(
                "source",
                "string",
                "What produced the mention: model, lexicon, model+lexicon (both agreed on the span), or "
                "abbreviation (a use of a short form the report defines; coded as its long form).",
                required=True,
            ),
            Column("assertion_trigger", "string", "The ConText rule (its literal) that decided `assertion`; empty when present."),
            Column(
                "experiencer_trigger",
                "string",
                "The cue that decided `experiencer`: a ConText rule literal, `section:<name>` (the section's default), "
                "or `no patient in document`.",
            ),
            Column("long_form", "string", "For an abbreviation: its long form (defined in the report, or from the curated list)."),
            Column("laterality", "string", "Anatomy/imaging/diagnosis side when the text names it: left, right or bilateral.", enum=("left", "right", "bilateral")),
            Column("level", "string", "Vertebral levels (T12, T5-T6; dorsal D = T) and numbered ribs/metatarsals (rib 12) the text names; `;` between several."),
            Column("body_region", "string", "Imaging: the anatomy the text names with the modality (\"sacroiliac joints MRI\")."),
            Column("kind", "string", "Finer type: treatment drug, procedure, radiotherapy or other; else the concept's kind (disease, structure, modality)."),
            Column(
                "mesh_id",
                "string",
                "MeSH descriptor the vocabulary matched (diseases, drugs), also when `code_system` is ICD-10-CM: "
                "ICD-10-CM files some distinct diseases under one code (osteoid osteoma and osteoblastoma: D16.9).",
            ),
            Column("mesh_term", "string", "Preferred term of `mesh_id`."),
        ),
        primary_key=("case_id", "mention_id"),
        foreign_keys=((("case_id",), "cases", ("case_id",)), (("concept_id",), "concepts", ("concept_id",))),
    ),
    Table(
        name="concepts",
        title="Concepts",
        description="One row per normalised concept that at least one mention of this run is coded to.",
        columns=(
            _concept_id,
            Column("category", "string", "diagnosis, anatomy, imaging or treatment.", required=True, enum=CATEGORIES),
            _preferred,
            _code_system,
            _code,
            Column("kind", "string", "Finer type within the category, e.g. disease, drug, procedure, modality, structure."),
        ),
        primary_key=("concept_id",),
    ),
    _category_table("diagnosis", "diagnoses"),
    _category_table("anatomy", "anatomy"),
    _category_table("imaging", "imaging"),
    _category_table("treatment", "treatments"),
    Table(
        name="boilerplate",
        title="Removed text",
        description="One row per span of the source text the cleaner removed, with the rule that removed it.",
        columns=(
            _case_id,
            Column("raw_start", "integer", "Start offset into text/<case_id>.source.txt.", required=True),
            Column("raw_end", "integer", "End offset (exclusive) into text/<case_id>.source.txt.", required=True),
            Column("rule", "string", "Identifier of the rule that removed the span (see pipeline/resources/boilerplate/).", required=True),
            Column("text", "string", "The removed text (line ends kept)."),
        ),
        primary_key=("case_id", "raw_start"),
        foreign_keys=((("case_id",), "cases", ("case_id",)),),
    ),
    Table(
        name="errors",
        title="Failed inputs",
        description="One row per input that failed; the run processed the others.",
        columns=(
            Column("source_path", "string", "Path of the input file relative to the corpus folder.", required=True),
            Column("stage", "string", "Stage that failed: ingest, clean, nlp or normalise.", required=True),
            Column("error", "string", "Kind of failure, e.g. empty_file, binary_file, encrypted_pdf, too_large, timeout.", required=True),
            Column("message", "string", "What went wrong and what to do, in one line.", required=True),
        ),
        primary_key=("source_path",),
    ),
)

TABLE_BY_NAME = {t.name: t for t in TABLES}
CATEGORY_TABLES = {"diagnosis": "diagnoses", "anatomy": "anatomy", "imaging": "imaging", "treatment": "treatments"}
