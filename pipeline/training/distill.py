"""Knowledge distillation (issue #3): label unlabelled biomedical text with the MiniLM teacher
(`transformer_ner`), then train the CNN student on gold fit documents + silver documents.

Experiment tool, not part of the extraction pipeline. The ``teacher`` and ``silver``
commands need torch (run them with the separate environment of `transformer_ner`'s
docstring, ``/work/tvenv``); ``select`` and ``score`` run in the project's own environment::

    # 1. score the teacher(s) on tune: each model alone and the ensemble (mean of the models'
    #    word probabilities, Viterbi with the fit-gold transition scores)
    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.distill teacher \
        --models build/transformer/base-e8/model build/transformer/base-e6/model build/transformer/base-e6-s1/model
    # 2. silver labels: raw text of the extra corpora (every portion; their labels are not
    #    read), de-duplicated, shuffled (seed), capped at --max-words, labelled, cut into sentences
    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.distill silver \
        --models build/transformer/base-e8/model --max-words 600000 --out build/distill/silver-e8.spacy
    # 3. pick a subset: confidence filter, amount (sentences or words), seed
    python -m pipeline.training.distill select --silver build/distill/silver-e8.spacy \
        --min-conf 0.9 --max-words 100000 --out build/distill/sel-e8-c90-w100k.spacy
    # 4. student = the CNN recipe on gold fit docs + the selected silver docs
    python -m pipeline.training.train --mode tune --tag st-... --silver build/distill/sel-....spacy
    # 5. tune scores of model-last, bare and + lexicon merge (diagnosis + anatomy, as shipped)
    python -m pipeline.training.distill score --model build/training/tune-st-.../output/model-last

Never reads MACCROBAT text: the silver sources are NCBI disease, BC5CDR, AnEM, AnatEM and
BioNLP13CG (PubMed abstracts / sentences). Silver docs carry, in ``user_data``, their
source corpus and the teacher's confidence: ``conf_min`` = the lowest, over the sentence's
words, of the word's highest tag probability (marginal of the teacher's window posterior;
for an ensemble, of the mean probability), ``conf_mean`` its mean. Every silver file has a
``.json`` sidecar recording the teacher (model folders + sha256 of their weights), the
source files' sha256, the seed, the cap and the counts. Everything stays under build/.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import spacy
from spacy.tokens import Doc, DocBin, Span

from pipeline import brat
from pipeline.training import corpora as conv

BUILD = pathlib.Path("build/distill")
SILVER_SOURCES: tuple[str, ...] = conv.EXTRA_CORPORA


# ---------------------------------------------------------------------------
# Pure helpers (no torch)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One piece of unlabelled text the teacher reads as a whole (an abstract or a sentence)."""

    source: str
    text: str


def _norm_key(text: str) -> str:
    """Key for de-duplication: lower-cased, all whitespace removed (IOB corpora re-join their
    tokens with spaces, so the same sentence may differ only in spacing)."""
    return re.sub(r"\s+", "", text).lower()


def raw_units(corpora: pathlib.Path, sources: Sequence[str] = SILVER_SOURCES) -> Iterator[Unit]:
    """Raw text of every portion of the extra corpora, in file order; labels ignored."""
    for name in sources:
        for path in conv.all_corpus_files(corpora, name):
            if name in ("ncbi", "bc5cdr"):
                for text, _ in conv.pubtator_documents(path, {}):
                    yield Unit(name, text)
            else:
                for words, _ in conv._iob_sentences(path, {}, False):
                    yield Unit(name, " ".join(words))


def dedupe(units: Iterable[Unit]) -> list[Unit]:
    """First occurrence of each text (see `_norm_key`); a sentence of an IOB corpus that also
    occurs inside an earlier abstract is kept (abstracts are not split here)."""
    seen: set[str] = set()
    out = []
    for u in units:
        key = _norm_key(u.text)
        if key and key not in seen:
            seen.add(key)
            out.append(u)
    return out


def cap_units(units: Sequence[Unit], max_words: int, seed: int) -> list[Unit]:
    """A seeded shuffle of ``units`` cut once ``max_words`` whitespace words are reached
    (0: no cap)."""
    order = list(units)
    random.Random(seed).shuffle(order)
    if max_words <= 0:
        return order
    out, n = [], 0
    for u in order:
        if n >= max_words:
            break
        out.append(u)
        n += len(u.text.split())
    return out


