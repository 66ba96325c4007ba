"""NLP: build the one spaCy pipeline from `resources/nlp/config.cfg` and run it.

Input: cleaned texts. Output: spaCy `Doc`s with `doc.ents` (categories as upper-case
labels) and the span extensions of `pipeline.components.extensions`. Docs never leave
the nlp/normalise stages. Side effects: reads the config, lexicons and model on load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline import resources


def config_path() -> Path:
    return resources.path("nlp", "config.cfg")


def load_nlp(config: Path | None = None) -> Language:
    """Build the pipeline from its config file (real loading code, no stubs)."""
    cfg = spacy.util.load_config(config or config_path())
    return spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)


def run(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    yield from nlp.pipe(texts, batch_size=batch_size)


# Resource folders that cannot change what is extracted (the review site's templates).
_NOT_EXTRACTION = ("review",)


def fingerprint_files() -> list[Path]:
    """Every packaged file whose content can change what the pipeline extracts."""
    root = resources.path()
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return [
        p for p in files if p.suffix != ".md" and p.relative_to(root).parts[0] not in _NOT_EXTRACTION
    ]


def resources_fingerprint() -> str:
    """sha256 over the packaged resources (config, rules, lexicons, model)."""
    digest = hashlib.sha256()
    root = resources.path()
    for file in fingerprint_files():
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
