"""Build the cleaner's precomputed word lists in pipeline/resources/boilerplate/:

- english_word_ranks.txt.gz: every word of pyspellchecker's English dictionary, most
  frequent first (count descending, then the word), stamped with a sha256 of the
  installed dictionary (`clean.english_words`, `clean._word_ranks`);
- clinical_vocabulary.txt.gz: `clean.clinical_vocabulary` (lower-case words of four
  letters or more in lexicons/terms.tsv), sorted, stamped with a sha256 of terms.tsv.

The cleaner reads them instead of parsing their sources at start-up; when a stamp does
not match (another pyspellchecker version, an edited terms.tsv) it computes the same
sets from the source. Rebuild after either changes (tests/test_word_lists.py fails
until then).

Usage: python scripts/build_word_lists.py [--check]
"""

from __future__ import annotations

import argparse
import sys

from pipeline import clean, resources


def lists() -> list[tuple[str, str, list[str]]]:
    """(file name, stamp, words) of each precomputed list, computed from the sources."""
    return [
        (clean.ENGLISH_RANKS_FILE, clean.english_ranks_stamp(), clean.ranked_words(clean._english_frequencies())),
        (clean.CLINICAL_VOCABULARY_FILE, clean.clinical_vocabulary_stamp(), sorted(clean._clinical_vocabulary_from_terms())),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the cleaner's precomputed word lists.")
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date (exit 1 if not)")
    args = parser.parse_args(argv)
    stale = 0
    for name, stamp, words in lists():
        file = resources.path("boilerplate", name)
        if args.check:
            fresh = clean._stamped_words(name, stamp) == words
            stale += not fresh
            print(f"{file}: {'up to date' if fresh else 'stale or missing'}")
        else:
            file.write_bytes(clean.encode_stamped_words(words, stamp))
            print(f"wrote {file} ({len(words)} words)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
