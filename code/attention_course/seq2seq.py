"""Encoder-decoder models, without attention (Chapter 1) and with it (Chapters 2 and 3).

Shapes: ``B`` batch, ``S`` source length, ``T`` target length, ``E`` embedding size,
``H`` GRU units, ``V`` vocabulary size.

    src (B, S) -> Encoder -> outputs (B, S, H), state (B, H), mask (B, S)
    src (B, S) -> BiEncoder -> the same shapes; h_j = [forward h_j; backward h_j]
    Decoder:          tgt_in, state                -> logits (B, T, V)   sees only the state
    LuongDecoder:     tgt_in, state, outputs, mask -> logits, weights (B, T, S)
    BahdanauDecoder:  tgt_in, state, outputs, mask -> logits, weights (B, T, S)

Training uses teacher forcing (the decoder reads the true previous token); inference uses
:func:`greedy_decode` (it reads its own previous prediction).
"""
import keras
import numpy as np
from keras import layers, ops

from . import checks
from .attention import BahdanauAttention, LuongAttention
from .checks import positive_int


PAD = 0


def _check_ids(x, name, vocab_size=None):
    """``x`` is (batch, time) integer ids: shape and dtype always (a shape tuple: shape only);
    with ``vocab_size``, also ids in ``[0, vocab_size)`` and no empty axis where the values
    are concrete (:func:`checks.token_ids`; skipped while a graph is traced)."""
    shape = x if isinstance(x, (tuple, list)) else x.shape
    if len(shape) != 2:
        raise ValueError(f"{name} must be token ids of shape (batch, time), got shape {tuple(shape)}")
    if not isinstance(x, (tuple, list)) and not keras.backend.standardize_dtype(x.dtype).startswith(("int", "uint")):
        raise checks.IdDtypeError(f"{name} must be integer token ids, got {keras.backend.standardize_dtype(x.dtype)}")
    if vocab_size is not None:
        checks.token_ids(x, name, vocab_size)


def _check_sizes(vocab_size, embed_dim, units):
    """The three sizes of a layer as positive ints (a ValueError naming the one that is not)."""
    return (positive_int(vocab_size, "vocab_size"), positive_int(embed_dim, "embed_dim"),
            positive_int(units, "units"))


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
        vocab_size, embed_dim, units = _check_sizes(vocab_size, embed_dim, units)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.rnn = layers.GRU(units, return_sequences=True, return_state=True)

    def build(self, src_shape):
        _check_ids(src_shape, "src")
        self.embedding.build(src_shape)
        self.rnn.build((*src_shape, self.embed_dim))

    def call(self, src):
        _check_ids(src, "src", self.vocab_size)
        mask = ops.not_equal(src, 0)                     # True at real tokens: (B, S)
        x = self.embedding(src)                          # embed(x_j): (B, S, E)
        outputs, state = self.rnn(x, mask=mask)          # h_1..h_S: (B, S, H); c = h_S: (B, H)
        return outputs, state, mask

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class BiEncoder(layers.Layer):
    """Bahdanau et al.'s (2015) bidirectional encoder: embedding + a GRU each way.

    h_j = [→h_j; ←h_j]  (the forward GRU has read x_1..x_j, the backward one x_S..x_j)
    s_0 = tanh(W_init ←h_1 + b)  (from the backward GRU's last state, which has read the whole
    source; the paper calls W_init W_s, a name this course gives the softmax layer)

    Call: ``src`` (B, S) int ids, 0 = padding -> ``outputs`` (B, S, H) (each direction has
    H/2 units, so ``H = units`` as in :class:`Encoder` and any decoder takes them),
    ``state`` (B, H) = s_0, ``mask`` (B, S) bool, True at real tokens.
    Both GRUs skip padding, so padding a sequence changes neither its ``outputs`` at real
    positions nor its ``state``. (The paper gives each direction as many units as the
    decoder, so its h_j are twice the decoder's size.)
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, **kwargs):
        super().__init__(**kwargs)
        vocab_size, embed_dim, units = _check_sizes(vocab_size, embed_dim, units)
        if units % 2:
            raise ValueError(f"BiEncoder splits units between its two GRUs: expected an even number, got {units}")
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.embedding = layers.Embedding(vocab_size, embed_dim)
        self.rnn = layers.Bidirectional(layers.GRU(units // 2, return_sequences=True, return_state=True))
        self.W_init = layers.Dense(units, activation="tanh", name="W_init")

    def build(self, src_shape):
        _check_ids(src_shape, "src")
        self.embedding.build(src_shape)
        self.rnn.build((*src_shape, self.embed_dim))
        self.W_init.build((src_shape[0], self.units // 2))

    def call(self, src):
        _check_ids(src, "src", self.vocab_size)
        mask = ops.not_equal(src, 0)                                 # True at real tokens: (B, S)
        x = self.embedding(src)                                      # embed(x_j): (B, S, E)
        outputs, forward, backward = self.rnn(x, mask=mask)          # h_j: (B, S, H); →h_S, ←h_1: (B, H/2)
        return outputs, self.W_init(backward), mask                  # s_0 = tanh(W_init ←h_1 + b): (B, H)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "units": self.units}


@keras.saving.register_keras_serializable(package="attention_course")
class Decoder(layers.Layer):
    """Embedding + GRU started from the encoder's state + a softmax layer (as logits).

    Call: ``tgt_in`` (B, T) int ids, ``state`` (B, H) ->
    ``logits`` (B, T, V) scores for the next token at every step, ``state`` (B, H).

    s_t = GRU(s_{t-1}, embed(y_{t-1})),  s_0 = encoder state;  logits_t = s_t W_s + b (rows, as in Chapter 1).
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, **kwargs):
        super().__init__(**kwargs)
        vocab_size, embed_dim, units = _check_sizes(vocab_size, embed_dim, units)
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
        _check_ids(tgt_in, "tgt_in", self.vocab_size)
        checks.same_batch(tgt_in, state, "tgt_in", "state")
        y_emb = self.embedding(tgt_in)                        # embed(y_{t-1}): (B, T, E)
        s, state = self.rnn(y_emb, initial_state=state)       # s_1..s_T: (B, T, H); s_T: (B, H)
        return self.out(s), state                             # logits s_t W_s + b: (B, T, V)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, "units": self.units}


