"""`case_context_v2`: assertion and experiencer of every entity, with medspaCy's ConText.

v2 (from v1): a negation carries along a list of entities (the rules file's `coordination` block).

Reads: `doc.ents`, sentence boundaries, `Span._.report_section` (from `case_sections_v1`; absent
sections count as `other`). Writes, on every entity: `Span._.assertion` (present, absent,
possible, hypothetical, historical), `Span._.assertion_trigger` (the literal of the ConText
rule that decided it, empty when present), `Span._.experiencer` (patient, family, other),
`Span._.experiencer_trigger`; medspaCy's own `Span._.modifiers` and `Doc._.context_graph`.

Rules: medspaCy's default English rules plus the project's `resources/context/rules.json`
(validated on load; see its README). medspaCy's PyRuSH sentence splitter is not used;
the sentencizer's breaks after "et al." and "Fig." are undone first (`repair_sentences`).

Assertion: NEGATED_EXISTENCE > POSSIBLE_EXISTENCE > HYPOTHETICAL > HISTORICAL > present;
within a category the trigger nearest the entity wins. Labels in `never_absent_labels`
(default ANATOMY, IMAGING: "no lesion in the liver", "CT was negative" negate the finding,
not the organ or the examination) are never absent.

Coordination (when the rules file has a `coordination` block): a negation reaches along a
list of entities beyond the trigger's window. An entity negated by a FORWARD (BACKWARD)
trigger passes the negation to the next (previous) entity in the same sentence when the
tokens between them are few (`max_gap`), include a connector ("," "or" "nor") and no
breaker ("which", "was", "the"), and the trigger's rule allows that entity's label:
"no esophageal varices, gastric varices, portal hypertensive gastropathy, or other GI lesions";
"PFO, ASD and anomalous venous connections were ruled out". An entity that is never absent
(anatomy, imaging) stays present but passes the negation on: "no heart murmur, third heart
sound or jugular venous distension" (anatomy "jugular venous" inside the list).

Experiencer, first that applies:
1. a FAMILY modifier -> family;
2. an OTHER_EXPERIENCER modifier (literature: "et al.", "have been reported") -> other;
3. the document names no patient at all (no rule with `metadata.document_cue` matches
   anywhere: Q&A pages, guidelines) -> other;
4. a PATIENT_EXPERIENCER modifier in the sentence ("our patient", "he", "35-year-old") -> patient;
5. a GENERIC_STATEMENT modifier ("usually", "patients with", "is a") -> other;
6. by section: `patient_sections` -> patient, any other section -> other; a document
   without headers (all `other`) -> patient.

Speed (issue #7): ConText's algorithm is run with two exact shortcuts, the same result as
medspaCy's `ConText` (`CaseContext(fast=False)`): first-token "IN" lists of the token
Matcher's rules are expanded into literal patterns, and scopes/edges are computed per block
of sentences (resources/context/README.md, "Speed").
"""


import json
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from medspacy.common.util import prune_overlapping_matches
from medspacy.context import ConText
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from medspacy.context.context_rule import ConTextRule
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline import resources

ASSERTION_OF = {
    "NEGATED_EXISTENCE": "absent",
    "POSSIBLE_EXISTENCE": "possible",
    "HYPOTHETICAL": "hypothetical",
    "HISTORICAL": "historical",
}
EXPERIENCER_CATEGORIES = ("FAMILY", "OTHER_EXPERIENCER", "PATIENT_EXPERIENCER", "GENERIC_STATEMENT")
CATEGORIES = (*ASSERTION_OF, *EXPERIENCER_CATEGORIES, "CLAUSE_END", "TERMINATE", "PSEUDO")
_FILE_KEYS = {"context_rules", "coordination"}
_COORDINATION_KEYS = {"max_gap", "connectors", "breakers"}
_RULE_KEYS = {"literal", "category", "direction", "pattern", "allowed_types", "excluded_types", "metadata", "terminated_by", "max_targets", "max_scope"}


def default_rules_path() -> Path:
    """medspaCy's packaged English rules (the path its own ConText uses)."""
    import medspacy.context.context as module

    return Path(module.__file__).resolve().parents[2] / "resources" / "en" / "context_rules.json"


