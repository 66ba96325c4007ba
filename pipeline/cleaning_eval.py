"""Cleaning evaluation: fixtures that imitate real pages, scored on what must go and what must stay.

`python -m pipeline.cleaning_eval [--fixtures tests/fixtures/cleaning] [--shared ../shared] [--verbose]`

A fixture is `<name>.expect.json` plus one source file `<name>.<txt|md|html|htm|pdf>` beside
it, or, instead of the local file, a key `"source": "shared:<path below the shared folder>"`
(the real PDFs in ../shared/samples/pdf). The expect file holds:

    {"description": "...", "gone": ["boilerplate that must not survive", ...],
     "kept": ["content sentence that must survive verbatim", ...]}

Each fixture goes through the real code, exactly as `pipeline.run` does it:
`ingest.read_source`, then `clean.clean` with a `CorpusContext` whose recurring lines come
from all fixtures' sources (`clean.recurring_lines`). Then:

- a "gone" string counts as removed when it does not occur in the clean text, compared
  with every whitespace run folded to one space (a line break does not hide it);
- a "kept" string counts as kept when it occurs in the clean text exactly as written
  (the clean text is what the NER model reads, so a sentence broken by a stray line
  break or a leftover widget is not kept).

Checks that make a fixture malformed (exit 2, one line per problem, nothing scored): the
expect file is not a JSON object with exactly those keys and types; "kept" is empty; a
string repeats or is blank; a "gone" string is part of a "kept" one; the source file is
missing, duplicated or orphaned (README.md is not a source); a "gone" string does not occur in the source at all (it
would count as removed without testing anything). Shared fixtures are skipped, and the
output says so, when the shared folder is absent.

Output (stdout only, nothing written to disk): one row per fixture, the totals
"boilerplate removed: X.X% (a/b)" and "content kept: Y.Y% (c/d)", and the cleaning time
per 1,000 source words (`clean.clean` alone; extraction is timed separately). Exit code 0
whatever the scores (the CI gate in tests/test_cleaning_eval.py judges them), 2 when a
fixture is malformed or the fixture folder is missing. Side effects: reads the fixtures;
forks for PDF/HTML extraction (see `pipeline.ingest`).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline import clean, ingest
from pipeline.records import InputFile, PipelineError, SourceText
from pipeline.settings import Settings

EXPECT_SUFFIX = ".expect.json"
SHARED_PREFIX = "shared:"
_KEYS_REQUIRED = ("description", "gone", "kept")
_KEYS_ALLOWED = frozenset(_KEYS_REQUIRED + ("source",))
_WHITESPACE = re.compile(r"\s+")
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


class FixtureError(ValueError):
    """A fixture cannot be evaluated as written; the message names the file and the fix."""


@dataclass(frozen=True)
class Fixture:
    name: str
    description: str
    gone: tuple[str, ...]
    kept: tuple[str, ...]
    folder: Path  # the folder `ingest.read_source` reads from
    item: InputFile
    shared: bool  # the source lives in the shared folder, not beside the expect file
    expect_path: Path


@dataclass(frozen=True)
class FixtureResult:
    fixture: Fixture
    still_present: tuple[str, ...]  # "gone" strings found in the clean text
    missing: tuple[str, ...]  # "kept" strings not found verbatim in the clean text
    broken: tuple[str, ...]  # of those, the ones whose words are all there, split by a line break
    gone_before_clean: int  # "gone" strings the extraction (trafilatura, pdfplumber) already dropped
    words: int
    extract_seconds: float
    clean_seconds: float
    error: str = ""  # ingest/clean failure: the fixture then keeps nothing

    @property
    def removed(self) -> int:
        return len(self.fixture.gone) - len(self.still_present)

    @property
    def kept(self) -> int:
        return len(self.fixture.kept) - len(self.missing)


@dataclass(frozen=True)
class Evaluation:
    results: tuple[FixtureResult, ...]
    skipped: tuple[str, ...] = field(default_factory=tuple)  # shared fixtures without ../shared
    shared_folder: Path | None = None

    @property
    def gone_total(self) -> int:
        return sum(len(r.fixture.gone) for r in self.results)

    @property
    def removed(self) -> int:
        return sum(r.removed for r in self.results)

    @property
    def kept_total(self) -> int:
        return sum(len(r.fixture.kept) for r in self.results)

    @property
    def kept(self) -> int:
        return sum(r.kept for r in self.results)

    @property
    def removed_pct(self) -> float:
        return 100.0 * self.removed / self.gone_total if self.gone_total else 100.0

    @property
    def kept_pct(self) -> float:
        return 100.0 * self.kept / self.kept_total if self.kept_total else 100.0


def fold(text: str) -> str:
    """Whitespace runs (line breaks included) folded to one space, ends stripped."""
    return _WHITESPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------- loading


def _string_list(value: object, key: str, where: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise FixtureError(f"{where}: \"{key}\" must be a list of strings")
    items = tuple(value)
    for s in items:
        if not s.strip():
            raise FixtureError(f"{where}: \"{key}\" holds a blank string; remove it")
        if s != s.strip():
            raise FixtureError(f"{where}: \"{key}\" string {s[:60]!r} has leading or trailing whitespace; strip it")
    dupes = sorted({s for s in items if items.count(s) > 1})
    if dupes:
        raise FixtureError(f"{where}: \"{key}\" lists {dupes[0][:60]!r} more than once")
    return items


def _read_expect(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FixtureError(f"{path}: not UTF-8 ({exc.reason}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a JSON object with keys {', '.join(_KEYS_REQUIRED)}")
    missing = [k for k in _KEYS_REQUIRED if k not in data]
    if missing:
        raise FixtureError(f"{path}: missing key(s) {', '.join(missing)}")
    unknown = sorted(set(data) - _KEYS_ALLOWED)
    if unknown:
        raise FixtureError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS_ALLOWED))}")
    return data


def load_fixtures(folder: Path, shared: Path | None) -> tuple[list[Fixture], list[str]]:
    """Read and validate every fixture in `folder`; return (fixtures, skipped shared names).

    Raises `FixtureError` on the first malformed fixture. `shared` is the shared folder,
    or None/absent, in which case fixtures with a "shared:" source are skipped.
    """
    if not folder.is_dir():
        raise FixtureError(f"{folder}: fixture folder not found; pass --fixtures DIR")
    # README.md documents the folder; it is not a fixture source
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.stem.upper() != "README"
    )
    expects = [p for p in files if p.name.endswith(EXPECT_SUFFIX)]
    sources: dict[str, list[Path]] = {}
    for p in files:
        if not p.name.endswith(EXPECT_SUFFIX) and p.suffix.lower() in ingest.FORMATS:
            sources.setdefault(p.stem, []).append(p)
    names = {p.name[: -len(EXPECT_SUFFIX)] for p in expects}
    orphans = sorted(str(p) for stem, ps in sources.items() if stem not in names for p in ps)
    if orphans:
        raise FixtureError(f"{orphans[0]}: source file without a {EXPECT_SUFFIX}; add one or remove the file")
    if not expects:
        raise FixtureError(f"{folder}: no *{EXPECT_SUFFIX} files found")
    fixtures: list[Fixture] = []
    skipped: list[str] = []
    for path in expects:
        name = path.name[: -len(EXPECT_SUFFIX)]
        data = _read_expect(path)
        description = data["description"]
        if not isinstance(description, str) or not description.strip():
            raise FixtureError(f"{path}: \"description\" must be a non-empty string")
        gone = _string_list(data["gone"], "gone", path)
        kept = _string_list(data["kept"], "kept", path)
        if not kept:
            raise FixtureError(f"{path}: \"kept\" is empty; list at least one content sentence")
        for g in gone:
            inside = next((k for k in kept if fold(g) in fold(k)), None)
            if inside is not None:
                raise FixtureError(f"{path}: gone string {g[:60]!r} is part of kept sentence {inside[:60]!r}")
        local = sources.get(name, [])
        if "source" in data:
            source = data["source"]
            if not isinstance(source, str) or not source.startswith(SHARED_PREFIX):
                raise FixtureError(f"{path}: \"source\" must look like \"{SHARED_PREFIX}samples/pdf/<file>.pdf\"")
            rel = PurePosixPath(source[len(SHARED_PREFIX) :])
            if rel.is_absolute() or ".." in rel.parts or not rel.parts:
                raise FixtureError(f"{path}: \"source\" must be a path inside the shared folder, got {source!r}")
            if rel.suffix.lower() not in ingest.FORMATS:
                raise FixtureError(f"{path}: \"source\" has an unsupported extension {rel.suffix!r}")
            if local:
                raise FixtureError(f"{path}: has both \"source\" and a local file {local[0].name}; keep one")
            if shared is None or not shared.is_dir():
                skipped.append(name)
                continue
            if not (shared / rel).is_file():
                raise FixtureError(f"{path}: shared source {shared / rel} not found")
            item = InputFile(path=str(rel), case_id=name, suffix=rel.suffix.lower())
            fixtures.append(Fixture(name, description, gone, kept, shared, item, True, path))
        else:
            if not local:
                raise FixtureError(f"{path}: no source file {name}.<txt|md|html|pdf> beside it and no \"source\" key")
            if len(local) > 1:
                raise FixtureError(f"{path}: more than one source file ({', '.join(p.name for p in local)}); keep one")
            item = InputFile(path=local[0].name, case_id=name, suffix=local[0].suffix.lower())
            fixtures.append(Fixture(name, description, gone, kept, folder, item, False, path))
    return fixtures, skipped


def _raw_text(fixture: Fixture, source: SourceText) -> str:
    """The text a "gone" string must occur in: the page itself for HTML, else the source text."""
    if source.source_format != "html":
        return source.text
    raw, _ = ingest.decode_text((fixture.folder / fixture.item.path).read_bytes())
    return html.unescape(_TAG.sub(" ", raw))


# ---------------------------------------------------------------------------- scoring


def evaluate(fixtures: Sequence[Fixture], settings: Settings | None = None) -> list[FixtureResult]:
    """Ingest and clean every fixture with the real code; raise `FixtureError` if one is malformed."""
    settings = settings or Settings(progress=False)
    sources: dict[str, SourceText | None] = {}
    errors: dict[str, str] = {}
    extract_time: dict[str, float] = {}
    for fixture in fixtures:
        started = time.perf_counter()
        try:
            sources[fixture.name] = ingest.read_source(fixture.folder, fixture.item, settings)
        except PipelineError as exc:
            sources[fixture.name] = None
            errors[fixture.name] = f"ingest failed: {exc.kind}: {exc.message}"
        extract_time[fixture.name] = time.perf_counter() - started
    for fixture in fixtures:
        source = sources[fixture.name]
        if source is None:
            continue
        raw = fold(_raw_text(fixture, source))
        absent = [g for g in fixture.gone if fold(g) not in raw]
        if absent:
            raise FixtureError(
                f"{fixture.expect_path}: gone string {absent[0][:60]!r} does not occur in the source; "
                "it would count as removed without testing anything"
            )
    context = clean.CorpusContext(recurring=clean.recurring_lines(s.text for s in sources.values() if s is not None))
    # load the rule files and word list before timing: the first clean would pay for them
    clean.load_resources()
    results = []
    for fixture in fixtures:
        source = sources[fixture.name]
        if source is None:
            results.append(
                FixtureResult(fixture, fixture.gone, fixture.kept, (), 0, 0, extract_time[fixture.name], 0.0, errors[fixture.name])
            )
            continue
        started = time.perf_counter()
        try:
            text = clean.clean(source, context).text
            error = ""
        except Exception as exc:  # a cleaner bug on one fixture is a result, not a crash
            text, error = "", f"clean failed: {type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        folded_clean, folded_source = fold(text), fold(source.text)
        missing = tuple(k for k in fixture.kept if k not in text)
        results.append(
            FixtureResult(
                fixture=fixture,
                still_present=tuple(g for g in fixture.gone if fold(g) in folded_clean),
                missing=missing,
                broken=tuple(k for k in missing if fold(k) in folded_clean),
                gone_before_clean=sum(1 for g in fixture.gone if fold(g) not in folded_source),
                words=len(source.text.split()),
                extract_seconds=extract_time[fixture.name],
                clean_seconds=seconds,
                error=error,
            )
        )
    return results


def run(folder: Path, shared: Path | None, settings: Settings | None = None) -> Evaluation:
    fixtures, skipped = load_fixtures(folder, shared)
    return Evaluation(tuple(evaluate(fixtures, settings)), tuple(skipped), shared)


# ---------------------------------------------------------------------------- report


def _pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:.1f}% ({n}/{total})" if total else "- (0/0)"


def report(evaluation: Evaluation, verbose: bool = False) -> str:
    results = evaluation.results
    width = max([len("fixture")] + [len(r.fixture.name) for r in results])
    lines = [
        f"{'fixture':<{width}}  {'format':<6}  {'removed':>7}  {'by extract':>10}  {'kept':>7}  {'words':>6}  {'ms/1k words':>11}",
    ]
    for r in results:
        f = r.fixture
        per_k = f"{1000 * r.clean_seconds / r.words * 1000:.2f}" if r.words else "-"
        flag = "" if not (r.still_present or r.missing or r.error) else "  <-"
        lines.append(
            f"{f.name:<{width}}  {f.item.suffix[1:]:<6}  {f'{r.removed}/{len(f.gone)}':>7}  {r.gone_before_clean:>10}  "
            f"{f'{r.kept}/{len(f.kept)}':>7}  {r.words:>6}  {per_k:>11}{flag}"
        )
        if verbose:
            if r.error:
                lines.append(f"    error: {r.error}")
            for s in r.still_present:
                lines.append(f"    still present (boilerplate): {s!r}")
            for s in r.missing:
                note = "  [words intact, split by a line break]" if s in r.broken else ""
                lines.append(f"    missing (content): {s!r}{note}")
    if evaluation.skipped:
        where = evaluation.shared_folder if evaluation.shared_folder is not None else "the shared folder"
        lines.append(
            f"skipped {len(evaluation.skipped)} fixture(s) whose source is in {where}, which is absent: "
            + ", ".join(evaluation.skipped)
        )
    words = sum(r.words for r in results)
    clean_s = sum(r.clean_seconds for r in results)
    extract_s = sum(r.extract_seconds for r in results)
    by_extract = sum(r.gone_before_clean for r in results)
    lines += [
        "",
        f"fixtures: {len(results)} evaluated, {len(evaluation.skipped)} skipped",
        f"boilerplate removed: {_pct(evaluation.removed, evaluation.gone_total)}"
        f"  [{by_extract} of them already absent after extraction]",
        f"content kept: {_pct(evaluation.kept, evaluation.kept_total)}",
        f"cleaning time: {1000 * clean_s / words * 1000:.2f} ms per 1,000 words "
        f"({words} words, {clean_s:.3f} s in clean.clean; extraction {extract_s:.1f} s)"
        if words
        else "cleaning time: - (no words)",
    ]
    if not verbose and any(r.still_present or r.missing or r.error for r in results):
        lines.append("rows marked <- have failures; --verbose lists them")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.cleaning_eval",
        description="Score the cleaner on fixtures: boilerplate removed %% and content kept %%.",
    )
    parser.add_argument("--fixtures", type=Path, default=Path("tests/fixtures/cleaning"), help="fixture folder (default: %(default)s)")
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="shared folder for 'shared:' sources (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="list every string that fails")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        evaluation = run(args.fixtures, args.shared)
    except FixtureError as exc:
        print(f"error: malformed fixture: {exc}", file=sys.stderr)
        return 2
    print(report(evaluation, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
