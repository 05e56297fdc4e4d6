import keras
import numpy as np
import pytest

from attention_course import seq2seq, training
from attention_course import transformer as T

to_np = keras.ops.convert_to_numpy
rng = np.random.default_rng(0)
B, TQ, S, D, H, K = 2, 5, 7, 16, 4, 8
query = rng.normal(size=(B, TQ, D)).astype("float32")
value = rng.normal(size=(B, S, D)).astype("float32")
any_mask = rng.random((B, TQ, S)) > 0.3
any_mask[..., 0] = True                                       # every query has a key


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def small_model(**kwargs):
    model = T.Transformer(40, d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=24, **kwargs)
    model((np.ones((1, 3), "int32"), np.ones((1, 2), "int32")))
    return model


def test_scaled_dot_product_attention_matches_numpy_and_masks_exactly():
    q, k, v = (rng.normal(size=(B, n, 6)).astype("float32") for n in (TQ, S, S))
    out, w = map(to_np, T.scaled_dot_product_attention(q, k, v, any_mask))
    scores = np.where(any_mask, q @ k.transpose(0, 2, 1) / np.sqrt(6), -np.inf)
    np.testing.assert_allclose(w, softmax(scores), atol=1e-6)
    np.testing.assert_allclose(out, softmax(scores) @ v, atol=1e-5)
    assert np.all(w[~any_mask] == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)


def test_causal_mask_lets_a_position_see_itself_and_the_past_only():
    m = to_np(T.causal_mask(4))
    assert m.dtype == bool and np.array_equal(m, np.tril(np.ones((4, 4), bool)))


def test_padding_mask_is_true_at_real_tokens():
    m = to_np(T.padding_mask(np.array([[5, 3, 0, 0], [1, 2, 3, 4]])))
    assert m.shape == (2, 1, 4) and np.array_equal(m[:, 0], [[1, 1, 0, 0], [1, 1, 1, 1]])


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_a_mask_whose_polarity_is_a_guess_is_refused(dtype):
    """A 0/1 mask can mean "1 = may attend" (Keras) or "1 = blocked" (some tutorials):
    only a boolean mask, True = may attend, is accepted."""
    q = rng.normal(size=(1, 3, 4)).astype("float32")
    with pytest.raises(ValueError, match="must be boolean, True where a query may attend"):
        T.scaled_dot_product_attention(q, q, q, np.tril(np.ones((3, 3))).astype(dtype))


def test_the_wrong_polarity_would_leak_the_future():
    """What the check prevents: a look-ahead mask with 1 = blocked, read as 1 = may attend,
    lets position 0 see every later position, so its output depends on the future."""
    x = rng.normal(size=(1, 4, 4)).astype("float32")
    blocked = np.triu(np.ones((4, 4), bool), k=1)            # True above the diagonal: "blocked"
    changed = x.copy()
    changed[0, 3] += 1.0                                        # change the last (future) position
    right = [to_np(T.scaled_dot_product_attention(a, a, a, ~blocked)[0]) for a in (x, changed)]
    wrong = [to_np(T.scaled_dot_product_attention(a, a, a, blocked)[0]) for a in (x, changed)]
    np.testing.assert_array_equal(right[0][0, :3], right[1][0, :3])
    assert np.abs(wrong[0][0, 0] - wrong[1][0, 0]).max() > 1e-3


def test_a_mask_that_does_not_broadcast_is_refused():
    q = rng.normal(size=(2, 3, 4)).astype("float32")
    with pytest.raises(ValueError, match="does not broadcast"):
        T.scaled_dot_product_attention(q, q, q, np.ones((2, 3, 5), bool))
    with pytest.raises(ValueError, match="same width d_k"):
        T.scaled_dot_product_attention(q, q[..., :3], q)


@pytest.mark.parametrize("scores", [True, False])
def test_multi_head_attention_equals_keras_on_both_paths(scores):
    """With Keras's weights copied in, the same numbers; without return_attention_scores Keras
    takes its fused path (keras.ops.dot_product_attention)."""
    ours, theirs = T.MultiHeadAttention(H, K), keras.layers.MultiHeadAttention(H, K)
    ours(query, value), theirs(query, value)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    out, w = map(to_np, ours(query, value, attention_mask=any_mask))
    if scores:
        k_out, k_w = map(to_np, theirs(query, value, attention_mask=any_mask, return_attention_scores=True))
        np.testing.assert_allclose(w, k_w, atol=1e-5)
    else:
        k_out = to_np(theirs(query, value, attention_mask=any_mask))
    np.testing.assert_allclose(out, k_out, atol=1e-5)
    assert w.shape == (B, H, TQ, S)


def test_multi_head_attention_checks_ranks():
    with pytest.raises(ValueError, match="query must have shape"):
        T.MultiHeadAttention(2, 4)(query[0], value)


