"""Data-flow diagrams of the course's models, drawn with Matplotlib so that they look the same
in the book, on GitHub and in Colab.

Every box is labelled with the course's notation (the table in ``intro.md``) and every arrow
with its tensor shape. One colour per role, in every chapter: :data:`COLOURS`.

    from attention_course import diagrams
    diagrams.encoder_decoder()          # returns the Axes it drew on
    diagrams.DIAGRAMS                   # every diagram, by name

Notation: source tokens x_1..x_S, encoder states h_j (j indexes the source), decoder states
s_t (t indexes the target), context c_t, attention weights a_tj; B batch, S source length,
T target length, E embedding size, H hidden units, vocab vocabulary size.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

COLOURS = {
    "input": "#d9d9d9",      # tokens and embeddings
    "encoder": "#9ecae1",    # encoder RNN and its states h_j
    "decoder": "#fdd0a2",    # decoder RNN and its states s_t
    "attention": "#c7a6e0",  # scores, weights a_tj, context c_t
    "output": "#a1d99b",     # logits and predicted tokens
}
EDGE = "#333333"
FONT = 13          # box labels
SMALL = 12.5       # shapes and notes: 9 CSS px on a 390 px phone in a 6.8 in figure (plots.phone_text_px)
WIDTH = 6.8        # inches: every diagram fits the book's 690 px column unshrunk


def _canvas(ax, width, height, size=None):
    """Axes in data units ``width`` x ``height``; a new figure :data:`WIDTH` inches wide (one
    data unit is then WIDTH / width inches) unless ``ax`` is given."""
    if ax is None:
        ax = plt.subplots(figsize=size or (WIDTH, WIDTH * height / width))[1]
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.apply_aspect()                  # so that _box can measure its text in data units now
    return ax


def _text_size(ax, text):
    """Width and height of a Text artist, in data units."""
    box = text.get_window_extent(ax.figure.canvas.get_renderer())
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([[box.x0, box.y0], [box.x1, box.y1]])
    return x1 - x0, y1 - y0


def _box(ax, x, y, text, role, w=1.4, h=0.8, fontsize=FONT):
    """A rounded box centred at (x, y), at least ``w`` x ``h`` and wide and tall enough for its
    text (it grows to fit); returns its centre and half sizes for arrows."""
    label = ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)
    text_w, text_h = _text_size(ax, label)
    w, h = max(w, text_w + 0.3), max(h, text_h + 0.2)
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=COLOURS[role], edgecolor=EDGE, linewidth=1.2))
    return (x, y, w / 2, h / 2)


def _edge_point(box, towards):
    """Where the line from a box's centre towards a point leaves the box."""
    x, y, hw, hh = box
    dx, dy = towards[0] - x, towards[1] - y
    if dx == 0 and dy == 0:
        return x, y
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return x + dx * scale, y + dy * scale


def _arrow(ax, start, end, label=None, dx=0.12, dy=0.0, colour=EDGE, rad=0.0, ls="-"):
    """An arrow between two boxes (or points), with an optional label beside its middle: to the
    right for ``dx > 0``, to the left for ``dx < 0``, centred for ``dx == 0`` (use ``dy`` then)."""
    a = _edge_point(start, end[:2]) if len(start) == 4 else start
    b = _edge_point(end, start[:2]) if len(end) == 4 else end
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color=colour, linewidth=1.4,
                                 connectionstyle=f"arc3,rad={rad}", linestyle=ls))
    if label:
        ax.text((a[0] + b[0]) / 2 + dx, (a[1] + b[1]) / 2 + dy, label, fontsize=SMALL, va="center",
                ha="left" if dx > 0 else "right" if dx < 0 else "center", color="#222222")


def rnn_unrolled(steps=4, ax=None):
    """One RNN, drawn once per time step: h_t = f(x_t, h_{t-1}), the same weights at every step."""
    ax = _canvas(ax, 2.4 * steps + 1.2, 4.6)
    prev = _box(ax, 0.8, 2.4, "$h_0$", "encoder", w=1.0)
    for t in range(1, steps + 1):
        x = 2.4 * t
        cell = _box(ax, x, 2.4, f"$h_{t}$", "encoder")
        token = _box(ax, x, 0.6, f"$x_{t}$", "input", w=1.0, h=0.7)
        _arrow(ax, token, cell, "(B, F)" if t == 1 else None)
        _arrow(ax, prev, cell, "(B, H)" if t == 2 else None, dx=0, dy=0.65)
        prev = cell
    ax.text(1.2 * steps + 0.6, 4.1, r"$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$: the same $W_x, W_h$ at every $t$",
            ha="center", fontsize=FONT)
    return ax


