"""Command-line interface: a thin layer over `pipeline.run` and friends.

`python -m pipeline extract CORPUS --out DIR` is the main command. Exit codes:
0 every input succeeded, 1 at least one input failed (see errors.csv), 2 the command
itself could not run (bad arguments, missing folder, broken installation).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "extract":
        return _extract(args)
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
    )
    summary = extract(args.corpus, args.out, settings)
    if not args.quiet:
        for error in summary.errors:
            print(f"error: {error.source_path}: {error.message}", file=sys.stderr)
        print(summary.paragraph(args.out), file=sys.stderr)
    return 1 if summary.n_failed else 0
