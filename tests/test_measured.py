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