def ensemble_logprobs(per_model: Sequence[np.ndarray]) -> np.ndarray:
    """Log of the mean of the models' probabilities (inputs: log-probabilities, words x tags)."""
    if len(per_model) == 1:
        return per_model[0]
    probs = np.mean([np.exp(lp.astype(np.float64)) for lp in per_model], axis=0)
    return np.log(np.maximum(probs, 1e-30)).astype(np.float32)


def word_confidence(logprobs: np.ndarray) -> np.ndarray:
    """Each word's highest tag probability."""
    return np.exp(logprobs.max(-1)) if len(logprobs) else np.zeros(0, dtype=np.float32)


def sentence_docs(doc: Doc, ents: Sequence[tuple[int, int, str]], conf: Sequence[float],
                  token_index: Sequence[int], source: str) -> list[Doc]:
    """Cut a labelled Doc into one Doc per sentence (``doc`` must have sentence boundaries).

    ``ents`` are token spans of ``doc``; ``conf`` is per word, ``token_index`` maps word ->
    token. A sentence that an entity crosses is dropped (its labels would be cut). Each
    sentence Doc has ``user_data`` ``source``, ``conf_min``, ``conf_mean`` (over its words;
    1.0 for a sentence without words).
    """
    word_of = {t: w for w, t in enumerate(token_index)}
    out = []
    for sent in doc.sents:
        inside = [(s, e, lab) for s, e, lab in ents if s >= sent.start and e <= sent.end]
        crossing = [1 for s, e, _ in ents if s < sent.end and e > sent.start and not (s >= sent.start and e <= sent.end)]
        if crossing:
            continue
        toks = list(sent)
        if all(t.is_space for t in toks):
            continue
        sdoc = Doc(doc.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks])
        sdoc.set_ents([Span(sdoc, s - sent.start, e - sent.start, label=lab) for s, e, lab in inside],
                      default="outside")
        c = [conf[word_of[t.i]] for t in toks if t.i in word_of]
        sdoc.user_data["source"] = source
        sdoc.user_data["conf_min"] = float(min(c)) if c else 1.0
        sdoc.user_data["conf_mean"] = float(np.mean(c)) if c else 1.0
        out.append(sdoc)
    return out


def select(docs: Sequence[Doc], min_conf: float = 0.0, max_sents: int = 0, max_words: int = 0,
           seed: int = 0, sources: Sequence[str] = ()) -> list[Doc]:
    """Silver docs with ``conf_min >= min_conf`` (and from ``sources`` if given), seeded
    shuffle, then at most ``max_sents`` docs / ``max_words`` tokens (0: no limit)."""
    keep = [d for d in docs if d.user_data.get("conf_min", 0.0) >= min_conf
            and (not sources or d.user_data.get("source") in sources)]
    random.Random(seed).shuffle(keep)
    out, n = [], 0
    for d in keep:
        if (max_sents and len(out) >= max_sents) or (max_words and n >= max_words):
            break
        out.append(d)
        n += len(d)
    return out


def read_docbin(path: pathlib.Path, vocab: Any) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(vocab))


def entity_stats(docs: Sequence[Doc]) -> dict[str, Any]:
    by_label: dict[str, int] = {}
    for d in docs:
        for e in d.ents:
            by_label[e.label_] = by_label.get(e.label_, 0) + 1
    return {"docs": len(docs), "tokens": sum(len(d) for d in docs), "by_label": dict(sorted(by_label.items()))}


# ---------------------------------------------------------------------------
# Teacher (torch)
# ---------------------------------------------------------------------------


class Teacher:
    """One or more `transformer_ner` models over the same tag set; mean of their word
    probabilities, Viterbi with the first model's transition scores (all fit on the same
    gold, so the counts agree)."""

    def __init__(self, model_dirs: Sequence[pathlib.Path]) -> None:
        from pipeline.training import transformer_ner as tn

        self.tn = tn
        self.predictors = []
        for d in model_dirs:
            model, tokenizer, meta = tn.load_model(pathlib.Path(d))
            self.predictors.append(tn.Predictor(model, tokenizer, meta, None, "viterbi"))
        tags = [p.tags for p in self.predictors]
        if any(t != tags[0] for t in tags):
            raise ValueError(f"teacher models disagree on tags: {tags}")
        if any(p.meta.get("lex") for p in self.predictors):
            raise ValueError("lexicon-embedding models (--lex) are not supported as teachers")
        self.tags = tags[0]
        first = self.predictors[0]
        self.transitions, self.start = first.transitions, first.start

    def label(self, doc: Doc) -> tuple[list[tuple[int, int, str]], np.ndarray, list[int]]:
        """(entity token spans, per-word confidence, word -> token index) for a Doc."""
        tn = self.tn
        enc = tn.encode_doc(doc, self.predictors[0].tokenizer)
        if not enc.token_index:
            return [], np.zeros(0, dtype=np.float32), []
        lp = ensemble_logprobs([p.word_scores(enc) for p in self.predictors])
        path = tn.viterbi(lp, self.transitions, self.start)
        tags = [self.tags[i] for i in path]
        return tn.bio_to_spans(tags, enc.token_index), word_confidence(lp), enc.token_index

    def entities(self, doc: Doc) -> list[tuple[int, int, str]]:  # the `transformer_ner.evaluate` interface
        return self.label(doc)[0]


