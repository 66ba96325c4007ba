"""Command-line interface: a thin layer over `pipeline.run` and friends.

`python -m pipeline extract CORPUS --out DIR` is the main command. Exit codes:
0 every input succeeded, 1 at least one input failed (see errors.csv), 2 the command
itself could not run (bad arguments, missing folder, broken installation).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.settings import MB, Settings


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Extract diagnoses, anatomy, imaging and treatments from medical case reports.",
    )
    parser.add_argument("--version", action="version", version=f"caseextract {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ex = commands.add_parser(
        "extract",
        help="read a folder of reports and write the normalised tables",
        description=(
            "Read every report below CORPUS (.txt, .md, .html/.htm, .pdf; sub-folders included, "
            "hidden files skipped) and write the tables described in the README to --out. "
            "A file that cannot be processed is listed in errors.csv and the run goes on. "
            "Exit code 0 if every file succeeded, 1 if any failed, 2 if the run could not start."
        ),
    )
    ex.add_argument("corpus", type=Path, nargs="?", default=Path("corpus"), help="folder of reports (default: corpus)")
    ex.add_argument("--out", type=Path, default=Path("output"), help="output folder, created if missing (default: output)")
    ex.add_argument(
        "--max-mb", type=_positive_float, default=defaults.max_bytes / MB,
        help=f"skip (and report) files larger than this many MB (default: {defaults.max_bytes / MB:.0f})",
    )
    ex.add_argument(
        "--max-pages", type=_positive_int, default=defaults.max_pages,
        help=f"skip (and report) PDFs with more pages than this (default: {defaults.max_pages})",
    )
    ex.add_argument(
        "--timeout", type=_positive_float, default=defaults.timeout_s,
        help=f"seconds allowed to extract the text of one PDF/HTML file (default: {defaults.timeout_s:.0f})",
    )
    ex.add_argument(
        "--max-memory-mb", type=_positive_int, default=defaults.max_memory_bytes // MB,
        help=f"memory cap for extracting one PDF/HTML file, guards against decompression bombs (default: {defaults.max_memory_bytes // MB})",
    )
    ex.add_argument(
        "--batch-size", type=_positive_int, default=defaults.batch_size,
        help=f"reports per NLP batch (default: {defaults.batch_size})",
    )
    ex.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    _add_scale_options(ex)
    _add_review_commands(commands)
    return parser


def _add_scale_options(ex: argparse.ArgumentParser) -> None:
    """-j, the incremental cache, Dask and Parquet (issue #7; README "Speed and scale")."""
    ex.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N",
        help="worker processes (default: 0 = one per CPU core); the output is the same for every N",
    )
    ex.add_argument(
        "--cache-dir", type=Path, default=Path(".cache/caseextract"),
        help="folder of the incremental cache: unchanged reports are not processed again (default: .cache/caseextract)",
    )
    ex.add_argument("--no-cache", action="store_true", help="process every report, neither reading nor writing the cache")
    ex.add_argument(
        "--engine", choices=("local", "dask"), default="local",
        help="local: worker processes on this machine; dask: a Dask distributed cluster (default: local)",
    )
    ex.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="with --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of -j workers)",
    )
    ex.add_argument(
        "--format", dest="output_format", choices=("csv", "parquet"), default="csv",
        help="table format: csv (default) or parquet (same columns and types)",
    )
    ex.add_argument(
        "--timings", action="store_true",
        help="print how long each phase took (start-up, scan, pipeline load, process, write) to stderr; "
        "also on with the environment variable CASEEXTRACT_TIMING=1",
    )