def encoder_decoder(ax=None):
    """Encoder-decoder with one context vector: everything the decoder knows passes through h_S."""
    ax = _canvas(ax, 15.6, 5.8)
    prev = None
    for j, x in enumerate([1.0, 3.0, 5.0], start=1):
        label = "S" if j == 3 else j
        cell = _box(ax, x, 2.6, f"$h_{label}$", "encoder", w=1.1)
        _arrow(ax, _box(ax, x, 0.7, f"$x_{label}$", "input", w=1.0, h=0.7), cell, "(B, E)" if j == 1 else None)
        if prev:
            _arrow(ax, prev, cell, "(B, H)" if j == 2 else None, dx=0, dy=0.8)
        prev = cell
    ax.text(4.0, 2.05, "…", ha="center", fontsize=FONT + 2)        # h_3 .. h_{S-1}
    context = _box(ax, 7.3, 2.6, "$c = h_S$", "encoder", w=1.4)
    _arrow(ax, prev, context)
    ax.text(7.3, 2.1, "(B, H):\nbottleneck", ha="center", va="top", fontsize=SMALL)
    prev = context
    for t, x in enumerate([9.6, 11.6, 13.6], start=1):
        cell = _box(ax, x, 2.6, f"$s_{t}$", "decoder", w=1.1)
        _arrow(ax, prev, cell, "$= s_0$" if t == 1 else None, dx=0, dy=0.65)
        token = "<s>" if t == 1 else f"$y_{t - 1}$"
        _arrow(ax, _box(ax, x, 0.7, token, "input", w=1.0, h=0.7), cell, "(B, E)" if t == 1 else None)
        _arrow(ax, cell, _box(ax, x, 4.4, f"$p(y_{t})$", "output", w=1.2, h=0.7), "(B, vocab)" if t == 3 else None)
        prev = cell
    ax.text(3.0, 5.4, "encoder", ha="center", fontsize=FONT + 1, weight="bold")
    ax.text(11.6, 5.4, "decoder", ha="center", fontsize=FONT + 1, weight="bold")
    return ax


def bidirectional_encoder(ax=None):
    """Bahdanau et al.'s encoder: a GRU each way over the source, h_j = [→h_j; ←h_j], and the
    decoder's first state s_0 = tanh(W_init ←h_1) from the backward GRU's last state."""
    ax = _canvas(ax, 13.8, 7.6)
    columns = [(3.6, "1"), (6.0, "2"), (9.6, "S")]
    forward, backward = [], []
    for i, (x, j) in enumerate(columns):
        token = _box(ax, x, 0.6, f"$x_{j}$", "input", w=1.0, h=0.7)
        f = _box(ax, x, 2.4, rf"$\overrightarrow{{h_{j}}}$", "encoder", w=1.1)
        b = _box(ax, x, 4.2, rf"$\overleftarrow{{h_{j}}}$", "encoder", w=1.1)
        h = _box(ax, x, 6.3, f"$h_{j}$", "encoder", w=1.1)
        _arrow(ax, token, f, "(B, E)" if i == 0 else None)
        _arrow(ax, (x - 0.5, 0.95), (x - 0.55, 3.85), rad=-0.35)      # x_j to the backward GRU too
        _arrow(ax, b, h, "(B, H)" if i == 0 else None)               # [→h_j; ←h_j], side by side
        _arrow(ax, (x + 0.55, 2.6), (x + 0.5, 5.95), rad=0.35)        # →h_j joins it
        forward.append(f)
        backward.append(b)
    for a, b in zip(forward, forward[1:]):
        _arrow(ax, a, b, "(B, H/2)" if b is forward[-1] else None, dx=0, dy=0.3)
    for a, b in zip(backward[1:], backward):
        _arrow(ax, a, b, "(B, H/2)" if a is backward[-1] else None, dx=0, dy=0.3)
    for y in (1.9, 3.7):
        ax.text(7.8, y, "…", ha="center", fontsize=FONT + 2)          # positions 3 .. S-1
    s0 = _box(ax, 0.6, 4.2, "$s_0$", "decoder", w=0.9, h=0.7)
    _arrow(ax, backward[0], s0)
    ax.text(1.8, 4.8, r"$\tanh(W_{init}\,\cdot)$", ha="center", fontsize=SMALL)
    ax.text(10.6, 2.4, "forward GRU", fontsize=SMALL, va="center")
    ax.text(10.6, 4.2, "backward GRU", fontsize=SMALL, va="center")
    ax.text(10.6, 6.3, "$h_j = [\\overrightarrow{h_j}; \\overleftarrow{h_j}]$", fontsize=SMALL, va="center")
    ax.text(0.2, 7.2, "Bahdanau's encoder: a GRU each way", fontsize=FONT + 1, weight="bold")
    return ax


def teacher_forcing(ax=None):
    """Two ways to feed the decoder, one above the other: the true previous tokens, all T steps
    in one call (training), or its own guess, one step at a time (inference); with the shapes."""
    if ax is None:
        ax = plt.subplots(2, 1, figsize=(WIDTH, 2 * WIDTH * 5.0 / 10.0))[1]
    titles = ["teacher forcing (training): reads the true $y_{t-1}$",
              "free running (inference): reads its own guess $\\hat y_{t-1}$"]
    shapes = [("logits: (B, T, vocab)", "states: (B, T, H)", "input: (B, T),\nall T steps at once"),
              ("logits: (B, vocab)\nper step, then argmax", "state: (B, H)", "input: (B, 1),\none step at a time")]
    for panel, (axis, title) in enumerate(zip(ax, titles)):
        _canvas(axis, 10.0, 5.0)
        axis.text(0.1, 4.8, title, fontsize=FONT, va="top")
        prev_out = prev_cell = None
        for t, x in enumerate([0.8, 2.9, 5.0], start=1):
            cell = _box(axis, x, 2.3, f"$s_{t}$", "decoder", w=1.0)
            out = _box(axis, x, 3.7, f"$\\hat y_{t}$", "output", w=1.0, h=0.7)
            _arrow(axis, cell, out)
            token = "<s>" if t == 1 else (f"$y_{t - 1}$" if panel == 0 else f"$\\hat y_{t - 1}$")
            inp = _box(axis, x, 0.6, token, "input", w=1.0, h=0.7)
            _arrow(axis, inp, cell)
            if prev_cell is not None:
                _arrow(axis, prev_cell, cell)
                if panel == 1:
                    _arrow(axis, prev_out, inp, colour="#b2182b", ls="--")
            prev_out, prev_cell = out, cell
        for y, text in zip((3.7, 2.3, 0.6), shapes[panel]):
            axis.text(6.2, y, text, fontsize=SMALL, va="center")
    return ax


