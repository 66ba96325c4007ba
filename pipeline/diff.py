"""Diff two output folders: what changed between two runs, matched by span and concept.

Input: two folders written by `python -m pipeline extract` (OLD and NEW). Output: a
`DiffResult` — one `Change` per mention, (case, concept), removed-text span or case field
that was added, removed or changed — rendered as a readable summary (`render_summary`),
`diff.csv` and `diff.json` (`write_diff`). Reading is all this module does to the folders.

Matching never uses row numbers or mention ids (they renumber when anything earlier in a
report changes). Mentions are compared on *source* offsets (`raw_start`/`raw_end`): those
do not move when a cleaning rule changes the cleaned text. When the source text itself
changed (a new corpus version), OLD offsets are carried over to NEW ones by aligning the
two source texts (lines first, then characters inside small changed blocks); a mention in
text that no longer exists cannot be carried over and shows as removed. Per case:

1. same span, same category                      -> same mention (compare its fields)
2. same span, other category                     -> changed (kind `category`, ...)
3. overlapping spans, same concept_id            -> changed (kind `span`, ...)
4. overlapping spans, same category              -> changed (kinds `span`, `concept`, ...)
5. whatever is left                              -> removed (OLD) / added (NEW)

Greedy and one-to-one within each step (largest overlap first). A matched pair is
"changed" when its mapped span or any shared column other than ids, offsets and text
differs; the change kinds name what: `span`, `category`, `concept` (concept_id,
preferred_term, code_system, code), `assertion`, `experiencer`, `section`, `source`, or
the name of any extra column both runs have. Columns present in only one run are listed
in `notes`, never reported per row.

Concepts are compared per (case, concept) from the per-category rollup tables (kinds
`count`, `assertion`, `experiencer`, `concept`); removed text (boilerplate.csv) per span
and rule; cases per column of cases.csv (all but the derived `n_mentions`) plus their
errors.csv row.

CSV cells are read back with the spreadsheet-safety apostrophe removed (see
`pipeline.write`), and written with it again in diff.csv.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.schema import CATEGORIES, CATEGORY_TABLES
from pipeline.write import atomic_write_bytes, escape_cell

_ESCAPED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
ITEMS = ("case", "boilerplate", "mention", "concept")
CHANGE_KINDS = ("added", "removed", "changed")
_CONCEPT_COLUMNS = ("concept_id", "preferred_term", "code_system", "code")
_MENTION_SKIP = frozenset({"case_id", "mention_id", "start", "end", "raw_start", "raw_end", "text"})
_ROLLUP_SKIP = frozenset({"case_id", "concept_id", "first_start", "first_text"})
_CASE_SKIP = frozenset({"case_id", "n_mentions"})
_KIND_OF = {**{c: "concept" for c in _CONCEPT_COLUMNS}, "n_mentions": "count"}
_CHAR_ALIGN_LIMIT = 20_000  # characters per changed block aligned character by character


class OutputError(Exception):
    """A folder that cannot be read as pipeline output; the message says what to do."""


def unescape_cell(value: str) -> str:
    """Undo the spreadsheet-safety apostrophe of `pipeline.write.escape_cell`."""
    return value[1:] if value.startswith(_ESCAPED) else value


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV of the contract; extra columns are kept, cells unescaped."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [{k: unescape_cell(v or "") for k, v in row.items() if k is not None} for row in reader]
            return list(reader.fieldnames or []), rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise OutputError(f"{path}: cannot read ({exc}); is it a table written by `python -m pipeline extract`?") from exc


@dataclass
class Output:
    """The tables and texts of one output folder, indexed for comparison."""

    root: Path
    case_columns: list[str]
    cases: dict[str, dict[str, str]]
    mention_columns: list[str]
    mentions: dict[str, list[dict[str, str]]]
    rollup_columns: dict[str, list[str]]  # category -> columns of its table
    rollups: dict[str, dict[tuple[str, str], dict[str, str]]]  # category -> (case, concept) -> row
    boilerplate: dict[str, list[dict[str, str]]]
    errors: dict[str, dict[str, str]]  # case_id -> errors.csv row

    def text(self, case_id: str, kind: str = "source") -> str | None:
        """`kind` "source" (text/<id>.source.txt) or "clean" (text/<id>.txt); None if missing."""
        name = f"{case_id}.source.txt" if kind == "source" else f"{case_id}.txt"
        try:
            return (self.root / "text" / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    @cached_property
    def case_ids(self) -> list[str]:
        return sorted(set(self.cases) | set(self.mentions))


def load_output(root: Path) -> Output:
    """Read an output folder; raise `OutputError` when it is not one."""
    if not root.is_dir():
        raise OutputError(f"{root}: no such folder; pass a folder written by `python -m pipeline extract`")
    for required in ("cases.csv", "mentions.csv"):
        if not (root / required).is_file():
            raise OutputError(f"{root}: no {required}; pass a folder written by `python -m pipeline extract`")
    case_columns, case_rows = read_csv(root / "cases.csv")
    mention_columns, mention_rows = read_csv(root / "mentions.csv")
    mentions: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in mention_rows:
        mentions[row["case_id"]].append(row)
    rollup_columns: dict[str, list[str]] = {}
    rollups: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
    for category, table in CATEGORY_TABLES.items():
        path = root / f"{table}.csv"
        if path.is_file():
            columns, rows = read_csv(path)
            rollup_columns[category] = columns
            rollups[category] = {(r["case_id"], r["concept_id"]): r for r in rows}
    boilerplate: dict[str, list[dict[str, str]]] = defaultdict(list)
    if (root / "boilerplate.csv").is_file():
        for row in read_csv(root / "boilerplate.csv")[1]:
            boilerplate[row["case_id"]].append(row)
    errors: dict[str, dict[str, str]] = {}
    if (root / "errors.csv").is_file():
        by_path = {r.get("source_path", ""): cid for cid, r in ((r["case_id"], r) for r in case_rows)}
        for row in read_csv(root / "errors.csv")[1]:
            errors[by_path.get(row.get("source_path", ""), row.get("source_path", ""))] = row
    return Output(
        root, case_columns, {r["case_id"]: r for r in case_rows}, mention_columns, dict(mentions),
        rollup_columns, rollups, dict(boilerplate), errors,
    )


# ---------------------------------------------------------------------------
# Carrying OLD source offsets over to NEW ones
# ---------------------------------------------------------------------------


class OffsetMap:
    """Maps a span of the OLD source text to the same characters in the NEW one.

    Identity when the texts are equal (or either is unknown). Otherwise the texts are
    aligned line by line (`difflib.SequenceMatcher`), and changed blocks of moderate size
    character by character; a span is carried over only if it lies inside one aligned
    block, i.e. its characters are unchanged.
    """

    def __init__(self, old: str | None, new: str | None) -> None:
        self.identity = old is None or new is None or old == new
        self._starts: list[int] = []
        self._blocks: list[tuple[int, int, int]] = []  # (old_start, old_end, new_start)
        if not self.identity:
            assert old is not None and new is not None
            self._align(old, new)

    def _align(self, old: str, new: str) -> None:
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        old_at, new_at = _line_starts(old_lines), _line_starts(new_lines)
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        blocks: list[tuple[int, int, int]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            o1, o2, n1, n2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
            if tag == "equal":
                blocks.append((o1, o2, n1))
            elif tag == "replace" and (o2 - o1) + (n2 - n1) <= _CHAR_ALIGN_LIMIT:
                chars = difflib.SequenceMatcher(None, old[o1:o2], new[n1:n2], autojunk=False)
                for a, b, size in chars.get_matching_blocks():
                    if size:
                        blocks.append((o1 + a, o1 + a + size, n1 + b))
        self._blocks = sorted(blocks)
        self._starts = [b[0] for b in self._blocks]

    def map(self, start: int, end: int) -> tuple[int, int] | None:
        if self.identity:
            return start, end
        index = bisect_right(self._starts, start) - 1
        if index < 0:
            return None
        o1, o2, n1 = self._blocks[index]
        if start < o1 or end > o2:
            return None
        return n1 + start - o1, n1 + end - o1


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


# ---------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One row of diff.csv. Offsets are source offsets (raw_start/raw_end) of each run."""

    case_id: str
    item: str  # case, boilerplate, mention, concept
    change: str  # added, removed, changed
    kinds: str  # what changed, ";"-separated (empty for added/removed)
    category: str
    old_id: str  # mention_id / concept_id / column name / rule
    new_id: str
    old_text: str
    new_text: str
    old_raw_start: int | None = None
    old_raw_end: int | None = None
    new_raw_start: int | None = None
    new_raw_end: int | None = None
    old_value: str = ""  # the differing fields, "name=value; ..."
    new_value: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        at = self.new_raw_start if self.new_raw_start is not None else self.old_raw_start
        return (self.case_id, ITEMS.index(self.item), at if at is not None else -1,
                self.category, self.old_id, self.new_id, self.change)


