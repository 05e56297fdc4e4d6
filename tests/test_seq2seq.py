import keras
import numpy as np
import pytest

from attention_course import toy_tasks as tt
from attention_course import training
from attention_course.seq2seq import BiEncoder, Encoder, Seq2Seq, beam_search, greedy_decode

B, S, T, V, H = 3, 7, 5, 11, 16
to_np = keras.ops.convert_to_numpy        # works on every backend (torch tensors that track gradients too)


def test_output_shapes():
    model = Seq2Seq(V, embed_dim=8, units=H)
    src = np.random.default_rng(0).integers(1, V, (B, S))
    tgt = np.random.default_rng(1).integers(1, V, (B, T))
    assert model((src, tgt)).shape == (B, T, V)
    outputs, state, mask = model.encoder(src)
    assert outputs.shape == (B, S, H) and state.shape == (B, H) and mask.shape == (B, S)
    assert model.greedy_decode(src, max_len=4).shape[0] == B


def test_padding_does_not_change_the_encoder_state():
    keras.utils.set_random_seed(0)
    encoder = Encoder(V, 8, H)
    short = np.array([[4, 5, 6]])
    padded = np.array([[4, 5, 6, 0, 0, 0]])
    np.testing.assert_allclose(to_np(encoder(short)[1]), to_np(encoder(padded)[1]), atol=1e-6)


