"""Pure helpers of the distillation experiment tool (no torch, no corpora)."""

from __future__ import annotations

import math

import numpy as np
import spacy
from spacy.tokens import DocBin

from pipeline.training import distill
from pipeline.training import train as train_mod


def test_dedupe_ignores_spacing_and_case_keeps_first() -> None:
    units = [distill.Unit("a", "Renal  cell carcinoma ."), distill.Unit("b", "renal cell carcinoma."),
             distill.Unit("b", "Another sentence."), distill.Unit("c", "   ")]
    out = distill.dedupe(units)
    assert [(u.source, u.text) for u in out] == [("a", "Renal  cell carcinoma ."), ("b", "Another sentence.")]


def test_cap_units_is_seeded_and_stops_at_the_word_budget() -> None:
    units = [distill.Unit("s", f"w{i} x y") for i in range(20)]  # 3 words each
    a = distill.cap_units(units, 10, seed=3)
    assert a == distill.cap_units(units, 10, seed=3)
    assert len(a) == 4  # 3 + 3 + 3 < 10, the fourth crosses the budget
    assert a != distill.cap_units(units, 10, seed=4)
    assert sorted(distill.cap_units(units, 0, seed=3), key=lambda u: u.text) == sorted(units, key=lambda u: u.text)


def test_ensemble_is_the_log_of_the_mean_probability() -> None:
    p1 = np.log(np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32))
    p2 = np.log(np.array([[0.5, 0.5], [0.6, 0.4]], dtype=np.float32))
    ens = distill.ensemble_logprobs([p1, p2])
    np.testing.assert_allclose(np.exp(ens), [[0.7, 0.3], [0.4, 0.6]], rtol=1e-5)
    assert distill.ensemble_logprobs([p1]) is p1
    np.testing.assert_allclose(distill.word_confidence(ens), [0.7, 0.6], rtol=1e-5)


def _labelled_doc():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("A CT scan of the left kidney. Renal cell carcinoma was found.")
    return doc


def test_sentence_docs_cut_keep_entities_and_record_confidence() -> None:
    doc = _labelled_doc()
    words = [t.text for t in doc]
    ct, kidney, rcc = words.index("CT"), words.index("left"), words.index("Renal")
    ents = [(ct, ct + 2, "IMAGING"), (kidney, kidney + 2, "ANATOMY"), (rcc, rcc + 3, "DIAGNOSIS")]
    token_index = [t.i for t in doc if not t.is_space]
    conf = [1.0] * len(token_index)
    conf[token_index.index(rcc + 1)] = 0.4
    out = distill.sentence_docs(doc, ents, conf, token_index, "ncbi")
    # the sentence's text with its trailing whitespace, as spaCy's sentencizer cut it
    assert [d.text for d in out] == ["A CT scan of the left kidney. ", "Renal cell carcinoma was found."]
    assert [(e.text, e.label_) for e in out[0].ents] == [("CT scan", "IMAGING"), ("left kidney", "ANATOMY")]
    assert [(e.text, e.label_) for e in out[1].ents] == [("Renal cell carcinoma", "DIAGNOSIS")]
    assert out[0].user_data["conf_min"] == 1.0 and out[0].user_data["source"] == "ncbi"
    assert math.isclose(out[1].user_data["conf_min"], 0.4)
    # tokens outside entities are explicitly O (not missing): the student learns from them
    assert all(t.ent_iob_ in ("B", "I", "O") for d in out for t in d)


def test_sentence_crossed_by_an_entity_is_dropped() -> None:
    doc = _labelled_doc()
    words = [t.text for t in doc]
    start = words.index("kidney")
    ents = [(start, start + 3, "ANATOMY")]  # "kidney . Renal" crosses the boundary
    token_index = [t.i for t in doc]
    assert distill.sentence_docs(doc, ents, [1.0] * len(doc), token_index, "x") == []


def test_select_filters_by_confidence_and_source_then_caps() -> None:
    nlp = spacy.blank("en")
    docs = []
    for i, (conf, src) in enumerate([(0.99, "a"), (0.5, "a"), (0.95, "b"), (0.97, "a"), (0.2, "b")]):
        d = nlp.make_doc(f"sentence number {i}")
        d.user_data.update({"conf_min": conf, "source": src})
        docs.append(d)
    assert sorted(d.user_data["conf_min"] for d in distill.select(docs, min_conf=0.9)) == [0.95, 0.97, 0.99]
    assert sorted(d.user_data["conf_min"] for d in distill.select(docs, min_conf=0.9, sources=["a"])) == [0.97, 0.99]
    assert len(distill.select(docs, max_sents=2)) == 2
    assert len(distill.select(docs, max_words=4)) == 2  # 3 tokens each: stop once 4 is reached
    assert distill.select(docs, seed=1) == distill.select(docs, seed=1)


def test_add_silver_is_a_noop_by_default_and_appends_weighted_silver(tmp_path) -> None:
    nlp = spacy.blank("en")
    gold = [nlp.make_doc("gold one"), nlp.make_doc("gold two")]
    docs = list(gold)
    assert train_mod.add_silver(nlp, docs, [], 1.0, 1, 0) == {}
    assert docs == gold
    silver = []
    for i in range(10):
        d = nlp.make_doc(f"silver {i}")
        d.user_data.update({"conf_min": 0.9, "source": "anatem" if i == 0 else "ncbi"})
        silver.append(d)
    path = tmp_path / "s.spacy"
    DocBin(docs=silver, store_user_data=True).to_disk(path)
    stats = train_mod.add_silver(nlp, docs, [path], 0.5, 2, 0)
    assert len(docs) == 2 * 2 + 5
    assert [d.text for d in docs[:4]] == ["gold one", "gold two", "gold one", "gold two"]
    assert all(d.text.startswith("silver") and not d.user_data for d in docs[4:])
    assert stats["files"][str(path)]["docs"] == 5 and stats["gold_repeat"] == 2
    # provenance of the silver text decides the licence (AnatEM is CC BY-SA)
    stats = train_mod.add_silver(nlp, [], [path], 1.0, 1, 0)
    assert stats["sources"] == ["anatem", "ncbi"] and stats["share_alike_sources"] == ["anatem"]
