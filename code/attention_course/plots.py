"""Figures the chapters share: training curves, accuracy against length, gradient norms.

Every function draws on a Matplotlib ``Axes`` (a new figure when ``ax`` is None) and returns
it. Call :func:`use_korean_font` once to let labels show Hangul.
"""
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

from .gradients import geometric_mean

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


def _axes(ax, size=(6, 4)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def plot_history(history, metric="accuracy", axes=None):
    """Loss and ``metric`` per epoch, training vs validation, side by side (two Axes)."""
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(10, 3.6))[1]
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
    """One line per model: ``metric`` against source-length bucket, with a ±1 std band.

    Args:
        results: ``{label: table}``; a table from ``training.mean_std`` (columns
            ``(metric, "mean")`` and ``(metric, "std")``) or from ``training.accuracy_by_length``.
        error: plot the error rate ``1 - metric`` on a log scale instead, which separates
            models that are all close to 1 (0.97 against 0.99 is 3 % against 1 % wrong).
    """
    ax = _axes(ax)
    floor = 1e-4  # an error rate of 0 is drawn here on the log scale
    for label, table in results.items():
        buckets = [str(b) for b in table.index]
        if (metric, "mean") in table.columns:
            mean, std = table[(metric, "mean")].to_numpy(), table[(metric, "std")].fillna(0).to_numpy()
        else:
            mean, std = table[metric].to_numpy(), None
        if error:
            line = np.maximum(1 - mean, floor)
            band = None if std is None else (np.maximum(1 - mean - std, floor), np.maximum(1 - mean + std, floor))
        else:
            line = mean
            band = None if std is None else (np.clip(mean - std, 0, 1), np.clip(mean + std, 0, 1))
        if band is not None:
            ax.fill_between(buckets, *band, alpha=0.2)
        ax.plot(buckets, line, "o-", label=label)
    name = metric.replace("_", " ")
    if error:
        ax.set(xlabel="source length (symbols)", ylabel=f"1 − {name} (log scale)", yscale="log")
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
    ax.set(yscale="log", xlabel="distance from the last input (steps)", ylabel=r"$\|\partial L / \partial x_t\|$")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return ax


def plot_attention(weights, source, target, ax=None, fontsize=10):
    """Heatmap of attention weights: one row per generated token, one column per source token.

    Args:
        weights: (L, S) array, row t = the attention distribution of output step t.
        source: S labels (source tokens); target: L labels (generated tokens).
        fontsize: of the token labels, in points. The default figure is sized so that they
            stay legible when the book shrinks it to its column (about 7 inches).
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape != (len(target), len(source)):
        raise ValueError(f"weights must have shape (len(target), len(source)) = "
                         f"({len(target)}, {len(source)}), got {weights.shape}")
    ax = _axes(ax, size=(min(0.2 * len(source) + 2, 8), min(0.2 * len(target) + 1.5, 8)))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), source, fontsize=fontsize,
                  rotation=90 if max(map(len, source), default=1) > 2 else 0)
    ax.set_yticks(range(len(target)), target, fontsize=fontsize)
    ax.set(xlabel="source", ylabel="output")
    ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    return ax
