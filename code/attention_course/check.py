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
import contextlib

import keras
import numpy as np

from .attention import BahdanauAttention, masked_softmax as _package_masked_softmax

TOLERANCE = 1e-5   # largest absolute difference from the reference that counts as equal
_SEED = 20240      # the hidden cases are the same on every run


# --- shared helpers ------------------------------------------------------------------------------

def _verdict(cases, problem, matches, detail=""):
    """Print the sentence ``problem(k, case)`` returns for the first failing case, or ``Right``."""
    problems = (problem(k, case) for k, case in enumerate(cases, 1))
    wrong = next((sentence for sentence in problems if sentence), None)   # stops at the first
    print(wrong or f"Right: matches {matches} on {len(cases)} hidden cases{detail}, within 1e-5.")
    return wrong is None


def _returned(fn, args, name, where, shape=None, meaning="", hints=None, nan=None):
    """Call the reader's function ``name`` on copies of ``args``: (what it returned, None), or
    (None, one sentence on what is wrong). Given a ``shape``, what it returns must be a finite
    array of that shape, given back in float64; ``hints`` maps a wrong shape to a hint, and
    ``nan(got)`` says what NaN or inf means."""
    try:
        result = fn(*[a.copy() for a in args])
    except Exception as error:                      # the reader's error, reported in one line
        text = (str(error).strip().splitlines() or [""])[0]
        text = ": " + (text if len(text) <= 160 else text[:157] + "...") if text else ""
        return None, f"Your {name} raised {type(error).__name__}{text} {where}."
    if shape is None:
        return result, None
    got = _array(result)
    if got is None:
        return None, (f"Your {name} returned {_describe(result)}; expected an array of shape "
                      f"{shape} = {meaning}.")
    if got.shape != shape:
        return None, (f"Your {name} returns shape {got.shape} {where}; expected {shape} = "
                      f"{meaning}{(hints or {}).get(got.shape, '')}.")
    if not np.isfinite(got).all():
        return None, nan(got) if nan else f"Your {name} returns NaN or inf {where}."
    return got, None


def _array(result):
    """The reader's result as a float64 NumPy array, or None if it is not an array at all."""
    if result is None or isinstance(result, (tuple, list, dict, str)):
        return None
    try:
        return np.asarray(keras.ops.convert_to_numpy(result), dtype="float64")
    except Exception:
        return None


def _describe(result):
    name = type(result).__name__
    if isinstance(result, (tuple, list)):
        return f"a {name} of {len(result)} items"
    if getattr(result, "shape", None) is not None:
        return f"an array of shape {tuple(result.shape)}"
    return "None" if result is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _off(a, b):
    """Largest absolute difference, NaN counted as infinitely far."""
    d = np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))
    return float(np.nanmax(np.where(np.isnan(d), np.inf, d))) if d.size else 0.0


def _by(got, expected, where):
    return f"by {_off(got, expected):.1e} (tolerance 1e-5) {where}"


def _close(a, b, tol=TOLERANCE):
    return np.shape(a) == np.shape(b) and _off(a, b) <= tol


def _mistake(mistakes, compute, args, got, otherwise=None):
    """The reason of the first known mistake whose answer, ``compute(*args, **mistake)`` in
    float64, is what the reader's function gave (within 1e-4); else ``otherwise``."""
    args = [a.astype("float64") for a in args]
    for mistake, reason in mistakes:
        with np.errstate(all="ignore"), contextlib.suppress(Exception):
            if _close(got, compute(*args, **mistake), 1e-4):
                return reason
    return otherwise


def _padding(got, padding, index, where):
    """The sentence for the first masked position whose weight is not exactly 0, or None."""
    if np.any(np.abs(got[padding]) > 1e-30):
        i = tuple(int(n) for n in np.argwhere(padding & (np.abs(got) > 1e-30))[0])
        return (f"Padding gets weight {got[i]:.2g} at {index} = {i} {where}; masked positions "
                f"must get exactly 0.")


# --- Chapter 1: one GRU step ---------------------------------------------------------------------

