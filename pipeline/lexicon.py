"""Lexicon data model and greedy longest-match term matcher.

Contract
--------
Input:  a lexicon directory holding two TSV files written by
        ``scripts/build_lexicons.py`` (UTF-8, ``\\n`` line ends, header row, tab-separated):

        - ``concepts.tsv``: concept_id, category, preferred_term, code_system, code, kind, source
        - ``terms.tsv``:    key, term, concept_id

        and a sequence of token texts (from ``spacy.blank("en").tokenizer``, the same
        tokenizer the build used to compute ``key``).
Output: ``Lexicon.match(tokens)`` returns ``(start, end_exclusive, concept_id)`` triples,
        greedy longest match from left to right, non-overlapping, sorted by start.
Side effects: none, apart from reading the files named above and the hand-written spelling
        table ``resources/lexicons/curated/spelling_variants.tsv`` (once, on first use of
        :func:`normalise_key`).

Normalisation (:func:`normalise_key`): each token is lower-cased; British spellings are
rewritten to American ones by the substring table ``spelling_variants.tsv`` (longest
British form first, e.g. ``haem`` -> ``hem``, ``oedem`` -> ``edem``, ``tumour`` -> ``tumor``);
tokens that are only a hyphen or dash are dropped, so ``X-ray``, ``X - ray`` and ``x ray``
share the key ``x ray``; the remaining tokens are joined with single spaces.

Compiled form: ``lexicon_compiled.json.gz`` in the same folder holds the validated, resolved
tables (gzip of columnar JSON, no pickle), stamped with a sha256 of ``concepts.tsv``,
``terms.tsv`` and this module's source. ``Lexicon.load`` uses it when its stamp matches
(~0.07 s instead of ~0.3 s parsing and validating ~100k rows); when it is missing it reads
the TSV files, and when it is stale or damaged it warns and reads them. Build it with
``python -m pipeline.lexicon --build [DIR]`` (``make lexicons`` builds it too). Format 2
stores a key's concept as a row number and the key lengths per first word as numbers into
the table of their ~100 distinct tuples; from it, ``Lexicon.concepts`` and
``Lexicon.synonyms`` are read-only mappings that make each ``Concept`` / synonym tuple on
first use (a run uses a few thousand of ~21k), so a load makes no string or tuple twice.

Ambiguity: when one key maps to several concepts the winner is the concept with the
smallest ``(source rank, code-system rank, concept_id)``: ``curated`` entries come first,
then code systems in the order of ``CODE_SYSTEM_PRIORITY`` (specific clinical vocabularies
before broad ones), then the concept_id as a string. The result does not depend on file
row order.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import gzip
import hashlib
import importlib.resources
import json
import pathlib
import re
import sys
import warnings
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import resources

CATEGORIES: frozenset[str] = frozenset({"diagnosis", "anatomy", "imaging", "treatment"})
CONCEPT_COLUMNS: tuple[str, ...] = (
    "concept_id",
    "category",
    "preferred_term",
    "code_system",
    "code",
    "kind",
    "source",
)
TERM_COLUMNS: tuple[str, ...] = ("key", "term", "concept_id")
# Tie-break order between vocabularies for a key that names several concepts: the
# curated list wins (it is reviewed by clinicians), then the most specific vocabulary.
CODE_SYSTEM_PRIORITY: tuple[str, ...] = (
    "local",
    "DICOM",
    "ICD-10-CM",
    "MeSH",
    "SCT",
    "DrugBank",
    "ICD-10-PCS",
)
_CONCEPT_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[^\s:][^\s]*$")
_DASH_TOKENS = frozenset({"-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014"})


@dataclass(frozen=True)
class Concept:
    """One normalised concept: what a matched term is linked to."""

    concept_id: str
    category: str
    preferred_term: str
    code_system: str
    code: str
    kind: str


def _read_spelling_table(text: str) -> tuple[tuple[str, str], ...]:
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0][:2] != ["british", "american"]:
        raise ValueError("spelling_variants.tsv: header must start with british<TAB>american")
    pairs = []
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) < 2 or not row[0] or row[0] != row[0].lower():
            raise ValueError(f"spelling_variants.tsv:{line_no}: need a lower-case british form")
        pairs.append((row[0], row[1]))
    # Longest British form first so that a longer rule is never pre-empted by a shorter one.
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


@functools.lru_cache(maxsize=1)
def _spelling_table() -> tuple[tuple[str, str], ...]:
    resource = importlib.resources.files("pipeline") / "resources" / "lexicons" / "curated" / "spelling_variants.tsv"
    return _read_spelling_table(resource.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=200_000)
def _normalise_token(token: str) -> str:
    text = token.lower()
    for british, american in _spelling_table():
        if british in text:
            text = text.replace(british, american)
    return text


def normalise_key(tokens: Sequence[str]) -> str:
    """Lower-case, Americanise spelling, drop dash tokens, join with single spaces."""
    return " ".join(_normalise_token(t) for t in tokens if t and not t.isspace() and t not in _DASH_TOKENS)


def concept_rank(concept: Concept, source: str) -> tuple[int, int, str]:
    """Sort key of the ambiguity rule: smaller wins (see the module docstring)."""
    source_rank = 0 if source == "curated" else 1
    try:
        system_rank = CODE_SYSTEM_PRIORITY.index(concept.code_system)
    except ValueError:
        system_rank = len(CODE_SYSTEM_PRIORITY)
    return (source_rank, system_rank, concept.concept_id)


def _read_tsv(path: pathlib.Path, columns: Sequence[str]) -> list[list[str]]:
    """The data rows' cells (row i is line i + 2); raise ValueError on a bad header/row."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found; run scripts/build_lexicons.py") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    if "\r" in text:
        raise ValueError(f"{path}: carriage return found; files must use '\\n' line ends")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != list(columns):
        found = lines[0].split("\t") if lines else []
        raise ValueError(f"{path}:1: header must be {'<TAB>'.join(columns)}, found {'<TAB>'.join(found)}")
    rows = [line.split("\t") for line in lines[1:]]
    width = len(columns)
    for line_no, cells in enumerate(rows, start=2):
        if len(cells) != width:
            raise ValueError(f"{path}:{line_no}: expected {width} tab-separated fields, found {len(cells)}")
    return rows


