"""Checks for the build-it-yourself exercises of Chapters 1-3: is my function right?

How to use it: write the function an exercise asks for, then pass the function itself (do not
call it) to the check of the same name::

    from attention_course import check

    def masked_softmax(scores, mask):
        ...  # your code here

    check.masked_softmax(masked_softmax)

The check calls your function on a few hidden cases (fixed seed, several shapes, padding),
compares what it returns with the package's own layer or with Keras's, and prints one
sentence: what is wrong in the first case that fails, or ``Right: ...``. It also returns True
or False. If your function raises an error, the check says so in one sentence.

Your function receives NumPy float32 arrays (bool for masks) and may compute with NumPy,
``keras.ops`` or any backend: the check converts what it returns with
``keras.ops.convert_to_numpy``. Values must agree within an absolute tolerance of
``TOLERANCE`` (1e-5). The checks:

- :func:`gru_step`          one step of Keras's GRU (Chapter 1, exercise ch1-gru-step)
- :func:`masked_softmax`    the softmax that gives padding zero weight (Chapter 2, ch2-masked-softmax)
- :func:`additive_score`    Bahdanau's score, one number per source position (Chapter 3, ch3-additive-score)
- :func:`additive_attention` score, masked softmax and context for a batch (Chapter 3, ch3-numpy)

(Not to be confused with :mod:`attention_course.checks`, the package's input checks.)
"""
import keras
import numpy as np

from .attention import BahdanauAttention, masked_softmax as _package_masked_softmax

TOLERANCE = 1e-5   # largest absolute difference from the reference that counts as equal
_SEED = 20240      # the hidden cases are the same on every run


# --- shared helpers ------------------------------------------------------------------------------

def _say(ok, sentence):
    print(sentence)
    return ok


def _shape(a):
    return tuple(int(n) for n in a.shape)


def _call(fn, args):
    """Call the reader's function. Returns (result, None) or (None, a sentence on the error)."""
    try:
        return fn(*[a.copy() for a in args]), None
    except Exception as error:                      # the reader's error, reported in one line
        text = str(error).strip().splitlines()
        text = text[0] if text else ""
        text = text if len(text) <= 160 else text[:157] + "..."
        return None, f"{type(error).__name__}" + (f": {text}" if text else "")


def _array(result):
    """The reader's result as a float64 NumPy array, or None if it is not an array at all."""
    if result is None or isinstance(result, (tuple, list, dict, str)):
        return None
    try:
        return np.asarray(keras.ops.convert_to_numpy(result), dtype="float64")
    except Exception:
        return None


def _describe(result):
    if result is None:
        return "None"
    if isinstance(result, (tuple, list)):
        return f"a {type(result).__name__} of {len(result)} items"
    shape = getattr(result, "shape", None)
    if shape is not None:
        return f"an array of shape {tuple(shape)}"
    name = type(result).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _off(a, b):
    """Largest absolute difference, NaN counted as infinitely far."""
    d = np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))
    return float(np.nanmax(np.where(np.isnan(d), np.inf, d))) if d.size else 0.0


def _close(a, b, tol=TOLERANCE):
    return a is not None and b is not None and np.shape(a) == np.shape(b) and _off(a, b) <= tol


def _matches(variant, args, got):
    """Does a known wrong answer give what the reader's function gave?"""
    try:
        with np.errstate(all="ignore"):
            expected = variant(*args)
    except Exception:
        return False
    return _close(got, expected, 1e-4)


def _cases_text(n):
    return f"{n} hidden case" + ("" if n == 1 else "s")


def _row(weights, keep):
    """Index (as a tuple) of the first entry of ``weights`` where ``keep`` is True."""
    return tuple(int(i) for i in np.argwhere(keep)[0])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- Chapter 1: one GRU step ---------------------------------------------------------------------

