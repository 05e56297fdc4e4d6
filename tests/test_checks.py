"""The shared input checks (attention_course.checks): clear errors on concrete values, no effect
on symbolic tensors (a graph being traced must never break)."""
import keras
import numpy as np
import pytest

from attention_course import checks


@pytest.mark.parametrize("ids, error, message", [
    (np.ones((2, 3), "float32"), TypeError, "src must be integer token ids, got float32"),
    (np.array([["a"]]), TypeError, "src must be integer token ids"),
    (np.array([[1, -1]]), ValueError, r"src has id -1: token ids must lie in \[0, 5\) \(0 to vocab_size - 1 = 4\)"),
    (np.array([[1, 5]]), ValueError, r"src has id 5: token ids must lie in \[0, 5\)"),
    (np.ones((2, 0), "int32"), ValueError, r"src is empty \(shape \(2, 0\)\)"),
    (np.ones((0, 2), "int32"), ValueError, r"src is empty \(shape \(0, 2\)\)"),
    (np.ones(3, "int32"), ValueError, r"src must be token ids of shape \(batch, time\), got shape \(3,\)"),
    (keras.ops.convert_to_tensor([[1, 9]]), ValueError, r"src has id 9"),
], ids=["float", "str", "negative", "too large", "no columns", "no rows", "rank 1", "eager tensor"])
def test_token_ids_name_the_argument_and_what_was_expected(ids, error, message):
    with pytest.raises(error, match=message):
        checks.token_ids(ids, "src", 5)


def test_a_float_id_error_is_also_a_value_error_as_before():
    with pytest.raises(ValueError):
        checks.token_ids(np.ones((1, 1)), "src", 5)


def test_good_ids_pass_and_symbolic_ones_are_skipped():
    assert checks.token_ids([[0, 4]], "src", 5) is None
    assert checks.token_ids(np.zeros((2, 0), "int32"), "src", 5, allow_empty=True) is None
    assert checks.token_ids(np.array([[7]]), "pred", None) is None              # no vocabulary: >= 0 only
    checks.token_ids(keras.KerasTensor((None, 3), "float32"), "src", 5)         # symbolic: no values to see
    checks.padding_rows(keras.KerasTensor((None, 3), "int32"), "src")
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        @tf.function
        def traced(x):
            checks.token_ids(x, "src", 5)                                         # skipped while tracing
            return x + 0
        assert traced(tf.constant([[9]])).numpy().tolist() == [[9]]


def test_padding_rows_same_batch_and_positive_int():
    with pytest.raises(ValueError, match=r"src rows \[1\] are nothing but padding \(id 0\)"):
        checks.padding_rows(np.array([[3, 0], [0, 0]]), "src")
    checks.padding_rows(np.array([[3, 0], [0, 4]]), "src")
    with pytest.raises(ValueError, match=r"src and tgt_in must have the same batch size, got 2 and 3"):
        checks.same_batch(np.zeros((2, 4)), np.zeros((3, 1)), "src", "tgt_in")
    checks.same_batch(keras.KerasTensor((None, 4)), np.zeros((3, 1)), "src", "tgt_in")   # unknown size: fine
    assert checks.positive_int(np.int64(3), "units") == 3 and type(checks.positive_int(np.int64(3), "u")) is int
    for bad in (0, -2, 2.0, "3", True, None):
        with pytest.raises(ValueError, match="units must be a positive int"):
            checks.positive_int(bad, "units")
