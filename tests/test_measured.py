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
        assert len(curves) == 3 and all(len(c) == 7 for c in curves.values())
        assert np.all((summary.drop(columns=("n", "")) >= 0).to_numpy()) and minutes > 0


def test_measured_names_the_models_it_knows():
    with pytest.raises(ValueError, match="fixed context"):
        toy_tasks.measured("bahdanau")


def test_imdb_results_table_has_every_model_and_the_published_figures():
    from attention_course import sentiment
    runs = sentiment.measured()
    assert {"bag of bigrams", "LSTM + Luong (the copied example)"} <= set(runs["model"])
    assert runs["test_acc"].between(0, 1).all() and (runs["notebook"].str.endswith(".ipynb")).all()
    table = sentiment.results_table(runs)
    assert len(table) == runs["model"].nunique() + len(sentiment.PUBLISHED)
    assert table.loc["bag of bigrams", "how picked"] == "early stopping on validation, test once"
    assert all(cell.endswith("%") for cell in table["test accuracy"])
