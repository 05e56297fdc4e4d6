"""The Transformer (Vaswani et al., 2017) from scratch, in ``keras.ops`` (Chapter 5).

Shapes: ``B`` batch, ``T`` query (target) positions, ``S`` key/value (source) positions,
``D`` model width (d_model), ``h`` heads, ``d_k`` width per head (D / h), ``V`` vocabulary.
Masks are boolean and **True means "may attend"**, as in Keras, everywhere in this module.
Mixed precision (``keras.mixed_precision.set_global_policy("mixed_float16")``) works: the
softmax runs in float32 and the positions are cast to the embeddings' dtype. Token ids given
to a model or a decoding call are checked (integers in [0, V), no empty or all-padding source,
the same batch size) wherever their values exist; inside ``fit``/``predict`` they are traced.

    scaled_dot_product_attention  q (…, T, d_k), k (…, S, d_k), v (…, S, d_v) -> (…, T, d_v), weights (…, T, S)
    MultiHeadAttention            query (B, T, D), value (B, S, D) -> (B, T, D), weights (B, h, T, S)
    PositionalEmbedding           ids (B, S) -> √D · E[ids] + P[:S]  (B, S, D)
    EncoderBlock / DecoderBlock   (B, S, D) -> (B, S, D), post-LN residual blocks
    Transformer                   (src (B, S), tgt_in (B, T)) -> logits (B, T, V)
    TransformerClassifier         ids (B, S) -> logit (B,)
"""
import math
import numbers
import warnings

import keras
import numpy as np
from keras import layers, ops

from . import checks
from .checks import positive_int
from .seq2seq import PAD, beam_search, greedy_decode

HALF = ("float16", "bfloat16")      # mixed precision: the softmax runs in float32 instead


