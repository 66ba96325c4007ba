"""Score predicted mentions against gold mentions.

Input: two iterables of ``(doc_id, start, end, category)`` tuples (extra fields ignored).
Output: `Scores` — per category and micro-averaged precision/recall/F1, in two modes:

- strict: same document, same category, identical ``start`` and ``end``;
- overlap: same document, same category, spans share at least one character; matching is
  one-to-one and greedy: exact matches first, then remaining pairs by decreasing overlap
  length (ties: earliest gold, then earliest prediction), so one long prediction cannot
  be credited for two gold mentions.

Duplicate tuples are collapsed before scoring. Pure functions, no side effects.
`format_table` renders a fixed-width text (and Markdown-compatible) table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

Span = tuple[str, int, int, str]

MODES: tuple[str, ...] = ("strict", "overlap")


@dataclass(frozen=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class Scores:
    """``by_mode[mode][category] -> PRF``; the key ``"micro"`` holds the micro average."""

    categories: tuple[str, ...]
    by_mode: dict[str, dict[str, PRF]]

    def f1(self, mode: str, category: str = "micro") -> float:
        return self.by_mode[mode][category].f1

    def as_dict(self) -> dict[str, Any]:
        return {mode: {cat: prf.as_dict() for cat, prf in cats.items()}
                for mode, cats in self.by_mode.items()}


def _norm(spans: Iterable[Sequence[Any]]) -> set[Span]:
    return {(str(s[0]), int(s[1]), int(s[2]), str(s[3])) for s in spans}


def match_overlap(gold: Iterable[Span], pred: Iterable[Span]) -> list[tuple[Span, Span]]:
    """One-to-one greedy matching of overlapping spans with the same doc and category."""
    gold_by: dict[tuple[str, str], list[Span]] = defaultdict(list)
    pred_by: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for g in sorted(_norm(gold)):
        gold_by[(g[0], g[3])].append(g)
    for p in sorted(_norm(pred)):
        pred_by[(p[0], p[3])].append(p)
    pairs: list[tuple[Span, Span]] = []
    for key in sorted(gold_by.keys() & pred_by.keys()):
        cands = []
        for gi, g in enumerate(gold_by[key]):
            for pi, p in enumerate(pred_by[key]):
                ov = min(g[2], p[2]) - max(g[1], p[1])
                if ov > 0:
                    exact = g[1] == p[1] and g[2] == p[2]
                    cands.append((not exact, -ov, gi, pi))
        cands.sort()
        used_g: set[int] = set()
        used_p: set[int] = set()
        for _, _, gi, pi in cands:
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold_by[key][gi], pred_by[key][pi]))
    return pairs


def score(
    gold: Iterable[Sequence[Any]],
    pred: Iterable[Sequence[Any]],
    categories: Sequence[str] | None = None,
) -> Scores:
    """Per-category and micro P/R/F1, strict and overlap.

    ``categories`` fixes the rows (and which categories enter the micro average);
    default: every category seen in gold or predictions, sorted.
    """
    g_set, p_set = _norm(gold), _norm(pred)
    cats = tuple(categories) if categories is not None else tuple(sorted({s[3] for s in g_set | p_set}))
    g_set = {s for s in g_set if s[3] in cats}
    p_set = {s for s in p_set if s[3] in cats}
    by_mode: dict[str, dict[str, PRF]] = {}

    strict_tp = g_set & p_set
    overlap_pairs = match_overlap(g_set, p_set)
    for mode in MODES:
        rows: dict[str, PRF] = {}
        for cat in cats:
            n_gold = sum(1 for s in g_set if s[3] == cat)
            n_pred = sum(1 for s in p_set if s[3] == cat)
            if mode == "strict":
                tp = sum(1 for s in strict_tp if s[3] == cat)
            else:
                tp = sum(1 for g, _ in overlap_pairs if g[3] == cat)
            rows[cat] = PRF(tp, n_pred - tp, n_gold - tp)
        rows["micro"] = PRF(
            sum(r.tp for r in rows.values()),
            sum(r.fp for r in rows.values()),
            sum(r.fn for r in rows.values()),
        )
        by_mode[mode] = rows
    return Scores(cats, by_mode)


def format_table(scores: Scores, title: str | None = None) -> str:
    """A Markdown table: one row per category plus micro, strict and overlap P/R/F1."""
    head = ("| category | gold | pred | strict P | strict R | strict F1 "
            "| overlap P | overlap R | overlap F1 |")
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    lines = [f"## {title}", ""] if title else []
    lines += [head, sep]
    for cat in (*scores.categories, "micro"):
        s = scores.by_mode["strict"][cat]
        o = scores.by_mode["overlap"][cat]
        n_gold = s.tp + s.fn
        n_pred = s.tp + s.fp
        lines.append(
            f"| {cat} | {n_gold} | {n_pred} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
            f"| {o.precision:.3f} | {o.recall:.3f} | {o.f1:.3f} |"
        )
    return "\n".join(lines) + "\n"
