"""End to end through the real CLI: good and bad inputs side by side."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_cli_extract_processes_good_files_and_reports_bad_ones(tmp_path, repo):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(
        "A 35-year-old male had an osteoid osteoma of the T12 vertebra. "
        "Magnetic resonance imaging showed bone marrow oedema. He received ibandronate.\n",
        encoding="utf-8",
    )
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n%broken")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out)],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Read 5 report(s): 1 processed, 4 failed" in proc.stderr
    assert "error: empty.txt: file is empty" in proc.stderr
    errors = {r["source_path"]: r for r in _rows(out / "errors.csv")}
    assert sorted(errors) == ["broken.pdf", "empty.txt", "junk.txt", "notes.docx"]
    assert errors["junk.txt"]["error"] == "binary_file"
    assert errors["notes.docx"]["error"] == "unsupported_format"
    cases = {r["case_id"]: r for r in _rows(out / "cases.csv")}
    assert cases["good"]["status"] == "ok" and cases["empty"]["status"] == "error"
    mentions = _rows(out / "mentions.csv")
    categories = {m["category"] for m in mentions}
    assert {"diagnosis", "imaging", "treatment"} <= categories
    clean = (out / "text" / "good.txt").read_text(encoding="utf-8")
    source = (out / "text" / "good.source.txt").read_text(encoding="utf-8")
    for m in mentions:
        assert clean[int(m["start"]) : int(m["end"])] == m["text"]
        assert source[int(m["raw_start"]) : int(m["raw_end"])].split() == m["text"].split()


def test_cli_all_good_exits_zero_and_missing_folder_exits_two(tmp_path, repo):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Case\n\nA woman with sarcoidosis.\n", encoding="utf-8")
    run = [sys.executable, "-m", "pipeline", "extract"]
    ok = subprocess.run([*run, str(corpus), "--out", str(tmp_path / "o"), "--quiet"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    missing = subprocess.run([*run, str(tmp_path / "nope")], cwd=repo, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert "no such folder" in missing.stderr


def test_cli_help_explains_every_option(repo):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--help"], cwd=repo, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for option in ("--out", "--max-mb", "--max-pages", "--timeout", "--max-memory-mb", "--batch-size", "--quiet"):
        assert option in proc.stdout
