import keras
import numpy as np
import pytest

from attention_course import gradients


def test_task_and_gradient_shapes():
    x, y = gradients.recall_first_task(n=6, length=9, n_symbols=4, seed=0)
    assert x.shape == (6, 9, 4) and y.shape == (6,)
    np.testing.assert_array_equal(x[:, 0].argmax(-1), y)
    model = gradients.rnn_classifier("GRU", 4, 4, units=8)
    norms = gradients.gradient_norms_by_distance(model, x, y)
    assert norms.shape == (9,) and np.all(np.isfinite(norms))


def test_norms_are_indexed_by_distance_from_the_end():
    # A model that reads only the last time step: all gradient sits at distance 0.
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs[:, -1]))
    x, y = np.random.default_rng(0).normal(size=(4, 5, 3)), np.array([0, 1, 0, 1])
    norms = gradients.gradient_norms_by_distance(model, x, y)
    assert norms[0] > 0 and np.all(norms[1:] == 0)


def test_bad_inputs_are_clear_errors():
    model = gradients.rnn_classifier("LSTM", 3, 2, units=4)
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        gradients.gradient_norms_by_distance(model, np.zeros((4, 3)), np.zeros(4, int))
    with pytest.raises(ValueError, match="same batch size"):
        gradients.gradient_norms_by_distance(model, np.zeros((4, 5, 3)), np.zeros(3, int))
    with pytest.raises(ValueError, match="unknown RNN kind"):
        gradients.rnn_classifier("Transformer", 3, 2)


def test_geometric_mean_averages_in_log_space_and_floors_zeros():
    runs = np.array([[1e-2, 1e-6], [1e-4, 0.0]])
    g = gradients.geometric_mean(runs)
    assert g[0] == pytest.approx(1e-3)
    assert 0 < g[1] < 1e-6 and np.isfinite(g[1])


def test_input_gradient_is_exact_on_every_backend():
    """d/dx of sum(x**3) is 3 x**2, whichever backend Keras runs (CI runs this under JAX too)."""
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
    grad = gradients.input_gradient(lambda t: keras.ops.sum(t ** 3), keras.ops.convert_to_tensor(x))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), 3 * x ** 2, rtol=1e-6)


def test_tiny_gradients_are_measured_not_flushed_to_zero():
    """A gradient of 1e-25 is representable in float32, but its square is not: the norm must
    not square in float32."""
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Rescaling(1e-25)(inputs)[:, -1]))
    x, y = np.random.default_rng(0).normal(size=(4, 5, 3)), np.array([0, 1, 0, 1])
    norms = gradients.gradient_norms_by_distance(model, x, y)
    assert 1e-28 < norms[0] < 1e-22 and np.all(norms[1:] == 0)


def test_labels_and_sizes_that_do_not_fit_are_clear_errors():
    model = gradients.rnn_classifier("GRU", 3, 2, units=4)
    x = np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match=r"y must be integer class labels in \[0, 2\)"):
        gradients.gradient_norms_by_distance(model, x, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"y must be integer class labels in \[0, 2\).*0 to 7"):
        gradients.gradient_norms_by_distance(model, x, np.array([0, 7]))
    with pytest.raises(ValueError, match="n must be a positive int, got 2.5"):
        gradients.recall_first_task(2.5, 3)
    with pytest.raises(ValueError, match="n_classes must be a positive int"):
        gradients.rnn_classifier("GRU", 3, 0)
