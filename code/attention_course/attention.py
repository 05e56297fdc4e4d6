"""Attention layers: a query looks at a set of encoder states and takes a weighted average.

Shapes: ``B`` batch, ``T`` query steps, ``S`` source (key/value) steps, ``H`` state size.
Every layer returns ``(context, weights)``: the context ``(B, T, H)`` and the attention
weights ``(B, T, S)``, which are >= 0, sum to 1 over ``S``, and are exactly 0 at masked
source positions.
"""
import keras
from keras import layers, ops

from .checks import mask_broadcasts, positive_int, same_batch  # noqa: F401  (positive_int: imported from here too)


def masked_softmax(scores, mask=None):
    """Softmax over the last axis that gives masked positions exactly zero weight.

    Args:
        scores: (..., S) float.
        mask: bool, broadcastable to ``scores``; True where a position may be attended to.

    Returns:
        weights, same shape as ``scores``. A row with no True position gets all zeros (not
        NaN): there is nothing to attend to, so its context is the zero vector.
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask_broadcasts(mask, scores.shape)
    mask = ops.broadcast_to(ops.cast(mask, "bool"), ops.shape(scores))
    scores = ops.where(mask, scores, ops.full_like(scores, -1e9))  # exp(-1e9 - max) == 0
    return ops.where(mask, ops.softmax(scores, axis=-1), ops.zeros_like(scores))


def _query_3d(query):
    """(B, H) -> (B, 1, H); (B, T, H) unchanged. Returns the query and whether it was 2-D."""
    if len(query.shape) == 2:
        return ops.expand_dims(query, 1), True
    if len(query.shape) == 3:
        return query, False
    raise ValueError(f"query must have shape (batch, units) or (batch, time, units), got {tuple(query.shape)}")


def _same(a, b):
    """Two static sizes agree (an unknown size, None, agrees with anything)."""
    return a is None or b is None or a == b


def _check_values(query, values, mask):
    if len(values.shape) != 3:
        raise ValueError(f"values must have shape (batch, source_time, units), got {tuple(values.shape)}")
    same_batch(query, values, "query", "values")
    if mask is not None and not (len(mask.shape) == 2 and all(map(_same, mask.shape, values.shape[:2]))):
        raise ValueError(f"mask must have shape (batch, source_time) = {tuple(values.shape[:2])}, "
                         f"got {tuple(mask.shape)}")


def _score_vector(v, hidden):
    """Apply the score vector ``v`` (a ``Dense(1)``) to ``hidden`` (B, T, S, U) -> scores (B, T, S).

    Computed as one 2-D product, (B·T·S, U) @ (U, 1), then reshaped back: the same numbers as
    ``v(hidden)``. Why not ``v(hidden)``: with Keras < 3.14 on TensorFlow 2.20-2.21 a rank-4 ×
    rank-2 matmul with a size-1 axis -- (B, 1, S, U) @ (U, 1), every decoder step -- runs
    oneDNN's CPU kernel, which corrupts the heap and kills the process (tensorflow/tensorflow#117700).
    """
    shape = ops.shape(hidden)
    scores = v(ops.reshape(hidden, (-1, shape[-1])))                         # (B·T·S, 1)
    return ops.reshape(scores, shape[:-1])                                   # (B, T, S)


def _attend(scores, values, mask, squeeze):
    """scores (B, T, S), values (B, S, H), mask (B, S) -> context (B, T, H), weights (B, T, S).

    With ``squeeze`` (a 2-D query was given) the T axis is dropped: (B, H), (B, S).
    """
    weights = masked_softmax(scores, None if mask is None else ops.expand_dims(mask, 1))
    context = ops.einsum("bts,bsh->bth", weights, values)
    if squeeze:
        return context[:, 0], weights[:, 0]
    return context, weights


@keras.saving.register_keras_serializable(package="attention_course")
class LuongAttention(layers.Layer):
    """Luong et al. (2015) attention: multiplicative scores, keys = values = encoder states.

    score(s_t, h_j) =  s_tᵀ h_j                      ``score="dot"``
                       s_tᵀ W_a h_j                  ``score="general"``
                       v_aᵀ tanh(W_a [s_t; h_j])      ``score="concat"`` (``units`` = size of v_a)
    a_tj = softmax_j(score(s_t, h_j)),   c_t = Σ_j a_tj h_j

    ``s_t`` is the decoder state (query) and ``h_j`` the encoder states (keys = values); the
    paper writes them h_t and h̄_s.

    Call: ``query`` (B, T, H) or (B, H), ``values`` (B, S, H), ``mask`` (B, S) bool ->
    ``context`` (B, T, H) or (B, H), ``weights`` (B, T, S) or (B, S).
    With ``score="dot"`` this is ``keras.layers.Attention(use_scale=False)`` with key = value.
    """

    def __init__(self, score="dot", units=None, **kwargs):
        super().__init__(**kwargs)
        if score not in ("dot", "general", "concat"):
            raise ValueError(f"score must be 'dot', 'general' or 'concat', got {score!r}")
        if score == "concat" and units is None:
            raise ValueError("score='concat' needs units, the size of v_a (a positive int)")
        if score == "concat":
            units = positive_int(units, "units (the size of v_a)")
        if score != "concat" and units is not None:
            raise ValueError(f"units is the size of v_a and only score='concat' has one; "
                             f"score={score!r} takes no units (got {units!r})")
        self.score, self.units = score, units
        if score == "concat":
            self.W_q = layers.Dense(units, use_bias=False, name="W_a_query")   # W_a = [W_q, W_k]
            self.W_k = layers.Dense(units, use_bias=False, name="W_a_values")
            self.v_a = layers.Dense(1, use_bias=False, name="v_a")

    def build(self, query_shape, values_shape, mask_shape=None):
        h_query, h_values = query_shape[-1], values_shape[-1]
        if self.score == "dot" and h_query != h_values:
            raise ValueError(f"score='dot' needs query and values of one size, got {h_query} and {h_values}")
        if self.score == "general":
            self.W_a = self.add_weight(shape=(h_values, h_query), initializer="glorot_uniform", name="W_a")
        if self.score == "concat":
            self.W_q.build(query_shape)
            self.W_k.build(values_shape)
            self.v_a.build((*values_shape[:-1], self.units))

    def call(self, query, values, mask=None):
        q, squeeze = _query_3d(query)                                        # (B, T, H)
        _check_values(q, values, mask)
        if self.score == "dot":
            scores = ops.einsum("bth,bsh->bts", q, values)                   # (B, T, S)
        elif self.score == "general":
            scores = ops.einsum("bth,bsh->bts", q, ops.matmul(values, self.W_a))
        else:
            hidden = ops.tanh(ops.expand_dims(self.W_q(q), 2) + ops.expand_dims(self.W_k(values), 1))
            scores = _score_vector(self.v_a, hidden)                         # (B, T, S)
        return _attend(scores, values, mask, squeeze)

    def get_config(self):
        return {**super().get_config(), "score": self.score, "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class BahdanauAttention(layers.Layer):
    """Bahdanau et al. (2015) additive attention.

    e_tj = vᵀ tanh(W₁ h_j + W₂ s_{t-1}),   a_t = softmax_j(e_tj),   c_t = Σ_j a_tj h_j

    ``h_j`` are the encoder states (values), ``s_{t-1}`` the decoder's *previous* state
    (query); ``W₁``, ``W₂`` are ``Dense(units, use_bias=False)`` and ``v`` a vector of size
    ``units``. ``keras.layers.AdditiveAttention`` computes Σ_d v_d tanh(q_d + k_d) with no
    W₁, W₂: the two agree when it is given q = W₂ s and k = W₁ h.

    Call: ``query`` (B, H_dec) or (B, T, H_dec), ``values`` (B, S, H_enc), ``mask`` (B, S) bool ->
    ``context`` (B, H_enc) or (B, T, H_enc), ``weights`` (B, S) or (B, T, S).
    ``keys`` (B, S, U), optional: ``W₁ h`` from :meth:`project_values`. A decoder that attends
    to the same encoder states at every step computes it once instead of once per step.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units = positive_int(units, "units")
        self.W1 = layers.Dense(units, use_bias=False, name="W1")  # on the encoder states
        self.W2 = layers.Dense(units, use_bias=False, name="W2")  # on the decoder state
        self.v = layers.Dense(1, use_bias=False, name="v")

    def build(self, query_shape, values_shape, mask_shape=None, keys_shape=None):
        self.W1.build(values_shape)
        self.W2.build(query_shape)
        self.v.build((*values_shape[:-1], self.units))

    def project_values(self, values):
        """W₁ h: (B, S, H_enc) -> (B, S, U), the part of the score that does not depend on the query."""
        return self.W1(values)

    def call(self, query, values, mask=None, keys=None):
        q, squeeze = _query_3d(query)                                         # (B, T, H_dec)
        _check_values(q, values, mask)
        keys = self.project_values(values) if keys is None else self._checked(keys, values)  # (B, S, U)
        hidden = ops.tanh(ops.expand_dims(self.W2(q), 2)                      # (B, T, 1, U)
                          + ops.expand_dims(keys, 1))                         # (B, 1, S, U)
        scores = _score_vector(self.v, hidden)                                # (B, T, S)
        return _attend(scores, values, mask, squeeze)

    def _checked(self, keys, values):
        """``keys``, after checking that they can be W₁ h of these ``values``: (B, S, units)."""
        expected = (values.shape[0], values.shape[1], self.units)
        if len(keys.shape) != 3 or not all(map(_same, keys.shape, expected)):
            raise ValueError(f"keys must have shape (batch, source_time, units) = {tuple(expected)} "
                             f"(project_values(values)), got {tuple(keys.shape)}")
        return keys

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class AttentionPooling(layers.Layer):
    """Attention with a learned query (Yang et al., 2016): one vector that summarises a sequence.

    u_j = tanh(W h_j + b),   e_j = u_jᵀ q,   a_j = softmax_j(e_j),   z = Σ_j a_j h_j

    ``h_j`` are the encoder states (values) and ``q`` (size ``units``) a trained weight: the
    same query for every input, "which states matter for this task?". Padding gets a_j = 0.

    Call: ``values`` (B, S, H), ``mask`` (B, S) bool -> ``context`` z (B, H), ``weights`` a (B, S).
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units = positive_int(units, "units")
        self.W = layers.Dense(units, activation="tanh", name="W")               # u_j = tanh(W h_j + b)
        self.supports_masking = True    # takes the mask that Keras attaches to an RNN's outputs

    def compute_mask(self, values, mask=None):
        return None                     # z is one vector per review: nothing left to mask

    def build(self, values_shape, mask_shape=None):
        self.W.build(values_shape)
        self.q = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="q")

    def call(self, values, mask=None):
        if len(values.shape) != 3:
            raise ValueError(f"values must have shape (batch, time, units), got {tuple(values.shape)}")
        _check_values(values, values, mask)
        scores = ops.einsum("bsu,u->bs", self.W(values), self.q)                # e_j: (B, S)
        return _attend(ops.expand_dims(scores, 1), values, mask, squeeze=True)  # z (B, H), a (B, S)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
