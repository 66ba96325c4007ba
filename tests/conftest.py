"""Shared fixtures. The spaCy pipeline is loaded once per session with the real
loading code (`pipeline.nlp.load_nlp`), never at import time."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only shared folder beside the repo; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (needed for this test only)")
    return SHARED