DIFF_COLUMNS = tuple(f.name for f in fields(Change))


@dataclass
class DiffResult:
    old: str
    new: str
    changes: list[Change]
    n_cases_old: int
    n_cases_new: int
    source_changed: list[str] = field(default_factory=list)  # cases whose source text differs
    notes: list[str] = field(default_factory=list)

    @property
    def different(self) -> bool:
        """Any change, or a table whose columns differ (those are named in `notes`)."""
        return bool(self.changes) or any("column(s) only in" in note for note in self.notes)

    def counts(self) -> dict[str, Any]:
        by_item = {item: {kind: 0 for kind in CHANGE_KINDS} for item in ITEMS}
        by_category: dict[str, dict[str, int]] = {}
        by_kind: Counter[str] = Counter()
        for c in self.changes:
            by_item[c.item][c.change] += 1
            if c.item == "mention":
                row = by_category.setdefault(c.category, {kind: 0 for kind in CHANGE_KINDS})
                row[c.change] += 1
                for kind in filter(None, c.kinds.split(";")):
                    by_kind[kind] += 1
        return {
            "items": by_item,
            "mentions_by_category": dict(sorted(by_category.items(), key=lambda kv: _category_order(kv[0]))),
            "mention_change_kinds": dict(sorted(by_kind.items())),
        }

    def by_case(self) -> list[tuple[str, Counter[str]]]:
        """Cases with changes, most changes first: case -> Counter of 'item change'."""
        per: dict[str, Counter[str]] = defaultdict(Counter)
        for c in self.changes:
            per[c.case_id][f"{c.item} {c.change}"] += 1
        return sorted(per.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "different": self.different,
            "cases": {"old": self.n_cases_old, "new": self.n_cases_new},
            "counts": self.counts(),
            "source_changed": self.source_changed,
            "notes": self.notes,
            "changes": [asdict(c) for c in self.changes],
        }


