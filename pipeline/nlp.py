"""NLP: build the one spaCy pipeline from `resources/nlp/config.cfg` and run it.

Input: cleaned texts. Output: spaCy `Doc`s with `doc.ents` (categories as upper-case
labels) and the span extensions of `pipeline.components.extensions`. Docs never leave
the nlp/normalise stages. Side effects: reads the config, lexicons and model on load.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class _DeferredModule(types.ModuleType):
    """Stands in for a module in `sys.modules` until one of its attributes is used.

    The import system only reads `__spec__` (a real attribute here) when the module is
    imported again, so `import nltk` costs nothing; the first other attribute (or a
    submodule import, which reads `__path__`) imports the real module and forwards to it.
    (The standard library's `importlib.util.LazyLoader` cannot do this on Python 3.11:
    any attribute, `__spec__` included, triggers its load.)
    """

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


def _defer_unused_imports() -> None:
    """Defer `nltk`: medspaCy imports QuickUMLS for its UMLS matcher (not part of this
    pipeline), and QuickUMLS imports nltk at module level, which imports scipy.stats and
    scikit-learn: about 2 s of every fresh process for code extraction never runs.
    Defer `langcodes` too: `spacy.util` imports it for one purpose, finding a language
    module by a code spaCy has no module of (`get_lang_class("pt-BR")`); ~0.03 s of every
    fresh process, while the pipeline's "en" is found directly.
    Anything that does use either loads it in full at that moment."""
    for name in ("nltk", "langcodes"):
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        module = _DeferredModule(name)
        module.__spec__ = spec
        module.__file__ = spec.origin
        sys.modules[name] = module


def _defer_spacy_cli() -> None:
    """Defer `spacy.cli`: `import spacy` imports `spacy.cli.info` for the one name `spacy.info`,
    and with it the whole command-line package (typer, click, requests, every command):
    ~0.1-0.15 s of every fresh process, for a function extraction never calls.

    A stand-in `spacy.cli.info` module is registered before spaCy is imported; its `info`
    imports the real module on first call and forwards to it. A later `import spacy.cli`
    (training, `spacy.cli.train`) imports the real package as usual."""
    if "spacy" in sys.modules or "spacy.cli.info" in sys.modules or importlib.util.find_spec("spacy") is None:
        return
    stand_in = types.ModuleType("spacy.cli.info", "stand-in until spacy.info() is called (pipeline.nlp)")

    def info(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get("spacy.cli.info") is stand_in:
            del sys.modules["spacy.cli.info"]
        return importlib.import_module("spacy.cli.info").info(*args, **kwargs)

    stand_in.info = info  # type: ignore[attr-defined]
    sys.modules["spacy.cli.info"] = stand_in


class _DeferredPackage(_DeferredModule):
    """A `_DeferredModule` for a package whose submodules are imported without its
    `__init__`: `__path__` is a real attribute, so `import package.sub` finds and runs
    `sub` (and the parent packages it needs) but not `package/__init__.py`. The first
    other attribute runs `__init__` as a new module object, which is given the submodules
    already imported (as their parent's import would have), and forwards to it."""

    def _real(self) -> types.ModuleType:
        module = super()._real()
        prefix = f"{self.__name__}."
        for name, sub in list(sys.modules.items()):
            child = name[len(prefix):]
            if name.startswith(prefix) and "." not in child and not hasattr(module, child):
                setattr(module, child, sub)
        return module


def _defer_medspacy_init() -> None:
    """Import medspaCy's `context` and `common` modules (all the ConText component uses)
    without `medspacy/__init__.py`: that imports every medspaCy component, among them the
    PyRuSH sentence splitter with loguru, asyncio and ssl, PyFastNER, pysbd, and registers
    medspaCy's own Doc/Span/Token extensions (window, sections, ...; this pipeline reads
    none of them): ~0.1 s of every fresh process for nothing extraction runs. The first use
    of any top-level medspaCy name (`medspacy.load`, `medspacy.__version__`) imports the
    package in full, as usual."""
    if "medspacy" in sys.modules:
        return
    spec = importlib.util.find_spec("medspacy")
    if spec is None or spec.submodule_search_locations is None:
        return
    module = _DeferredPackage("medspacy")
    module.__spec__ = spec
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = "medspacy"
    sys.modules["medspacy"] = module


def _entry_points_by_group() -> None:
    """Let catalogue (spaCy's, thinc's and srsly's function registries) find a group's entry
    points by a dict look-up instead of a scan of every installed entry point.

    catalogue reads `importlib.metadata.entry_points()` once, at import, and then asks it
    for one group (`spacy_factories`, `srsly_msgpack_decoders`, ...) each time a registry
    is listed or misses: ~100 times while the pipeline loads (each `srsly.msgpack_loads`
    lists the msgpack decoders), and on Python 3.11 every such `select(group=...)` flattens
    and filters all of them: ~0.04-0.08 s of every load. That object is already a dict of
    group -> entry points (`SelectableGroups`); this answers `select(group=g)` from it (the
    same entry points, in the same order) and leaves any other selection as it was. Which
    plugins exist and what they register is unchanged."""
    import importlib.metadata as md

    try:
        import catalogue
    except ImportError:
        return
    found = getattr(catalogue, "AVAILABLE_ENTRY_POINTS", None)
    groups = getattr(md, "SelectableGroups", None)
    if groups is None or type(found) is not groups:
        return  # another Python or catalogue version: left as it is

    class _ByGroup(groups):  # type: ignore[misc, valid-type]
        def select(self, **params: Any) -> Any:
            if len(params) == 1 and "group" in params:
                return dict.get(self, params["group"], md.EntryPoints(()))
            return super().select(**params)

    catalogue.AVAILABLE_ENTRY_POINTS = _ByGroup(dict.items(found))
    _faster_registry_listing(catalogue)


def _faster_registry_listing(catalogue: Any) -> None:
    """`catalogue.Registry.get_all` with the same result (same entries, same order) and a
    cheaper namespace test: it walks every registered function (~220) for each of the ~116
    calls while the pipeline loads, testing each with a generator (~0.02 s in all; ~0.004 s
    with one tuple comparison). Only catalogue's own function of the 2.0 series is
    replaced."""
    original = catalogue.Registry.get_all
    if getattr(original, "__module__", None) != "catalogue" or original.__qualname__ != "Registry.get_all":
        return

    def get_all(self: Any) -> dict[str, Any]:
        result = {}
        if self.entry_points:
            result.update(self.get_entry_points())
        namespace = tuple(self.namespace)
        size = len(namespace) + 1
        for keys, value in catalogue.REGISTRY.copy().items():
            if len(keys) == size and keys[: size - 1] == namespace:
                result[keys[-1]] = value
        return result

    get_all.__doc__ = original.__doc__
    get_all.__wrapped__ = original  # type: ignore[attr-defined]
    catalogue.Registry.get_all = get_all


_defer_unused_imports()
_defer_spacy_cli()
_defer_medspacy_init()
_entry_points_by_group()

import spacy  # noqa: E402
from confection import Config  # noqa: E402
from spacy.language import Language  # noqa: E402

import pipeline.components  # noqa: E402, F401  (registers the factories)
from pipeline import resources  # noqa: E402


def config_path() -> Path:
    return resources.path("nlp", "config.cfg")


def model_path() -> Path:
    """The shipped, trained NER model (a spaCy pipeline folder)."""
    return resources.path("model")


def load_config(config: Path | None = None) -> Config:
    """The pipeline config with `paths.model` set to the packaged model folder."""
    return spacy.util.load_config(config or config_path(), overrides={"paths.model": str(model_path())}, interpolate=True)


def load_nlp(config: Path | Config | None = None) -> Language:
    """Build the pipeline from its config (real loading code, no stubs).

    `paths.model` is set to the packaged model folder; components with `source =
    ${paths.model}` are loaded from it as trained. Pass a `Config` from `load_config`
    to run a modified pipeline (tests, experiments).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    sources = {str(c["source"]) for c in cfg.get("components", {}).values() if isinstance(c, dict) and "source" in c}
    with _sources_without_tokenizer(sources):
        nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    nlp.meta["case_model"] = model_meta()
    return nlp


# A tokenizer without rules, for pipelines loaded only to take components from: ~0 s,
# where building the English tokenizer's ~1,350 special cases and affix rules costs ~0.07 s.
_NO_RULES_TOKENIZER = "case_no_rules_tokenizer.v1"


@spacy.registry.tokenizers(_NO_RULES_TOKENIZER)
def _no_rules_tokenizer() -> Callable[[Language], Any]:
    from spacy.tokenizer import Tokenizer

    def create(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return create


@contextlib.contextmanager
def _sources_without_tokenizer(sources: set[str]) -> Iterator[None]:
    """While a config is loaded: a pipeline spaCy loads for its `source = ...` components
    (`sources`: their paths) gets a rule-less tokenizer and its saved tokenizer is not read;
    any other `spacy.util.load_model` call meanwhile is passed on unchanged.

    spaCy copies only the named components out of a source pipeline; its tokenizer is never
    used (the pipeline built from our config has its own, made from `[nlp.tokenizer]`).
    Building it anyway is the English tokenizer twice over (created from the source's
    config, then replaced by its saved copy): ~0.1 s of every load. The source is still
    loaded by spaCy's own code (`spacy.util.load_model`), with the same vocab, components,
    weights and vectors; only `exclude=["tokenizer"]` and the tokenizer override are added.
    """
    original = spacy.util.load_model

    def load_source(name: Any, *, exclude: Any = (), config: Any = None, **kwargs: Any) -> Language:
        if str(name) not in sources:
            return original(name, exclude=exclude, config=config if config is not None else {}, **kwargs)
        excluded = [exclude] if isinstance(exclude, str) else list(exclude)
        overrides = {**dict(config or {}), "nlp.tokenizer": {"@tokenizers": _NO_RULES_TOKENIZER}}
        return original(name, exclude=[*excluded, "tokenizer"], config=overrides, **kwargs)

    spacy.util.load_model = load_source  # type: ignore[assignment]
    try:
        yield
    finally:
        spacy.util.load_model = original  # type: ignore[assignment]


def model_meta() -> dict[str, str]:
    """Name and version of the shipped model, for the manifest."""
    import json

    meta = json.loads((model_path() / "meta.json").read_text(encoding="utf-8"))
    return {"name": str(meta.get("name", "")), "version": str(meta.get("version", ""))}



# Resources that cannot change what is extracted: the review site's templates, the
# coding evaluation's reference table, the evaluation's imaging-modality list.
_NOT_EXTRACTION = ("review", "coding_reference.tsv", "imaging_modalities.txt")


def fingerprint_files() -> list[Path]:
    """Every packaged file whose content can change what the pipeline extracts."""
    root = resources.path()
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return [
        p for p in files if p.suffix != ".md" and p.relative_to(root).parts[0] not in _NOT_EXTRACTION
    ]


def resources_fingerprint(digests: dict[str, bytes] | None = None) -> str:
    """sha256 over the packaged resources (config, rules, lexicons, model). `digests`:
    each file's sha256 by relative POSIX path (`pipeline.cache.resource_digests`), when
    the caller has them already; a file missing from them is read."""
    digest = hashlib.sha256()
    root = resources.path()
    for file in fingerprint_files():
        name = file.relative_to(root).as_posix()
        digest.update(name.encode())
        digest.update(b"\0")
        known = digests.get(name) if digests is not None else None
        digest.update(known if known is not None else hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