def _gru(x, h, kernel, recurrent, bias, order=(0, 1, 2), reset="after", update="keras",
         biases="both", transpose_u=False):
    """One GRU step in NumPy, right (the defaults) or with one of the usual mistakes."""
    H = h.shape[-1]
    Wz, Wr, Wh = (kernel[:, i * H:(i + 1) * H] for i in order)
    Uz, Ur, Uh = (recurrent[:, i * H:(i + 1) * H] for i in order)
    if transpose_u:
        Uz, Ur, Uh = Uz.T, Ur.T, Uh.T
    b_in, b_rec = bias[0], bias[1]
    if biases == "none":
        b_in, b_rec = 0 * b_in, 0 * b_rec
    elif biases == "input only":
        b_rec = 0 * b_rec
    elif biases == "rows swapped":
        b_in, b_rec = b_rec, b_in
    bz, br, bh = (b_in[i * H:(i + 1) * H] for i in order)
    cz, cr, ch = (b_rec[i * H:(i + 1) * H] for i in order)
    z = _sigmoid(x @ Wz + h @ Uz + bz + cz)
    r = _sigmoid(x @ Wr + h @ Ur + br + cr)
    if reset == "after":
        cand = np.tanh(x @ Wh + r * (h @ Uh + ch) + bh)
    elif reset == "before":
        cand = np.tanh(x @ Wh + (r * h) @ Uh + bh + ch)
    elif reset == "before, one bias":
        cand = np.tanh(x @ Wh + (r * h) @ Uh + bh)
    else:                                           # "bias outside": b' added after the product
        cand = np.tanh(x @ Wh + r * (h @ Uh) + bh + ch)
    return z * h + (1 - z) * cand if update == "keras" else (1 - z) * h + z * cand


_GRU_MISTAKES = [
    (dict(order=(1, 0, 2)), "the gates z and r are swapped: Keras stores the gates in the order "
                            "z, r, h~ (columns 0:H, H:2H and 2H:3H of each kernel and bias)."),
    (dict(reset="before"), "you apply the reset gate before the matrix, (r * h_prev) @ U_h; "
                           "Keras (reset_after=True) applies it after: r * (h_prev @ U_h + b'_h)."),
    (dict(reset="before, one bias"), "you apply the reset gate before the matrix, (r * h_prev) @ U_h; "
                                     "Keras (reset_after=True) applies it after: "
                                     "r * (h_prev @ U_h + b'_h)."),
    (dict(update="cho"), "z and 1 - z are swapped: Keras keeps the old state with z, "
                         "h_t = z * h_prev + (1 - z) * h~_t."),
    (dict(biases="none"), "the biases are missing: add bias[0] (with x_t) and bias[1] (with h_prev)."),
    (dict(biases="input only"), "bias[1] is missing: Keras adds bias[0] with x_t and bias[1] with h_prev "
                                "(for the candidate, inside the product with r)."),
    (dict(biases="rows swapped"), "the two bias rows are swapped: bias[0] goes with x_t, "
                                  "bias[1] with h_prev."),
    (dict(reset="bias outside"), "the candidate's recurrent bias b'_h = bias[1, 2H:] belongs inside "
                                 "the product with r: r * (h_prev @ U_h + b'_h)."),
    (dict(transpose_u=True), "the recurrent kernels are transposed: in row form the step computes "
                             "h_prev @ U_z with h_prev (B, H), not U_z @ h_prev."),
]


