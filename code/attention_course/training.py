"""Training and evaluating sequence-to-sequence models with padding handled correctly.

Padding (id 0) never counts: the loss ignores it (``ignore_class``), :class:`MaskedAccuracy`
skips it, and :func:`accuracy_by_length` scores generated sequences against the real tokens.
"""
import contextlib
import time

import keras
import numpy as np
import pandas as pd
from keras import ops

from . import checks, config
from .checks import positive_int

PAD = 0


def _check_targets(y_true, y_pred, pad_id, name):
    """``y_true`` (B, T) ids and ``y_pred`` (B, T, V) scores fit together, else a ValueError.

    Shapes are checked wherever they are known; the ids (in ``[0, V)`` or ``pad_id``) only
    when they are concrete (an eager call), not while ``fit`` traces its graph.
    """
    t_shape, p_shape = (tuple(x.shape) if hasattr(x, "shape") else np.shape(x) for x in (y_true, y_pred))
    if len(p_shape) != len(t_shape) + 1 or not all(
            a is None or b is None or a == b for a, b in zip(t_shape, p_shape)):
        raise ValueError(f"{name}: expected targets y_true (batch, time) and scores y_pred (batch, time, vocab) "
                         f"with the same batch and time, got y_true {t_shape} and y_pred {p_shape}")
    vocab = p_shape[-1]
    if vocab is None or checks.is_symbolic(y_true) or 0 in t_shape:
        return
    ids = checks._numpy(y_true)
    real = ids[ids != pad_id]
    if real.size and (real.min() < 0 or real.max() >= vocab or not np.array_equal(real, np.round(real))):
        bad = real[(real < 0) | (real >= vocab) | (real != np.round(real))][0]
        raise ValueError(f"{name}: y_true has id {bad}: target ids must be integers in [0, {vocab}) "
                         f"(the vocabulary size is y_pred's last axis), or the padding id {pad_id}")


@keras.saving.register_keras_serializable(package="attention_course")
class MaskedLoss(keras.losses.SparseCategoricalCrossentropy):
    """Keras's sparse cross-entropy from logits, ignoring ``ignore_class``, that first checks
    that targets and logits fit (:func:`_check_targets`). The numbers are Keras's."""

    def call(self, y_true, y_pred):
        _check_targets(y_true, y_pred, self.ignore_class, "masked_loss")
        return super().call(y_true, y_pred)


def masked_loss(pad_id=PAD):
    """Cross-entropy over the vocabulary that ignores target positions equal to ``pad_id``.

    ``y_true`` (B, T) ids, ``y_pred`` (B, T, V) logits; the mean is over real tokens only.
    Targets of another length than the logits, or ids outside ``[0, V)``, are a ValueError.
    """
    return MaskedLoss(from_logits=True, ignore_class=pad_id)


@keras.saving.register_keras_serializable(package="attention_course")
class MaskedAccuracy(keras.metrics.Metric):
    """Token accuracy over non-padding targets: (# correct real tokens) / (# real tokens).

    ``y_true`` (B, T) ids, ``y_pred`` (B, T, V) logits or probabilities.
    """

    def __init__(self, pad_id=PAD, name="accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.pad_id = pad_id
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        _check_targets(y_true, y_pred, self.pad_id, "MaskedAccuracy")
        y_true = ops.cast(y_true, "int32")
        real = ops.cast(ops.not_equal(y_true, self.pad_id), "float32")
        hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
        self.correct.assign_add(ops.sum(hit * real))
        self.total.assign_add(ops.sum(real))

    def result(self):
        return ops.divide_no_nan(self.correct, self.total)

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}


