"""English-to-Spanish sentence pairs (Tatoeba, via manythings.org/anki), tokenised for seq2seq.

    pairs = load_spa_eng()                              # 118,964 (English, Spanish) pairs
    train, val, test = split_by_source(pairs, 2_000, 2_000, seed=0)
    src_vec, tgt_vec = make_vectorizers(train, max_tokens=8_000)
    arrays = to_arrays(train, src_vec, tgt_vec, max_len=20)   # src, tgt_in, tgt_out, src_len

Text is standardised once, in Python (:func:`standardize`), and split on spaces by
``keras.layers.TextVectorization``; BLEU is computed by sacrebleu on detokenised text.
"""
import re
import unicodedata

import numpy as np
import pandas as pd
import sacrebleu
from keras import layers

from . import download
from .training import length_buckets

SPA_ENG = {
    "fname": "spa-eng.zip",
    "origin": "https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
    "file_hash": "0c4fd7825d3d872488d38c157f784e035edab4f2ff0df25a2a208790ecb5b58f",
    "contains": "spa-eng/spa.txt",
}
START, END = "<s>", "</s>"
PUNCTUATION = "?.!,¿¡"


def read_pairs(path):
    """Read ``source<TAB>target[<TAB>...]`` lines into a list of (source, target) strings."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
                raise ValueError(f"{path}, line {number}: expected 'source<TAB>target', got {line[:80]!r}")
            pairs.append((fields[0], fields[1]))
    return pairs


def load_spa_eng():
    """The English-Spanish pairs of the TensorFlow NMT tutorial, from the Keras cache.

    Downloads ``spa-eng.zip`` only if it is not cached (see ``download.fetch``).
    """
    return read_pairs(download.fetch(**SPA_ENG, extract=True))


def standardize(text):
    """Lower-case, NFC, punctuation split off, other symbols dropped: ``"¿Qué?"`` -> ``"¿ qué ?"``."""
    text = unicodedata.normalize("NFC", text.lower())
    text = re.sub(f"([{PUNCTUATION}])", r" \1 ", text)
    text = re.sub(rf"[^\w\s{PUNCTUATION}']", " ", text)
    return " ".join(text.split())


def detokenize(text):
    """Undo the spacing of :func:`standardize`: ``"¿ qué ?"`` -> ``"¿qué?"`` (for BLEU)."""
    text = re.sub(r"\s+([?.!,])", r"\1", text)
    return re.sub(r"([¿¡])\s+", r"\1", text).strip()


def split_by_source(pairs, n_val, n_test, seed=0):
    """Random train/validation/test split in which no source sentence is in two splits.

    Tatoeba often lists one English sentence with several translations; they stay together.
    Returns three lists of pairs; the test split has at least ``n_test`` pairs.
    """
    if n_val < 1 or n_test < 1 or n_val + n_test >= len(pairs):
        raise ValueError(f"need 1 <= n_val, n_test and n_val + n_test < {len(pairs)} pairs, got {n_val}, {n_test}")
    groups = {}
    for pair in pairs:
        groups.setdefault(pair[0], []).append(pair)
    order = np.random.default_rng(seed).permutation(len(groups))
    sources = list(groups)
    test, val, train = [], [], []
    for i in order:
        split = test if len(test) < n_test else val if len(val) < n_val else train
        split.extend(groups[sources[i]])
    return train, val, test


def make_vectorizers(pairs, max_tokens=8_000):
    """``TextVectorization`` layers for sources and targets, adapted to standardised ``pairs``.

    Ids: 0 padding, 1 ``[UNK]``; targets also know ``<s>`` and ``</s>``.
    """
    src_vec = layers.TextVectorization(max_tokens=max_tokens, standardize=None, split="whitespace")
    tgt_vec = layers.TextVectorization(max_tokens=max_tokens, standardize=None, split="whitespace")
    src_vec.adapt([standardize(s) for s, _ in pairs])
    tgt_vec.adapt([f"{START} {standardize(t)} {END}" for _, t in pairs])
    return src_vec, tgt_vec


def token_ids(vectorizer, token):
    """The id of ``token`` in a vectorizer's vocabulary (ValueError if it has none)."""
    vocab = vectorizer.get_vocabulary()
    if token not in vocab:
        raise ValueError(f"{token!r} is not in the vocabulary")
    return vocab.index(token)


def to_arrays(pairs, src_vec, tgt_vec, max_len=20):
    """Pad pairs into the arrays of ``toy_tasks.to_arrays``: src (n, max_len), tgt_in and
    tgt_out (n, max_len + 1), src_len (n,). Pairs with more than ``max_len`` tokens on either
    side are dropped; ``n`` is the number kept."""
    src_text = [standardize(s) for s, _ in pairs]
    tgt_text = [standardize(t) for _, t in pairs]
    keep = [i for i in range(len(pairs))
            if 0 < len(src_text[i].split()) <= max_len and 0 < len(tgt_text[i].split()) <= max_len]
    src = np.asarray(src_vec([src_text[i] for i in keep]))
    tgt = np.asarray(tgt_vec([f"{START} {tgt_text[i]} {END}" for i in keep]))   # (n, <= max_len + 2)
    out = {"src": np.zeros((len(keep), max_len), "int32"),
           "tgt_in": np.zeros((len(keep), max_len + 1), "int32"),
           "tgt_out": np.zeros((len(keep), max_len + 1), "int32")}
    out["src"][:, :src.shape[1]] = src
    tgt_in = tgt[:, :-1].copy()
    tgt_in[tgt_in == token_ids(tgt_vec, END)] = 0          # </s> is never a decoder input
    out["tgt_in"][:, :tgt.shape[1] - 1] = tgt_in
    out["tgt_out"][:, :tgt.shape[1] - 1] = tgt[:, 1:]
    out["src_len"] = (out["src"] != 0).sum(1).astype("int32")
    out["pairs"] = [pairs[i] for i in keep]
    return out


def ids_to_text(ids, vectorizer):
    """Generated ids (L,) -> detokenised text, stopping at ``</s>``."""
    vocab = vectorizer.get_vocabulary()
    words = []
    for i in np.asarray(ids).tolist():
        if vocab[i] == END:
            break
        if i > 0 and vocab[i] != START:
            words.append(vocab[i])
    return detokenize(" ".join(words))


def bleu(hypotheses, references):
    """Corpus BLEU (sacrebleu, default 13a tokenisation) of detokenised strings, one reference each."""
    if len(hypotheses) != len(references):
        raise ValueError(f"need one reference per hypothesis, got {len(hypotheses)} and {len(references)}")
    return sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score


def bleu_by_length(hypotheses, references, src_lengths, edges):
    """Corpus BLEU per source-length bucket: DataFrame indexed by bucket with ``n`` and ``bleu``."""
    buckets = length_buckets(src_lengths, edges)
    rows = {}
    for label in buckets.categories:
        idx = np.flatnonzero(np.asarray(buckets) == label)
        hyps, refs = [hypotheses[i] for i in idx], [references[i] for i in idx]
        rows[label] = {"n": len(idx), "bleu": bleu(hyps, refs) if len(idx) else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("bucket")