class Lexicon:
    """Concepts plus a key -> concept index, with a greedy longest-match matcher."""

    def __init__(
        self, concepts: dict[str, Concept], key_to_concept: dict[str, str], synonyms: dict[str, tuple[str, ...]] | None = None,
        lengths: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.concepts: dict[str, Concept] = concepts
        self._key_to_concept: dict[str, str] = key_to_concept
        # concept_id -> every key filed under it in terms.tsv (also keys another concept
        # wins), sorted: the synonyms that map a MeSH disease to an ICD-10-CM code
        self.synonyms: dict[str, tuple[str, ...]] = synonyms or {}
        # first word of a key -> the key lengths (in words) that start with it, longest
        # first; this keeps match() to a handful of dict look-ups per token. (`lengths`:
        # this table as computed here, from the compiled form.)
        self._lengths: dict[str, tuple[int, ...]] = lengths if lengths is not None else _key_lengths(key_to_concept)
        self.max_term_length: int = max(map(max, filter(None, self._lengths.values())), default=0)
        self._recent: dict[tuple[str, ...], list[tuple[int, int, str]]] = {}  # see `match`

    def __len__(self) -> int:
        return len(self._key_to_concept)

    def concept_for_key(self, key: str) -> Concept | None:
        """The concept a normalised key resolves to, or None."""
        concept_id = self._key_to_concept.get(key)
        return None if concept_id is None else self.concepts[concept_id]

    @classmethod
    def load(cls, directory: pathlib.Path) -> Lexicon:
        """Read and validate ``concepts.tsv`` and ``terms.tsv`` from ``directory`` (from
        their compiled form when it is current: see the module docstring)."""
        # ~100k rows: the cyclic garbage collector would rescan the growing tables
        # again and again while they are built (a third of the load time)
        collecting = gc.isenabled()
        gc.disable()
        try:
            directory = pathlib.Path(directory)
            compiled = _read_compiled(directory)
            return compiled if compiled is not None else cls._load(directory)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _load(cls, directory: pathlib.Path) -> Lexicon:
        concepts: dict[str, Concept] = {}
        ranks: dict[str, tuple[int, int, str]] = {}  # concept_id -> concept_rank(concept, its source)
        concepts_path = directory / "concepts.tsv"
        for line_no, cells in enumerate(_read_tsv(concepts_path, CONCEPT_COLUMNS), start=2):
            concept_id, category, preferred, system, code, kind, source = cells
            if (
                concept_id != f"{system}:{code}" or category not in CATEGORIES or not source
                or concept_id in concepts or not preferred.strip() or not _CONCEPT_ID_RE.match(concept_id)
            ):
                where = f"{concepts_path}:{line_no}"
                if not _CONCEPT_ID_RE.match(concept_id):
                    raise ValueError(f"{where}: concept_id {concept_id!r} is not <code_system>:<code>")
                if concept_id != f"{system}:{code}":
                    raise ValueError(f"{where}: concept_id {concept_id!r} must equal code_system:code ({system}:{code})")
                if category not in CATEGORIES:
                    raise ValueError(f"{where}: category {category!r} is not one of {', '.join(sorted(CATEGORIES))}")
                if not preferred.strip():
                    raise ValueError(f"{where}: preferred_term is empty")
                if not source:
                    raise ValueError(f"{where}: source is empty")
                raise ValueError(f"{where}: duplicate concept_id {concept_id!r}")
            concept = Concept(concept_id, category, preferred, system, code, kind)
            concepts[concept_id] = concept
            ranks[concept_id] = concept_rank(concept, source)

        best: dict[str, tuple[tuple[int, int, str], str]] = {}
        synonyms: dict[str, list[str]] = {}
        terms_path = directory / "terms.tsv"
        for line_no, cells in enumerate(_read_tsv(terms_path, TERM_COLUMNS), start=2):
            key, term, concept_id = cells
            rank = ranks.get(concept_id)
            if rank is None or not key or key != key.strip() or "  " in key or key != key.lower() or not term.strip():
                where = f"{terms_path}:{line_no}"
                if not key or key != key.strip() or "  " in key:
                    raise ValueError(f"{where}: key {key!r} is empty or has stray spaces")
                if key != key.lower():
                    raise ValueError(f"{where}: key {key!r} is not lower-case; keys are normalise_key()")
                if not term.strip():
                    raise ValueError(f"{where}: term is empty")
                raise ValueError(f"{where}: concept_id {concept_id!r} is not in concepts.tsv")
            if concepts[concept_id].category == "diagnosis":
                synonyms.setdefault(concept_id, []).append(key)
            current = best.get(key)
            if current is None or rank < current[0]:
                best[key] = (rank, concept_id)
        return cls(
            concepts,
            {key: cid for key, (_, cid) in best.items()},
            {cid: tuple(sorted(set(keys))) for cid, keys in synonyms.items()},
        )

    # The spaCy pipeline matches every text twice (`case_lexicon_features` for the model's
    # input, `case_lexicon_ner` for the lexicon's own spans), a batch of docs apart: the
    # answers for the most recent token sequences are kept and handed out as copies.
    _RECENT = 256

    def match(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """Greedy longest, non-overlapping matches as (start, end_exclusive, concept_id)."""
        key = tuple(tokens)
        recent = self._recent
        found = recent.get(key)
        if found is None:
            found = recent[key] = self._match(key)
            if len(recent) > self._RECENT:
                del recent[next(iter(recent))]  # the oldest
        return list(found)

    def _match(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        # Keep only tokens that take part in keys, remembering their original positions,
        # so that dash tokens inside a span ("X - ray") are skipped like normalise_key does.
        words: list[str] = []
        positions: list[int] = []
        for i, token in enumerate(tokens):
            if not token or token.isspace() or token in _DASH_TOKENS:
                continue
            words.append(_normalise_token(token))
            positions.append(i)
        found: list[tuple[int, int, str]] = []
        lookup = self._key_to_concept
        n = len(words)
        i = 0
        while i < n:
            lengths = self._lengths.get(words[i])
            hit = None
            if lengths is not None:
                for length in lengths:
                    if i + length > n:
                        continue
                    concept_id = lookup.get(" ".join(words[i : i + length]))
                    if concept_id is not None:
                        hit = (length, concept_id)
                        break
            if hit is None:
                i += 1
                continue
            length, concept_id = hit
            found.append((positions[i], positions[i + length - 1] + 1, concept_id))
            i += length
        return found


def _key_lengths(key_to_concept: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """First word of each key -> the lengths (in words) of the keys it starts, longest first."""
    by_first: dict[str, set[int]] = {}
    for key in key_to_concept:
        words = key.split(" ")
        by_first.setdefault(words[0], set()).add(len(words))
    return {first: tuple(sorted(lengths, reverse=True)) for first, lengths in by_first.items()}


# --------------------------------------------------------------------------- compiled form

COMPILED_NAME = "lexicon_compiled.json.gz"
COMPILED_FORMAT = 2  # 2: key concepts as row numbers, key lengths as numbers into a table; lazy concepts
_BUILD_HINT = "run `python -m pipeline.lexicon --build` (or `make lexicons`)"
# what reading a damaged or foreign compiled file can raise
_DAMAGED = (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, zlib.error)


def compiled_stamp(directory: pathlib.Path) -> str:
    """sha256 over what the compiled form is computed from: its format, this module's
    source (validation, ambiguity rule), ``concepts.tsv`` and ``terms.tsv``."""
    digest = hashlib.sha256(f"lexicon compiled format {COMPILED_FORMAT}\0".encode())
    for file in (pathlib.Path(__file__), pathlib.Path(directory) / "concepts.tsv", pathlib.Path(directory) / "terms.tsv"):
        digest.update(file.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _joined(values: Sequence[str]) -> str:
    if any("\n" in v for v in values):
        raise ValueError("a lexicon value holds a line break; it cannot be compiled")
    return "\n".join(values)


def _split(text: str, n: int) -> list[str]:
    values = text.split("\n") if n else []
    if len(values) != n:
        raise ValueError(f"expected {n} values, found {len(values)}")
    return values


def encode_compiled(lexicon: Lexicon, stamp: str) -> bytes:
    """The compiled form of a loaded lexicon: gzip (mtime 0) of columnar UTF-8 JSON, so that
    the same tables always give the same bytes and loading is a few C-level splits.

    Format 2: a key's concept is its concept's row number (not its id again), and the key
    lengths per first word are numbers into the table of their distinct tuples (~100 of
    them), so loading makes no string or tuple twice."""
    concepts = list(lexicon.concepts.values())
    row = {concept.concept_id: i for i, concept in enumerate(concepts)}
    synonym_ids = list(lexicon.synonyms)
    firsts = list(lexicon._lengths)
    distinct = list(dict.fromkeys(lexicon._lengths[first] for first in firsts))
    tuple_number = {lengths: i for i, lengths in enumerate(distinct)}
    data = {
        "format": COMPILED_FORMAT,
        "stamp": stamp,
        "n_concepts": len(concepts),
        "concepts": [_joined([getattr(c, name) for c in concepts]) for name in CONCEPT_COLUMNS[:6]],
        "n_keys": len(lexicon._key_to_concept),
        "keys": _joined(list(lexicon._key_to_concept)),
        "key_concepts": [row[concept_id] for concept_id in lexicon._key_to_concept.values()],
        "n_synonym_concepts": len(synonym_ids),
        "synonym_concepts": _joined(synonym_ids),
        "synonym_ends": [],  # concept i's keys: synonym_keys[ends[i-1]:ends[i]]
        "synonym_keys": "",
        "n_first_words": len(firsts),
        "first_words": _joined(firsts),
        "length_tuples": [list(lengths) for lengths in distinct],
        "first_lengths": [tuple_number[lexicon._lengths[first]] for first in firsts],
    }
    flat: list[str] = []
    for concept_id in synonym_ids:
        flat += lexicon.synonyms[concept_id]
        data["synonym_ends"].append(len(flat))
    data["n_synonym_keys"] = len(flat)
    data["synonym_keys"] = _joined(flat)
    return gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9, mtime=0)


class _LazyRows(Mapping[str, Any]):
    """id -> value over the compiled form's columns, each value made from its row on first
    use (`make(row)`): a run uses a few thousand of ~21k concepts, and making them all cost
    every start ~0.02-0.04 s. Iteration is in the table's order, as the dicts read from the
    TSV files."""

    def __init__(self, ids: list[str], make: Any) -> None:
        self._ids, self._make = ids, make
        self._row = dict(zip(ids, range(len(ids)), strict=True))
        if len(self._row) != len(ids):
            raise ValueError("an id is listed twice")
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(self._row[key])
        return made

    def get(self, key: Any, default: Any = None) -> Any:
        made = self._made.get(key)
        if made is not None:
            return made
        return self[key] if key in self._row else default

    def __contains__(self, key: object) -> bool:
        return key in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _concepts(columns: list[list[str]]) -> Mapping[str, Concept]:
    """concept_id -> `Concept`, made on first use (`_LazyRows`)."""
    return _LazyRows(columns[0], lambda row: Concept(*(column[row] for column in columns)))


def _synonyms(concept_ids: list[str], ends: list[int], flat: list[str]) -> Mapping[str, tuple[str, ...]]:
    """concept_id -> its synonym keys (`flat[ends[row-1]:ends[row]]`), made on first use."""
    if len(ends) != len(concept_ids) or (ends and ends[-1] != len(flat)):
        raise ValueError("synonym columns do not fit")
    return _LazyRows(concept_ids, lambda row: tuple(flat[ends[row - 1] if row else 0 : ends[row]]))


def decode_compiled(raw: bytes) -> tuple[str, Lexicon]:
    """(stamp, lexicon) from the compiled form's bytes; ValueError/KeyError/... if damaged."""
    data = json.loads(gzip.decompress(raw))
    if data.get("format") != COMPILED_FORMAT:
        raise ValueError(f"format {data.get('format')!r}, expected {COMPILED_FORMAT}")
    n = data["n_concepts"]
    columns = [_split(text, n) for text in data["concepts"]]
    if len(columns) != 6:
        raise ValueError("expected 6 concept columns")
    concepts = _concepts(columns)
    # the concept ids of concepts.tsv's rows, shared (as when read from the TSV files)
    ids = columns[0]
    key_to_concept = dict(zip(_split(data["keys"], data["n_keys"]), map(ids.__getitem__, data["key_concepts"]),
                              strict=True))
    synonyms = _synonyms(_split(data["synonym_concepts"], data["n_synonym_concepts"]), data["synonym_ends"],
                         _split(data["synonym_keys"], data["n_synonym_keys"]))
    table = list(map(tuple, data["length_tuples"]))
    lengths = dict(zip(_split(data["first_words"], data["n_first_words"]), map(table.__getitem__, data["first_lengths"]),
                       strict=True))
    if len(concepts) != n or len(key_to_concept) != data["n_keys"]:
        raise ValueError("inconsistent tables")
    if any(not isinstance(i, int) or i < 0 for i in (*data["key_concepts"][-1:], *data["first_lengths"][-1:])):
        raise ValueError("inconsistent tables")
    return data["stamp"], Lexicon(concepts, key_to_concept, synonyms, lengths)  # type: ignore[arg-type]


def _read_compiled(directory: pathlib.Path) -> Lexicon | None:
    """The lexicon from ``directory``'s compiled form when it is current; None (after a
    warning when the file exists but is stale or damaged) to read the TSV files instead."""
    path = directory / COMPILED_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None  # a lexicon folder without the compiled form (tests, experiments)
    except OSError as exc:
        problem = f"cannot be read ({exc})"
    else:
        try:
            current = compiled_stamp(directory)
        except OSError:
            return None  # a TSV file is missing: reading them reports it
        try:
            stamp, lexicon = decode_compiled(raw)
        except _DAMAGED as exc:
            problem = f"cannot be read ({type(exc).__name__}: {exc})"
        else:
            if stamp == current:
                return lexicon
            problem = "is stale (concepts.tsv, terms.tsv or pipeline/lexicon.py changed since it was built)"
    warnings.warn(f"{path} {problem}; {_BUILD_HINT}. Reading the TSV files instead (same lexicon, ~0.2 s slower).",
                  stacklevel=4)
    return None


def build_compiled(directory: pathlib.Path) -> pathlib.Path:
    """Validate ``directory``'s TSV files and write their compiled form next to them (atomically)."""
    directory = pathlib.Path(directory)
    lexicon = Lexicon._load(directory)
    path = directory / COMPILED_NAME
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(encode_compiled(lexicon, compiled_stamp(directory)))
    tmp.replace(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.lexicon",
                                 description=f"Build or check the lexicon's compiled form ({COMPILED_NAME}).")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--build", action="store_true", help=f"validate the TSV files and write {COMPILED_NAME}")
    group.add_argument("--check", action="store_true", help="exit 1 if the compiled form is missing or stale")
    ap.add_argument("directory", nargs="?", type=pathlib.Path, default=None,
                    help="the lexicon folder (default: the packaged pipeline/resources/lexicons)")
    args = ap.parse_args(argv)
    directory = args.directory or resources.path("lexicons")
    if args.build:
        path = build_compiled(directory)
        print(f"lexicon: wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
        return 0
    try:
        stamp, _ = decode_compiled((directory / COMPILED_NAME).read_bytes())
        fresh = stamp == compiled_stamp(directory)
    except _DAMAGED:
        fresh = False
    print(f"lexicon: {COMPILED_NAME} is {'up to date' if fresh else 'missing or stale; ' + _BUILD_HINT}", file=sys.stderr)
    return 0 if fresh else 1


if __name__ == "__main__":
    raise SystemExit(main())
