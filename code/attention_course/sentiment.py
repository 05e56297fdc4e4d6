"""Sentiment classification of IMDB reviews (Chapter 4): token ids, batches, four classifiers.

    (train, val, test), vectorizer = imdb_experiment()       # dicts {"ids": (N, L), "label": (N,)}
    model = compile_classifier(SentimentClassifier(VOCAB_SIZE, pooling="attention"))
    fit_classifier(model, train, val, epochs=8)               # early stopping on validation
    accuracy(model, test)                                     # the test split: once per model

Every classifier is ``ids -> embed -> LSTM (or BiLSTM) -> a summary vector z -> logit``, with
P(positive) = σ(logit); only the summary differs (``pooling``). Id 0 is padding, on the right;
every layer skips it, so extra padding changes no prediction.
"""
import json
import time
from importlib import resources

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

from . import checks, config, imdb
from .attention import AttentionPooling, BahdanauAttention, LuongAttention
from .checks import positive_int
from .training import EpochLog, build_optimizer, pad_to, length_buckets, length_sorted_batches, round_up

VOCAB_SIZE = 20_000     # the most frequent words of the training split; the rest become [UNK] (id 1)
MAX_LEN = config.pick(full=400, quick=160)   # tokens kept per review: 87 % of training reviews are
                                             # shorter than 400 (quick mode: 160, 40 % of the LSTMs' work)
POOLINGS = ("last", "attention", "bahdanau", "luong")


def _check_texts(texts):
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must be a list of review strings, got "
                         f"{type(texts).__name__ if isinstance(texts, str) else 'a list holding non-strings'}")
    if len(texts) == 0:
        raise ValueError("texts is empty: expected at least one review")


def make_vectorizer(texts, vocab_size=VOCAB_SIZE, ngrams=None, output_mode="int"):
    """A ``keras.layers.TextVectorization`` adapted to ``texts`` (the training split only).

    It lower-cases, strips punctuation and splits on whitespace. ``output_mode="int"``: ids, 0
    padding and 1 ``[UNK]``; ``"multi_hot"`` or ``"tf_idf"`` with ``ngrams=2``: a bag of words
    and word pairs, the baseline's input.
    """
    _check_texts(texts)
    vectorizer = layers.TextVectorization(max_tokens=positive_int(vocab_size, "vocab_size"),
                                          ngrams=ngrams, output_mode=output_mode)
    vectorizer.adapt(texts, batch_size=1024)
    return vectorizer


def _vectorized(vectorizer, texts, batch_size):
    """The vectorizer's output for ``texts``, ``batch_size`` reviews at a time, as NumPy arrays."""
    batch_size = positive_int(batch_size, "batch_size")
    for lo in range(0, len(texts), batch_size):
        yield ops.convert_to_numpy(vectorizer(texts[lo:lo + batch_size]))


def to_ids(vectorizer, texts, max_len=MAX_LEN, keep="end", batch_size=1000):
    """Reviews as token ids (N, max_len) int32, padded with 0 on the right.

    A review longer than ``max_len`` tokens loses its start (``keep="end"``: reviews tend to
    end with the verdict) or its end (``keep="start"``, what ``output_sequence_length`` does).
    A review with no tokens at all is a ValueError: there is nothing to classify.
    """
    _check_texts(texts)
    if keep not in ("start", "end"):
        raise ValueError(f"keep must be 'start' or 'end', got {keep!r}")
    rows = [row[row != 0] for ids in _vectorized(vectorizer, texts, batch_size) for row in ids]
    empty = [i for i, row in enumerate(rows) if len(row) == 0]
    if empty:
        raise ValueError(f"reviews {empty[:5]} have no tokens after standardisation: "
                         f"expected text with at least one word")
    return keras.utils.pad_sequences(rows, maxlen=positive_int(max_len, "max_len"), dtype="int32",
                                     padding="post", truncating="pre" if keep == "end" else "post")