def check_mask(mask, scores_shape, name="mask"):
    """``mask`` if it is bool and broadcasts to ``scores_shape`` (…, T, S), else a ValueError.

    A float or int mask is refused: 0/1 masks come in both polarities (Keras: 1 = may attend;
    some tutorials: 1 = blocked), and taking one for the other lets a decoder see the future.
    """
    if mask is None:
        return None
    dtype = keras.backend.standardize_dtype(mask.dtype)
    if dtype != "bool":
        raise ValueError(f"{name} must be boolean, True where a query may attend (Keras's convention); got "
                         f"dtype {dtype}. For a 0/1 mask with 1 = may attend pass mask == 1; for one with "
                         f"1 = blocked (some tutorials' look-ahead masks) pass mask == 0")
    if len(mask.shape) < 2:
        raise ValueError(f"{name} must have at least the axes (queries, keys), got shape {tuple(mask.shape)}")
    checks.mask_broadcasts(mask, scores_shape, name)
    return mask


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q kᵀ / √d_k) v, masked positions given weight exactly 0.

    Args:
        q: (…, T, d_k) queries; k: (…, S, d_k) keys; v: (…, S, d_v) values.
        mask: bool, broadcastable to (…, T, S); True where query t may attend to key s.

    Returns:
        ``(output (…, T, d_v), weights (…, T, S))``; each row of weights sums to 1 (or is all
        0 when the mask leaves a query nothing to attend to). Masked weights are exactly 0, as
        with Chapter 2's ``masked_softmax``; the mask is only broadcast, never copied to (…, T, S).
    """
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"queries and keys must have the same width d_k, got {q.shape[-1]} and {k.shape[-1]}")
    if None not in (k.shape[-2], v.shape[-2]) and k.shape[-2] != v.shape[-2]:
        raise ValueError(f"keys and values must have the same length S, got {k.shape[-2]} and {v.shape[-2]}")
    scores = ops.matmul(q / math.sqrt(q.shape[-1]), ops.swapaxes(k, -1, -2))    # QKᵀ/√d_k: (…, T, S)
    dtype = keras.backend.standardize_dtype(scores.dtype)
    if dtype in HALF:                 # mixed precision: -1e9 is -inf in float16 (a masked row: NaN)
        scores = ops.cast(scores, "float32")
    if mask is None:
        weights = ops.softmax(scores, axis=-1)
    else:
        mask = check_mask(mask, scores.shape)
        weights = ops.softmax(ops.where(mask, scores, -1e9), axis=-1)         # exp(-1e9 - max) == 0
        # a query with no key at all gets zeros, not a uniform average: (…, T, 1), no (T, S) copy of the mask
        weights = weights * ops.cast(ops.any(mask, axis=-1, keepdims=True), weights.dtype)
    weights = ops.cast(weights, dtype)
    return ops.matmul(weights, v), weights                                     # (…, T, d_v)


def causal_mask(length):
    """(T, T) bool, True on and below the diagonal: position t may attend to positions <= t.

    ``length``: an int, or a scalar tensor (a shape inside a traced training step).
    """
    if not hasattr(length, "shape"):
        length = positive_int(length, "length")
    positions = ops.arange(length)
    return ops.expand_dims(positions, 1) >= ops.expand_dims(positions, 0)


def padding_mask(ids):
    """Token ids (B, S), 0 = padding -> (B, 1, S) bool, True at real tokens: every query may use them."""
    if len(ids.shape) != 2:
        raise ValueError(f"ids must have shape (batch, length), got {tuple(ids.shape)}")
    return ops.expand_dims(ops.not_equal(ids, PAD), 1)


@keras.saving.register_keras_serializable(package="attention_course")
class MultiHeadAttention(layers.Layer):
    """h heads of scaled dot-product attention on learned projections, joined and projected.

        head_i = softmax(Q W_qᵢ (K W_kᵢ)ᵀ / √d_k) V W_vᵢ,    out = [head_1; …; head_h] W_o

    ``call(query (B, T, D), value (B, S, D_v), key=None (= value), attention_mask=None)``
    returns ``(out (B, T, D), weights (B, h, T, S))``; ``attention_mask`` is bool (B, T, S),
    or anything that broadcasts to it, True = may attend. The weights have the shapes and order
    of ``keras.layers.MultiHeadAttention(h, d_k)``'s -- W_q (D, h, d_k), b_q (h, d_k), W_k,
    b_k, W_v, b_v, W_o (h, d_k, D), b_o (D,) -- so ``set_weights(keras_layer.get_weights())``
    copies one.
    """

    def __init__(self, num_heads, key_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.key_dim = positive_int(num_heads, "num_heads"), positive_int(key_dim, "key_dim")

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = value_shape or query_shape
        key_shape = key_shape or value_shape
        h, d_k, D = self.num_heads, self.key_dim, query_shape[-1]

        def weight(name, shape, initializer="glorot_uniform"):
            return self.add_weight(shape=shape, initializer=initializer, name=name)
        self.W_q, self.b_q = weight("W_q", (D, h, d_k)), weight("b_q", (h, d_k), "zeros")
        self.W_k, self.b_k = weight("W_k", (key_shape[-1], h, d_k)), weight("b_k", (h, d_k), "zeros")
        self.W_v, self.b_v = weight("W_v", (value_shape[-1], h, d_k)), weight("b_v", (h, d_k), "zeros")
        self.W_o, self.b_o = weight("W_o", (h, d_k, D)), weight("b_o", (D,), "zeros")

    def project(self, x, W, b):
        """(B, S, D) -> (B, h, S, d_k): every head's projection at once."""
        return ops.einsum("bsd,dhk->bhsk", x, W) + ops.expand_dims(b, 1)

    def call(self, query, value, key=None, attention_mask=None):
        key = value if key is None else key
        for name, x in (("query", query), ("value", value), ("key", key)):
            if len(x.shape) != 3:
                raise ValueError(f"{name} must have shape (batch, length, width), got {tuple(x.shape)}")
        q = self.project(query, self.W_q, self.b_q)                            # (B, h, T, d_k)
        k = self.project(key, self.W_k, self.b_k)                              # (B, h, S, d_k)
        v = self.project(value, self.W_v, self.b_v)                            # (B, h, S, d_k)
        mask = attention_mask
        if mask is not None and len(mask.shape) == 3:
            mask = ops.expand_dims(mask, 1)                                    # (B, 1, T, S): the same for every head
        heads, weights = scaled_dot_product_attention(q, k, v, mask)           # (B, h, T, d_k), (B, h, T, S)
        out = ops.einsum("bhtk,hkd->btd", heads, self.W_o) + self.b_o          # concatenate, then W_o: (B, T, D)
        return out, weights

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim}


