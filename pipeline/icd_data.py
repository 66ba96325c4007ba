"""ICD-10-CM data the coder needs at run time, precomputed into one shipped resource.

Building the ICD-10-CM word-bag index (`coding._icd_index`) takes seconds and importing
`simple_icd_10_cm` (which parses its XML at import) takes more; both used to happen in
every run. This module stores their results in
`pipeline/resources/lexicons/icd10cm_index.bin` so that extraction never imports
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

Format 3 (see "file format" below): a JSON header line, then zlib-compressed binary
sections; a rebuild from the same inputs is byte-identical. No pickle. `decode` returns
the index and postings as the plain dicts `coding._icd_index` builds (look-ups at full
dict speed; the forked workers inherit them), made without JSON and without making any
word string twice (a bag is stored as the numbers of its words); the code table is
answered by bisection over the sorted codes and the titles are decompressed per block on
first use. Loading (after spaCy) went from ~0.33 s of CPU (format 2, gzip of JSON) to
~0.15 s. A lazier index (frozensets made on first use) was measured and rejected: a run
touches ~75% of the bags, so every worker paid more than the main process saved.
"""

from __future__ import annotations

import argparse
import array
import bisect
import functools
import gc
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

FORMAT = 3  # 2: with the 3-gram index (`grams`); 3: binary sections, loaded lazily (no JSON, no gzip)
_INPUT_MODULES = ("coding.py", "lexicon.py", "icd_data.py")
_INPUT_DIRS = (("lexicons", "curated"),)
_DISTRIBUTION = "simple-icd-10-cm"

F = TypeVar("F", bound=Callable[..., Any])


def resource_path() -> Path:
    return resources.path("lexicons", "icd10cm_index.bin")


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
    codes = sorted(set(icd.get_all_codes(True)))  # (it lists a few codes twice); sorted: `CodeTable` bisects
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


# --------------------------------------------------------------------------- file format
#
# One header line of JSON (format, stamp, source, the crc32 of everything after it, and
# where each section is), then the sections, each compressed on its own with zlib (level
# 9): text columns as UTF-8 joined by "\n", integer columns as little-endian int32, float
# columns as little-endian float64 (bit for bit), the index's two small-integer columns
# as one byte each. The titles (two thirds of the data, read only for the codes a run
# writes) are compressed in blocks of `_TITLE_BLOCK` codes and decompressed block by
# block on first use. Same inputs, same bytes.

_MAGIC = b"caseextract-icd10cm "
_TITLE_BLOCK = 256
_TEXT = ("entry_codes", "entry_named", "posting_words", "codes", "billable", "gram_words", "gram_keys")
_INT32 = ("posting_ends", "posting_bags", "gram_ends", "gram_numbers")  # (and bag_words, bag_ends)
_FLOAT64 = ("gram_idf", "gram_norms")
_BYTES = ("entry_ranks", "entry_lengths")


def _little(values: array.array) -> array.array:
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _int32(values: Sequence[int]) -> bytes:
    return _little(array.array("i", values)).tobytes()


def _float64(values: Sequence[float]) -> bytes:
    return _little(array.array("d", values)).tobytes()