def _gru(x, h, kernel, recurrent, bias, order=(0, 1, 2), reset="after", update="keras",
         rows=(0, 1), use=(1, 1), transpose_u=False):
    """One GRU step in NumPy, right (the defaults) or with one of the usual mistakes."""
    H = h.shape[-1]
    gates = lambda m: [m[..., i * H:(i + 1) * H] for i in order]  # z, r, h~
    (Wz, Wr, Wh), (Uz, Ur, Uh) = gates(kernel), gates(recurrent)
    if transpose_u:
        Uz, Ur, Uh = Uz.T, Ur.T, Uh.T
    (bz, br, bh), (cz, cr, ch) = gates(bias[rows[0]] * use[0]), gates(bias[rows[1]] * use[1])
    z = 1 / (1 + np.exp(-(x @ Wz + h @ Uz + bz + cz)))
    r = 1 / (1 + np.exp(-(x @ Wr + h @ Ur + br + cr)))
    recurrent_part = {"after": r * (h @ Uh + ch), "bias outside": r * (h @ Uh) + ch,
                      "before": (r * h) @ Uh + ch, "before, one bias": (r * h) @ Uh}[reset]
    cand = np.tanh(x @ Wh + recurrent_part + bh)
    return z * h + (1 - z) * cand if update == "keras" else (1 - z) * h + z * cand


_RESET_BEFORE = ("you apply the reset gate before the matrix, (r * h_prev) @ U_h; Keras "
                 "(reset_after=True) applies it after: r * (h_prev @ U_h + b'_h).")