def compile_seq2seq(model, learning_rate=1e-3, pad_id=PAD):
    """Adam + :func:`masked_loss` + :class:`MaskedAccuracy`, gradients clipped at norm 1."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=masked_loss(pad_id),
        metrics=[MaskedAccuracy(pad_id)],
    )
    return model


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None and hasattr(get_ipython(), "kernel")


class EpochLog(keras.callbacks.Callback):
    """Print one line per epoch: ``epoch  3/20  loss 0.512  acc 0.842  val_loss ...  (9 s)``.

    ``live=True``: in Jupyter or Colab, the lines go to one output area that also shows the
    running epoch's batch count, updated about once a second, so a long epoch visibly
    advances; when training ends the area holds the title and the epoch lines only.
    Elsewhere (a script, a test) the same lines are printed.
    """

    def __init__(self, live=False, title=None):
        super().__init__()
        self.live, self.lines, self.handle = live, [title] if title else [], None

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs", 0)
        if self.live and _in_notebook():
            from IPython.display import Pretty, display
            self.handle, self.Pretty = display(Pretty("\n".join(self.lines)), display_id=True), Pretty
        elif self.lines:
            print(self.lines[0])

    def on_epoch_begin(self, epoch, logs=None):
        self.start = self.shown = time.perf_counter()
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.handle is not None and time.perf_counter() - self.shown > 1:
            self.shown = time.perf_counter()
            running = f"epoch {self.epoch + 1}/{self.epochs}: batch {batch + 1}/{self.params.get('steps') or '?'}"
            self.handle.update(self.Pretty("\n".join(self.lines + [running])))

    def on_epoch_end(self, epoch, logs=None):
        width = len(str(self.epochs))
        parts = [f"epoch {epoch + 1:>{width}}/{self.epochs}"]
        keys = sorted((k for k in (logs or {}) if k != "learning_rate"),
                      key=lambda k: (k.startswith("val_"), not k.endswith("loss")))  # loss first
        parts += [f"{k.replace('accuracy', 'acc')} {logs[k]:.3f}" for k in keys]
        parts.append(f"({time.perf_counter() - self.start:.0f} s)")
        if self.handle is not None:
            self.lines.append("  ".join(parts))
            self.handle.update(self.Pretty("\n".join(self.lines)))
        else:
            print("  ".join(parts))


class LengthBatches(keras.utils.PyDataset):
    """Batches of sequences of similar length, each padded only as far as it needs.

    Every epoch the examples are shuffled, cut into pools of ``pool`` batches, sorted by
    length inside each pool and cut into batches, and the batches are shuffled. A batch of
    short sequences then costs a short loop, not one as long as the longest sequence in the
    data: Sutskever et al. (2014, section 3.4) report a 2x speed-up from the same trick.
    Widths are rounded up to a multiple of ``multiple`` so that a compiled model sees only a
    few shapes. Padding must be 0 and on the right.

    ``split``: dict with ``src`` (N, S), ``tgt_in`` and ``tgt_out`` (N, T) int ids.
    Item ``i``: ``((src, tgt_in), tgt_out)`` of shapes (b, S_i), (b, T_i), (b, T_i).
    ``shuffle=False`` (validation) keeps one fixed order, sorted by length.
    """

    def __init__(self, split, batch_size=128, shuffle=True, pool=20, multiple=8, **kwargs):
        super().__init__(**kwargs)
        _check_split(split, "split")
        self.batch_size = positive_int(batch_size, "batch_size")
        pool, multiple = positive_int(pool, "pool"), positive_int(multiple, "multiple")
        self.src, self.tgt_in, self.tgt_out = (np.asarray(split[k]) for k in ("src", "tgt_in", "tgt_out"))
        self.src_width = _used_width(self.src)                                        # (N,)
        self.tgt_width = np.maximum(_used_width(self.tgt_in), _used_width(self.tgt_out))
        self.shuffle, self.pool, self.multiple = shuffle, pool, multiple
        # drawn from NumPy's global generator, so config.set_seed fixes the order
        self.rng = np.random.default_rng(np.random.randint(2**31)) if shuffle else None
        self.batches = self._make_batches()

    def _make_batches(self):
        return length_sorted_batches((self.tgt_width, self.src_width), self.batch_size, self.pool, self.rng)

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        s, t = self._widths(i)
        if i == 1:
            # Keras's TensorFlow adapter takes the input shapes from the first two batches:
            # pad the second wider where it matches the first, so every width may vary.
            s, t = (w + self.multiple if w == w0 else w for w, w0 in zip((s, t), self._widths(0)))
        rows = self.batches[i]
        src, tgt_in, tgt_out = (pad_to(a[rows], w) for a, w in ((self.src, s), (self.tgt_in, t), (self.tgt_out, t)))
        return (src, tgt_in), tgt_out

    def _widths(self, i):
        rows = self.batches[i]
        return (round_up(self.src_width[rows].max(), self.multiple),
                round_up(self.tgt_width[rows].max(), self.multiple))

    def on_epoch_end(self):
        if self.shuffle:
            self.batches = self._make_batches()


def length_sorted_batches(keys, batch_size, pool=20, rng=None):
    """Example indices cut into batches of similar length.

    ``keys``: lengths (N,) to sort by, as for ``np.lexsort`` (the last one first). With a NumPy
    Generator ``rng`` the examples are shuffled, sorted by length within pools of ``pool``
    batches, cut, and the batches shuffled; without one, all are sorted and cut in order.
    """
    batch_size, pool = positive_int(batch_size, "batch_size"), positive_int(pool, "pool")
    n = len(keys[-1])
    order = rng.permutation(n) if rng is not None else np.arange(n)
    size = n if rng is None else pool * batch_size
    batches = []
    for lo in range(0, n, size):
        chunk = order[lo:lo + size]
        chunk = chunk[np.lexsort([key[chunk] for key in keys])]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _used_width(ids):
    """Per row, the position after the last non-padding id: (N, W) -> (N,)."""
    real = ids != PAD
    return np.where(real.any(1), ids.shape[1] - np.argmax(real[:, ::-1], axis=1), 0)


def round_up(width, multiple):
    return int(-(-max(width, 1) // multiple) * multiple)


def pad_to(ids, width):
    """(b, W) ids cut or right-padded with 0 to (b, width); only padding is ever cut."""
    return ids[:, :width] if ids.shape[1] >= width else np.pad(ids, ((0, 0), (0, width - ids.shape[1])))


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``seconds`` of it have passed (checked after every batch); the epoch
    it stops in still ends with its validation pass, so every model is scored the same way.

    After training, ``steps`` is the number of batches trained and ``seconds`` the time they took.
    """

    def __init__(self, seconds):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"the budget must be a positive number of seconds, got {seconds!r}")
        self.budget = seconds

    def on_train_begin(self, logs=None):
        self.start, self.steps = time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        self.seconds = time.perf_counter() - self.start
        if self.seconds >= self.budget:
            self.model.stop_training = True


