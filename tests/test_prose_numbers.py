"""Every number in the book's prose is printed by its page.

A decimal number, a percentage, a time ("12.9 minutes", "300 s") or an "N of M" in a notebook's
Markdown cells (and in each chapter's index.md, and in intro.md, results.md and glossary.md) must appear in the
committed outputs of that notebook, or of a page the same sentence links ({doc}, {ref}, a Markdown
link, "Chapter N", or a page number such as "3.3"). An index page, results.md and the glossary may
also use the notebooks linked anywhere in the same paragraph, and an index page its chapter's
notebooks. Exempt: a sentence that cites its source ({cite}), and the numbers on ALLOWED below,
each with its reason. Matching: the printed number as written, or rounded to the prose's
precision, or as a percentage (0.8803 printed, 88.0 % in the prose), or seconds as minutes.

Run as a script to list the violations: `python tests/test_prose_numbers.py [path ...]`.
"""
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTRA_PAGES = ["intro.md", "results.md", "glossary.md"]   # troubleshooting.md: versions, no results

# (page or "*", number as written in the prose): why it need not be printed
ALLOWED = {
    ("*", "95 %"): "the confidence level of an interval (sacrebleu's, a bootstrap's): a setting, not a result",
    ("*", "0.05"): "the conventional significance level a p-value is compared with",
    ("chapters/04_text_classification/01_data_and_baseline.ipynb", "20 %"): "imdb.validation_split's fraction, a setting the page's code passes",
    ("chapters/04_text_classification/01_data_and_baseline.ipynb", "80 %"): "what the 20 % validation split leaves for training",
    ("chapters/05_transformer/04_translation.ipynb", "0.1"): "a setting: the dropout rate the page's code passes (and the paper's label smoothing)",
    ("chapters/05_transformer/01_scaled_dot_product.ipynb", "2.77"): "log 16, computed in the sentence",
    ("chapters/05_transformer/03_positional_encoding.ipynb", "6.3"): "2 pi, computed in the sentence",
    ("chapters/05_transformer/03_positional_encoding.ipynb", "0.05"): "Keras's default embedding initialiser, uniform in (-0.05, 0.05)",
}

# not prose: code, display math, directive option lines, link addresses, HTML tags, versions
_PROTECTED = re.compile(
    r"(?s:```.*?```)|(?s:\$\$.*?\$\$)|`[^`\n]*`|<[^>\n]+>|^:\w[\w-]*:.*$|https?://\S+", re.M)
_ROLE = re.compile(r"\{(\w+(?::\w+)?)\}`([^`]*)`")
_SOFTWARE = re.compile(r"(?i)(?:python|tensorflow|keras|numpy|jax|jaxlib|sphinx|cuda|cudnn|torch|pytorch|"
                       r"sacrebleu|nbval|jupyter book|jupyter-book|chromium|playwright|pandas|matplotlib|"
                       r"myst-nb|myst-parser|mathjax|version|release|v)\s*$")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[-+]?\d+)?"
_PERCENT = re.compile(rf"(?<![\w.])(?:({_NUMBER})\s*(?:%\s*)?(?:–|-|to)\s*)?({_NUMBER})\s*(?:%|per ?cent\b)")
_TIME = re.compile(rf"(?<![\w.])({_NUMBER})\s*(?:-|\u2009)?(s|sec|seconds?|min|minutes?|h|hours?)\b(?!-)")
_OF = re.compile(r"(?<![\w.])(\d[\d,]*) (?:out )?of (?:the |its |their )?(\d[\d,]*)(?![\w.])")
_DECIMAL = re.compile(r"(?<![\w.])[-\u2212+]?(\d+\.\d+(?:e[-+]?\d+)?)(?![\w.]*\d)")
_PAGE_NUMBER = re.compile(r"(?<![\w.])([1-9])\.([1-9])(?![\d%]|\s*(?:%|s\b|min|points?\b|pp\b))")
_PRINTED = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?")


def pages():
    """Book-order list of (path relative to ROOT, chapter number or None) of every checked page."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for number, chapter in enumerate(toc["parts"][0]["chapters"], start=1):
        for name in [chapter["file"]] + [s["file"] for s in chapter.get("sections", [])]:
            suffix = ".md" if (ROOT / f"{name}.md").exists() else ".ipynb"
            out.append((f"{name}{suffix}", number))
    return out + [(p, None) for p in EXTRA_PAGES]


def _notebook(path):
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def printed_text(nb):
    """The text a notebook's outputs show: streams, plain text, HTML without tags or scripts."""
    cells = []
    for cell in nb.get("cells", []):
        parts = []
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            parts.append("".join(data.get("text/plain", "")))
            parts.append("".join(data.get("text/markdown", "")))
            html = "".join(data.get("text/html", ""))
            html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
            parts.append(re.sub(r"<[^>]+>", " ", html))
        cells.append("\n".join(parts))
    return "\n\n\n".join(cells)                 # a blank triple line between cells: "N of M" looks within one