_GRU_MISTAKES = [
    (dict(order=(1, 0, 2)), "the gates z and r are swapped: Keras stores the gates in the order "
                            "z, r, h~ (columns 0:H, H:2H and 2H:3H of each kernel and bias)."),
    (dict(reset="before"), _RESET_BEFORE),
    (dict(reset="before, one bias"), _RESET_BEFORE),
    (dict(update="cho"), "z and 1 - z are swapped: Keras keeps the old state with z, "
                         "h_t = z * h_prev + (1 - z) * h~_t."),
    (dict(use=(0, 0)), "the biases are missing: add bias[0] (with x_t) and bias[1] (with h_prev)."),
    (dict(use=(1, 0)), "bias[1] is missing: Keras adds bias[0] with x_t and bias[1] with h_prev "
                       "(for the candidate, inside the product with r)."),
    (dict(rows=(1, 0)), "the two bias rows are swapped: bias[0] goes with x_t, bias[1] with h_prev."),
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
        cases.append((x, *(rng.normal(scale=0.5, size=shape).astype("float32")
                           for shape in [(B, H), (F, 3 * H), (H, 3 * H), (2, 3 * H)])))

    def problem(k, args):
        x, h, kernel, recurrent, bias = args        # h_prev, then Keras's three weights
        cell = keras.layers.GRUCell(h.shape[-1])    # reset_after=True, Keras's default
        cell.build((None, x.shape[-1]))
        cell.set_weights([kernel, recurrent, bias])
        expected = keras.ops.convert_to_numpy(cell(x, h)[0])
        where = f"in case {k} (x_t {x.shape}, h_prev {h.shape})"
        got, sentence = _returned(fn, args, "gru_step", where, h.shape,
                                 "(batch, units), the new state h_t")
        if sentence or _close(got, expected):
            return sentence
        reason = _mistake(_GRU_MISTAKES, _gru, args, got, "check the order of the gates (Keras: "
                          "z, r, h~), that the reset gate multiplies h_prev @ U_h + b'_h "
                          "(reset_after=True), and both bias rows.")
        return f"Off from keras.layers.GRUCell {_by(got, expected, where)}: {reason}"

    return _verdict(cases, problem, "keras.layers.GRUCell (reset_after=True)")


# --- Chapter 2: the masked softmax ---------------------------------------------------------------

def _masked(scores, mask, axis=-1):
    """The masked softmax over ``axis`` (the right one: -1, the keys), masked positions 0."""
    mask = np.broadcast_to(mask, scores.shape)
    scores = np.where(mask, scores, -1e9)
    e = np.exp(scores - scores.max(axis, keepdims=True))
    return np.where(mask, e / e.sum(axis, keepdims=True), 0.0)


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
    # (scores (B, T, S), mask (B, 1, S)): 1, 5 and 3 real keys, the padding with the largest
    # scores; 2, a lone real key; 3, an empty sentence; 4, scores of about 100 (exp() overflows).
    rng = np.random.default_rng(_SEED + 1)
    cases = []
    for shape, offset, mask in [((2, 3, 5), 0, [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]),
                                ((3, 1, 4), 0, [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]]),
                                ((2, 2, 3), 0, [[1, 1, 0], [0, 0, 0]]),
                                ((2, 2, 6), 100, [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])]:
        scores = (offset + rng.normal(size=shape)).astype("float32")
        cases.append((scores, np.array(mask, bool)[:, None, :]))
    cases[0][0][1, :, 3:] += 3.0

    def problem(k, case):
        scores, mask = case
        expected = keras.ops.convert_to_numpy(_package_masked_softmax(scores, mask))
        full = np.broadcast_to(mask, scores.shape)
        empty = ~mask.any(-1, keepdims=True) & np.ones(scores.shape, bool)  # rows with no key
        where = f"in case {k} (scores {scores.shape}, mask {mask.shape})"

        def nan(got):
            if np.isfinite(got[~empty]).all():
                return (f"A row whose keys are all masked (an empty source, {where}) gives NaN; "
                        f"it must give zeros (the -inf trick computes 0/0).")
            big = np.abs(scores).max()
            hint = (f", where the scores are about {big:.0f}: subtract each row's maximum "
                    f"before exp(), or exp() overflows" if big > 50 else "")
            return f"Your masked_softmax returns NaN or inf {where}{hint}."

        got, sentence = _returned(fn, case, "masked_softmax", where, scores.shape,
                                 "(batch, queries, keys)", nan=nan)
        if sentence or (_close(got, expected) and not np.any(np.abs(got[~full]) > 1e-30)):
            return sentence
        axis = _mistake([(dict(axis=1), "axis 1 (the queries)"),
                         (dict(axis=0), "axis 0 (the batch)")], _masked, case, got)
        if axis:
            return (f"Your weights sum to 1 over {axis}, not over the keys: take the softmax "
                    f"over the last axis, axis=-1.")
        if padding := _padding(got, ~full & ~empty, "(batch, query, key)", where):
            return padding
        if np.any(np.abs(got[empty]) > 1e-30):
            total = got[empty].reshape(-1, scores.shape[-1])[0].sum()
            return (f"A row whose keys are all masked (an empty source, {where}) gets weights "
                    f"summing to {total:.2f}; it must get zeros, since there is nothing to "
                    f"attend to.")
        sums = got.sum(-1)                                           # (B, T)
        wrong = ~empty[..., 0] & ~np.isclose(sums, 1.0, atol=TOLERANCE)
        if wrong.any():
            i = tuple(int(n) for n in np.argwhere(wrong)[0])
            return f"Rows do not sum to 1: row (batch, query) = {i} sums to {sums[i]:.2f} {where}."
        return (f"Off from attention_course.attention.masked_softmax {_by(got, expected, where)}: "
                f"the weights are exp(score) divided by the sum of exp(score) over the real keys.")

    return _verdict(cases, problem, "attention_course.attention.masked_softmax",
                    " (padding, a lone key, an empty source, large scores)")


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
        W1, W2, v = (dense.get_weights()[0] for dense in (layer.W1, layer.W2, layer.v))
        v_a = v[:, 0]                               # W1 (H_enc, d_a), W2 (H_dec, d_a), v_a (d_a,)
        lengths = rng.integers(1, S + 1, size=B)
        lengths[0] = S                              # one full row, the rest padded
        mask = np.arange(S)[None, :] < lengths[:, None]
        args = (s, h, mask, W1, W2, v_a) if with_mask else (s, h, W1, W2, v_a)
        cases.append((args, layer))
    return cases


