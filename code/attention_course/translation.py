"""English-to-Spanish sentence pairs (Tatoeba, via manythings.org/anki), tokenised for seq2seq.

    pairs = load_spa_eng()                              # 118,964 (English, Spanish) pairs
    train, val, test = split_by_source(pairs, 2_000, 2_000, seed=0)
    src_vec, tgt_vec = make_vectorizers(train, max_tokens=8_000)
    arrays = to_arrays(train, src_vec, tgt_vec, max_len=20)   # src, tgt_in, tgt_out, src_len
    hyps = decode_split(model, arrays, tgt_vec, beam_width=4)  # detokenised translations
    translate(model, ["I am hungry."], src_vec, tgt_vec)     # ['tengo hambre.']

Chapter 3's experiment gets all of this, with its sizes, from :func:`translation_experiment`.
Text is standardised once, in Python (:func:`standardize`), and split on spaces by
``keras.layers.TextVectorization``; BLEU is computed by sacrebleu on detokenised text.
"""
import re
import unicodedata

import numpy as np
import pandas as pd
import sacrebleu
from sacrebleu.significance import PairedTest
from keras import layers

from . import download
from .checks import IdDtypeError, positive_int
from .config import pick
from .seq2seq import output_length
from .training import length_buckets

SPA_ENG = {
    "fname": "spa-eng.zip",
    "origin": "https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
    "file_hash": "0c4fd7825d3d872488d38c157f784e035edab4f2ff0df25a2a208790ecb5b58f",
    "contains": "spa-eng/spa.txt",
}
KOR_ENG = {
    "fname": "kor-eng.zip",
    "origin": "https://www.manythings.org/anki/kor-eng.zip",
    "file_hash": "2859ee63bf0c806de93a3c913a5ad162da16ea0279de87d046fa7d4b8d4be9eb",
    "contains": "kor.txt",
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


def load_kor_eng():
    """The English-Korean pairs of manythings.org/anki (5,749 pairs, file of 2023-02-20).

    The site may refuse scripted downloads; then download ``kor-eng.zip`` in a browser and
    put it where the error message says.
    """
    return read_pairs(download.fetch(**KOR_ENG, extract=True))


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
    n_val, n_test = positive_int(n_val, "n_val"), positive_int(n_test, "n_test")
    if n_val + n_test >= len(pairs):
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
    max_len = positive_int(max_len, "max_len")
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
    ids = np.asarray(ids)
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise IdDtypeError(f"ids must be integer token ids, got {ids.dtype}")
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence of token ids, shape (L,), got shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= len(vocab)):
        bad = ids[(ids < 0) | (ids >= len(vocab))][0]
        raise ValueError(f"ids has id {bad}: token ids must lie in [0, {len(vocab)}) (the vectorizer's vocabulary)")
    words = []
    for i in ids.tolist():
        if vocab[i] == END:
            break
        if i > 0 and vocab[i] != START:
            words.append(vocab[i])
    return detokenize(" ".join(words))


def _check_references(hypotheses, references):
    if isinstance(hypotheses, str) or isinstance(references, str):
        raise ValueError("hypotheses and references must be lists of strings, not one string")
    if len(hypotheses) != len(references):
        raise ValueError(f"need one reference per hypothesis (a string, or a list of strings), "
                         f"got {len(hypotheses)} hypotheses and {len(references)} references")
    if len(hypotheses) == 0:
        raise ValueError("BLEU needs at least one hypothesis and reference, got none")
    empty = [i for i, r in enumerate(references) if not isinstance(r, str) and len(r) == 0]
    if empty:
        raise ValueError(f"hypotheses {empty[:5]} have an empty list of references")


def _streams(references):
    """Per-hypothesis references (a string, or a list of strings) -> sacrebleu's reference
    streams: stream k holds every hypothesis's k-th reference, None where it has fewer."""
    refs = [[r] if isinstance(r, str) else list(r) for r in references]
    return [[r[k] if k < len(r) else None for r in refs] for k in range(max(map(len, refs)))]


def bleu(hypotheses, references):
    """Corpus BLEU (sacrebleu, default 13a tokenisation) of detokenised strings.

    ``references``: per hypothesis one string, or a list of strings (multi-reference BLEU:
    n-grams are matched against all of them, the brevity penalty uses the closest length).
    """
    _check_references(hypotheses, references)
    return sacrebleu.metrics.BLEU().corpus_score(list(hypotheses), _streams(references)).score


def bleu_signature(references):
    """sacrebleu's signature of :func:`bleu` with these references (number of references,
    case, tokeniser, smoothing, version): the line that makes a BLEU score reproducible."""
    metric = sacrebleu.metrics.BLEU()
    metric.corpus_score([""] * len(references), _streams(references))
    return str(metric.get_signature())


