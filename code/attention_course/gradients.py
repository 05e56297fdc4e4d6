"""How far back does a gradient reach in an RNN?

For a model ``x (B, T, F) -> RNN -> Dense -> logits`` we measure, for every input position
t, the size of dL/dx_t averaged over the batch, and index it by the distance from the end,
T - 1 - t. A gradient that shrinks geometrically with distance is a *vanishing gradient*:
the early inputs barely change the weights, so long-range dependencies are hard to learn.
"""
import keras
import numpy as np
from keras import layers, ops

from .checks import positive_int

RNN_KINDS = {"SimpleRNN": layers.SimpleRNN, "LSTM": layers.LSTM, "GRU": layers.GRU}


def recall_first_task(n, length, n_symbols=8, seed=0):
    """A task that needs a long memory: read ``length`` random symbols, output the first.

    Returns ``x`` (n, length, n_symbols) float32 one-hot inputs and ``y`` (n,) int32 labels.
    Chance accuracy is ``1 / n_symbols``.
    """
    n, length, n_symbols = positive_int(n, "n"), positive_int(length, "length"), positive_int(n_symbols, "n_symbols")
    if n_symbols < 2:
        raise ValueError(f"expected n >= 1, length >= 1, n_symbols >= 2; got {n}, {length}, {n_symbols}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_symbols, size=(n, length))
    x = np.eye(n_symbols, dtype="float32")[ids]
    return x, ids[:, 0].astype("int32")


def rnn_classifier(kind, n_features, n_classes, units=64):
    """``x`` (B, T, n_features) -> ``kind`` RNN (final state, (B, units)) -> logits (B, n_classes)."""
    if kind not in RNN_KINDS:
        raise ValueError(f"unknown RNN kind {kind!r}; expected one of {sorted(RNN_KINDS)}")
    n_features, n_classes = positive_int(n_features, "n_features"), positive_int(n_classes, "n_classes")
    units = positive_int(units, "units")
    return keras.Sequential(
        [keras.Input((None, n_features)), RNN_KINDS[kind](units), layers.Dense(n_classes)], name=kind
    )


def gradient_norms_by_distance(model, x, y):
    """Mean over the batch of ||dL/dx_t||, indexed by distance from the end of the sequence.

    Args:
        model: maps ``x`` (B, T, F) to logits (B, C).
        x: (B, T, F) float inputs.  y: (B,) int class labels.

    Returns:
        float64 array (T,): entry d is the gradient norm at input position T - 1 - d, where
        L is the mean cross-entropy of the batch. The gradient is computed in float32; a
        value that underflowed there (below ~1e-45) is 0.
    """
    x, y = np.asarray(x, dtype="float32"), np.asarray(y)
    if x.ndim != 3 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (batch, time, features) with batch, time >= 1, got {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"x and y must have the same batch size, got {x.shape[0]} and {y.shape}")
    n_classes = getattr(model, "output_shape", (None,))[-1]
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        raise ValueError(f"y must be integer class labels in [0, {n_classes or 'n_classes'}) "
                         f"(one per sequence), got {y.dtype} values {y.min()} to {y.max()}")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    grad = input_gradient(lambda inputs: loss_fn(y, model(inputs)), ops.convert_to_tensor(x))  # (B, T, F)
    # The norm in float64: float32 represents gradients down to ~1e-45, but squaring one
    # below ~1e-19 gives less than float32's smallest normal number and flushes to 0.
    grad = ops.convert_to_numpy(grad).astype("float64")
    norms = np.sqrt((grad ** 2).sum(axis=-1)).mean(axis=0)    # (T,)
    return norms[::-1]


def input_gradient(loss_of, x):
    """d loss_of(x) / dx: the gradient of a scalar function with respect to its input tensor.

    ``keras.ops`` has no gradient function, so this is the one place where the package speaks
    to each Keras backend in its own terms: ``tf.GradientTape``, ``jax.grad``, ``torch.autograd``.
    Args:
        loss_of: ``loss_of(x) -> scalar``, written in ``keras.ops`` (or calling a Keras model).
        x: float array or tensor, any shape.

    Returns a tensor of the shape of ``x``.
    """
    x = ops.convert_to_tensor(x, dtype="float32")
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_of(x)
        return tape.gradient(loss, x)
    if backend == "jax":
        import jax
        return jax.grad(loss_of)(x)
    if backend == "torch":
        import torch
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_of(x), x)
        return grad
    raise NotImplementedError(f"input_gradient knows the tensorflow, jax and torch backends, not {backend!r}")


def geometric_mean(runs):
    """Geometric mean over seeds of gradient norms ``runs`` (seeds, T) -> (T,).

    Norms span many orders of magnitude, so they are averaged in log space. A norm that
    underflowed to 0 counts as the smallest normal float32 (about 1.2e-38): beyond that
    point the curve shows the float32 floor, not a measurement.
    """
    runs = np.maximum(np.atleast_2d(runs), np.finfo("float32").tiny)
    return np.exp(np.log(runs).mean(axis=0))