def teacher_record(model_dirs: Sequence[pathlib.Path]) -> list[dict[str, str]]:
    out = []
    for d in model_dirs:
        d = pathlib.Path(d)
        w = d / "weights.pt" if (d / "weights.pt").is_file() else d / "weights_int8.pt"
        out.append({"model": str(d), "weights_sha256": conv.sha256_file(w)})
    return out


def cmd_teacher(args: argparse.Namespace) -> int:
    import torch

    from pipeline.components import lexicon_features as features
    from pipeline.training import transformer_ner as tn

    torch.set_num_threads(args.threads)
    _, tune_ids = conv.tune_split(brat.read_split(args.corpora / conv.MACCROBAT_DIR, "train"))
    lexicon = features.shared_lexicon(None)
    nlp = spacy.blank("en")
    rec: dict[str, Any] = {"teacher": teacher_record(args.models), "tune_docs": len(tune_ids)}
    sets = [[m] for m in args.models] if args.each else []
    if len(args.models) > 1 or not sets:
        sets.append(list(args.models))
    for ms in sets:
        name = "+".join(pathlib.Path(m).parent.name for m in ms)
        sc = tn.evaluate(Teacher(ms), nlp, args.corpora, tune_ids, lexicon)
        rec[name] = {"bare": sc["bare"], "merge": sc["merge"], "seconds": sc["seconds"]}
        print(sc["bare_table"])
        print(f"{name}\n  bare  {tn.summary(sc, 'bare')}\n  merge {tn.summary(sc, 'merge')}  ({sc['seconds']}s)",
              flush=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    out = BUILD / f"teacher_{args.name}.json"
    out.write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


def cmd_silver(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    sources = [s for s in args.sources.split(",") if s]
    units = cap_units(dedupe(raw_units(args.corpora, sources)), args.max_words, args.seed)
    if args.shards > 1:
        units = units[args.shard::args.shards]
    teacher = Teacher(args.models)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    out_docs: list[Doc] = []
    n_words = dropped_sents = 0
    for k, u in enumerate(units):
        doc = nlp(u.text) if u.source in ("ncbi", "bc5cdr") else nlp.make_doc(u.text)
        if u.source not in ("ncbi", "bc5cdr"):  # already one sentence
            for i, tok in enumerate(doc):
                tok.is_sent_start = i == 0
        ents, conf, token_index = teacher.label(doc)
        n_words += len(token_index)
        sents = sentence_docs(doc, ents, conf.tolist(), token_index, u.source)
        dropped_sents += sum(1 for _ in doc.sents) - len(sents)
        out_docs += sents
        if (k + 1) % 200 == 0:
            secs = time.perf_counter() - t0
            print(f"{k + 1}/{len(units)} units, {n_words} words, {n_words / secs:.0f} words/s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=out_docs, store_user_data=True).to_disk(args.out)
    secs = time.perf_counter() - t0
    files = [p for s in sources for p in conv.all_corpus_files(args.corpora, s)]
    rec = {
        "command": " ".join(sys.argv), "teacher": teacher_record(args.models), "seed": args.seed,
        "max_words": args.max_words, "shard": [args.shard, args.shards], "sources": sources,
        "source_sha256": {str(p.relative_to(args.corpora)): conv.sha256_file(p) for p in files},
        "units": len(units), "words": n_words, "sentences_dropped_entity_crossing": dropped_sents,
        "silver": entity_stats(out_docs), "seconds": round(secs, 1), "threads": args.threads,
        "docbin_sha256": conv.sha256_file(args.out),
    }
    args.out.with_suffix(".json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}: {len(out_docs)} sentences, {n_words} words in {secs:.0f}s "
          f"({n_words / max(secs, 1e-9):.0f} words/s)")
    return 0


# ---------------------------------------------------------------------------
# Selection and scoring (no torch)
# ---------------------------------------------------------------------------


def cmd_select(args: argparse.Namespace) -> int:
    nlp = spacy.blank("en")
    docs: list[Doc] = []
    for p in args.silver:
        docs += read_docbin(p, nlp.vocab)
    sources = [s for s in args.sources.split(",") if s]
    chosen = select(docs, args.min_conf, args.max_sents, args.max_words, args.seed, sources)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=chosen, store_user_data=True).to_disk(args.out)
    rec = {"command": " ".join(sys.argv), "inputs": {str(p): conv.sha256_file(p) for p in args.silver},
           "min_conf": args.min_conf, "max_sents": args.max_sents, "max_words": args.max_words, "seed": args.seed,
           "sources": sources, "pool": entity_stats(docs), "selected": entity_stats(chosen),
           "passing_filter": sum(1 for d in docs if d.user_data.get("conf_min", 0.0) >= args.min_conf)}
    args.out.with_suffix(".json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: rec[k] for k in ("selected", "passing_filter")}))
    return 0


def score_spacy_model(model: pathlib.Path, corpora: pathlib.Path) -> dict[str, Any]:
    """Tune scores of a spaCy NER model: bare and + lexicon merge (`postrules.merge_scores`)."""
    from pipeline.components import lexicon_features as features
    from pipeline.training.postrules import merge_scores

    _, tune_ids = conv.tune_split(brat.read_split(corpora / conv.MACCROBAT_DIR, "train"))
    nlp = spacy.load(model)
    docs = conv.maccrobat_documents(corpora, tune_ids)
    predictions = [(doc, [(e.start, e.end, e.label_) for e in doc.ents]) for doc in nlp.pipe([t for _, t, _ in docs])]
    return {"model": str(model), **merge_scores(docs, predictions, features._load_lexicon(None))}


def format_row(s: dict[str, dict[str, float]]) -> str:
    return " | ".join(f"{s['overlap'][c]:.3f} / {s['strict'][c]:.3f}" for c in (*brat.CATEGORIES, "micro"))


def cmd_score(args: argparse.Namespace) -> int:
    rec = score_spacy_model(args.model, args.corpora)
    rec["tag"] = args.tag
    print(f"bare  | {format_row(rec['bare'])}\nmerge | {format_row(rec['merge'])}")
    BUILD.mkdir(parents=True, exist_ok=True)
    with (BUILD / "scores.jsonl").open("a") as fh:
        fh.write(json.dumps(rec, sort_keys=True) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    corp = pathlib.Path("../shared/corpora")
    te = sub.add_parser("teacher", help="tune scores of the teacher (each model and the ensemble)")
    te.add_argument("--models", type=pathlib.Path, nargs="+", required=True)
    te.add_argument("--each", action="store_true", help="also score each model alone")
    te.add_argument("--name", default="ensemble")
    te.add_argument("--corpora", type=pathlib.Path, default=corp)
    te.add_argument("--threads", type=int, default=1)
    si = sub.add_parser("silver", help="label unlabelled text with the teacher, write a DocBin of sentences")
    si.add_argument("--models", type=pathlib.Path, nargs="+", required=True)
    si.add_argument("--out", type=pathlib.Path, required=True)
    si.add_argument("--sources", default=",".join(SILVER_SOURCES))
    si.add_argument("--max-words", type=int, default=0, help="cap on words read (seeded shuffle first; 0: all)")
    si.add_argument("--shards", type=int, default=1, help="split the (capped) units over N processes")
    si.add_argument("--shard", type=int, default=0)
    si.add_argument("--seed", type=int, default=0)
    si.add_argument("--corpora", type=pathlib.Path, default=corp)
    si.add_argument("--threads", type=int, default=1)
    se = sub.add_parser("select", help="confidence filter + amount of silver docs")
    se.add_argument("--silver", type=pathlib.Path, nargs="+", required=True)
    se.add_argument("--out", type=pathlib.Path, required=True)
    se.add_argument("--min-conf", type=float, default=0.0, help="drop sentences whose lowest word confidence is below")
    se.add_argument("--max-sents", type=int, default=0)
    se.add_argument("--max-words", type=int, default=0, help="token budget (spaCy tokens)")
    se.add_argument("--sources", default="", help="only these silver sources (comma-separated)")
    se.add_argument("--seed", type=int, default=0)
    sc = sub.add_parser("score", help="tune scores of a spaCy model, bare and + lexicon merge")
    sc.add_argument("--model", type=pathlib.Path, required=True)
    sc.add_argument("--tag", default="")
    sc.add_argument("--corpora", type=pathlib.Path, default=corp)
    args = ap.parse_args(argv)
    return {"teacher": cmd_teacher, "silver": cmd_silver, "select": cmd_select, "score": cmd_score}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