def _category_order(category: str) -> tuple[int, str]:
    return (CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES), category)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _span(row: dict[str, str]) -> tuple[int, int] | None:
    start, end = _int(row.get("raw_start", "")), _int(row.get("raw_end", ""))
    return (start, end) if start is not None and end is not None else None


def _describe(row: dict[str, str], columns: Iterable[str]) -> str:
    return "; ".join(f"{c}={row.get(c, '')}" for c in columns)


def _field_kinds(old: dict[str, str], new: dict[str, str], columns: Iterable[str]) -> tuple[list[str], list[str]]:
    """(kinds, differing columns) over the shared, compared columns."""
    kinds: list[str] = []
    differing: list[str] = []
    for column in columns:
        if old.get(column, "") != new.get(column, ""):
            differing.append(column)
            kind = _KIND_OF.get(column, column)
            if kind not in kinds:
                kinds.append(kind)
    return kinds, differing


def match_mentions(
    old: Sequence[dict[str, str]], new: Sequence[dict[str, str]], offsets: OffsetMap
) -> tuple[list[tuple[int, int, tuple[int, int] | None]], list[int], list[int]]:
    """Pair OLD and NEW mentions of one case (rules in the module docstring).

    Returns (pairs as (old index, new index, OLD span mapped into NEW), unmatched OLD
    indices, unmatched NEW indices).
    """
    mapped = [(_span(r) and offsets.map(*_span(r))) for r in old]  # type: ignore[misc]
    new_spans = [_span(r) for r in new]
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int, tuple[int, int] | None]] = []

    by_span: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, span in enumerate(new_spans):
        if span is not None:
            by_span[span].append(j)
    for same_category in (True, False):
        for i, span in enumerate(mapped):
            if i in used_old or span is None:
                continue
            for j in by_span.get(span, ()):
                if j in used_new or (same_category and new[j]["category"] != old[i]["category"]):
                    continue
                pairs.append((i, j, span))
                used_old.add(i)
                used_new.add(j)
                break

    order = sorted((s[0], s[1], j) for j, s in enumerate(new_spans) if s is not None)
    starts = [s for s, _, _ in order]
    longest = max((e - s for s, e, _ in order), default=0)
    candidates: list[tuple[int, int, int, int]] = []
    for i, span in enumerate(mapped):
        if i in used_old or span is None:
            continue
        s, e = span
        k = bisect_left(starts, e) - 1
        while k >= 0 and starts[k] > s - longest - 1:
            ns, ne, j = order[k]
            k -= 1
            overlap = min(e, ne) - max(s, ns)
            if overlap <= 0 or j in used_new:
                continue
            if new[j].get("concept_id", "") == old[i].get("concept_id", "") and new[j]["category"] == old[i]["category"]:
                candidates.append((0, -overlap, i, j))
            elif new[j]["category"] == old[i]["category"]:
                candidates.append((1, -overlap, i, j))
    for _, _, i, j in sorted(candidates):
        if i in used_old or j in used_new:
            continue
        pairs.append((i, j, mapped[i]))
        used_old.add(i)
        used_new.add(j)
    return (
        sorted(pairs),
        [i for i in range(len(old)) if i not in used_old],
        [j for j in range(len(new)) if j not in used_new],
    )