def load_rules(file: Path) -> list[ConTextRule]:
    """Read a medspaCy-format rule file (plus `terminated_by`); raise ValueError naming the rule."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{file}: cannot read ConText rules: {exc}") from None
    unknown_top = set(data) - _FILE_KEYS
    if unknown_top:
        raise ValueError(f"{file}: unknown top-level key(s) {sorted(unknown_top)}")
    rules = []
    for i, raw in enumerate(data.get("context_rules", [])):
        where = f"{file}: rule {i} ({raw.get('literal', '?')!r})"
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        if not raw.get("literal") or raw.get("category", "").upper() not in CATEGORIES:
            raise ValueError(f"{where}: needs a literal and a category in {CATEGORIES}")
        if raw["category"].upper() == "CLAUSE_END" and not raw.get("max_scope"):
            # medspaCy's tuple_overlaps(a, b) is false when b contains a, so a sentence-wide
            # pseudo scope would never end another rule's scope (terminated_by would do nothing)
            raise ValueError(f"{where}: a CLAUSE_END rule needs \"max_scope\": 1")
        args: dict[str, Any] = dict(raw)
        for key in ("allowed_types", "excluded_types", "terminated_by"):
            if key in args:
                args[key] = {str(v).upper() for v in args[key]}
        try:
            rules.append(ConTextRule(**args))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from None
    if not rules:
        raise ValueError(f"{file}: no rules under 'context_rules'")
    return rules


@dataclass(frozen=True)
class Coordination:
    """How a negation passes along a list of entities (see the module docstring)."""

    max_gap: int
    connectors: frozenset[str]
    breakers: frozenset[str]

    def joins(self, doc: Doc, left: Span, right: Span) -> bool:
        """True if `left` and `right` are items of one list: "X, Y", "X or Y", "X (Y)"."""
        gap = [t.lower_ for t in doc[left.end : right.start]]
        if len(gap) > self.max_gap or right.start < left.end:
            return False
        if any(doc[i].is_sent_start for i in range(left.end, right.start + 1)):
            return False  # a sentence starts between them
        if any(w in self.breakers for w in gap):
            return False
        return not gap or any(w in self.connectors for w in gap)


def load_coordination(file: Path) -> Coordination | None:
    """The rules file's `coordination` block (None when absent); raise ValueError when malformed."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8")).get("coordination")
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{file}: cannot read ConText rules: {exc}") from None
    if raw is None:
        return None
    unknown = set(raw) - _COORDINATION_KEYS
    if unknown or not isinstance(raw.get("max_gap"), int) or raw["max_gap"] < 0:
        raise ValueError(f"{file}: coordination needs max_gap >= 0, connectors, breakers (unknown: {sorted(unknown)})")
    words = {}
    for key in ("connectors", "breakers"):
        values = raw.get(key)
        if not isinstance(values, list) or not all(isinstance(v, str) and v == v.lower() for v in values):
            raise ValueError(f"{file}: coordination {key} must be a list of lower-case strings")
        words[key] = frozenset(values)
    return Coordination(raw["max_gap"], words["connectors"], words["breakers"])


def _negation(ent: Span) -> Any:
    """The NEGATED_EXISTENCE modifier that made `ent` absent (the nearest), or None."""
    negations = [m for m in ent._.modifiers if m.category.upper() == "NEGATED_EXISTENCE"]
    if ent._.assertion != "absent" or not negations:
        return None
    return min(negations, key=lambda m: (abs(_distance(ent, m)), m.modifier_span))


def propagate_negation(doc: Doc, coordination: Coordination, never_absent: frozenset[str]) -> None:
    """Pass absent along coordinated entities, forward and backward (module docstring)."""
    ents = sorted(doc.ents, key=lambda e: (e.start, e.end))
    # entity index -> the modifier whose negation it carries
    carried: dict[int, Any] = {i: m for i, e in enumerate(ents) if (m := _negation(e)) is not None}

    def receive(i: int, j: int, direction: str) -> None:
        modifier, target = carried.get(i), ents[j]
        if modifier is None or modifier.direction.upper() not in (direction, "BIDIRECTIONAL"):
            return
        passes_through = target.label_ in never_absent  # "no heart murmur or jugular venous distension"
        if target._.assertion != "present" or not (passes_through or modifier.allows(target.label_.upper())):
            return
        left, right = (ents[i], target) if direction == "FORWARD" else (target, ents[i])
        if coordination.joins(doc, left, right):
            if not passes_through:
                target._.assertion, target._.assertion_trigger = "absent", str(modifier.rule.literal)
            carried[j] = modifier

    for i in range(len(ents) - 1):
        receive(i, i + 1, "FORWARD")
    for i in range(len(ents) - 1, 0, -1):
        receive(i, i - 1, "BACKWARD")