def printed_numbers(text):
    """Every number in printed text, as floats (thousands separators removed)."""
    return [float(m.group().replace(",", "")) for m in _PRINTED.finditer(text)]


def prose(path, nb=None):
    """The page's prose: a notebook's Markdown cells, or the Markdown file."""
    if path.endswith(".ipynb"):
        nb = nb if nb is not None else _notebook(path)
        return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return (ROOT / path).read_text(encoding="utf-8")


def _unprotected(text):
    """The text without code, display math, options, HTML tags or addresses; roles kept whole."""
    return re.sub(rf"({_ROLE.pattern})|{_PROTECTED.pattern}", lambda m: m.group(1) or " ", text, flags=re.M)


def _sentences(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\u2018\u201c*(])|\n(?=\s*(?:[-*+] |\d+\. |\|))", paragraph) if s.strip()]


class Book:
    """Each page's printed text, and where links lead."""

    def __init__(self, overrides=None):
        self.overrides = overrides or {}       # path -> notebook dict (a mutated copy, in the tests)
        self.pages = pages()
        self.chapter_of = dict(self.pages)
        self._printed = {}
        self.labels = {}
        for path, _ in self.pages:
            for label in re.findall(r"^\(([\w-]+)\)=\s*$", prose(path, self.overrides.get(path)), re.M):
                self.labels[label] = path

    def chapter_notebooks(self, number):
        return [p for p, n in self.pages if n == number and p.endswith(".ipynb")]

    def printed(self, path):
        """Printed text of a page; for a Markdown page, of the notebooks of its chapter."""
        if path not in self._printed:
            if path.endswith(".ipynb"):
                nb = self.overrides.get(path) or _notebook(path)
                self._printed[path] = printed_text(nb)
            else:
                number = self.chapter_of.get(path)
                self._printed[path] = "\n".join(self.printed(p) for p in self.chapter_notebooks(number)) if number else ""
        return self._printed[path]

    def _resolve(self, here, target):
        target = target.split("#")[0].strip()
        if not target:
            return None
        base = pathlib.PurePosixPath(here).parent
        path = (pathlib.PurePosixPath(target.lstrip("/")) if target.startswith("/") else base / target)
        parts = []
        for part in path.parts:                       # normalise ../ without touching the disk
            if part == "..":
                parts.pop() if parts else None
            elif part != ".":
                parts.append(part)
        stem = "/".join(parts)
        for suffix in ("", ".ipynb", ".md"):
            name = stem[: -len(".ipynb")] + suffix if stem.endswith(".ipynb") and suffix else stem + suffix
            if name in self.chapter_of:
                return name
        return None

    def linked(self, here, text):
        """Pages a piece of text links: roles, Markdown links, "Chapter N", page numbers like 3.3."""
        out = []
        for role, body in _ROLE.findall(text):
            target = re.search(r"<([^>]+)>\s*$", body)
            target = target.group(1) if target else body
            if role == "doc":
                out.append(self._resolve(here, target))
            elif role in ("ref", "numref") and target in self.labels:
                out.append(self.labels[target])
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if not re.match(r"\w+://", target):
                out.append(self._resolve(here, target))
        for number in re.findall(r"\bChapters? (\d)(?:\s*(?:–|-|and|to)\s*(\d))?", text):
            first, last = int(number[0]), int(number[1] or number[0])
            for n in range(first, last + 1):
                out += self.chapter_notebooks(n)
        for chapter, page in _PAGE_NUMBER.findall(_ROLE.sub(" ", text)):
            notebooks = self.chapter_notebooks(int(chapter))
            if int(page) <= len(notebooks):
                out.append(notebooks[int(page) - 1])
        return [p for p in out if p]


def _decimals(s):
    s = s.split("e")[0]
    return len(s.split(".")[1]) if "." in s else 0


def _shows(value, text_value, printed, scales):
    """Is `value` (written `text_value`) a printed number, rounded to the prose's precision, at a scale?"""
    tol = 0.5 * 10 ** -_decimals(text_value) + 1e-9
    exact = "e" in text_value.lower()
    for p in printed:
        for scale in scales:
            q = abs(p) * scale
            if (abs(q - value) <= value * 1e-6 + 1e-12) if exact else abs(q - value) <= tol:
                return True
    return False