def _mention_change(case_id: str, change: str, old: dict[str, str] | None, new: dict[str, str] | None,
                    kinds: Sequence[str] = (), differing: Sequence[str] = ()) -> Change:
    o, n = old or {}, new or {}
    old_span, new_span = _span(o) if old else None, _span(n) if new else None
    return Change(
        case_id=case_id, item="mention", change=change, kinds=";".join(kinds),
        category=(n or o).get("category", ""),
        old_id=o.get("mention_id", ""), new_id=n.get("mention_id", ""),
        old_text=o.get("text", ""), new_text=n.get("text", ""),
        old_raw_start=old_span[0] if old_span else None, old_raw_end=old_span[1] if old_span else None,
        new_raw_start=new_span[0] if new_span else None, new_raw_end=new_span[1] if new_span else None,
        old_value=_describe(o, differing) if old and differing else "",
        new_value=_describe(n, differing) if new and differing else "",
    )


def _diff_mentions(case_id: str, old: Sequence[dict[str, str]], new: Sequence[dict[str, str]],
                   offsets: OffsetMap, compared: Sequence[str]) -> list[Change]:
    pairs, removed, added = match_mentions(old, new, offsets)
    changes: list[Change] = []
    for i, j, mapped in pairs:
        kinds, differing = _field_kinds(old[i], new[j], compared)
        if mapped != _span(new[j]):
            kinds.insert(0, "span")
        if kinds:
            changes.append(_mention_change(case_id, "changed", old[i], new[j], kinds, differing))
    changes += [_mention_change(case_id, "removed", old[i], None) for i in removed]
    changes += [_mention_change(case_id, "added", None, new[j]) for j in added]
    return changes