def build_optimizer(model, inputs):
    """Build ``model`` (one forward pass on ``inputs``, if it is not built yet) and its optimizer.

    Keras on TensorFlow otherwise creates the optimizer's variables inside the first traced
    training step, which then has to be traced twice: on a 2-core CPU that costs 5 to 10 s per
    model. The numbers are the same either way (the new variables are zeros).
    """
    if not model.built:
        model(inputs)
    if model.optimizer is not None and not model.optimizer.built:
        # TensorFlow: inside the model's distribution strategy (JAX has none; its own, if any, is global)
        scope = model.distribute_strategy.scope() if hasattr(model, "distribute_strategy") else contextlib.nullcontext()
        with scope:
            model.optimizer.build(model.trainable_variables)


def fit(model, train, val, epochs, batch_size=128, verbose=True, by_length=False, budget_s=None):
    """Teacher-forced training on split dicts with keys ``src``, ``tgt_in``, ``tgt_out``.

    ``val`` is a validation split carved from the training data (never the test split).
    Every array must hold integer ids below the model's ``vocab_size``, no sequence empty.
    ``by_length``: batches of sequences of similar length (:class:`LengthBatches`), faster
    when most sequences are much shorter than the longest; else shuffled batches of the
    full padded width. ``budget_s``: stop after that many seconds of training, even mid-epoch
    (:class:`TimeBudget`; ``history.budget`` then holds its steps and seconds). Returns the
    Keras ``History``; with ``verbose`` prints one line per epoch.
    """
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    for name, split in (("train", train), ("val", val)):
        _check_split(split, name, getattr(model, "vocab_size", None))
    callbacks = [EpochLog()] if verbose else []
    budget = None if budget_s is None else TimeBudget(budget_s)
    callbacks += [budget] if budget else []
    build_optimizer(model, (train["src"][:1], train["tgt_in"][:1]))
    if by_length:
        history = model.fit(LengthBatches(train, batch_size), epochs=epochs, verbose=0, callbacks=callbacks,
                            validation_data=LengthBatches(val, batch_size, shuffle=False))
    else:
        history = model.fit((train["src"], train["tgt_in"]), train["tgt_out"],
                            validation_data=((val["src"], val["tgt_in"]), val["tgt_out"]),
                            epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks)
    history.budget = budget
    return history


