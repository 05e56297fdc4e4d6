"""The length experiment's shipped results: what toy_tasks.measured returns.

(That they equal the notebooks' committed outputs is checked in test_notebooks.py.)
"""
import numpy as np
import pytest

from attention_course import toy_tasks

SOURCES = ["fixed context", "Luong"]


def test_measured_returns_the_mean_std_table_and_curves():
    for name in SOURCES:
        summary, curves, minutes = toy_tasks.measured(name)
        assert list(summary.index) == ["4-9", "10-15", "16-21", "22-27", "28-33", "34-40"]
        assert list(summary.columns) == [("n", ""), ("exact_match", "mean"), ("exact_match", "std"),
                                         ("token_accuracy", "mean"), ("token_accuracy", "std")]
        assert summary[("n", "")].sum() == 3000
        assert len(curves) == 3 and all(len(c) == 5 for c in curves.values())   # 5 epochs
        assert np.all((summary.drop(columns=("n", "")) >= 0).to_numpy()) and minutes > 0


def test_measured_names_the_models_it_knows():
    with pytest.raises(ValueError, match="fixed context"):
        toy_tasks.measured("bahdanau")


def test_imdb_results_table_has_every_model_and_the_published_figures():
    from attention_course import sentiment
    runs = sentiment.measured()
    assert {"bag of bigrams", "LSTM + attention pooling"} <= set(runs["model"])
    assert runs["test_acc"].between(0, 1).all() and (runs["notebook"].str.endswith(".ipynb")).all()
    table = sentiment.results_table(runs)
    assert len(table) == runs["model"].nunique() + len(sentiment.PUBLISHED)
    assert table.loc["bag of bigrams", "how picked"] == "early stopping on validation, test once"
    assert all(cell.endswith("%") for cell in table["test accuracy"])


def test_imdb_summary_is_the_printed_one_and_agrees_with_the_rounded_runs():
    from attention_course import sentiment
    runs = sentiment.measured()
    ours = sentiment.summarise(runs)
    for model, printed in runs.attrs["summary"].items():
        assert ours.loc[model, ["test_mean", "test_std", "val_mean"]].tolist() == list(printed.values())
        rows = runs[runs["model"] == model]
        assert abs(rows["test_acc"].mean() - printed["test_mean"]) <= 1e-4      # per-seed values rounded
        assert abs(rows["test_acc"].std() - printed["test_std"]) <= 2e-4
        assert abs(rows["val_acc"].mean() - printed["val_mean"]) <= 1e-4


def test_differences_against_a_reference_model():
    import pandas as pd
    from attention_course import sentiment
    runs = pd.DataFrame({"model": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2, "best_epoch": 1, "val_acc": 0.9,
                         "test_acc": [0.80, 0.82, 0.84, 0.90, 0.90, 0.90], "seconds": 1.0, "params": 1})
    frame = sentiment.differences(runs, "b")
    assert list(frame.index) == ["a"]
    assert frame.loc["a", "difference"] == -0.08 and abs(frame.loc["a", "standard error"] - 0.02 / 3 ** 0.5) < 1e-4
    with pytest.raises(ValueError, match="reference must be one of"):
        sentiment.differences(runs, "c")


def test_imdb_results_by_chapter():
    from attention_course import sentiment
    chapter4, both = sentiment.measured(), sentiment.measured(chapters=(4, 5))
    assert chapter4["notebook"].str.startswith("chapters/04_").all()
    assert set(both["model"]) - set(chapter4["model"]) == {"Transformer encoder"}
    assert set(both.attrs["summary"]) == set(both["model"])
    with pytest.raises(ValueError, match="no IMDB results for chapters"):
        sentiment.measured(chapters=(3,))

