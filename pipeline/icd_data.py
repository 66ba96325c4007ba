"""ICD-10-CM data the coder needs at run time, precomputed into one shipped resource.

Building the ICD-10-CM word-bag index (`coding._icd_index`) takes seconds and importing
`simple_icd_10_cm` (which parses its XML at import) takes more; both used to happen in
every run. This module stores their results in
`pipeline/resources/lexicons/icd10cm_index.json.gz` so that extraction never imports
`simple_icd_10_cm`:

- `index`: the result of `coding._icd_index()` (word bag -> (priority, code length, code,
  its named words), and word -> bags in match order);
- `codes`: for every code of the classification, its title (`coding.icd10cm_title`) and
  the billable code it resolves to (`coding.billable`);
- `grams`: the spelling back-off's character 3-gram index over the index's words
  (`coding._word_gram_index`: words, idf, inverted lists, norms; ~0.1 s to compute,
  ~0.01 s to read).

The data is built by calling coding's own functions (their undecorated originals, reached
through `__wrapped__`), so the matching logic has one definition. coding.py marks each of
them with `@icd_data.shipped(...)`: at run time the decorated function answers from the
resource; when the resource is missing or stale it falls back to the original function
(with one warning), so the output never depends on whether the resource is current.

Stale means: the file's stamp differs from `inputs_stamp()`, a hash of what the build
reads (coding.py, lexicon.py, this module, `resources/lexicons/curated/*`, the
simple-icd-10-cm version). If the index comes to depend on another file, add it to
`_INPUT_MODULES`/`_INPUT_DIRS`. `tests/test_icd_data.py` also compares the shipped file
with a fresh build.

Rebuild (also part of `make lexicons`):

    python -m pipeline.icd_data --build      # write the resource
    python -m pipeline.icd_data --check      # exit 1 if it is stale

Format: gzip (mtime 0) of UTF-8 JSON, keys in a fixed order, so a rebuild from the same
inputs is byte-identical. No pickle.
"""

from __future__ import annotations

import argparse
import functools
import gc
import gzip
import hashlib
import json
import sys
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline import resources

FORMAT = 2  # 2: with the 3-gram index (`grams`)
_INPUT_MODULES = ("coding.py", "lexicon.py", "icd_data.py")
_INPUT_DIRS = (("lexicons", "curated"),)
_DISTRIBUTION = "simple-icd-10-cm"

F = TypeVar("F", bound=Callable[..., Any])


def resource_path() -> Path:
    return resources.path("lexicons", "icd10cm_index.json.gz")