def review_lengths(vectorizer, texts, batch_size=1000):
    """Tokens per review before any cut: (N,) int."""
    _check_texts(texts)
    return np.concatenate([(ids != 0).sum(1) for ids in _vectorized(vectorizer, texts, batch_size)])


def imdb_experiment(vocab_size=VOCAB_SIZE, max_len=MAX_LEN, keep="end"):
    """Chapter 4's data: train / validation (20 % of IMDB's training reviews, seed 0) / test.

    Returns three dicts ``{"ids": (N, max_len) int32, "label": (N,) int32, "text": list}`` and
    the vectorizer, adapted to the training part only. Quick mode keeps 1,500 / 500 / 500 reviews.
    """
    texts, labels = imdb.load_reviews("train")
    (train_x, train_y), (val_x, val_y) = imdb.validation_split(texts, labels, fraction=0.2, seed=0)
    test_x, test_y = imdb.load_reviews("test")
    n_train, n_eval = config.pick(full=(None, None), quick=(1_500, 500))
    rng = np.random.default_rng(0)
    splits = []
    for x, y, n in ((train_x, train_y, n_train), (val_x, val_y, n_eval), (test_x, test_y, n_eval)):
        rows = np.arange(len(x)) if n is None else np.sort(rng.permutation(len(x))[:n])
        splits.append(([x[i] for i in rows], y[rows]))
    vectorizer = make_vectorizer(splits[0][0], vocab_size)
    data = [{"ids": to_ids(vectorizer, x, max_len, keep), "label": y, "text": x} for x, y in splits]
    return tuple(data), vectorizer


def _check_split(split, name="split", vocab_size=None):
    """A split dict: ``ids`` (N, L) int token ids (or ``bags`` (N, V), the baseline's) and ``label`` (N,)
    of 0 (negative) and 1 (positive); with ``vocab_size``, ids in [0, vocab_size)."""
    key = "bags" if isinstance(split, dict) and "bags" in split else "ids"
    if not isinstance(split, dict) or not {key, "label"} <= set(split):
        raise ValueError(f"{name} must be a dict with 'ids' (N, L) and 'label' (N,), got "
                         f"{sorted(split) if isinstance(split, dict) else type(split).__name__}")
    ids, label = np.asarray(split[key]), np.asarray(split["label"])
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name}[{key!r}] must be integers of shape (N, L), got {ids.dtype} {ids.shape}")
    if label.shape != (len(ids),):
        raise ValueError(f"{name}['label'] must have shape ({len(ids)},), got {label.shape}")
    if label.dtype.kind not in "biuf":           # "pos"/"neg" strings would all count as negatives
        raise TypeError(f"{name}['label'] must be numbers 0 (negative) and 1 (positive), got dtype {label.dtype}"
                        + (f" (e.g. {label[0]!r})" if len(label) else ""))
    values = np.unique(label)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name}['label'] must hold only 0 (negative) and 1 (positive), got the values "
                         f"{values[:6].tolist()}")
    if 0 in ids.shape:
        raise ValueError(f"{name}[{key!r}] is empty (shape {ids.shape}): expected at least one review of at least one token")
    if key == "ids":
        checks.token_ids(ids, f"{name}['ids']", vocab_size)      # vocab_size None: ids >= 0 only
    return ids, label


