"""The book builds strictly: `jupyter-book build -W --keep-going` with zero warnings."""
import pathlib
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