def claims(text):
    """The checked numbers of a sentence, as (kind, as written, value, scales)."""
    text = re.sub(r"\^\{[^}]*\}|\^-?\d+(?:\.\d+)?", " ", text)          # exponents: 10^{-3}, D^{-0.5}
    found, taken = [], []

    def free(m):
        return not any(a <= m.start() < b or a < m.end() <= b for a, b in taken)

    for m in _OF.finditer(text):
        found.append(("N of M", m.group(), (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))), None))
        taken.append(m.span())
    for m in _PERCENT.finditer(text):                            # "88.0 %", and both ends of "68–78 %"
        if free(m):
            for number in filter(None, m.groups()):
                found.append(("percentage", f"{number} %", float(number.replace(",", "")), (1, 100)))
            taken.append(m.span())
    for m in _TIME.finditer(text):
        if free(m):
            v, unit = m.group(1).replace(",", ""), m.group(2)
            scales = (1, 1 / 60) if unit.startswith("min") else (1, 1 / 3600, 1 / 60) if unit.startswith("h") else (1, 60)
            found.append(("time", m.group(), float(v), scales))
            taken.append(m.span())
    for m in _DECIMAL.finditer(text):
        if not free(m):
            continue
        if _SOFTWARE.search(text[max(0, m.start() - 25):m.start()]):
            continue                                             # a version: TensorFlow 2.21
        if _PAGE_NUMBER.fullmatch(m.group(1)) and re.search(r"(?:\(|\b(?:in|see|page|pages|and)\s)$",
                                                             text[max(0, m.start() - 8):m.start()]):
            continue                                             # a page of the book: "in 3.3"
        if re.match(r"\s*\)", text[m.end():]) and re.search(r"\(\s*$", text[:m.start()]) and _PAGE_NUMBER.fullmatch(m.group(1)):
            continue                                             # "(3.3)"
        points = re.match(rf"\s*(?:(?:–|-|to|±|and)\s*(?:{_NUMBER})\s*)?(?:percentage )?(?:points?|pp)\b", text[m.end():])
        found.append(("decimal", m.group(), float(m.group(1)), (1, 100) if points else (1,)))   # 1.8 points: 0.018
    return found


def _of_printed(n, m, printed_text_):
    if re.search(rf"(?<!\d){n}\s*(?:of|/)\s*{m}(?!\d)", printed_text_.replace(",", "")):
        return True
    cells = printed_text_.split("\n\n\n")
    return any({float(n), float(m)} <= set(printed_numbers(c)) for c in cells)


def violations(paths=None, book=None, allowed=None):
    """[(page, kind, number as written, sentence)] for every number its page does not print."""
    allowed = ALLOWED if allowed is None else allowed
    book = book or Book()
    selected = [p for p, _ in book.pages if paths is None or any(p == q or p.startswith(q.rstrip("/") + "/") for q in paths)]
    out = []
    for path in selected:
        text = _unprotected(prose(path, book.overrides.get(path)))
        markdown_page = not path.endswith(".ipynb")
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.lstrip().startswith("#"):
                paragraph = paragraph.split("\n", 1)[1] if "\n" in paragraph else ""
            paragraph_links = book.linked(path, paragraph) if markdown_page else []
            for sentence in _sentences(paragraph):
                if "{cite" in sentence:
                    continue
                sources = [path] + book.linked(path, sentence) + paragraph_links
                checked = re.sub(r"\]\([^)]*\)", " ", _ROLE.sub(" ", sentence))   # roles, link addresses
                found = claims(checked)
                if not found:
                    continue
                shown = "\n\n\n".join(book.printed(s) for s in dict.fromkeys(sources))
                numbers = printed_numbers(shown)
                for kind, written, value, scales in found:
                    key = " ".join(written.split())
                    if (path, key) in allowed or ("*", key) in allowed:
                        continue
                    ok = (_of_printed(*value, shown) if kind == "N of M"
                          else _shows(value, re.search(_NUMBER, written.replace(",", "")).group(), numbers, scales))
                    if not ok:
                        out.append((path, kind, written, " ".join(sentence.split())[:300]))
    return out


def test_every_number_in_the_prose_is_printed_by_its_page():
    found = violations()
    report = "\n".join(f"{p}: {kind} {w!r} in: {s}" for p, kind, w, s in found)
    assert not found, f"{len(found)} numbers in the prose are printed by no output of their page:\n{report}"