def inputs_stamp() -> str:
    """sha256 over everything the built data depends on (see the module docstring)."""
    import importlib.metadata as md

    package = Path(__file__).parent
    digest = hashlib.sha256(f"format {FORMAT}\0".encode())
    files = [package / name for name in _INPUT_MODULES]
    for parts in _INPUT_DIRS:
        files += sorted(p for p in resources.path(*parts).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for file in files:
        digest.update(file.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    try:
        version = md.version(_DISTRIBUTION)
    except md.PackageNotFoundError:
        version = ""
    digest.update(f"{_DISTRIBUTION}=={version}".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- build


def build_data() -> dict[str, Any]:
    """The resource's content, computed with coding's own (undecorated) functions."""
    import simple_icd_10_cm as icd

    from pipeline import coding

    index, postings = coding._icd_index.__wrapped__()
    bags = list(index)
    bag_id = {bag: i for i, bag in enumerate(bags)}
    entries = [index[bag] for bag in bags]
    width = len(entries[0]) if entries else 0
    for bag, entry in zip(bags, entries, strict=True):
        if not isinstance(entry, tuple) or len(entry) != width or not all(isinstance(v, (str, int)) for v in entry):
            raise TypeError(f"icd_data: index entry {entry!r} of {sorted(bag)} is not a {width}-tuple of str/int; extend icd_data")
        if any(not w or not w.isprintable() or " " in w for w in bag):
            raise TypeError(f"icd_data: a word of {sorted(bag)} has a space or control character; extend icd_data")
    billable = coding.billable.__wrapped__
    title = coding.icd10cm_title.__wrapped__
    codes = list(dict.fromkeys(icd.get_all_codes(True)))  # it lists a few codes twice
    titles = [title(code) for code in codes]
    targets = [billable(code) for code in codes]
    if any("\n" in text for text in (*codes, *titles, *targets)):
        raise TypeError("icd_data: a code or title has a line break; extend icd_data")
    grams = _grams_data(coding._word_grams(postings))
    words = sorted(postings)
    flat: list[int] = []
    ends: list[int] = []
    for word in words:
        flat += [bag_id[b] for b in postings[word]]
        ends.append(len(flat))
    # columnar, so that loading is a few C-level splits and zips (see `decode`)
    return {
        "format": FORMAT,
        "stamp": inputs_stamp(),
        "source": f"{_DISTRIBUTION}=={_version()}",
        "bags": "\n".join(" ".join(sorted(bag)) for bag in bags),  # index keys, in the index's order
        "entries": [list(column) for column in zip(*entries, strict=True)] if entries else [],  # index values, by column
        "posting_words": "\n".join(words),
        "posting_ends": ends,  # word i's bags: posting_bags[ends[i-1]:ends[i]]
        "posting_bags": flat,
        "codes": "\n".join(codes),
        "titles": "\n".join(titles),
        "billable": "\n".join("" if t == c else t for c, t in zip(codes, targets, strict=True)),
        **grams,
    }


def _grams_data(grams: tuple[list[str], dict[str, float], float, dict[str, list[int]], list[float]]) -> dict[str, Any]:
    """The 3-gram index (`coding._word_grams`) as columns; 3-grams in sorted order (the
    dicts' own order depends on set iteration, and only look-ups by key use them)."""
    words, idf, unseen, inverted, norms = grams
    keys = sorted(idf)
    if set(inverted) != set(keys) or any(not k or "\n" in k for k in keys) or any("\n" in w for w in words):
        raise TypeError("icd_data: unexpected 3-gram index shape; extend icd_data")
    flat: list[int] = []
    ends: list[int] = []
    for key in keys:
        flat += inverted[key]
        ends.append(len(flat))
    return {
        "gram_words": "\n".join(words),
        "gram_keys": "\n".join(keys),
        "gram_idf": [idf[k] for k in keys],  # floats: JSON keeps every bit (shortest repr)
        "gram_unseen": unseen,
        "gram_ends": ends,  # 3-gram i's word numbers: gram_numbers[ends[i-1]:ends[i]]
        "gram_numbers": flat,
        "gram_norms": norms,
    }


def _version() -> str:
    import importlib.metadata as md

    return md.version(_DISTRIBUTION)


def encode(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def build(path: Path | None = None) -> Path:
    """Write the resource (atomically)."""
    from pipeline.write import atomic_write_bytes

    path = path or resource_path()
    atomic_write_bytes(path, encode(build_data()))
    return path


# --------------------------------------------------------------------------- load


class CodeTable(Mapping[str, tuple[str, str]]):
    """code -> (title, billable code), answered from the stored columns: building a dict of
    ~98k tuples would cost every start ~0.04 s; this costs ~0.01 s (a dict code -> row)."""

    def __init__(self, codes: list[str], titles: list[str], billable: list[str]) -> None:
        if not len(codes) == len(titles) == len(billable):
            raise ValueError("codes, titles and billable codes differ in number")
        self._row = {code: row for row, code in enumerate(codes)}
        if len(self._row) != len(codes):
            raise ValueError("a code is listed twice")
        self._codes, self._titles, self._billable = codes, titles, billable

    def __getitem__(self, code: str) -> tuple[str, str]:
        row = self._row[code]
        return self._titles[row], self._billable[row] or self._codes[row]  # "": the code itself

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


@dataclass(frozen=True)
class IcdData:
    index: tuple[dict[frozenset[str], tuple[Any, ...]], dict[str, list[frozenset[str]]]]
    codes: Mapping[str, tuple[str, str]]  # code -> (title, billable code)
    grams: tuple[list[str], dict[str, float], float, dict[str, list[int]], list[float]]  # coding._word_gram_index


def decode(raw: bytes) -> tuple[str, IcdData]:
    """(stamp, data) from the file's bytes; ValueError if it is not this format."""
    collecting = gc.isenabled()
    gc.disable()  # ~200k containers: the cyclic collector would rescan them over and over
    try:
        data = json.loads(gzip.decompress(raw))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        bags = list(map(frozenset, map(str.split, data["bags"].split("\n")))) if data["bags"] else []
        index = dict(zip(bags, zip(*data["entries"], strict=True), strict=True)) if bags else {}
        flat, postings, start = data["posting_bags"], {}, 0
        for word, end in zip(data["posting_words"].split("\n"), data["posting_ends"], strict=True):
            postings[word] = [bags[i] for i in flat[start:end]]
            start = end
        table = CodeTable(data["codes"].split("\n"), data["titles"].split("\n"), data["billable"].split("\n"))
        keys = data["gram_keys"].split("\n") if data["gram_keys"] else []
        numbers, inverted, start = data["gram_numbers"], {}, 0
        for key, end in zip(keys, data["gram_ends"], strict=True):
            inverted[key] = numbers[start:end]
            start = end
        words = data["gram_words"].split("\n") if data["gram_words"] else []
        if len(data["gram_norms"]) != len(words):
            raise ValueError("3-gram index: one norm per word expected")
        grams = (words, dict(zip(keys, data["gram_idf"], strict=True)), float(data["gram_unseen"]), inverted,
                 data["gram_norms"])
    finally:
        if collecting:
            gc.enable()
    return data["stamp"], IcdData((index, postings), table, grams)


_STALE_HINT = "run `python -m pipeline.icd_data --build` (or `make lexicons`)"


@functools.lru_cache(maxsize=1)
def load() -> IcdData | None:
    """The shipped data, or None (with a warning) when missing, unreadable or stale."""
    path = resource_path()
    try:
        stamp, data = decode(path.read_bytes())
    except FileNotFoundError:
        problem = "is missing"
    except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error) as exc:
        problem = f"cannot be read ({type(exc).__name__}: {exc})"
    else:
        try:
            current = inputs_stamp()
        except OSError as exc:  # e.g. an installation without the .py sources
            current, problem = None, f"cannot be checked against its inputs ({exc})"
        if stamp == current:
            return data
        if current is not None:
            problem = "is stale (coding.py, lexicon.py, the curated lexicons or simple-icd-10-cm changed since it was built)"
    warnings.warn(
        f"{path.name} {problem}; {_STALE_HINT}. Building the ICD-10-CM look-ups in memory instead "
        "(same results, a few seconds slower).",
        stacklevel=3,
    )
    return None


def shipped(kind: str) -> Callable[[F], F]:
    """Decorator for coding's ICD-10-CM look-ups: answer from the shipped resource.

    kind "index" / "grams": a function without arguments returning the `_icd_index` pair /
    the `_word_gram_index` tuple; "billable" / "title": a function of one code. The original function stays
    reachable as `__wrapped__` (the build calls it) and is the fall-back when the
    resource is stale, or for a code the classification does not list.
    """
    if kind not in ("index", "grams", "billable", "title"):
        raise ValueError(f"unknown kind {kind!r}")

    def decorate(func: F) -> F:
        if kind == "index":
            fallback = functools.lru_cache(maxsize=1)(func)

            @functools.wraps(func)
            def index() -> Any:
                data = load()
                return data.index if data is not None else fallback()

            return index  # type: ignore[return-value]
        if kind == "grams":

            @functools.wraps(func)
            def grams() -> Any:
                data = load()
                return data.grams if data is not None else func()  # (coding caches the result)

            return grams  # type: ignore[return-value]
        slot = 0 if kind == "title" else 1

        @functools.wraps(func)
        def lookup(code: str) -> Any:
            data = load()
            entry = data.codes.get(code) if data is not None else None
            return entry[slot] if entry is not None else func(code)

        return lookup  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.icd_data", description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--build", action="store_true", help=f"write {resource_path().name}")
    group.add_argument("--check", action="store_true", help="exit 1 if the shipped file is missing or stale")
    args = ap.parse_args(argv)
    if args.build:
        path = build()
        print(f"icd_data: wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = load() is not None
    print(f"icd_data: {resource_path().name} is {'up to date' if fresh else 'missing or stale; ' + _STALE_HINT}",
          file=sys.stderr)
    return 0 if fresh else 1


if __name__ == "__main__":
    raise SystemExit(main())
