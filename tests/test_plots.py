import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from attention_course import plots, training  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _table(values):
    return pd.DataFrame({"exact_match": values, "token_accuracy": values}, index=["4-9", "10-15"])


def test_accuracy_plot_takes_single_and_multi_seed_tables():
    summary = training.mean_std([_table([1.0, 0.5]), _table([0.8, 0.3])])
    ax = plots.plot_accuracy_by_length({"one seed": _table([0.9, 0.4]), "two seeds": summary})
    assert [line.get_label() for line in ax.get_lines()] == ["one seed", "two seeds"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [0.9, 0.4])  # the mean over seeds


def test_gradient_plot_is_log_scale_and_survives_underflow():
    ax = plots.plot_gradient_norms({"GRU": np.array([[1e-2, 1e-30, 0.0], [1e-3, 1e-31, 0.0]])})
    assert ax.get_yscale() == "log"
    assert np.all(np.isfinite(ax.get_lines()[0].get_ydata()))


def test_korean_font_is_used_when_installed(monkeypatch):
    fake = font_manager.FontEntry(fname="NanumGothic.ttf", name="NanumGothic")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [fake])
    monkeypatch.setitem(plt.rcParams, "font.family", ["sans-serif"])
    assert plots.use_korean_font() == "NanumGothic"
    assert plt.rcParams["font.family"][0] == "NanumGothic"


def test_a_font_installed_after_the_cache_was_built_is_found_on_disk(monkeypatch):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: ["/fonts/DejaVuSans.ttf",
                                                                  "/fonts/nanum/NanumGothic.ttf"])
    added = []

    def addfont(path):
        added.append(path)
        font_manager.fontManager.ttflist.append(font_manager.FontEntry(fname=path, name="NanumGothic"))

    monkeypatch.setattr(font_manager.fontManager, "addfont", addfont)
    monkeypatch.setitem(plt.rcParams, "font.family", ["sans-serif"])
    assert plots.use_korean_font() == "NanumGothic"
    assert added == ["/fonts/nanum/NanumGothic.ttf"]


def test_without_a_korean_font_it_says_how_to_install_one(monkeypatch, capsys):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: [])
    assert plots.use_korean_font() is None
    assert "fonts-nanum" in capsys.readouterr().out


def test_attention_heatmap_has_token_labels_and_checks_shapes():
    w = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]])
    ax = plots.plot_attention(w, ["a", "b"], ["b", "a", "</s>"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "</s>"]
    with pytest.raises(ValueError, match=r"\(len\(target\), len\(source\)\)"):
        plots.plot_attention(w.T, ["a", "b"], ["b", "a", "</s>"])


def test_error_rates_on_a_log_scale():
    table = pd.DataFrame({("exact_match", "mean"): [0.99, 1.0], ("exact_match", "std"): [0.01, 0.0]},
                         index=["4-9", "10-15"])
    ax = plots.plot_accuracy_by_length({"model": table}, error=True)
    assert ax.get_yscale() == "log"
    y = ax.lines[0].get_ydata()
    assert y[0] == pytest.approx(0.01) and y[1] > 0      # an error of 0 is drawn at a floor


def test_highlight_html_escapes_words_and_shades_by_weight():
    html = plots.highlight_html(["<b>great</b>", "film"], [0.75, 0.25], title="a & b").data
    assert "&lt;b&gt;great&lt;/b&gt;" in html and "a &amp; b" in html and "<script" not in html
    assert "rgba(117,59,189,0.80)" in html and "rgba(117,59,189,0.27)" in html   # 0.8 x weight / max
    assert 'title="0.750"' in html


@pytest.mark.parametrize("words, weights, message", [
    (["a", "b"], [0.5], "one value per word"),
    ([], [], "no words"),
    (["a"], [np.nan], "finite"),
    (["a"], [-1.0], ">= 0"),
])
def test_highlighting_rejects_bad_weights(words, weights, message):
    for draw in (plots.highlight_html, plots.plot_highlighted):
        with pytest.raises(ValueError, match=message):
            draw(words, weights)


def test_plot_highlighted_wraps_lines_and_keeps_every_word():
    words = [f"w{i}" for i in range(30)]
    ax = plots.plot_highlighted(words, np.linspace(0, 1, 30), width=2.5, title="t")
    assert [t.get_text() for t in ax.texts] == words
    assert len({t.get_position()[1] for t in ax.texts}) > 1          # more than one line
    ax.figure.canvas.draw()                                           # lays out the word boxes
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    for left, right in zip(boxes, boxes[1:]):
        if abs(left.y0 - right.y0) < 1:                               # same line: no overlap
            assert left.x1 <= right.x0
    assert all(frame.x0 - 3 <= b.x0 and b.x1 <= frame.x1 + 3 for b in boxes)   # inside the width


def test_seed_curves_one_line_per_seed_and_a_dot_at_the_best_epoch():
    curves = {"A": [{"val_accuracy": [0.8, 0.9, 0.85]}, {"val_accuracy": [0.7, 0.75]}], "B": [{"val_accuracy": [0.6]}]}
    ax = plots.plot_seed_curves(curves)
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1 or line.get_marker() == "."]
    assert len(ax.get_lines()) == 6                                   # a line and a dot per seed
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [(float(d.get_xdata()[0]), float(d.get_ydata()[0])) for d in dots] == [(2, 0.9), (2, 0.75), (1, 0.6)]
    assert lines and [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B"]
    with pytest.raises(ValueError, match="no 'val_loss'"):
        plots.plot_seed_curves(curves, metric="val_loss")


def test_deletion_curve_and_review_length_plots():
    curve = pd.DataFrame({"method": ["a", "a", "b", "b"], "k": [0, 1, 0, 1], "prob_drop": [0, 0.2, 0, 0.1],
                          "flipped": [0, 0.1, 0, 0.0]})
    axes = plots.plot_deletion_curve(curve)
    assert [len(ax.get_lines()) for ax in axes] == [2, 2] and not axes[0].collections
    axes = plots.plot_deletion_curve(curve.assign(prob_drop_se=0.01))
    assert len(axes[0].collections) == 2                         # one ±2 SE band per method
    with pytest.raises(ValueError, match="lacks the columns"):
        plots.plot_deletion_curve(curve.drop(columns="flipped"))
    ax = plots.plot_review_lengths(np.array([10, 50, 120, 500]), 400)
    assert "25% of reviews are longer" in ax.texts[0].get_text()


def test_course_style_fits_the_column_and_a_phone(monkeypatch):
    for key in plots.STYLE:
        monkeypatch.setitem(plt.rcParams, key, plt.rcParams[key])   # restored after the test
    assert plots.use_course_style() is None
    width_px = plt.rcParams["figure.figsize"][0] * plt.rcParams["figure.dpi"]
    assert width_px <= plots.COLUMN_PX
    sizes = {k: plt.rcParams[k] for k in plots.STYLE if k.endswith(("size", "fontsize")) and k != "figure.figsize"}
    small = {k: v for k, v in sizes.items() if plots.phone_text_px(float(v), width_px) < plots.MIN_PHONE_TEXT_PX}
    assert len(sizes) >= 6 and not small, f"text too small on a phone: {small}"
