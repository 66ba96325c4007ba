"""CI gate of the cleaning evaluation (`python -m pipeline.cleaning_eval`).

Runs the real ingest + clean over tests/fixtures/cleaning (and the four real PDFs in
../shared/samples/pdf when that folder exists) and holds the scores to pinned floors.
A second evaluation holds tests/fixtures/cleaning_heldout to its own floors: that set has
been read while tuning the cleaner, so it is a second tuning set now, not a held-out one.

Floors are the measured values rounded down to 0.5 %, never below the issue's target
(boilerplate removed >= 98 %, content kept == 100 %). A content sentence the cleaner
cannot keep yet would be named in KNOWN_CONTENT_LOSSES (empty today); the test fails and
says so when a listed sentence starts to survive, and any other loss fails it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import cleaning_eval
from pipeline.cleaning_eval import Evaluation, FixtureError

# Boilerplate removed, in %: with the shared PDFs, and without them (../shared absent).
BOILERPLATE_FLOOR = 99.0  # measured 99.3 % (279/281)
BOILERPLATE_FLOOR_LOCAL = 99.0  # measured 99.1 % (214/216)
TARGET_BOILERPLATE = 98.0

# tests/fixtures/cleaning_heldout (no shared sources): measured 91.9 % (274/298) removed,
# 98.2 % (107/109) kept; the two losses are HELDOUT_KNOWN_CONTENT_LOSSES.
HELDOUT_BOILERPLATE_FLOOR = 91.5
HELDOUT_KNOWN_CONTENT_LOSSES: dict[tuple[str, str], str] = {
    ("forum_thread_wernicke", "Classic Wernicke encephalopathy"): "trafilatura drops the later forum posts (extraction, not clean)",
    ("forum_thread_wernicke", "The reduced ankle reflexes"): "trafilatura drops the later forum posts (extraction, not clean)",
}

# Content sentences the cleaner loses today: (fixture, start of the sentence) -> why.
KNOWN_CONTENT_LOSSES: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def evaluation(repo: Path) -> Evaluation:
    return cleaning_eval.run(repo / "tests" / "fixtures" / "cleaning", repo.parent / "shared")


@pytest.fixture(scope="module")
def heldout(repo: Path) -> Evaluation:
    return cleaning_eval.run(repo / "tests" / "fixtures" / "cleaning_heldout", repo.parent / "shared")


def _losses(evaluation: Evaluation, known_losses: dict[tuple[str, str], str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(content lost but not listed, listed losses that are kept now)."""
    lost = {(r.fixture.name, s) for r in evaluation.results for s in r.missing}
    known = {
        (name, s)
        for r in evaluation.results
        for name, start in known_losses
        if name == r.fixture.name
        for s in r.fixture.kept
        if s.startswith(start)
    }
    return sorted(lost - known), sorted(known - lost)


def test_cleaning_eval_heldout_removes_boilerplate_above_its_floor(heldout: Evaluation) -> None:
    still = [f"{r.fixture.name}: {s!r}" for r in heldout.results for s in r.still_present]
    assert heldout.removed_pct >= HELDOUT_BOILERPLATE_FLOOR, (
        f"cleaning_heldout: boilerplate removed fell to {heldout.removed_pct:.1f}% "
        f"(floor {HELDOUT_BOILERPLATE_FLOOR}%); still present:\n" + "\n".join(still)
    )


def test_cleaning_eval_heldout_keeps_all_content_but_the_known_losses(heldout: Evaluation) -> None:
    new, fixed = _losses(heldout, HELDOUT_KNOWN_CONTENT_LOSSES)
    assert not new, "cleaning_heldout: content lost by the cleaner:\n" + "\n".join(f"{n}: {s!r}" for n, s in new)
    assert not fixed, "now kept; remove from HELDOUT_KNOWN_CONTENT_LOSSES:\n" + "\n".join(f"{n}: {s[:60]!r}" for n, s in fixed)


def test_cleaning_eval_heldout_known_losses_name_real_fixture_sentences(repo: Path) -> None:
    folder = repo / "tests" / "fixtures" / "cleaning_heldout"
    for name, start in HELDOUT_KNOWN_CONTENT_LOSSES:
        kept = json.loads((folder / f"{name}.expect.json").read_text(encoding="utf-8"))["kept"]
        assert sum(s.startswith(start) for s in kept) == 1, f"{name}: {start!r} must start exactly one kept sentence"