def soft_lookup(n_source=4, ax=None):
    """Attention as a soft dictionary lookup: a query scores every key; the weights mix the values."""
    ax = _canvas(ax, 14.6, 7.4)
    xs = [3.4 + 1.8 * j for j in range(n_source)]
    query = _box(ax, 0.9, 6.5, "$q$", "decoder", w=1.0, h=0.7)
    ax.text(0.9, 5.95, "query\n(B, H)", ha="center", va="top", fontsize=SMALL)
    rows = {"keys $k_j$  (B, S, H)": 6.5, "scores $e_j = \\mathrm{score}(q, k_j)$  (B, S)": 4.8,
            "weights $a = \\mathrm{softmax}_j(e)$  (B, S)": 3.2, "values $v_j$  (B, S, H)": 1.6}
    for name, y in rows.items():
        ax.text(xs[-1] + 0.8, y, name, fontsize=SMALL, va="center")
    context = _box(ax, xs[-1] + 1.4, 0.35, "$c$", "attention", w=1.0, h=0.55)
    ax.text(xs[-1] + 2.1, 0.35, r"context $c = \sum_j a_j v_j$  (B, H)", va="center", fontsize=SMALL)
    for j, x in enumerate(xs, start=1):
        key = _box(ax, x, 6.5, f"$k_{j}$", "encoder", w=1.0, h=0.7)
        score = _box(ax, x, 4.8, f"$e_{j}$", "attention", w=1.0, h=0.7)
        weight = _box(ax, x, 3.2, f"$a_{j}$", "attention", w=1.0, h=0.7)
        value = _box(ax, x, 1.6, f"$v_{j}$", "encoder", w=1.0, h=0.7)
        _arrow(ax, key, score)
        _arrow(ax, query, score, colour="#7f7f7f", rad=0.12)
        _arrow(ax, score, weight)
        _arrow(ax, weight, value)
        _arrow(ax, value, context, colour="#7f7f7f", rad=0.1)
    return ax


def _step_parts(ax, title, gru_x, attend_x):
    """What both attention decoders' steps draw: s_{t-1}, the GRU fed with y_{t-1}, and
    attend reading the encoder states; their order along x is each decoder's order."""
    ax.text(0.2, 7.3, title, fontsize=FONT + 1, weight="bold")
    prev = _box(ax, 0.9, 2.6, "$s_{t-1}$", "decoder", w=1.1, h=0.7)
    gru = _box(ax, gru_x, 2.6, "GRU", "decoder", w=1.2)
    word = _box(ax, gru_x, 0.7, "$y_{t-1}$", "input", w=1.1, h=0.7)
    _arrow(ax, word, gru, "embed (B, E)")
    attend = _box(ax, attend_x, 2.6, "attend", "attention", w=1.3)
    _arrow(ax, _box(ax, attend_x, 0.7, "$h_1 \\ldots h_S$", "encoder", w=1.7, h=0.7), attend, "(B, S, H)")
    return prev, gru, attend, word


def luong_step(ax=None):
    """One step of Luong et al.'s decoder: GRU first, then attend with the *current* state s_t."""
    ax = _canvas(ax, 9.5, 7.6)
    prev, gru, attend, _ = _step_parts(ax, "Luong: step, then attend", gru_x=3.4, attend_x=6.6)
    _arrow(ax, prev, gru, "(B, H)", dx=0, dy=0.3)
    _arrow(ax, gru, attend, "$s_t$ (B, H)", dx=0, dy=0.3)
    combine = _box(ax, 6.6, 4.6, r"$\tilde s_t = \tanh(W_c[c_t; s_t])$", "attention", w=4.4)
    _arrow(ax, attend, combine, "$c_t$ (B, H)")
    _arrow(ax, gru, combine)
    out = _box(ax, 6.6, 6.4, r"logits $W_s \tilde s_t$", "output", w=3.0, h=0.7)
    _arrow(ax, combine, out, "(B, vocab)")
    return ax


def bahdanau_step(ax=None):
    """One step of Bahdanau et al.'s decoder: attend with the *previous* state, then step the GRU."""
    ax = _canvas(ax, 9.5, 7.6)
    prev, gru, attend, word = _step_parts(ax, "Bahdanau: attend, then step", gru_x=7.2, attend_x=3.8)
    _arrow(ax, prev, attend, "(B, H)", dx=0, dy=-0.3)
    _arrow(ax, attend, gru, "$c_t$ (B, H)", dx=0, dy=-0.3)
    _arrow(ax, prev, gru, None, rad=-0.45)
    ax.text(0.2, 4.1, "$s_{t-1}$, the\nGRU's state", ha="left", va="center", fontsize=SMALL)
    out = _box(ax, 5.6, 6.3, "logits $W_s o_t$, with\n"
               r"$o_t = \tanh(W_{do}[s_t; c_t; \mathrm{embed}(y_{t-1})])$", "output", w=6.6, h=1.1)
    bottom = out[1] - out[3]                                             # the output box's lower edge
    _arrow(ax, gru, (gru[0], bottom), "$s_t$ (B, H)")
    _arrow(ax, attend, (attend[0], bottom), "$c_t$ (B, H)")              # the context, to the output too
    _arrow(ax, (word[0] + word[2], word[1]), (8.7, bottom), rad=0.25, colour="#7f7f7f")  # and the previous word
    return ax


