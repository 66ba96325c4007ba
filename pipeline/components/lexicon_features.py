"""Lexicon features for the statistical NER model.

Registers the spaCy factory ``case_lexicon_features`` (a non-trainable component). It runs
the project's dictionary matcher (`pipeline.lexicon.Lexicon`) over the tokens and writes
the matched category into ``Token.tag_`` as ``LEX-<category>`` (``LEX-O`` elsewhere). The
model's ``tok2vec`` embeds the ``TAG`` attribute next to NORM/PREFIX/SUFFIX/SHAPE, so the
network learns how far to trust each vocabulary hit instead of the hit being copied as is.

Reads: ``Token.text``. Writes: ``Token.tag_`` (no other annotation).

Static vectors: when the model folder it is loaded from has a vectors table
(``<model>/vocab/vectors``, trained by ``pipeline.training.vectors``), the component keeps
it and, before the first doc it tags, installs it in the pipeline's vocab if the vocab has
no vectors. spaCy does not carry vectors over when components are *sourced* into another
pipeline (``pipeline/resources/nlp/config.cfg``), and the model's ``tok2vec`` reads them
from the vocab; ``spacy.load`` of the model alone already has them (then nothing is done).
Registered when ``pipeline.components`` is imported (``pipeline.nlp.load_nlp`` does);
import ``pipeline.components`` before ``spacy.load`` of the shipped model on its own.
The lexicon is loaded from ``lexicon_dir`` (default: the packaged
``pipeline/resources/lexicons``), once per process.
"""

import functools
import importlib.resources
import pathlib

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vectors import Vectors

from pipeline.lexicon import Lexicon

OUTSIDE_TAG = "LEX-O"


def lexicon_path(lexicon_dir: str | None) -> pathlib.Path:
    """The lexicon folder: ``lexicon_dir`` or the packaged one."""
    if lexicon_dir is None:
        return pathlib.Path(str(importlib.resources.files("pipeline") / "resources" / "lexicons"))
    return pathlib.Path(lexicon_dir)


@functools.lru_cache(maxsize=4)
def _load_lexicon(lexicon_dir: str | None) -> Lexicon:
    return Lexicon.load(lexicon_path(lexicon_dir))


def shared_lexicon(lexicon_dir: str | None) -> Lexicon:
    """The lexicon, loaded once per process and shared by every component that needs it."""
    return _load_lexicon(lexicon_dir)


def lexicon_tags(lexicon: Lexicon, words: list[str]) -> list[str]:
    """One ``LEX-<category>``/``LEX-O`` tag per word."""
    tags = [OUTSIDE_TAG] * len(words)
    for start, end, concept_id in lexicon.match(words):
        tag = f"LEX-{lexicon.concepts[concept_id].category}"
        for i in range(start, end):
            tags[i] = tag
    return tags


class LexiconFeatures:
    """Sets ``Token.tag_`` to the lexicon category of the token's match."""

    def __init__(self, name: str, lexicon_dir: str | None) -> None:
        self.name = name
        self.lexicon_dir = lexicon_dir
        self.lexicon = _load_lexicon(lexicon_dir)
        self.vectors: Vectors | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.vectors is not None and doc.vocab.vectors.shape != self.vectors.shape:
            doc.vocab.vectors = self.vectors
        for token, tag in zip(doc, lexicon_tags(self.lexicon, [t.text for t in doc]), strict=True):
            token.tag_ = tag
        return doc

    # No state of its own: the lexicon is packaged with the code.
    def to_disk(self, path: pathlib.Path, exclude: tuple[str, ...] = ()) -> None:  # noqa: ARG002
        return None

    def from_disk(self, path: pathlib.Path, exclude: tuple[str, ...] = ()) -> "LexiconFeatures":  # noqa: ARG002
        vocab_dir = pathlib.Path(path).parent / "vocab"
        if (vocab_dir / "vectors").is_file() and (vocab_dir / "vectors.cfg").is_file():
            vectors = Vectors().from_disk(vocab_dir)
            self.vectors = vectors if vectors.shape[0] > 0 else None
        return self


@Language.factory(
    "case_lexicon_features",
    assigns=["token.tag"],
    default_config={"lexicon_dir": None},
)
def make_lexicon_features(nlp: Language, name: str, lexicon_dir: str | None) -> LexiconFeatures:
    return LexiconFeatures(name, lexicon_dir)
