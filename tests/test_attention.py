import keras
import numpy as np
import pytest

from attention_course.attention import BahdanauAttention, LuongAttention, masked_softmax

to_np = keras.ops.convert_to_numpy        # works on every backend (torch tensors that track gradients too)
rng = np.random.default_rng(0)
B, T, S, H = 2, 3, 5, 4
query = rng.normal(size=(B, T, H)).astype("float32")
values = rng.normal(size=(B, S, H)).astype("float32")
mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)  # row 0: 2 padded positions


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attend(scores, values, mask):
    """Hand reference: scores (B, T, S) -> context (B, T, H), weights (B, T, S)."""
    scores = np.where(mask[:, None, :], scores, -np.inf)
    weights = softmax(scores)
    return np.einsum("bts,bsh->bth", weights, values), weights


def test_masked_weights_are_exactly_zero_and_rows_sum_to_one():
    w = np.asarray(masked_softmax(rng.normal(size=(B, T, S)).astype("float32"), mask[:, None, :]))
    assert np.all(w[0, :, 3:] == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)


def test_all_masked_row_gives_zeros_not_nan():
    w = np.asarray(masked_softmax(np.zeros((1, 4), "float32"), np.zeros((1, 4), bool)))
    assert not np.isnan(w).any() and np.all(w == 0.0)
    context, weights = map(to_np, LuongAttention()(query[:1], values[:1], np.zeros((1, S), bool)))
    assert not np.isnan(np.asarray(context)).any() and np.all(np.asarray(weights) == 0.0)


def test_luong_dot_matches_numpy():
    context, weights = map(to_np, LuongAttention("dot")(query, values, mask))
    ref_context, ref_weights = np_attend(np.einsum("bth,bsh->bts", query, values), values, mask)
    np.testing.assert_allclose(weights, ref_weights, atol=1e-6)
    np.testing.assert_allclose(context, ref_context, atol=1e-5)


def test_luong_general_and_concat_match_numpy():
    general = LuongAttention("general")
    context, _ = map(to_np, general(query, values, mask))
    W_a = to_np(general.W_a)
    ref, _ = np_attend(np.einsum("bth,bsh->bts", query, values @ W_a), values, mask)
    np.testing.assert_allclose(context, ref, atol=1e-5)

    concat = LuongAttention("concat", units=6)
    context, _ = map(to_np, concat(query, values, mask))
    Wq, Wk, v = to_np(concat.W_q.kernel), to_np(concat.W_k.kernel), to_np(concat.v_a.kernel)
    hidden = np.tanh((query @ Wq)[:, :, None, :] + (values @ Wk)[:, None, :, :])  # (B, T, S, 6)
    ref, _ = np_attend((hidden @ v)[..., 0], values, mask)
    np.testing.assert_allclose(context, ref, atol=1e-5)


def test_luong_dot_equals_keras_attention_without_scale():
    ours, our_w = map(to_np, LuongAttention("dot")(query, values, mask))
    keras_layer = keras.layers.Attention(use_scale=False)
    theirs, their_w = keras_layer([query, values], mask=[None, mask], return_attention_scores=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    np.testing.assert_allclose(our_w, their_w, atol=1e-6)


def test_keras_attention_scale_is_a_learned_scalar_not_one_over_sqrt_d():
    layer = keras.layers.Attention(use_scale=True)
    layer([query, values])
    assert [tuple(w.shape) for w in layer.weights] == [()]
    assert float(layer.weights[0].numpy()) == 1.0  # starts at 1, not 1/sqrt(H)


def test_bahdanau_matches_numpy():
    layer = BahdanauAttention(units=6)
    s_prev = query[:, 0]                                   # (B, H): the previous decoder state
    context, weights = map(to_np, layer(s_prev, values, mask))
    assert context.shape == (B, H) and weights.shape == (B, S)
    W1, W2, v = to_np(layer.W1.kernel), to_np(layer.W2.kernel), to_np(layer.v.kernel)
    e = (np.tanh(values @ W1 + (s_prev @ W2)[:, None, :]) @ v)[..., 0]   # (B, S)
    ref_context, ref_weights = np_attend(e[:, None, :], values, mask)
    np.testing.assert_allclose(weights, ref_weights[:, 0], atol=1e-6)
    np.testing.assert_allclose(context, ref_context[:, 0], atol=1e-5)
    keys = layer.project_values(values)                    # W1 h, computed once per sentence
    again, again_w = map(to_np, layer(s_prev, values, mask, keys=keys))
    np.testing.assert_allclose(again, context, atol=1e-6)
    np.testing.assert_allclose(again_w, weights, atol=1e-7)


def test_bahdanau_equals_keras_additive_attention_after_projections():
    layer = BahdanauAttention(units=6)
    ours, our_w = map(to_np, layer(query, values, mask))
    additive = keras.layers.AdditiveAttention(use_scale=True)
    q, k = layer.W2(query), layer.W1(values)
    additive([q, values, k])
    additive.set_weights([to_np(layer.v.kernel)[:, 0]])     # Keras's scale vector is our v
    theirs, their_w = map(to_np, additive([q, values, k], mask=[None, mask], return_attention_scores=True))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    np.testing.assert_allclose(our_w, their_w, atol=1e-6)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: LuongAttention("cosine"), "'dot', 'general' or 'concat'"),
        (lambda: LuongAttention("concat"), "needs units"),
        (lambda: BahdanauAttention(0), "positive int"),
        (lambda: LuongAttention()(query, values[0], None), r"\(batch, source_time, units\)"),
        (lambda: LuongAttention()(query, values, mask[:, :3]), r"mask must have shape \(batch, source_time\)"),
        (lambda: LuongAttention()(query[..., :3], values, mask), "one size"),
        (lambda: BahdanauAttention(4)(query[0, 0], values, mask), r"query must have shape"),
        (lambda: LuongAttention()(query[:1], values, mask), "same batch size"),
        (lambda: BahdanauAttention(4)(query[:1, 0], values, mask), "same batch size"),
        (lambda: LuongAttention("general", units=4), "takes no units"),
        (lambda: LuongAttention("concat", units=2.5), "positive int"),
    ],
)
def test_bad_inputs_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layers_round_trip_through_config():
    assert LuongAttention.from_config(LuongAttention("concat", units=3).get_config()).units == 3
    assert BahdanauAttention.from_config(BahdanauAttention(7).get_config()).units == 7


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis -1")   # a 1-token source
@pytest.mark.parametrize("batch, source", [(1, 1), (3, 1), (3, 5)])
@pytest.mark.parametrize("make", [lambda: LuongAttention("dot"), lambda: LuongAttention("general"),
                                  lambda: LuongAttention("concat", units=6), lambda: BahdanauAttention(6)],
                         ids=["dot", "general", "concat", "bahdanau"])
