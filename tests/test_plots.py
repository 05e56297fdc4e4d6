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