def _check_split(split, name, vocab_size=None, keys=("src", "tgt_in", "tgt_out")):
    """A split dict has ``keys`` (arrays with one row per example, ids below ``vocab_size``)."""
    missing = set(keys) - set(split)
    if missing:
        raise ValueError(f"{name} split must have keys {', '.join(keys)}; missing {sorted(missing)}")
    rows = {key: len(split[key]) for key in keys}
    if len(set(rows.values())) > 1:
        raise ValueError(f"{name} split: {', '.join(keys)} must have the same number of rows, got {rows}")
    if vocab_size is not None:
        for key in keys:
            if key != "src_len":
                checks.concrete_ids(split[key], vocab_size, f"{name}[{key!r}]")


def sequence_scores(pred, tgt_out, end_id):
    """Score generated sequences against references, position by position.

    Args:
        pred: (B, L) generated ids (as from ``greedy_decode``).
        tgt_out: (B, T) reference ids, target + ``end_id``, padded with 0.

    Returns:
        ``exact`` (B,) bool: the generation equals the reference up to and including ``end_id``;
        ``token`` (B,) float: the fraction of reference tokens (``end_id`` included) matched at
        the same position.
    """
    pred, tgt_out = np.asarray(pred), np.asarray(tgt_out)
    checks.token_ids(pred, "pred", None, allow_empty=True)
    checks.token_ids(tgt_out, "tgt_out", None, allow_empty=True)
    if pred.ndim != 2 or tgt_out.ndim != 2 or len(pred) != len(tgt_out):
        raise ValueError(f"expected pred (B, L) and tgt_out (B, T) with the same B, got {pred.shape}, {tgt_out.shape}")
    if len(tgt_out) == 0:
        raise ValueError("sequence_scores needs at least one sequence, got none")
    empty = np.flatnonzero((tgt_out == PAD).all(axis=1))
    if len(empty):
        raise ValueError(f"references {empty[:5].tolist()} are nothing but padding: there is nothing to score")
    width = max(pred.shape[1], tgt_out.shape[1])
    p = np.pad(pred, ((0, 0), (0, width - pred.shape[1])))
    t = np.pad(tgt_out, ((0, 0), (0, width - tgt_out.shape[1])))
    real = t != PAD
    hit = (p == t) & real
    return (p == t).all(axis=1), hit.sum(1) / real.sum(1)


def length_buckets(lengths, edges):
    """Bucket labels such as ``"4-9"`` for ``edges`` = [4, 10, ...] (each bucket is [lo, hi))."""
    lengths, edges = np.asarray(lengths), list(edges)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty list of numbers, got shape {lengths.shape}")
    if len(edges) < 2 or any(not lo < hi for lo, hi in zip(edges[:-1], edges[1:])):
        raise ValueError(f"edges must be at least two strictly increasing numbers (each bucket is "
                         f"[lo, hi), so no bucket may be empty), got {edges}")
    if lengths.min() < edges[0] or lengths.max() >= edges[-1]:
        raise ValueError(f"lengths {lengths.min()}..{lengths.max()} fall outside the edges [{edges[0]}, {edges[-1]})")
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
    return pd.Categorical([labels[i] for i in np.digitize(lengths, edges[1:])], categories=labels, ordered=True)