def decoder_steps(ax=None):
    """Luong's decoder step above Bahdanau's, at one scale (one per row: legible on a phone)."""
    if ax is None:
        ax = plt.subplots(2, 1, figsize=(WIDTH, 2 * WIDTH * 7.6 / 9.5))[1]
    luong_step(ax[0])
    bahdanau_step(ax[1])
    return ax


def beam_tree(ax=None):
    """A beam of width n_beam = 2 over two steps: keep the two best partial outputs, by total
    log-probability; with the shapes of ``seq2seq.beam_search``'s arrays at each step."""
    ax = _canvas(ax, 10.0, 9.8)
    root = _box(ax, 1.0, 3.8, "<s>", "input", w=1.0, h=0.7)
    first = {"tengo": (6.2, -0.4, True), "estoy": (3.8, -1.2, True), "soy": (1.4, -2.5, False)}
    second = {"tengo": [("hambre", 7.0, -0.9, True), ("frío", 5.75, -2.6, False)],
              "estoy": [("hambriento", 4.3, -1.9, True), ("cansado", 3.05, -3.1, False)]}
    for word, (y, logp, kept) in first.items():
        node = _box(ax, 4.0, y, f"{word}\n{logp:.1f}", "output" if kept else "input", w=1.5, h=0.85)
        _arrow(ax, root, node, ls="-" if kept else ":")
        for word2, y2, logp2, kept2 in second.get(word, []):
            child = _box(ax, 7.8, y2, f"{word2}\n{logp2:.1f}", "output" if kept2 else "input", w=2.3, h=0.85)
            _arrow(ax, node, child, ls="-" if kept2 else ":")
    ax.text(4.0, 7.0, "step 1:\none beam, <s>", ha="center", va="bottom", fontsize=SMALL)
    ax.text(7.8, 7.7, "step 2\nlog p: (B, $n_{beam}$, vocab)\nkeep the top $n_{beam}$ of\n"
            "$n_{beam}$ · vocab: (B, $n_{beam}$)", ha="center", va="bottom", fontsize=SMALL)
    ax.text(5.0, 0.4, "numbers: log p of the output so far\ngreen: kept in the beam ($n_{beam}$ = 2)",
            ha="center", va="center", fontsize=SMALL)
    return ax


_POOLS = {
    "last": ("LSTM, last state", "$z = h_S$", None),
    "attention": ("LSTM + attention pooling (a learned query $q$)",
                  r"$a_j = \mathrm{softmax}_j(q^\top \tanh(W h_j + b))$" + "\n" + r"$z = \sum_j a_j h_j$", None),
    "bahdanau": ("BiLSTM + Bahdanau (query: the final states)",
                 r"$a_j = \mathrm{softmax}_j(v_a^\top \tanh(W_1 h_j + W_2 q))$" + "\n" + r"$z = \sum_j a_j h_j$",
                 r"$q = [\overrightarrow{h}_S; \overleftarrow{h}_1]$"),
    "luong": ("LSTM + Luong: the copied example's layer, with a mask",
              r"$a_j = \mathrm{softmax}_j(q^\top W_a h_j)$" + "\n" + r"$z = \tanh(W_c[\sum_j a_j h_j;\ q])$",
              "$q = h_S$"),
}


def sentiment_classifier(pooling="attention", ax=None):
    """Chapter 4's classifiers: embed -> (Bi)LSTM states h_j -> a summary z -> P(positive).

    ``pooling`` as in ``sentiment.SentimentClassifier``: "last", "attention", "bahdanau", "luong".
    """
    if pooling not in _POOLS:
        raise ValueError(f"pooling must be one of {sorted(_POOLS)}, got {pooling!r}")
    title, pool_text, query_text = _POOLS[pooling]
    ax = _canvas(ax, 14.0, 7.6)
    ax.text(0.2, 7.2, title, fontsize=FONT + 1, weight="bold")
    states, prev = [], None
    for i, (x, j) in enumerate([(1.3, "1"), (3.9, "2"), (7.3, "S")]):
        token = _box(ax, x, 0.6, f"$x_{j}$", "input", w=1.0, h=0.7)
        cell = _box(ax, x, 2.4, f"$h_{j}$", "encoder", w=1.1)
        _arrow(ax, token, cell, "embed\n(B, E)" if i == 0 else None)
        if prev:
            _arrow(ax, prev, cell, "(B, H)" if i == 1 else None, dx=0, dy=0.65)
        states.append(prev := cell)
    ax.text(5.6, 2.4, "…", ha="center", va="center", fontsize=FONT + 2)
    if pooling == "bahdanau":                                            # the backward LSTM, right to left
        for right, left in zip(states[:0:-1], states[-2::-1]):
            _arrow(ax, (right[0] - right[2], right[1] - 0.25), (left[0] + left[2], left[1] - 0.25), colour="#7f7f7f", ls="--")
        ax.text(0.2, 6.55, "a BiLSTM: $h_j = [\\overrightarrow{h}_j; \\overleftarrow{h}_j]$", fontsize=SMALL, va="center")
    if pooling == "last":
        pool = _box(ax, 7.3, 4.9, pool_text, "encoder", w=1.8, h=0.8)
        _arrow(ax, states[-1], pool, "the last real step", dx=0.15)
    else:
        pool = _box(ax, 4.3, 5.0, pool_text, "attention", w=7.4, h=1.5, fontsize=SMALL)
        for cell in states:                                              # the values h_j, weighted inside
            _arrow(ax, cell, (cell[0], pool[1] - pool[3]))
        ax.text(8.3, 1.15, "values $h_j$: (B, S, H)\npadding gets $a_j = 0$", fontsize=SMALL, va="center")
    if query_text:
        query = _box(ax, 11.3, 2.4, query_text, "attention", w=2.8 if pooling == "bahdanau" else 1.6, h=0.8)
        _arrow(ax, states[-1], query)
        if pooling == "bahdanau":                                        # ←h_1 comes from the first position
            _arrow(ax, (states[0][0] + 0.3, states[0][1] + states[0][3]), (query[0] - 0.6, query[1] + query[3]),
                   colour="#7f7f7f", ls="--", rad=-0.07)
        _arrow(ax, query, (pool[0] + pool[2], pool[1] - 0.3), "query (B, H)", dx=0.15)
    elif pooling == "attention":
        query = _box(ax, 11.3, 3.1, "$q$: trained,\nshape $(d_a,)$", "attention", w=2.6, h=1.1)
        _arrow(ax, query, (pool[0] + pool[2], pool[1] - 0.3), "query", dx=0.15)
    out = _box(ax, 10.6, 6.6, r"$P(\mathrm{positive}) = \sigma(w_o^\top z + b_o)$", "output", w=5.4, h=0.8)
    _arrow(ax, (pool[0] + pool[2], pool[1] + 0.3) if pooling != "last" else pool, out, "$z$", dx=-0.15)
    return ax


