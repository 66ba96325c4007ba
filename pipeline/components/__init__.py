"""Custom spaCy components. Importing this package registers their factories.

Doc/Span extensions are declared once, in `extensions`.
"""

from pipeline.components import (  # noqa: F401  (registration)
    abbreviations,
    context,
    extensions,
    lexicon_features,
    lexicon_ner,
    merge,
    sections,
)