def gru_step(fn):
    """Check ``fn(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t``, one step of
    ``keras.layers.GRU`` with its default ``reset_after=True``, written in NumPy.

    What ``fn`` receives (NumPy float32, rows are vectors, as in Chapter 1's equations):

    - ``x_t`` (B, F): the inputs of one time step; ``h_prev`` (B, H): the previous state;
    - ``kernel`` (F, 3H), ``recurrent_kernel`` (H, 3H), ``bias`` (2, 3H): Keras's weights,
      ``GRUCell.get_weights()``, with the three gates side by side in the order z, r, h~
      (columns 0:H, H:2H, 2H:3H); bias row 0 is added with ``x_t``, row 1 with ``h_prev``.

    What ``fn`` must return: ``h_t`` (B, H), from the GRU equations of notebook 1.1::

        z = sigmoid(x_t W_z + h_prev U_z + b_z)       b_z = bias[0, :H] + bias[1, :H]
        r = sigmoid(x_t W_r + h_prev U_r + b_r)       the same with H:2H
        h~ = tanh(x_t W_h + r * (h_prev U_h + b'_h) + b_h)   b_h = bias[0, 2H:], b'_h = bias[1, 2H:]
        h_t = z * h_prev + (1 - z) * h~

    The reference is ``keras.layers.GRUCell(H)`` with the same weights (random, biases
    included, so that a missing or misplaced bias shows); four cases of different (B, F, H),
    one with F = H. Tolerance: 1e-5, absolute. Prints one sentence; returns True or False.
    """
    rng = np.random.default_rng(_SEED)
    cases = []
    for B, F, H in [(2, 3, 4), (1, 5, 2), (3, 4, 4), (4, 6, 3)]:
        x = rng.normal(size=(B, F)).astype("float32")
        h = rng.normal(scale=0.5, size=(B, H)).astype("float32")
        kernel = rng.normal(scale=0.5, size=(F, 3 * H)).astype("float32")
        recurrent = rng.normal(scale=0.5, size=(H, 3 * H)).astype("float32")
        bias = rng.normal(scale=0.5, size=(2, 3 * H)).astype("float32")
        cases.append((x, h, kernel, recurrent, bias))

    for k, args in enumerate(cases, 1):
        x, h, kernel, recurrent, bias = args
        B, H = h.shape
        cell = keras.layers.GRUCell(H)              # reset_after=True, Keras's default
        cell.build((None, x.shape[-1]))
        cell.set_weights([kernel, recurrent, bias])
        expected = keras.ops.convert_to_numpy(cell(x, h)[0])
        where = f"in case {k} (x_t {_shape(x)}, h_prev {_shape(h)})"
        result, error = _call(fn, args)
        if error:
            return _say(False, f"Your gru_step raised {error} {where}.")
        got = _array(result)
        if got is None:
            return _say(False, f"Your gru_step returned {_describe(result)}; expected an array of "
                               f"shape {(B, H)} = (batch, units), the new state h_t.")
        if got.shape != (B, H):
            return _say(False, f"Your gru_step returns shape {got.shape} {where}; expected "
                               f"{(B, H)} = (batch, units), the new state h_t.")
        if not np.all(np.isfinite(got)):
            return _say(False, f"Your gru_step returns NaN or inf {where}.")
        if _close(got, expected):
            continue
        off = f"Off from keras.layers.GRUCell by {_off(got, expected):.1e} (tolerance 1e-5) {where}"
        args64 = [a.astype("float64") for a in args]
        for mistake, reason in _GRU_MISTAKES:
            if _matches(lambda *a: _gru(*a, **mistake), args64, got):
                return _say(False, f"{off}: {reason}")
        return _say(False, f"{off}: check the order of the gates (Keras: z, r, h~), that the "
                           f"reset gate multiplies h_prev @ U_h + b'_h (reset_after=True), "
                           f"and both bias rows.")
    return _say(True, f"Right: matches keras.layers.GRUCell (reset_after=True) on "
                      f"{_cases_text(len(cases))}, within 1e-5.")


# --- Chapter 2: the masked softmax ---------------------------------------------------------------

def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _masked_softmax_cases():
    """(scores (B, T, S), mask (B, 1, S)): padding at the end, a row with no real key, a
    padding position with the largest score, scores large enough to overflow exp()."""
    rng = np.random.default_rng(_SEED + 1)
    cases = []
    # 1: two sentences of 5 and 3 real keys, three queries each
    scores = rng.normal(size=(2, 3, 5)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)[:, None, :]
    scores[1, :, 3:] += 3.0                         # padding scores high: it must still get 0
    cases.append((scores, mask))
    # 2: one query; padding in the middle of nothing -- a lone real key
    scores = rng.normal(size=(3, 1, 4)).astype("float32")
    mask = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], bool)[:, None, :]
    cases.append((scores, mask))
    # 3: the second sentence is empty: every key masked
    scores = rng.normal(size=(2, 2, 3)).astype("float32")
    mask = np.array([[1, 1, 0], [0, 0, 0]], bool)[:, None, :]
    cases.append((scores, mask))
    # 4: large scores: exp(100) overflows float32 unless the row maximum is subtracted
    scores = (100 + rng.normal(size=(2, 2, 6))).astype("float32")
    mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)[:, None, :]
    cases.append((scores, mask))
    return cases


