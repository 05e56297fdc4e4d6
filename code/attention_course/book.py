"""The book's build step: the results page, read from the notebooks' committed outputs.

A Sphinx extension (``_config.yml`` lists it). The directive ``course-results`` writes one
table of ``results.md`` from the text output of the cells that carry a tag, so no number in
its tables is typed by hand and every model links to the notebook that printed it (the few
numbers in the page's prose are quoted from the chapters, as in any other page):

=========================  ==================  =========================================
tag                        notebooks           what the cell prints
=========================  ==================  =========================================
``length-results``         1.2, 2.2            exact match by length, mean and std
``results-reversal``       3.2                 the same for Luong and Bahdanau
``results-bleu``           3.3, 5.4            BLEU ± 95 % interval, greedy and beam 4
``results-bleu-by-length`` 3.3, 5.4            BLEU (beam 4) by source length
``results-positions``      5.3                 the Transformer with and without positions
``imdb-runs``              4.1–4.4, 5.5        IMDB accuracy per seed, and the summary
=========================  ==================  =========================================

It reads the course repository (the notebooks), so it works in a clone, not from the
installed package alone. It also removes a script Jupyter Book 1 puts on every page twice
(sphinx-thebe's settings; the second copy is a JavaScript error in every browser), and lets
inline code wrap (``course.css``).
"""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]      # the repository: code/attention_course/book.py
REVERSAL = {"fixed context": "chapters/01_rnn_seq2seq/02_encoder_decoder.ipynb",
            "Luong": "chapters/02_dot_product_attention/02_seq2seq_with_attention.ipynb",
            "Bahdanau": "chapters/03_additive_attention/02_reversal_luong_vs_bahdanau.ipynb"}
TRANSLATION = ["chapters/03_additive_attention/03_translation.ipynb", "chapters/05_transformer/04_translation.ipynb"]
POSITIONS = "chapters/05_transformer/03_positional_encoding.ipynb"
IMDB = [f"chapters/04_text_classification/{name}.ipynb" for name in
        ("01_data_and_baseline", "02_last_state_or_attention", "03_bilstm_bahdanau",
         "04_the_copied_example")] + ["chapters/05_transformer/05_imdb_encoder.ipynb"]


CHAPTER = re.compile(r"chapters/(\d+)_[^/]+/(\d+)_[^/]+\.ipynb")


def _chapter(path):
    """``path`` as a chapter notebook's path in the repository ('chapters/NN_name/NN_name.ipynb'),
    else a ValueError naming it."""
    if not isinstance(path, (str, pathlib.PurePath)):
        raise TypeError(f"path must be a chapter notebook's path, a str, got {type(path).__name__}")
    posix = pathlib.PurePath(path).as_posix()
    if not CHAPTER.fullmatch(posix):
        raise ValueError(f"path must be a chapter notebook relative to the repository, like "
                         f"{TRANSLATION[0]!r}; got {str(path)!r}")
    return posix


def _read(path, root):
    """The notebook ``path`` (a chapter's, under ``root``) as a dict; a ValueError naming the file
    if it is not UTF-8 JSON with cells."""
    file = pathlib.Path(root) / _chapter(path)
    try:
        notebook = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{file} is not a notebook: expected UTF-8 JSON (nbformat 4), got {error}") from error
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{file} is not a notebook: expected a JSON object with a list of 'cells'")
    return notebook


def _text(cell):
    return "".join("".join(out.get("text", "")) or "".join(out.get("data", {}).get("text/plain", ""))
                   for out in cell.get("outputs", []))