def sinusoidal_encoding(length, depth):
    """(length, depth) float32: P[p, 2i] = sin(p / 10000^(2i/depth)), P[p, 2i+1] = cos(the same).

    Vaswani et al. (2017), section 3.5: each pair of dimensions is one wave, of wavelength
    2π · 10000^(2i/depth), a geometric progression from 2π to just under 10000 · 2π.
    """
    length, depth = positive_int(length, "length"), positive_int(depth, "depth")
    if depth % 2:
        raise ValueError(f"depth must be even (sine and cosine pairs), got {depth}")
    angles = np.arange(length)[:, None] / 10000 ** (np.arange(0, depth, 2)[None, :] / depth)  # (length, depth/2)
    pe = np.empty((length, depth), "float32")
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


@keras.saving.register_keras_serializable(package="attention_course")
class PositionalEmbedding(layers.Layer):
    """Token ids (B, S) -> x = √D · E[ids] + P[:S]  (B, S, D).

    ``positions``: ``"sinusoidal"`` (P fixed, :func:`sinusoidal_encoding`), ``"learned"`` (a
    trained (max_len, D) table) or ``None`` (no P: the model cannot tell the order of tokens).
    """

    POSITIONS = ("sinusoidal", "learned", None)

    def __init__(self, vocab_size, d_model, max_len=512, positions="sinusoidal", **kwargs):
        super().__init__(**kwargs)
        if positions not in self.POSITIONS:
            raise ValueError(f"positions must be one of {self.POSITIONS}, got {positions!r}")
        self.vocab_size, self.d_model = positive_int(vocab_size, "vocab_size"), positive_int(d_model, "d_model")
        self.max_len, self.positions = positive_int(max_len, "max_len"), positions
        self.embedding = layers.Embedding(self.vocab_size, self.d_model)
        if positions == "learned":
            self.table = layers.Embedding(self.max_len, self.d_model)
        elif positions == "sinusoidal":
            self.table = ops.convert_to_tensor(sinusoidal_encoding(self.max_len, self.d_model))

    def build(self, ids_shape):
        self.embedding.build(ids_shape)
        if self.positions == "learned":
            self.table.build((None,))

    def call(self, ids):
        length = ids.shape[1]
        if length is not None and length > self.max_len:
            raise ValueError(f"sequences of {length} tokens are longer than max_len={self.max_len}")
        x = self.embedding(ids) * math.sqrt(self.d_model)                     # (B, S, D)
        if self.positions == "learned":
            x = x + ops.cast(self.table(ops.arange(ops.shape(ids)[1])), x.dtype)
        elif self.positions == "sinusoidal":
            x = x + ops.cast(self.table[:ops.shape(ids)[1]], x.dtype)          # float16 under mixed precision
        return x

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "d_model": self.d_model,
                "max_len": self.max_len, "positions": self.positions}


@keras.saving.register_keras_serializable(package="attention_course")
class FeedForward(layers.Layer):
    """The position-wise feed-forward net, the same at every position: W_2 ReLU(W_1 x + b_1) + b_2.

    (B, S, D) -> (B, S, D), through a hidden width ``d_ff`` (the paper: 4·D).
    """

    def __init__(self, d_model, d_ff, **kwargs):
        super().__init__(**kwargs)
        self.d_model, self.d_ff = positive_int(d_model, "d_model"), positive_int(d_ff, "d_ff")
        self.W_1, self.W_2 = layers.Dense(self.d_ff, activation="relu"), layers.Dense(self.d_model)

    def build(self, x_shape):
        self.W_1.build(x_shape)
        self.W_2.build((*x_shape[:-1], self.d_ff))

    def call(self, x):
        return self.W_2(self.W_1(x))

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "d_ff": self.d_ff}


