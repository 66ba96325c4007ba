"""`case_entity_merge`: combine statistical entities with lexicon matches into doc.ents.

Reads: `doc.ents` (from a trained `ner`, if the pipeline has one) and
`doc.spans[spans_key]` (from `case_lexicon_ner`). Writes: `doc.ents`, with
`span._.source` and `span._.concept_id` set on every entity.

Model labels first go through `label_map` (e.g. a model trained with MEDICATION and
THERAPEUTIC_PROCEDURE outputs both as TREATMENT); a model entity whose (mapped) label is
not in `output_labels` is an *auxiliary* prediction (the model is trained on more
MACCROBAT types than we output, e.g. SIGN_SYMPTOM, so that it learns where a diagnosis
ends and a sign begins) and is dropped. A dropped auxiliary entity still keeps lexicon
matches off its tokens when `auxiliary_blocks_lexicon` is true: the model has said what
those tokens are.

Policy: a model entity in `output_labels` always stays. A lexicon span that overlaps no
model entity is added (the vocabularies catch terms the model missed). A model entity
whose text is a lexicon span of the same category gets that concept and source
"model+lexicon"; `lexicon_categories` limits which categories the lexicon may add on its own.
"""


from spacy.language import Language
from spacy.tokens import Doc, Span

OUTPUT_LABELS = ["DIAGNOSIS", "ANATOMY", "IMAGING", "TREATMENT"]


class EntityMerge:
    def __init__(
        self,
        spans_key: str,
        lexicon_categories: list[str],
        output_labels: list[str] | None = None,
        label_map: dict[str, str] | None = None,
        auxiliary_blocks_lexicon: bool = True,
    ) -> None:
        self.spans_key = spans_key
        self.lexicon_labels = {c.upper() for c in lexicon_categories}
        self.output_labels = set(OUTPUT_LABELS if output_labels is None else output_labels)
        self.label_map = dict(label_map or {})
        self.auxiliary_blocks_lexicon = auxiliary_blocks_lexicon

    def __call__(self, doc: Doc) -> Doc:
        lexical = {(s.start, s.end, s.label_): s for s in doc.spans.get(self.spans_key, [])}
        merged: list[Span] = []
        taken = [False] * len(doc)
        for ent in doc.ents:
            label = self.label_map.get(ent.label_, ent.label_)
            if label not in self.output_labels:
                if self.auxiliary_blocks_lexicon:
                    for i in range(ent.start, ent.end):
                        taken[i] = True
                continue
            if label != ent.label_:
                ent = Span(doc, ent.start, ent.end, label=label)
            match = lexical.get((ent.start, ent.end, ent.label_))
            ent._.source = "model+lexicon" if match is not None else "model"
            ent._.concept_id = match._.concept_id if match is not None else None
            merged.append(ent)
            for i in range(ent.start, ent.end):
                taken[i] = True
        for (start, end, label), span in sorted(lexical.items()):
            if label in self.lexicon_labels and not any(taken[start:end]):
                merged.append(span)
                for i in range(start, end):
                    taken[i] = True
        doc.ents = sorted(merged, key=lambda s: (s.start, s.end))
        return doc


@Language.factory(
    "case_entity_merge",
    assigns=["doc.ents"],
    requires=["doc.spans"],
    default_config={
        "spans_key": "lexicon",
        "lexicon_categories": ["diagnosis", "anatomy", "imaging", "treatment"],
        "output_labels": OUTPUT_LABELS,
        "label_map": {},
        "auxiliary_blocks_lexicon": True,
    },
)
def make_entity_merge(
    nlp: Language,
    name: str,
    spans_key: str,
    lexicon_categories: list[str],
    output_labels: list[str],
    label_map: dict[str, str],
    auxiliary_blocks_lexicon: bool,
) -> EntityMerge:
    return EntityMerge(spans_key, lexicon_categories, output_labels, label_map, auxiliary_blocks_lexicon)
