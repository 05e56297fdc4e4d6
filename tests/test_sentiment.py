import keras
import numpy as np
import pytest

from attention_course import deletion, sentiment
from attention_course.attention import AttentionPooling
from attention_course.sentiment import SentimentClassifier

DESIGNS = [("last", False), ("attention", False), ("bahdanau", True), ("luong", False), ("attention", True)]


def _ids(seed=0, n=4, width=12, vocab=50):
    """Reviews of lengths 3, 5, ... padded with 0 on the right to ``width``."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((n, width), "int32")
    for i in range(n):
        length = min(3 + 2 * i, width)
        ids[i, :length] = rng.integers(1, vocab, length)
    return ids


def test_attention_pooling_matches_numpy_and_ignores_padding():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(2, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    pool = AttentionPooling(3)
    z, a = (keras.ops.convert_to_numpy(t) for t in pool(h, mask))
    W, b = (keras.ops.convert_to_numpy(w) for w in pool.W.weights)
    e = np.tanh(h @ W + b) @ keras.ops.convert_to_numpy(pool.q)
    e = np.where(mask, e, -np.inf)
    expected = np.exp(e - e.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(a, expected, atol=1e-6)
    np.testing.assert_allclose(z, np.einsum("bs,bsh->bh", expected, h), atol=1e-5)
    assert (a[0, 3:] == 0).all()


@pytest.mark.parametrize("pooling, bidirectional", DESIGNS)
def test_extra_padding_changes_no_prediction_and_padding_gets_zero_weight(pooling, bidirectional):
    model = SentimentClassifier(50, embed_dim=8, units=6, pooling=pooling, bidirectional=bidirectional,
                                attention_units=5, dropout=0.3)
    ids = _ids()
    padded = np.pad(ids, ((0, 0), (0, 9)))
    logits = keras.ops.convert_to_numpy(model(ids))
    assert logits.shape == (4,)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(padded)), logits, atol=1e-5)
    if pooling != "last":
        a = model.attention_weights(padded)
        assert a.shape == padded.shape and (a[padded == 0] == 0).all()
        np.testing.assert_allclose(a.sum(1), 1, atol=1e-5)
        np.testing.assert_allclose(a[:, :12], model.attention_weights(ids), atol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_last_state_is_the_state_after_the_last_real_token(bidirectional):
    model = SentimentClassifier(50, embed_dim=8, units=6, pooling="last", bidirectional=bidirectional)
    ids = _ids()
    one = [keras.ops.convert_to_numpy(model(row[None, :row.nonzero()[0][-1] + 1]))[0] for row in ids]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(ids)), one, atol=1e-5)


def test_classifier_trains_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 30, size=(64, 10)).astype("int32")
    label = (ids == 7).any(1).astype("int32")     # positive iff word 7 occurs
    split = {"ids": ids, "label": label}
    model = sentiment.compile_classifier(SentimentClassifier(30, embed_dim=8, units=8, pooling="bahdanau",
                                                             bidirectional=True, attention_units=4))
    history = sentiment.fit_classifier(model, split, split, epochs=2, batch_size=16, verbose=False)
    assert 1 <= history.best_epoch <= 2 and history.seconds > 0
    assert 0 <= sentiment.accuracy(model, split) <= 1
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(ids)), keras.ops.convert_to_numpy(model(ids)), atol=1e-5)


def test_review_batches_cover_every_review_once_and_predictions_keep_the_order():
    ids = _ids(n=10, width=24)
    split = {"ids": ids, "label": np.arange(10) % 2}
    batches = sentiment.ReviewBatches(split, batch_size=3, shuffle=True, multiple=4)
    assert sorted(np.concatenate(batches.batches).tolist()) == list(range(10))
    for i in range(len(batches)):
        x, y = batches[i]
        np.testing.assert_array_equal(x[x != 0], ids[batches.batches[i]][ids[batches.batches[i]] != 0])
    model = SentimentClassifier(50, embed_dim=4, units=4, pooling="attention", attention_units=3)
    np.testing.assert_allclose(sentiment.predict_logits(model, split, batch_size=3),
                               keras.ops.convert_to_numpy(model(ids)), atol=1e-5)


def test_to_ids_pads_on_the_right_and_keeps_the_chosen_end():
    vec = sentiment.make_vectorizer(["a b c d e f", "a b"], vocab_size=20)
    end, start = (sentiment.to_ids(vec, ["a b c d e f", "a b"], max_len=4, keep=k) for k in ("end", "start"))
    words = vec.get_vocabulary()
    assert [words[i] for i in end[0]] == ["c", "d", "e", "f"]
    assert [words[i] for i in start[0]] == ["a", "b", "c", "d"]
    assert end[1].tolist()[2:] == [0, 0] and end.dtype == np.int32


@pytest.mark.parametrize("call, message", [
    (lambda vec: sentiment.to_ids(vec, ["fine", ""]), "reviews \\[1\\] have no tokens"),
    (lambda vec: sentiment.to_ids(vec, ["fine", "!!"]), "no tokens"),
    (lambda vec: sentiment.to_ids(vec, "a single string"), "list of review strings"),
    (lambda vec: sentiment.to_ids(vec, [b"bytes"]), "list of review strings"),
    (lambda vec: sentiment.to_ids(vec, ["fine"], keep="middle"), "keep must be"),
    (lambda vec: SentimentClassifier(50)(np.ones((2, 3), "float32")), "integer token ids"),
    (lambda vec: SentimentClassifier(50, pooling="max"), "pooling must be one of"),
    (lambda vec: SentimentClassifier(50, units=5, bidirectional=True), "even number"),
    (lambda vec: SentimentClassifier(50, pooling="last").attention_weights(np.ones((1, 3), "int32")), "no attention"),
    (lambda vec: sentiment.fit_classifier(None, {"ids": np.ones((2, 3), "float32"), "label": [0, 1]}, {}, 1), "integers"),
    (lambda vec: sentiment.fit_classifier(None, {"ids": np.ones((2, 3), "int32"), "label": [0]}, {}, 1), "shape \\(2,\\)"),
])
def test_bad_input_says_what_was_expected(call, message):
    vec = sentiment.make_vectorizer(["fine film"], vocab_size=10)
    with pytest.raises(ValueError, match=message):
        call(vec)


def test_delete_top_k_removes_exactly_k_real_words_and_never_padding():
    ids = np.array([[5, 6, 7, 8, 0, 0], [9, 10, 11, 0, 0, 0]], "int32")
    scores = np.array([[0.1, 0.9, 0.2, 0.8, 5.0, 5.0], [0.3, 0.2, 0.1, 9.0, 9.0, 9.0]])  # padding scored high
    out = deletion.delete_top_k(ids, scores, 2)
    np.testing.assert_array_equal(out, [[5, 7, 0, 0, 0, 0], [11, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(deletion.delete_top_k(ids, scores, 0), ids)
    for k in range(3):
        r = deletion.random_scores(ids, seed=k)
        assert np.isneginf(r[ids == 0]).all()
        kept = deletion.delete_top_k(ids, r, k)
        assert ((kept != 0).sum(1) == (ids != 0).sum(1) - k).all()
        for row, new in zip(ids, kept):   # what is left keeps its order
            it = iter(row[row != 0])
            assert all(any(t == u for u in it) for t in new[new != 0])
    with pytest.raises(ValueError, match="would leave nothing"):
        deletion.delete_top_k(ids, scores, 3)
    with pytest.raises(ValueError, match="shape of ids"):
        deletion.delete_top_k(ids, scores[:, :3], 1)


def test_last_word_scores_delete_the_last_k_real_words():
    ids = np.array([[5, 6, 7, 8, 0, 0], [9, 10, 11, 0, 0, 0]], "int32")
    scores = deletion.last_word_scores(ids)
    assert np.isneginf(scores[ids == 0]).all()
    np.testing.assert_array_equal(deletion.delete_top_k(ids, scores, 2), [[5, 6, 0, 0, 0, 0], [9, 0, 0, 0, 0, 0]])


def test_gradient_x_input_is_minus_inf_at_padding_and_the_curve_starts_at_zero():
    model = SentimentClassifier(50, embed_dim=8, units=6, pooling="attention", attention_units=5)
    ids = np.pad(_ids(n=4, width=12), ((0, 0), (0, 3)))
    g = deletion.gradient_x_input(model, ids, batch_size=3)
    assert g.shape == ids.shape and np.isneginf(g[ids == 0]).all() and np.isfinite(g[ids != 0]).all()
    scores = {"attention": model.attention_weights(ids), "gradient × input": g, "random": deletion.random_scores(ids)}
    curve = deletion.deletion_curve(model, ids, scores, ks=[0, 1, 2])
    assert len(curve) == 9 and set(curve["method"]) == set(scores)
    zero = curve[curve["k"] == 0]
    assert (zero["prob_drop"].abs() < 1e-6).all() and (zero["flipped"] == 0).all()
    assert (zero["prob_drop_se"] < 1e-6).all() and (curve["prob_drop_se"] >= 0).all()
    np.testing.assert_allclose(model.attention_weights(ids, batch_size=3), scores["attention"], atol=1e-6)