def scaled_dot_product(ax=None):
    """softmax(Q Kᵀ / √d_k) V, step by step, with the shapes (Chapter 5)."""
    ax = _canvas(ax, 12.0, 9.0)
    ax.text(0.2, 8.6, "Scaled dot-product attention", fontsize=FONT + 1, weight="bold")
    q = _box(ax, 1.6, 0.8, "$Q$", "decoder", w=1.0, h=0.7)
    k = _box(ax, 4.6, 0.8, "$K$", "encoder", w=1.0, h=0.7)
    v = _box(ax, 9.6, 0.8, "$V$", "encoder", w=1.0, h=0.7)
    scores = _box(ax, 3.1, 2.9, r"$QK^\top / \sqrt{d_k}$", "attention", w=2.6)
    _arrow(ax, q, scores, "(B, T, $d_k$)", dx=-0.15)
    _arrow(ax, k, scores, "(B, S, $d_k$)", dx=0.15)
    masked = _box(ax, 3.1, 4.8, "mask: $-10^9$ where False", "attention", w=3.8)
    _arrow(ax, scores, masked, "scores (B, T, S)")
    weights = _box(ax, 3.1, 6.5, "softmax over S", "attention", w=2.8)
    _arrow(ax, masked, weights)
    out = _box(ax, 9.6, 6.5, "$A V$", "output", w=1.2)
    _arrow(ax, weights, out, "$A$ (B, T, S)", dx=0, dy=0.3)
    _arrow(ax, v, out, "(B, S, $d_v$)")
    _arrow(ax, out, (out[0], 8.3), "(B, T, $d_v$)")
    ax.text(6.2, 4.8, "bool, broadcast to\n(B, T, S); True =\nmay attend", fontsize=SMALL, va="center")
    return ax


def multi_head(ax=None):
    """Multi-head attention: h projections, h attentions side by side, joined and projected."""
    ax = _canvas(ax, 14.0, 9.4)
    ax.text(0.2, 9.0, "Multi-head attention", fontsize=FONT + 1, weight="bold")
    x_q = _box(ax, 2.0, 0.7, "query $X$", "decoder", w=1.8, h=0.7)
    x_kv = _box(ax, 8.5, 0.7, "key = value $Z$", "encoder", w=2.6, h=0.7)
    proj = _box(ax, 5.2, 2.6, "$Q_i = X W_q^{(i)}$,  $K_i = Z W_k^{(i)}$,  $V_i = Z W_v^{(i)}$", "attention", w=9.6)
    _arrow(ax, x_q, proj, "(B, T, D)", dx=-0.15)
    _arrow(ax, x_kv, proj, "(B, S, D)", dx=0.15)
    heads = [_box(ax, x, 4.6, f"head {i}", "attention", w=1.7) for i, x in zip(("1", "2", "h"), (2.0, 4.4, 8.4))]
    ax.text(6.4, 4.6, "…", ha="center", va="center", fontsize=FONT + 2)
    for i, head in enumerate(heads):
        _arrow(ax, (head[0], proj[1] + proj[3]), head, "(B, h, T, $d_k$)" if i == 2 else None, dx=0.15)
    concat = _box(ax, 5.2, 6.5, "concatenate the heads, then $W_o$", "output", w=8.0)
    for head in heads:
        _arrow(ax, head, (head[0], concat[1] - concat[3]))
    ax.text(9.5, 5.6, "softmax$(Q_i K_i^\\top/\\sqrt{d_k})\\, V_i$\nweights (B, h, T, S)", fontsize=SMALL, va="center")
    _arrow(ax, concat, (concat[0], 8.5), "(B, T, D),  D = h · $d_k$")
    return ax


