"""`pipeline.brat_io`: brat export that re-reads cleanly, and scoring against corrected files."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline.brat import parse_ann
from pipeline.brat_io import (
    BratReadError,
    ann_text,
    export_brat,
    fragments,
    read_brat_document,
    read_brat_folder,
    score_output,
)
from pipeline.diff import load_output


@pytest.fixture(scope="module")
def exported(tmp_path_factory, repo):
    root = tmp_path_factory.mktemp("brat")
    output = root / "output"
    shutil.copytree(repo / "output", output)  # a snapshot: output/ may be regenerated meanwhile
    summary = export_brat(output, root / "brat")
    return output, root / "brat", summary


def test_brat_export_of_the_samples_rereads_cleanly(exported):
    output, folder, summary = exported
    data = load_output(output)
    n_mentions = sum(len(rows) for rows in data.mentions.values())
    assert summary.n_docs == 5 and summary.n_entities == n_mentions
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    entity_types = conf.split("[entities]\n", 1)[1].split("\n\n", 1)[0].split()
    docs = read_brat_folder(folder)  # validates offsets and texts
    assert [d.doc_id for d in docs] == sorted(data.mentions)
    for doc in docs:
        assert doc.text == data.text(doc.doc_id, "clean")
        assert {s[3] for s in doc.spans} <= set(entity_types)
        assert len(doc.spans) == len(data.mentions[doc.doc_id])
    assert (folder / "visual.conf").is_file()


def test_brat_round_trip_unchanged_scores_f1_one(exported):
    output, folder, _ = exported
    scores, n_docs = score_output(folder, output)
    assert n_docs == 5
    for mode in ("strict", "overlap"):
        assert scores.f1(mode) == 1.0
        for category in ("diagnosis", "anatomy", "imaging", "treatment"):
            prf = scores.by_mode[mode][category]
            assert prf.fp == prf.fn == 0


def test_brat_corrections_change_the_score(exported, tmp_path):
    output, folder, _ = exported
    corrected = tmp_path / "corrected"
    shutil.copytree(folder, corrected)
    ann = sorted(corrected.glob("*.ann"))[0]
    lines = ann.read_text(encoding="utf-8").splitlines()
    first = next(line for line in lines if line.startswith("T"))
    tid = first.split("\t")[0]
    kept = [line for line in lines if not (line.split("\t")[0] == tid or f" {tid} " in line or line.endswith(f" {tid}")
                                               or f"AnnotatorNotes {tid}\t" in line)]
    text = ann.with_suffix(".txt").read_text(encoding="utf-8")
    word_at = text.index("the")
    kept.append(f"T9999\tdiagnosis {word_at} {word_at + 3}\tthe")  # a reviewer adds a (silly) mention
    ann.write_text("\n".join(kept) + "\n", encoding="utf-8")
    scores, _ = score_output(corrected, output)
    micro = scores.by_mode["strict"]["micro"]
    assert (micro.fp, micro.fn) == (1, 1)  # the deleted one is now a false positive, the added one missed
    assert scores.f1("strict") < 1.0


def test_brat_export_splits_line_breaks_and_writes_attributes():
    text = "Left\nknee pain was absent in the mother."
    rows = [
        {"mention_id": "c-m0001", "category": "anatomy", "text": "Left\nknee", "start": "0", "end": "9",
         "assertion": "", "experiencer": "", "concept_id": "local:knee", "preferred_term": "Knee", "source": "lexicon"},
        {"mention_id": "c-m0002", "category": "diagnosis", "text": "pain", "start": "10", "end": "14",
         "assertion": "absent", "experiencer": "family", "concept_id": "MeSH:D010146", "preferred_term": "Pain",
         "source": "lexicon", "extra_column": "ignored"},
    ]
    assert fragments(text, 0, 9) == [(0, 4), (5, 9)]
    ann = ann_text(rows, text)
    parsed = parse_ann(ann)
    assert [(e.type, e.fragments) for e in parsed.entities] == [("anatomy", ((0, 4), (5, 9))), ("diagnosis", ((10, 14),))]
    assert {(a.name, a.target, a.value) for a in parsed.attributes} == {("Assertion", "T2", "absent"),
                                                                        ("Experiencer", "T2", "family")}
    assert "\tMeSH:D010146 | Pain | lexicon | c-m0002" in ann


def test_brat_reader_rejects_mismatched_text(tmp_path):
    (tmp_path / "d.txt").write_text("A woman with sarcoidosis.", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tdiagnosis 13 24\tsarcoidosis\n", encoding="utf-8")
    assert read_brat_document(tmp_path / "d.txt", tmp_path / "d.ann").spans == (("d", 13, 24, "diagnosis"),)
    (tmp_path / "d.ann").write_text("T1\tdiagnosis 13 24\ttuberculosis\n", encoding="utf-8")
    with pytest.raises(BratReadError, match="does not match"):
        read_brat_document(tmp_path / "d.txt", tmp_path / "d.ann")
    (tmp_path / "d.ann").write_text("T1\tdiagnosis 13 99\tsarcoidosis\n", encoding="utf-8")
    with pytest.raises(BratReadError, match="outside"):
        read_brat_document(tmp_path / "d.txt", tmp_path / "d.ann")


def test_brat_cli_export_and_score(exported, tmp_path, repo):
    output, _, _ = exported
    run = [sys.executable, "-m", "pipeline"]
    export = subprocess.run([*run, "export-brat", str(output), "--to", str(tmp_path / "b")], cwd=repo,
                            capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    score = subprocess.run([*run, "score-brat", str(tmp_path / "b"), "--output", str(output), "--json",
                            str(tmp_path / "s.json")], cwd=repo, capture_output=True, text=True, timeout=120)
    assert score.returncode == 0, score.stderr
    assert "| micro |" in score.stdout and "1.000 | 1.000 | 1.000 |" in score.stdout
    assert (tmp_path / "s.json").is_file()
    bad = subprocess.run([*run, "score-brat", str(tmp_path / "nope")], cwd=repo, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no such folder" in bad.stderr
