"""Encoder-decoder models, without attention (Chapter 1) and with it (Chapters 2 and 3).

Shapes: ``B`` batch, ``S`` source length, ``T`` target length, ``E`` embedding size,
``H`` GRU units, ``V`` vocabulary size.

    src (B, S) -> Encoder -> outputs (B, S, H), state (B, H), mask (B, S)
    Decoder:          tgt_in, state                -> logits (B, T, V)   sees only the state
    LuongDecoder:     tgt_in, state, outputs, mask -> logits, weights (B, T, S)
    BahdanauDecoder:  tgt_in, state, outputs, mask -> logits, weights (B, T, S)

Training uses teacher forcing (the decoder reads the true previous token); inference uses
:func:`greedy_decode` (it reads its own previous prediction).
"""
import keras
import numpy as np
from keras import layers, ops

from .attention import BahdanauAttention, LuongAttention


def _check_ids(shape, name):
    if len(shape) != 2:
        raise ValueError(f"{name} must be token ids of shape (batch, time), got shape {tuple(shape)}")


@keras.saving.register_keras_serializable(package="attention_course")
class Encoder(layers.Layer):
    """Embedding + GRU over the source.

    Call: ``src`` (B, S) int ids, 0 = padding ->
    ``outputs`` (B, S, H) one vector per source position,
    ``state`` (B, H) the GRU state after the last real (non-padding) token,
    ``mask`` (B, S) bool, True at real tokens.

    The GRU skips padding (``mask``), so padding a sequence does not change its ``state``.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.rnn = layers.GRU(units, return_sequences=True, return_state=True)

    def build(self, src_shape):
        _check_ids(src_shape, "src")
        self.embedding.build(src_shape)
        self.rnn.build((*src_shape, self.embed_dim))

    def call(self, src):
        _check_ids(src.shape, "src")
        mask = ops.not_equal(src, 0)                     # (B, S)
        x = self.embedding(src)                          # (B, S, E)
        outputs, state = self.rnn(x, mask=mask)          # (B, S, H), (B, H)
        return outputs, state, mask

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class Decoder(layers.Layer):
    """Embedding + GRU started from the encoder's state + a softmax layer (as logits).

    Call: ``tgt_in`` (B, T) int ids, ``state`` (B, H) ->
    ``logits`` (B, T, V) scores for the next token at every step, ``state`` (B, H).

    h_t = GRU(h_{t-1}, embed(y_{t-1})),  h_0 = encoder state;  logits_t = W h_t + b.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.rnn = layers.GRU(units, return_sequences=True, return_state=True)
        self.out = layers.Dense(vocab_size)

    def build(self, tgt_in_shape, state_shape):
        _check_ids(tgt_in_shape, "tgt_in")
        self.embedding.build(tgt_in_shape)
        self.rnn.build((*tgt_in_shape, self.embed_dim))
        self.out.build((*tgt_in_shape, self.units))

    def call(self, tgt_in, state):
        _check_ids(tgt_in.shape, "tgt_in")
        x = self.embedding(tgt_in)                            # (B, T, E)
        h, state = self.rnn(x, initial_state=state)           # (B, T, H), (B, H)
        return self.out(h), state                             # (B, T, V), (B, H)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class LuongDecoder(layers.Layer):
    """Luong et al. (2015) decoder: the GRU steps first, then attends with its *current* state.

    h_t = GRU(h_{t-1}, embed(y_{t-1})),  h_0 = encoder state
    c_t, a_t = LuongAttention(h_t, encoder outputs)        (``score``: dot, general, concat)
    h̃_t = tanh(W_c [c_t; h_t]),  logits_t = W_s h̃_t

    Call: ``tgt_in`` (B, T), ``state`` (B, H), ``enc_outputs`` (B, S, H), ``enc_mask`` (B, S) ->
    ``logits`` (B, T, V), ``state`` (B, H), ``weights`` (B, T, S).
    Attention comes after the recurrence, so training runs the GRU over all T steps at once.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, score="dot", **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units, self.score = vocab_size, embed_dim, units, score
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.rnn = layers.GRU(units, return_sequences=True, return_state=True)
        self.attention = LuongAttention(score, units=units if score == "concat" else None)
        self.W_c = layers.Dense(units, activation="tanh", use_bias=False, name="W_c")
        self.out = layers.Dense(vocab_size, name="W_s")

    def build(self, tgt_in_shape, state_shape, enc_outputs_shape, enc_mask_shape=None):
        _check_ids(tgt_in_shape, "tgt_in")
        self.embedding.build(tgt_in_shape)
        self.rnn.build((*tgt_in_shape, self.embed_dim))
        self.attention.build((*tgt_in_shape, self.units), enc_outputs_shape)
        self.W_c.build((*tgt_in_shape, self.units + enc_outputs_shape[-1]))
        self.out.build((*tgt_in_shape, self.units))

    def call(self, tgt_in, state, enc_outputs, enc_mask):
        _check_ids(tgt_in.shape, "tgt_in")
        x = self.embedding(tgt_in)                                          # (B, T, E)
        h, state = self.rnn(x, initial_state=state)                         # (B, T, H)
        context, weights = self.attention(h, enc_outputs, enc_mask)         # (B, T, H), (B, T, S)
        h_tilde = self.W_c(ops.concatenate([context, h], axis=-1))          # (B, T, H)
        return self.out(h_tilde), state, weights

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "score": self.score}


@keras.saving.register_keras_serializable(package="attention_course")
class BahdanauDecoder(layers.Layer):
    """Bahdanau et al. (2015) decoder: attends with the *previous* state, then steps.

    c_t, a_t = BahdanauAttention(s_{t-1}, encoder outputs)
    s_t = GRUCell([embed(y_{t-1}); c_t], s_{t-1}),  s_0 = encoder state
    logits_t = W_s tanh(W_o [s_t; c_t; embed(y_{t-1})])

    Call: ``tgt_in`` (B, T), ``state`` (B, H), ``enc_outputs`` (B, S, H_enc), ``enc_mask`` (B, S)
    -> ``logits`` (B, T, V), ``state`` (B, H), ``weights`` (B, T, S).
    The context enters the recurrence, so training loops over the T steps one by one.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, attention_units=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.attention_units = attention_units or units
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.attention = BahdanauAttention(self.attention_units)
        self.cell = layers.GRUCell(units)
        self.W_o = layers.Dense(units, activation="tanh", name="W_o")
        self.out = layers.Dense(vocab_size, name="W_s")

    def build(self, tgt_in_shape, state_shape, enc_outputs_shape, enc_mask_shape=None):
        _check_ids(tgt_in_shape, "tgt_in")
        batch, h_enc = tgt_in_shape[0], enc_outputs_shape[-1]
        self.embedding.build(tgt_in_shape)
        self.attention.build(state_shape, enc_outputs_shape)
        self.cell.build((batch, self.embed_dim + h_enc))
        self.W_o.build((batch, self.units + h_enc + self.embed_dim))
        self.out.build((batch, self.units))

    def call(self, tgt_in, state, enc_outputs, enc_mask):
        _check_ids(tgt_in.shape, "tgt_in")
        x = self.embedding(tgt_in)                                          # (B, T, E)
        keys = self.attention.project_values(enc_outputs)                   # W₁h once: (B, S, U)
        outputs, weights = [], []
        for t in range(tgt_in.shape[1]):                                    # T is static
            context, w = self.attention(state, enc_outputs, enc_mask, keys=keys)  # (B, H_enc), (B, S)
            state, _ = self.cell(ops.concatenate([x[:, t], context], axis=-1), state)
            outputs.append(self.W_o(ops.concatenate([state, context, x[:, t]], axis=-1)))
            weights.append(w)
        return self.out(ops.stack(outputs, axis=1)), state, ops.stack(weights, axis=1)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "attention_units": self.attention_units}