def encode(data: dict[str, Any]) -> bytes:
    """The file's bytes for `build_data()`'s dict (see the format above)."""
    ranks, lengths, entry_codes, named = data["entries"] if data["entries"] else ([], [], [], [])
    if any(not (isinstance(v, int) and 0 <= v < 256) for v in (*ranks, *lengths)):
        raise TypeError("icd_data: an index priority or code length is not an int in 0..255; extend icd_data")
    if any(not isinstance(v, str) or "\n" in v for v in (*entry_codes, *named)):
        raise TypeError("icd_data: an index code or named word list is not a one-line str; extend icd_data")
    # a bag as the numbers of its words in `posting_words` (sorted, so in the bag's own
    # sorted order): loading then makes no string twice (~420k word occurrences, ~9k words)
    word_number = {word: i for i, word in enumerate(data["posting_words"].split("\n"))}
    bag_words: list[int] = []
    bag_ends: list[int] = []
    for line in data["bags"].split("\n") if data["bags"] else []:
        bag_words += [word_number[word] for word in line.split(" ")]
        bag_ends.append(len(bag_words))
    plain = {
        "bag_words": _int32(bag_words),
        "bag_ends": _int32(bag_ends),
        "entry_ranks": bytes(ranks),
        "entry_lengths": bytes(lengths),
        "entry_codes": "\n".join(entry_codes).encode("utf-8"),
        "entry_named": "\n".join(named).encode("utf-8"),
        **{name: data[name].encode("utf-8") for name in _TEXT if name in data},
        **{name: _int32(data[name]) for name in _INT32},
        **{name: _float64(data[name]) for name in _FLOAT64},
    }
    sections: dict[str, list[int]] = {}
    chunks: list[bytes] = []
    offset = 0
    for name, raw in plain.items():
        packed = zlib.compress(raw, 9)
        sections[name] = [offset, len(packed)]
        chunks.append(packed)
        offset += len(packed)
    titles = data["titles"].split("\n") if data["codes"] else []
    blocks: list[int] = []
    for start in range(0, len(titles), _TITLE_BLOCK):
        packed = zlib.compress("\n".join(titles[start : start + _TITLE_BLOCK]).encode("utf-8"), 9)
        blocks.append(len(packed))
        chunks.append(packed)
    sections["titles"] = [offset, sum(blocks)]
    payload = b"".join(chunks)
    header = {
        "format": data["format"],
        "stamp": data["stamp"],
        "source": data["source"],
        "crc32": zlib.crc32(payload),
        "n_bags": len(data["bags"].split("\n")) if data["bags"] else 0,
        "n_codes": len(titles),
        "gram_unseen": data["gram_unseen"],
        "title_block": _TITLE_BLOCK,
        "title_blocks": blocks,
        "sections": sections,
    }
    return _MAGIC + json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + payload


def _read(raw: bytes) -> tuple[dict[str, Any], memoryview]:
    """(header, payload) of the file's bytes, the payload checked against its crc32."""
    if not raw.startswith(_MAGIC):
        raise ValueError("not an ICD-10-CM index file")
    end = raw.index(b"\n")
    header = json.loads(raw[len(_MAGIC) : end])
    if header.get("format") != FORMAT:
        raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
    payload = memoryview(raw)[end + 1 :]
    if zlib.crc32(payload) != header["crc32"]:
        raise ValueError("damaged (checksum)")
    return header, payload


def _section(header: dict[str, Any], payload: memoryview, name: str) -> bytes:
    offset, length = header["sections"][name]
    if offset + length > len(payload):
        raise ValueError(f"section {name} is cut short")
    return zlib.decompress(payload[offset : offset + length])


def _lines(raw: bytes, n: int | None = None) -> list[str]:
    """The "\\n"-joined values; `n`: how many there must be (one empty value is b"" too)."""
    values = raw.decode("utf-8").split("\n") if raw or n else []
    if n is not None and len(values) != n:
        raise ValueError(f"expected {n} lines, found {len(values)}")
    return values


def _int32_array(raw: bytes) -> array.array:
    values = array.array("i")
    values.frombytes(raw)
    return _little(values)


def _int32s(raw: bytes) -> list[int]:
    return _int32_array(raw).tolist()


def _float64s(raw: bytes) -> list[float]:
    values = array.array("d")
    values.frombytes(raw)
    return _little(values).tolist()


