"""The book builds strictly: `jupyter-book build -W --keep-going` with zero warnings."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_book_builds_without_warnings(tmp_path):
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "--keep-going", "--path-output", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = tmp_path / "_build" / "html"
    for page in ["index.html", "intro.html", "glossary.html", "references.html",
                 "chapters/01_rnn_seq2seq/02_encoder_decoder.html"]:
        assert (html / page).exists(), page
    chapter = (html / "chapters/01_rnn_seq2seq/02_encoder_decoder.html").read_text(encoding="utf-8")
    assert "data:image/png" in chapter or "<img" in chapter, "figures are missing from the page"
    # A directive MyST could not parse is printed as raw text (and an exercise's solution with it).
    raw = re.compile(r"```\{|:::\{|\{(exercise|solution|admonition|note|figure|dropdown|tip|warning|important)\}|^:(label|class):",
                     re.MULTILINE)
    for page in html.rglob("*.html"):
        text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        found = raw.search(text)
        assert not found, f"{page.relative_to(html)} shows a directive as raw text: {found.group(0)!r}"