def _masked_wrong_axis(axis):
    def variant(scores, mask):
        mask = np.broadcast_to(mask, scores.shape)
        w = _softmax(np.where(mask, scores, -1e9), axis=axis)
        return np.where(mask, w, 0.0)
    return variant


def masked_softmax(fn):
    """Check ``fn(scores, mask) -> weights``, the softmax over the keys that gives masked
    positions exactly zero weight (Chapter 2, notebook 2.1).

    What ``fn`` receives: ``scores`` (B, T, S) float32 = (batch, queries, keys), and
    ``mask`` (B, 1, S) bool, True at a real key and False at padding; it is the same for
    every query of a sentence and broadcasts against ``scores``.

    What ``fn`` must return: ``weights`` (B, T, S), the softmax of ``scores`` over the last
    axis (the keys) in which every masked key has weight exactly 0 and each row with a real
    key sums to 1. A row whose keys are *all* masked (an empty source) gets all zeros, not
    NaN and not 1/S: there is nothing to attend to. Scores of about 100 must not overflow.

    The reference is :func:`attention_course.attention.masked_softmax` (the package's own),
    on four cases: padding with the largest score, a lone real key, an empty source, large
    scores. Tolerance: 1e-5, absolute; masked weights must be exactly 0 (below 1e-30).
    Prints one sentence; returns True or False.
    """
    cases = _masked_softmax_cases()
    for k, (scores, mask) in enumerate(cases, 1):
        expected = keras.ops.convert_to_numpy(_package_masked_softmax(scores, mask))
        full = np.broadcast_to(mask, scores.shape)
        empty = ~mask.any(-1, keepdims=True) & np.ones(scores.shape, bool)  # rows with no key
        where = f"in case {k} (scores {_shape(scores)}, mask {_shape(mask)})"
        result, error = _call(fn, (scores, mask))
        if error:
            return _say(False, f"Your masked_softmax raised {error} {where}.")
        got = _array(result)
        if got is None:
            return _say(False, f"Your masked_softmax returned {_describe(result)}; expected an "
                               f"array of shape {_shape(scores)} = (batch, queries, keys).")
        if got.shape != scores.shape:
            return _say(False, f"Your masked_softmax returns shape {got.shape} {where}; "
                               f"expected {_shape(scores)} = (batch, queries, keys).")
        if _close(got, expected) and not np.any(np.abs(got[~full]) > 1e-30):
            continue
        for axis, name in [(1, "axis 1 (the queries)"), (0, "axis 0 (the batch)")]:
            if _matches(_masked_wrong_axis(axis), (scores, mask), got):
                return _say(False, f"Your weights sum to 1 over {name}, not over the keys: take "
                                   f"the softmax over the last axis, axis=-1.")
        bad = np.isnan(got) | np.isinf(got)
        if bad[~empty].any():
            big = np.abs(scores).max()
            hint = (f", where the scores are about {big:.0f}: subtract each row's maximum "
                    f"before exp(), or exp() overflows" if big > 50 else "")
            return _say(False, f"Your masked_softmax returns NaN or inf {where}{hint}.")
        if bad[empty].any():
            return _say(False, f"A row whose keys are all masked (an empty source, {where}) "
                               f"gives NaN; it must give zeros (the -inf trick computes 0/0).")
        padding = ~full & ~empty
        if np.any(np.abs(got[padding]) > 1e-30):
            i = _row(got, padding & (np.abs(got) > 1e-30))
            return _say(False, f"Padding gets weight {got[i]:.2g} at (batch, query, key) = {i} "
                               f"{where}; masked positions must get exactly 0.")
        if np.any(np.abs(got[empty]) > 1e-30):
            total = got[empty].reshape(-1, scores.shape[-1])[0].sum()
            return _say(False, f"A row whose keys are all masked (an empty source, {where}) "
                               f"gets weights summing to {total:.2f}; it must get zeros, since "
                               f"there is nothing to attend to.")
        sums = got.sum(-1)                                           # (B, T)
        wrong = ~empty[..., 0] & ~np.isclose(sums, 1.0, atol=TOLERANCE)
        if wrong.any():
            i = _row(sums, wrong)
            return _say(False, f"Rows do not sum to 1: row (batch, query) = {i} sums to "
                               f"{sums[i]:.2f} {where}.")
        return _say(False, f"Off from attention_course.attention.masked_softmax by "
                           f"{_off(got, expected):.1e} (tolerance 1e-5) {where}: the weights are "
                           f"exp(score) divided by the sum of exp(score) over the real keys.")
    return _say(True, f"Right: matches attention_course.attention.masked_softmax on "
                      f"{_cases_text(len(cases))} (padding, a lone key, an empty source, "
                      f"large scores), within 1e-5.")