def _heads(d_model, num_heads):
    d_model, num_heads = positive_int(d_model, "d_model"), positive_int(num_heads, "num_heads")
    if d_model % num_heads:
        raise ValueError(f"d_model must be a multiple of num_heads, got {d_model} and {num_heads}")
    return d_model // num_heads


def _build(layer, *shapes):
    """Build ``layer`` unless it is built already: a model used first through encode(),
    greedy_decode() or attention_maps() has built its layers there, and Keras refuses to build
    a layer twice."""
    if not layer.built:
        layer.build(*shapes)


def encode_with(blocks, x, mask, training=False):
    """Run encoder blocks in turn: x (B, S, D), mask (B, S) -> x (B, S, D), [weights (B, h, S, S)] per block."""
    weights = []
    for block in blocks:
        x, w = block(x, mask, training=training)
        weights.append(w)
    return x, weights


@keras.saving.register_keras_serializable(package="attention_course")
class EncoderBlock(layers.Layer):
    """x (B, S, D), mask (B, S) bool -> (x (B, S, D), self-attention weights (B, h, S, S)).

        x = LayerNorm(x + Dropout(MultiHead(x, x, x, keys: real tokens)))
        x = LayerNorm(x + Dropout(FeedForward(x)))

    A residual connection around each sub-layer, then layer normalisation (the paper's "post-LN").
    """

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.d_model, self.num_heads, self.d_ff, self.dropout_rate = d_model, num_heads, d_ff, dropout
        self.attend = MultiHeadAttention(num_heads, _heads(d_model, num_heads))
        self.ffn = FeedForward(d_model, d_ff)
        self.norm_1, self.norm_2 = layers.LayerNormalization(epsilon=1e-6), layers.LayerNormalization(epsilon=1e-6)
        self.drop_1, self.drop_2 = layers.Dropout(dropout), layers.Dropout(dropout)

    def build(self, x_shape, mask_shape=None):
        for sub in (self.attend, self.ffn, self.norm_1, self.norm_2):
            sub.build(x_shape)

    def call(self, x, mask=None, training=False):
        keys = None if mask is None else ops.expand_dims(mask, 1)             # (B, 1, S): real keys only
        a, weights = self.attend(x, x, attention_mask=keys)
        x = self.norm_1(x + self.drop_1(a, training=training))
        return self.norm_2(x + self.drop_2(self.ffn(x), training=training)), weights

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "d_ff": self.d_ff, "dropout": self.dropout_rate}


@keras.saving.register_keras_serializable(package="attention_course")
class DecoderBlock(layers.Layer):
    """y (B, T, D), memory (B, S, D) -> (y (B, T, D), self weights (B, h, T, T), cross weights (B, h, T, S)).

        y = LayerNorm(y + Dropout(MultiHead(y, y, y, causal mask)))
        y = LayerNorm(y + Dropout(MultiHead(y, memory, memory, keys: real source tokens)))
        y = LayerNorm(y + Dropout(FeedForward(y)))

    ``src_mask`` (B, S) is True at real source tokens. Target padding needs no mask: it only
    ever follows the real tokens, which the causal mask already keeps from seeing it.
    """

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.d_model, self.num_heads, self.d_ff, self.dropout_rate = d_model, num_heads, d_ff, dropout
        d_k = _heads(d_model, num_heads)
        self.self_attend, self.cross_attend = MultiHeadAttention(num_heads, d_k), MultiHeadAttention(num_heads, d_k)
        self.ffn = FeedForward(d_model, d_ff)
        self.norms = [layers.LayerNormalization(epsilon=1e-6) for _ in range(3)]
        self.drops = [layers.Dropout(dropout) for _ in range(3)]

    def build(self, y_shape, memory_shape, src_mask_shape=None):
        self.self_attend.build(y_shape)
        self.cross_attend.build(y_shape, memory_shape)
        self.ffn.build(y_shape)
        for norm in self.norms:
            norm.build(y_shape)

    def call(self, y, memory, src_mask=None, training=False):
        look = causal_mask(ops.shape(y)[1])[None]                               # (1, T, T): no peeking ahead
        a, self_weights = self.self_attend(y, y, attention_mask=look)
        y = self.norms[0](y + self.drops[0](a, training=training))
        keys = None if src_mask is None else ops.expand_dims(src_mask, 1)      # (B, 1, S)
        c, cross_weights = self.cross_attend(y, memory, attention_mask=keys)
        y = self.norms[1](y + self.drops[1](c, training=training))
        return self.norms[2](y + self.drops[2](self.ffn(y), training=training)), self_weights, cross_weights

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "d_ff": self.d_ff, "dropout": self.dropout_rate}


