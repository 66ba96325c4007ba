"""Start-up of a fresh process: spaCy's command-line package is not imported for
extraction, and everything that uses it still works."""

from __future__ import annotations

import subprocess
import sys

_PROBE = r"""
import sys
import pipeline.nlp
assert "spacy.cli" not in sys.modules and "typer" not in sys.modules, sorted(m for m in sys.modules if "cli" in m)
import spacy
nlp = pipeline.nlp.load_nlp()
assert "ner" in nlp.pipe_names and "spacy.cli" not in sys.modules
info = spacy.info()  # the stand-in forwards to spaCy's own
assert isinstance(info, dict) and info.get("spacy_version") == spacy.__version__, info
import spacy.cli
from spacy.cli.train import train  # training imports the command-line package as usual
assert callable(train) and callable(spacy.cli.info)
print("ok")
"""


def test_nlp_startup_defers_spacy_cli_and_keeps_it_usable(repo):
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
