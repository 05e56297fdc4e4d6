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


# Bad input gets a clear error naming the argument, never a wrong number (issue 25, part 4)

def _small_model():
    return SentimentClassifier(50, embed_dim=4, units=4, pooling="attention", attention_units=3)


@pytest.mark.parametrize("label, error, message", [
    (["pos", "neg", "pos", "neg"], TypeError, r"split\['label'\] must be numbers 0 \(negative\) and 1 \(positive\), got dtype <U3"),
    ([0, 2, 0, 2], ValueError, r"split\['label'\] must hold only 0 \(negative\) and 1 \(positive\), got the values \[0, 2\]"),
    ([0.0, 0.5, 1.0, 1.0], ValueError, r"must hold only 0 \(negative\) and 1 \(positive\)"),
], ids=["strings", "0 and 2", "a half"])
def test_labels_that_are_not_0_or_1_are_refused(label, error, message):
    split = {"ids": _ids(), "label": label}
    model = _small_model()
    with pytest.raises(error, match=message):
        sentiment.accuracy(model, split)
    with pytest.raises(error, match=message.replace("split", "train")):
        sentiment.fit_classifier(model, split, split, epochs=1, verbose=False)
    with pytest.raises(error, match=message):
        sentiment.batches(split)
    assert 0 <= sentiment.accuracy(model, {"ids": _ids(), "label": [True, False, True, False]}) <= 1


def test_split_ids_are_checked_against_the_models_vocabulary():
    model = _small_model()
    ids = _ids()
    ids[2, 1] = 50
    with pytest.raises(ValueError, match=r"split\['ids'\] has id 50: token ids must lie in \[0, 50\)"):
        sentiment.predict_logits(model, {"ids": ids, "label": [0, 1, 0, 1]})
    with pytest.raises(ValueError, match=r"split\['ids'\] has id -\d+: token ids must be >= 0"):
        sentiment.batches({"ids": -_ids(), "label": [0, 1, 0, 1]})
    with pytest.raises(ValueError, match=r"split\['ids'\] is empty"):
        sentiment.accuracy(model, {"ids": np.zeros((0, 5), "int32"), "label": []})


def test_batch_sizes_and_counts_are_checked_before_any_work():
    split = {"ids": _ids(), "label": [0, 1, 0, 1]}
    model = _small_model()
    vec = sentiment.make_vectorizer(["fine film"], vocab_size=10)

    def never():
        raise AssertionError("run_seeds built a model before checking its arguments")
    for call in [lambda: sentiment.ReviewBatches(split, batch_size=0),
                 lambda: sentiment.predict_logits(model, split, batch_size=0),
                 lambda: sentiment.fit_classifier(model, split, split, epochs=1, batch_size=0),
                 lambda: sentiment.run_seeds(never, split, split, split, [0], epochs=1, batch_size=0),
                 lambda: sentiment.to_ids(vec, ["fine film"], batch_size=0),
                 lambda: deletion.gradient_x_input(model, _ids(), batch_size=0),
                 lambda: model.attention_weights(_ids(), batch_size=0)]:
        with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
            call()
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        sentiment.run_seeds(never, split, split, split, [0], epochs=0)
    with pytest.raises(ValueError, match="seeds is empty"):
        sentiment.run_seeds(never, split, split, split, [], epochs=1)
    with pytest.raises(ValueError, match=r"test\['label'\] must hold only 0"):
        sentiment.run_seeds(never, split, split, {"ids": _ids(), "label": [0, 2, 0, 2]}, [0], epochs=1)


def test_deletion_curve_checks_its_scores_and_ks_before_predicting():
    model = _small_model()
    ids = _ids()
    with pytest.raises(ValueError, match="scores must be a non-empty dict"):
        deletion.deletion_curve(model, ids, {}, ks=[0, 1])
    with pytest.raises(ValueError, match=r"scores\['random'\] must have the shape of ids \(4, 12\), got \(4, 3\)"):
        deletion.deletion_curve(model, ids, {"random": deletion.random_scores(ids)[:, :3]}, ks=[0, 1])
    for ks in ([], (), "12"):
        with pytest.raises(ValueError, match="ks must be a non-empty list"):
            deletion.deletion_curve(model, ids, {"random": deletion.random_scores(ids)}, ks=ks)
    with pytest.raises(ValueError, match=r"ks must hold ints >= 0 \(words to delete\), got -1"):
        deletion.deletion_curve(model, ids, {"random": deletion.random_scores(ids)}, ks=[0, -1])


def test_the_lstm_classifiers_run_under_mixed_float16():
    """Under mixed_float16 (a Colab GPU user may switch it on) every design gives finite logits,
    the float32 model's logits (to 0.02) and attention weights that still sum to 1."""
    old = keras.mixed_precision.global_policy()
    ids = _ids()
    try:
        for pooling, bidirectional in DESIGNS:
            made = {}
            for policy in ("float32", "mixed_float16"):
                keras.mixed_precision.set_global_policy(policy)
                model = SentimentClassifier(50, embed_dim=8, units=6, pooling=pooling, bidirectional=bidirectional,
                                            attention_units=5)
                model(ids)
                if made:
                    model.set_weights(made["float32"][0].get_weights())
                made[policy] = model, keras.ops.convert_to_numpy(model(ids)).astype("float32")
            logits, reference = made["mixed_float16"][1], made["float32"][1]
            assert np.isfinite(logits).all(), pooling
            np.testing.assert_allclose(logits, reference, atol=0.02)
            if pooling != "last":
                a = made["mixed_float16"][0].attention_weights(ids).astype("float32")
                assert np.isfinite(a).all() and (a[ids == 0] == 0).all()
                np.testing.assert_allclose(a.sum(1), 1, atol=1e-2)
    finally:
        keras.mixed_precision.set_global_policy(old)