def test_bidirectional_encoder_reads_both_ways_and_skips_padding():
    keras.utils.set_random_seed(0)
    encoder = BiEncoder(V, 8, H)
    short, padded = np.array([[4, 5, 6]]), np.array([[4, 5, 6, 0, 0, 0]])
    out_short, s0_short, _ = encoder(short)
    out_padded, s0_padded, mask = encoder(padded)
    assert out_padded.shape == (1, 6, H) and s0_padded.shape == (1, H)
    np.testing.assert_array_equal(to_np(mask), [[True] * 3 + [False] * 3])
    np.testing.assert_allclose(to_np(out_short), to_np(out_padded)[:, :3], atol=1e-6)
    np.testing.assert_allclose(to_np(s0_short), to_np(s0_padded), atol=1e-6)
    # each half is a plain GRU with the same weights, run forwards and backwards over x_1..x_S
    x = encoder.embedding(short)
    gru = keras.layers.GRU(H // 2, return_sequences=True)
    gru.build(x.shape)
    gru.set_weights(encoder.rnn.forward_layer.get_weights())
    np.testing.assert_allclose(to_np(out_short)[..., :H // 2], to_np(gru(x)), atol=1e-5)
    gru.set_weights(encoder.rnn.backward_layer.get_weights())
    backward = to_np(gru(x[:, ::-1]))[:, ::-1]                    # ←h_1..←h_S
    np.testing.assert_allclose(to_np(out_short)[..., H // 2:], backward, atol=1e-5)
    W, b = encoder.W_init.get_weights()
    np.testing.assert_allclose(to_np(s0_short), np.tanh(backward[:, 0] @ W + b), atol=1e-5)  # s_0 from ←h_1


@pytest.mark.parametrize("attention", [None, "luong", "bahdanau"])
def test_every_decoder_takes_the_bidirectional_encoder(attention):
    model = Seq2Seq(V, embed_dim=8, units=H, attention=attention, bidirectional=True)
    src = np.random.default_rng(0).integers(1, V, (B, S))
    assert isinstance(model.encoder, BiEncoder) and model((src, src[:, :T])).shape == (B, T, V)
    assert model.greedy_decode(src, max_len=4).shape[0] == B
    assert Seq2Seq.from_config(model.get_config()).bidirectional is True
    with pytest.raises(ValueError, match="expected an even number"):
        BiEncoder(V, 8, 15)
    with pytest.raises(ValueError, match="bidirectional must be True or False"):
        Seq2Seq(V, bidirectional="yes")


def test_greedy_decoding_stops_at_end_of_sequence():
    calls = []

    def step(tokens, state):  # emits symbol 5 twice, then </s> (row 1 ends one step earlier)
        calls.append(1)
        t = len(calls)
        ids = np.array([tt.END if t >= 3 else 5, tt.END if t >= 2 else 5])
        return keras.ops.one_hot(ids, V), state

    out = greedy_decode(step, None, batch_size=2, max_len=10, start_id=tt.START, end_id=tt.END)
    assert len(calls) == 3  # stopped as soon as every row ended, not after max_len
    np.testing.assert_array_equal(out, [[5, 5, tt.END], [5, tt.END, 0]])  # padding after </s>


def test_greedy_decoding_respects_max_len():
    step = lambda tokens, state: (keras.ops.one_hot(np.full(2, 5), V), state)  # never ends
    assert greedy_decode(step, None, 2, max_len=6).shape == (2, 6)


def test_model_round_trips_through_its_config():
    model = Seq2Seq(V, embed_dim=8, units=H, start_id=1, end_id=2)
    clone = Seq2Seq.from_config(model.get_config())
    assert (clone.vocab_size, clone.units, clone.end_id) == (V, H, 2)


@pytest.mark.parametrize("bad", [np.zeros((B,), "int32"), np.zeros((B, S, 2), "int32")])
def test_wrong_rank_is_a_clear_error(bad):
    model = Seq2Seq(V, embed_dim=8, units=H)
    with pytest.raises(ValueError, match=r"shape \(batch, time\)"):
        model((bad, np.zeros((B, T), "int32")))


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_attention_models_shapes_and_masked_weights(attention):
    keras.utils.set_random_seed(0)
    model = Seq2Seq(V, embed_dim=8, units=H, attention=attention)
    src = np.array([[4, 5, 6, 0, 0, 0, 0], [4, 5, 6, 7, 8, 9, 10], [3, 3, 0, 0, 0, 0, 0]])
    tgt = np.random.default_rng(1).integers(1, V, (B, T))
    assert model((src, tgt)).shape == (B, T, V)
    enc_outputs, state, mask = model.encoder(src)
    logits, _, weights = model.decode(tgt, state, enc_outputs, mask)
    weights = to_np(weights)
    assert logits.shape == (B, T, V) and weights.shape == (B, T, S)
    assert np.all(weights[0, :, 3:] == 0.0) and np.all(weights[2, :, 2:] == 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    ids, w = model.greedy_decode(src, max_len=4, return_weights=True)
    assert w.shape == (B, ids.shape[1], S)


def test_bahdanau_attends_with_the_previous_state():
    keras.utils.set_random_seed(0)
    model = Seq2Seq(V, embed_dim=8, units=H, attention="bahdanau")
    src = np.random.default_rng(0).integers(3, V, (B, S))
    enc_outputs, state, mask = model.encoder(src)
    _, _, weights = model.decode(np.full((B, 2), 1), state, enc_outputs, mask)
    weights = to_np(weights)
    _, first = map(to_np, model.decoder.attention(state, enc_outputs, mask))  # s_0 = the encoder's state
    np.testing.assert_allclose(weights[:, 0], first, atol=1e-6)


def test_bahdanau_decoder_computes_its_equations():
    """Logits from the equations of the docstring, written out step by step with the decoder's
    own sublayers, equal the decoder's (which loops with ops.scan)."""
    keras.utils.set_random_seed(0)
    model = Seq2Seq(V, embed_dim=8, units=H, attention="bahdanau")
    src = np.array([[4, 5, 6, 0, 0, 0, 0], [4, 5, 6, 7, 8, 9, 10], [3, 3, 0, 0, 0, 0, 0]])
    tgt = np.random.default_rng(1).integers(1, V, (B, T))
    d = model.decoder
    enc_outputs, s, mask = model.encoder(src)
    logits, state, weights = map(to_np, d(tgt, s, enc_outputs, mask))
    y = d.embedding(tgt)
    for t in range(T):
        c, a = d.attention(s, enc_outputs, mask)                            # c_t, a_t from s_{t-1}
        s, _ = d.cell(keras.ops.concatenate([y[:, t], c], axis=-1), s)      # s_t
        logits_t = d.out(d.W_o(keras.ops.concatenate([s, c, y[:, t]], axis=-1)))
        np.testing.assert_allclose(weights[:, t], to_np(a), atol=1e-6)
        np.testing.assert_allclose(logits[:, t], to_np(logits_t), atol=1e-5)
    np.testing.assert_allclose(state, to_np(s), atol=1e-6)
    s = model.encoder(src)[1]                     # one token at a time (decoding's path) agrees too
    for t in range(T):
        step_logits, s, step_weights = d(tgt[:, t:t + 1], s, enc_outputs, mask)
        np.testing.assert_allclose(to_np(step_logits)[:, 0], logits[:, t], atol=1e-5)
        np.testing.assert_allclose(to_np(step_weights)[:, 0], weights[:, t], atol=1e-6)


def test_unknown_attention_and_weights_without_attention_are_errors():
    with pytest.raises(ValueError, match="None, 'luong' or 'bahdanau'"):
        Seq2Seq(V, attention="additive")
    assert Seq2Seq(V, attention="luong").score == "dot"
    with pytest.raises(ValueError, match="needs an attention model"):
        Seq2Seq(V, embed_dim=8, units=H).greedy_decode(np.ones((1, 3), "int32"), 2, return_weights=True)


def test_attention_model_round_trips_through_its_config():
    model = Seq2Seq(V, embed_dim=8, units=H, attention="luong", score="general")
    clone = Seq2Seq.from_config(model.get_config())
    assert (clone.attention, clone.score) == ("luong", "general")


@pytest.mark.parametrize("attention", [None, "luong", "bahdanau"])
def test_beam_width_one_is_greedy_decoding(attention):
    keras.utils.set_random_seed(3)
    model = Seq2Seq(V, embed_dim=8, units=H, attention=attention)
    src = np.random.default_rng(0).integers(3, V, (4, S))
    greedy = model.greedy_decode(src, max_len=6)
    beam = model.beam_decode(src, max_len=6, beam_width=1)
    width = max(greedy.shape[1], beam.shape[1])
    pad = lambda a: np.pad(a, ((0, 0), (0, width - a.shape[1])))
    np.testing.assert_array_equal(pad(greedy), pad(beam))


def test_beam_search_finds_what_greedy_misses():
    # Step 1: token 3 (p=.6) or 4 (p=.4). After 3 the next token is uncertain (best p=.3);
    # after 4 it is sure to be </s> (p=.95): greedy picks 3, a beam of 2 finds 4 </s>.
    table = {1: [0, 0, 0, .6, .4, 0], 3: [0, 0, .3, .25, .25, .2], 4: [0, 0, .95, .05, 0, 0]}

    def step(tokens, state):
        probs = np.array([table.get(int(t), [1, 0, 0, 0, 0, 0]) for t in np.asarray(tokens)])
        return np.log(np.maximum(probs, 1e-9)).astype("float32"), state

    state = np.zeros((1, 1), "float32")
    assert list(greedy_decode(step, state, 1, 5, 1, 2)[0]) == [3, 2]
    beam_state = np.zeros((2, 1), "float32")
    assert list(beam_search(step, beam_state, 1, 5, beam_width=2, start_id=1, end_id=2, alpha=0)[0]) == [4, 2]


def test_beam_search_rejects_bad_arguments():
    with pytest.raises(ValueError, match="beam_width must be a positive int"):
        beam_search(None, None, 1, 5, beam_width=0)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        beam_search(None, None, 1, 5, beam_width=2, alpha=-1)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        beam_search(None, None, 0, 5)
    with pytest.raises(ValueError, match="max_len must be a positive int"):
        greedy_decode(None, None, 1, 2.5)
    with pytest.raises(ValueError, match="two different ids other than padding"):
        greedy_decode(None, None, 1, 5, start_id=2, end_id=2)


# --- Beam search against exhaustive search -------------------------------------------------
# A toy "decoder" whose next-token logits are a fixed random function of the whole prefix: the
# state carries the prefix as an integer code (code * V + token), so any search can be checked
# by enumerating every output sequence.
V_SMALL, START, END = 5, 1, 2          # ids: 0 padding, 1 <s>, 2 </s>, 3 and 4 symbols


def _logits_of(code):
    return np.random.default_rng([7, int(code)]).normal(scale=2.0, size=V_SMALL).astype("float32")


def _prefix_step(tokens, state):
    codes = np.asarray(state)[:, 0] * V_SMALL + np.asarray(tokens)
    return np.stack([_logits_of(c) for c in codes]), codes[:, None]


def _log_softmax(x):
    x = x.astype("float64")
    return x - x.max() - np.log(np.exp(x - x.max()).sum())


def _exhaustive(root, max_len, alpha):
    """Best sequence over all outputs (ending in </s>, or max_len tokens without it)."""
    best = (-np.inf, None)
    allowed = [t for t in range(V_SMALL) if t not in (0, START)]

    def visit(code, prefix, score):
        nonlocal best
        logp = _log_softmax(_logits_of(code))
        for t in allowed:
            seq, total = prefix + [t], score + logp[t]
            if t == END or len(seq) == max_len:
                ranked = total / len(seq) ** alpha
                if ranked > best[0]:
                    best = (ranked, seq)
            else:
                visit(code * V_SMALL + t, seq, total)

    visit(root * V_SMALL + START, [], 0.0)
    return best[1]


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("max_len", [1, 3, 4])
def test_wide_beam_search_is_exhaustive_search(alpha, max_len):
    roots = [0, 11, 23]                                  # three examples, three different "models"
    K = 32                                               # > every hypothesis there is (31 at max_len 4)
    state = np.repeat(np.array(roots, "int64")[:, None], K, axis=0)
    found = beam_search(_prefix_step, state, len(roots), max_len, beam_width=K,
                        start_id=START, end_id=END, alpha=alpha)
    for row, root in zip(found, roots):
        n = int(np.flatnonzero(row == END)[0]) + 1 if END in row else max_len
        assert list(row[:n]) == _exhaustive(root, max_len, alpha)
        assert np.all(row[n:] == 0)


def test_decoding_never_generates_padding_or_start():
    def step(tokens, state):          # padding and <s> are the most likely ids at every step
        logits = np.tile(np.array([9.0, 8.0, -2.0, 1.0, 0.5], "float32"), (len(np.asarray(tokens)), 1))
        return logits, state
    greedy = greedy_decode(step, np.zeros((2, 1)), 2, max_len=4, start_id=START, end_id=END)
    beam = beam_search(step, np.zeros((6, 1)), 2, max_len=4, beam_width=3, start_id=START, end_id=END)
    for out in (greedy, beam):
        assert out.shape[1] == 4 and not np.isin(out, [0, START]).any()


# --- One compiled model, any target width ------------------------------------------------------
@pytest.mark.parametrize("attention", [None, "luong", "bahdanau"])
def test_one_compiled_model_takes_any_target_width(attention):
    keras.utils.set_random_seed(0)
    model = training.compile_seq2seq(Seq2Seq(V, embed_dim=8, units=H, attention=attention))
    rng = np.random.default_rng(0)
    training.build_optimizer(model, (rng.integers(3, V, (1, S)), rng.integers(3, V, (1, 5))))   # faster on TF
    for width in (5, 8, 6):                              # Keras relaxes the traced width to None
        src, tgt = rng.integers(3, V, (6, S)), rng.integers(3, V, (6, width))
        model.fit((src, tgt), tgt, epochs=1, batch_size=3, verbose=0)
        loss, _ = model.evaluate((src, tgt), tgt, batch_size=3, verbose=0)
        assert np.isfinite(loss)
        assert model.predict((src, tgt), batch_size=3, verbose=0).shape == (6, width, V)


# --- Bad input is a clear ValueError ----------------------------------------------------------
SRC = np.array([[4, 5, 6, 0], [7, 8, 0, 0]])


@pytest.mark.parametrize("call, message", [
    (lambda m: m((SRC, np.ones((3, T), "int32"))), "same batch size"),
    (lambda m: m((SRC.astype("float32"), np.ones((2, T), "int32"))), "integer token ids"),
    (lambda m: m((SRC, np.ones((2, T), "float32"))), "integer token ids"),
    (lambda m: m.greedy_decode(SRC - 5, 3), r"must lie in \[0, 11\)"),
    (lambda m: m.greedy_decode(SRC + V, 3), r"must lie in \[0, 11\)"),
    (lambda m: m.greedy_decode(SRC + 0.5, 3), "integer token ids"),
    (lambda m: m.greedy_decode(np.zeros((0, 4), "int32"), 3), "empty"),
    (lambda m: m.greedy_decode(np.zeros((2, 0), "int32"), 3), "empty"),
    (lambda m: m.greedy_decode(np.array([[4, 5], [0, 0]]), 3), "nothing but padding"),
    (lambda m: m.greedy_decode(SRC, 0), "max_len must be a positive int"),
    (lambda m: m.beam_decode(SRC + V, 3), r"must lie in \[0, 11\)"),
    (lambda m: m.beam_decode(np.array([[0, 0]]), 3), "nothing but padding"),
], ids=["batch", "float src", "float tgt", "negative", "too large", "not integer", "no rows", "no columns",
        "empty row", "max_len", "beam too large", "beam empty row"])
@pytest.mark.parametrize("attention", [None, "bahdanau"])
def test_bad_inputs_to_the_model_say_what_was_expected(attention, call, message):
    model = Seq2Seq(V, embed_dim=8, units=H, attention=attention)
    with pytest.raises(ValueError, match=message):
        call(model)


@pytest.mark.parametrize("kwargs, message", [
    ({"score": "general"}, "has none"),
    ({"attention": "bahdanau", "score": "dot"}, "has none"),
    ({"start_id": 0}, "two different ids"),
    ({"start_id": 2, "end_id": 2}, "two different ids"),
    ({"end_id": V}, "two different ids"),
    ({"units": 0}, "units must be a positive int"),
])
def test_options_that_would_be_ignored_or_wrong_are_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Seq2Seq(V, **kwargs)


def test_sizes_may_be_numpy_ints_and_attention_units_is_checked():
    from attention_course.seq2seq import BahdanauDecoder
    model = Seq2Seq(np.int64(V), embed_dim=np.int32(8), units=np.int64(H), attention="bahdanau")
    assert model((SRC, np.ones((2, T), "int32"))).shape == (2, T, V) and type(model.units) is int
    with pytest.raises(ValueError, match="attention_units must be a positive int"):
        BahdanauDecoder(V, attention_units=0)


def test_output_length_counts_up_to_and_with_the_end_token():
    from attention_course.seq2seq import output_length
    assert output_length([5, 6, 2, 0, 0], end_id=2) == 3
    assert output_length([5, 6, 7], end_id=2) == 3
    assert output_length([2, 0], end_id=2) == 1


# --- Issue 25, part 4: bad ids in a direct call are a clear error, never a wrong number -----
TGT = np.array([[1, 4, 5], [1, 7, 0]])


@pytest.fixture(scope="module")
def built_models():
    """One tiny built model per decoder (bad calls fail before any arithmetic)."""
    models = {}
    for attention in (None, "luong", "bahdanau"):
        models[attention] = Seq2Seq(V, embed_dim=4, units=4, attention=attention)
        models[attention]((SRC, TGT))
    return models


@pytest.mark.parametrize("inputs, error, message", [
    ((SRC - 5, TGT), ValueError, r"src has id -5: token ids must lie in \[0, 11\)"),
    ((SRC, TGT - 3), ValueError, r"tgt_in has id -3: token ids must lie in \[0, 11\)"),
    ((SRC + V, TGT), ValueError, r"src has id 1[1-9]: token ids must lie in \[0, 11\)"),
    ((SRC, TGT + V), ValueError, r"tgt_in has id 1[1-9]: token ids must lie in \[0, 11\)"),
    ((SRC.astype("float32"), TGT), TypeError, "src must be integer token ids, got float32"),
    ((SRC, TGT.astype("float32")), TypeError, "tgt_in must be integer token ids, got float32"),
    ((SRC[:, :0], TGT), ValueError, r"src is empty \(shape \(2, 0\)\)"),
    ((SRC, TGT[:, :0]), ValueError, r"tgt_in is empty \(shape \(2, 0\)\)"),
    ((SRC, TGT[:1]), ValueError, "src and tgt_in must have the same batch size, got 2 and 1"),
    ((np.array([[4, 5], [0, 0]]), TGT), ValueError, r"src rows \[1\] are nothing but padding"),
    ((SRC, np.array([[1, 4, 5], [0, 0, 0]])), ValueError, r"tgt_in rows \[1\] are nothing but padding"),
], ids=["negative src", "negative tgt_in", "src too large", "tgt_in too large", "float src", "float tgt_in",
        "S=0", "T=0", "batch", "padding src row", "padding tgt_in row"])
@pytest.mark.parametrize("attention", [None, "luong", "bahdanau"])
def test_a_direct_model_call_refuses_bad_ids(built_models, attention, inputs, error, message):
    with pytest.raises(error, match=message):
        built_models[attention](inputs)


def test_the_layers_check_ids_and_batch_sizes_in_an_eager_call(built_models):
    enc = np.zeros((2, 4, 4), "float32")
    state, mask = np.zeros((2, 4), "float32"), SRC != 0
    with pytest.raises(ValueError, match=r"src has id -1"):
        built_models[None].encoder(SRC - 1)
    with pytest.raises(ValueError, match=r"tgt_in has id 14: token ids must lie in \[0, 11\)"):
        built_models[None].decoder(TGT + 7, state)
    with pytest.raises(ValueError, match="tgt_in and state must have the same batch size"):
        built_models[None].decoder(TGT, state[:1])
    with pytest.raises(ValueError, match="tgt_in and state must have the same batch size"):
        built_models["luong"].decoder(TGT, np.zeros((3, 4), "float32"), enc, mask)
    with pytest.raises(ValueError, match="tgt_in and enc_mask must have the same batch size"):
        built_models["bahdanau"].decoder(TGT, state, enc, mask[:1])
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        Encoder(0)


def test_decoding_refuses_a_state_of_another_batch_size_and_non_integer_sizes(built_models):
    def step(tokens, state):
        return keras.ops.zeros((tokens.shape[0], V)), state

    with pytest.raises(ValueError, match="state has 3 rows .* but batch_size = 2"):
        greedy_decode(step, np.zeros((3, 4), "float32"), 2, 3)
    with pytest.raises(ValueError, match=r"state has 3 rows .* but batch_size \* beam_width = 4"):
        beam_search(step, np.zeros((3, 4), "float32"), 2, 3, beam_width=2)
    with pytest.raises(ValueError, match="beam_width must be a positive int, got 2.5"):
        built_models[None].beam_decode(SRC, 3, beam_width=2.5)
    with pytest.raises(ValueError, match="max_len must be a positive int, got '3'"):
        built_models[None].greedy_decode(SRC, "3")


def test_fit_evaluate_and_predict_check_array_inputs_before_tracing(built_models):
    model = training.compile_seq2seq(built_models[None])
    with pytest.raises(ValueError, match=r"x\[0\] \(src\) has id -5"):
        model.predict((SRC - 5, TGT), verbose=0)
    with pytest.raises(ValueError, match=r"y \(the targets\) has id 1[1-9]"):
        model.evaluate((SRC, TGT), TGT + V, verbose=0)
    with pytest.raises(ValueError, match=r"y \(the targets\) must have tgt_in's shape \(2, 3\)"):
        model.evaluate((SRC, TGT), TGT[:, :2], verbose=0)
    with pytest.raises(TypeError, match=r"validation_data\[0\]\[1\] \(tgt_in\) must be integer token ids"):
        model.fit((SRC, TGT), TGT, validation_data=((SRC, TGT * 1.0), TGT), verbose=0)


def test_the_checks_change_no_number_and_pass_any_integer_dtype(built_models):
    model = built_models["bahdanau"]
    logits = to_np(model((SRC, TGT)))
    enc_outputs, state, mask = model.encoder(SRC)
    np.testing.assert_array_equal(logits, to_np(model.decode(TGT, state, enc_outputs, mask)[0]))
    np.testing.assert_array_equal(logits, to_np(model((SRC.astype("int64"), keras.ops.convert_to_tensor(TGT)))))
    np.testing.assert_array_equal(logits, model.predict((SRC, TGT), verbose=0))