@keras.saving.register_keras_serializable(package="attention_course")
class Transformer(keras.Model):
    """The encoder-decoder Transformer: (src (B, S), tgt_in (B, T)) ids -> logits (B, T, V).

    ``num_layers`` encoder and decoder blocks of width ``d_model`` with ``num_heads`` heads and
    a feed-forward width ``d_ff``; source and target embeddings of their own, each ×√D plus
    the positional encoding (``positions`` as for :class:`PositionalEmbedding`), then dropout. 0 is padding; ``start_id``/``end_id`` are ``<s>`` and
    ``</s>``. Decoding goes through :func:`seq2seq.greedy_decode` and :func:`seq2seq.beam_search`,
    like the RNN models: the decoder's "state" is the target prefix generated so far.
    """

    def __init__(self, vocab_size, d_model=128, num_heads=4, d_ff=512, num_layers=2, dropout=0.1,
                 max_len=64, start_id=1, end_id=2, positions="sinusoidal", **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.d_model = positive_int(vocab_size, "vocab_size"), positive_int(d_model, "d_model")
        self.num_heads, self.d_ff = num_heads, positive_int(d_ff, "d_ff")
        self.num_layers, self.max_len = positive_int(num_layers, "num_layers"), positive_int(max_len, "max_len")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout!r}")
        if not (0 < start_id < vocab_size and 0 < end_id < vocab_size and start_id != end_id):
            raise ValueError(f"start_id and end_id must be two different ids in [1, {vocab_size}) "
                             f"(0 is padding), got {start_id} and {end_id}")
        self.dropout_rate, self.start_id, self.end_id, self.positions = dropout, start_id, end_id, positions
        self.src_embed = PositionalEmbedding(vocab_size, d_model, max_len, positions, name="src_embed")
        self.tgt_embed = PositionalEmbedding(vocab_size, d_model, max_len, positions, name="tgt_embed")
        self.drop_src, self.drop_tgt = layers.Dropout(dropout), layers.Dropout(dropout)
        self.encoder_blocks = [EncoderBlock(d_model, num_heads, d_ff, dropout, name=f"encoder_{i}")
                               for i in range(num_layers)]
        self.decoder_blocks = [DecoderBlock(d_model, num_heads, d_ff, dropout, name=f"decoder_{i}")
                               for i in range(num_layers)]
        self.out = layers.Dense(vocab_size, name="to_vocab")

    def build(self, input_shape):
        src_shape, tgt_shape = input_shape
        D = self.d_model
        _build(self.src_embed, src_shape), _build(self.tgt_embed, tgt_shape)
        for block in self.encoder_blocks:
            _build(block, (*src_shape, D))
        for block in self.decoder_blocks:
            _build(block, (*tgt_shape, D), (*src_shape, D))
        _build(self.out, (*tgt_shape, D))

    def encode(self, src, training=False):
        """src (B, S) -> memory (B, S, D), mask (B, S), per-block self-attention weights (B, h, S, S)."""
        mask = ops.not_equal(src, PAD)
        x, weights = encode_with(self.encoder_blocks, self.drop_src(self.src_embed(src), training=training), mask, training)
        return x, mask, weights

    def decode(self, tgt_in, memory, src_mask, training=False, last_only=False):
        """tgt_in (B, T) -> logits (B, T, V), per-block self (B, h, T, T) and cross (B, h, T, S) weights.

        ``last_only``: logits for the last position only, (B, 1, V) (decoding needs no more).
        """
        y, self_weights, cross_weights = self.drop_tgt(self.tgt_embed(tgt_in), training=training), [], []
        for block in self.decoder_blocks:
            y, s, c = block(y, memory, src_mask, training=training)
            self_weights.append(s), cross_weights.append(c)
        return self.out(y[:, -1:] if last_only else y), self_weights, cross_weights

    def call(self, inputs, training=False):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError("Transformer takes a pair (src, tgt_in) of token-id arrays (B, S) and (B, T)")
        src, tgt_in = inputs
        checks.sequence_ids(src, "src", self.vocab_size, PAD)        # concrete ids only: skipped when traced
        checks.token_ids(tgt_in, "tgt_in", self.vocab_size)
        checks.same_batch(src, tgt_in, "src", "tgt_in")
        memory, mask, _ = self.encode(src, training)
        return self.decode(tgt_in, memory, mask, training)[0]

    def _stepper(self, memory, mask):
        def step(tokens, prefix):                     # prefix: (B, t) tokens fed so far; tokens: (B,)
            prefix = ops.concatenate([prefix, ops.cast(tokens[:, None], prefix.dtype)], axis=1)
            with warnings.catch_warnings():           # the first step's self-attention has one key, and
                warnings.filterwarnings("ignore", "You are using a softmax over axis -1")  # Keras warns
                logits = self.decode(prefix, memory, mask, last_only=True)[0]
            return logits[:, 0], prefix               # the last position's prediction (B, V)
        return step

    def greedy_decode(self, src, max_len, return_weights=False):
        """Generate up to ``max_len`` tokens per source: (B, S) -> (B, L) ids, L <= ``max_len``.

        With ``return_weights`` also the last decoder block's cross-attention, averaged over
        heads, for every generated token: (B, L, S) (:meth:`attention_maps` gives every head).
        """
        src = ops.convert_to_tensor(checks.concrete_ids(src, self.vocab_size, "src"))
        memory, mask, _ = self.encode(src)
        batch = int(src.shape[0])
        empty = ops.zeros((batch, 0), "int32")
        ids = greedy_decode(self._stepper(memory, mask), empty, batch, max_len, self.start_id, self.end_id)
        if not return_weights:
            return ids
        cross = self.attention_maps(src, self.teacher_input(ids))["cross"][-1]   # (B, h, L, S)
        return ids, cross.mean(axis=1)

    def beam_decode(self, src, max_len, beam_width=4, alpha=1.0):
        """Beam search (see :func:`seq2seq.beam_search`): (B, S) -> (B, L) ids of the best hypothesis."""
        src = ops.convert_to_tensor(checks.concrete_ids(src, self.vocab_size, "src"))
        batch = int(src.shape[0])
        memory, mask, _ = self.encode(ops.repeat(src, beam_width, axis=0))      # (B·K, S, D)
        empty = ops.zeros((batch * beam_width, 0), "int32")
        return beam_search(self._stepper(memory, mask), empty, batch, max_len, beam_width,
                           self.start_id, self.end_id, alpha)

    def teacher_input(self, ids):
        """Generated ids (B, L) -> the decoder input that produced them, (B, L): ``<s>`` then ids[:, :-1]."""
        ids = np.asarray(ids)
        return np.concatenate([np.full((len(ids), 1), self.start_id, ids.dtype), ids[:, :-1]], axis=1)

    def attention_maps(self, src, tgt_in):
        """Every block's attention for a (src, tgt_in) pair, as NumPy, one list entry per block:
        ``{"encoder": [(B, h, S, S)], "decoder": [(B, h, T, T)], "cross": [(B, h, T, S)]}``."""
        src = ops.convert_to_tensor(checks.concrete_ids(src, self.vocab_size, "src"))
        tgt_in = ops.convert_to_tensor(checks.concrete_ids(tgt_in, self.vocab_size, "tgt_in", batch_of=(src, "src")))
        memory, mask, enc = self.encode(src)
        _, dec, cross = self.decode(tgt_in, memory, mask)
        return {name: [ops.convert_to_numpy(w) for w in ws] for name, ws in
                (("encoder", enc), ("decoder", dec), ("cross", cross))}

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "d_model": self.d_model,
                "num_heads": self.num_heads, "d_ff": self.d_ff, "num_layers": self.num_layers,
                "dropout": self.dropout_rate, "max_len": self.max_len, "start_id": self.start_id,
                "end_id": self.end_id, "positions": self.positions}