# --- Chapter 3: the additive score and additive attention ----------------------------------------

def _additive_cases(with_mask):
    """(s (B, H_dec), h (B, S, H_enc), [mask (B, S)], W1, W2, v_a) and the layer holding them.

    Case 1 has B = S and H_enc = H_dec = d_a, so that a missing broadcast or swapped W1, W2
    give a wrong number rather than an error."""
    rng = np.random.default_rng(_SEED + 2)
    cases = []
    for B, S, H_dec, H_enc, d_a in [(3, 3, 4, 4, 4), (2, 5, 6, 4, 8), (1, 4, 3, 5, 2), (4, 6, 5, 3, 7)]:
        s = rng.normal(size=(B, H_dec)).astype("float32")
        h = rng.normal(size=(B, S, H_enc)).astype("float32")
        layer = BahdanauAttention(units=d_a)
        layer(s, h)                                 # create the weights: random, Glorot
        W1 = layer.W1.get_weights()[0]              # (H_enc, d_a)
        W2 = layer.W2.get_weights()[0]              # (H_dec, d_a)
        v_a = layer.v.get_weights()[0][:, 0]        # (d_a,)
        lengths = rng.integers(1, S + 1, size=B)
        lengths[0] = S                              # one full row, the rest padded
        mask = np.arange(S)[None, :] < lengths[:, None]
        args = (s, h, mask, W1, W2, v_a) if with_mask else (s, h, W1, W2, v_a)
        cases.append((args, layer))
    return cases


def _score(s, h, W1, W2, v_a, swap=False, tanh=True, broadcast=True, transpose=False):
    """The additive score in NumPy, right (the defaults) or with one of the usual mistakes."""
    if swap:
        W1, W2 = W2, W1
    if transpose:
        W1, W2 = W1.T, W2.T
    query = s @ W2
    query = query[:, None, :] if broadcast else query  # (B, 1, d_a) meets every position
    hidden = h @ W1 + query
    return (np.tanh(hidden) if tanh else hidden) @ v_a


_SCORE_MISTAKES = [
    (dict(swap=True), "W1 and W2 are swapped: W1 projects the encoder states h, W2 the decoder "
                      "state s, e_j = v_a . tanh(h_j @ W1 + s @ W2)."),
    (dict(tanh=False), "the tanh is missing: e_j = v_a . tanh(h_j @ W1 + s @ W2)."),
    (dict(broadcast=False), "s @ W2, of shape (B, d_a), was added to h @ W1 (B, S, d_a) without "
                            "a source axis, so sentence j's query met source position j: add "
                            "(s @ W2)[:, None, :], of shape (B, 1, d_a)."),
    (dict(transpose=True), "the weights are transposed: in row form the score uses h @ W1 with "
                           "W1 of shape (H_enc, d_a), not W1 @ h."),
]


def _layer_scores(layer, s, h):
    """The layer's own scores: its v(tanh(W1 h + W2 s)), the numbers its softmax receives."""
    hidden = keras.ops.tanh(layer.W1(h) + keras.ops.expand_dims(layer.W2(s), 1))
    return keras.ops.convert_to_numpy(keras.ops.squeeze(layer.v(hidden), -1))   # (B, S)