def data_of(raw: bytes) -> dict[str, Any]:
    """`build_data()`'s dict back from the file's bytes (everything decoded; for checks)."""
    header, payload = _read(raw)
    out: dict[str, Any] = {"format": header["format"], "stamp": header["stamp"], "source": header["source"]}
    text = {name: _section(header, payload, name).decode("utf-8") for name in _TEXT}
    words = _lines(text["posting_words"].encode("utf-8"))
    flat, start, lines = _int32s(_section(header, payload, "bag_words")), 0, []
    for end in _int32s(_section(header, payload, "bag_ends")):
        lines.append(" ".join(words[i] for i in flat[start:end]))
        start = end
    text["bags"] = "\n".join(lines)
    n = header["n_bags"]
    ranks, lengths = (list(_section(header, payload, name)) for name in _BYTES)
    columns = [ranks, lengths, _lines(text["entry_codes"].encode(), n), _lines(text["entry_named"].encode(), n)]
    titles = _Titles(header, payload)
    out.update({
        "bags": text["bags"],
        "entries": columns if n else [],
        "posting_words": text["posting_words"],
        "posting_ends": _int32s(_section(header, payload, "posting_ends")),
        "posting_bags": _int32s(_section(header, payload, "posting_bags")),
        "codes": text["codes"],
        "titles": "\n".join(titles[i] for i in range(header["n_codes"])),
        "billable": text["billable"],
        "gram_words": text["gram_words"],
        "gram_keys": text["gram_keys"],
        "gram_idf": _float64s(_section(header, payload, "gram_idf")),
        "gram_unseen": header["gram_unseen"],
        "gram_ends": _int32s(_section(header, payload, "gram_ends")),
        "gram_numbers": _int32s(_section(header, payload, "gram_numbers")),
        "gram_norms": _float64s(_section(header, payload, "gram_norms")),
    })
    return out


def build(path: Path | None = None) -> Path:
    """Write the resource (atomically)."""
    from pipeline.write import atomic_write_bytes

    path = path or resource_path()
    atomic_write_bytes(path, encode(build_data()))
    return path


# --------------------------------------------------------------------------- load


