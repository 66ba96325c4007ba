"""The committed output/ for corpus/: golden (byte for byte) and contract checks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline.schema import TABLES


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh_output(tmp_path_factory, repo, nlp) -> Path:
    from pipeline.run import extract
    from pipeline.settings import Settings

    out = tmp_path_factory.mktemp("output")
    extract(repo / "corpus", out, Settings(progress=False), nlp=nlp)
    return out


def test_output_golden_matches_a_fresh_run(fresh_output, repo):
    committed, fresh = _files(repo / "output"), _files(fresh_output)
    assert sorted(committed) == sorted(fresh), "file set differs: run `make extract` and review the diff"
    changed = [name for name in committed if committed[name] != fresh[name]]
    assert not changed, f"{changed} differ from a fresh run: run `make extract` and review `git diff output/`"


def test_output_is_deterministic_across_runs(fresh_output, tmp_path, repo, nlp):
    from pipeline.run import extract
    from pipeline.settings import Settings

    extract(repo / "corpus", tmp_path, Settings(progress=False, batch_size=2), nlp=nlp)
    assert _files(tmp_path) == _files(fresh_output)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_output_has_every_contracted_file(repo):
    out = repo / "output"
    for table in TABLES:
        data = (out / f"{table.name}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
        assert data.split(b"\n", 1)[0].decode() == ",".join(table.column_names)
    for name in ("manifest.json", "datapackage.json"):
        json.loads((out / name).read_text(encoding="utf-8"))
    cases = _read(out / "cases.csv")
    assert len(cases) == len(list((repo / "corpus").iterdir()))
    for case in cases:
        assert (out / "text" / f"{case['case_id']}.txt").is_file()


def test_output_every_mention_satisfies_the_offset_invariant(repo):
    out = repo / "output"
    mentions = _read(out / "mentions.csv")
    assert mentions
    hyphens = {
        (b["case_id"], int(b["raw_start"])) for b in _read(out / "boilerplate.csv") if b["rule"] == "hyphenation"
    }
    texts: dict[str, tuple[str, str]] = {}
    for m in mentions:
        if m["case_id"] not in texts:
            folder = out / "text"
            texts[m["case_id"]] = (
                (folder / f"{m['case_id']}.txt").read_text(encoding="utf-8"),
                (folder / f"{m['case_id']}.source.txt").read_text(encoding="utf-8"),
            )
        clean, source = texts[m["case_id"]]
        text = m["text"][1:] if m["text"][:2] in ("'=", "'+", "'-", "'@") else m["text"]
        assert clean[int(m["start"]) : int(m["end"])] == text
        raw_start, raw_end = int(m["raw_start"]), int(m["raw_end"])
        # a line-end hyphen the cleaner dropped (logged in boilerplate.csv) is the only
        # other difference allowed between source and clean text
        raw = "".join(ch for k, ch in enumerate(source[raw_start:raw_end], start=raw_start) if (m["case_id"], k) not in hyphens)
        assert "".join(raw.split()) == "".join(text.split())


def test_output_datapackage_validates_with_frictionless(repo):
    from frictionless import validate

    report = validate(repo / "output" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