def additive_score(fn):
    """Check ``fn(s, h, W1, W2, v_a) -> scores``, Bahdanau's additive score
    e_j = v_a^T tanh(W1 h_j + W2 s) for a batch, before any softmax (notebook 3.1).

    What ``fn`` receives (NumPy float32; rows are vectors, so ``W1 h_j`` is ``h_j @ W1``):
    ``s`` (B, H_dec), the decoder state (the query); ``h`` (B, S, H_enc), the encoder states;
    ``W1`` (H_enc, d_a), ``W2`` (H_dec, d_a) and ``v_a`` (d_a,), the weights of the package's
    ``BahdanauAttention(units=d_a)`` (its ``W1.kernel``, ``W2.kernel`` and ``v.kernel[:, 0]``).

    What ``fn`` must return: ``scores`` (B, S), one number per source position, no mask and
    no softmax.

    The reference is that layer's own score, ``v(tanh(W1(h) + W2(s)))``, the numbers its
    masked softmax turns into its weights; four cases of different sizes, the first with
    B = S and H_enc = H_dec = d_a. Tolerance: 1e-5, absolute. Prints one sentence; returns
    True or False.
    """
    cases = _additive_cases(with_mask=False)
    for k, (args, layer) in enumerate(cases, 1):
        s, h, W1, W2, v_a = args
        B, S = h.shape[:2]
        expected = _layer_scores(layer, s, h)
        where = f"in case {k} (s {_shape(s)}, h {_shape(h)}, d_a = {v_a.shape[0]})"
        result, error = _call(fn, args)
        if error:
            return _say(False, f"Your additive_score raised {error} {where}.")
        got = _array(result)
        if got is None:
            return _say(False, f"Your additive_score returned {_describe(result)}; expected an "
                               f"array of shape {(B, S)} = (batch, source positions).")
        if got.shape != (B, S):
            hint = (" (v_a is a vector (d_a,): h @ v_a, not h @ v_a[:, None])"
                    if got.shape == (B, S, 1) else "")
            return _say(False, f"Your additive_score returns shape {got.shape} {where}; "
                               f"expected {(B, S)} = (batch, source positions){hint}.")
        if _close(got, expected):
            continue
        off = (f"Off from BahdanauAttention's scores by {_off(got, expected):.1e} "
               f"(tolerance 1e-5) {where}")
        args64 = [a.astype("float64") for a in args]
        if _close(got, _softmax(expected), 1e-4):
            return _say(False, f"{off}: these are the weights (the softmax of the scores); "
                               f"return the scores e_j before the softmax.")
        for mistake, reason in _SCORE_MISTAKES:
            if _matches(lambda *a: _score(*a, **mistake), args64, got):
                return _say(False, f"{off}: {reason}")
        return _say(False, f"{off}: e_j = v_a . tanh(h_j @ W1 + s @ W2), one number per "
                           f"source position.")
    return _say(True, f"Right: matches the scores of attention_course.attention."
                      f"BahdanauAttention on {_cases_text(len(cases))}, within 1e-5.")


