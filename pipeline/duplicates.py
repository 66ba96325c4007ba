"""Near-duplicate reports: the same case reached through two sites.

Input: cleaned texts by case id. Output: `{case_id: canonical case_id}` for every report
that duplicates another. Pure function.

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
from collections.abc import Mapping

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
