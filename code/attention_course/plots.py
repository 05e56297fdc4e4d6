"""Figures the chapters share: training curves, accuracy against length, gradient norms.

Every function draws on a Matplotlib ``Axes`` (a new figure when ``ax`` is None) and returns
it. Call :func:`use_course_style` once per notebook: figures then fit the book's 690 px
column, stay legible on a phone and are sharp on high-density screens. Call
:func:`use_korean_font` to let labels show Hangul.
"""
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

from .gradients import geometric_mean

COLUMN_PX = 690        # the book's text column on a desktop, in CSS pixels
PHONE_COLUMN_PX = 358  # the same column on a 390 px phone (16 px margins)
MIN_PHONE_TEXT_PX = 9  # the smallest text we accept there
FIGURE_DPI = 100       # CSS pixels per inch of figure size
STYLE = {"figure.figsize": (6.8, 4.0), "figure.dpi": FIGURE_DPI, "font.size": 13,
         "axes.titlesize": 13, "axes.labelsize": 13, "xtick.labelsize": 12.5,
         "ytick.labelsize": 12.5, "legend.fontsize": 12.5, "legend.title_fontsize": 12.5,
         "figure.titlesize": 13.5, "axes.grid": False}


def phone_text_px(points, width_px):
    """CSS pixels that text of ``points`` takes on a phone, in a figure ``width_px`` wide.

    The figure is drawn at :data:`FIGURE_DPI` and shrunk to fit the phone's column.
    """
    return points * FIGURE_DPI / 72 * min(1.0, PHONE_COLUMN_PX / width_px)


def use_course_style():
    """Draw every later figure for the book's column: 6.8 x 4 in at 100 dpi (680 CSS px
    wide, no shrinking in the 690 px column), text of 12.5 pt or more (9 px or more on a
    390 px phone) and, in Jupyter or Colab, PNGs at twice the resolution ("retina"), so
    they stay sharp on 2x and 3x screens (the settings are in :data:`STYLE`).
    """
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
        if get_ipython() is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats
            set_matplotlib_formats("retina")
    except ImportError:                      # plain Python: nothing to configure
        pass


KOREAN_FONTS = ["NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "AppleGothic",
                "Noto Sans CJK JP", "Source Han Sans KR"]


KOREAN_FONT_FILES = ("Nanum", "NotoSansCJK", "NotoSansKR", "SourceHanSans")


