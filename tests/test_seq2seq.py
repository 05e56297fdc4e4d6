import keras
import numpy as np
import pytest

from attention_course import toy_tasks as tt
from attention_course.seq2seq import Encoder, Seq2Seq, beam_search, greedy_decode

B, S, T, V, H = 3, 7, 5, 11, 16


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
    np.testing.assert_allclose(encoder(short)[1], encoder(padded)[1], atol=1e-6)


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
    weights = np.asarray(weights)
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
    _, first = model.decoder.attention(state, enc_outputs, mask)  # s_0 = the encoder's state
    np.testing.assert_allclose(weights[:, 0], first, atol=1e-6)


def test_unknown_attention_and_weights_without_attention_are_errors():
    with pytest.raises(ValueError, match="None, 'luong' or 'bahdanau'"):
        Seq2Seq(V, attention="additive")
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


def test_beam_search_rejects_bad_widths():
    with pytest.raises(ValueError, match="beam_width and max_len must be >= 1"):
        beam_search(None, None, 1, 5, beam_width=0)


def test_output_length_counts_up_to_and_with_the_end_token():
    from attention_course.seq2seq import output_length
    assert output_length([5, 6, 2, 0, 0], end_id=2) == 3
    assert output_length([5, 6, 7], end_id=2) == 3
    assert output_length([2, 0], end_id=2) == 1
