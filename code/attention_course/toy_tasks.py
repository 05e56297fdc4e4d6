"""Synthetic sequence-to-sequence tasks that run offline in minutes on a CPU.

A source is a string of random symbols ``a``-``t``; the target is a function of it:

- ``"reverse"``: ``"abcd"`` -> ``"dcba"`` (the first target symbol depends on the last source one)
- ``"copy"``:    ``"abcd"`` -> ``"abcd"``

Token ids: 0 is padding, 1 starts the target (``<s>``), 2 ends it (``</s>``), and the symbols
follow. Arrays are padded at the end with 0.

The accuracy-against-length experiment of Chapters 1-3 is :func:`length_experiment` (data and
budget) with :func:`length_model` (the models); :func:`alignment` reads one model's attention;
:func:`measured` gives what Chapters 1 and 2 measured, for later chapters to compare with.
"""
import json
import math
from importlib import resources

import keras
import numpy as np
import pandas as pd

from .checks import IdDtypeError, positive_int
from .config import pick
from .seq2seq import Seq2Seq, output_length
from .training import compile_seq2seq

PAD, START, END = 0, 1, 2
SYMBOLS = "abcdefghijklmnopqrst"
SPECIALS = ["<pad>", "<s>", "</s>"]
VOCAB = SPECIALS + list(SYMBOLS)
VOCAB_SIZE = len(VOCAB)  # 23
LENGTH_EDGES = [4, 10, 16, 22, 28, 34, 41]  # buckets 4-9, 10-15, ..., 34-40 used by every chapter
TASKS = {"reverse": lambda s: s[::-1], "copy": lambda s: s}


def encode(text):
    """``"abc"`` -> ``array([3, 4, 5])``; raises ``ValueError`` on a symbol outside ``a``-``t``."""
    bad = sorted(set(text) - set(SYMBOLS))
    if bad:
        raise ValueError(f"toy sequences use the symbols {SYMBOLS!r}; got {bad}")
    return np.array([VOCAB.index(c) for c in text], dtype="int32")


def decode(ids):
    """Token ids -> string, stopping at ``</s>`` and skipping ``<pad>`` and ``<s>``."""
    ids = np.asarray(ids)
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise IdDtypeError(f"ids must be integer token ids, got {ids.dtype}")
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence of token ids, shape (L,), got shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= VOCAB_SIZE):
        bad = ids[(ids < 0) | (ids >= VOCAB_SIZE)][0]
        raise ValueError(f"ids has id {bad}: token ids must lie in [0, {VOCAB_SIZE}) (the toy vocabulary)")
    out = []
    for i in ids.tolist():
        if i == END:
            break
        if i >= len(SPECIALS):
            out.append(VOCAB[i])
    return "".join(out)


