"""The exercise checks (attention_course.check): each reference solution passes, and the usual
wrong answers fail with the sentence that names the mistake (and return False)."""
import numpy as np
import pytest

from attention_course import check


def run(capsys, check_fn, fn):
    """Run a check; return what it returned and the one line it printed."""
    ok = check_fn(fn)
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1, out
    return ok, out


# --- Chapter 1: one GRU step ---------------------------------------------------------------------

def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def make_gru_step(order=(0, 1, 2), reset_after=True, cho=False, bias_rows=(0, 1), use_bias=True):
    """The reference GRU step (the defaults) or a wrong one, as a reader would write it."""
    def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        W = np.split(kernel, 3, axis=1)
        U = np.split(recurrent_kernel, 3, axis=1)
        b_in = np.split(bias[bias_rows[0]] * use_bias, 3)
        b_rec = np.split(bias[bias_rows[1]] * use_bias, 3)
        z_, r_, h_ = order
        z = sigmoid(x_t @ W[z_] + h_prev @ U[z_] + b_in[z_] + b_rec[z_])
        r = sigmoid(x_t @ W[r_] + h_prev @ U[r_] + b_in[r_] + b_rec[r_])
        if reset_after:
            cand = np.tanh(x_t @ W[h_] + r * (h_prev @ U[h_] + b_rec[h_]) + b_in[h_])
        else:
            cand = np.tanh(x_t @ W[h_] + (r * h_prev) @ U[h_] + b_in[h_])
        return (1 - z) * h_prev + z * cand if cho else z * h_prev + (1 - z) * cand
    return gru_step


def test_gru_step_reference_passes(capsys):
    ok, out = run(capsys, check.gru_step, make_gru_step())
    assert ok is True and out.startswith("Right: matches keras.layers.GRUCell")


@pytest.mark.parametrize("wrong, words", [
    (dict(order=(1, 0, 2)), ["Off from keras.layers.GRUCell", "tolerance 1e-5", "z and r are swapped"]),
    (dict(reset_after=False), ["reset gate before the matrix", "reset_after=True"]),
    (dict(cho=True), ["z and 1 - z are swapped"]),
    (dict(use_bias=False), ["biases are missing"]),
    (dict(bias_rows=(1, 0)), ["bias rows are swapped"]),
])
def test_gru_step_wrong_answers_are_named(capsys, wrong, words):
    ok, out = run(capsys, check.gru_step, make_gru_step(**wrong))
    assert ok is False
    for w in words:
        assert w in out, out


def test_gru_step_transposed_kernels(capsys):
    def transposed(x_t, h_prev, kernel, recurrent_kernel, bias):
        U = [u.T for u in np.split(recurrent_kernel, 3, axis=1)]
        return make_gru_step()(x_t, h_prev, kernel, np.concatenate(U, 1), bias)
    ok, out = run(capsys, check.gru_step, transposed)
    assert ok is False and "recurrent kernels are transposed" in out


def test_gru_step_stub_none_shape_and_error(capsys):
    def stub(x_t, h_prev, kernel, recurrent_kernel, bias):
        ...  # your code here
    ok, out = run(capsys, check.gru_step, stub)
    assert ok is False and out == ("Your gru_step returned None; expected an array of shape (2, 4) "
                                   "= (batch, units), the new state h_t.")

    ok, out = run(capsys, check.gru_step, lambda x, h, k, r, b: h[0])
    assert ok is False and "returns shape (4,) in case 1" in out and "expected (2, 4)" in out

    ok, out = run(capsys, check.gru_step, lambda x, h, k, r, b: x @ r)
    assert ok is False and out.startswith("Your gru_step raised ValueError") and "in case 1" in out


# --- Chapter 2: the masked softmax ---------------------------------------------------------------