def _diff_boilerplate(case_id: str, old: Sequence[dict[str, str]], new: Sequence[dict[str, str]],
                      offsets: OffsetMap) -> list[Change]:
    def change(kind: str, o: dict[str, str] | None, n: dict[str, str] | None, kinds: str = "") -> Change:
        os_, ns_ = (_span(o) if o else None), (_span(n) if n else None)
        return Change(
            case_id, "boilerplate", kind, kinds, "", (o or {}).get("rule", ""), (n or {}).get("rule", ""),
            (o or {}).get("text", ""), (n or {}).get("text", ""),
            os_[0] if os_ else None, os_[1] if os_ else None, ns_[0] if ns_ else None, ns_[1] if ns_ else None,
        )

    by_span: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
    for row in new:
        span = _span(row)
        if span is not None:
            by_span[span].append(row)
    matched: set[int] = set()
    changes: list[Change] = []
    leftover: list[tuple[dict[str, str], tuple[int, int] | None]] = []
    for row in old:
        span = _span(row)
        mapped = offsets.map(*span) if span else None
        candidates = [r for r in by_span.get(mapped, []) if id(r) not in matched] if mapped else []
        if not candidates:
            leftover.append((row, mapped))
            continue
        same_rule = [r for r in candidates if r.get("rule") == row.get("rule")]
        partner = (same_rule or candidates)[0]
        matched.add(id(partner))
        if partner.get("rule") != row.get("rule"):
            changes.append(change("changed", row, partner, "rule"))
    # a span that grew or shrank (e.g. now with its line end) is one changed span, not two
    for row, mapped in leftover:
        partner = None
        if mapped is not None:
            overlapping = [r for r in new if id(r) not in matched and (sp := _span(r)) is not None
                           and min(sp[1], mapped[1]) > max(sp[0], mapped[0])]
            overlapping.sort(key=lambda r: r.get("rule") != row.get("rule"))
            partner = overlapping[0] if overlapping else None
        if partner is None:
            changes.append(change("removed", row, None))
            continue
        matched.add(id(partner))
        kinds = ["span"] + (["rule"] if partner.get("rule") != row.get("rule") else [])
        changes.append(change("changed", row, partner, ";".join(kinds)))
    changes += [change("added", None, r) for r in new if id(r) not in matched]
    return changes


def _diff_rollups(case_ids: set[str], old: Output, new: Output) -> list[Change]:
    changes: list[Change] = []
    for category in CATEGORY_TABLES:
        if category not in old.rollups or category not in new.rollups:
            continue
        shared = [c for c in old.rollup_columns[category] if c in new.rollup_columns[category] and c not in _ROLLUP_SKIP]
        o_rows, n_rows = old.rollups[category], new.rollups[category]
        for key in sorted(k for k in set(o_rows) | set(n_rows) if k[0] in case_ids):
            o, n = o_rows.get(key), n_rows.get(key)
            term = (n or o or {}).get("preferred_term", "")
            if o is None or n is None:
                kind = "added" if o is None else "removed"
                row = (n or o) or {}
                changes.append(Change(key[0], "concept", kind, "", category, key[1] if o else "", key[1] if n else "",
                                      term if o else "", term if n else "",
                                      old_value=_describe(row, ("n_mentions",)) if o else "",
                                      new_value=_describe(row, ("n_mentions",)) if n else ""))
                continue
            kinds, differing = _field_kinds(o, n, shared)
            if kinds:
                changes.append(Change(key[0], "concept", "changed", ";".join(kinds), category, key[1], key[1],
                                      o.get("preferred_term", ""), n.get("preferred_term", ""),
                                      old_value=_describe(o, differing), new_value=_describe(n, differing)))
    return changes


