"""Write the package's shipped results from the notebooks' committed outputs.

Chapter 1 measures the fixed-context model and Chapter 2 the Luong model; later notebooks
compare against those results without training the models again. They read them from
``attention_course/length_results.json``, which this script writes from the committed
outputs (nothing is typed by hand), and ``test_notebooks.py`` fails when the two disagree.

Chapter 4's summary reads every model's per-seed IMDB results the same way, from
``attention_course/sentiment_results.json`` (Chapter 5's Transformer encoder included).
The reading itself is ``attention_course.book``'s, which also fills the book's results page.

Update after a full re-run:  python tests/measured_results.py
After a change to attention_course/explorer.js:  python tests/measured_results.py --explorers
(redraws the explorers in the notebooks' committed outputs from the data they carry).
"""
import html
import json
import pathlib
import re
import sys

from attention_course import book, explorer

ROOT = pathlib.Path(__file__).resolve().parents[1]
JSON = ROOT / "code" / "attention_course" / "length_results.json"
IMDB_JSON = ROOT / "code" / "attention_course" / "sentiment_results.json"
SOURCES = {model: book.REVERSAL[model] for model in ("fixed context", "Luong")}


def all_results():
    return {name: book.length_results(path, ROOT) for name, path in SOURCES.items()}


def imdb_runs():
    return book.imdb_runs(ROOT)


EXPLORER = re.compile(r"<div id='attention-explorer-\w+' class='attention-explorer'>"
                      r"(?:<p class='ax-title'>(.*?)</p>)?<script type='application/json'>(.*?)</script>", re.S)


def _explorers_in(nb):
    """(output dict, title, data) of every explorer in one notebook's outputs."""
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if match := EXPLORER.search("".join(out.get("data", {}).get("text/html", ""))):
                title = html.unescape(match.group(1)) if match.group(1) else None
                yield out, title, json.loads(match.group(2))


def explorer_outputs():
    """(notebook path, output dict, title, data) of every explorer in a committed output."""
    for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
        for found in _explorers_in(json.loads(path.read_text(encoding="utf-8"))):
            yield (path, *found)


def redraw_explorers():
    for path in sorted({p for p, *_ in explorer_outputs()}):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for out, title, data in _explorers_in(nb):
            out["data"]["text/html"] = explorer.render(data, title).splitlines(True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"redrew the explorers in {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__" and sys.argv[1:] == ["--explorers"]:
    redraw_explorers()
elif __name__ == "__main__":
    JSON.write_text(json.dumps(all_results(), indent=1) + "\n")
    IMDB_JSON.write_text(json.dumps(imdb_runs(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {JSON.relative_to(ROOT)} and {IMDB_JSON.relative_to(ROOT)}", file=sys.stderr)