def _add_review_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Reviewers' tools: diff, review, export-brat, score-brat (issue #6)."""
    df = commands.add_parser(
        "diff",
        help="compare two output folders: mentions, concepts, cases added/removed/changed",
        description=(
            "Compare two output folders (OLD NEW), or with --fresh the committed output with a fresh "
            "run of the working tree on --corpus. Mentions are matched by source span and concept, not "
            "by row number. Prints a summary and writes diff.csv and diff.json to --out. "
            "Exit code 0 no differences, 1 differences, 2 trouble (like diff)."
        ),
    )
    df.add_argument("old", type=Path, nargs="?", help="the earlier output folder (with --fresh, default: output)")
    df.add_argument("new", type=Path, nargs="?", help="the later output folder (not with --fresh)")
    df.add_argument("--fresh", action="store_true",
                    help="extract --corpus into OUT/fresh with the working tree and compare OLD with it")
    df.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus for --fresh (default: corpus)")
    df.add_argument("--out", type=Path, default=Path("build/diff"),
                    help="folder for diff.csv and diff.json (default: build/diff)")
    df.add_argument("--top", type=_positive_int, default=10, help="cases listed with the most changes (default: 10)")
    df.add_argument("--details", type=int, default=40, help="change lines printed, 0 for none (default: 40)")

    rv = commands.add_parser(
        "review",
        help="write the static HTML review site for an output folder",
        description=(
            "Write a static HTML site (no network needed to view it): an index of cases and one page "
            "per case with the source text, mentions highlighted by category and the removed "
            "boilerplate greyed in place. With --diff (a diff.json of `diff`), pages mark added, "
            "removed and changed mentions."
        ),
    )
    rv.add_argument("output", type=Path, nargs="?", default=Path("output"), help="output folder (default: output)")
    rv.add_argument("--site", type=Path, default=Path("build/review"), help="site folder (default: build/review)")
    rv.add_argument("--diff", type=Path, default=None, help="diff.json written by `python -m pipeline diff`")

    eb = commands.add_parser(
        "export-brat",
        help="export the mentions as brat standoff (.txt/.ann + annotation.conf)",
        description=(
            "Write one .txt (the cleaned text) and one .ann per case plus annotation.conf and "
            "visual.conf, for correcting the extraction in brat or INCEpTION."
        ),
    )
    eb.add_argument("output", type=Path, nargs="?", default=Path("output"), help="output folder (default: output)")
    eb.add_argument("--to", type=Path, default=Path("build/brat"), help="brat folder to write (default: build/brat)")

    sb = commands.add_parser(
        "score-brat",
        help="score an output folder against corrected brat files (strict/overlap P/R/F1)",
        description=(
            "Read brat .ann/.txt files (e.g. an export-brat folder corrected by reviewers) as gold and "
            "score the output folder's mentions against them with the evaluation's scorer. Only cases "
            "present in the brat folder are scored. Exit code 0, or 2 if the files cannot be read."
        ),
    )
    sb.add_argument("brat", type=Path, help="folder with the corrected .ann and .txt files")
    sb.add_argument("--output", type=Path, default=Path("output"), help="output folder to score (default: output)")
    sb.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "extract":
        return _extract(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "review":
        return _review(args)
    if args.command == "export-brat":
        return _export_brat(args)
    if args.command == "score-brat":
        return _score_brat(args)
    return 2  # pragma: no cover - argparse enforces a command


def _extract(args: argparse.Namespace) -> int:
    from pipeline.run import extract

    if not args.corpus.is_dir():
        print(f"error: {args.corpus}: no such folder; pass the folder that holds the reports", file=sys.stderr)
        return 2
    settings = Settings(
        max_bytes=int(args.max_mb * MB),
        max_pages=args.max_pages,
        timeout_s=args.timeout,
        max_memory_bytes=args.max_memory_mb * MB,
        batch_size=args.batch_size,
        progress=not args.quiet,
        jobs=args.jobs,
        cache_dir=None if args.no_cache else str(args.cache_dir),
        engine=args.engine,
        scheduler=args.scheduler,
        output_format=args.output_format,
        timings=args.timings,
    )
    if args.jobs < 0:
        print(f"error: -j {args.jobs}: pass a number of workers, or 0 for one per CPU core", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    summary = extract(args.corpus, args.out, settings)
    if not args.quiet:
        for error in summary.errors:
            print(f"error: {error.source_path}: {error.message}", file=sys.stderr)
        print(summary.paragraph(args.out), file=sys.stderr)
    return 1 if summary.n_failed else 0


def _diff(args: argparse.Namespace) -> int:
    import shutil

    from pipeline.diff import OutputError, diff_folders, render_summary, write_diff

    if args.fresh:
        if args.new is not None:
            print("error: --fresh compares OLD with a fresh run; pass at most one folder", file=sys.stderr)
            return 2
        old = args.old or Path("output")
        if not args.corpus.is_dir():
            print(f"error: {args.corpus}: no such folder; pass the corpus with --corpus", file=sys.stderr)
            return 2
        from pipeline.run import extract

        new = args.out / "fresh"
        if new.is_dir():
            shutil.rmtree(new)
        print(f"diff: extracting {args.corpus} into {new} with the working tree ...", file=sys.stderr)
        extract(args.corpus, new, Settings(progress=False))
    else:
        if args.old is None or args.new is None:
            print("error: pass two output folders (OLD NEW), or --fresh", file=sys.stderr)
            return 2
        old, new = args.old, args.new
    try:
        result = diff_folders(old, new)
        write_diff(result, args.out)
    except (OutputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_summary(result, top=args.top, details=max(args.details, 0)))
    print(f"diff: wrote {args.out / 'diff.csv'} and {args.out / 'diff.json'}", file=sys.stderr)
    return 1 if result.different else 0


def _summarise(build: Callable[[], str]) -> int:
    """Run a command that returns a one-paragraph summary; bad input is one error line, exit 2."""
    from pipeline.diff import OutputError

    try:
        summary = build()
    except (OutputError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary, file=sys.stderr)
    return 0


def _review(args: argparse.Namespace) -> int:
    from pipeline.review import build_site

    return _summarise(lambda: build_site(args.output, args.site, args.diff))


def _export_brat(args: argparse.Namespace) -> int:
    from pipeline.brat_io import export_brat

    return _summarise(lambda: export_brat(args.output, args.to))


def _score_brat(args: argparse.Namespace) -> int:
    from pipeline.brat_io import BratReadError, score_output
    from pipeline.diff import OutputError
    from pipeline.scoring import format_table

    try:
        scores, n_docs = score_output(args.brat, args.output)
    except (BratReadError, OutputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(format_table(scores, title=f"{args.output} against {args.brat} ({n_docs} case(s))"))
    if args.json is not None:
        import json

        from pipeline.write import atomic_write_bytes

        data = json.dumps(scores.as_dict(), indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(args.json, data.encode("utf-8"))
    return 0