def _score(s, h, W1, W2, v_a, mask=None, swap=False, tanh=True, broadcast=True, transpose=False):
    """The additive score in NumPy, right (the defaults) or with one of the usual mistakes;
    given a ``mask``, the weights: the masked softmax of the scores (``mask=True``: no mask)."""
    W1, W2 = (W2, W1) if swap else (W1, W2)
    W1, W2 = (W1.T, W2.T) if transpose else (W1, W2)
    query = (s @ W2)[:, None, :] if broadcast else s @ W2   # (B, 1, d_a) meets every position
    hidden = h @ W1 + query
    scores = (np.tanh(hidden) if tanh else hidden) @ v_a
    return scores if mask is None else _masked(scores, mask)


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

    def problem(k, case):
        (s, h, W1, W2, v_a), layer = case
        B, S = h.shape[:2]
        hidden = keras.ops.tanh(layer.W1(h) + keras.ops.expand_dims(layer.W2(s), 1))
        expected = keras.ops.convert_to_numpy(layer.v(hidden))[..., 0]   # the layer's scores
        where = f"in case {k} (s {s.shape}, h {h.shape}, d_a = {v_a.shape[0]})"
        hint = " (v_a is a vector (d_a,): h @ v_a, not h @ v_a[:, None])"
        got, sentence = _returned(fn, case[0], "additive_score", where, (B, S),
                                 "(batch, source positions)", hints={(B, S, 1): hint})
        if sentence or _close(got, expected):
            return sentence
        weights = (dict(mask=True), "these are the weights (the softmax of the scores); "
                                    "return the scores e_j before the softmax.")
        reason = _mistake([weights] + _SCORE_MISTAKES, _score, case[0], got, "e_j = v_a . "
                          "tanh(h_j @ W1 + s @ W2), one number per source position.")
        return f"Off from BahdanauAttention's scores {_by(got, expected, where)}: {reason}"

    return _verdict(cases, problem, "the scores of attention_course.attention.BahdanauAttention")


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

    def problem(k, case):
        (s, h, mask, W1, W2, v_a), layer = case
        B, S, H_enc = h.shape
        context, weights = (keras.ops.convert_to_numpy(t) for t in layer(s, h, mask))
        where = f"in case {k} (s {s.shape}, h {h.shape})"
        result, sentence = _returned(fn, case[0], "additive_attention", where)
        if sentence:
            return sentence
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return (f"Your additive_attention returned {_describe(result)}; expected a tuple "
                    f"(context, weights) of shapes {(B, H_enc)} and {(B, S)}.")
        got_c, got_w = (_array(r) for r in result)
        shapes = tuple(getattr(got, "shape", None) for got in (got_c, got_w))
        if shapes == ((B, S), (B, H_enc)):
            return (f"Your additive_attention returns (weights, context) {where}; return them "
                    f"as (context, weights).")
        for part, name, shape, what in [(0, "context", (B, H_enc), "(batch, H_enc)"),
                                        (1, "weights", (B, S), "(batch, source positions)")]:
            if shapes[part] != shape:
                return (f"Your additive_attention returns {name} as {_describe(result[part])} "
                        f"{where}; expected shape {shape} = {what}.")
        if not np.isfinite(got_w).all():
            return f"Your additive_attention returns NaN or inf weights {where}."
        padding = _padding(got_w, ~mask, "(batch, position)", where)
        if padding or (_close(got_w, weights) and _close(got_c, context)):
            return padding
        sums = got_w.sum(-1)
        if not np.allclose(sums, 1.0, atol=TOLERANCE):
            i = int(np.argmax(np.abs(sums - 1)))
            return f"Rows do not sum to 1: row {i} sums to {sums[i]:.2f} {where}."
        if not _close(got_w, weights):
            reason = _mistake(_SCORE_MISTAKES, _score, (s, h, W1, W2, v_a, mask),
                              got_w, "the weights are the masked softmax of e_j = v_a . "
                                     "tanh(h_j @ W1 + s @ W2).")
            return f"Weights off from BahdanauAttention {_by(got_w, weights, where)}: {reason}"
        return (f"The weights are right, but the context is off from BahdanauAttention "
                f"{_by(got_c, context, where)}: it is sum_j a_j h_j, of shape (B, H_enc).")

    return _verdict(cases, problem, "attention_course.attention.BahdanauAttention, weights and "
                    "context,", " with padding")