def transformer_blocks(ax=None):
    """One encoder block and one decoder block, with residual connections and layer norms."""
    ax = _canvas(ax, 14.0, 12.0)
    ax.text(0.2, 11.6, "Encoder block (×N)            Decoder block (×N)", fontsize=FONT + 1, weight="bold")

    def sub_layer(x, y, text, role, w=4.8):
        block = _box(ax, x, y, text, role, w=w, h=0.75)
        norm = _box(ax, x, y + 1.05, "add & LayerNorm", "input", w=2 * block[2], h=0.6, fontsize=SMALL)
        _arrow(ax, block, norm)
        return block, norm

    src = _box(ax, 3.4, 0.6, "$\\sqrt{D}\\,E[x] + P$", "input", w=3.0, h=0.7)
    att, n1 = sub_layer(3.4, 2.4, "self-attention\n(padding mask)", "encoder")
    _arrow(ax, src, att, "(B, S, D)")
    ffn, n2 = sub_layer(3.4, 5.0, "feed-forward", "encoder")
    _arrow(ax, n1, ffn)
    memory = (3.4, 8.3)
    _arrow(ax, n2, memory)
    ax.text(memory[0], memory[1] + 0.15, "memory (B, S, D),\nto every decoder block", ha="center", va="bottom",
            fontsize=SMALL)
    for block, norm in ((att, n1), (ffn, n2)):                       # the residual path around each sub-layer
        _arrow(ax, (block[0] - block[2] - 0.1, block[1] - 0.75), (norm[0] - norm[2], norm[1]), colour="#7f7f7f", rad=-0.5, ls="--")
    tgt = _box(ax, 10.5, 0.6, "$\\sqrt{D}\\,E[y] + P$", "input", w=3.0, h=0.7)
    self_att, m1 = sub_layer(10.5, 2.4, "causal self-attention", "decoder")
    _arrow(ax, tgt, self_att, "(B, T, D)")
    cross, m2 = sub_layer(10.5, 5.0, "cross-attention", "attention")
    _arrow(ax, m1, cross)
    ffn2, m3 = sub_layer(10.5, 7.6, "feed-forward", "decoder")
    _arrow(ax, m2, ffn2)
    _arrow(ax, (memory[0] + 0.1, memory[1]), (cross[0] - cross[2], cross[1]), rad=0.3)
    ax.text(6.1, 6.75, "keys, values", fontsize=SMALL, va="center")
    out = _box(ax, 10.5, 10.0, "logits (B, T, vocab)", "output", w=3.5, h=0.6, fontsize=SMALL)
    ax.text(0.2, 11.0, "dashed: the residual path, x + Dropout(sub-layer(x))", fontsize=SMALL, color="#555555")
    _arrow(ax, m3, out)
    for block, norm in ((self_att, m1), (cross, m2), (ffn2, m3)):
        _arrow(ax, (block[0] + block[2] + 0.1, block[1] - 0.75), (norm[0] + norm[2], norm[1]), colour="#7f7f7f", rad=0.5, ls="--")
    return ax


# ---------------------------------------------------------------------------------------------
# One attention step with real numbers (Chapters 2 and 3)

_H = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])     # Chapter 2's worked example: h_1, h_2, h_3


def attention_step_numbers(score="dot", keys=None, query=None, W1=None, W2=None, v_a=None):
    """The numbers :func:`attention_step` draws, computed with NumPy (``tests/test_diagrams.py``
    checks them against ``LuongAttention`` and ``BahdanauAttention`` on the same inputs).

    ``score="dot"``: e_tj = s_tᵀ h_j (Luong); ``"additive"``: e_tj = v_aᵀ tanh(W_1 h_j + W_2 s_{t-1})
    (Bahdanau). ``keys`` (S, H) are the encoder states h_j (keys = values); ``query`` (H,) is
    s_t or s_{t-1}; ``W1``, ``W2`` (H, d_a) are Keras kernels (the code computes ``h @ W1``, the
    transpose of the equation's W_1) and ``v_a`` (d_a,). The defaults are Chapter 2's and
    Chapter 3's worked examples. Returns a dict: keys, query, (hidden,) scores, weights, terms
    (a_tj h_j, one row per j) and context c_t.
    """
    keys = _H if keys is None else np.asarray(keys, float)
    if score == "dot":
        query = np.array([2.0, 0.0]) if query is None else np.asarray(query, float)
        out = {"keys": keys, "query": query, "scores": keys @ query}
    elif score == "additive":
        query = np.array([1.0, -1.0]) if query is None else np.asarray(query, float)
        W1 = np.eye(2) if W1 is None else np.asarray(W1, float)
        W2 = np.eye(2) if W2 is None else np.asarray(W2, float)
        v_a = np.array([2.0, -1.0]) if v_a is None else np.asarray(v_a, float)
        hidden = np.tanh(keys @ W1 + query @ W2)                          # (S, d_a)
        out = {"keys": keys, "query": query, "W1": W1, "W2": W2, "v_a": v_a, "hidden": hidden,
               "scores": hidden @ v_a}
    else:
        raise ValueError(f"score must be 'dot' or 'additive', got {score!r}")
    weights = np.exp(out["scores"] - out["scores"].max())
    out["weights"] = weights / weights.sum()
    out["terms"] = out["weights"][:, None] * keys                         # a_tj h_j
    out["context"] = out["terms"].sum(0)
    return out


def _vec(v, digits=2):
    """A vector as the course prints it in a figure: (0.94, 0.53); integers without decimals."""
    v = np.asarray(v, float)
    if np.allclose(v, np.round(v)):
        return ("(" + ", ".join(f"{int(round(x))}" for x in v) + ")").replace("-", "−")
    return ("(" + ", ".join(f"{x:.{digits}f}" for x in v) + ")").replace("-", "−")


def _mat(m):
    m = np.asarray(m, float)
    if m.shape[0] == m.shape[1] and np.allclose(m, np.eye(len(m))):
        return "I"
    return "[" + "; ".join(" ".join(f"{x:g}" for x in row) for row in m) + "]"