def _diff_case_fields(case_id: str, old: Output, new: Output, shared: Sequence[str]) -> list[Change]:
    o, n = old.cases.get(case_id), new.cases.get(case_id)
    if o is None or n is None:
        row = (n or o) or {}
        return [Change(case_id, "case", "added" if o is None else "removed", "", "", "" if o is None else case_id,
                       case_id if o is None else "", row.get("title", "") if o else "", row.get("title", "") if n else "",
                       old_value=_describe(row, ("status",)) if o else "", new_value=_describe(row, ("status",)) if n else "")]
    changes = []
    for column in shared:
        if o.get(column, "") != n.get(column, ""):
            changes.append(Change(case_id, "case", "changed", column, "", column, column, "", "",
                                  old_value=o.get(column, ""), new_value=n.get(column, "")))
    oe, ne = old.errors.get(case_id), new.errors.get(case_id)
    describe = ("stage", "error", "message")
    if (oe or ne) and _describe(oe or {}, describe) != _describe(ne or {}, describe):
        changes.append(Change(case_id, "case", "changed", "error", "", "error", "error", "", "",
                              old_value=_describe(oe, describe) if oe else "",
                              new_value=_describe(ne, describe) if ne else ""))
    return changes


def diff_outputs(old: Output, new: Output) -> DiffResult:
    """Compare two loaded output folders (see the module docstring)."""
    notes = []
    for name, a, b in (("cases", old.case_columns, new.case_columns), ("mentions", old.mention_columns, new.mention_columns)):
        only_old = [c for c in a if c not in b]
        only_new = [c for c in b if c not in a]
        if only_old:
            notes.append(f"{name}.csv: column(s) only in OLD, not compared: {', '.join(only_old)}")
        if only_new:
            notes.append(f"{name}.csv: column(s) only in NEW, not compared: {', '.join(only_new)}")
    mention_compared = [c for c in old.mention_columns if c in new.mention_columns and c not in _MENTION_SKIP]
    case_compared = [c for c in old.case_columns if c in new.case_columns and c not in _CASE_SKIP]
    case_ids = sorted(set(old.case_ids) | set(new.case_ids))
    changes: list[Change] = []
    source_changed: list[str] = []
    for case_id in case_ids:
        old_source, new_source = old.text(case_id), new.text(case_id)
        if old_source is not None and new_source is not None and old_source != new_source:
            source_changed.append(case_id)
        offsets = OffsetMap(old_source, new_source)
        changes += _diff_case_fields(case_id, old, new, case_compared)
        changes += _diff_boilerplate(case_id, old.boilerplate.get(case_id, []), new.boilerplate.get(case_id, []), offsets)
        changes += _diff_mentions(case_id, old.mentions.get(case_id, []), new.mentions.get(case_id, []),
                                  offsets, mention_compared)
    changes += _diff_rollups(set(case_ids), old, new)
    changes.sort(key=Change.sort_key)
    return DiffResult(str(old.root), str(new.root), changes, len(old.cases), len(new.cases), source_changed, notes)


