"""Review site: a static HTML report of an output folder, optionally marked with a diff.

Input: an output folder of `python -m pipeline extract`, optionally a `diff.json` written
by `python -m pipeline diff`. Output (side effect): a folder with `index.html` (one row
per case: doc type, status, duplicates, errors, mentions per category, removed text,
changes), `cases/<case_id>.html` (one page per processed case) and `assets/` (CSS and JS
from `pipeline/resources/review/`). No network access is needed to view it: no CDN, no
fonts, no external links. The same inputs always give byte-identical files.

What a case page shows, and why the *source* text: mentions carry offsets into both the
cleaned and the source text, and the removed boilerplate only into the source text
(`boilerplate.csv`). So the page renders `text/<case_id>.source.txt` once, highlights
every mention at `raw_start`/`raw_end` and greys each removed span in place with its rule:
the reviewer reads exactly what the cleaner saw, what it dropped and what was extracted,
with no second text to reconcile. (When the source text is missing, the cleaned text is
shown with `start`/`end` and no removed spans.)

Each mention is a `<span class="m c-<category> ...">` with `data-mid` and a `title`
(preferred term, code, assertion, experiencer, section, source) shown on hover; a click
shows the same in the side panel. Negated (`assertion=absent`) mentions are struck
through, possible/hypothetical ones wavy-underlined, non-patient ones (`experiencer`
other than patient) outlined and italic. With a diff, added and changed mentions get
`d-added`/`d-changed` (a coloured bar) and removed ones are drawn at their old place with
`d-removed` (dashed, when the source text did not change) and listed in the side panel.

Large reports: the text is cut into blocks at line ends with CSS `content-visibility:
auto`, so the browser lays out only what is on screen; the script uses one delegated
listener rather than one per mention.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from pipeline import resources
from pipeline.diff import Output, load_output
from pipeline.schema import CATEGORIES
from pipeline.write import atomic_write_bytes

ASSETS = ("review.css", "review.js")
_CHUNK = 4000  # characters per content-visibility block (cut only at a line end outside any span)
_UNCERTAIN = frozenset({"possible", "hypothetical"})
# shown in the fixed part of a mention's details; any other non-empty column is appended
_KNOWN_MENTION_COLUMNS = frozenset({"case_id", "mention_id", "category", "text", "start", "end", "raw_start", "raw_end",
                                    "section", "assertion", "experiencer", "concept_id", "preferred_term",
                                    "code_system", "code", "source"})


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    tag: str  # the opening tag
    order: int  # boilerplate (0) outside mentions (1)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _template(name: str) -> Template:
    return Template(resources.path("review", name).read_text(encoding="utf-8"))


def _category_class(category: str) -> str:
    return category if category in CATEGORIES else "other"


def mention_title(row: dict[str, str]) -> str:
    """The hover text of a mention: everything a reviewer checks, one item per line."""
    code = " ".join(x for x in (row.get("code_system", ""), row.get("code", "")) if x)
    lines = [
        f"{row.get('category', '')}: {row.get('text', '')}",
        f"preferred term: {row.get('preferred_term', '') or '–'}",
        f"code: {code or '–'}  ({row.get('concept_id', '')})",
        f"assertion: {row.get('assertion', '') or '–'}",
        f"experiencer: {row.get('experiencer', '') or '–'}",
        f"section: {row.get('section', '') or '–'}",
        f"source: {row.get('source', '') or '–'}",
        f"id: {row.get('mention_id', '')}  clean {row.get('start', '')}-{row.get('end', '')}"
        f"  source {row.get('raw_start', '')}-{row.get('raw_end', '')}",
    ]
    lines += [f"{k}: {v}" for k, v in row.items() if v and k not in _KNOWN_MENTION_COLUMNS]
    return "\n".join(lines)


def mention_classes(row: dict[str, str], diff_mark: str = "") -> list[str]:
    classes = ["m", f"c-{_category_class(row.get('category', ''))}"]
    assertion = row.get("assertion", "")
    if assertion:
        classes.append(f"a-{assertion}")
        if assertion == "absent":
            classes.append("neg")
        elif assertion in _UNCERTAIN:
            classes.append("uncertain")
    experiencer = row.get("experiencer", "")
    if experiencer:
        classes.append(f"x-{experiencer}")
        if experiencer != "patient":
            classes.append("nonpatient")
    if diff_mark:
        classes.append(f"d-{diff_mark}")
    return classes


def render_text(text: str, spans: Sequence[_Span]) -> str:
    """HTML of `text` with (possibly overlapping) spans, cut into content-visibility blocks.

    Overlapping spans are split at every boundary so the HTML nests correctly; each piece
    keeps the span's attributes (a mention may therefore be several elements with one
    data-mid).
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    bounds = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    starts: dict[int, list[_Span]] = defaultdict(list)
    for s in valid:
        starts[s.start].append(s)
    active: list[_Span] = []
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for a, b in zip(bounds, bounds[1:], strict=False):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        active.sort(key=lambda s: (s.order, s.start, -s.end))
        piece = text[a:b]
        if not active:
            # plain text: a block may end at a line break once it is long enough
            while size + len(piece) >= _CHUNK:
                cut = piece.find("\n", max(0, _CHUNK - size))
                if cut < 0:
                    break  # no line end past the limit here: the block goes on
                # the block boundary stands for the line break, so the "\n" itself is dropped
                current.append(_esc(piece[:cut]))
                blocks.append("".join(current))
                current, size, piece = [], 0, piece[cut + 1 :]
            current.append(_esc(piece))
        else:
            current.append("".join(s.tag for s in active) + _esc(piece) + "</span>" * len(active))
        size += len(piece)
    blocks.append("".join(current))
    return "".join(f'<div class="chunk">{block}</div>' for block in blocks)