def _distance(ent: Span, modifier: Any) -> int:
    start, end = modifier.modifier_span
    return ent.start - end if end <= ent.start else start - ent.end


def decide(
    ent: Span, doc_has_patient: bool, patient_sections: frozenset[str], never_absent: frozenset[str] = frozenset()
) -> tuple[str, str, str, str]:
    """(assertion, assertion trigger, experiencer, experiencer trigger) from ent._.modifiers."""
    by_category: dict[str, list[Any]] = {}
    for modifier in ent._.modifiers:
        by_category.setdefault(modifier.category.upper(), []).append(modifier)
    if ent.label_ in never_absent:
        by_category.pop("NEGATED_EXISTENCE", None)

    def nearest(category: str) -> str:
        best = min(by_category[category], key=lambda m: (abs(_distance(ent, m)), m.modifier_span))
        return str(best.rule.literal)

    assertion, assertion_trigger = "present", ""
    for category, value in ASSERTION_OF.items():
        if category in by_category:
            assertion, assertion_trigger = value, nearest(category)
            break
    if "FAMILY" in by_category:
        return assertion, assertion_trigger, "family", nearest("FAMILY")
    if "OTHER_EXPERIENCER" in by_category:
        return assertion, assertion_trigger, "other", nearest("OTHER_EXPERIENCER")
    if not doc_has_patient:
        return assertion, assertion_trigger, "other", "no patient in document"
    if "PATIENT_EXPERIENCER" in by_category:
        return assertion, assertion_trigger, "patient", nearest("PATIENT_EXPERIENCER")
    if "GENERIC_STATEMENT" in by_category:
        return assertion, assertion_trigger, "other", nearest("GENERIC_STATEMENT")
    section = ent._.report_section
    if section in patient_sections or (section == "other" and all(b[0] in ("other", "title") for b in ent.doc._.report_sections)):
        return assertion, assertion_trigger, "patient", f"section:{section}"
    return assertion, assertion_trigger, "other", f"section:{section}"


# "Duman et al. (22) in a 23-year-old ...": a full stop after these words ends no sentence.
_NO_SENTENCE_END_AFTER = frozenset({"al", "fig", "figs", "vs", "dr", "approx", "ref", "refs", "cf", "resp", "ca"})


def repair_sentences(doc: Doc) -> None:
    """Undo sentence breaks the sentencizer makes after "et al." / "Fig." (ConText scope is the sentence)."""
    if doc.has_annotation("DEP") or len(doc) < 3:
        return
    full_stops = numpy.flatnonzero(doc.to_array(ORTH) == doc.vocab.strings.add("."))  # only these can qualify
    for i in full_stops[(full_stops >= 1) & (full_stops < len(doc) - 1)].tolist():
        token = doc[i]
        if token.nbor(-1).lower_ in _NO_SENTENCE_END_AFTER and token.nbor(1).is_sent_start:
            token.nbor(1).is_sent_start = False


