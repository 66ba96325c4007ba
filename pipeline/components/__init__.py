"""Custom spaCy components. Importing this package registers their factories.

Doc/Span extensions are declared once, in `extensions`.
"""

from pipeline.components import extensions, lexicon_ner, merge  # noqa: F401  (registration)