def make_pairs(task, n, min_len=4, max_len=40, seed=0):
    """``n`` distinct (source, target) string pairs, lengths uniform in ``[min_len, max_len]``.

    Deterministic for a given seed. Sources are distinct, so splits of one call never overlap.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {sorted(TASKS)}")
    n, min_len, max_len = positive_int(n, "n"), positive_int(min_len, "min_len"), positive_int(max_len, "max_len")
    if not min_len <= max_len:
        raise ValueError(f"expected 1 <= min_len <= max_len, got min_len={min_len}, max_len={max_len}")
    possible = sum(len(SYMBOLS) ** length for length in range(min_len, min(max_len, 8) + 1))
    if max_len < 8 and n > possible:        # (20**8 sources of length 8 are more than enough)
        raise ValueError(f"n={n} distinct sources do not exist: lengths {min_len} to {max_len} give "
                         f"only {possible}")
    rng = np.random.default_rng(seed)
    sources, seen = [], set()
    while len(sources) < n:
        length = int(rng.integers(min_len, max_len + 1))
        s = "".join(rng.choice(list(SYMBOLS), size=length))
        if s not in seen:
            seen.add(s)
            sources.append(s)
    return [(s, TASKS[task](s)) for s in sources]


def to_arrays(pairs, max_len=40):
    """Pad pairs into the three arrays a seq2seq model trains on.

    Returns a dict of int32 arrays:
        ``src``      (n, max_len)      source ids, padded with 0
        ``tgt_in``   (n, max_len + 1)  ``<s>`` + target: the decoder's input (teacher forcing)
        ``tgt_out``  (n, max_len + 1)  target + ``</s>``: what the decoder must predict
        ``src_len``  (n,)              source lengths
    """
    n, max_len = len(pairs), positive_int(max_len, "max_len")
    src = np.zeros((n, max_len), "int32")
    tgt_in = np.zeros((n, max_len + 1), "int32")
    tgt_out = np.zeros((n, max_len + 1), "int32")
    lengths = np.zeros(n, "int32")
    for i, (s, t) in enumerate(pairs):
        if len(s) > max_len or len(t) > max_len:
            raise ValueError(f"pair {i} is longer than max_len={max_len}: {len(s)} / {len(t)} symbols")
        s_ids, t_ids = encode(s), encode(t)
        src[i, : len(s)] = s_ids
        tgt_in[i, : len(t) + 1] = np.concatenate([[START], t_ids])
        tgt_out[i, : len(t) + 1] = np.concatenate([t_ids, [END]])
        lengths[i] = len(s)
    return {"src": src, "tgt_in": tgt_in, "tgt_out": tgt_out, "src_len": lengths}


def make_splits(task="reverse", n_train=20_000, n_val=2_000, n_test=3_000, min_len=4, max_len=40, seed=0):
    """Train/validation/test arrays (see :func:`to_arrays`) with no source in two splits.

    Validation and test come from the same distribution as training; the test split is for
    the final measurement only.
    """
    pairs = make_pairs(task, n_train + n_val + n_test, min_len, max_len, seed)
    cuts = np.cumsum([n_train, n_val])
    parts = np.split(np.arange(len(pairs)), cuts)
    return tuple(to_arrays([pairs[i] for i in idx], max_len) for idx in parts)


def length_experiment():
    """Data and budget of the accuracy-against-length experiment that Chapters 1-3 share.

    Reversal of 4-40 symbols; 30,000 training, 2,000 validation and 3,000 test sequences
    (500 / 100 / 300 in quick mode) split with seed 0; 5 epochs (1 in quick mode) of batches
    of 128 sequences of similar length; Adam with its learning rate decayed from 3e-3 to 0
    along a cosine over the whole run (Keras's ``CosineDecay``:
    ``3e-3 * (1 + cos(pi * step / steps)) / 2``); seeds 0, 1, 2 (0, 1 in quick mode).

    Returns a dict: ``train``, ``val``, ``test`` (see :func:`make_splits`), ``edges``
    (:data:`LENGTH_EDGES`), ``epochs``, ``batch_size``, ``seeds``, ``learning_rate`` (the
    schedule, to pass to :func:`length_model`).
    """
    n_train, epochs, batch_size = pick(full=30_000, quick=500), pick(full=5, quick=1), 128
    train, val, test = make_splits("reverse", n_train, pick(full=2_000, quick=100), pick(full=3_000, quick=300),
                                   seed=0)
    steps = epochs * math.ceil(n_train / batch_size)
    return {"train": train, "val": val, "test": test, "edges": LENGTH_EDGES, "epochs": epochs,
            "batch_size": batch_size, "seeds": pick(full=[0, 1, 2], quick=[0, 1]),
            "learning_rate": keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps)}


def length_model(attention, learning_rate, bidirectional=False):
    """A fresh, compiled model of the length experiment: ``Seq2Seq`` with embedding 64 and
    GRU 128 on this vocabulary, ``attention`` None, ``"luong"`` (dot) or ``"bahdanau"``,
    trained with ``learning_rate`` (a number or a schedule, e.g. the experiment's);
    ``bidirectional`` encodes with ``BiEncoder`` (64 units each way)."""
    model = Seq2Seq(VOCAB_SIZE, embed_dim=64, units=128, start_id=START, end_id=END, attention=attention,
                    bidirectional=bidirectional)
    return compile_seq2seq(model, learning_rate)


def alignment(model, src):
    """Greedy-decode one source with an attention model; return what a heatmap needs.

    ``src`` (S,) ids, padded or not -> ``source`` (list of its symbols), ``output`` (the
    generated symbols up to and with ``</s>``), ``weights`` (len(output), len(source)).
    """
    src = np.asarray(src)
    if src.ndim != 1:
        raise ValueError(f"alignment takes one source, src of shape (S,), got shape {src.shape}")
    n_src = int((src != PAD).sum())
    if n_src == 0:
        raise ValueError(f"src is nothing but padding (id {PAD}): there is no source to align with")
    ids, weights = model.greedy_decode(src[None, :n_src], max_len=len(src) + 1, return_weights=True)
    ids, weights = ids[0], weights[0]
    n_out = output_length(ids, END)
    return [VOCAB[i] for i in src[:n_src]], [VOCAB[i] for i in ids[:n_out]], weights[:n_out]


def measured(name):
    """What an earlier notebook measured in the length experiment, so that later ones need not
    train the same model again.

    ``name``: ``"fixed context"`` (Chapter 1, 1.2) or ``"Luong"`` (Chapter 2, 2.2). Read from
    ``length_results.json``, which ``tests/measured_results.py`` writes from those notebooks'
    committed outputs (a test checks they agree). Returns ``summary`` (the table of
    :func:`training.train_and_measure`, rounded to 3 decimals), ``curves`` ({seed: validation
    token accuracy per epoch}) and ``minutes`` (training and measuring all seeds).
    """
    results = json.loads(resources.files(__package__).joinpath("length_results.json").read_text())
    if name not in results:
        raise ValueError(f"measured() knows {', '.join(map(repr, results))}; got {name!r}")
    table = results[name]["summary"]
    columns = pd.MultiIndex.from_tuples([("n", ""), ("exact_match", "mean"), ("exact_match", "std"),
                                         ("token_accuracy", "mean"), ("token_accuracy", "std")])
    summary = pd.DataFrame(list(zip(*(table[k] for k in list(table)[1:]))), columns=columns,
                           index=pd.Index(table["bucket"], name="bucket"))
    curves = {int(seed): acc for seed, acc in results[name]["val_accuracy"].items()}
    return summary, curves, results[name]["minutes"]