def paired_bootstrap(systems, references, n_samples=1000):
    """Paired bootstrap resampling (Koehn, 2004) with sacrebleu: is each system's BLEU
    different from the first one's?

    ``systems``: ``{name: hypotheses}``, the first is the baseline; every system translated
    the same sentences. Each of ``n_samples`` resamples draws the test sentences with
    replacement and scores all systems on the same draw. Returns a DataFrame indexed by name
    with ``bleu``, ``mean`` and ``ci`` (sacrebleu's bootstrap mean and 95 % half-width) and
    ``p_value`` (NaN for the baseline). sacrebleu follows the Moses script: the absolute BLEU
    differences of the resamples, centred at zero, stand for chance; p = (c + 1) / (n + 1), with
    c the number of centred differences above the observed one (two-sided; at least
    1 / (n + 1)). sacrebleu's seed is fixed (12345), so the result is reproducible.
    """
    names = list(systems)
    if len(names) < 2:
        raise ValueError(f"paired_bootstrap compares at least two systems, got {names}")
    for name in names:
        _check_references(systems[name], references)
    test = PairedTest(
        [(name, list(systems[name])) for name in names], {"BLEU": sacrebleu.metrics.BLEU()},
        _streams(references), test_type="bs", n_samples=n_samples)
    _, scores = test()
    rows = {name: {"bleu": r.score, "mean": r.mean, "ci": r.ci,
                   "p_value": np.nan if r.p_value is None else r.p_value}
            for name, r in zip(scores["System"], scores["BLEU"])}
    return pd.DataFrame.from_dict(rows, orient="index")


def bleu_by_length(hypotheses, references, src_lengths, edges, n_bootstrap=0):
    """Corpus BLEU per source-length bucket: DataFrame indexed by bucket with ``n`` and ``bleu``
    (NaN for an empty bucket). ``src_lengths`` has one length per hypothesis.
    ``n_bootstrap`` > 0 adds ``ci``, the half-width of each bucket's 95 % bootstrap interval
    (:func:`bleu_with_ci` on the bucket's sentences): the test sample's error per bucket."""
    _check_references(hypotheses, references)
    if len(src_lengths) != len(hypotheses):
        raise ValueError(f"need one source length per hypothesis, got {len(src_lengths)} and {len(hypotheses)}")
    buckets = length_buckets(src_lengths, edges)
    rows = {}
    for label in buckets.categories:
        idx = np.flatnonzero(np.asarray(buckets) == label)
        hyps, refs = [hypotheses[i] for i in idx], [references[i] for i in idx]
        rows[label] = {"n": len(idx), "bleu": bleu(hyps, refs) if len(idx) else np.nan}
        if n_bootstrap:
            rows[label]["ci"] = bleu_with_ci(hyps, refs, n_bootstrap)[1] if len(idx) else np.nan
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("bucket")


def references(split):
    """The standardised, detokenised target of each pair of a split (one reference per pair)."""
    return [detokenize(standardize(t)) for _, t in split["pairs"]]


def by_source(split):
    """``split`` with one row per distinct source sentence, and all of its references.

    Tatoeba gives many English sentences several Spanish translations, and a split from
    :func:`split_by_source` keeps them together. Scoring each pair on its own would translate
    one sentence several times and count a correct translation as wrong against the other
    references. The result keeps the arrays of each source's first pair and adds
    ``references``: per row, the list of all its targets (standardised, detokenised).
    """
    if "pairs" not in split or len(split["pairs"]) != len(split.get("src", ())):
        raise ValueError("by_source needs a split from to_arrays: arrays and a 'pairs' list with one "
                         "(source, target) pair per row")
    rows, refs, row_of = [], [], {}
    for i, ((src, _), target) in enumerate(zip(split["pairs"], references(split))):
        if src not in row_of:
            row_of[src] = len(rows)
            rows.append(i)
            refs.append([])
        refs[row_of[src]].append(target)
    rows = np.array(rows, dtype=int)
    out = {key: value[rows] for key, value in split.items() if isinstance(value, np.ndarray)}
    out["pairs"] = [split["pairs"][i] for i in rows]
    out["references"] = refs
    return out


def _decode(model, src, max_len, beam_width):
    """(B, S) ids -> (B, L) ids: greedy decoding for ``beam_width=1``, else beam search."""
    if positive_int(beam_width, "beam_width") == 1:
        return model.greedy_decode(src, max_len)
    return model.beam_decode(src, max_len, beam_width)


