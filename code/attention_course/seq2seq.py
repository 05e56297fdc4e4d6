"""Chapter 1's encoder-decoder: the whole source squeezed into one fixed vector.

Shapes: ``B`` batch, ``S`` source length, ``T`` target length, ``E`` embedding size,
``H`` GRU units, ``V`` vocabulary size.

    src (B, S) -> Encoder -> state (B, H)  ...the only thing the decoder sees of the source
    tgt_in (B, T), state -> Decoder -> logits (B, T, V)

Training uses teacher forcing (the decoder reads the true previous token); inference uses
:func:`greedy_decode` (it reads its own previous prediction).
"""
import keras
import numpy as np
from keras import layers, ops


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
class Seq2Seq(keras.Model):
    """Encoder-decoder with a fixed-size context: the encoder's final state.

    Call: ``(src, tgt_in)``, (B, S) and (B, T) int ids -> ``logits`` (B, T, V).
    ``start_id`` and ``end_id`` are the ids of ``<s>`` and ``</s>``; 0 is padding.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, start_id=1, end_id=2, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.start_id, self.end_id = start_id, end_id
        self.encoder = Encoder(vocab_size, embed_dim, units)
        self.decoder = Decoder(vocab_size, embed_dim, units)

    def build(self, input_shape):
        src_shape, tgt_in_shape = input_shape
        self.encoder.build(src_shape)
        self.decoder.build(tgt_in_shape, (src_shape[0], self.units))

    def call(self, inputs):
        src, tgt_in = inputs
        _, state, _ = self.encoder(src)          # (B, H): all the decoder gets
        logits, _ = self.decoder(tgt_in, state)  # (B, T, V)
        return logits

    def greedy_decode(self, src, max_len):
        """Generate up to ``max_len`` tokens per source; (B, S) -> (B, L) ids, L <= max_len."""
        src = ops.convert_to_tensor(src, dtype="int32")
        _, state, _ = self.encoder(src)

        def step(tokens, state):
            logits, state = self.decoder(tokens[:, None], state)  # (B, 1, V)
            return logits[:, 0], state

        return greedy_decode(step, state, int(src.shape[0]), max_len, self.start_id, self.end_id)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "start_id": self.start_id, "end_id": self.end_id}


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