@keras.saving.register_keras_serializable(package="attention_course")
class Seq2Seq(keras.Model):
    """Encoder-decoder, with a fixed context (``attention=None``) or with attention.

    ``attention``: None -> :class:`Decoder` (the decoder sees only the encoder's final state);
    ``"luong"`` -> :class:`LuongDecoder` (``score``: dot, general or concat);
    ``"bahdanau"`` -> :class:`BahdanauDecoder`.

    Call: ``(src, tgt_in)``, (B, S) and (B, T) int ids -> ``logits`` (B, T, V).
    ``start_id`` and ``end_id`` are the ids of ``<s>`` and ``</s>``; 0 is padding.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, start_id=1, end_id=2,
                 attention=None, score="dot", **kwargs):
        super().__init__(**kwargs)
        if attention not in (None, "luong", "bahdanau"):
            raise ValueError(f"attention must be None, 'luong' or 'bahdanau', got {attention!r}")
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.start_id, self.end_id = start_id, end_id
        self.attention, self.score = attention, score
        self.encoder = Encoder(vocab_size, embed_dim, units)
        if attention is None:
            self.decoder = Decoder(vocab_size, embed_dim, units)
        elif attention == "luong":
            self.decoder = LuongDecoder(vocab_size, embed_dim, units, score=score)
        else:
            self.decoder = BahdanauDecoder(vocab_size, embed_dim, units)

    def build(self, input_shape):
        src_shape, tgt_in_shape = input_shape
        self.encoder.build(src_shape)
        state_shape = (src_shape[0], self.units)
        if self.attention is None:
            self.decoder.build(tgt_in_shape, state_shape)
        else:
            self.decoder.build(tgt_in_shape, state_shape, (*src_shape, self.units), src_shape)

    def decode(self, tgt_in, state, enc_outputs, enc_mask):
        """Run the decoder: -> ``logits`` (B, T, V), ``state`` (B, H), ``weights`` (B, T, S) or None."""
        if self.attention is None:
            logits, state = self.decoder(tgt_in, state)  # the encoder outputs are not used
            return logits, state, None
        return self.decoder(tgt_in, state, enc_outputs, enc_mask)

    def call(self, inputs):
        src, tgt_in = inputs
        enc_outputs, state, mask = self.encoder(src)                 # (B, S, H), (B, H), (B, S)
        logits, _, _ = self.decode(tgt_in, state, enc_outputs, mask)  # (B, T, V)
        return logits

    def greedy_decode(self, src, max_len, return_weights=False):
        """Generate up to ``max_len`` tokens per source; (B, S) -> (B, L) ids, L <= max_len.

        With ``return_weights`` (attention models) also returns the attention weights of every
        generated step, (B, L, S).
        """
        if return_weights and self.attention is None:
            raise ValueError("return_weights needs an attention model; this one has attention=None")
        src = ops.convert_to_tensor(src, dtype="int32")
        enc_outputs, state, mask = self.encoder(src)
        weights = []

        def step(tokens, state):
            logits, state, w = self.decode(tokens[:, None], state, enc_outputs, mask)  # (B, 1, V)
            if w is not None:
                weights.append(ops.convert_to_numpy(w[:, 0]))
            return logits[:, 0], state

        ids = greedy_decode(step, state, int(src.shape[0]), max_len, self.start_id, self.end_id)
        return (ids, np.stack(weights, axis=1)) if return_weights else ids

    def beam_decode(self, src, max_len, beam_width=4, alpha=1.0):
        """Beam search (see :func:`beam_search`); (B, S) -> (B, L) ids of the best hypothesis."""
        src = ops.convert_to_tensor(src, dtype="int32")
        batch = int(src.shape[0])
        enc_outputs, state, mask = (ops.repeat(t, beam_width, axis=0) for t in self.encoder(src))

        def step(tokens, state):
            logits, state, _ = self.decode(tokens[:, None], state, enc_outputs, mask)
            return logits[:, 0], state

        return beam_search(step, state, batch, max_len, beam_width, self.start_id, self.end_id, alpha)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "start_id": self.start_id, "end_id": self.end_id,
                "attention": self.attention, "score": self.score}


def output_length(ids, end_id):
    """Tokens of one generated sequence (L,) up to and with ``end_id``; all L if it never came."""
    ends = np.flatnonzero(np.asarray(ids) == end_id)
    return int(ends[0]) + 1 if len(ends) else len(ids)


def greedy_decode(step, state, batch_size, max_len, start_id=1, end_id=2):
    """Pick the most likely token at every step until each sequence has produced ``end_id``.

    Args:
        step: ``step(tokens (B,), state) -> (logits (B, V), state)``, one decoder step.
        state: the decoder's initial state (any structure ``step`` accepts).
        batch_size: B.  max_len: most tokens to generate.

    Returns:
        int32 array (B, L), L <= ``max_len``: the generated ids, ``end_id`` included where it
        was produced and 0 (padding) after it. The loop stops as soon as every sequence ended.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    tokens = np.full((batch_size,), start_id, dtype="int32")
    done = np.zeros(batch_size, dtype=bool)
    steps = []
    for _ in range(max_len):
        logits, state = step(ops.convert_to_tensor(tokens), state)
        tokens = ops.convert_to_numpy(ops.argmax(logits, axis=-1)).astype("int32")
        tokens[done] = 0
        steps.append(tokens)
        done |= tokens == end_id
        if done.all():
            break
    return np.stack(steps, axis=1)