def decode_split(model, split, tgt_vec, beam_width=1, batch_size=250):
    """Translate ``split["src"]``: greedy (``beam_width=1``) or beam search -> detokenised strings."""
    batch_size = positive_int(batch_size, "batch_size")
    if len(split["src"]) == 0:
        raise ValueError("decode_split got a split with no sentences")
    max_len = split["tgt_out"].shape[1]
    hyps = []
    for i in range(0, len(split["src"]), batch_size):
        ids = _decode(model, split["src"][i:i + batch_size], max_len, beam_width)
        hyps += [ids_to_text(row, tgt_vec) for row in ids]
    return hyps


def translate(model, sentences, src_vec, tgt_vec, beam_width=1, max_len=30, return_weights=False):
    """Translate your own English sentences with a trained model.

    Args:
        sentences: list of str, raw text (standardised here, as in training).
        beam_width: 1 for greedy decoding, more for beam search.
        return_weights: also return, per sentence, its source tokens, output tokens and
            attention weights (L, S) (greedy decoding with an attention model only).

    Returns:
        list of detokenised translations; with ``return_weights``, a list of
        ``(translation, source_tokens, output_tokens, weights)``.
    """
    if isinstance(sentences, str) or not sentences or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty list of strings, e.g. ['I am hungry.']")
    if return_weights and beam_width != 1:
        raise ValueError("return_weights works with greedy decoding only; use beam_width=1")
    text = [standardize(s) for s in sentences]
    empty = [i for i, t in enumerate(text) if not t]
    if empty:
        raise ValueError(f"sentences {empty} have no words (after standardisation): nothing to translate")
    src = np.asarray(src_vec(text))                                    # (N, S), padded with 0
    if not return_weights:
        return [ids_to_text(row, tgt_vec) for row in _decode(model, src, max_len, beam_width)]
    ids, weights = model.greedy_decode(src, max_len, return_weights=True)   # (N, L), (N, L, S)
    vocab, src_vocab = tgt_vec.get_vocabulary(), src_vec.get_vocabulary()
    results = []
    for row, w, s in zip(ids, weights, src):
        n_out = output_length(row, model.end_id)
        n_src = int((s != 0).sum())
        results.append((ids_to_text(row, tgt_vec), [src_vocab[i] for i in s[:n_src]],
                        [vocab[i] for i in row[:n_out]], w[:n_out, :n_src]))
    return results


def bleu_with_ci(hypotheses, references, n_bootstrap=1000):
    """Corpus BLEU and the half-width of its 95 % bootstrap interval (sacrebleu's resampling
    of test sentences): how much the score depends on which sentences were drawn.
    ``references`` as for :func:`bleu`. To compare two systems use :func:`paired_bootstrap`."""
    _check_references(hypotheses, references)
    score = sacrebleu.metrics.BLEU().corpus_score(list(hypotheses), _streams(references), n_bootstrap=n_bootstrap)
    return score.score, score._ci  # sacrebleu 2.x keeps the interval here; it has no public name


def translation_experiment():
    """Data and budget of Chapter 3's English-to-Spanish experiment.

    All pairs of :func:`load_spa_eng`, split by source sentence with seed 0 into about 2,000
    validation pairs, 3,000 test pairs and the rest for training; a 5,000-token vocabulary per
    language adapted on the training split; pairs of at most 16 tokens a side (about 1 % are
    longer and left out). Quick mode keeps 1,500 training, 200 validation and 120 test pairs
    and a 1,000-token vocabulary.

    Returns a dict: ``n_pairs`` (all pairs loaded), ``n_too_long`` (pairs of the three splits
    left out for length), ``train``, ``val``, ``test`` (see :func:`to_arrays`), ``src_vec``,
    ``tgt_vec``, ``edges`` (source-length buckets in tokens), ``epochs``, ``batch_size``,
    ``learning_rate``.
    """
    pairs = load_spa_eng()
    train, val, test = split_by_source(pairs, 2_000, 3_000, seed=0)
    train = train[:pick(full=None, quick=1_500)]            # [:None] keeps every pair
    val, test = val[:pick(full=None, quick=200)], test[:pick(full=None, quick=120)]
    src_vec, tgt_vec = make_vectorizers(train, max_tokens=pick(full=5_000, quick=1_000))
    max_len = 16
    splits = (train, val, test)
    arrays = [to_arrays(split, src_vec, tgt_vec, max_len) for split in splits]
    return {"n_pairs": len(pairs), "n_too_long": sum(len(s) - len(a["src"]) for s, a in zip(splits, arrays)),
            "train": arrays[0], "val": arrays[1], "test": arrays[2], "src_vec": src_vec,
            "tgt_vec": tgt_vec, "edges": [1, 6, 9, 12, max_len + 1],
            "epochs": pick(full=5, quick=1), "batch_size": 128, "learning_rate": 2e-3}
