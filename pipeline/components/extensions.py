"""Every custom Doc/Span attribute the pipeline sets, declared in one place.

Span._.concept_id: str | None   concept the span is coded to (a lexicon concept_id)
Span._.source:     str | None   what produced the span: "model", "lexicon", "model+lexicon"
"""

from spacy.tokens import Span

for _name in ("concept_id", "source"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