def test_sinusoidal_encoding_follows_the_paper():
    pe = T.sinusoidal_encoding(50, 8)
    p, i = 7, 1
    assert pe[p, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / 8)), abs=1e-6)
    assert pe[p, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / 8)), abs=1e-6)
    dots = pe @ pe.T                                          # depends on the offset only
    np.testing.assert_allclose(np.diag(dots, 3)[:10], dots[0, 3], atol=1e-4)
    with pytest.raises(ValueError, match="even"):
        T.sinusoidal_encoding(10, 7)


def test_without_positions_the_encoder_cannot_tell_the_order():
    ids = np.array([[4, 9, 7, 3, 5]])
    perm = np.array([3, 0, 4, 1, 2])
    for positions, same in [(None, True), ("sinusoidal", False), ("learned", False)]:
        model = T.TransformerClassifier(20, d_model=8, num_heads=2, d_ff=16, positions=positions)
        x, _, _ = model.encode(ids)
        xp, _, _ = model.encode(ids[:, perm])
        assert np.allclose(to_np(x)[:, perm], to_np(xp), atol=1e-5) == same, positions


def test_changing_future_target_tokens_changes_no_earlier_output():
    model = small_model()
    src = rng.integers(3, 40, (3, 6))
    tgt = rng.integers(3, 40, (3, 5))
    later = tgt.copy()
    later[:, 3:] = rng.integers(3, 40, (3, 2))
    a, b = to_np(model((src, tgt))), to_np(model((src, later)))
    np.testing.assert_array_equal(a[:, :3], b[:, :3])
    assert np.abs(a[:, 3:] - b[:, 3:]).max() > 1e-4


def test_extra_padding_changes_no_real_position():
    model = small_model()
    src = rng.integers(3, 40, (2, 6))
    src[0, 4:] = 0
    tgt = rng.integers(3, 40, (2, 5))
    a = to_np(model((src, tgt)))
    b = to_np(model((np.pad(src, ((0, 0), (0, 5))), tgt)))
    np.testing.assert_allclose(a, b, atol=1e-5)
    c = to_np(model((src, np.pad(tgt, ((0, 0), (0, 3))))))[:, :5]   # target padding after the end
    np.testing.assert_allclose(a, c, atol=1e-5)
    classifier = T.TransformerClassifier(40, d_model=8, num_heads=2, d_ff=16)
    np.testing.assert_allclose(to_np(classifier(src)), to_np(classifier(np.pad(src, ((0, 0), (0, 9))))), atol=1e-5)


def test_cross_attention_never_looks_at_source_padding():
    model = small_model()
    src = np.array([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]])
    maps = model.attention_maps(src, rng.integers(3, 40, (2, 4)))
    assert [m.shape for m in maps["cross"]] == [(2, 4, 4, 5)] * 2
    assert np.all(maps["cross"][0][0, ..., 3:] == 0) and np.all(maps["encoder"][1][0, ..., 3:] == 0)
    assert np.all(np.triu(maps["decoder"][0][0, 0], k=1) == 0)     # the causal mask


def test_greedy_decoding_is_beam_search_of_width_one_and_weights_sum_to_one():
    model = small_model()
    src = rng.integers(3, 40, (3, 6))
    src[1, 3:] = 0
    greedy = model.greedy_decode(src, 5)                       # short: JAX compiles each new shape
    np.testing.assert_array_equal(greedy, model.beam_decode(src, 5, beam_width=1))
    ids, weights = model.greedy_decode(src, 5, return_weights=True)
    assert weights.shape == (3, ids.shape[1], 6)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert np.all(weights[1, :, 3:] == 0)
    assert model.beam_decode(src, 5, beam_width=3).shape[0] == 3


def test_decoding_matches_the_teacher_forced_model():
    """The decoder's prediction at each step is the full model's, fed the same prefix."""
    model = small_model()
    src = rng.integers(3, 40, (2, 5))
    ids = model.greedy_decode(src, 6)
    logits = to_np(model((src, model.teacher_input(ids))))
    logits[..., [0, 1]] = -np.inf                             # padding and <s> are never generated
    generated = ids != 0
    np.testing.assert_array_equal(logits.argmax(-1)[generated], ids[generated])


@pytest.mark.parametrize("first_use", ["greedy_decode", "attention_maps"])
def test_a_model_used_before_it_is_called_can_still_be_called(first_use):
    """Decoding or reading the maps of a new model builds its layers; calling (or fitting) it
    afterwards must not try to build them again (Keras refuses that with a ValueError)."""
    model = T.Transformer(40, d_model=16, num_heads=4, d_ff=32, num_layers=1, max_len=24, dropout=0.0)
    src = rng.integers(3, 40, (1, 4))
    getattr(model, first_use)(src, 3 if first_use == "greedy_decode" else src)
    assert to_np(model((src, src))).shape == (1, 4, 40)
    classifier = T.TransformerClassifier(40, d_model=16, num_heads=4, d_ff=32, num_layers=1, max_len=24)
    classifier.encode(src)
    assert to_np(classifier(src)).shape == (1,)