class ReviewBatches(keras.utils.PyDataset):
    """Batches of reviews of similar length, each padded only as far as its longest review.

    The same trick as ``training.LengthBatches``: a batch of short reviews costs a short LSTM
    loop. Item ``i``: ``(ids (b, L_i), label (b,))`` with ``L_i`` a multiple of ``multiple``.
    ``shuffle=False`` keeps one fixed order, sorted by length (validation, test).
    """

    def __init__(self, split, batch_size=64, shuffle=True, pool=20, multiple=16, **kwargs):
        super().__init__(**kwargs)
        self.ids, self.label = _check_split(split)
        self.batch_size = positive_int(batch_size, "batch_size")
        pool, multiple = positive_int(pool, "pool"), positive_int(multiple, "multiple")
        self.width = (self.ids != 0).sum(1)        # padding is on the right: the used width
        self.shuffle, self.pool, self.multiple = shuffle, pool, multiple
        self.rng = np.random.default_rng(np.random.randint(2**31)) if shuffle else None  # config.set_seed fixes it
        self.batches = length_sorted_batches((self.width,), self.batch_size, pool, self.rng)

    def __len__(self):
        return len(self.batches)

    def _w(self, i):
        return min(round_up(self.width[self.batches[i]].max(), self.multiple), self.ids.shape[1])

    def __getitem__(self, i):
        rows, width = self.batches[i], self._w(i)
        if i == 1 and width == self._w(0):
            width += 1   # Keras's TensorFlow adapter takes input shapes from the first two batches: let L vary
        return pad_to(self.ids[rows], width), self.label[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self.batches = length_sorted_batches((self.width,), self.batch_size, self.pool, self.rng)


@keras.saving.register_keras_serializable(package="attention_course")
class SentimentClassifier(keras.Model):
    """ids (B, S) -> embed -> LSTM states h_1..h_S (B, S, H) -> summary z -> logit (B,).

    ``pooling`` chooses z (``bidirectional``: h_j = [→h_j; ←h_j], H/2 units each way):

    - ``"last"``: z = h_S, the state after the last real token (the LSTM skips padding).
    - ``"attention"``: z = Σ_j a_j h_j with a learned query (:class:`AttentionPooling`).
    - ``"bahdanau"``: q = [→h_S; ←h_1], the two final states; e_j = vᵀ tanh(W₁ h_j + W₂ q),
      z = Σ_j a_j h_j (the Korean NLP book's 15-03 design, :class:`BahdanauAttention`).
    - ``"luong"``: q = h_S; e_j = qᵀ W_a h_j, c = Σ_j a_j h_j, z = tanh(W_c [c; q]) with 128
      units (what the PyPI ``attention`` package's ``Attention`` layer computes).

    logit = w_oᵀ dropout(z) + b_o. ``call`` returns logits; :meth:`attention_weights` the a_j.
    """

    def __init__(self, vocab_size, embed_dim=128, units=64, pooling="attention", bidirectional=False,
                 dropout=0.0, attention_units=64, **kwargs):
        super().__init__(**kwargs)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        if not isinstance(bidirectional, bool):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout!r}")
        units = positive_int(units, "units")
        embed_dim, attention_units = positive_int(embed_dim, "embed_dim"), positive_int(attention_units, "attention_units")
        if bidirectional and units % 2:
            raise ValueError(f"a bidirectional LSTM gives units/2 to each direction: expected an even number, got {units}")
        self.vocab_size, self.embed_dim, self.units = positive_int(vocab_size, "vocab_size"), embed_dim, units
        self.pooling, self.bidirectional, self.dropout_rate = pooling, bidirectional, dropout
        self.attention_units = attention_units
        self.embedding = layers.Embedding(self.vocab_size, embed_dim)
        lstm = layers.LSTM(units // 2 if bidirectional else units, return_sequences=True, return_state=True)
        self.rnn = layers.Bidirectional(lstm) if bidirectional else lstm
        self.drop_in, self.drop_out = layers.Dropout(dropout), layers.Dropout(dropout)
        if pooling == "attention":
            self.attend = AttentionPooling(attention_units)
        elif pooling == "bahdanau":
            self.attend = BahdanauAttention(attention_units)
        elif pooling == "luong":
            self.attend = LuongAttention("general")
            self.W_c = layers.Dense(128, activation="tanh", use_bias=False, name="W_c")
        self.out = layers.Dense(1, name="w_o")

    def build(self, ids_shape):
        b, h = ids_shape[0], self.units
        self.embedding.build(ids_shape)
        self.rnn.build((b, None, self.embed_dim))
        if self.pooling == "attention":
            self.attend.build((b, None, h))
        elif self.pooling != "last":
            self.attend.build((b, h), (b, None, h))
        if self.pooling == "luong":
            self.W_c.build((b, 2 * h))
        self.out.build((b, {"last": h, "attention": h, "bahdanau": h, "luong": 128}[self.pooling]))

    def embed(self, ids):
        """ids (B, S) -> embeddings (B, S, E) and the mask (B, S), True at real tokens."""
        checks.sequence_ids(ids, "ids", self.vocab_size)              # concrete ids only: skipped when traced
        ids = ops.convert_to_tensor(ids)
        if len(ids.shape) != 2 or "int" not in str(ids.dtype):
            raise ValueError(f"ids must be integer token ids of shape (batch, time), got {ids.dtype} {tuple(ids.shape)}")
        if not self.built:              # called before the model itself (attention_weights first)
            self.build(tuple(ids.shape))
        return self.embedding(ids), ops.not_equal(ids, 0)

    def from_embeddings(self, x, mask, training=False):
        """embeddings (B, S, E), mask (B, S) -> logits (B,), attention weights (B, S) or None."""
        x = self.drop_in(x, training=training)
        h, *finals = self.rnn(x, mask=mask)                       # h_j: (B, S, H)
        if self.bidirectional:
            last = ops.concatenate([finals[0], finals[2]], -1)    # [→h_S; ←h_1]: (B, H)
        else:
            last = finals[0]                                      # h_S (the last real step): (B, H)
        weights = None
        if self.pooling == "last":
            z = last
        elif self.pooling == "attention":
            z, weights = self.attend(h, mask)                # Σ_j a_j h_j: (B, H)
        elif self.pooling == "bahdanau":
            z, weights = self.attend(last, h, mask)               # Σ_j a_j h_j, query [→h_S; ←h_1]: (B, H)
        else:
            context, weights = self.attend(last, h, mask)
            z = self.W_c(ops.concatenate([context, last], -1))    # tanh(W_c [c; h_S]): (B, 128)
        return self.out(self.drop_out(z, training=training))[:, 0], weights

    def call(self, ids, training=False):
        x, mask = self.embed(ids)
        return self.from_embeddings(x, mask, training=training)[0]

    def attention_weights(self, ids, batch_size=250):
        """a_j for each review: (B, S) NumPy, exactly 0 at padding (ValueError for ``"last"``).

        Computed ``batch_size`` reviews at a time, so thousands of reviews fit in memory.
        """
        if self.pooling == "last":
            raise ValueError("pooling='last' has no attention weights")
        ids, weights = np.asarray(ids), []
        for lo in range(0, len(ids), positive_int(batch_size, "batch_size")):
            x, mask = self.embed(ids[lo:lo + batch_size])
            weights.append(ops.convert_to_numpy(self.from_embeddings(x, mask)[1]))
        return np.concatenate(weights)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "pooling": self.pooling, "bidirectional": self.bidirectional,
                "dropout": self.dropout_rate, "attention_units": self.attention_units}


