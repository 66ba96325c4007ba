"""The model's lexicon-feature component lives in `pipeline.components.lexicon_features`
(it runs at extraction time too); this module re-exports it for the training code."""

from pipeline.components.lexicon_features import (  # noqa: F401
    OUTSIDE_TAG,
    LexiconFeatures,
    lexicon_path,
    lexicon_tags,
    make_lexicon_features,
)
