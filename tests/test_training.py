import keras
import numpy as np
import pandas as pd
import pytest

from attention_course import training

rng = np.random.default_rng(0)


def test_padding_never_counts_in_the_loss():
    y = np.array([[3, 4, 2, 0, 0], [5, 2, 0, 0, 0]])
    logits = rng.normal(size=(2, 5, 6)).astype("float32")
    other = logits.copy()
    other[y == 0] = rng.normal(size=other[y == 0].shape) * 50  # change only padded positions
    loss = training.masked_loss()
    assert float(loss(y, logits)) == pytest.approx(float(loss(y, other)), rel=1e-6)
    # ...and the value is the mean cross-entropy over the five real tokens
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    real = np.argwhere(y != 0)
    expected = -np.mean([logp[i, t, y[i, t]] for i, t in real])
    assert float(loss(y, logits)) == pytest.approx(expected, rel=1e-5)


def test_padding_never_counts_in_accuracy():
    y = np.array([[3, 4, 0, 0]])
    pred = keras.ops.one_hot(np.array([[3, 1, 1, 1]]), 6)  # right on 1 of 2 real tokens
    metric = training.MaskedAccuracy()
    metric.update_state(y, pred)
    assert float(metric.result()) == pytest.approx(0.5)


def test_sequence_scores_compare_up_to_end_of_sequence():
    tgt_out = np.array([[5, 4, 2, 0], [5, 4, 2, 0], [5, 4, 2, 0]])
    pred = np.array([[5, 4, 2], [5, 3, 2], [5, 4, 4]])  # right, one wrong, no </s>
    exact, token = training.sequence_scores(pred, tgt_out, end_id=2)
    np.testing.assert_array_equal(exact, [True, False, False])
    np.testing.assert_allclose(token, [1, 2 / 3, 2 / 3])


def test_length_buckets_and_bad_edges():
    labels = training.length_buckets([4, 9, 10, 40], [4, 10, 41])
    assert list(labels) == ["4-9", "4-9", "10-40", "10-40"]
    with pytest.raises(ValueError, match="outside the edges"):
        training.length_buckets([3], [4, 10])
    with pytest.raises(ValueError, match="increasing"):
        training.length_buckets([5], [10, 4])


def test_mean_std_over_seeds():
    a = pd.DataFrame({"n": [3, 4], "exact_match": [1.0, 0.5]}, index=["4-9", "10-15"])
    b = pd.DataFrame({"n": [3, 4], "exact_match": [0.0, 0.5]}, index=["4-9", "10-15"])
    combined = training.mean_std([a, b])
    assert list(combined[("n", "")]) == [3, 4]  # a count, not averaged
    assert combined.loc["4-9", ("exact_match", "mean")] == pytest.approx(0.5)
    assert combined.loc["4-9", ("exact_match", "std")] == pytest.approx(np.std([1, 0], ddof=1))
    assert list(combined.index) == ["4-9", "10-15"]


def test_fit_rejects_mismatched_splits():
    split = {"src": np.zeros((4, 3)), "tgt_in": np.zeros((3, 4)), "tgt_out": np.zeros((4, 4))}
    with pytest.raises(ValueError, match="same number of rows"):
        training.fit(None, split, split, epochs=1)
    with pytest.raises(ValueError, match="missing"):
        training.fit(None, {"src": split["src"]}, split, epochs=1)


class _Model:                               # what fit and accuracy_by_length need to know of a model
    vocab_size, end_id = 6, 2


GOOD = {"src": np.array([[3, 4, 0]]), "tgt_in": np.array([[1, 4, 3]]), "tgt_out": np.array([[4, 3, 2]]),
        "src_len": np.array([2])}