def cell_text(path, tag, root=ROOT):
    """The text output of the one cell of notebook ``path`` tagged ``tag``."""
    cells = [c for c in _read(path, root)["cells"] if tag in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{path}: expected one cell tagged {tag!r}, found {len(cells)}")
    return _text(cells[0])


def _rows(text, pattern, path, tag, expected=None):
    rows = [m.groups() for line in text.splitlines() if (m := re.match(pattern, line.rstrip()))]
    if not rows or (expected is not None and len(rows) != expected):
        raise ValueError(f"{path}: the cell tagged {tag!r} does not print the table expected "
                         f"({len(rows)} rows matched {pattern!r})")
    return rows


NUMBER = r"(\d+(?:\.\d+)?)"
LENGTH_ROW = rf"^(\d+-\d+)\s+(\d+)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$"


def length_results(path, root=ROOT):
    """Chapters 1 and 2's length experiment: table by length, validation curves, minutes."""
    table = {"bucket": [], "n": [], "exact_match_mean": [], "exact_match_std": [],
             "token_accuracy_mean": [], "token_accuracy_std": []}
    for bucket, n, *numbers in _rows(cell_text(path, "length-results", root), LENGTH_ROW, path, "length-results"):
        table["bucket"].append(bucket)
        table["n"].append(int(n))
        for key, value in zip(list(table)[2:], numbers):
            table[key].append(float(value))
    log = cell_text(path, "length-training", root)
    curves, seed = {}, None
    for line in log.splitlines():
        if m := re.match(r"seed (\d+)", line):
            seed = m.group(1)
            curves[seed] = []
        elif m := re.search(r"val_acc ([\d.]+)", line):
            curves[seed].append(float(m.group(1)))
    minutes = float(re.search(r"trained and measured in ([\d.]+) min", log).group(1))
    return {"notebook": path, "summary": table, "val_accuracy": curves, "minutes": minutes}


RUN_ROW = r"^(.+?)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$"
SUMMARY_ROW = r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\d+\s+[\d/]+\s+[\d.]+\s+\d+$"


def imdb_runs(root=ROOT):
    """{model: {"notebook", "runs": [per-seed dicts], "summary": {test_mean, test_std, val_mean}}}
    from the cells tagged ``imdb-runs`` (the summary as ``sentiment.summarise`` printed it)."""
    results = {}
    for path in IMDB:
        text = cell_text(path, "imdb-runs", root)
        for model, seed, best, val, test, seconds, params in _rows(text, RUN_ROW, path, "imdb-runs"):
            results.setdefault(model.strip(), {"notebook": path, "runs": []})["runs"].append(
                {"seed": int(seed), "best_epoch": int(best), "val_acc": float(val), "test_acc": float(test),
                 "seconds": float(seconds), "params": int(params)})
        for model, test_mean, test_std, val_mean in _rows(text, SUMMARY_ROW, path, "imdb-runs"):
            results[model.strip()]["summary"] = {"test_mean": float(test_mean), "test_std": float(test_std),
                                                 "val_mean": float(val_mean)}
    return results


def section(path):
    """'chapters/03_additive_attention/03_translation.ipynb' -> '3.3', the book's numbering."""
    chapter, page = CHAPTER.fullmatch(_chapter(path)).groups()
    return f"{int(chapter)}.{int(page)}"


def _link(path):
    return f"{{doc}}`{section(path)} <{path.removesuffix('.ipynb')}>`"


def _pm(mean, std, scale=1.0, digits=1):
    return f"{mean * scale:.{digits}f}\u202f±\u202f{std * scale:.{digits}f}"   # narrow no-break spaces: one line


def _named(model, path):
    return f"{model} ({_link(path)})"


def reversal(root=ROOT):
    """Exact match (%) by source length on the reversal task: (header, rows), one row per
    length bucket, one column per model, whose head links to its notebook (six buckets of
    three models fit the column this way round)."""
    columns, buckets = {}, None
    for model in ("fixed context", "Luong"):
        table = length_results(REVERSAL[model], root)["summary"]
        labels = [f"{b} ({n:,})" for b, n in zip(table["bucket"], table["n"])]
        if buckets is not None and labels != buckets:
            raise ValueError(f"{REVERSAL[model]}: its length buckets {labels} differ from Chapter 1's {buckets}")
        buckets = labels
        columns[model] = [_pm(m, s, 100) for m, s in zip(table["exact_match_mean"], table["exact_match_std"])]
    path = REVERSAL["Bahdanau"]
    text = cell_text(path, "results-reversal", root)
    if not re.match(r"^\s+Luong\s+Bahdanau\s*$", text.splitlines()[0]):
        raise ValueError(f"{path}: the cell tagged 'results-reversal' must print Luong's, then Bahdanau's columns")
    found = _rows(text, rf"^(\d+-\d+)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$", path, "results-reversal",
                  expected=len(buckets))
    if [b for b, *_ in found] != [label.split(" ")[0] for label in buckets]:
        raise ValueError(f"{path}: its length buckets differ from Chapter 1's")
    columns["Bahdanau"] = [_pm(float(m), float(s), 100) for *_, m, s in found]
    header = ["source length (test sequences)"] + [_named(model, REVERSAL[model]) for model in columns]
    return header, [[bucket] + [columns[m][i] for m in columns] for i, bucket in enumerate(buckets)]


def _bleu(path, root):
    text = cell_text(path, "results-bleu", root)
    if not re.search(r"^\s+greedy\s+beam 4\s*$", text, re.MULTILINE):
        raise ValueError(f"{path}: the cell tagged 'results-bleu' must print the columns greedy, then beam 4")
    return _rows(text, r"^(\S.*?)\s{2,}([\d.]+ ± [\d.]+)\s{2,}([\d.]+ ± [\d.]+)$", path, "results-bleu")


def _by_length(path, root):
    text = cell_text(path, "results-bleu-by-length", root).splitlines()
    first, *models = re.split(r"\s{2,}", text[0].strip())                # "n", then one column per model
    rows = _rows("\n".join(text), r"^(\d+-\d+)\s+(\d+)((?:\s+[\d.]+)+)$", path, "results-bleu-by-length")
    rows = [(bucket, int(n), values.split()) for bucket, n, values in rows]
    if first != "n" or any(len(values) != len(models) for *_, values in rows):
        raise ValueError(f"{path}: the cell tagged 'results-bleu-by-length' must print n, then one column per model")
    return models, rows


def _budget(path, root):
    """How long each model trained, from the notebook's own log: "5 epochs" or "300 s"; the
    same for every model of the notebook, or a ValueError."""
    text = "".join(_text(c) for c in _read(path, root)["cells"])
    if m := re.search(r"^training seconds\s+(\d+)\s+(\d+)\s*$", text, re.MULTILINE):
        budgets = set(m.groups())
        unit = "s"
    else:
        budgets, unit = set(re.findall(r"epoch 1/(\d+)", text)), "epochs"
    if len(budgets) != 1:
        raise ValueError(f"{path}: expected one training budget for all its models, found {sorted(budgets)}")
    return f"{budgets.pop()} {unit}"


def bleu(root=ROOT):
    """Test BLEU of every translation model, Chapter 3's and Chapter 5's: (header, rows)."""
    rows, edges = [], None
    for path in TRANSLATION:
        models, buckets = _by_length(path, root)
        if edges is not None and [(b, n) for b, n, _ in buckets] != edges:
            raise ValueError(f"{path}: its length buckets differ from Chapter 3's")
        edges = [(b, n) for b, n, _ in buckets]
        longest = dict(zip(models, buckets[-1][2]))
        bleu_rows = _bleu(path, root)
        if sorted(m for m, *_ in bleu_rows) != sorted(models):
            raise ValueError(f"{path}: its BLEU table and its BLEU-by-length table name different models")
        for model, greedy, beam in bleu_rows:
            rows.append([_named(model, path), _budget(path, root), *(b.replace(" ± ", "\u202f±\u202f") for b in (greedy, beam)),
                         longest[model]])
    long_bucket, n = edges[-1]
    return ["model (notebook)", "training, each", "greedy", "beam 4", f"beam 4, {long_bucket} tokens ({n:,})"], rows


def bleu_by_length(root=ROOT):
    """BLEU (beam 4) by English source length, every translation model: (header, rows)."""
    rows, header = [], None
    for path in TRANSLATION:
        models, buckets = _by_length(path, root)
        header = header or ["model (notebook)"] + [f"{b} ({n:,})" for b, n, _ in buckets]
        for i, model in enumerate(models):
            rows.append([_named(model, path)] + [values[i] for _, _, values in buckets])
    return header, rows


def positions(root=ROOT):
    """Chapter 5's reversal Transformer with each kind of position information: (header, rows)."""
    text = cell_text(POSITIONS, "results-positions", root)
    if not re.match(r"^\s+val token accuracy\s+test exact match\s*$", text.splitlines()[0]):
        raise ValueError(f"{POSITIONS}: the cell tagged 'results-positions' must print validation, then test columns")
    found = _rows(text,
                  rf"^(sinusoidal|learned|None)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$", POSITIONS,
                  "results-positions", expected=3)
    rows = [[_named(name if name != "None" else "none", POSITIONS), _pm(float(va), float(vs), 100),
             _pm(float(tm), float(ts), 100)] for name, va, vs, tm, ts in found]
    return ["positions (notebook)", "validation token accuracy (%)", "test exact match (%)"], rows


def imdb(root=ROOT):
    """Every IMDB model (Chapters 4 and 5) above the published figures: (header, rows)."""
    from . import sentiment
    runs = sentiment.measured(chapters=(4, 5), results=imdb_runs(root))
    table = sentiment.results_table(runs)
    notebooks = dict(zip(runs["model"], runs["notebook"]))
    quoted = "chapters/04_text_classification/06_summary_exercises.ipynb"      # where they are quoted
    rows = [[_named(model, notebooks.get(model, quoted)), r["test accuracy"].replace(" ± ", "\u202f±\u202f"),
             str(r["seeds"]), r["how picked"]] for model, r in table.iterrows()]
    return ["model (notebook)", "test accuracy", "seeds", "how the number was chosen"], rows


TABLES = {"reversal": reversal, "bleu": bleu, "bleu-by-length": bleu_by_length, "positions": positions,
          "imdb": imdb}


def markdown_table(header, rows):
    """A MyST (GitHub-style) table."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), line(["---"] * len(header))] + [line(r) for r in rows])


def one_copy_of_each_script(app, pagename, templatename, context, doctree):
    """Sphinx 7.4 keeps an inline script added once with filename None and once with "": sphinx-thebe's
    settings reach every page twice, and the second ``const`` declaration is a JavaScript error."""
    seen, kept = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"][:] = kept             # in place: the template holds this list


# The course's one addition to the theme's CSS: inline code (e.g. a long qualified name that
# show_source puts above a listing) may break anywhere, so it cannot push a phone's page sideways.
CSS = "code.literal, code.literal span.pre { white-space: normal; overflow-wrap: anywhere; }\n"


def write_css(app, exception):
    if exception is None and app.builder.format == "html":
        (pathlib.Path(app.outdir) / "_static" / "course.css").write_text(CSS)


def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class CourseResults(SphinxDirective):
        """``:::{course-results} NAME`` -> the table TABLES[NAME] makes from the notebooks."""
        required_arguments = 1

        def run(self):
            name = self.arguments[0]
            if name not in TABLES:
                raise self.error(f"course-results: unknown table {name!r}; one of {sorted(TABLES)}")
            root = pathlib.Path(self.env.srcdir)
            for path in [*REVERSAL.values(), *TRANSLATION, POSITIONS, *IMDB]:
                self.env.note_dependency(str(root / path))             # rebuilt when a notebook changes
            container = nodes.container(classes=["course-results"])
            self.state.nested_parse(StringList(markdown_table(*TABLES[name](root)).splitlines()),
                                    self.content_offset, container)
            return [container]

    app.add_directive("course-results", CourseResults)
    app.connect("html-page-context", one_copy_of_each_script)
    app.add_css_file("course.css")
    app.connect("build-finished", write_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