def test_beam_search_reorders_a_structured_state():
    """beam_search takes any structure of tensors as the state (a key/value cache, a tuple)."""
    logits = np.log(np.array([[0.05, 0.05, 0.1, 0.5, 0.3]], "float32"))

    def step(tokens, state):
        a, b = state
        return np.repeat(logits, len(tokens), 0), (a + 1, b)
    state = (np.zeros((4, 1), "float32"), np.arange(4, dtype="float32")[:, None])
    ids = seq2seq.beam_search(step, state, batch_size=2, max_len=3, beam_width=2)
    assert ids.shape == (2, 3)


def test_the_model_round_trips_through_its_config_and_checks_arguments():
    model = small_model(dropout=0.2)
    clone = T.Transformer.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    with pytest.raises(ValueError, match="multiple of num_heads"):
        T.Transformer(40, d_model=18, num_heads=4)
    with pytest.raises(ValueError, match="start_id and end_id"):
        T.Transformer(40, start_id=0)
    with pytest.raises(ValueError, match="positions must be one of"):
        T.PositionalEmbedding(40, 8, positions="rotary")
    with pytest.raises(ValueError, match="longer than max_len"):
        model((np.ones((1, 30), "int32"), np.ones((1, 2), "int32")))


def test_warmup_schedule_rises_then_falls_as_the_paper_says():
    lr = T.WarmupSchedule(d_model=64, warmup_steps=100)
    values = np.array([float(to_np(lr(n))) for n in range(0, 400)])
    assert values.argmax() == 99                              # step n + 1 = 100 = warmup
    assert values[99] == pytest.approx(64 ** -0.5 * 100 ** -0.5, rel=1e-5)
    assert values[399] == pytest.approx(64 ** -0.5 * 400 ** -0.5, rel=1e-5)


# Bad input gets a clear error naming the argument, never a wrong number (issue 25, part 4)

GOOD_SRC, GOOD_TGT = np.array([[5, 6, 7], [8, 9, 0]]), np.array([[1, 5], [1, 6]])


@pytest.mark.parametrize("src, tgt_in, error, message", [
    (np.array([[5, -1, 7], [8, 9, 0]]), GOOD_TGT, ValueError, r"src has id -1: token ids must lie in \[0, 40\)"),
    (GOOD_SRC, np.array([[1, 40], [1, 6]]), ValueError, r"tgt_in has id 40: token ids must lie in \[0, 40\)"),
    (np.array([[5.0, 6.0, 0.2], [8.0, 9.0, 0.0]]), GOOD_TGT, TypeError, "src must be integer token ids"),
    (GOOD_SRC, GOOD_TGT.astype("float32"), TypeError, "tgt_in must be integer token ids"),
    (np.zeros((2, 0), "int32"), GOOD_TGT, ValueError, r"src is empty \(shape \(2, 0\)\)"),
    (GOOD_SRC, np.zeros((2, 0), "int32"), ValueError, r"tgt_in is empty \(shape \(2, 0\)\)"),
    (GOOD_SRC, GOOD_TGT[:1], ValueError, "src and tgt_in must have the same batch size, got 2 and 1"),
    (np.array([[5, 6, 7], [0, 0, 0]]), GOOD_TGT, ValueError, r"src rows \[1\] are nothing but padding"),
], ids=["negative", ">= vocab", "float padding 0.2", "float target", "empty source", "empty target",
        "batch sizes differ", "all padding"])
def test_a_direct_call_refuses_bad_ids_naming_the_argument(src, tgt_in, error, message):
    model = small_model()
    assert to_np(model((GOOD_SRC, GOOD_TGT))).shape == (2, 2, 40)        # the good call still works
    with pytest.raises(error, match=message):
        model((src, tgt_in))


def test_attention_maps_names_the_argument_that_is_wrong():
    model = small_model()
    with pytest.raises(ValueError, match=r"^tgt_in has id 40"):
        model.attention_maps(GOOD_SRC, np.array([[1, 40], [1, 6]]))
    with pytest.raises(ValueError, match=r"^src has id -3"):
        model.attention_maps(np.array([[5, -3, 7], [8, 9, 0]]), GOOD_TGT)
    with pytest.raises(ValueError, match="src and tgt_in must have the same batch size"):
        model.attention_maps(GOOD_SRC, GOOD_TGT[:1])
    with pytest.raises(TypeError, match="src must be integer token ids"):
        model.greedy_decode(GOOD_SRC + 0.2, 3)