@keras.saving.register_keras_serializable(package="attention_course")
class TransformerClassifier(keras.Model):
    """ids (B, S) -> Transformer encoder (B, S, D) -> mean over real tokens z (B, D) -> logit (B,).

        z = Σ_j m_j x_j / Σ_j m_j   (m_j = 1 at real tokens),   logit = w_oᵀ dropout(z) + b_o

    ``positions`` as for :class:`PositionalEmbedding`. ``call`` returns logits, so Chapter 4's
    ``sentiment.fit_classifier`` and ``run_seeds`` train it like the LSTM classifiers.
    """

    def __init__(self, vocab_size, d_model=64, num_heads=4, d_ff=128, num_layers=1, dropout=0.1,
                 max_len=512, positions="sinusoidal", **kwargs):
        super().__init__(**kwargs)
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout!r}")
        self.vocab_size, self.d_model, self.num_heads, self.d_ff = vocab_size, d_model, num_heads, d_ff
        self.num_layers, self.dropout_rate, self.max_len, self.positions = num_layers, dropout, max_len, positions
        self.embed = PositionalEmbedding(vocab_size, d_model, max_len, positions)
        self.drop_in, self.drop_out = layers.Dropout(dropout), layers.Dropout(dropout)
        self.blocks = [EncoderBlock(d_model, num_heads, d_ff, dropout, name=f"encoder_{i}")
                       for i in range(positive_int(num_layers, "num_layers"))]
        self.out = layers.Dense(1, name="w_o")

    def build(self, ids_shape):
        _build(self.embed, ids_shape)
        for block in self.blocks:
            _build(block, (*ids_shape, self.d_model))
        _build(self.out, (ids_shape[0], self.d_model))

    def encode(self, ids, training=False):
        """ids (B, S) -> states (B, S, D), mask (B, S), per-block weights (B, h, S, S)."""
        checks.sequence_ids(ids, "ids", self.vocab_size, PAD)         # concrete ids only: skipped when traced
        ids = ops.convert_to_tensor(ids)
        if len(ids.shape) != 2 or "int" not in str(ids.dtype):
            raise ValueError(f"ids must be integer token ids of shape (batch, time), got {ids.dtype} {tuple(ids.shape)}")
        mask = ops.not_equal(ids, PAD)
        x, weights = encode_with(self.blocks, self.drop_in(self.embed(ids), training=training), mask, training)
        return x, mask, weights

    def call(self, ids, training=False):
        x, mask, _ = self.encode(ids, training)
        m = ops.cast(mask, x.dtype)[:, :, None]                                   # (B, S, 1)
        z = ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)         # mean of real tokens: (B, D)
        return self.out(self.drop_out(z, training=training))[:, 0]

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "d_model": self.d_model,
                "num_heads": self.num_heads, "d_ff": self.d_ff, "num_layers": self.num_layers,
                "dropout": self.dropout_rate, "max_len": self.max_len, "positions": self.positions}


@keras.saving.register_keras_serializable(package="attention_course")
class WarmupSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The paper's learning rate (section 5.3): lr(n) = D^-0.5 · min(n^-0.5, n · warmup^-1.5).

    It rises linearly for ``warmup_steps`` steps, then falls as 1/√n; ``scale`` multiplies it.
    """

    def __init__(self, d_model, warmup_steps=4000, scale=1.0):
        self.d_model, self.warmup_steps = positive_int(d_model, "d_model"), positive_int(warmup_steps, "warmup_steps")
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not 0 < scale < math.inf:
            raise ValueError(f"scale must be a positive number (it multiplies the learning rate), got {scale!r}")
        self.scale = float(scale)

    def __call__(self, step):
        n = ops.cast(step, "float32") + 1.0                                       # Keras counts steps from 0
        return self.scale * self.d_model ** -0.5 * ops.minimum(n ** -0.5, n * self.warmup_steps ** -1.5)

    def get_config(self):
        return {"d_model": self.d_model, "warmup_steps": self.warmup_steps, "scale": self.scale}