def beam_search(step, state, batch_size, max_len, beam_width=4, start_id=1, end_id=2, alpha=1.0):
    """Keep the ``beam_width`` most probable partial outputs at every step.

    Args:
        step: ``step(tokens (B*K,), state) -> (logits (B*K, V), state)``; the state's rows are
            beams, example-major (rows b*K .. b*K+K-1 belong to example b), and it is
            reordered with ``ops.take`` as beams are kept or dropped.
        state: the decoder's initial state with B*K rows (each example repeated K times).
        alpha: length normalisation: finished hypotheses are ranked by
            log p(y) / len(y)**alpha (0 ranks by log p(y) alone).

    Returns:
        int32 array (B, L): the best hypothesis per example, ``end_id`` included where it was
        produced and 0 after it. With ``beam_width=1`` this is exactly greedy decoding.
    """
    if beam_width < 1 or max_len < 1:
        raise ValueError(f"beam_width and max_len must be >= 1, got {beam_width} and {max_len}")
    B, K = batch_size, beam_width
    scores = np.full((B, K), -np.inf)
    scores[:, 0] = 0.0                                   # one live beam per example at the start
    tokens = np.full(B * K, start_id, dtype="int32")
    history = np.zeros((B, K, 0), dtype="int32")
    done = np.zeros((B, K), dtype=bool)
    for _ in range(max_len):
        logits, state = step(ops.convert_to_tensor(tokens), state)
        logp = ops.convert_to_numpy(ops.log_softmax(ops.cast(logits, "float32"), axis=-1))
        logp = logp.reshape(B, K, -1)                                      # (B, K, V)
        V = logp.shape[-1]
        logp[done] = -np.inf                               # a finished beam only extends with padding,
        logp[done, 0] = 0.0                                # at no cost
        total = (scores[:, :, None] + logp).reshape(B, K * V)
        best = np.argsort(-total, axis=1, kind="stable")[:, :K]           # (B, K)
        beam, tokens2d = best // V, (best % V).astype("int32")
        scores = np.take_along_axis(total, best, axis=1)
        history = np.concatenate([np.take_along_axis(history, beam[:, :, None], 1),
                                  tokens2d[:, :, None]], axis=2)
        done = np.take_along_axis(done, beam, 1) | (tokens2d == end_id)
        rows = (np.arange(B)[:, None] * K + beam).reshape(-1)
        state = ops.take(state, ops.convert_to_tensor(rows), axis=0)
        tokens = tokens2d.reshape(-1)
        if done.all():
            break
    lengths = np.maximum((history != 0).sum(-1), 1)
    ranked = np.where(np.isfinite(scores), scores / lengths ** alpha, -np.inf)
    return history[np.arange(B), ranked.argmax(axis=1)]