def quantile_edges(lengths, quantiles, low, high):
    """Bucket edges at the given ``quantiles`` (fractions in (0, 1)) of ``lengths``.

    Choose them on the validation split, never on the test split, so that the buckets the
    test set is scored in are fixed before it is looked at. ``low`` and ``high`` are the
    first and last edges (the smallest possible length, and the largest plus one), so that
    every test length falls in a bucket. Ties can merge buckets: the result may have fewer.
    """
    lengths = np.asarray(lengths)
    quantiles = np.asarray(quantiles, dtype=float)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty list of numbers, got shape {lengths.shape}")
    if quantiles.ndim != 1 or not ((quantiles > 0) & (quantiles < 1)).all():
        raise ValueError(f"quantiles must be a list of fractions between 0 and 1, got {quantiles.tolist()}")
    if not low <= lengths.min() or not lengths.max() < high:
        raise ValueError(f"lengths {lengths.min()}..{lengths.max()} must lie in [low, high) = [{low}, {high})")
    inner = np.quantile(lengths, np.sort(quantiles), method="higher")
    return sorted({int(low), *(int(e) for e in inner if low < e < high), int(high)})


def accuracy_by_length(model, split, edges, max_len=None, batch_size=500, per_sequence=False):
    """Greedy-decode ``split["src"]`` and score it by source-length bucket.

    Returns a DataFrame indexed by bucket with columns ``n`` (sequences), ``exact_match`` and
    ``token_accuracy`` (means over the bucket's sequences). ``per_sequence=True`` returns
    the per-sequence scores too (a DataFrame with ``bucket``, ``exact_match``,
    ``token_accuracy``, one row per sequence), for :func:`bucket_intervals`.
    """
    batch_size = positive_int(batch_size, "batch_size")
    _check_split(split, "split", getattr(model, "vocab_size", None), keys=("src", "tgt_out", "src_len"))
    max_len = positive_int(split["tgt_out"].shape[1] if max_len is None else max_len, "max_len")
    preds = [model.greedy_decode(split["src"][i:i + batch_size], max_len)
             for i in range(0, len(split["src"]), batch_size)]
    width = max(p.shape[1] for p in preds)
    pred = np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1]))) for p in preds])
    exact, token = sequence_scores(pred, split["tgt_out"], model.end_id)
    frame = pd.DataFrame({"bucket": length_buckets(split["src_len"], edges), "exact_match": exact,
                          "token_accuracy": token})
    table = frame.groupby("bucket", observed=False).agg(
        n=("exact_match", "size"), exact_match=("exact_match", "mean"), token_accuracy=("token_accuracy", "mean"))
    return (table, frame) if per_sequence else table


def wilson(successes, n, z=1.959964):
    """Wilson score interval of a proportion: ``successes`` of ``n`` -> (low, high).

    Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty when every trial
    succeeds (500 of 500 gives about (0.992, 1)). ``successes`` may be fractional (a mean
    over seeds times n). Default: 95 %.
    """
    n = positive_int(n, "n")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, n={n}], got {successes}")
    p, z2 = successes / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def with_wilson(summary, metric="exact_match"):
    """A copy of a ``mean_std`` table with ``(metric, "low")`` and ``(metric, "high")``: the
    Wilson 95 % interval of the seed mean with n = the bucket's test sequences (column
    ``n``). For tables whose per-sequence scores are gone (``toy_tasks.measured``)."""
    if ("n", "") not in summary.columns or (metric, "mean") not in summary.columns:
        raise ValueError(f"summary must have the columns ('n', '') and ({metric!r}, 'mean'), "
                         f"as training.mean_std makes them")
    table = summary.copy()
    bounds = [wilson(m * n, int(n)) for m, n in zip(table[(metric, "mean")], table[("n", "")])]
    table[(metric, "low")], table[(metric, "high")] = zip(*bounds)
    return table