class _Titles:
    """Row -> title, decompressing the block of `_TITLE_BLOCK` titles that holds it on
    first use (a run reads the titles of the few hundred codes it writes)."""

    def __init__(self, header: dict[str, Any], payload: memoryview) -> None:
        self._size = header["title_block"]
        self._n = header["n_codes"]
        start, length = header["sections"]["titles"]
        if start + length > len(payload) or sum(header["title_blocks"]) != length:
            raise ValueError("titles section is cut short")
        self._spans = []
        for size in header["title_blocks"]:
            self._spans.append((start, start + size))
            start += size
        if len(self._spans) != -(-self._n // self._size):
            raise ValueError("titles: wrong number of blocks")
        self._payload = payload
        self._blocks: dict[int, list[str]] = {}

    def __getitem__(self, row: int) -> str:
        number, at = divmod(row, self._size)
        block = self._blocks.get(number)
        if block is None:
            start, end = self._spans[number]
            block = zlib.decompress(self._payload[start:end]).decode("utf-8").split("\n")
            if len(block) != min(self._size, self._n - number * self._size):
                raise ValueError(f"titles: block {number} has {len(block)} titles")
            self._blocks[number] = block
        return block[at]


class CodeTable(Mapping[str, tuple[str, str]]):
    """code -> (title, billable code), answered from the stored columns: the codes are
    stored sorted and found by bisection (no dict of ~98k codes to build at every start),
    the titles decompressed block by block when first asked for (`_Titles`)."""

    def __init__(self, codes: list[str], titles: Any, billable: list[str]) -> None:
        if len(codes) != len(billable):
            raise ValueError("codes and billable codes differ in number")
        if codes != sorted(codes):  # (a sorted list sorts in one C-level pass)
            raise ValueError("codes are not sorted")
        self._codes, self._titles, self._billable = codes, titles, billable

    def _row(self, code: object) -> int | None:
        if not isinstance(code, str):
            return None
        row = bisect.bisect_left(self._codes, code)
        return row if row < len(self._codes) and self._codes[row] == code else None

    def title(self, code: str) -> str | None:
        row = self._row(code)
        return None if row is None else self._titles[row]

    def billable(self, code: str) -> str | None:
        row = self._row(code)
        return None if row is None else (self._billable[row] or code)  # "": the code itself

    def __getitem__(self, code: str) -> tuple[str, str]:
        row = self._row(code)
        if row is None:
            raise KeyError(code)
        return self._titles[row], self._billable[row] or code

    def __contains__(self, code: object) -> bool:
        return self._row(code) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


@dataclass(frozen=True)
class IcdData:
    index: tuple[dict[frozenset[str], tuple[int, int, str, str]], dict[str, list[frozenset[str]]]]
    codes: CodeTable  # code -> (title, billable code)
    grams: tuple[list[str], dict[str, float], float, dict[str, list[int]], list[float]]  # coding._word_gram_index


def decode(raw: bytes) -> tuple[str, IcdData]:
    """(stamp, data) from the file's bytes; ValueError if it is not this format or damaged.

    The index and postings are plain dicts, as `coding._icd_index` builds them (every look-up
    at full speed; the ~68k frozensets are made here, once, before workers fork and
    inherit them); the code table and titles are answered from their columns."""
    import numpy  # (loaded with spaCy anyway)

    collecting = gc.isenabled()
    gc.disable()  # ~70k containers: the cyclic collector would rescan them over and over
    try:
        header, payload = _read(raw)
        n = header["n_bags"]

        def section(name: str) -> bytes:
            return _section(header, payload, name)

        words = _lines(section("posting_words"))
        ends = _int32_array(section("bag_ends"))
        if len(ends) != n:
            raise ValueError("bag_ends: one end per bag expected")
        # every word occurrence of every bag, as the one string object of its word
        occurrences = numpy.array(words, dtype=object)[numpy.frombuffer(section("bag_words"), dtype="<i4")].tolist()
        if ends and ends[-1] != len(occurrences):
            raise ValueError("bag_words do not fit bag_ends")
        bags = list(map(frozenset, map(occurrences.__getitem__, map(slice, [0, *ends[:-1]], ends))))
        entries = zip(section("entry_ranks"), section("entry_lengths"), _lines(section("entry_codes"), n),
                      _lines(section("entry_named"), n), strict=True)
        index = dict(zip(bags, entries, strict=True))
        if len(index) != n:
            raise ValueError("a word bag is listed twice")
        ends = _int32_array(section("posting_ends"))
        bag_objects = numpy.empty(n, dtype=object)
        bag_objects[:] = bags
        # every posting of every word, as the bag object (a number out of range: IndexError)
        flat = bag_objects[numpy.frombuffer(section("posting_bags"), dtype="<i4")].tolist()
        if len(words) != len(ends) or (ends and ends[-1] != len(flat)):
            raise ValueError("postings columns do not fit")
        postings = dict(zip(words, map(flat.__getitem__, map(slice, [0, *ends[:-1]], ends)), strict=True))
        table = CodeTable(_lines(section("codes"), header["n_codes"]), _Titles(header, payload),
                          _lines(section("billable"), header["n_codes"]))
        keys = _lines(section("gram_keys"))
        numbers, gram_ends = _int32s(section("gram_numbers")), _int32s(section("gram_ends"))
        if gram_ends and gram_ends[-1] != len(numbers):
            raise ValueError("3-gram index: gram_numbers do not fit gram_ends")
        inverted = dict(zip(keys, map(numbers.__getitem__, map(slice, [0, *gram_ends[:-1]], gram_ends)), strict=True))
        gram_words = _lines(section("gram_words"))
        norms = _float64s(section("gram_norms"))
        if len(norms) != len(gram_words):
            raise ValueError("3-gram index: one norm per word expected")
        grams = (gram_words, dict(zip(keys, _float64s(section("gram_idf")), strict=True)),
                 float(header["gram_unseen"]), inverted, norms)
    finally:
        if collecting:
            gc.enable()
    return header["stamp"], IcdData((index, postings), table, grams)


_STALE_HINT = "run `python -m pipeline.icd_data --build` (or `make lexicons`)"


@functools.lru_cache(maxsize=1)
def load() -> IcdData | None:
    """The shipped data, or None (with a warning) when missing, unreadable or stale."""
    path = resource_path()
    try:
        stamp, data = decode(path.read_bytes())
    except FileNotFoundError:
        problem = "is missing"
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error) as exc:
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
            found = None if data is None else data.codes.title(code) if slot == 0 else data.codes.billable(code)
            return found if found is not None else func(code)

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