@pytest.mark.parametrize("call, message", [
    (lambda: training.sequence_scores(np.zeros((0, 3), int), np.zeros((0, 3), int), 2), "at least one sequence"),
    (lambda: training.sequence_scores(np.array([[4, 2]]), np.array([[0, 0]]), 2), "nothing but padding"),
    (lambda: training.sequence_scores(np.array([[4, 2]]), np.array([[4, 2], [4, 2]]), 2), "same B"),
    (lambda: training.length_buckets([], [4, 10]), "non-empty"),
    (lambda: training.fit(_Model(), {**GOOD, "tgt_out": GOOD["tgt_out"] + 4}, GOOD, 1), r"must lie in \[0, 6\)"),
    (lambda: training.fit(_Model(), GOOD, {**GOOD, "src": GOOD["src"] * 0.5}, 1), "integer token ids"),
    (lambda: training.fit(_Model(), {**GOOD, "src": np.zeros((1, 3), int)}, GOOD, 1), "nothing but padding"),
    (lambda: training.accuracy_by_length(_Model(), {**GOOD, "src_len": np.array([2, 3])}, [1, 4]),
     "same number of rows"),
    (lambda: training.accuracy_by_length(_Model(), {k: v[:0] for k, v in GOOD.items()}, [1, 4]), "empty"),
    (lambda: training.mean_std([pd.DataFrame({"a": [1.0]}, index=["x"]), pd.DataFrame({"a": [1.0]}, index=["y"])]),
     "same buckets"),
], ids=["no sequences", "padding reference", "batch", "no lengths", "id too large", "float ids", "empty source",
        "src_len", "empty split", "tables differ"])
def test_bad_inputs_to_the_evaluation_helpers_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_length_batches_cover_every_example_once_with_little_padding():
    from attention_course import toy_tasks
    split = toy_tasks.make_splits(n_train=1000, n_val=10, n_test=10, seed=0)[0]
    np.random.seed(0)
    batches = training.LengthBatches(split, batch_size=64)
    seen, padded = [], 0
    for i in range(len(batches)):
        (src, tgt_in), tgt_out = batches[i]
        assert src.shape[0] == tgt_in.shape[0] == tgt_out.shape[0] and tgt_in.shape == tgt_out.shape
        assert src.shape[1] % 8 == 0 and tgt_in.shape[1] % 8 == 0
        # nothing but padding was cut: the batch holds every real token of its rows
        assert (src != 0).sum() == (split["src"][batches.batches[i]] != 0).sum()
        assert (tgt_out != 0).sum() == (split["tgt_out"][batches.batches[i]] != 0).sum()
        seen += list(batches.batches[i])
        padded += src.size
    assert sorted(seen) == list(range(1000))
    assert padded < 0.8 * split["src"].size           # shorter than padding everything to 40
    # Keras's TensorFlow adapter reads the shapes of the first two batches: they must differ
    (a, b), _ = batches[0]
    (c, d), _ = batches[1]
    assert a.shape[1] != c.shape[1] and b.shape[1] != d.shape[1]
    order = [list(b) for b in batches.batches]
    batches.on_epoch_end()
    assert [list(b) for b in batches.batches] != order       # a new order every epoch
    fixed = training.LengthBatches(split, batch_size=64, shuffle=False)
    assert np.concatenate(fixed.batches).tolist() == sorted(
        range(1000), key=lambda i: (fixed.src_width[i], fixed.tgt_width[i]))