def _check_attention_inputs(tgt_in, state, enc_outputs, enc_mask, vocab_size):
    """An attention decoder's inputs: ids, and one batch size for all four."""
    _check_ids(tgt_in, "tgt_in", vocab_size)
    checks.same_batch(tgt_in, state, "tgt_in", "state")
    checks.same_batch(tgt_in, enc_outputs, "tgt_in", "enc_outputs")
    if enc_mask is not None:
        checks.same_batch(tgt_in, enc_mask, "tgt_in", "enc_mask")


@keras.saving.register_keras_serializable(package="attention_course")
class LuongDecoder(layers.Layer):
    """Luong et al. (2015) decoder: the GRU steps first, then attends with its *current* state.

    s_t = GRU(s_{t-1}, embed(y_{t-1})),  s_0 = encoder state
    c_t, a_t = LuongAttention(s_t, encoder outputs)        (``score``: dot, general, concat)
    s̃_t = tanh(W_c [c_t; s_t]),  logits_t = W_s s̃_t

    Call: ``tgt_in`` (B, T), ``state`` (B, H), ``enc_outputs`` (B, S, H), ``enc_mask`` (B, S) ->
    ``logits`` (B, T, V), ``state`` (B, H), ``weights`` (B, T, S).
    Attention comes after the recurrence, so training runs the GRU over all T steps at once.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, score="dot", **kwargs):
        super().__init__(**kwargs)
        vocab_size, embed_dim, units = _check_sizes(vocab_size, embed_dim, units)
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
        _check_attention_inputs(tgt_in, state, enc_outputs, enc_mask, self.vocab_size)
        x = self.embedding(tgt_in)                                          # (B, T, E)
        s, state = self.rnn(x, initial_state=state)                         # s_1..s_T: (B, T, H)
        context, weights = self.attention(s, enc_outputs, enc_mask)         # (B, T, H), (B, T, S)
        s_tilde = self.W_c(ops.concatenate([context, s], axis=-1))          # (B, T, H)
        return self.out(s_tilde), state, weights

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
    The context enters the recurrence, so training loops over the T steps one by one
    (``keras.ops.scan``, which works for any target width T).
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, attention_units=None, **kwargs):
        super().__init__(**kwargs)
        vocab_size, embed_dim, units = _check_sizes(vocab_size, embed_dim, units)
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.attention_units = units if attention_units is None else positive_int(attention_units, "attention_units")
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
        _check_attention_inputs(tgt_in, state, enc_outputs, enc_mask, self.vocab_size)
        x = self.embedding(tgt_in)                                          # (B, T, E)
        keys = self.attention.project_values(enc_outputs)                   # W₁h once: (B, S, U)

        def step(carry, x_t):                                               # x_t (B, E)
            s_prev = carry[0]
            context, a_t = self.attention(s_prev, enc_outputs, enc_mask, keys=keys)  # (B, H_enc), (B, S)
            s_t, _ = self.cell(ops.concatenate([x_t, context], axis=-1), s_prev)      # (B, H)
            o_t = self.W_o(ops.concatenate([s_t, context, x_t], axis=-1))           # (B, H)
            carry = (s_t, o_t, a_t)
            return carry, carry   # emit the whole carry: Keras's TF scan needs the two to match

        start = (state, ops.zeros_like(state), ops.zeros_like(enc_outputs[..., 0]))
        if tgt_in.shape[1] == 1:                  # one decoding step (greedy, beam): no loop to run
            (state, o_t, a_t), _ = step(start, x[:, 0])
            return self.out(o_t[:, None]), state, a_t[:, None]
        # ops.scan loops over the time axis for any T, even one unknown until run time.
        (state, _, _), (_, outputs, weights) = ops.scan(step, start, ops.moveaxis(x, 1, 0))  # (T, B, ...)
        return self.out(ops.moveaxis(outputs, 0, 1)), state, ops.moveaxis(weights, 0, 1)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "attention_units": self.attention_units}


@keras.saving.register_keras_serializable(package="attention_course")
class Seq2Seq(keras.Model):
    """Encoder-decoder, with a fixed context (``attention=None``) or with attention.

    ``attention``: None -> :class:`Decoder` (the decoder sees only the encoder's final state);
    ``"luong"`` -> :class:`LuongDecoder` (``score``: dot, the default, general or concat);
    ``"bahdanau"`` -> :class:`BahdanauDecoder`.
    ``bidirectional``: encode with :class:`BiEncoder` (Bahdanau's encoder) instead of
    :class:`Encoder`; the decoders take either.

    Call: ``(src, tgt_in)``, (B, S) and (B, T) int ids -> ``logits`` (B, T, V).
    ``start_id`` and ``end_id`` are the ids of ``<s>`` and ``</s>``; 0 is padding. Decoding
    never generates padding or ``<s>``.

    Bad ids are a ValueError (a TypeError for float ids) that names ``src`` or ``tgt_in``:
    ids outside ``[0, vocab_size)``, S = 0 or T = 0, two batch sizes, and a row that is nothing
    but padding (it has no token to read, so its logits would be no prediction). The values
    are checked in an eager call, in decoding, and in ``fit``/``evaluate``/``predict`` when
    they get arrays; inside a traced graph only shapes and dtypes are.
    """

    def __init__(self, vocab_size, embed_dim=64, units=128, start_id=1, end_id=2,
                 attention=None, score=None, bidirectional=False, **kwargs):
        super().__init__(**kwargs)
        if attention not in (None, "luong", "bahdanau"):
            raise ValueError(f"attention must be None, 'luong' or 'bahdanau', got {attention!r}")
        if attention != "luong" and score is not None:
            raise ValueError(f"score chooses Luong's score function; attention={attention!r} has none "
                             f"(got score={score!r}): use attention='luong' or leave score out")
        score = "dot" if attention == "luong" and score is None else score
        vocab_size, embed_dim, units = (positive_int(v, name) for v, name in (
            (vocab_size, "vocab_size"), (embed_dim, "embed_dim"), (units, "units")))
        if not (0 < start_id < vocab_size and 0 < end_id < vocab_size and start_id != end_id):
            raise ValueError(f"start_id and end_id must be two different ids in [1, {vocab_size}) "
                             f"(0 is padding), got {start_id} and {end_id}")
        self.vocab_size, self.embed_dim, self.units = vocab_size, embed_dim, units
        self.start_id, self.end_id = start_id, end_id
        if not isinstance(bidirectional, bool):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        self.attention, self.score, self.bidirectional = attention, score, bidirectional
        self.encoder = (BiEncoder if bidirectional else Encoder)(vocab_size, embed_dim, units)
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
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError("Seq2Seq takes a pair (src, tgt_in) of token-id arrays (B, S) and (B, T)")
        src, tgt_in = inputs
        for ids, name in ((src, "src"), (tgt_in, "tgt_in")):
            _check_ids(ids, name, self.vocab_size)
            checks.padding_rows(ids, name, PAD)   # a row with no token: no prediction to give
        checks.same_batch(src, tgt_in, "src", "tgt_in")
        enc_outputs, state, mask = self.encoder(src)                 # (B, S, H), (B, H), (B, S)
        logits, _, _ = self.decode(tgt_in, state, enc_outputs, mask)  # (B, T, V)
        return logits

    def _check_data(self, x, y=None, where="x"):
        """Check arrays given to fit, evaluate or predict before Keras traces its graph, where
        the values can no longer be seen: ``x`` = (src, tgt_in) ids, ``y`` = targets of
        tgt_in's shape. Datasets and generators are left to Keras."""
        if not (isinstance(x, (tuple, list)) and len(x) == 2 and all(hasattr(a, "dtype") for a in x)):
            return
        (src, tgt_in), names = x, (f"{where}[0] (src)", f"{where}[1] (tgt_in)")
        for ids, name in zip(x, names):
            checks.sequence_ids(ids, name, self.vocab_size, PAD)
        checks.same_batch(src, tgt_in, *names)
        if y is not None and hasattr(y, "dtype"):
            checks.token_ids(y, "y (the targets)", self.vocab_size)
            if tuple(y.shape) != tuple(tgt_in.shape):
                raise ValueError(f"y (the targets) must have tgt_in's shape {tuple(tgt_in.shape)}, "
                                 f"one target per decoder input, got {tuple(y.shape)}")

    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras's ``fit``; ids given as arrays are checked first (see :meth:`_check_data`)."""
        self._check_data(x, y)
        validation = kwargs.get("validation_data")
        if isinstance(validation, (tuple, list)) and len(validation) == 2:
            self._check_data(*validation, where="validation_data[0]")
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """Keras's ``evaluate``; ids given as arrays are checked first."""
        self._check_data(x, y)
        return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        """Keras's ``predict``; ids given as arrays are checked first."""
        self._check_data(x)
        return super().predict(x, *args, **kwargs)

    def greedy_decode(self, src, max_len, return_weights=False):
        """Generate up to ``max_len`` tokens per source; (B, S) -> (B, L) ids, L <= max_len.

        With ``return_weights`` (attention models) also returns the attention weights of every
        generated step, (B, L, S).
        """
        if return_weights and self.attention is None:
            raise ValueError("return_weights needs an attention model; this one has attention=None")
        max_len = positive_int(max_len, "max_len")
        src = ops.convert_to_tensor(checks.concrete_ids(src, self.vocab_size, "src"))
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
        max_len, beam_width = positive_int(max_len, "max_len"), positive_int(beam_width, "beam_width")
        src = ops.convert_to_tensor(checks.concrete_ids(src, self.vocab_size, "src"))
        batch = int(src.shape[0])
        enc_outputs, state, mask = (ops.repeat(t, beam_width, axis=0) for t in self.encoder(src))

        def step(tokens, state):
            logits, state, _ = self.decode(tokens[:, None], state, enc_outputs, mask)
            return logits[:, 0], state

        return beam_search(step, state, batch, max_len, beam_width, self.start_id, self.end_id, alpha)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "embed_dim": self.embed_dim,
                "units": self.units, "start_id": self.start_id, "end_id": self.end_id,
                "attention": self.attention, "score": self.score, "bidirectional": self.bidirectional}


def output_length(ids, end_id):
    """Tokens of one generated sequence (L,) up to and with ``end_id``; all L if it never came."""
    ends = np.flatnonzero(np.asarray(ids) == end_id)
    return int(ends[0]) + 1 if len(ends) else len(ids)


def _never_generated(start_id):
    """The ids a decoder may never produce: padding and ``<s>``."""
    return [PAD, start_id]


def _check_decoding(batch_size, max_len, start_id, end_id, state, rows=None):
    """Decoding arguments: sizes are positive ints, the special ids differ, and every tensor of
    ``state`` has ``rows`` rows (default ``batch_size``), where its size is known."""
    batch_size, max_len = positive_int(batch_size, "batch_size"), positive_int(max_len, "max_len")
    if start_id == end_id or PAD in (start_id, end_id):
        raise ValueError(f"start_id and end_id must be two different ids other than padding ({PAD}), "
                         f"got {start_id} and {end_id}")
    rows = batch_size if rows is None else rows
    for part in keras.tree.flatten(state):
        shape = tuple(getattr(part, "shape", ()))
        if shape and shape[0] is not None and shape[0] != rows:
            what = "batch_size" if rows == batch_size else "batch_size * beam_width"
            raise ValueError(f"state has {shape[0]} rows (a tensor of shape {shape}), but {what} = {rows}: "
                             f"expected one state row per sequence decoded")
    return batch_size, max_len


def greedy_decode(step, state, batch_size, max_len, start_id=1, end_id=2):
    """Pick the most likely token at every step until each sequence has produced ``end_id``.

    Args:
        step: ``step(tokens (B,), state) -> (logits (B, V), state)``, one decoder step.
        state: the decoder's initial state (any structure ``step`` accepts).
        batch_size: B.  max_len: most tokens to generate.

    Returns:
        int32 array (B, L), L <= ``max_len``: the generated ids, ``end_id`` included where it
        was produced and 0 (padding) after it. Padding and ``start_id`` are never generated.
        The loop stops as soon as every sequence ended.
    """
    batch_size, max_len = _check_decoding(batch_size, max_len, start_id, end_id, state)
    tokens = np.full((batch_size,), start_id, dtype="int32")
    done = np.zeros(batch_size, dtype=bool)
    steps = []
    for _ in range(max_len):
        logits, state = step(ops.convert_to_tensor(tokens), state)
        logits = ops.convert_to_numpy(ops.cast(logits, "float32")).copy()       # (B, V)
        logits[:, _never_generated(start_id)] = -np.inf
        tokens = logits.argmax(axis=-1).astype("int32")
        tokens[done] = PAD
        steps.append(tokens)
        done |= tokens == end_id
        if done.all():
            break
    return np.stack(steps, axis=1)


def beam_search(step, state, batch_size, max_len, beam_width=4, start_id=1, end_id=2, alpha=1.0):
    """Keep the ``beam_width`` most probable partial outputs at every step.

    Args:
        step: ``step(tokens (B*n_beam,), state) -> (logits (B*n_beam, vocab), state)``;
            the state's rows are beams, example-major (rows b*n_beam to b*n_beam + n_beam - 1
            belong to example b), and it is reordered with ``ops.take`` as beams are kept or
            dropped (every tensor of it, when it is a structure: a tuple of GRU states, a
            Transformer's key/value cache).
        state: the decoder's initial state with B*n_beam rows (each example repeated n_beam times).
        alpha: length normalisation: hypotheses are ranked by log p(y) / len(y)**alpha, where
            len(y) counts the tokens scored, ``end_id`` included (0 ranks by log p(y) alone).

    A hypothesis is finished when it produced ``end_id``; one that reached ``max_len`` tokens
    without it is ranked too. Padding and ``start_id`` are never generated. With ``beam_width``
    at least the number of possible hypotheses this is exact search; with ``beam_width=1`` it
    is greedy decoding.

    Returns:
        int32 array (B, L): the best hypothesis per example, ``end_id`` included where it was
        produced and 0 after it.
    """
    beam_width = positive_int(beam_width, "beam_width")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)) or not alpha >= 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    batch_size, max_len = _check_decoding(batch_size, max_len, start_id, end_id, state,
                                          rows=positive_int(batch_size, "batch_size") * beam_width)
    B, n_beam = batch_size, beam_width
    scores = np.full((B, n_beam), -np.inf)
    scores[:, 0] = 0.0                                   # one live beam per example at the start
    lengths = np.zeros((B, n_beam), dtype="int32")            # tokens scored so far, </s> included
    tokens = np.full(B * n_beam, start_id, dtype="int32")
    history = np.zeros((B, n_beam, 0), dtype="int32")
    done = np.zeros((B, n_beam), dtype=bool)
    for _ in range(max_len):
        logits, state = step(ops.convert_to_tensor(tokens), state)
        logp = ops.convert_to_numpy(ops.log_softmax(ops.cast(logits, "float32"), axis=-1))
        logp = logp.reshape(B, n_beam, -1).copy()                               # (B, n_beam, vocab)
        vocab = logp.shape[-1]
        logp[:, :, _never_generated(start_id)] = -np.inf
        logp[done] = -np.inf                               # a finished beam only extends with padding,
        logp[done, PAD] = 0.0                              # at no cost
        total = (scores[:, :, None] + logp).reshape(B, n_beam * vocab)
        best = np.argsort(-total, axis=1, kind="stable")[:, :n_beam]           # (B, n_beam)
        beam, tokens2d = best // vocab, (best % vocab).astype("int32")
        scores = np.take_along_axis(total, best, axis=1)
        lengths = np.take_along_axis(lengths, beam, 1) + (tokens2d != PAD)  # padding only follows </s>
        history = np.concatenate([np.take_along_axis(history, beam[:, :, None], 1),
                                  tokens2d[:, :, None]], axis=2)
        done = np.take_along_axis(done, beam, 1) | (tokens2d == end_id) | ~np.isfinite(scores)
        rows = (np.arange(B)[:, None] * n_beam + beam).reshape(-1)
        rows = ops.convert_to_tensor(rows)
        state = keras.tree.map_structure(lambda part: ops.take(part, rows, axis=0), state)
        tokens = tokens2d.reshape(-1)
        if done.all():
            break
    ranked = np.where(np.isfinite(scores), scores / np.maximum(lengths, 1) ** alpha, -np.inf)
    return history[np.arange(B), ranked.argmax(axis=1)]