def _bars(ax, xs, y0, values, role, height, fmt, label):
    """One bar per column, from the baseline y0 (upwards for positive values), each with its value."""
    top = max(abs(v) for v in values) or 1.0
    ax.plot([xs[0] - 1.2, xs[-1] + 1.2], [y0, y0], color="#7f7f7f", linewidth=1)
    for x, v in zip(xs, values):
        h = height * v / top
        ax.add_patch(Rectangle((x - 0.5, min(y0, y0 + h)), 1.0, abs(h), facecolor=COLOURS[role], edgecolor=EDGE,
                               linewidth=1.0))
        ax.text(x + 0.62, max(y0 + h - 0.05, y0 + 0.4), fmt.format(v), fontsize=SMALL, va="top", ha="left")
    ax.text(0.1, y0 + height + 0.35, label, fontsize=SMALL, va="center")


def _attention_panel(ax, score, n):
    """One attention step drawn top to bottom: query and keys, (hidden,) scores, weights, context."""
    S = len(n["keys"])
    width = 10.0
    xs = [1.4 + (width - 3.0) * j / max(S - 1, 1) for j in range(S)]
    additive = score == "additive"
    y = 10.6 if additive else 8.4                                            # the panel's top row
    if additive:
        title = "Bahdanau, additive score"
        ax.text(0.1, y + 0.9, title, fontsize=FONT, weight="bold", va="center")
        ax.text(0.1, y + 0.25, rf"$s_{{t-1}}$ = {_vec(n['query'])},  $W_1$ = {_mat(n['W1'].T)},  "
                rf"$W_2$ = {_mat(n['W2'].T)},  $v_a$ = {_vec(n['v_a'])}", fontsize=SMALL, va="center")
    else:
        ax.text(0.1, y + 0.9, "Luong, dot score", fontsize=FONT, weight="bold", va="center")
        ax.text(0.1, y + 0.25, rf"query $s_t$ = {_vec(n['query'])}", fontsize=SMALL, va="center")
    ax.text(0.1, y - 0.4, "keys = values $h_j$", fontsize=SMALL, va="center")
    [_box(ax, x, y - 1.05, f"$h_{j + 1}$ = {_vec(h)}", "encoder", w=1.8, h=0.6, fontsize=SMALL)
            for j, (x, h) in enumerate(zip(xs, n["keys"]))]
    y -= 1.05
    if additive:
        ax.text(0.1, y - 0.75, r"$u_j = \tanh(W_1 h_j + W_2 s_{t-1})$", fontsize=SMALL, va="center")
        for x, u in zip(xs, n["hidden"]):
            _box(ax, x, y - 1.45, _vec(u), "attention", w=1.8, h=0.6, fontsize=SMALL)
        y -= 1.45
        label = r"scores $e_{tj} = v_a^\top u_j$"
    else:
        label = r"scores $e_{tj} = s_t^\top h_j$"
    base = y - 2.3
    _bars(ax, xs, base, n["scores"], "attention", 1.2, "{:.2f}", label)
    base2 = base - 2.2
    _bars(ax, xs, base2, n["weights"], "attention", 1.2, "{:.3f}",
          rf"weights $a_{{tj}} = \mathrm{{softmax}}_j(e_{{tj}})$, sum = {n['weights'].sum():.3f}")
    y = base2 - 0.75
    ax.text(0.1, y, r"context $c_t = \sum_j a_{tj} h_j$", fontsize=SMALL, va="center")
    terms = []
    for j, (x, a, h) in enumerate(zip(xs, n["weights"], n["keys"])):
        terms.append(_box(ax, x, y - 0.65, f"{a:.3f}·{_vec(h)}", "input", w=1.8, h=0.6, fontsize=SMALL))
        if j:
            ax.text((xs[j - 1] + x) / 2, y - 0.65, "+", ha="center", va="center", fontsize=FONT)
    context = _box(ax, width / 2, y - 1.75, rf"$c_t$ = {_vec(n['context'], 3)}", "attention", w=2.6, h=0.6,
                   fontsize=FONT)
    for term in terms:
        _arrow(ax, term, context, colour="#7f7f7f")


def attention_step(score="both", ax=None, **inputs):
    """One attention step on a tiny example, with its real numbers: the query, the keys h_j, the
    score e_tj of each key as a bar, the softmax weights a_tj as bars (they sum to 1) and the
    context c_t built as the weighted sum of the terms a_tj h_j.

    ``score``: "dot" (Luong, e_tj = s_tᵀ h_j), "additive" (Bahdanau, e_tj = v_aᵀ tanh(W_1 h_j +
    W_2 s_{t-1})) or "both" (Luong above Bahdanau, one figure 6.8 in wide). ``inputs`` go to
    :func:`attention_step_numbers` (only with one score). Returns ``(axes, numbers)``: the Axes
    (a list with "both") and ``{"luong": ..., "bahdanau": ...}``, the dicts it drew.
    """
    scores = {"dot": ["dot"], "additive": ["additive"], "both": ["dot", "additive"]}.get(score)
    if scores is None:
        raise ValueError(f"score must be 'dot', 'additive' or 'both', got {score!r}")
    if inputs and len(scores) > 1:
        raise ValueError("inputs can be given for one score only: score='dot' or score='additive'")
    heights = {"dot": 9.6, "additive": 11.8}
    if ax is None:
        total = sum(heights[s] for s in scores)
        ax = plt.subplots(len(scores), 1, figsize=(WIDTH, WIDTH * total / 10.0),
                          gridspec_kw={"height_ratios": [heights[s] for s in scores], "hspace": 0.02})[1]
    axes = list(np.ravel(ax)) if hasattr(ax, "__len__") else [ax]
    numbers = {}
    for axis, s in zip(axes, scores):
        _canvas(axis, 10.0, heights[s])
        n = attention_step_numbers(s, **inputs)
        _attention_panel(axis, s, n)
        numbers["luong" if s == "dot" else "bahdanau"] = n
    return (axes if len(axes) > 1 else axes[0]), numbers