def test_fit_by_length_trains_on_any_backend():
    from attention_course import toy_tasks
    train, val, _ = toy_tasks.make_splits(n_train=300, n_val=40, n_test=10, seed=0)
    model = toy_tasks.length_model("bahdanau", 1e-3)
    history = training.fit(model, train, val, epochs=2, batch_size=64, verbose=False, by_length=True)
    assert len(history.history["val_loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_length_batches_reject_bad_input():
    split = {"src": np.zeros((4, 3), int), "tgt_in": np.zeros((4, 4), int), "tgt_out": np.zeros((4, 4), int)}
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        training.LengthBatches(split, batch_size=0)
    with pytest.raises(ValueError, match="same number of rows"):
        training.LengthBatches({**split, "tgt_in": np.zeros((3, 4), int)})


def _tiny_seq2seq(vocab):
    """(src, tgt_in) -> logits (B, T, vocab): embeddings and one Dense, quick to trace."""
    src, tgt_in = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    context = keras.ops.mean(keras.layers.Embedding(vocab, 4)(src), axis=1, keepdims=True)   # (B, 1, 4)
    model = keras.Model((src, tgt_in), keras.layers.Dense(vocab)(keras.layers.Embedding(vocab, 4)(tgt_in) + context))
    model.compile(optimizer="adam", loss=training.masked_loss())
    return model


def test_a_time_budget_stops_training_mid_epoch():
    model = _tiny_seq2seq(40)
    split = {"src": rng.integers(3, 40, (64, 6)), "tgt_in": rng.integers(3, 40, (64, 5)),
             "tgt_out": rng.integers(3, 40, (64, 5))}
    history = training.fit(model, split, split, epochs=3, batch_size=8, verbose=False, budget_s=1e-9)
    assert history.budget.steps == 1 and len(history.history["val_loss"]) == 1
    with pytest.raises(ValueError, match="positive number of seconds"):
        training.TimeBudget(0)


def test_building_the_optimizer_first_changes_no_number():
    def trained(build_first):
        keras.utils.set_random_seed(0)
        model = _tiny_seq2seq(20)
        split = {key: np.random.default_rng(1).integers(3, 20, (32, 5)) for key in ("src", "tgt_in", "tgt_out")}
        if build_first:
            training.build_optimizer(model, (split["src"][:1], split["tgt_in"][:1]))
            assert model.optimizer.built and len(model.optimizer.variables) > 1
        model.fit((split["src"], split["tgt_in"]), split["tgt_out"], epochs=2, batch_size=8, verbose=0)
        return model.get_weights()

    for a, b in zip(trained(False), trained(True)):
        np.testing.assert_array_equal(a, b)


# --- Issue 25, part 4: losses, metrics and helpers refuse what does not fit -------------------
Y = np.array([[3, 4, 0], [5, 2, 0]])
LOGITS = rng.normal(size=(2, 3, 6)).astype("float32")


@pytest.mark.parametrize("call, message", [
    (lambda: training.masked_loss()(Y, LOGITS[:, :2]),
     r"masked_loss: expected targets y_true \(batch, time\) and scores y_pred \(batch, time, vocab\) "
     r"with the same batch and time, got y_true \(2, 3\) and y_pred \(2, 2, 6\)"),
    (lambda: training.masked_loss()(Y + 3, LOGITS), r"masked_loss: y_true has id [6-9]\.0: target ids must be "
                                                    r"integers in \[0, 6\)"),
    (lambda: training.masked_loss()(Y - 9, LOGITS), r"masked_loss: y_true has id -\d\.0"),
    (lambda: training.masked_loss()(Y + 0.5, LOGITS), r"masked_loss: y_true has id 3\.5"),
    (lambda: training.MaskedAccuracy().update_state(Y, LOGITS[:, :2]), r"MaskedAccuracy: expected targets .* "
                                                                        r"got y_true \(2, 3\) and y_pred \(2, 2, 6\)"),
    (lambda: training.MaskedAccuracy().update_state(Y + 3, LOGITS), r"MaskedAccuracy: y_true has id [6-9]"),
    (lambda: training.length_buckets([4, 5], [4, 4, 10]), r"edges must be at least two strictly increasing numbers.*"
                                                          r"got \[4, 4, 10\]"),
    (lambda: training.fit(_Model(), GOOD, GOOD, 1, batch_size=0), "batch_size must be a positive int, got 0"),
    (lambda: training.fit(_Model(), GOOD, GOOD, 0), "epochs must be a positive int, got 0"),
    (lambda: training.accuracy_by_length(_Model(), GOOD, [1, 4], batch_size=0), "batch_size must be a positive int"),
    (lambda: training.length_sorted_batches((np.array([1, 2]),), 0), "batch_size must be a positive int"),
    (lambda: training.LengthBatches(GOOD, pool=0), "pool must be a positive int"),
    (lambda: training.sequence_scores(np.array([[1.5]]), np.array([[2]]), 2), "pred must be integer token ids"),
], ids=["loss lengths", "loss id too large", "loss negative id", "loss fractional id", "accuracy lengths",
        "accuracy id too large", "equal edges", "fit batch_size 0", "epochs 0", "accuracy_by_length batch_size 0",
        "length_sorted_batches batch_size 0", "pool 0", "float pred"])
def test_bad_targets_sizes_and_edges_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_masked_loss_is_keras_cross_entropy_and_round_trips():
    loss = training.masked_loss()
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    assert float(loss(Y, LOGITS)) == float(keras_loss(Y, LOGITS))
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(again, training.MaskedLoss) and again.ignore_class == 0 and again.from_logits
    metric = training.MaskedAccuracy()
    metric.update_state(Y.astype("float32"), LOGITS)           # targets as floats, as Keras may give them
    hits = (LOGITS.argmax(-1) == Y) & (Y != 0)
    assert float(metric.result()) == pytest.approx(hits.sum() / (Y != 0).sum())


def test_wilson_interval_matches_the_formula_and_stays_in_range():
    low, high = training.wilson(500, 500)
    assert high == 1.0 and 0.99 < low < 0.993          # 500 of 500: about (0.992, 1), not (1, 1)
    low, high = training.wilson(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    with pytest.raises(ValueError, match="successes must lie"):
        training.wilson(5, 4)


def test_bucket_intervals_pair_seeds_on_the_same_sequences():
    buckets = pd.Categorical(["4-9"] * 4 + ["10-15"] * 4, categories=["4-9", "10-15"], ordered=True)
    seed_a = pd.DataFrame({"bucket": buckets, "exact_match": [1, 1, 1, 1, 1, 0, 0, 0],
                           "token_accuracy": [1, 1, 1, 1, 1, .5, .5, .5]})
    seed_b = seed_a.assign(exact_match=[1, 1, 1, 0, 1, 1, 0, 0])
    table = training.bucket_intervals([seed_a, seed_b])
    assert table.loc["4-9", ("n", "")] == 4
    assert table.loc["4-9", ("exact_match", "mean")] == pytest.approx(7 / 8)
    assert table.loc["4-9", ("exact_match", "seed std")] == pytest.approx(np.std([1, .75], ddof=1))
    low, high = training.wilson(3.5, 4)
    assert table.loc["4-9", ("exact_match", "low")] == pytest.approx(low)
    assert table.loc["10-15", ("token_accuracy", "low")] <= 0.625 <= table.loc["10-15", ("token_accuracy", "high")]
    with pytest.raises(ValueError, match="same test sequences"):
        training.bucket_intervals([seed_a, seed_a.iloc[:5]])


def test_quantile_edges_cut_validation_lengths_into_equal_groups():
    lengths = np.repeat([2, 4, 6, 8], 25)
    assert training.quantile_edges(lengths, [.25, .5, .75], low=1, high=17) == [1, 4, 6, 8, 17]
    assert training.quantile_edges(np.full(10, 5), [.5], low=1, high=17) == [1, 5, 17]   # ties merge
    with pytest.raises(ValueError, match=r"\[low, high\)"):
        training.quantile_edges(lengths, [.5], low=3, high=17)
    with pytest.raises(ValueError, match="fractions"):
        training.quantile_edges(lengths, [50], low=1, high=17)


def test_with_wilson_adds_the_interval_of_each_bucket_mean():
    summary = training.mean_std([_table_for_wilson(1.0), _table_for_wilson(0.5)])
    table = training.with_wilson(summary)
    assert (table[("exact_match", "low")].to_numpy() == pytest.approx([training.wilson(75, 100)[0]]))
    with pytest.raises(ValueError, match="mean_std"):
        training.with_wilson(summary.drop(columns=[("n", "")]))


def _table_for_wilson(value):
    return pd.DataFrame({"n": [100], "exact_match": [value]}, index=["4-9"])