def bucket_intervals(scores, n_boot=2000, seed=0):
    """Mean over seeds with two kinds of uncertainty, per length bucket.

    ``scores``: one per-sequence table per seed, from ``accuracy_by_length(...,
    per_sequence=True)``, all on the same test sequences. For each metric the result has
    ``mean`` (over seeds and sequences), ``seed std`` (std of the per-seed bucket means,
    ddof=1; NaN for one seed) and ``low``/``high``: a 95 % interval for the test set's
    sampling error of that mean. Exact match is a proportion: its interval is Wilson's with
    n = the bucket's sequences. Token accuracy is not: its interval is a percentile bootstrap
    over the bucket's sequences (``n_boot`` resamples, each shared by all seeds).
    """
    if not scores:
        raise ValueError("bucket_intervals needs at least one seed's scores, got none")
    first = scores[0]
    for i, frame in enumerate(scores[1:], 1):
        if len(frame) != len(first) or not (frame["bucket"].astype(str).values == first["bucket"].astype(str).values).all():
            raise ValueError(f"scores[{i}] covers other sequences than scores[0]: every seed must be "
                             f"scored on the same test sequences")
    rng, rows = np.random.default_rng(seed), {}
    metrics = ["exact_match", "token_accuracy"]
    for bucket, idx in first.groupby("bucket", observed=False).indices.items():
        if len(idx) == 0:
            continue
        row = {("n", ""): len(idx)}
        for metric in metrics:
            per_seed = np.stack([frame[metric].to_numpy()[idx] for frame in scores]).astype(float)  # (seeds, n)
            mean = per_seed.mean()
            if metric == "exact_match":
                low, high = wilson(mean * len(idx), len(idx))
            else:
                draws = rng.integers(0, len(idx), size=(n_boot, len(idx)))
                boot = per_seed.mean(0)[draws].mean(1)
                low, high = np.percentile(boot, [2.5, 97.5])
            std = per_seed.mean(1).std(ddof=1) if len(scores) > 1 else np.nan
            row.update({(metric, "mean"): mean, (metric, "seed std"): std,
                        (metric, "low"): low, (metric, "high"): high})
        rows[bucket] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "bucket"
    return table


def mean_std(tables, count="n"):
    """Combine per-seed tables (same index and columns) into mean and std columns.

    Returns a DataFrame with a column pair ``(column, "mean")``, ``(column, "std")`` for each
    input column; std is the sample standard deviation over seeds (ddof=1). The ``count``
    column (sequences per bucket), the same for every seed, is kept as ``(count, "")``.
    """
    if not tables:
        raise ValueError("mean_std needs at least one table")
    for i, t in enumerate(tables[1:], 1):
        if not (t.index.equals(tables[0].index) and t.columns.equals(tables[0].columns)):
            raise ValueError(f"table {i} has other rows or columns than table 0: every seed's table "
                             f"must have the same buckets and metrics")
    metrics = [c for c in tables[0].columns if c != count]
    stacked = pd.concat([t[metrics] for t in tables], keys=range(len(tables)), names=["seed"])
    combined = stacked.groupby(level=1, observed=False, sort=False).agg(["mean", "std"])
    if count in tables[0].columns:
        combined.insert(0, (count, ""), tables[0][count])
    return combined


def train_and_measure(build_model, train, val, test, edges, epochs, seeds, batch_size=128, by_length=True):
    """Train one fresh model per seed and measure each on the test split by length bucket.

    This is the experiment Chapters 1-3 share: the same data, buckets and budget for every
    model, several seeds, the test split touched once per trained model.

    Args:
        build_model: ``build_model() -> compiled keras.Model`` with ``greedy_decode``.
        train, val, test: split dicts from ``toy_tasks.make_splits``.
        edges: length-bucket edges, e.g. ``toy_tasks.LENGTH_EDGES``.
        seeds: list of ints, one run each.

        by_length: batches of similar length (:class:`LengthBatches`), the default: the same
            data and steps at about half the cost.

    Returns:
        ``summary`` (buckets x (metric, mean|std)) from :func:`mean_std`, the per-seed tables,
        the trained models (each with its ``model.history``) and the per-seed, per-sequence
        scores (for :func:`bucket_intervals`).
    """
    tables, models, scores = [], [], []
    for seed in seeds:
        config.set_seed(seed)
        model = build_model()
        print(f"seed {seed}")
        fit(model, train, val, epochs, batch_size, by_length=by_length)
        models.append(model)
        table, per_sequence = accuracy_by_length(model, test, edges, per_sequence=True)
        tables.append(table)
        scores.append(per_sequence)
    return mean_std(tables), tables, models, scores