# ---------------------------------------------------------------------------------------------
# An attention seq2seq, unrolled over the decoder's steps (Chapter 2)

def _reversal_weights(S, T):
    """Illustrative weights for the reversal task: step t looks mostly at source position S + 1 - t."""
    j = np.arange(S)[None, :]
    target = S - 1 - np.arange(T)[:, None]
    logits = -2.0 * np.abs(j - target)
    w = np.exp(logits)
    return w / w.sum(1, keepdims=True)


def unrolled_attention_seq2seq(weights=None, source="abcd", target="dcba", ax=None):
    """Luong's attention seq2seq unrolled over the decoder's steps, on the reversal task: encoder
    states h_1..h_S along the bottom; at each step t the decoder state s_t attends, every h_j
    sends a line to the context c_t as thick as its weight a_tj, and [c_t; s_t] predicts y_t.

    ``weights`` (T, S), rows summing to 1, e.g. a trained model's weights for this sentence; by
    default illustrative weights that peak at position S + 1 - t (what reversal needs).
    """
    S, T = len(source), len(target)
    weights = _reversal_weights(S, T) if weights is None else np.asarray(weights, float)
    if weights.shape != (T, S) or not np.allclose(weights.sum(1), 1, atol=1e-3):
        raise ValueError(f"weights must have shape (T, S) = {(T, S)} with rows summing to 1, "
                         f"got shape {weights.shape}")
    width, height = 10.0, 8.6
    ax = _canvas(ax, width, height)
    enc_x = [0.9 + (width - 1.8) * j / max(S - 1, 1) for j in range(S)]
    dec_x = [1.4 + (width - 2.8) * t / max(T - 1, 1) for t in range(T)]
    prev = None
    states = []
    for j, (x, token) in enumerate(zip(enc_x, source), start=1):
        cell = _box(ax, x, 1.9, f"$h_{j}$", "encoder", w=1.0, h=0.7)
        _arrow(ax, _box(ax, x, 0.5, token, "input", w=0.8, h=0.6), cell)
        if prev:
            _arrow(ax, prev, cell)
        states.append(prev := cell)
    prev = prev_word = None
    for t, (x, word) in enumerate(zip(dec_x, target), start=1):
        context = _box(ax, x - 0.55, 4.9, f"$c_{t}$", "attention", w=0.9, h=0.7)
        state = _box(ax, x + 0.55, 4.9, f"$s_{t}$", "decoder", w=0.9, h=0.7)
        for j, cell in enumerate(states):
            a = weights[t - 1, j]
            ax.plot([cell[0], context[0]], [cell[1] + cell[3], context[1] - context[3]],
                    color="#7b3fb0", linewidth=0.4 + 7.0 * a, alpha=0.35 + 0.65 * a, solid_capstyle="butt",
                    zorder=1)
        out = _box(ax, x, 6.6, word, "output", w=0.8, h=0.6)
        _arrow(ax, context, out)
        _arrow(ax, state, out)
        if prev is not None:
            _arrow(ax, (prev[0] + prev[2], prev[1] + 0.2), (state[0] - state[2], state[1] + 0.2),
                   rad=-0.25)
            _arrow(ax, (prev_word[0] + prev_word[2], prev_word[1]), (state[0], state[1] + state[3]),
                   colour="#b2182b", ls="--")
        prev, prev_word = state, out
    ax.text(0.1, 8.2, "decoder step t: $s_t$ attends, [$c_t$; $s_t$] predicts $y_t$", fontsize=SMALL,
            va="center")
    ax.text(0.1, 7.55, "line width: the attention weight $a_{tj}$;  $s_0 = h_S$", fontsize=SMALL, va="center",
            color="#555555")
    return ax


DIAGRAMS = {
    "rnn_unrolled": rnn_unrolled,
    "encoder_decoder": encoder_decoder,
    "bidirectional_encoder": bidirectional_encoder,
    "teacher_forcing": teacher_forcing,
    "soft_lookup": soft_lookup,
    "luong_step": luong_step,
    "bahdanau_step": bahdanau_step,
    "decoder_steps": decoder_steps,
    "beam_tree": beam_tree,
    "classifier_last": lambda ax=None: sentiment_classifier("last", ax),
    "classifier_attention": lambda ax=None: sentiment_classifier("attention", ax),
    "classifier_bahdanau": lambda ax=None: sentiment_classifier("bahdanau", ax),
    "classifier_luong": lambda ax=None: sentiment_classifier("luong", ax),
    "scaled_dot_product": scaled_dot_product,
    "multi_head": multi_head,
    "transformer_blocks": transformer_blocks,
    "attention_step": lambda ax=None: attention_step(ax=ax)[0],
    "attention_step_luong": lambda ax=None: attention_step("dot", ax=ax)[0],
    "attention_step_bahdanau": lambda ax=None: attention_step("additive", ax=ax)[0],
    "unrolled_attention_seq2seq": unrolled_attention_seq2seq,
}