def test_decoder_step_shapes(make, batch, source):
    """One decoder step: a 2-D query (B, H) and a (B, 1, H) one, sources down to one token.

    These are the shapes at which TensorFlow 2.20-2.21's oneDNN matmul corrupted the heap under
    Keras < 3.14 (a rank-4 x rank-2 product with a size-1 axis): on such a stack a regression
    aborts this test.
    """
    layer = make()
    q = rng.normal(size=(batch, H)).astype("float32")
    v = rng.normal(size=(batch, source, H)).astype("float32")
    m = np.ones((batch, source), bool)
    context, weights = map(to_np, layer(q, v, m))
    assert context.shape == (batch, H) and weights.shape == (batch, source)
    context3, weights3 = map(to_np, layer(q[:, None], v, m))
    assert context3.shape == (batch, 1, H) and weights3.shape == (batch, 1, source)
    np.testing.assert_allclose(np.asarray(context3)[:, 0], context, atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights).sum(-1), 1.0, rtol=1e-5)


# --- Issue 25, part 4: tensors that do not fit are a clear error --------------------------
def _bahdanau():
    layer = BahdanauAttention(6)
    layer(query, values, mask)
    return layer


@pytest.mark.parametrize("call, message", [
    (lambda: _bahdanau()(query, values, mask, keys=np.zeros((B, S, 5), "float32")),
     r"keys must have shape \(batch, source_time, units\) = \(2, 5, 6\) \(project_values\(values\)\), "
     r"got \(2, 5, 5\)"),
    (lambda: _bahdanau()(query, values, mask, keys=np.zeros((B, S - 1, 6), "float32")),
     r"keys must have shape .* = \(2, 5, 6\) .*got \(2, 4, 6\)"),
    (lambda: _bahdanau()(query, values, mask, keys=np.zeros((1, S, 6), "float32")),
     r"keys must have shape .*got \(1, 5, 6\)"),
    (lambda: masked_softmax(np.zeros((B, T, S), "float32"), np.ones((B, T, S + 1), bool)),
     r"mask of shape \(2, 3, 6\) does not broadcast to the scores' shape \(2, 3, 5\)"),
    (lambda: masked_softmax(np.zeros((T, S), "float32"), np.ones((B, T, S), bool)),
     r"mask of shape \(2, 3, 5\) does not broadcast"),
    (lambda: LuongAttention()(query[0, 0], values, mask), r"query must have shape \(batch, units\) or"),
    (lambda: _bahdanau()(query[0, 0], values, mask), r"query must have shape \(batch, units\) or"),
], ids=["keys width", "keys length", "keys batch", "mask width", "mask rank", "rank-1 query luong",
        "rank-1 query bahdanau"])
def test_tensors_that_do_not_fit_say_which_and_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_shape_checks_change_no_number():
    layer = _bahdanau()
    keys = layer.project_values(values)
    for a, b in zip(layer(query, values, mask), layer(query, values, mask, keys=keys)):
        np.testing.assert_array_equal(to_np(a), to_np(b))
    scores = rng.normal(size=(B, T, S)).astype("float32")
    broadcast = masked_softmax(scores, mask[:, None, :])          # (B, 1, S) broadcasts to (B, T, S)
    np.testing.assert_array_equal(to_np(broadcast), to_np(masked_softmax(scores, np.repeat(mask[:, None], T, 1))))
    np.testing.assert_allclose(to_np(masked_softmax(scores, mask[:, None, :]))[1], softmax(scores[1]), rtol=1e-6)
