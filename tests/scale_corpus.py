"""A small generated corpus for the speed-and-scale tests: real sample reports, a site's
recurring boilerplate lines, a near-duplicate, a report in a sub-folder and failures."""

from __future__ import annotations

from pathlib import Path

BOILERPLATE = ["Lantern Press weekly digest", "Printed from the Zebrafish Quarterly archive", "Volume 12 of the Lantern series"]


def make_corpus(repo: Path, root: Path, n_copies: int = 2) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    samples = sorted((repo / "corpus").glob("*.txt"))
    for i, sample in enumerate(samples):
        text = sample.read_text(encoding="utf-8")
        for copy in range(n_copies):
            name = f"r{i}_{copy}.txt"
            # every other report carries the site's lines; the copies differ in their first line
            lead = "\n".join(BOILERPLATE) + "\n" if (i + copy) % 2 == 0 else ""
            (corpus / name).write_text(f"Report {i}-{copy}.\n{lead}{text}", encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "r0_0.txt").write_text(samples[0].read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n%broken")
    (corpus / "only_boilerplate.txt").write_text("\n".join(BOILERPLATE) + "\n", encoding="utf-8")
    return corpus


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
