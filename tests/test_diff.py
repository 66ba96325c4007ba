"""`pipeline.diff` and `python -m pipeline diff`: matching by span and concept, not row number."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.diff import OffsetMap, diff_folders, load_output, render_summary, write_diff
from pipeline.schema import TABLE_BY_NAME
from pipeline.write import csv_bytes

MENTION_DEFAULTS = {"section": "", "assertion": "", "experiencer": "", "source": "lexicon"}


def _mention(case_id: str, n: int, category: str, text: str, source: str, start: int, clean_shift: int = 0,
             concept: str = "local:x", **extra: str) -> dict[str, object]:
    raw = source.index(text, start)
    system, code = concept.split(":", 1)
    return {**MENTION_DEFAULTS, "case_id": case_id, "mention_id": f"{case_id}-m{n:04d}", "category": category,
            "text": text, "start": raw - clean_shift, "end": raw - clean_shift + len(text), "raw_start": raw,
            "raw_end": raw + len(text), "concept_id": concept, "preferred_term": code.capitalize(),
            "code_system": system, "code": code, **extra}


def write_output(root: Path, source: str, mentions: list[dict[str, object]], case: dict[str, object] | None = None,
                 extra_mention_columns: tuple[str, ...] = (), boilerplate: list[dict[str, object]] = ()) -> Path:
    """A minimal output folder of one case `c1` (clean text = source text from offset 0)."""
    (root / "text").mkdir(parents=True, exist_ok=True)
    (root / "text" / "c1.source.txt").write_text(source, encoding="utf-8")
    (root / "text" / "c1.txt").write_text(source, encoding="utf-8")
    row = {"case_id": "c1", "source_path": "c1.txt", "status": "ok", "n_mentions": len(mentions), **(case or {})}
    (root / "cases.csv").write_bytes(csv_bytes(TABLE_BY_NAME["cases"], [row]))
    table = TABLE_BY_NAME["mentions"]
    if extra_mention_columns:
        from dataclasses import replace

        from pipeline.schema import Column

        table = replace(table, columns=table.columns + tuple(Column(c, "string", c) for c in extra_mention_columns))
    (root / "mentions.csv").write_bytes(csv_bytes(table, mentions))
    (root / "boilerplate.csv").write_bytes(csv_bytes(TABLE_BY_NAME["boilerplate"], boilerplate))
    return root


SOURCE = "Title\nA man had sarcoidosis of the lung. CT showed nodules. He got steroids.\n"


def test_diff_names_added_removed_and_changed_mentions_not_renumbered_ones(tmp_path):
    old = write_output(tmp_path / "old", SOURCE, [
        _mention("c1", 1, "diagnosis", "sarcoidosis", SOURCE, 0, concept="MeSH:D012507"),
        _mention("c1", 2, "anatomy", "lung", SOURCE, 0, concept="local:lung"),
        _mention("c1", 3, "imaging", "CT", SOURCE, 0, concept="DICOM:CT"),
        _mention("c1", 4, "diagnosis", "nodules", SOURCE, 0, concept="local:nodule"),
    ])
    # NEW: a mention added before all others renumbers every id; the clean text lost the
    # title (clean offsets shift by 6); "lung" became "the lung" (same concept); CT changed
    # category; "nodules" is gone; "steroids" is new; one mention is now negated.
    shift = 6
    new = write_output(tmp_path / "new", SOURCE, [
        _mention("c1", 1, "anatomy", "man", SOURCE, 0, shift, concept="local:man"),
        _mention("c1", 2, "diagnosis", "sarcoidosis", SOURCE, 0, shift, concept="MeSH:D012507", assertion="absent"),
        _mention("c1", 3, "anatomy", "the lung", SOURCE, 0, shift, concept="local:lung"),
        _mention("c1", 4, "treatment", "CT", SOURCE, 0, shift, concept="local:ct"),
        _mention("c1", 5, "treatment", "steroids", SOURCE, 0, shift, concept="local:steroid"),
    ], extra_mention_columns=("negex_trigger",))
    result = diff_folders(old, new)
    mentions = [(c.change, c.category, c.old_text, c.new_text, c.kinds) for c in result.changes if c.item == "mention"]
    assert sorted(mentions) == sorted([
        ("added", "anatomy", "", "man", ""),
        ("changed", "diagnosis", "sarcoidosis", "sarcoidosis", "assertion"),
        ("changed", "anatomy", "lung", "the lung", "span"),
        ("changed", "treatment", "CT", "CT", "category;concept"),
        ("removed", "diagnosis", "nodules", "", ""),
        ("added", "treatment", "", "steroids", ""),
    ])
    changed = next(c for c in result.changes if c.kinds == "assertion")
    assert (changed.old_id, changed.new_id) == ("c1-m0001", "c1-m0002")
    assert changed.old_value == "assertion=" and changed.new_value == "assertion=absent"
    assert any("negex_trigger" in note and "only in NEW" in note for note in result.notes)
    assert result.different
    counts = result.counts()
    assert counts["items"]["mention"] == {"added": 2, "removed": 1, "changed": 3}
    assert counts["mentions_by_category"]["treatment"] == {"added": 1, "removed": 0, "changed": 1}
    summary = render_summary(result)
    assert "Mentions:     2 added, 1 removed, 3 changed" in summary
    assert "c1" in summary.split("Cases with the most changes")[1]


def test_diff_carries_offsets_over_when_the_source_text_changed(tmp_path):
    new_source = "Title\nCase 1. An added sentence here.\nA man had sarcoidosis of the lung. CT showed nodules. He got steroids.\n"
    rows = [("diagnosis", "sarcoidosis", "MeSH:D012507"), ("anatomy", "lung", "local:lung"), ("diagnosis", "nodules", "local:n")]
    old = write_output(tmp_path / "old", SOURCE, [_mention("c1", i, c, t, SOURCE, 0, concept=k) for i, (c, t, k) in enumerate(rows, 1)])
    new = write_output(tmp_path / "new", new_source,
                       [_mention("c1", i, c, t, new_source, 0, concept=k) for i, (c, t, k) in enumerate(rows, 1)])
    result = diff_folders(old, new)
    assert result.source_changed == ["c1"]
    assert [c for c in result.changes if c.item == "mention"] == []


def test_diff_offset_map_carries_unchanged_characters_only():
    old = "alpha beta\ngamma delta\nepsilon\n"
    new = "alpha beta\nnew line\ngamma delta\nepsilon zeta\n"
    offsets = OffsetMap(old, new)
    assert offsets.map(old.index("gamma"), old.index("gamma") + 5) == (new.index("gamma"), new.index("gamma") + 5)
    assert offsets.map(old.index("epsilon"), old.index("epsilon") + 7) == (new.index("epsilon"), new.index("epsilon") + 7)
    assert OffsetMap(old, old).map(3, 9) == (3, 9)


def test_diff_reports_case_fields_boilerplate_and_unescapes_cells(tmp_path):
    m = [_mention("c1", 1, "diagnosis", "sarcoidosis", SOURCE, 0, concept="MeSH:D012507")]
    old = write_output(tmp_path / "old", SOURCE, m, case={"doc_type": "", "title": "-old title"},
                       boilerplate=[{"case_id": "c1", "raw_start": 0, "raw_end": 5, "rule": "site_title", "text": "Title"}])
    new = write_output(tmp_path / "new", SOURCE, m, case={"doc_type": "case_report", "title": "-old title"})
    result = diff_folders(old, new)
    kinds = sorted((c.item, c.change, c.kinds) for c in result.changes)
    assert kinds == [("boilerplate", "removed", ""), ("case", "changed", "doc_type")]
    assert load_output(old).cases["c1"]["title"] == "-old title"  # the CSV holds "'-old title"
    write_diff(result, tmp_path / "d")
    rows = list(csv.DictReader((tmp_path / "d" / "diff.csv").open(encoding="utf-8")))
    assert [r["item"] for r in rows] == ["case", "boilerplate"]
    data = json.loads((tmp_path / "d" / "diff.json").read_text(encoding="utf-8"))
    assert data["different"] is True and len(data["changes"]) == 2


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory, repo, nlp):
    """The sample corpus extracted with the working tree (a private copy: output/ may be regenerated meanwhile)."""
    from pipeline.run import extract
    from pipeline.settings import Settings

    root = tmp_path_factory.mktemp("runs")
    extract(repo / "corpus", root / "base", Settings(progress=False), nlp=nlp)
    return root


def test_diff_one_lexicon_rule_changed_names_exactly_the_changed_mentions(corpus_runs, tmp_path, repo):
    """Done-criterion of issue #6: drop one lexicon entry ("back" -> Back), rerun, diff.

    The mentions that changed are found independently, by comparing the two runs'
    mentions.csv rows keyed by source span; the diff must name exactly those.
    """
    from pipeline import resources
    from pipeline.nlp import load_config, load_nlp
    from pipeline.run import extract
    from pipeline.settings import Settings

    lexicons = tmp_path / "lexicons"
    shutil.copytree(resources.path("lexicons"), lexicons)
    terms = (lexicons / "terms.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in terms if not line.startswith("back\t")]
    assert len(kept) == len(terms) - 1
    (lexicons / "terms.tsv").write_text("".join(kept), encoding="utf-8")
    cfg = load_config()
    cfg["components"]["lexicon_ner"]["lexicon_dir"] = str(lexicons)
    extract(repo / "corpus", tmp_path / "new", Settings(progress=False), nlp=load_nlp(cfg))

    old, new = corpus_runs / "base", tmp_path / "new"

    def by_span(folder):
        rows = {}
        for case_rows in load_output(folder).mentions.values():
            for m in case_rows:
                rows[(m["case_id"], m["raw_start"], m["raw_end"])] = m
        return rows

    before, after = by_span(old), by_span(new)
    differs = {k for k in before.keys() & after.keys()
               if {c: v for c, v in before[k].items() if c != "mention_id"} != {c: v for c, v in after[k].items() if c != "mention_id"}}
    expected_old = {before[k]["mention_id"] for k in (before.keys() - after.keys()) | differs}
    expected_new = {after[k]["mention_id"] for k in (after.keys() - before.keys()) | differs}
    assert expected_old, "dropping 'back' from the lexicon must change some sample mention"

    result = diff_folders(old, new)
    mentions = [c for c in result.changes if c.item == "mention"]
    assert {c.old_id for c in mentions if c.old_id} == expected_old
    assert {c.new_id for c in mentions if c.new_id} == expected_new
    assert not [c for c in result.changes if c.item in ("case", "boilerplate")]
    # every changed concept is one the changed mentions were coded to
    touched = {before[k]["concept_id"] for k in before if before[k]["mention_id"] in expected_old}
    touched |= {after[k]["concept_id"] for k in after if after[k]["mention_id"] in expected_new}
    assert {c.old_id or c.new_id for c in result.changes if c.item == "concept"} <= touched


def test_diff_cleaning_rule_change_shifts_no_mention(corpus_runs, tmp_path, repo, nlp, monkeypatch):
    """An early edit of the cleaned text (a boilerplate rule dropped) moves every later clean
    offset; mentions are matched on source offsets, so none of them shows as changed."""
    from pipeline import clean
    from pipeline.run import extract
    from pipeline.settings import Settings

    rules = clean.line_rules()
    monkeypatch.setattr(clean, "line_rules", lambda: tuple(r for r in rules if r.rule_id != "site_review_status"))
    extract(repo / "corpus", tmp_path / "new", Settings(progress=False), nlp=nlp)
    old = corpus_runs / "base"
    result = diff_folders(old, tmp_path / "new")
    changed = [c for c in result.changes if c.item == "boilerplate"]
    # every change is about the dropped rule: its spans are kept now, or another
    # mechanism (the line classifier) removes them under its own rule id
    assert changed and {c.old_id for c in changed} == {"site_review_status"}
    assert {c.change for c in changed} <= {"removed", "changed"}
    dropped = [c for c in changed if c.change == "removed"]
    assert dropped
    mentions = [c for c in result.changes if c.item == "mention"]
    assert all(c.change == "added" for c in mentions)
    for c in mentions:  # only text that is no longer removed can bring new mentions
        assert any(d.old_raw_start <= c.new_raw_start and c.new_raw_end <= d.old_raw_end
                   for d in dropped if d.case_id == c.case_id)
    shifted = [m for m in load_output(tmp_path / "new").mentions[dropped[0].case_id]
               if m["start"] != m["raw_start"]]
    assert shifted  # clean offsets did move


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", "diff", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_diff_cli_exit_codes_and_files(corpus_runs, tmp_path, repo):
    base = corpus_runs / "base"
    same = _cli(str(base), str(base), "--out", str(tmp_path / "same"), cwd=repo)
    assert same.returncode == 0, same.stderr
    assert "No differences" in same.stdout
    other = tmp_path / "other"
    shutil.copytree(base, other)
    lines = (other / "mentions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (other / "mentions.csv").write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    different = _cli(str(base), str(other), "--out", str(tmp_path / "d"), cwd=repo)
    assert different.returncode == 1, different.stderr
    assert "Mentions:     0 added, 1 removed, 0 changed" in different.stdout
    assert (tmp_path / "d" / "diff.csv").is_file() and (tmp_path / "d" / "diff.json").is_file()
    missing = _cli(str(base), str(tmp_path / "nope"), "--out", str(tmp_path / "x"), cwd=repo)
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    assert _cli(str(base), cwd=repo).returncode == 2


def test_diff_cli_fresh_compares_a_folder_with_a_fresh_run(tmp_path, repo, nlp):
    from pipeline.run import extract
    from pipeline.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A woman with sarcoidosis had a CT of the chest.\n", encoding="utf-8")
    extract(corpus, tmp_path / "committed", Settings(progress=False), nlp=nlp)
    proc = _cli("--fresh", str(tmp_path / "committed"), "--corpus", str(corpus), "--out", str(tmp_path / "d"), cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "d" / "fresh" / "mentions.csv").is_file()
    assert json.loads((tmp_path / "d" / "diff.json").read_text(encoding="utf-8"))["different"] is False
