"""Input checks shared by the package: bad input gets a clear error, never a wrong number.

Each check names the argument it was given and says what was expected. Value checks (the ids
themselves) run only where the values exist: an eager call, NumPy input, a decoding loop.
Inside a traced graph (``fit``, ``predict``, a ``tf.function``, ``jax.jit``) the values are
symbolic, so :func:`token_ids` skips them there and never breaks tracing.
"""
import operator

import keras
import numpy as np


class IdDtypeError(TypeError, ValueError):
    """Token ids of a non-integer dtype. A TypeError; also a ValueError, which this package
    raised for the same mistake before, so code that catches ValueError still catches it."""


def is_symbolic(x):
    """True when ``x`` has no values yet: a Keras symbolic tensor, a TensorFlow tensor in a
    graph being traced, or a JAX tracer. Checks that need values skip such a tensor."""
    if keras.backend.is_keras_tensor(x):
        return True
    module = type(x).__module__
    if module.startswith("tensorflow"):
        import tensorflow as tf
        return tf.is_symbolic_tensor(x) or not tf.executing_eagerly()
    if module.startswith("jax"):
        import jax
        tracer = getattr(jax.core, "Tracer", None)   # public in every JAX that Keras 3 supports
        return isinstance(x, tracer) if tracer is not None else type(x).__name__.endswith("Tracer")
    return False


def _dtype(x):
    """The dtype of ``x`` as a string ('int32', 'float32', 'str', ...)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    try:
        return keras.backend.standardize_dtype(dtype)
    except (ValueError, TypeError):
        return str(dtype)


def token_ids(x, name, vocab_size, *, allow_empty=False):
    """Check that ``x`` is a (batch, time) array of integer ids in ``[0, vocab_size)``.

    ``vocab_size=None`` checks only that the ids are >= 0.
    Raises :class:`IdDtypeError` (a TypeError) for a non-integer dtype, and a ValueError for
    rank != 2, a length-0 axis (unless ``allow_empty``) or an id outside ``[0, vocab_size)``.
    Every message names ``name``. Returns nothing. A symbolic ``x`` (see :func:`is_symbolic`)
    is skipped: its values are not known while a graph is traced.
    """
    if x is None or is_symbolic(x):
        return
    dtype = _dtype(x)
    if not dtype.startswith(("int", "uint")):
        raise IdDtypeError(f"{name} must be integer token ids, got {dtype}")
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    if len(shape) != 2:
        raise ValueError(f"{name} must be token ids of shape (batch, time), got shape {shape}")
    if not allow_empty and 0 in shape:
        raise ValueError(f"{name} is empty (shape {shape}): expected at least one sequence "
                         f"of at least one token")
    if 0 in shape:
        return
    values = _numpy(x)
    low, high = values.min(), values.max()
    if low < 0 and vocab_size is None:
        raise ValueError(f"{name} has id {low}: token ids must be >= 0")
    if vocab_size is not None and (low < 0 or high >= vocab_size):
        bad = low if low < 0 else high
        raise ValueError(f"{name} has id {bad}: token ids must lie in [0, {vocab_size}) "
                         f"(0 to vocab_size - 1 = {vocab_size - 1})")


def _numpy(x):
    """Concrete values of ``x`` (a list, a NumPy array or an eager tensor) as a NumPy array."""
    if isinstance(x, np.ndarray) or not hasattr(x, "shape"):
        return np.asarray(x)
    return np.asarray(keras.ops.convert_to_numpy(x))


def padding_rows(x, name, pad=0):
    """A ValueError if a row of concrete ids ``x`` (B, L) is nothing but padding ``pad``.

    Such a row has no token to read: a model would return its biases as if they were a
    prediction. Symbolic ``x`` is skipped. Returns nothing.
    """
    if x is None or is_symbolic(x):
        return
    values = _numpy(x)
    if values.ndim != 2 or 0 in values.shape:
        return
    empty = np.flatnonzero((values == pad).all(axis=1))
    if len(empty):
        raise ValueError(f"{name} rows {empty[:5].tolist()} are nothing but padding (id {pad}): "
                         f"expected at least one real token per sequence")


def same_batch(a, b, name_a, name_b):
    """A ValueError unless ``a`` and ``b`` have the same batch size (first axis).

    Uses static shapes; an unknown size (None, while tracing) agrees with anything.
    """
    shape_a = tuple(a.shape) if hasattr(a, "shape") else np.shape(a)
    shape_b = tuple(b.shape) if hasattr(b, "shape") else np.shape(b)
    if not shape_a or not shape_b:
        return                          # a scalar has no batch axis; the caller checks ranks
    size_a, size_b = shape_a[0], shape_b[0]
    if size_a is not None and size_b is not None and size_a != size_b:
        raise ValueError(f"{name_a} and {name_b} must have the same batch size, got {size_a} and "
                         f"{size_b} ({name_a} {shape_a}, {name_b} {shape_b})")


def sequence_ids(x, name, vocab_size, pad=0):
    """Token ids a model reads: :func:`token_ids` (integers in ``[0, vocab_size)``, B, L >= 1)
    and :func:`padding_rows` (no row of nothing but ``pad``: it has no token to read, so a
    model would return its biases as if they were a prediction). Symbolic ``x`` is skipped."""
    token_ids(x, name, vocab_size)
    padding_rows(x, name, pad)


def concrete_ids(ids, vocab_size, name, *, pad=0, batch_of=None):
    """Concrete token ids (B, L) -> the same ids as an int32 NumPy array, for decoding and other
    loops outside a model call. Checks :func:`token_ids` (integers in ``[0, vocab_size)``,
    B, L >= 1), :func:`padding_rows` (no row of nothing but ``pad``) and, with ``batch_of``
    (a pair: other ids, their name), :func:`same_batch`. Every error names ``name``."""
    sequence_ids(ids, name, vocab_size, pad)
    if batch_of is not None:
        same_batch(batch_of[0], ids, batch_of[1], name)
    return _numpy(ids).astype("int32")


def mask_broadcasts(mask, target_shape, name="mask"):
    """A ValueError unless ``mask``'s static shape broadcasts to ``target_shape`` (an unknown
    size, None, fits anything): the scores' shape (…, queries, keys)."""
    shape = tuple(mask.shape) if hasattr(mask, "shape") else np.shape(mask)
    target = tuple(target_shape)
    fits = len(shape) <= len(target) and all(
        m in (1, None) or t is None or m == t for m, t in zip(shape[::-1], target[::-1]))
    if not fits:
        raise ValueError(f"{name} of shape {shape} does not broadcast to the scores' shape {target}: "
                         f"expected a bool mask with the scores' axes (…, queries, keys), or size 1 on an axis")


def positive_int(value, name):
    """Return ``value`` as a plain int >= 1 (NumPy ints accepted); else a ValueError naming
    ``name``. Booleans and floats (even 2.0) are refused."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a positive int, got {value!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value
