"""attention_course.book: the results page's tables, read from the notebooks (it needs the
repository, so the Colab job, which tests the installed wheel, leaves this file out)."""
import pytest


def test_results_page_tables_read_every_notebook():
    """attention_course.book's tables (the results page) have every model and bucket."""
    from attention_course import book
    header, rows = book.reversal()
    assert [h.split(" (")[0] for h in header[1:]] == ["fixed context", "Luong", "Bahdanau"]
    assert [r[0] for r in rows] == ["4-9 (475)", "10-15 (470)", "16-21 (495)", "22-27 (520)", "28-33 (467)", "34-40 (573)"]
    header, rows = book.bleu()
    assert [r[0].split(" (")[0] for r in rows] == ["fixed context", "Luong", "Bahdanau", "Transformer", "Bahdanau"]
    assert [r[1] for r in rows] == ["5 epochs"] * 3 + ["300 s"] * 2
    header, rows = book.bleu_by_length()
    assert header[1:] == ["1-5 (598)", "6-8 (1,287)", "9-11 (537)", "12-16 (152)"] and len(rows) == 5
    assert [r[0].split(" (")[0] for r in book.positions()[1]] == ["sinusoidal", "learned", "none"]
    from attention_course import sentiment
    assert len(book.imdb()[1]) == len(sentiment.measured(chapters=(4, 5))["model"].unique()) + len(sentiment.PUBLISHED)


def test_results_page_says_which_cell_is_missing(tmp_path):
    import json
    from attention_course import book
    root = book.ROOT
    path = book.POSITIONS
    (tmp_path / path).parent.mkdir(parents=True)
    nb = json.loads((root / path).read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("tags", None)
    (tmp_path / path).write_text(json.dumps(nb))
    with pytest.raises(ValueError, match="expected one cell tagged 'results-positions', found 0"):
        book.positions(tmp_path)


def test_each_inline_script_reaches_a_page_once():
    from sphinx.builders.html._assets import _JavaScript
    from attention_course import book
    body = {"body": "const THEBE_JS_URL = 'x'"}
    scripts = [_JavaScript("a.js"), _JavaScript(None, **body), _JavaScript("", **body), _JavaScript("a.js", defer="defer")]
    context = {"script_files": scripts}
    book.one_copy_of_each_script(None, "intro", "page.html", context, None)
    assert context["script_files"] is scripts and scripts == [_JavaScript("a.js"), _JavaScript(None, **body),
                                                              _JavaScript("a.js", defer="defer")]


def test_a_notebook_with_two_budgets_is_refused(tmp_path):
    import json
    from attention_course import book
    path = book.TRANSLATION[0]
    (tmp_path / path).parent.mkdir(parents=True)
    nb = {"cells": [{"cell_type": "code", "outputs": [{"text": "epoch 1/5  loss 1\nepoch 1/7  loss 2\n"}]}]}
    (tmp_path / path).write_text(json.dumps(nb))
    with pytest.raises(ValueError, match=r"one training budget for all its models, found \['5', '7'\]"):
        book._budget(path, tmp_path)


# Bad input gets a clear error naming the path (issue 25, part 4)

@pytest.mark.parametrize("path", ["README.md", "chapters/03_additive_attention", "notes/01_draft.ipynb",
                                  "chapters/03_additive_attention/03_translation.md"])
def test_book_helpers_refuse_a_path_that_is_not_a_chapter_notebook(path):
    from attention_course import book
    for call in (lambda: book.section(path), lambda: book.cell_text(path, "results-bleu"),
                 lambda: book.length_results(path)):
        with pytest.raises(ValueError, match="path must be a chapter notebook relative to the repository, like "
                                             "'chapters/03_additive_attention/03_translation.ipynb'; got " + repr(path)):
            call()
    assert book.section("chapters/03_additive_attention/03_translation.ipynb") == "3.3"


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{}", b"[1, 2]"], ids=["not JSON", "not UTF-8", "no cells"])
def test_a_notebook_that_is_not_json_is_named_in_the_error(tmp_path, content):
    from attention_course import book
    path = book.POSITIONS
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_bytes(content)
    with pytest.raises(ValueError, match="is not a notebook: expected") as info:
        book.positions(tmp_path)
    assert str(tmp_path / path) in str(info.value)
