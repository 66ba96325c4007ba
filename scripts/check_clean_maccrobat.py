"""What the cleaner removes from real case reports: every MACCROBAT 2020 text (train and dev) through `clean.clean`.

`python scripts/check_clean_maccrobat.py [--shared ../shared] [--verbose]`

A case report's text is all content, so anything the cleaner removes beyond citation markers ("[5]") and
line-end hyphens is a loss. Reads `<shared>/corpora/maccrobat2020/docs/<id>.txt` for the ids of
`splits/train.txt` and `splits/dev.txt`; prints per rule the number of removed spans and characters, and with
`--verbose` each removed span that is not a citation marker. Counting only: nothing is tuned on the dev texts.
Exit code 1 when a span other than a citation marker or hyphen is removed, else 0.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pipeline import brat, clean
from pipeline.records import SourceText

REPO = Path(__file__).resolve().parent.parent
HARMLESS = ("citation_marker", "hyphenation")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    root = args.shared / "corpora" / "maccrobat2020"
    spans: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    lost = []
    n_docs = 0
    for split in ("train", "dev"):
        for doc_id in sorted(brat.read_split(root, split)):
            text = (root / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
            source = SourceText(case_id=doc_id, path=f"{doc_id}.txt", source_format="txt", sha256="0" * 64, text=text,
                                encoding="utf-8")
            n_docs += 1
            for span in clean.clean(source).removed:
                rule = span.rule.split(":")[0]
                spans[rule] += 1
                chars[rule] += len(span.text)
                if rule not in HARMLESS:
                    lost.append((split, doc_id, span.rule, span.text))
    print(f"{n_docs} MACCROBAT texts (train + dev) through clean.clean")
    for rule in sorted(spans):
        print(f"  {rule:20} {spans[rule]:5} spans {chars[rule]:7} characters")
    print(f"content lost (spans other than {', '.join(HARMLESS)}): {len(lost)} spans, {sum(len(t) for *_, t in lost)} characters")
    if args.verbose:
        for split, doc_id, rule, text in lost:
            print(f"  {split}/{doc_id} {rule}: {text[:100]!r}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