def test_cleaning_eval_removes_boilerplate_above_the_floor(evaluation: Evaluation) -> None:
    floor = BOILERPLATE_FLOOR_LOCAL if evaluation.skipped else BOILERPLATE_FLOOR
    assert floor >= TARGET_BOILERPLATE
    still = [f"{r.fixture.name}: {s!r}" for r in evaluation.results for s in r.still_present]
    assert evaluation.removed_pct >= floor, (
        f"boilerplate removed fell to {evaluation.removed_pct:.1f}% (floor {floor}%); still present:\n" + "\n".join(still)
    )


def test_cleaning_eval_keeps_all_content_but_the_known_losses(evaluation: Evaluation) -> None:
    lost = {(r.fixture.name, s) for r in evaluation.results for s in r.missing}
    known = {
        (name, s)
        for r in evaluation.results
        for name, start in KNOWN_CONTENT_LOSSES
        if name == r.fixture.name
        for s in r.fixture.kept
        if s.startswith(start)
    }
    new = sorted(lost - known)
    assert not new, "content lost by the cleaner:\n" + "\n".join(f"{n}: {s!r}" for n, s in new)
    fixed = sorted(known - lost)
    assert not fixed, "now kept; remove from KNOWN_CONTENT_LOSSES:\n" + "\n".join(f"{n}: {s[:60]!r}" for n, s in fixed)
    if not KNOWN_CONTENT_LOSSES:
        assert evaluation.kept_pct == 100.0


def test_cleaning_eval_known_losses_name_real_fixture_sentences(repo: Path) -> None:
    folder = repo / "tests" / "fixtures" / "cleaning"
    for name, start in KNOWN_CONTENT_LOSSES:
        kept = json.loads((folder / f"{name}.expect.json").read_text(encoding="utf-8"))["kept"]
        assert sum(s.startswith(start) for s in kept) == 1, f"{name}: {start!r} must start exactly one kept sentence"


def test_cleaning_eval_report_prints_the_totals(evaluation: Evaluation) -> None:
    text = cleaning_eval.report(evaluation, verbose=True)
    assert "boilerplate removed: " in text and "content kept: " in text and "ms per 1,000 words" in text
    if evaluation.skipped:
        assert "skipped" in text


def _write_fixture(folder: Path, expect: object, source: str = "A woman had gout.\nTalk to us\n") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "case.txt").write_text(source, encoding="utf-8")
    (folder / "case.expect.json").write_text(expect if isinstance(expect, str) else json.dumps(expect), encoding="utf-8")


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("{not json", "invalid JSON at line 1"),
        ({"description": "d", "gone": ["Talk to us"]}, "missing key(s) kept"),
        ({"description": "d", "gone": "Talk to us", "kept": ["A woman had gout."]}, '"gone" must be a list of strings'),
        ({"description": "d", "gone": [], "kept": []}, '"kept" is empty'),
        ({"description": "d", "gone": [], "kept": ["A woman had gout."], "extra": 1}, "unknown key(s) extra"),
        ({"description": "d", "gone": ["gout"], "kept": ["A woman had gout."]}, "is part of kept sentence"),
        ({"description": "d", "gone": ["Schedule a call"], "kept": ["A woman had gout."]}, "does not occur in the source"),
        ({"description": "d", "gone": [], "kept": ["A woman had gout."], "source": "shared:../x.pdf"}, "must be a path inside"),
    ],
)
def test_cleaning_eval_malformed_expect_file_gives_a_clear_error(tmp_path: Path, expect: object, message: str) -> None:
    _write_fixture(tmp_path / "fx", expect)
    with pytest.raises(FixtureError, match="case.expect.json") as info:
        cleaning_eval.run(tmp_path / "fx", None)
    assert message in str(info.value)


def test_cleaning_eval_command_exits_2_on_a_malformed_fixture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_fixture(tmp_path / "fx", {"description": "d", "gone": ["Talk to us"]})
    assert cleaning_eval.main(["--fixtures", str(tmp_path / "fx"), "--shared", str(tmp_path / "none")]) == 2
    assert "malformed fixture" in capsys.readouterr().err


def test_cleaning_eval_orphan_source_and_skipped_shared_fixture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "fx"
    _write_fixture(folder, {"description": "d", "gone": ["Talk to us"], "kept": ["A woman had gout."]})
    shared = {"description": "d", "gone": [], "kept": ["x"], "source": "shared:samples/pdf/x.pdf"}
    (folder / "real.expect.json").write_text(json.dumps(shared), encoding="utf-8")
    assert cleaning_eval.main(["--fixtures", str(folder), "--shared", str(tmp_path / "none")]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 fixture(s)" in out and "real" in out
    assert "boilerplate removed: 100.0% (1/1)" in out and "content kept: 100.0% (1/1)" in out
    (folder / "stray.md").write_text("text", encoding="utf-8")
    with pytest.raises(FixtureError, match="stray.md: source file without"):
        cleaning_eval.run(folder, None)
