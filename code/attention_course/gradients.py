"""How far back does a gradient reach in an RNN?

For a model ``x (B, T, F) -> RNN -> Dense -> logits`` we measure, for every input position
t, the size of dL/dx_t averaged over the batch, and index it by the distance from the end,
T - 1 - t. A gradient that shrinks geometrically with distance is a *vanishing gradient*:
the early inputs barely change the weights, so long-range dependencies are hard to learn.
"""
import keras
import numpy as np
import tensorflow as tf
from keras import layers

RNN_KINDS = {"SimpleRNN": layers.SimpleRNN, "LSTM": layers.LSTM, "GRU": layers.GRU}


def recall_first_task(n, length, n_symbols=8, seed=0):
    """A task that needs a long memory: read ``length`` random symbols, output the first.

    Returns ``x`` (n, length, n_symbols) float32 one-hot inputs and ``y`` (n,) int32 labels.
    Chance accuracy is ``1 / n_symbols``.
    """
    if length < 1 or n < 1 or n_symbols < 2:
        raise ValueError(f"expected n >= 1, length >= 1, n_symbols >= 2; got {n}, {length}, {n_symbols}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_symbols, size=(n, length))
    x = np.eye(n_symbols, dtype="float32")[ids]
    return x, ids[:, 0].astype("int32")


def rnn_classifier(kind, n_features, n_classes, units=64):
    """``x`` (B, T, n_features) -> ``kind`` RNN (final state, (B, units)) -> logits (B, n_classes)."""
    if kind not in RNN_KINDS:
        raise ValueError(f"unknown RNN kind {kind!r}; expected one of {sorted(RNN_KINDS)}")
    return keras.Sequential(
        [keras.Input((None, n_features)), RNN_KINDS[kind](units), layers.Dense(n_classes)], name=kind
    )


def gradient_norms_by_distance(model, x, y):
    """Mean over the batch of ||dL/dx_t||, indexed by distance from the end of the sequence.

    Args:
        model: maps ``x`` (B, T, F) to logits (B, C).
        x: (B, T, F) float inputs.  y: (B,) int class labels.

    Returns:
        float array (T,): entry d is the gradient norm at input position T - 1 - d, where
        L is the mean cross-entropy of the batch.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    if x.shape.rank != 3:
        raise ValueError(f"x must have shape (batch, time, features), got {tuple(x.shape)}")
    if len(y) != x.shape[0]:
        raise ValueError(f"x and y must have the same batch size, got {x.shape[0]} and {len(y)}")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = loss_fn(y, model(x))
    grad = tape.gradient(loss, x)                               # (B, T, F)
    norms = tf.reduce_mean(tf.norm(grad, axis=-1), axis=0)      # (T,)
    return norms.numpy()[::-1]


def geometric_mean(runs):
    """Geometric mean over seeds of gradient norms ``runs`` (seeds, T) -> (T,).

    Norms span many orders of magnitude, so they are averaged in log space. A norm that
    underflowed to 0 counts as the smallest positive float32 (about 1e-38): beyond that
    point the curve shows the float32 floor, not a measurement.
    """
    runs = np.maximum(np.atleast_2d(runs), np.finfo("float32").tiny)
    return np.exp(np.log(runs).mean(axis=0))