def use_korean_font():
    """Use the first installed font that has Hangul; return its name, or None with a hint.

    Font files installed after Matplotlib built its font cache are found too: they are
    looked up on disk and added. On Colab: ``!apt-get -qq install fonts-nanum``, then call
    this function again.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed & set(KOREAN_FONTS):
        for path in font_manager.findSystemFonts():
            if os.path.basename(path).startswith(KOREAN_FONT_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                    continue
        installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in KOREAN_FONTS:
        if name in installed:
            plt.rcParams["font.family"] = [name, "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False  # many CJK fonts lack the minus glyph
            return name
    print("No font with Hangul found; Korean labels will show as boxes. "
          "On Colab: !apt-get -qq install fonts-nanum, then call use_korean_font() again.")
    return None


def _axes(ax, size=None):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_history(history, metric="accuracy", axes=None):
    """Loss and ``metric`` per epoch, training vs validation, one above the other (two Axes,
    sized for the book's column)."""
    if axes is None:
        axes = plt.subplots(2, 1, figsize=(6.8, 6.2), sharex=True)[1]
    h = history.history if hasattr(history, "history") else history
    epochs = np.arange(1, len(h["loss"]) + 1)
    for ax, key in zip(axes, ["loss", metric]):
        ax.plot(epochs, h[key], "o-", label="training")
        if f"val_{key}" in h:
            ax.plot(epochs, h[f"val_{key}"], "s--", label="validation")
        ax.set(xlabel="epoch", ylabel=key, title=key)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    return axes


def plot_accuracy_by_length(results, metric="exact_match", ax=None, error=False):
    """One line per model: ``metric`` against source-length bucket, with a band.

    Args:
        results: ``{label: table}``; a table from ``training.bucket_intervals`` (the band is
            the 95 % interval for the test sample), from ``training.mean_std`` (the band is
            ± 1 std over seeds) or from ``training.accuracy_by_length`` (no band).
        error: plot the error rate ``1 - metric`` on a log scale instead, which separates
            models that are all close to 1 (0.97 against 0.99 is 3 % against 1 % wrong). A
            measured error of 0 is drawn at the bottom edge, which is half the smallest
            error the largest bucket could show (one wrong sequence in it), marked "0"
            (1e-4 when the tables have no ``n`` column).
    """
    ax = _axes(ax)
    counts = [int(t["n"].to_numpy().max()) for t in results.values() if "n" in t.columns.get_level_values(0)]
    floor = 0.5 / max(counts) if counts else 1e-4
    for label, table in results.items():
        buckets = [str(b) for b in table.index]
        columns = table.columns
        mean = table[(metric, "mean")].to_numpy() if (metric, "mean") in columns else table[metric].to_numpy()
        if (metric, "low") in columns:
            band = table[(metric, "low")].to_numpy(), table[(metric, "high")].to_numpy()
        elif (metric, "std") in columns:
            std = table[(metric, "std")].fillna(0).to_numpy()
            band = np.clip(mean - std, 0, 1), np.clip(mean + std, 0, 1)
        else:
            band = None
        if error:
            line = np.maximum(1 - mean, floor)
            band = None if band is None else (np.maximum(1 - band[1], floor), np.maximum(1 - band[0], floor))
        else:
            line = mean
        if band is not None:
            ax.fill_between(buckets, *band, alpha=0.2)
        ax.plot(buckets, line, "o-", label=label)
    name = metric.replace("_", " ")
    if error:
        ax.set(xlabel="source length (symbols)", ylabel=f"1 − {name} (log)", yscale="log")
        ax.set_ylim(bottom=floor * 0.8)
        ax.axhline(floor, color="0.6", lw=0.8, ls=":")
        ax.annotate("0", (1.0, floor), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", color="0.4")
    else:
        ax.set(xlabel="source length (symbols)", ylabel=name, ylim=(-0.02, 1.02))
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return ax


def plot_gradient_norms(norms, ax=None):
    """Gradient norm against distance from the end, log scale, one line per RNN kind.

    Args:
        norms: ``{label: array (seeds, T)}`` from ``gradients.gradient_norms_by_distance``; the
            line is the geometric mean over seeds and the band spans their min and max.
    """
    ax = _axes(ax)
    tiny = np.finfo("float32").tiny  # a gradient that underflowed to 0 is drawn at the floor
    for label, runs in norms.items():
        runs = np.atleast_2d(runs)
        distance = np.arange(runs.shape[1])
        ax.plot(distance, geometric_mean(runs), label=label)
        ax.fill_between(distance, np.maximum(runs.min(0), tiny), runs.max(0), alpha=0.2)
    ax.set(yscale="log", xlabel="distance from the last input (steps)", ylabel=r"$\|\partial \mathcal{L} / \partial x_t\|$")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return ax


def plot_attention(weights, source, target, ax=None, fontsize=12.5, vmax=1.0):
    """Heatmap of attention weights: one row per generated token, one column per source token.

    Args:
        weights: (L, S) array, row t = the attention distribution of output step t.
        source: S labels (source tokens); target: L labels (generated tokens).
        fontsize: of the token labels, in points (12.5 stays legible on a phone).
        vmax: the weight drawn brightest: 1 (the default) compares heatmaps; ``"max"`` uses
            the largest weight in ``weights``, so that flat weights (all near 0.1, say)
            still show their pattern. The colour bar is labelled either way.
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape != (len(target), len(source)):
        raise ValueError(f"weights must have shape (len(target), len(source)) = "
                         f"({len(target)}, {len(source)}), got {weights.shape}")
    if vmax == "max":
        top, label = float(weights.max()), "attention weight (scale: 0 to the largest)"
    elif isinstance(vmax, (int, float)) and vmax > 0:
        top, label = float(vmax), "attention weight"
    else:
        raise ValueError(f"vmax must be a positive number or 'max', got {vmax!r}")
    ax = _axes(ax, size=(min(0.2 * len(source) + 2.5, 6.8), min(0.2 * len(target) + 1.5, 8)))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(len(source)), source, fontsize=fontsize,
                  rotation=90 if max(map(len, source), default=1) > 2 else 0)
    ax.set_yticks(range(len(target)), target, fontsize=fontsize)
    ax.set(xlabel="source", ylabel="output")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(label)
    return ax


HIGHLIGHT = (117, 59, 189)   # a darker shade of the diagrams' attention colour, legible under black text


def _check_words(words, weights):
    weights = np.asarray(weights, dtype="float64")
    if weights.shape != (len(words),):
        raise ValueError(f"weights must have one value per word, shape ({len(words)},), got {weights.shape}")
    if len(words) == 0:
        raise ValueError("there are no words to show")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite and >= 0 (attention weights, or absolute scores)")
    return weights / weights.max() if weights.max() > 0 else weights


def highlight_html(words, weights, title=None):
    """A review with each word's background as dark as its weight (the largest = full colour).

    Returns an ``IPython.display.HTML`` object: plain HTML with inline styles and no script, so
    it shows the same in Jupyter, in Colab and in the book. ``str(...data)`` is the HTML.
    """
    import html
    from IPython.display import HTML
    alpha = _check_words(words, weights)
    r, g, b = HIGHLIGHT
    spans = " ".join(f'<span style="background: rgba({r},{g},{b},{a:.2f}); padding: 1px 2px; '
                     f'border-radius: 3px" title="{w:.3f}">{html.escape(word)}</span>'
                     for word, a, w in zip(words, 0.8 * alpha, np.asarray(weights, dtype="float64")))
    head = f"<p style='margin: 0 0 4px 0'><b>{html.escape(title)}</b></p>" if title else ""
    return HTML(f"<div style='line-height: 1.9; font-size: 15px; color: #000; background: #fff; "
                f"padding: 6px'>{head}{spans}</div>")


def plot_highlighted(words, weights, title=None, width=7.0, ax=None, fontsize=11):
    """The same picture as :func:`highlight_html` drawn with Matplotlib (for print, or no HTML).

    Words are laid out by their drawn size and wrapped at the Axes' width: a new figure is
    ``width`` inches wide and as tall as its lines need.
    """
    alpha = _check_words(words, weights)
    own = ax is None                                                   # our figure: sized to the lines
    if own:
        ax = plt.figure(figsize=(width, 1)).add_axes([0.01, 0.0, 0.98, 1.0])
    ax.axis("off")
    ax.set_xlim(0, 1)
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transAxes.inverted()                                  # display -> Axes fraction
    colour, x, row = np.array(HIGHLIGHT) / 255, 0.0, 0
    gap = fontsize * 0.45 / 72 * ax.figure.dpi / ax.get_window_extent(renderer).width  # a space, in Axes width
    for word, a in zip(words, alpha):
        text = ax.text(x, row + 0.5, word, fontsize=fontsize, va="center",
                       bbox={"facecolor": (*colour, 0.8 * a), "edgecolor": "none", "pad": 1.5})
        box = text.get_window_extent(renderer).transformed(to_data)
        if x > 0 and x + box.width > 1:                                 # wrap: start the next line
            row, x = row + 1, 0.0
            text.set_position((x, row + 0.5))
        x += box.width + gap
    lines = row + 1
    if own:
        ax.figure.set_figheight(0.3 * lines * fontsize / 11 + (0.45 if title else 0.1))
        ax.set_position([0.01, 0.0, 0.98, lines * 0.3 * fontsize / 11 / ax.figure.get_figheight()])
    ax.set_ylim(lines, 0)
    if title:
        ax.set_title(title, fontsize=fontsize + 1, loc="left")
    return ax


def plot_review_lengths(lengths, max_len, ax=None):
    """Histogram of review lengths in tokens, with the cut at ``max_len`` marked."""
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty 1-D array, got shape {lengths.shape}")
    ax = _axes(ax, size=(6.5, 3.6))
    ax.hist(lengths, bins=np.arange(0, np.percentile(lengths, 99.5) + 25, 25), color="#9ecae1", edgecolor="#333333")
    ax.axvline(max_len, color="#b2182b", ls="--")
    longer = (lengths > max_len).mean()
    ax.text(max_len * 1.03, ax.get_ylim()[1] * 0.9, f"cut at {max_len}:\n{longer:.0%} of reviews are longer",
            color="#b2182b", va="top", fontsize=11)
    ax.set(xlabel="tokens per review", ylabel="reviews")
    return ax


MODEL_COLOURS = ["#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]


def plot_seed_curves(curves, metric="val_accuracy", ax=None):
    """One line per seed, one colour per model: ``metric`` against epoch; a dot marks the best.

    ``curves``: {model name: [History.history dict per seed]}. Early stopping restores the
    best epoch's weights, so the dot is the model that was tested.
    """
    if not curves:
        raise ValueError("curves is empty: expected {model name: [history dict per seed]}")
    ax = _axes(ax, size=(6.8, 4))
    for (name, histories), colour in zip(curves.items(), MODEL_COLOURS):
        for i, history in enumerate(histories):
            if metric not in history:
                raise ValueError(f"{name}, seed {i}: no {metric!r} in the history (it has {sorted(history)})")
            values = history[metric]
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, color=colour, alpha=0.8, marker=".", label=name if i == 0 else None)
            best = int(np.argmax(values))
            ax.plot(epochs[best], values[best], "o", color=colour, markersize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="epoch", ylabel=metric.replace("val_", "validation ").replace("_", " "))
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_deletion_curve(curve, axes=None):
    """The deletion test: the fall in P(predicted class) and the share of flipped predictions
    against the number of words deleted, one line per scoring method.

    ``curve``: the DataFrame of ``deletion.deletion_curve`` (columns method, k, prob_drop, flipped;
    with ``prob_drop_se``, a band of ±2 standard errors is shaded around each fall).
    """
    missing = {"method", "k", "prob_drop", "flipped"} - set(curve.columns)
    if missing:
        raise ValueError(f"curve lacks the columns {sorted(missing)}: expected deletion.deletion_curve's output")
    if axes is None:
        axes = plt.subplots(2, 1, figsize=(6.5, 7), sharex=True)[1]
    for (method, rows), colour in zip(curve.groupby("method", sort=False), MODEL_COLOURS):
        for ax, column in zip(axes, ["prob_drop", "flipped"]):
            ax.plot(rows["k"], rows[column], marker="o", color=colour, label=method)
        if "prob_drop_se" in rows:
            band = 2 * rows["prob_drop_se"]
            axes[0].fill_between(rows["k"], rows["prob_drop"] - band, rows["prob_drop"] + band, color=colour, alpha=0.2)
    axes[0].set(ylabel="fall in P(predicted class)" + (" (±2 SE)" if "prob_drop_se" in curve else ""))
    axes[1].set(ylabel="share of predictions flipped", xlabel="words deleted (k)", xticks=sorted(curve["k"].unique()))
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend()
    return axes
