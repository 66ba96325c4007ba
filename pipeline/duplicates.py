"""Near-duplicate reports: the same case reached through two sites.

Input: cleaned texts by case id. Output: `{case_id: canonical case_id}` for every report
that duplicates another. Pure function. `find_duplicates_from_arrays` gives the same
answer from precomputed shingle arrays in bounded memory, for corpora too large to hold
every text (it spills to a temporary folder).

Texts are compared as sets of 5-word shingles after Unicode normalisation (NFKC, every
dash folded to "-", lower case, punctuation dropped), by containment: shared shingles
over the shingles of the shorter text. Containment, not Jaccard, so one copy with
extra boilerplate or an added translation still matches. Two reports are duplicates
at containment >= 0.8 with at least 20 shingles in the shorter one; duplicates are
grouped transitively and every member points to the group's smallest case id, so the
choice is deterministic and does not depend on input order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 5
MIN_SHINGLES = 20
THRESHOLD = 0.8
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_WORD = re.compile(r"[a-z0-9]+")


def shingles(text: str) -> frozenset[int]:
    norm = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    words = _WORD.findall(norm)
    return frozenset(_stable_hash(" ".join(words[i : i + SHINGLE])) for i in range(max(0, len(words) - SHINGLE + 1)))


def _stable_hash(text: str) -> int:
    """64-bit hash that is the same in every process (unlike hash())."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def find_duplicates(texts: Mapping[str, str]) -> dict[str, str]:
    sets = {case_id: shingles(text) for case_id, text in texts.items()}
    index: dict[int, list[str]] = defaultdict(list)
    for case_id in sorted(sets):
        for sh in sets[case_id]:
            index[sh].append(case_id)
    shared: Counter[tuple[str, str]] = Counter()
    for members in index.values():
        if 1 < len(members) <= 50:  # shingles in very many reports are boilerplate, not evidence
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    shared[(a, b)] += 1
    parent = {case_id: case_id for case_id in sets}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), n in sorted(shared.items()):
        smaller = min(len(sets[a]), len(sets[b]))
        if smaller >= MIN_SHINGLES and n / smaller >= THRESHOLD:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {case_id: root(case_id) for case_id in sorted(sets) if root(case_id) != case_id}


def shingle_array(text: str) -> np.ndarray:
    """`shingles(text)` as a sorted numpy uint64 array (compact: 8 bytes a shingle)."""
    import numpy as np

    return np.array(sorted(shingles(text)), dtype=np.uint64)


def find_duplicates_from_arrays(case_ids: Sequence[str], arrays: Iterable[np.ndarray]) -> dict[str, str]:
    """`find_duplicates` over precomputed shingle arrays, in bounded memory.

    `case_ids` must be sorted and `arrays` their `shingle_array`s in the same order. Same
    result as `find_duplicates` on the texts (tested): the same shingles, the same
    "2 to 50 reports share it" rule, the same containment test and transitive grouping.
    The (shingle, report) pairs are spilled to disk in 16 buckets by shingle hash and
    counted one bucket at a time with numpy, so memory holds one bucket's pairs and the
    distinct report pairs that share a shingle, never the texts or every set at once.
    """
    import tempfile

    import numpy as np

    if list(case_ids) != sorted(case_ids):
        raise ValueError("case_ids must be sorted")
    n_docs = len(case_ids)
    sizes = np.zeros(n_docs, dtype=np.int64)
    record = np.dtype([("h", np.uint64), ("d", np.int64)])
    n_buckets = 16
    pair_codes: list[np.ndarray] = []
    pair_counts: list[np.ndarray] = []
    with tempfile.TemporaryDirectory(prefix="caseextract-dups-") as tmp:
        files = [open(Path(tmp) / f"{b:02d}.bin", "wb") for b in range(n_buckets)]  # noqa: SIM115
        try:
            for doc, arr in enumerate(arrays):
                if doc >= n_docs:
                    raise ValueError("more arrays than case ids")
                arr = np.asarray(arr, dtype=np.uint64)
                sizes[doc] = len(arr)
                rec = np.empty(len(arr), dtype=record)
                rec["h"], rec["d"] = arr, doc
                bucket = (arr >> np.uint64(60)).astype(np.int64)
                for b in np.unique(bucket):
                    rec[bucket == b].tofile(files[b])
        finally:
            for f in files:
                f.close()
        for b in range(n_buckets):
            rec = np.fromfile(Path(tmp) / f"{b:02d}.bin", dtype=record)
            if len(rec) < 2:
                continue
            rec = rec[np.lexsort((rec["d"], rec["h"]))]
            h = rec["h"]
            starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
            lengths = np.diff(np.r_[starts, len(h)])
            docs = rec["d"]
            for m in range(2, 51):  # shingles in very many reports are boilerplate, not evidence
                group_starts = starts[lengths == m]
                if not len(group_starts):
                    continue
                members = docs[group_starts[:, None] + np.arange(m)[None, :]]
                i, j = np.triu_indices(m, k=1)
                codes = (members[:, i] * n_docs + members[:, j]).ravel()
                uniq, counts = np.unique(codes, return_counts=True)
                pair_codes.append(uniq)
                pair_counts.append(counts)
    parent = list(range(n_docs))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if pair_codes:
        codes = np.concatenate(pair_codes)
        counts = np.concatenate(pair_counts)
        order = np.argsort(codes, kind="stable")
        codes, counts = codes[order], counts[order]
        firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        shared = np.add.reduceat(counts, firsts)
        codes = codes[firsts]
        a, b = codes // n_docs, codes % n_docs
        smaller = np.minimum(sizes[a], sizes[b])
        ok = smaller >= MIN_SHINGLES
        hit = np.zeros(len(codes), dtype=bool)
        hit[ok] = shared[ok] / smaller[ok] >= THRESHOLD
        for x, y in zip(a[hit].tolist(), b[hit].tolist(), strict=True):
            rx, ry = root(x), root(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
    return {case_ids[d]: case_ids[root(d)] for d in range(n_docs) if root(d) != d}
