"""`case_lexicon_ner`: dictionary matching against the packaged vocabularies.

Reads: tokens. Writes: `doc.spans[spans_key]`, one span per match, labelled with the
category in upper case (DIAGNOSIS, ANATOMY, IMAGING, TREATMENT), `span._.concept_id`
set. Matching is `pipeline.lexicon.Lexicon.match` (greedy longest match, normalised
case and spelling); it never touches `doc.ents`.
"""


from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.components.lexicon_features import shared_lexicon
from pipeline.lexicon import Lexicon


class LexiconNer:
    def __init__(self, lexicon: Lexicon, spans_key: str) -> None:
        self.lexicon = lexicon
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, concept_id in self.lexicon.match([t.text for t in doc]):
            concept = self.lexicon.concepts[concept_id]
            span = Span(doc, start, end, label=concept.category.upper())
            span._.concept_id = concept_id
            span._.source = "lexicon"
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "case_lexicon_ner",
    assigns=["doc.spans"],
    default_config={"lexicon_dir": None, "spans_key": "lexicon"},
)
def make_lexicon_ner(nlp: Language, name: str, lexicon_dir: str | None, spans_key: str) -> LexiconNer:
    return LexiconNer(shared_lexicon(lexicon_dir), spans_key)