@dataclass(frozen=True)
class _CaseDiff:
    marks: dict[str, str]  # new mention_id -> added/changed
    notes: dict[str, str]  # new mention_id -> what changed
    removed: list[dict[str, Any]]  # removed mention changes (diff.json rows)
    changes: list[dict[str, Any]]  # all changes of the case
    source_changed: bool


def load_diff(path: Path) -> tuple[dict[str, Any], dict[str, _CaseDiff]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["changes"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a diff.json of `python -m pipeline diff` ({exc})") from exc
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per[row["case_id"]].append(row)
    changed_sources = set(data.get("source_changed", []))
    out: dict[str, _CaseDiff] = {}
    for case_id, changes in per.items():
        marks, notes, removed = {}, {}, []
        for c in changes:
            if c["item"] != "mention":
                continue
            if c["change"] == "removed":
                removed.append(c)
            else:
                marks[c["new_id"]] = c["change"]
                notes[c["new_id"]] = (
                    "ADDED in this run" if c["change"] == "added"
                    else f"CHANGED [{c['kinds']}] was: {c['old_text']!r} {c['old_value']}".rstrip()
                )
        out[case_id] = _CaseDiff(marks, notes, removed, changes, case_id in changed_sources)
    return data, out


def _legend(categories: Iterable[str], has_diff: bool, has_boilerplate: bool) -> str:
    items = [f'<span class="m c-{_category_class(c)}">{_esc(c)}</span>' for c in categories]
    states = [
        '<span class="m c-diagnosis neg">negated</span>',
        '<span class="m c-diagnosis uncertain">possible/hypothetical</span>',
        '<span class="m c-diagnosis nonpatient">not the patient</span>',
    ]
    if has_diff:
        states += ['<span class="m c-anatomy d-added">added</span>', '<span class="m c-anatomy d-changed">changed</span>',
                   '<span class="m c-anatomy d-removed">removed</span>']
    toggles = [
        f'<label><input type="checkbox" checked data-toggle="hide-{_category_class(c)}" data-when="unchecked"> '
        f"highlight {_esc(c)}</label>" for c in categories
    ]
    if has_boilerplate:
        toggles.append('<label><input type="checkbox" checked data-toggle="hide-bp" data-when="unchecked"> '
                       "show removed text (greyed, ✂ rule)</label>")
    if has_diff:
        toggles.append('<label><input type="checkbox" data-toggle="only-diff" data-when="checked"> '
                       "highlight only changed mentions</label>")
    return (f"<strong>Categories</strong> {' '.join(items)}<br><strong>States</strong> {' '.join(states)}"
            f'<div class="controls">{"".join(toggles)}</div>')


def _meta(case: dict[str, str], error: dict[str, str] | None, n_removed: int, chars_removed: int) -> str:
    skip = {"case_id"}
    rows = [f"<dt>{_esc(k)}</dt><dd>{_esc(v) if v else '<span class=muted>–</span>'}</dd>"
            for k, v in case.items() if k not in skip]
    rows.append(f"<dt>removed text</dt><dd>{n_removed} span(s), {chars_removed} characters</dd>")
    if error:
        rows.append(f"<dt>error</dt><dd>{_esc(error.get('stage', ''))}: {_esc(error.get('message', ''))}</dd>")
    return f"<strong>Case</strong><dl>{''.join(rows)}</dl>"


def _mentions_table(rows: Sequence[dict[str, str]], marks: dict[str, str]) -> str:
    head = "<tr><th>id</th><th>category</th><th>text</th><th>term</th><th>code</th><th>assert.</th><th>exp.</th><th>section</th><th>source</th></tr>"
    body = []
    for r in rows:
        mid = r.get("mention_id", "")
        mark = f' <span class="badge {marks[mid]}">{marks[mid]}</span>' if mid in marks else ""
        body.append(
            f'<tr><td><a href="#" data-jump="{_esc(mid)}">{_esc(mid.rsplit("-", 1)[-1])}</a>{mark}</td>'
            f"<td>{_esc(r.get('category', ''))}</td><td>{_esc(r.get('text', ''))}</td>"
            f"<td>{_esc(r.get('preferred_term', ''))}</td>"
            f"<td>{_esc(r.get('code_system', ''))} {_esc(r.get('code', ''))}</td>"
            f"<td>{_esc(r.get('assertion', ''))}</td><td>{_esc(r.get('experiencer', ''))}</td>"
            f"<td>{_esc(r.get('section', ''))}</td><td>{_esc(r.get('source', ''))}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _changes_panel(case_diff: _CaseDiff | None) -> str:
    if case_diff is None:
        return ""
    items = []
    for c in case_diff.changes:
        kind = c["change"]
        if c["item"] == "mention":
            target = c["new_id"] or f"removed-{c['old_id']}"
            text = c["new_text"] if kind != "removed" else c["old_text"]
            extra = f" [{_esc(c['kinds'])}] {_esc(c['old_value'])} → {_esc(c['new_value'])}" if kind == "changed" else ""
            label = f"{_esc(c['category'])} “{_esc(text)}”{extra}"
            items.append(f'<li><span class="badge {kind}">{kind}</span> <a href="#" data-jump="{_esc(target)}">{label}</a></li>')
        elif c["item"] == "case":
            items.append(f'<li><span class="badge {kind}">{kind}</span> case {_esc(c["kinds"] or "")}: '
                         f'{_esc(c["old_value"])} → {_esc(c["new_value"])}</li>')
        else:
            what = "removed text" if c["item"] == "boilerplate" else f"concept {c['category']}"
            ident = c["new_id"] or c["old_id"]
            items.append(f'<li><span class="badge {kind}">{kind}</span> {_esc(what)} {_esc(ident)} '
                         f'“{_esc((c["new_text"] or c["old_text"])[:80])}”</li>')
    note = " (source text changed: removed mentions are listed, not drawn)" if case_diff.source_changed else ""
    return (f'<section class="panel changes"><details open><summary>Changes against OLD ({len(items)}){note}</summary>'
            f"<ul>{''.join(items)}</ul></details></section><p></p>")


def render_case(output: Output, case_id: str, case_diff: _CaseDiff | None, nav: str) -> tuple[str, Counter[str]]:
    """HTML of one case page and its mention counts per category."""
    case = output.cases.get(case_id, {"case_id": case_id})
    rows = output.mentions.get(case_id, [])
    source = output.text(case_id, "source")
    use_source = source is not None
    text = source if source is not None else (output.text(case_id, "clean") or "")
    begin, finish = ("raw_start", "raw_end") if use_source else ("start", "end")
    marks = case_diff.marks if case_diff else {}
    notes = case_diff.notes if case_diff else {}
    spans: list[_Span] = []
    removed_spans = output.boilerplate.get(case_id, []) if use_source else []
    for r in removed_spans:
        try:
            start, end = int(r["raw_start"]), int(r["raw_end"])
        except (KeyError, ValueError):
            continue
        title = f"removed by rule {r.get('rule', '')}"
        spans.append(_Span(start, end, f'<span class="bp" data-rule="{_esc(r.get("rule", ""))}" title="{_esc(title)}">', 0))
    for r in rows:
        try:
            start, end = int(r[begin]), int(r[finish])
        except (KeyError, ValueError):
            continue
        mid = r.get("mention_id", "")
        title = mention_title(r) + (f"\n{notes[mid]}" if mid in notes else "")
        classes = " ".join(mention_classes(r, marks.get(mid, "")))
        spans.append(_Span(start, end, f'<span class="{classes}" data-mid="{_esc(mid)}" title="{_esc(title)}">', 1))
    if case_diff and not case_diff.source_changed and use_source:
        for c in case_diff.removed:
            if c["old_raw_start"] is None or c["old_raw_end"] is None:
                continue
            row = {"category": c["category"], "text": c["old_text"], "mention_id": c["old_id"]}
            title = f"REMOVED in this run: {c['category']} “{c['old_text']}” (was {c['old_id']})"
            classes = " ".join(mention_classes(row, "removed"))
            spans.append(_Span(int(c["old_raw_start"]), int(c["old_raw_end"]),
                               f'<span class="{classes}" data-mid="removed-{_esc(c["old_id"])}" title="{_esc(title)}">', 1))
    counts = Counter(r.get("category", "") for r in rows)
    categories = sorted(set(CATEGORIES) | set(counts), key=lambda c: (CATEGORIES.index(c) if c in CATEGORIES else 99, c))
    if use_source:
        explain = (f"Source text (text/{_esc(case_id)}.source.txt) as the pipeline read it; greyed ✂ spans were "
                   "removed by the cleaner (rule shown). Highlights: mentions.csv at raw_start/raw_end.")
    else:
        explain = "Cleaned text (the source text is missing); highlights at start/end."
    page = _template("case.html").substitute(
        title=_esc(f"{case_id} — caseextract review"),
        case_id=_esc(case_id),
        heading=_esc(case_id + (f" — {case['title']}" if case.get("title") else "")),
        nav=nav,
        explain=explain,
        text=render_text(text, spans),
        legend=_legend(categories, case_diff is not None, bool(removed_spans)),
        changes=_changes_panel(case_diff),
        meta=_meta(case, output.errors.get(case_id), len(removed_spans),
                   sum(int(r["raw_end"]) - int(r["raw_start"]) for r in removed_spans
                       if r.get("raw_start", "").isdigit() and r.get("raw_end", "").isdigit())),
        n_mentions=len(rows),
        mentions_table=_mentions_table(rows, marks),
    )
    return page, counts


def _index(output: Output, pages: dict[str, Counter[str]], diff_data: dict[str, Any] | None,
           diffs: dict[str, _CaseDiff]) -> str:
    categories = sorted(set(CATEGORIES) | {c for n in pages.values() for c in n},
                        key=lambda c: (CATEGORIES.index(c) if c in CATEGORIES else 99, c))
    head = ["case", "title", "format", "doc type", "status", "duplicate of", *categories, "removed text"]
    if diff_data is not None:
        head.append("changes")
    head.append("error")
    lines = ["<table><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in head) + "</tr>"]
    for case_id in output.case_ids:
        case = output.cases.get(case_id, {})
        error = output.errors.get(case_id)
        counts = pages.get(case_id, Counter())
        removed = output.boilerplate.get(case_id, [])
        link = f'<a href="cases/{_esc(case_id)}.html">{_esc(case_id)}</a>' if case_id in pages else _esc(case_id)
        cells = [link, _esc(case.get("title", "")), _esc(case.get("source_format", "")), _esc(case.get("doc_type", "")),
                 _esc(case.get("status", "")), _esc(case.get("duplicate_of", ""))]
        cells += [f'<span class="n">{counts.get(c, 0)}</span>' for c in categories]
        cells.append(f"{len(removed)} span(s)")
        if diff_data is not None:
            d = diffs.get(case_id)
            if d:
                per = Counter(c["change"] for c in d.changes)
                cells.append(" ".join(f'<span class="badge {k}">{per[k]} {k}</span>' for k in ("added", "removed", "changed") if per[k]))
            else:
                cells.append('<span class="muted">none</span>')
        cells.append(f'<span class="badge error">{_esc(error.get("error", ""))}</span> {_esc(error.get("message", ""))}'
                     if error else "")
        css = ' class="error"' if case.get("status") == "error" or error else ""
        lines.append(f"<tr{css}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</table>")
    totals = Counter()
    for counts in pages.values():
        totals.update(counts)
    n_errors = sum(1 for c in output.cases.values() if c.get("status") == "error")
    summary = [
        f"<p><strong>{len(output.case_ids)}</strong> case(s) in <code>{_esc(output.root.name or output.root)}</code>: "
        f"{len(pages)} with a page, {n_errors} failed. Mentions: "
        + ", ".join(f"{totals.get(c, 0)} {_esc(c)}" for c in categories) + ".</p>",
        "<p>Each case page shows the source text with every mention highlighted by category and the text the "
        "cleaner removed greyed in place with its rule.</p>",
    ]
    if diff_data is not None:
        counts = diff_data.get("counts", {}).get("items", {})
        parts = [f"{item}: " + ", ".join(f"{n} {k}" for k, n in kinds.items()) for item, kinds in counts.items()]
        summary.append(f"<p><strong>Diff</strong> against <code>{_esc(Path(str(diff_data.get('old', ''))).name)}</code> — "
                       + "; ".join(_esc(p) for p in parts) + ".</p>")
    return _template("index.html").substitute(title="caseextract review", summary="".join(summary), table="".join(lines))


def build_site(output_dir: Path, site: Path, diff: Path | None = None) -> str:
    """Write the site; return a one-line summary. Raises OutputError/ValueError on bad input."""
    output = load_output(output_dir)
    diff_data, diffs = load_diff(diff) if diff is not None else (None, {})
    site.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        atomic_write_bytes(site / "assets" / name, resources.path("review", name).read_bytes())
    pages: dict[str, Counter[str]] = {}
    ok = [c for c in output.case_ids
          if output.cases.get(c, {}).get("status", "ok") != "error"
          and (output.text(c, "source") is not None or output.text(c, "clean") is not None)]
    wanted = set()
    for index, case_id in enumerate(ok):
        prev = f'<a href="{_esc(ok[index - 1])}.html">← prev</a>' if index else ""
        nxt = f'<a href="{_esc(ok[index + 1])}.html">next →</a>' if index + 1 < len(ok) else ""
        page, counts = render_case(output, case_id, diffs.get(case_id), " · ".join(x for x in (prev, nxt) if x))
        atomic_write_bytes(site / "cases" / f"{case_id}.html", page.encode("utf-8"))
        wanted.add(f"{case_id}.html")
        pages[case_id] = counts
    for stale in (site / "cases").glob("*.html"):
        if stale.name not in wanted:
            stale.unlink()
    atomic_write_bytes(site / "index.html", _index(output, pages, diff_data, diffs).encode("utf-8"))
    marked = f", marked with {diff}" if diff is not None else ""
    return f"review: wrote {site / 'index.html'} and {len(pages)} case page(s){marked}; open it in a browser (no network needed)"