def compile_classifier(model, learning_rate=1e-3):
    """Adam, binary cross-entropy on logits, accuracy (a logit > 0 predicts "positive")."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    return model


def fit_classifier(model, train, val, epochs, batch_size=64, patience=2, verbose=True, title=None):
    """Train with early stopping on validation accuracy; the best epoch's weights are restored.

    ``train`` and ``val`` are split dicts (``val`` carved from the training data). With
    ``verbose``, one line per epoch (in a notebook, with the running epoch's progress) under
    ``title``. Returns the History, with ``history.best_epoch`` (1-based) and
    ``history.seconds`` added.
    """
    vocab_size = getattr(model, "vocab_size", None)
    _check_split(train, "train", vocab_size), _check_split(val, "val", vocab_size)
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 0:
        raise ValueError(f"patience must be an int >= 0 (epochs without improvement), got {patience!r}")
    stop = keras.callbacks.EarlyStopping("val_accuracy", mode="max", patience=patience, restore_best_weights=True)
    start = time.perf_counter()
    train_batches = batches(train, batch_size)
    build_optimizer(model, train_batches[0][0][:1])
    history = model.fit(train_batches, validation_data=batches(val, 250, shuffle=False),
                        epochs=epochs, verbose=0, callbacks=[stop] + ([EpochLog(live=True, title=title)] if verbose else []))
    history.seconds = time.perf_counter() - start
    history.best_epoch = int(np.argmax(history.history["val_accuracy"])) + 1
    return history


def batches(split, batch_size=64, shuffle=True):
    """The batches of a split dict: :class:`BagBatches` if it holds ``bags``, else :class:`ReviewBatches`."""
    _check_split(split)
    if "bags" in split:
        return BagBatches(split["bags"], split["label"], batch_size, shuffle)
    return ReviewBatches(split, batch_size, shuffle)


def predict_logits(model, split, batch_size=250):
    """Logits (N,) for a split, in the split's order.

    Through ``model.predict_on_batch``, Keras's compiled inference step: on CPU it is several
    times faster than calling the model eagerly, with the same numbers.
    """
    ids, _ = _check_split(split, "split", getattr(model, "vocab_size", None))
    logits = np.empty(len(ids), dtype="float32")
    fixed = batches(split, batch_size, shuffle=False)
    for i in range(len(fixed)):
        logits[fixed.batches[i]] = np.reshape(model.predict_on_batch(fixed[i][0]), -1)
    return logits


def accuracy(model, split):
    """The fraction of reviews whose predicted class (logit > 0) is their label."""
    return float(np.mean((predict_logits(model, split) > 0) == (_check_split(split)[1] == 1)))


def run_seeds(build_model, train, val, test, seeds, epochs, batch_size=64, patience=2, name=None):
    """One fresh model per seed: train with early stopping on ``val``, then score ``test`` once.

    Returns a DataFrame, one row per seed: best epoch, validation and test accuracy, training
    seconds and parameters. ``frame.attrs`` keeps, per seed, the trained ``models``, their
    ``histories`` (Keras ``History.history`` dicts) and ``test_correct`` ((N,) bool: which
    test reviews each got right, for :func:`accuracy_by_length` without a second look).
    """
    for split, split_name in ((train, "train"), (val, "val"), (test, "test")):
        _check_split(split, split_name)                   # before any model is built or trained
    seeds = list(seeds) if not isinstance(seeds, (int, np.integer)) else [seeds]
    if not seeds:
        raise ValueError("seeds is empty: expected at least one seed, e.g. [0, 1, 2]")
    positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    rows, models, histories, correct = [], [], [], []
    for seed in seeds:
        config.set_seed(seed)
        model = build_model()
        history = fit_classifier(model, train, val, epochs, batch_size, patience, title=f"{name or model.name}, seed {seed}")
        correct.append((predict_logits(model, test) > 0) == (_check_split(test, "test")[1] == 1))
        rows.append({"model": name or model.name, "seed": seed, "best_epoch": history.best_epoch,
                     "val_acc": max(history.history["val_accuracy"]), "test_acc": float(correct[-1].mean()),
                     "seconds": history.seconds, "params": model.count_params()})
        models.append(model)
        histories.append(history.history)
    frame = pd.DataFrame(rows)
    frame.attrs.update(models=models, histories=histories, test_correct=correct)
    return frame


def accuracy_by_length(runs, lengths, edges=(1, 100, 200, 400, 2_500)):
    """Test accuracy by review length (tokens before the cut), mean ± std over seeds.

    ``runs``: frames from :func:`run_seeds` (their ``test_correct``); ``lengths`` (N,) of the
    test reviews. Returns a DataFrame: one row per length bucket [lo, hi), with ``n`` and a
    ``mean``/``std`` column pair per model.
    """
    buckets = length_buckets(np.asarray(lengths), edges)
    table = {}
    for run in runs if isinstance(runs, (list, tuple)) else [runs]:
        if any(len(c) != len(buckets) for c in run.attrs.get("test_correct", [])):
            raise ValueError(f"lengths must give one length per test review ({len(run.attrs['test_correct'][0])}), "
                             f"got {len(buckets)}")
        per_seed = pd.DataFrame({i: pd.Series(c).groupby(buckets, observed=False).mean()
                                 for i, c in enumerate(run.attrs["test_correct"])})
        table[(run["model"].iloc[0], "mean")] = per_seed.mean(1)
        table[(run["model"].iloc[0], "std")] = per_seed.std(1)
    frame = pd.DataFrame(table)
    frame.insert(0, ("n", ""), pd.Series(np.ones(len(buckets))).groupby(buckets, observed=False).size())
    frame.index.name = "tokens"
    return frame


def summarise(runs):
    """Per model: test accuracy mean ± std over seeds (ddof=1), mean best validation accuracy,
    seeds, best epochs, minutes of training per seed, parameters.

    For :func:`measured`'s frame, mean, std and validation mean are the ones the notebooks
    printed (from unrounded accuracies; its per-seed accuracies are rounded to 4 decimals).
    """
    printed = runs.attrs.get("summary", {}) if isinstance(runs, pd.DataFrame) else {}
    runs = pd.concat(runs) if isinstance(runs, (list, tuple)) else runs
    frame = runs.groupby("model", sort=False).agg(
        test_mean=("test_acc", "mean"), test_std=("test_acc", "std"), val_mean=("val_acc", "mean"),
        seeds=("seed", "size"), best_epochs=("best_epoch", lambda e: "/".join(map(str, e))),
        minutes=("seconds", lambda s: s.mean() / 60), params=("params", "first")).round(
        {"test_mean": 4, "test_std": 4, "val_mean": 4, "minutes": 1})
    for model, stats in printed.items():
        if model in frame.index:
            frame.loc[model, list(stats)] = list(stats.values())
    return frame


class BagBatches(keras.utils.PyDataset):
    """Batches of bag-of-n-gram vectors for the baseline: ``(x (b, V) float32, label (b,))``.

    ``bags``: (N, V) uint8 multi-hot rows (1 where an n-gram occurs), from :func:`to_bags`.
    """

    def __init__(self, bags, label, batch_size=128, shuffle=True, **kwargs):
        super().__init__(**kwargs)
        if len(bags) != len(label):
            raise ValueError(f"bags and label must be as long, got {len(bags)} and {len(label)}")
        self.bags, self.label, self.batch_size = bags, np.asarray(label), positive_int(batch_size, "batch_size")
        self.rng = np.random.default_rng(np.random.randint(2**31)) if shuffle else None
        self.on_epoch_end()

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        return self.bags[self.batches[i]].astype("float32"), self.label[self.batches[i]]

    def on_epoch_end(self):
        order = self.rng.permutation(len(self.bags)) if self.rng is not None else np.arange(len(self.bags))
        self.batches = [np.sort(order[lo:lo + self.batch_size]) for lo in range(0, len(order), self.batch_size)]


def to_bags(vectorizer, texts, batch_size=1000):
    """Texts -> (N, V) uint8 rows from a ``multi_hot`` vectorizer (uint8 keeps 25,000 x 20,000 at 500 MB)."""
    _check_texts(texts)
    return np.concatenate([rows.astype("uint8") for rows in _vectorized(vectorizer, texts, batch_size)])


def bag_of_bigrams_model(vocab_size=VOCAB_SIZE, hidden=16, dropout=0.5):
    """The baseline (Chollet, 2021, §11.3): multi-hot words and word pairs -> Dense(16, ReLU) -> logit."""
    return keras.Sequential([keras.Input((vocab_size,)), layers.Dense(hidden, activation="relu"),
                             layers.Dropout(dropout), layers.Dense(1), layers.Reshape(())], name="bag_of_bigrams")


# Published IMDB test accuracies the chapter compares with (as precise as each source gives
# them), and how each number was picked
PUBLISHED = [
    ("Jo (2022)", "LSTM(64) + attention", "88.08%", "early stopping watched the test set"),
    ("Jo (2022)", "Conv1D + LSTM(55), no attention", "87.96%", "early stopping on 25 % of training"),
    ("Rémy (2023), the attention package", "LSTM + attention, mean of 10", "87.62%", "best epoch chosen on the test set"),
    ("Rémy (2023), the attention package", "LSTM, mean of 10", "87.02%", "best epoch chosen on the test set"),
    ("WikiDocs 15-03", "BiLSTM + Bahdanau", "87.93%", "test set used as validation set"),
    ("WikiDocs 10-04", "GRU", "88.88%", "test set used as validation set"),
    ("keras.io", "BiLSTM", "84.3%", "validates on the test set, 2 epochs"),
    ("keras.io", "Transformer block", "87.5%", "validates on the test set, 2 epochs"),
    ("Maas et al. (2011)", "word vectors + bag of words", "88.89%", "the data set's paper"),
    ("Chollet (2021), §11.3", "bag of bigrams", "about 90%", "20 % of training held out, test once"),
    ("Wang & Manning (2012)", "NBSVM, bigrams", "91.2%", "the paper's test figure"),
]


def measured(chapters=(4,), results=None):
    """Every IMDB model's per-seed results, as its notebook's committed outputs show them.

    ``chapters``: whose models, by chapter number: Chapter 4's by default; ``(4, 5)`` adds
    Chapter 5's Transformer encoder. Read from ``sentiment_results.json``, which
    ``tests/measured_results.py`` writes from the cells tagged ``imdb-runs`` (a test checks
    that they agree), or from ``results``, a dict like that file's (:func:`book.imdb_runs`
    reads one from the notebooks). Returns a DataFrame like :func:`run_seeds`'s, with a
    ``notebook`` column.
    """
    if results is None:
        results = json.loads(resources.files(__package__).joinpath("sentiment_results.json").read_text())
    folders = tuple(f"chapters/{c:02d}_" for c in chapters)
    results = {model: entry for model, entry in results.items() if entry["notebook"].startswith(folders)}
    if not results:
        raise ValueError(f"no IMDB results for chapters {chapters}; they come from Chapters 4 and 5")
    frame = pd.DataFrame([{"model": model, **run, "notebook": entry["notebook"]}
                          for model, entry in results.items() for run in entry["runs"]])
    frame.attrs["summary"] = {model: entry["summary"] for model, entry in results.items()}
    return frame


def results_table(runs, published=PUBLISHED):
    """Our models (mean ± std over seeds) above the published figures, one table of strings."""
    ours = summarise(runs)
    rows = [{"model": model, "test accuracy": f"{r.test_mean:.2%} ± {r.test_std:.2%}",
             "seeds": r.seeds, "minutes per seed": r.minutes, "parameters": f"{r.params:,}",
             "how picked": "early stopping on validation, test once"} for model, r in ours.iterrows()]
    rows += [{"model": f"{model} [{source}]", "test accuracy": acc, "seeds": "", "minutes per seed": "",
              "parameters": "", "how picked": how} for source, model, acc, how in published]
    return pd.DataFrame(rows).set_index("model")


def differences(runs, reference):
    """Each model's mean test accuracy minus ``reference``'s, with the standard error of that
    difference, sqrt(s₁²/n₁ + s₂²/n₂) over seeds (the spread of training runs only: the test
    set is fixed)."""
    ours = summarise(runs)
    if reference not in ours.index:
        raise ValueError(f"reference must be one of the models {list(ours.index)}, got {reference!r}")
    ref = ours.loc[reference]
    frame = pd.DataFrame({"difference": ours["test_mean"] - ref.test_mean,
                          "standard error": np.sqrt(ours["test_std"] ** 2 / ours["seeds"] + ref.test_std ** 2 / ref.seeds)})
    return frame.drop(index=reference).round(4)
