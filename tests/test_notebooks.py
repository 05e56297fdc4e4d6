"""Every notebook is in the book, committed with outputs from a run, and starts with Colab setup."""
import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
LOCAL_PATH = re.compile(r"(/home/\w+|/Users/\w+|/root/|/work/|C:\\\\Users|site-packages/|/\.keras/)")


def _toc_files(node):
    if isinstance(node, dict):
        return ([node["file"]] if "file" in node else []) + [f for v in node.values() for f in _toc_files(v)]
    if isinstance(node, list):
        return [f for v in node for f in _toc_files(v)]
    return []


def _code_cells(path):
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_listed_in_the_toc(path):
    toc = _toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    assert path.relative_to(ROOT).with_suffix("").as_posix() in toc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_and_no_errors(path):
    cells = [c for c in _code_cells(path) if "".join(c["source"]).strip()]
    unrun = [i for i, c in enumerate(cells) if c["execution_count"] is None]
    assert not unrun, f"code cells {unrun} have not been run"
    counts = [c["execution_count"] for c in cells]
    assert counts == sorted(counts), "cells were not run top to bottom in one session"
    assert any(c["outputs"] for c in cells), "no outputs at all"
    errors = [o.get("ename") for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"error outputs committed: {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_local_paths_in_outputs(path):
    for cell in _code_cells(path):
        for out in cell["outputs"]:
            found = LOCAL_PATH.search(json.dumps(out))
            assert not found, f"an output shows a local path: {found.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_starts_with_the_colab_setup_cell(path):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first = _code_cells(path)[0]
    source = "".join(first["source"])
    assert '"google.colab" in sys.modules' in source
    assert f"git+{url}" in source, "the setup cell must install from the repository in _config.yml"
    assert "hide-cell" in first.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checked_cells_have_no_stderr(path):
    """nbval compares stderr too: TensorFlow's time-stamped logs would make a checked cell fail."""
    for cell in _code_cells(path):
        if "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            assert not [o for o in cell["outputs"] if o.get("name") == "stderr"], "".join(cell["source"])[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_are_tags_not_comments_readers_see(path):
    for cell in _code_cells(path):
        assert "NBVAL_" not in "".join(cell["source"]), "use the tag nbval-check-output (or -ignore-output)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_tensorflow_start_up_notices_in_outputs(path):
    """The book hides stderr, but GitHub's and Colab's viewers show it."""
    for cell in _code_cells(path):
        for out in cell["outputs"]:
            text = "".join(out.get("text", ""))
            assert "absl::InitializeLog" not in text and "cudart_stub" not in text, text[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_tensorflow_warnings_in_stdout(path):
    """The book hides stderr, not stdout, where TensorFlow's logger writes inside Jupyter."""
    for cell in _code_cells(path):
        for out in cell["outputs"]:
            if out.get("name") == "stdout":
                assert "WARNING:tensorflow" not in "".join(out["text"])


def test_shipped_length_results_equal_the_notebooks():
    """Later chapters compare against results Chapters 1 and 2 measured; they must be the same."""
    import json

    from measured_results import JSON, all_results
    assert json.loads(JSON.read_text()) == all_results(), (
        "code/attention_course/length_results.json is out of date: run `python tests/measured_results.py`")


def test_shipped_imdb_results_equal_the_notebooks():
    """Chapter 4's summary table reads every model's runs from sentiment_results.json."""
    import json

    from measured_results import IMDB_JSON, imdb_runs
    assert json.loads(IMDB_JSON.read_text()) == imdb_runs(), (
        "code/attention_course/sentiment_results.json is out of date: run `python tests/measured_results.py`")


def test_committed_explorers_carry_the_current_script():
    """An explorer's output embeds explorer.js; after a change to it, redraw them:
    python tests/measured_results.py --explorers"""
    from importlib import resources

    from measured_results import explorer_outputs
    script = resources.files("attention_course").joinpath("explorer.js").read_text(encoding="utf-8")
    found = list(explorer_outputs())
    assert {p.name for p, *_ in found} >= {"03_translation.ipynb", "03_positional_encoding.ipynb"}, "an explorer is missing"
    for path, out, title, data in found:
        assert script in "".join(out["data"]["text/html"]), f"{path.name}: run tests/measured_results.py --explorers"
        assert data["models"] and title
