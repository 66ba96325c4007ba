"""The opt-in phase timing log (--timings, CASEEXTRACT_TIMING=1): off by default, one line
per phase on stderr when on, and the output does not depend on it."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline import cli, run
from pipeline.settings import Settings
from tests.scale_corpus import files

_LINE = re.compile(r"^timing: (?P<name>[a-z -]+?) +(?P<seconds>\d+\.\d\d) s")


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Case\n\nA 40-year-old man had pneumonia. A chest CT showed a mass.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Case\n\nA 9-year-old girl had knee pain. MRI showed osteoid osteoma.\n", encoding="utf-8")
    (folder / "c.docx").write_bytes(b"PK\x03\x04")  # fails in ingest: the log still ends
    return folder


def _phases(err: str) -> dict[str, float]:
    return {m["name"]: float(m["seconds"]) for m in map(_LINE.match, err.splitlines()) if m}


def test_timing_log_is_off_by_default(tmp_path, nlp, capsys, monkeypatch):
    monkeypatch.delenv(run.TIMING_ENV, raising=False)
    run.extract(_corpus(tmp_path), tmp_path / "out", Settings(progress=False), nlp=nlp)
    assert "timing:" not in capsys.readouterr().err


def test_timing_log_names_every_phase_and_changes_no_output(tmp_path, nlp, capsys, monkeypatch):
    monkeypatch.delenv(run.TIMING_ENV, raising=False)
    corpus = _corpus(tmp_path)
    run.extract(corpus, tmp_path / "plain", Settings(progress=False), nlp=nlp)
    capsys.readouterr()
    summary = run.extract(corpus, tmp_path / "timed", Settings(progress=False, timings=True), nlp=nlp)
    phases = _phases(capsys.readouterr().err)
    assert {"discover", "fingerprints", "scan", "plan", "process", "dedupe", "write tables", "write rest",
            "total"} <= set(phases)
    assert phases["total"] >= phases["process"] >= 0.0
    assert abs(phases["total"] - summary.seconds) < 0.05
    assert files(tmp_path / "plain") == files(tmp_path / "timed")


def test_timing_log_by_environment_variable(tmp_path, nlp, capsys, monkeypatch):
    monkeypatch.setenv(run.TIMING_ENV, "1")
    run.extract(_corpus(tmp_path), tmp_path / "out", Settings(progress=False), nlp=nlp)
    err = capsys.readouterr().err
    assert "scan" in _phases(err) and re.search(r"cpu here \d+\.\d\d s, workers \d+\.\d\d s", err)
    monkeypatch.setenv(run.TIMING_ENV, "0")
    assert not run.timings_enabled(Settings())
    assert run.timings_enabled(Settings(timings=True))


def test_timing_flag_on_the_command_line():
    args = cli.build_parser().parse_args(["extract", "corpus", "--timings"])
    assert args.timings is True
    assert cli.build_parser().parse_args(["extract", "corpus"]).timings is False


def test_timing_process_age_is_this_process():
    age = run.process_age()
    assert age is None or 0.0 <= age < 24 * 3600


def test_scan_side_imports_no_numpy_and_hashes_match_numpys_layout(repo):
    """Start-up before the scan workers fork: `import pipeline.run` and the scan's line hashes
    do without numpy (it loads with spaCy, while the workers scan); the bytes are what
    `np.frombuffer(..., np.uint64)` reads back."""
    import subprocess
    import sys

    probe = (
        "import sys, pipeline.cli, pipeline.run as r\n"
        "h = r._hashes(['a line', 'another line', 'a line'])\n"
        "assert 'numpy' not in sys.modules, 'numpy imported before the workers fork'\n"
        "print(h.hex())\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import numpy as np

    keys = ["a line", "another line", "a line"]
    expected = np.array(sorted({run._line_hash(k) for k in keys}), dtype=np.uint64).tobytes()
    assert bytes.fromhex(proc.stdout.strip()) == expected == run._hashes(keys)
    assert run._hashes([]) == np.array([], dtype=np.uint64).tobytes() == b""


def test_no_progress_bar_stand_in():
    ticks = []
    with run._NoBar(total=3, desc="reading", disable=True) as bar:
        bar.update(2)
        ticks.append(bar.update)
    assert ticks and ticks[0](1) is None


def test_warm_word_lists_loads_what_forked_workers_inherit():
    from pipeline import clean

    clean.english_words.cache_clear()
    clean.clinical_vocabulary.cache_clear()
    run._warm_word_lists()
    assert clean.english_words.cache_info().currsize == 1 and clean.clinical_vocabulary.cache_info().currsize == 1