def additive_attention(fn):
    """Check ``fn(s, h, mask, W1, W2, v_a) -> (context, weights)``, Bahdanau attention for a
    batch in NumPy (Chapter 3, exercise ch3-numpy).

    What ``fn`` receives (NumPy; rows are vectors): ``s`` (B, H_dec) float32, the decoder
    state; ``h`` (B, S, H_enc) float32, the encoder states (keys = values); ``mask`` (B, S)
    bool, True at real source positions; ``W1`` (H_enc, d_a), ``W2`` (H_dec, d_a), ``v_a``
    (d_a,) float32, the weights of the package's ``BahdanauAttention(units=d_a)``.

    What ``fn`` must return: the tuple ``(context, weights)``: ``context`` (B, H_enc) =
    sum_j a_j h_j, and ``weights`` (B, S), the softmax over S of the additive scores, with
    masked positions exactly 0 and each row summing to 1. Every hidden row has at least one
    real position (the all-masked row is the masked softmax's exercise, Chapter 2).

    The reference is ``BahdanauAttention(units=d_a)`` holding the same weights, called as
    ``layer(s, h, mask)``; four cases of different sizes, padded. Tolerance: 1e-5, absolute;
    masked weights must be exactly 0 (below 1e-30). Prints one sentence; returns True or False.
    """
    cases = _additive_cases(with_mask=True)
    for k, (args, layer) in enumerate(cases, 1):
        s, h, mask, W1, W2, v_a = args
        B, S, H_enc = h.shape
        context, weights = (keras.ops.convert_to_numpy(t) for t in layer(s, h, mask))
        where = f"in case {k} (s {_shape(s)}, h {_shape(h)})"
        result, error = _call(fn, args)
        if error:
            return _say(False, f"Your additive_attention raised {error} {where}.")
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return _say(False, f"Your additive_attention returned {_describe(result)}; expected "
                               f"a tuple (context, weights) of shapes {(B, H_enc)} and {(B, S)}.")
        got_c, got_w = (_array(r) for r in result)
        if got_c is not None and got_w is not None and (got_c.shape, got_w.shape) == ((B, S), (B, H_enc)):
            return _say(False, f"Your additive_attention returns (weights, context) {where}; "
                               f"return them as (context, weights).")
        for name, got, shape, what in [("context", got_c, (B, H_enc), "(batch, H_enc)"),
                                       ("weights", got_w, (B, S), "(batch, source positions)")]:
            if got is None or got.shape != shape:
                found = _describe(result[0 if name == "context" else 1])
                return _say(False, f"Your additive_attention returns {name} as {found} {where}; "
                                   f"expected shape {shape} = {what}.")
        if np.isnan(got_w).any() or np.isinf(got_w).any():
            return _say(False, f"Your additive_attention returns NaN or inf weights {where}.")
        if _close(got_w, weights) and _close(got_c, context) and not np.any(np.abs(got_w[~mask]) > 1e-30):
            continue
        if np.any(np.abs(got_w[~mask]) > 1e-30):
            i = _row(got_w, ~mask & (np.abs(got_w) > 1e-30))
            return _say(False, f"Padding gets weight {got_w[i]:.2g} at (batch, position) = {i} "
                               f"{where}; masked positions must get exactly 0.")
        sums = got_w.sum(-1)
        if not np.allclose(sums, 1.0, atol=TOLERANCE):
            i = int(np.argmax(np.abs(sums - 1)))
            return _say(False, f"Rows do not sum to 1: row {i} sums to {sums[i]:.2f} {where}.")
        if not _close(got_w, weights):
            off = (f"Weights off from BahdanauAttention by {_off(got_w, weights):.1e} "
                   f"(tolerance 1e-5) {where}")
            args64 = [a.astype("float64") for a in (s, h, W1, W2, v_a)]
            for mistake, reason in _SCORE_MISTAKES:
                wrong = _masked_wrong_scores(mistake, args64, mask)
                if _matches(lambda: wrong, (), got_w):
                    return _say(False, f"{off}: {reason}")
            return _say(False, f"{off}: the weights are the masked softmax of "
                               f"e_j = v_a . tanh(h_j @ W1 + s @ W2).")
        return _say(False, f"The weights are right, but the context is off from "
                           f"BahdanauAttention by {_off(got_c, context):.1e} (tolerance 1e-5) "
                           f"{where}: it is sum_j a_j h_j, of shape (B, H_enc).")
    return _say(True, f"Right: matches attention_course.attention.BahdanauAttention, weights "
                      f"and context, on {_cases_text(len(cases))} with padding, within 1e-5.")


def _masked_wrong_scores(mistake, args64, mask):
    """The weights a known wrong score would give, masked as they should be (None if it fails)."""
    try:
        with np.errstate(all="ignore"):
            scores = _score(*args64, **mistake)
            return np.where(mask, _softmax(np.where(mask, scores, -1e9)), 0.0)
    except Exception:
        return None
