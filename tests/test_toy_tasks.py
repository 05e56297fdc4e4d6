import numpy as np
import pytest

from attention_course import toy_tasks as tt


def test_generator_is_deterministic_for_a_seed():
    assert tt.make_pairs("reverse", 50, seed=3) == tt.make_pairs("reverse", 50, seed=3)
    assert tt.make_pairs("reverse", 50, seed=3) != tt.make_pairs("reverse", 50, seed=4)


def test_targets_follow_the_task_and_lengths_stay_in_range():
    for src, tgt in tt.make_pairs("reverse", 200, min_len=4, max_len=9, seed=0):
        assert tgt == src[::-1] and 4 <= len(src) <= 9
    assert all(s == t for s, t in tt.make_pairs("copy", 20, seed=0))


def test_splits_do_not_share_sources():
    train, val, test = tt.make_splits(n_train=300, n_val=50, n_test=50, min_len=4, max_len=6, seed=1)
    rows = [set(map(bytes, split["src"])) for split in (train, val, test)]
    assert not (rows[0] & rows[1]) and not (rows[0] & rows[2]) and not (rows[1] & rows[2])


def test_arrays_have_the_documented_layout():
    arrays = tt.to_arrays([("abc", "cba")], max_len=5)
    np.testing.assert_array_equal(arrays["src"], [[3, 4, 5, 0, 0]])
    np.testing.assert_array_equal(arrays["tgt_in"], [[tt.START, 5, 4, 3, 0, 0]])
    np.testing.assert_array_equal(arrays["tgt_out"], [[5, 4, 3, tt.END, 0, 0]])
    np.testing.assert_array_equal(arrays["src_len"], [3])
    assert tt.decode(arrays["tgt_out"][0]) == "cba"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tt.make_pairs("sort", 5), "unknown task 'sort'; expected one of"),
        (lambda: tt.make_pairs("reverse", 5, min_len=9, max_len=4), "min_len <= max_len"),
        (lambda: tt.make_pairs("reverse", 0), "n must be a positive int, got 0"),
        (lambda: tt.encode("abz"), "symbols"),
        (lambda: tt.to_arrays([("abcdef", "fedcba")], max_len=4), "longer than max_len=4"),
    ],
)
def test_bad_arguments_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_length_experiment_sizes_follow_quick_mode(monkeypatch):
    from attention_course import config

    monkeypatch.setenv(config.QUICK_ENV, "1")
    quick = tt.length_experiment()
    assert [len(quick[k]["src"]) for k in ("train", "val", "test")] == [500, 100, 300]
    assert quick["epochs"] == 1 and quick["seeds"] == [0, 1] and quick["edges"] == tt.LENGTH_EDGES
    monkeypatch.delenv(config.QUICK_ENV)
    full = tt.length_experiment()
    assert len(full["train"]["src"]) == 30_000 and full["epochs"] == 5 and full["batch_size"] == 128


def test_length_experiment_learning_rate_decays_from_peak_to_zero_over_the_run():
    experiment = tt.length_experiment()
    steps = experiment["epochs"] * -(-len(experiment["train"]["src"]) // experiment["batch_size"])
    rate = experiment["learning_rate"]
    assert float(rate(0)) == pytest.approx(3e-3)
    assert float(rate(steps // 2)) == pytest.approx(1.5e-3, rel=1e-2)
    assert float(rate(steps)) == pytest.approx(0.0, abs=1e-9)


def test_length_model_and_alignment_of_one_source():
    model = tt.length_model("bahdanau", 3e-3)
    assert model.attention == "bahdanau" and model.embed_dim == 64 and model.units == 128
    src = tt.to_arrays([("abcde", "edcba")], max_len=9)["src"][0]            # 4 padding ids
    source, output, weights = tt.alignment(model, src)
    assert source == list("abcde")
    assert weights.shape == (len(output), 5) and 1 <= len(output) <= 10
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert "</s>" not in output[:-1]


# --- Issue 25, part 4 --------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: tt.decode([3, 99]), r"ids has id 99: token ids must lie in \[0, 23\)"),
    (lambda: tt.decode([3, -1]), r"ids has id -1: token ids must lie in \[0, 23\)"),
    (lambda: tt.decode([[3, 4]]), r"ids must be one sequence of token ids, shape \(L,\), got shape \(1, 2\)"),
    (lambda: tt.decode([3.0]), "ids must be integer token ids, got float64"),
    (lambda: tt.make_pairs("copy", 2.5), "n must be a positive int, got 2.5"),
    (lambda: tt.make_pairs("copy", 30, min_len=1, max_len=1), "n=30 distinct sources do not exist"),
    (lambda: tt.to_arrays([("ab", "ba")], max_len=0), "max_len must be a positive int"),
    (lambda: tt.alignment(None, np.array([[3, 4], [5, 0]])), r"alignment takes one source, src of shape \(S,\)"),
    (lambda: tt.alignment(None, np.zeros(4, int)), "src is nothing but padding"),
], ids=["id too large", "negative id", "2-D ids", "float ids", "float n", "too few sources", "max_len 0",
        "2-D src", "padding src"])
def test_bad_ids_and_sizes_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_decode_reads_good_ids_as_before():
    assert tt.decode(np.array([1, 3, 4, 2, 5], "int32")) == "ab" and tt.decode([]) == ""
    assert len(tt.make_pairs("copy", 20, min_len=1, max_len=1)) == 20       # every one-symbol source