def reference_masked_softmax(scores, mask):
    mask = np.broadcast_to(mask, scores.shape)
    scores = np.where(mask, scores, -1e9)
    scores = scores - scores.max(-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(-1, keepdims=True)
    return np.where(mask, weights, 0.0)


def test_masked_softmax_reference_and_package_pass(capsys):
    from attention_course.attention import masked_softmax
    for fn in (reference_masked_softmax, masked_softmax):
        ok, out = run(capsys, check.masked_softmax, fn)
        assert ok is True and out.startswith("Right: matches attention_course.attention.masked_softmax")


def no_mask(scores, mask):
    e = np.exp(scores - scores.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def zero_not_minus_inf(scores, mask):
    return no_mask(np.where(mask, scores, 0.0), mask)


def minus_inf_trick(scores, mask):
    with np.errstate(invalid="ignore"):
        return no_mask(np.where(mask, scores, -np.inf), mask)


def no_zeroing_after(scores, mask):
    return no_mask(np.where(mask, scores, -1e9), mask)


def wrong_axis(scores, mask):
    mask = np.broadcast_to(mask, scores.shape)
    e = np.exp(np.where(mask, scores, -1e9))
    with np.errstate(invalid="ignore"):
        return np.where(mask, e / e.sum(1, keepdims=True), 0.0)


def no_max_subtracted(scores, mask):
    with np.errstate(all="ignore"):
        e = np.exp(scores) * mask
        total = e.sum(-1, keepdims=True)
        return e / np.where(total > 0, total, 1)


def exp_not_normalised(scores, mask):
    return np.exp(np.where(mask, scores, -1e9))


@pytest.mark.parametrize("fn, words", [
    (no_mask, ["Padding gets weight", "(batch, query, key) = (1, 0, 3) in case 1",
              "must get exactly 0"]),
    (zero_not_minus_inf, ["Padding gets weight", "must get exactly 0"]),
    (minus_inf_trick, ["all masked", "gives NaN", "zeros"]),
    (no_zeroing_after, ["all masked", "summing to 1.00", "must get zeros"]),
    (wrong_axis, ["sum to 1 over axis 1 (the queries)", "axis=-1"]),
    (no_max_subtracted, ["NaN or inf", "in case 4", "subtract each row's maximum"]),
    (exp_not_normalised, ["Rows do not sum to 1", "row (batch, query) = (0, 0)"]),
])
def test_masked_softmax_wrong_answers_are_named(capsys, fn, words):
    ok, out = run(capsys, check.masked_softmax, fn)
    assert ok is False
    for w in words:
        assert w in out, out


def test_masked_softmax_wrong_shape_none_and_error(capsys):
    ok, out = run(capsys, check.masked_softmax, lambda scores, mask: scores[:, 0])
    assert ok is False and out == ("Your masked_softmax returns shape (2, 5) in case 1 (scores (2, 3, 5), "
                                   "mask (2, 1, 5)); expected (2, 3, 5) = (batch, queries, keys).")
    ok, out = run(capsys, check.masked_softmax, lambda scores, mask: None)
    assert ok is False and "returned None; expected an array of shape (2, 3, 5)" in out

    def broken(scores, mask):
        raise RuntimeError("not written yet")
    ok, out = run(capsys, check.masked_softmax, broken)
    assert ok is False and out.startswith("Your masked_softmax raised RuntimeError: not written yet")


# --- Chapter 3: the additive score and additive attention ----------------------------------------

def reference_additive_score(s, h, W1, W2, v_a):
    return np.tanh(h @ W1 + (s @ W2)[:, None, :]) @ v_a


def test_additive_score_reference_passes(capsys):
    ok, out = run(capsys, check.additive_score, reference_additive_score)
    assert ok is True and out.startswith("Right: matches the scores of")


@pytest.mark.parametrize("fn, words", [
    (lambda s, h, W1, W2, v_a: np.tanh(h @ W2 + (s @ W1)[:, None, :]) @ v_a, ["W1 and W2 are swapped"]),
    (lambda s, h, W1, W2, v_a: (h @ W1 + (s @ W2)[:, None, :]) @ v_a, ["the tanh is missing"]),
    (lambda s, h, W1, W2, v_a: np.tanh(h @ W1 + s @ W2) @ v_a, ["without a source axis", "[:, None, :]"]),
    (lambda s, h, W1, W2, v_a: reference_additive_score(s, h, W1.T, W2.T, v_a), ["transposed"]),
    (lambda s, h, W1, W2, v_a: no_mask(reference_additive_score(s, h, W1, W2, v_a), None),
     ["these are the weights", "before the softmax"]),
])
def test_additive_score_wrong_answers_are_named(capsys, fn, words):
    ok, out = run(capsys, check.additive_score, fn)
    assert ok is False and "Off from BahdanauAttention's scores by" in out
    for w in words:
        assert w in out, out


def test_additive_score_wrong_shape(capsys):
    ok, out = run(capsys, check.additive_score,
                  lambda s, h, W1, W2, v_a: np.tanh(h @ W1 + (s @ W2)[:, None, :]) @ v_a[:, None])
    assert ok is False and "returns shape (3, 3, 1)" in out and "not h @ v_a[:, None]" in out
    ok, out = run(capsys, check.additive_score, lambda *a: reference_additive_score(*a) * np.nan)
    assert ok is False and out.startswith("Your additive_score returns NaN or inf in case 1")


def reference_additive_attention(s, h, mask, W1, W2, v_a):
    scores = reference_additive_score(s, h, W1, W2, v_a)
    weights = reference_masked_softmax(scores, mask)
    return np.einsum("bs,bsh->bh", weights, h), weights


def test_additive_attention_reference_passes(capsys):
    ok, out = run(capsys, check.additive_attention, reference_additive_attention)
    assert ok is True and out.startswith("Right: matches attention_course.attention.BahdanauAttention")


def unmasked_attention(s, h, mask, W1, W2, v_a):
    weights = no_mask(reference_additive_score(s, h, W1, W2, v_a), None)
    return np.einsum("bs,bsh->bh", weights, h), weights


def mean_context(s, h, mask, W1, W2, v_a):
    _, weights = reference_additive_attention(s, h, mask, W1, W2, v_a)
    return h.mean(1), weights


def swapped_projections(s, h, mask, W1, W2, v_a):
    scores = np.tanh(h @ W2 + (s @ W1)[:, None, :]) @ v_a
    weights = reference_masked_softmax(scores, mask)
    return np.einsum("bs,bsh->bh", weights, h), weights


@pytest.mark.parametrize("fn, words", [
    (unmasked_attention, ["Padding gets weight", "exactly 0"]),
    (mean_context, ["weights are right, but the context is off", "sum_j a_j h_j"]),
    (swapped_projections, ["Weights off from BahdanauAttention", "W1 and W2 are swapped"]),
    (lambda *a: reference_additive_attention(*a)[::-1], ["returns (weights, context)"]),
    (lambda *a: reference_additive_attention(*a)[1], ["returned an array of shape", "(context, weights)"]),
])
def test_additive_attention_wrong_answers_are_named(capsys, fn, words):
    ok, out = run(capsys, check.additive_attention, fn)
    assert ok is False
    for w in words:
        assert w in out, out