def test_every_allowed_number_is_still_stated():
    """An allow-list entry whose number the prose no longer states is removed, not left to grow."""
    unprinted = {(p, " ".join(w.split())) for p, _, w, _ in violations(allowed={})}
    stale = [key for key in ALLOWED if not any(key[1] == w and key[0] in ("*", p) for p, w in unprinted)]
    assert not stale, f"ALLOWED entries no page needs any more: {stale}"


def _stated_numbers(book, digits=2):
    """(page, notebook, cell index, match) for prose decimals with at least ``digits`` decimals
    in notebooks without citations, in book order."""
    for path, _ in book.pages:
        if path.endswith(".ipynb") and "{cite" not in prose(path):
            nb = _notebook(path)
            for i, cell in enumerate(nb["cells"]):
                if cell["cell_type"] == "markdown":
                    for m in re.finditer(rf"(?<![\w.`$])(\d+\.\d{{{digits},}})(?![\w.]*\d)", "".join(cell["source"])):
                        yield path, nb, i, m


def _first_checked_notebook(book):
    for found in _stated_numbers(book):
        return found
    raise AssertionError("no notebook states a decimal number to mutate")


def _mutated(nb, i, m, value):
    nb = json.loads(json.dumps(nb))
    text = "".join(nb["cells"][i]["source"])
    nb["cells"][i]["source"] = text[:m.start(1)] + value + text[m.end(1):]
    return nb


def test_a_changed_number_is_caught():
    """Mutation: a stated number moved by one unit in its last digit is caught whenever the new
    value is printed nowhere on the page (its precision is checked, not only its size).

    The test does not check where on the page a number is printed: a neighbour printed in a
    log line elsewhere on the page, or on a page the same paragraph links, passes, so those
    mutations are skipped here."""
    book = Book()
    checked, missed = 0, []
    for path, nb, i, m in _stated_numbers(book, digits=2):
        if [v for v in violations([path], book) if v[2].endswith(m.group(1))]:
            continue
        cell_text = "".join(nb["cells"][i]["source"])
        shown = [book.printed(path)] + [book.printed(p) for p in book.linked(path, cell_text)]
        d, printed = _decimals(m.group(1)), printed_numbers("\n".join(shown))
        for step in (-1, 1):
            wrong = f"{float(m.group(1)) + step * 10 ** -d:.{d}f}"
            if float(wrong) <= 0 or any(abs(abs(p) * scale - float(wrong)) < 1e-9 for p in printed for scale in (1, 100)):
                continue                                   # printed elsewhere on the page
            checked += 1
            if not any(v[2].endswith(wrong) for v in violations([path], Book({path: _mutated(nb, i, m, wrong)}))):
                missed.append(f"{path}: {m.group(1)} -> {wrong}")
        if checked >= 15:
            break
    assert checked >= 15 and not missed, f"{len(missed)} of {checked} changes went unnoticed: {missed[:5]}"


def test_an_earlier_run_with_no_output_is_caught():
    """A claim about a run the page does not show (a time, a score, a count) is caught."""
    book = Book()
    path, nb, _, _ = _first_checked_notebook(book)
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [
        "An earlier run gave the same accuracy, 0.9173, in 41.7 minutes. It won 17 of 23 sentences."]})
    before = violations([path], book)
    kinds = sorted(v[1] for v in violations([path], Book({path: nb})) if v not in before)
    assert kinds == ["N of M", "decimal", "time"], kinds


def test_linked_pages_and_citations_count():
    """A number printed by a linked page passes; a cited sentence is exempt; a version is not a claim."""
    book = Book()
    path, nb, _, _ = _first_checked_notebook(book)
    other = next(p for p, _ in book.pages if p.endswith(".ipynb") and p != path
                 and re.search(r"\d\.\d{3}", printed_text(_notebook(p))))
    value = re.search(r"(?<![\w.])(\d\.\d{3})(?![\d])", printed_text(_notebook(other))).group(1)
    name = pathlib.PurePosixPath(other).stem
    rel = pathlib.PurePosixPath("..") / pathlib.PurePosixPath(other).parent.name / name
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [
        f"The other page printed {value} ({{doc}}`{rel}`). A paper reports 12.34 {{cite:p}}`vaswani2017`. "
        "It runs on TensorFlow 2.21."]})
    assert violations([path], Book({path: nb})) == violations([path], book)


if __name__ == "__main__":
    found = violations(sys.argv[1:] or None)
    for p, kind, w, s in found:
        print(f"{p}: {kind} {w!r}\n    {s}")
    print(f"{len(found)} numbers not printed by their page")