def expand_first_token(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """`[{"LOWER": {"IN": [a, b]}}, *rest]` -> `[[{"LOWER": a}, *rest], [{"LOWER": b}, *rest]]`.

    Only a first token that is exactly `{"LOWER"|"ORTH": {"IN": [...]}}` (no "OP") is expanded;
    any other pattern is returned as it is. spaCy's Matcher starts a state for every pattern at
    every token and evaluates an "IN" set as a Python predicate, so a first token with "IN"
    costs one Python call per token and pattern; a literal first token is compared in C.
    Exactly one (or none) of the expanded patterns can match a given first token, and a
    state that fails its first token is dropped without touching the others, so the
    Matcher returns the same matches in the same order (see resources/context/README.md).
    """
    first = pattern[0] if pattern else None
    if isinstance(first, dict) and len(first) == 1:
        ((attr, value),) = first.items()
        if attr in ("LOWER", "ORTH") and isinstance(value, dict) and list(value) == ["IN"]:
            values = value["IN"]
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                return [[{attr: v}, *pattern[1:]] for v in dict.fromkeys(values)]
    return [pattern]


def _medspacy_matchers(context: ConText) -> tuple[Any, Any, Any]:
    """medspaCy's MedspacyMatcher of `context` and its PhraseMatcher and RegexMatcher (private in 1.3.1)."""
    matcher = getattr(context, "_ConText__matcher", None)
    phrase = getattr(matcher, "_MedspacyMatcher__phrase_matcher", None)
    regex = getattr(matcher, "_MedspacyMatcher__regex_matcher", None)
    if matcher is None or phrase is None or regex is None:
        raise RuntimeError("case_context_v2: medspaCy's ConText internals changed (written for medspacy 1.3.1); use fast=False")
    return matcher, phrase, regex


def _sentence_blocks(doc: Doc, spans: list[tuple[int, int]]) -> list[int]:
    """Token index where each block starts: sentences joined where one of `spans` crosses a break."""
    starts = [sent.start for sent in doc.sents]
    joined = [False] * len(starts)  # joined[k]: sentence k belongs to the block of sentence k - 1
    for start, end in spans:
        if end - start > 1:
            first, last = bisect_right(starts, start) - 1, bisect_right(starts, end - 1) - 1
            for k in range(first + 1, last + 1):
                joined[k] = True
    return [s for s, j in zip(starts, joined, strict=True) if not j]


class CaseContext:
    """Runs medspaCy ConText over doc.ents and sets assertion/experiencer per entity.

    `fast=True` (the default) runs medspaCy's ConText algorithm with two exact shortcuts
    (same modifiers, scopes, edges and `Doc._.context_graph` as `fast=False`, which calls
    medspaCy's `ConText` itself): the token Matcher's rules have their first-token "IN"
    lists expanded (`expand_first_token`), and scopes and edges are computed per block
    of sentences instead of over all modifier pairs and all (entity, modifier) pairs of
    the document (`_context_graph`; resources/context/README.md has the argument).
    """

    def __init__(
        self,
        nlp: Language,
        rules: list[ConTextRule],
        patient_sections: list[str],
        never_absent_labels: list[str],
        max_scope: int | None = None,
        coordination: Coordination | None = None,
        fast: bool = True,
    ) -> None:
        # span_attrs=None: medspaCy sets no is_negated-style flags; we read the modifiers.
        self.context = ConText(nlp, rules=None, span_attrs=None)
        if max_scope is not None:
            # Only assertion triggers get a window; experiencer cues keep the whole sentence.
            for rule in rules:
                if rule.category.upper() in ASSERTION_OF and rule.max_scope is None:
                    rule.max_scope = max_scope
        self.context.add(rules)
        self.patient_sections = frozenset(patient_sections)
        self.never_absent = frozenset(label.upper() for label in never_absent_labels)
        self.document_cues = {r.literal for r in rules if (r.metadata or {}).get("document_cue")}
        self.coordination = coordination
        self.fast = fast
        if fast:
            plain = self.context
            if plain.context_attributes_mapping or plain.prune_on_target_overlap or plain.input_span_type != "ents":
                raise ValueError("case_context_v2: the fast path assumes span_attrs=None, no target-overlap pruning, ents")
            self._medspacy_matcher, self._phrase_matcher, self._regex_matcher = _medspacy_matchers(plain)
            # validate=False: every pattern is a piece of one medspaCy's matcher has just
            # validated (`expand_first_token` only splits a first-token IN list); validating
            # the ~430 pieces again cost ~0.13 s of every pipeline load.
            self._token_matcher = Matcher(nlp.vocab, validate=False)
            for rule_id, rule in self._medspacy_matcher.rule_map.items():  # medspaCy's order of adding
                if isinstance(rule.pattern, list):
                    self._token_matcher.add(rule_id, expand_first_token(rule.pattern), on_match=rule.on_match)

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """What medspaCy's MedspacyMatcher returns for `doc` (same list, same order)."""
        matches = self._token_matcher(doc)
        matches += self._phrase_matcher(doc)
        matches += self._regex_matcher(doc)
        if self._medspacy_matcher._prune:
            matches = prune_overlapping_matches(matches)
        return matches

    def _context_graph(self, doc: Doc) -> ConTextGraph:
        """medspaCy's `ConText.__call__` (1.3.1), with scopes and edges computed per block of sentences.

        A modifier's scope lies inside the sentence of its first token, and only shrinks
        to the boundary of another modifier's span; a block is a run of sentences that no
        modifier or entity crosses. Between blocks, `limit_scope` changes nothing and
        `modifies` is always false (README), so per block gives the same scopes and edges.
        """
        rule_map, strings = self._medspacy_matcher.rule_map, doc.vocab.strings
        targets = doc.ents
        modifiers = [
            ConTextModifier(rule_map[strings[match_id]], start, end, doc, max_scope=self.context.max_scope)
            for match_id, start, end in self._matches(doc)
        ]
        graph = ConTextGraph(prune_on_modifier_overlap=False)
        graph.targets, graph.modifiers = targets, modifiers
        if not modifiers:
            return graph
        sentence_scopes = self.context.max_scope is None  # medspaCy's global window would not stop at a sentence end
        if sentence_scopes and doc.has_annotation("SENT_START") and all(a.modifier_span[0] <= b.modifier_span[0] for a, b in zip(modifiers, modifiers[1:], strict=False)):
            spans = [m.modifier_span for m in modifiers] + [(t.start, t.end) for t in targets]
            bounds = [*_sentence_blocks(doc, spans)[1:], len(doc)]
        else:
            bounds = [len(doc)]
        m = t = 0
        for bound in bounds:  # modifiers (by start) and targets (doc.ents) are in document order
            block_modifiers, block_targets = [], []
            while m < len(modifiers) and modifiers[m].modifier_span[0] < bound:
                block_modifiers.append(modifiers[m])
                m += 1
            while t < len(targets) and targets[t].start < bound:
                block_targets.append(targets[t])
                t += 1
            if block_modifiers:
                block = ConTextGraph(targets=block_targets, modifiers=block_modifiers, prune_on_modifier_overlap=False)
                block.update_scopes()
                block.apply_modifiers()
                graph.edges += block.edges
        return graph

    def __call__(self, doc: Doc) -> Doc:
        repair_sentences(doc)
        for ent in doc.ents:
            ent._.modifiers = ()
        if self.fast:
            graph = self._context_graph(doc)
            for target, modifier in graph.edges:
                target._.modifiers += (modifier,)
            doc._.context_graph = graph
        else:
            doc = self.context(doc)
        graph = doc._.context_graph
        modifiers = graph.modifiers if graph is not None else []
        has_patient = any(m.rule.literal in self.document_cues for m in modifiers)
        for ent in doc.ents:
            a, at, e, et = decide(ent, has_patient, self.patient_sections, self.never_absent)
            ent._.assertion, ent._.assertion_trigger = a, at
            ent._.experiencer, ent._.experiencer_trigger = e, et
        if self.coordination is not None:
            propagate_negation(doc, self.coordination, self.never_absent)
        return doc


@Language.factory(
    "case_context_v2",
    assigns=["span._.assertion", "span._.assertion_trigger", "span._.experiencer", "span._.experiencer_trigger"],
    requires=["doc.ents", "doc.sents"],
    default_config={
        "use_default_rules": True,
        "rules_file": None,
        "patient_sections": ["title", "abstract", "case", "figure"],
        "never_absent_labels": ["ANATOMY", "IMAGING"],
        "max_scope": None,
    },
)
def make_context(
    nlp: Language,
    name: str,
    use_default_rules: bool,
    rules_file: str | None,
    patient_sections: list[str],
    never_absent_labels: list[str],
    max_scope: int | None,
) -> CaseContext:
    rules = load_rules(default_rules_path()) if use_default_rules else []
    file = Path(rules_file) if rules_file else resources.path("context", "rules.json")
    rules += load_rules(file)
    return CaseContext(nlp, rules, patient_sections, never_absent_labels, max_scope, load_coordination(file))
