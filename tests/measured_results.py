"""Read the length experiment's results out of the notebooks' committed outputs.

Chapter 1 measures the fixed-context model and Chapter 2 the Luong model; later notebooks
compare against those results without training the models again. They read them from
``attention_course/length_results.json``, which this script writes from the committed
outputs (nothing is typed by hand), and ``test_measured.py`` fails when the two disagree.

Chapter 4's summary reads every model's per-seed IMDB results the same way, from
``attention_course/sentiment_results.json`` (Chapter 5's Transformer encoder included).

Update after a full re-run:  python tests/measured_results.py
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
JSON = ROOT / "code" / "attention_course" / "length_results.json"
SOURCES = {  # model -> the notebook that trains it; cells tagged length-training / length-results
    "fixed context": "chapters/01_rnn_seq2seq/02_encoder_decoder.ipynb",
    "Luong": "chapters/02_dot_product_attention/02_seq2seq_with_attention.ipynb",
}
ROW = re.compile(r"^(\d+-\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def _text(cell):
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")) or "".join(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def _tagged(nb, tag):
    cells = [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected one cell tagged {tag!r}, found {len(cells)}")
    return _text(cells[0])


def from_notebook(path):
    """The results a notebook's committed outputs show: table, validation curves, minutes."""
    nb = json.loads((ROOT / path).read_text())
    table = {"bucket": [], "n": [], "exact_match_mean": [], "exact_match_std": [],
             "token_accuracy_mean": [], "token_accuracy_std": []}
    for line in _tagged(nb, "length-results").splitlines():
        match = ROW.match(line)
        if match:
            bucket, n, *numbers = match.groups()
            table["bucket"].append(bucket)
            table["n"].append(int(n))
            for key, value in zip(list(table)[2:], numbers):
                table[key].append(float(value))
    log = _tagged(nb, "length-training")
    curves, seed = {}, None
    for line in log.splitlines():
        if m := re.match(r"seed (\d+)", line):
            seed = m.group(1)
            curves[seed] = []
        elif m := re.search(r"val_acc ([\d.]+)", line):
            curves[seed].append(float(m.group(1)))
    minutes = float(re.search(r"trained and measured in ([\d.]+) min", log).group(1))
    return {"notebook": path, "summary": table, "val_accuracy": curves, "minutes": minutes}


def all_results():
    return {name: from_notebook(path) for name, path in SOURCES.items()}


# Chapter 4: every model's per-seed rows (cells tagged imdb-runs), for the chapter's summary table
IMDB_JSON = ROOT / "code" / "attention_course" / "sentiment_results.json"
IMDB_SOURCES = [f"chapters/04_text_classification/{name}.ipynb" for name in
                ("01_data_and_baseline", "02_last_state_or_attention", "03_bilstm_bahdanau",
                 "04_the_copied_example")] + ["chapters/05_transformer/05_imdb_encoder.ipynb"]
RUN = re.compile(r"^(.+?)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s*$")
SUMMARY = re.compile(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\d+\s+[\d/]+\s+[\d.]+\s+\d+\s*$")


def imdb_runs():
    """{model: {"notebook": path, "runs": [per-seed dicts], "summary": {test_mean, test_std, val_mean}}}
    from the notebooks' committed outputs (the summary as ``sentiment.summarise`` printed it, from
    unrounded accuracies)."""
    results = {}
    for path in IMDB_SOURCES:
        nb = json.loads((ROOT / path).read_text())
        for line in _tagged(nb, "imdb-runs").splitlines():
            if match := RUN.match(line):
                model, seed, best, val, test, seconds, params = match.groups()
                entry = results.setdefault(model.strip(), {"notebook": path, "runs": []})
                entry["runs"].append({"seed": int(seed), "best_epoch": int(best), "val_acc": float(val),
                                      "test_acc": float(test), "seconds": float(seconds), "params": int(params)})
            elif match := SUMMARY.match(line):
                model, test_mean, test_std, val_mean = match.groups()
                results[model.strip()]["summary"] = {"test_mean": float(test_mean), "test_std": float(test_std),
                                                     "val_mean": float(val_mean)}
    return results


if __name__ == "__main__":
    JSON.write_text(json.dumps(all_results(), indent=1) + "\n")
    IMDB_JSON.write_text(json.dumps(imdb_runs(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {JSON.relative_to(ROOT)} and {IMDB_JSON.relative_to(ROOT)}", file=sys.stderr)