@pytest.mark.parametrize("ids, error, message", [
    (np.array([[5, -1, 7]]), ValueError, r"ids has id -1: token ids must lie in \[0, 40\)"),
    (np.array([[5, 40, 7]]), ValueError, r"ids has id 40: token ids must lie in \[0, 40\)"),
    (np.array([[5.0, 6.0, 0.2]]), TypeError, "ids must be integer token ids"),
    (np.zeros((1, 0), "int32"), ValueError, r"ids is empty \(shape \(1, 0\)\)"),
    (np.array([[5, 6, 7], [0, 0, 0]]), ValueError, r"ids rows \[1\] are nothing but padding"),
], ids=["negative", ">= vocab", "float padding 0.2", "empty", "all padding"])
@pytest.mark.parametrize("kind", ["transformer", "lstm"])
def test_the_classifiers_refuse_bad_ids_naming_the_argument(ids, error, message, kind):
    from attention_course.sentiment import SentimentClassifier
    if kind == "transformer":
        model = T.TransformerClassifier(40, d_model=8, num_heads=2, d_ff=16)
    else:
        model = SentimentClassifier(40, embed_dim=4, units=4, pooling="attention", attention_units=3)
    assert to_np(model(np.array([[5, 6, 7], [8, 0, 0]]))).shape == (2,)
    with pytest.raises(error, match=message):
        model(ids)


@pytest.mark.parametrize("kwargs, message", [
    ({"d_model": 0}, "d_model must be a positive int, got 0"),
    ({"d_model": -64}, "d_model must be a positive int, got -64"),
    ({"d_model": 64, "warmup_steps": 0}, "warmup_steps must be a positive int, got 0"),
    ({"d_model": 64, "scale": -1.0}, "scale must be a positive number"),
    ({"d_model": 64, "scale": float("nan")}, "scale must be a positive number"),
])
def test_warmup_schedule_checks_its_arguments_when_built(kwargs, message):
    with pytest.raises(ValueError, match=message):
        T.WarmupSchedule(**kwargs)


@pytest.fixture
def restore_policy():
    """Tests that switch Keras's global dtype policy (mixed precision) put it back."""
    old = keras.mixed_precision.global_policy()
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy(old)


def test_mixed_float16_runs_with_finite_outputs_and_the_float32_predictions(restore_policy):
    """Under mixed_float16 (Colab GPU users may switch it on) a fully masked row stays 0, not
    NaN, the positions add to half-precision embeddings, and a tiny model predicts what it
    predicts in float32."""
    src = np.array([[5, 6, 7, 0], [8, 9, 10, 11]])
    tgt = np.array([[1, 5, 6], [1, 7, 0]])
    restore_policy("float32")
    keras.utils.set_random_seed(0)
    ref = T.Transformer(40, d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=24, dropout=0.0)
    ref_logits = to_np(ref((src, tgt)))
    ref_cls = {p: T.TransformerClassifier(40, d_model=16, num_heads=4, d_ff=32, positions=p) for p in ("sinusoidal", "learned")}
    ref_z = {p: to_np(m(src)) for p, m in ref_cls.items()}

    restore_policy("mixed_float16")
    q = keras.ops.convert_to_tensor(rng.normal(size=(1, 2, 4)).astype("float16"))
    out, w = map(to_np, T.scaled_dot_product_attention(q, q, q, np.array([[[False, False], [True, True]]])))
    assert w.dtype == np.float16 and np.isfinite(out).all() and np.all(w[0, 0] == 0) and np.all(out[0, 0] == 0)
    model = T.Transformer(40, d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=24, dropout=0.0)
    model((src, tgt))
    model.set_weights(ref.get_weights())
    logits = to_np(model((src, tgt)))
    assert logits.dtype == np.float16 and np.isfinite(logits).all()
    np.testing.assert_array_equal(logits.argmax(-1), ref_logits.argmax(-1))
    np.testing.assert_allclose(logits, ref_logits, atol=0.05)
    maps = model.attention_maps(src, tgt)
    assert all(np.isfinite(m).all() for ws in maps.values() for m in ws)
    assert np.all(maps["cross"][0][0, ..., 3] == 0)                   # padding still gets weight 0
    for p, ref_model in ref_cls.items():
        classifier = T.TransformerClassifier(40, d_model=16, num_heads=4, d_ff=32, positions=p)
        classifier(src)
        classifier.set_weights(ref_model.get_weights())
        z = to_np(classifier(src))
        assert np.isfinite(z).all() and np.array_equal(z > 0, ref_z[p] > 0), p
        np.testing.assert_allclose(z, ref_z[p], atol=0.05)

