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


_LEAN_SOURCE_PROBE = r"""
import json, sys
import pipeline.nlp
import spacy
assert type(sys.modules["langcodes"]).__name__ == "_DeferredModule"  # spaCy's language matching, unused
seen = []
original = spacy.util.load_model_from_path

def record(path, **kwargs):
    seen.append((str(path), sorted(kwargs.get("exclude", ())), dict(kwargs.get("config", {}))))
    return original(path, **kwargs)

spacy.util.load_model_from_path = record
lean = pipeline.nlp.load_nlp()
spacy.util.load_model_from_path = original
assert pipeline.nlp.spacy.util.load_model is spacy.util.load_model and spacy.util.load_model.__module__ == "spacy.util"
# the way spaCy sources components on its own, for comparison
plain = spacy.util.load_model_from_config(pipeline.nlp.load_config(), auto_fill=True, validate=True)
text = ("A 45-year-old man had no fever. MRI of the left knee showed an osteoid osteoma; "
        "his mother had breast cancer. He was treated with ibuprofen and radiofrequency ablation.")

def facts(nlp):
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_, e._.concept_id, e._.assertion, e._.experiencer) for e in doc.ents]
    return [t.text for t in doc], [t.tag_ for t in doc], ents, [s.text for s in doc.sents]

assert facts(lean) == facts(plain), (facts(lean), facts(plain))
assert lean.tokenizer.to_bytes() == plain.tokenizer.to_bytes()
assert lean.tokenizer.to_bytes(exclude=["vocab"]) == spacy.blank("en").tokenizer.to_bytes(exclude=["vocab"])
assert lean.pipe_names == plain.pipe_names and lean.config.to_str() == plain.config.to_str()
assert spacy.util.get_lang_class("pt-BR").lang == "pt"  # langcodes loads when it is needed
assert type(sys.modules["langcodes"]).__name__ == "module"
print(json.dumps(seen))
"""


def test_nlp_load_skips_the_source_pipelines_tokenizer_and_changes_nothing(repo):
    """The model pipeline spaCy loads for the sourced components gets no English tokenizer
    (neither built from its config nor read from disk: it is never used); the pipeline
    built this way equals spaCy's own sourcing, token for token and entity for entity."""
    import json

    proc = subprocess.run([sys.executable, "-c", _LEAN_SOURCE_PROBE], cwd=repo, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(seen) == 1 and seen[0][0].endswith("model")  # the model is loaded once, as a source
    _, exclude, config = seen[0]
    assert "tokenizer" in exclude and config["nlp.tokenizer"] == {"@tokenizers": "case_no_rules_tokenizer.v1"}


_MEDSPACY_PROBE = r"""
import sys
import pipeline.nlp
nlp = pipeline.nlp.load_nlp()
skipped = ("PyRuSH", "loguru", "PyFastNER", "quicksectx", "medspacy.sentence_splitting", "medspacy.target_matcher")
assert not [m for m in skipped if m in sys.modules], [m for m in skipped if m in sys.modules]
assert type(sys.modules["medspacy"]).__name__ == "_DeferredPackage"
doc = nlp("He had no fever and no pneumonia. His mother had breast cancer.")
assert {e.text: e._.assertion for e in doc.ents}.get("pneumonia") == "absent", [(e.text, e._.assertion) for e in doc.ents]
from medspacy.context import ConText  # a submodule import does not load the package either
assert type(sys.modules["medspacy"]).__name__ == "_DeferredPackage"
import medspacy  # the first use of a top-level name imports the package in full, as usual
assert isinstance(medspacy.__version__, str) and callable(medspacy.load)
real = sys.modules["medspacy"]
assert type(real).__name__ == "module" and "PyRuSH" in sys.modules
assert real.context is sys.modules["medspacy.context"] and real.context.ConText is ConText  # submodules kept
from spacy.tokens import Span
assert Span.has_extension("window")  # medspaCy's own extensions, registered by its __init__
print("ok")
"""


def test_nlp_load_skips_medspacy_init_and_keeps_medspacy_usable(repo):
    """The pipeline imports medspaCy's ConText modules without `medspacy/__init__` (PyRuSH,
    loguru, every other medspaCy component); importing medspaCy afterwards works as usual."""
    proc = subprocess.run([sys.executable, "-c", _MEDSPACY_PROBE], cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


_ENTRY_POINTS_PROBE = r"""
import importlib.metadata as md
import catalogue
before = catalogue.AVAILABLE_ENTRY_POINTS
import pipeline.nlp
after = catalogue.AVAILABLE_ENTRY_POINTS
if type(before) is getattr(md, "SelectableGroups", None):
    assert after is not before and isinstance(after, type(before))
    groups = sorted({*dict.keys(before), "spacy_factories", "spacy_misc", "no_such_group"})
    # the same entry points, in the same order, for every group (also one nobody installed)
    assert all(list(after.select(group=g)) == list(before.select(group=g)) for g in groups)
    # any other selection is answered as before
    assert list(after.select(name="pytest")) == list(before.select(name="pytest"))
    assert list(after.select()) == list(before.select())
    calls = []
    original = md.EntryPoints.select
    md.EntryPoints.select = lambda self, **p: calls.append(p) or original(self, **p)
    nlp = pipeline.nlp.load_nlp()
    md.EntryPoints.select = original
    assert "ner" in nlp.pipe_names and calls == [], calls[:5]  # no scan of all entry points while loading
    # a registry still finds what a package registers through an entry point
    import spacy
    for registry in (spacy.registry._entry_point_factories, spacy.registry.architectures, spacy.registry.misc):
        group = registry.entry_point_namespace
        assert registry.get_entry_points() == {ep.name: ep.load() for ep in before.select(group=group)}, group
# the registries' listings: the same entries in the same order as catalogue's own function
original = getattr(catalogue.Registry.get_all, "__wrapped__", None)
if original is not None:
    namespaces = {keys[:i] for keys in catalogue.REGISTRY for i in range(1, len(keys))} | {("no", "such")}
    registries = [catalogue.Registry(ns, entry_points=ep) for ns in sorted(namespaces) for ep in (False, True)]
    assert all(list(r.get_all().items()) == list(original(r).items()) for r in registries)
print("ok")
"""


def test_nlp_load_answers_entry_point_groups_without_scanning(repo):
    """catalogue's registries ask for one entry-point group ~100 times while the pipeline
    loads; `pipeline.nlp` answers those from the groups (the same entry points) instead of
    filtering every installed entry point each time."""
    proc = subprocess.run([sys.executable, "-c", _ENTRY_POINTS_PROBE], cwd=repo, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