def diff_folders(old: Path, new: Path) -> DiffResult:
    return diff_outputs(load_output(old), load_output(new))


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def diff_csv_bytes(result: DiffResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DIFF_COLUMNS)
    for change in result.changes:
        row = asdict(change)
        writer.writerow(["" if row[c] is None else (row[c] if isinstance(row[c], int) else escape_cell(row[c]))
                         for c in DIFF_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def write_diff(result: DiffResult, out: Path) -> None:
    """Write `out/diff.csv` and `out/diff.json` (atomically)."""
    atomic_write_bytes(out / "diff.csv", diff_csv_bytes(result))
    text = json.dumps(result.as_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    atomic_write_bytes(out / "diff.json", text.encode("utf-8"))


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _detail_line(c: Change) -> str:
    if c.item == "mention":
        where_old = f"{c.old_raw_start}-{c.old_raw_end}" if c.old_raw_start is not None else ""
        where_new = f"{c.new_raw_start}-{c.new_raw_end}" if c.new_raw_start is not None else ""
        if c.change == "added":
            return f"+ {c.category} \"{_short(c.new_text)}\" @{where_new} ({c.new_id})"
        if c.change == "removed":
            return f"- {c.category} \"{_short(c.old_text)}\" @{where_old} ({c.old_id})"
        moved = f" -> \"{_short(c.new_text)}\" @{where_new}" if "span" in c.kinds.split(";") else ""
        values = f" {_short(c.old_value, 70)} -> {_short(c.new_value, 70)}" if c.old_value or c.new_value else ""
        return f"~ {c.category} \"{_short(c.old_text)}\" @{where_old}{moved} [{c.kinds}]{values} ({c.old_id} -> {c.new_id})"
    if c.item == "concept":
        sign = {"added": "+", "removed": "-", "changed": "~"}[c.change]
        extra = f" [{c.kinds}] {c.old_value} -> {c.new_value}" if c.change == "changed" else ""
        return f"{sign} concept {c.category} {c.old_id or c.new_id} \"{_short(c.old_text or c.new_text)}\"{extra}"
    if c.item == "boilerplate":
        sign = {"added": "+", "removed": "-", "changed": "~"}[c.change]
        rule = c.new_id if c.change == "added" else c.old_id
        at = c.new_raw_start if c.change == "added" else c.old_raw_start
        extra = f" rule {c.old_id} -> {c.new_id}" if c.change == "changed" else f" ({rule})"
        return f"{sign} removed text @{at}{extra} \"{_short(c.old_text or c.new_text)}\""
    if c.change == "changed":
        return f"~ case field {c.kinds}: {_short(c.old_value, 60)!r} -> {_short(c.new_value, 60)!r}"
    return f"{'+' if c.change == 'added' else '-'} case ({c.old_value or c.new_value})"


def render_summary(result: DiffResult, top: int = 10, details: int = 40) -> str:
    """The readable summary printed on stdout."""
    counts = result.counts()
    items = counts["items"]
    lines = [f"OLD {result.old} ({result.n_cases_old} cases)  ->  NEW {result.new} ({result.n_cases_new} cases)"]
    if not result.changes:
        lines.append("No differences in cases, mentions, concepts or removed text"
                     + (", but the columns differ (see the notes)." if result.different else "."))
        lines += [f"note: {n}" for n in result.notes]
        return "\n".join(lines) + "\n"

    def triple(item: str) -> str:
        return ", ".join(f"{items[item][k]} {k}" for k in CHANGE_KINDS)

    case_fields = Counter(c.kinds for c in result.changes if c.item == "case" and c.change == "changed")
    lines.append(f"Cases:        {triple('case')}"
                 + (f" ({', '.join(f'{k} {v}' for k, v in sorted(case_fields.items()))})" if case_fields else ""))
    lines.append(f"Mentions:     {triple('mention')}")
    lines.append(f"Concepts:     {triple('concept')}   (per case and concept)")
    lines.append(f"Removed text: {triple('boilerplate')}   (boilerplate spans)")
    by_cat = counts["mentions_by_category"]
    if by_cat:
        lines += ["", f"  {'mentions by category':<22}{'added':>8}{'removed':>9}{'changed':>9}"]
        for category, row in by_cat.items():
            lines.append(f"  {category:<22}{row['added']:>8}{row['removed']:>9}{row['changed']:>9}")
    if counts["mention_change_kinds"]:
        kinds = ", ".join(f"{k} {v}" for k, v in counts["mention_change_kinds"].items())
        lines += ["", f"  changed mentions by kind: {kinds}"]
    if result.source_changed:
        lines += ["", f"Source text changed in {len(result.source_changed)} case(s): {', '.join(result.source_changed)}"
                  " (offsets carried over by aligning the texts)"]
    ranked = result.by_case()
    lines += ["", f"Cases with the most changes (top {min(top, len(ranked))} of {len(ranked)}):"]
    for case_id, per in ranked[:top]:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(per.items()))
        lines.append(f"  {case_id:<28}{sum(per.values()):>5}  ({parts})")
    if details:
        shown = result.changes[:details]
        lines += ["", f"Changes (first {len(shown)} of {len(result.changes)}; all in diff.csv / diff.json):"]
        current = None
        for c in shown:
            if c.case_id != current:
                lines.append(f"  {c.case_id}")
                current = c.case_id
            lines.append(f"    {_detail_line(c)}")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"
