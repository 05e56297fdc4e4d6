"""An interactive attention explorer: point at an output token, see where it looked.

:func:`attention_explorer` returns one self-contained piece of HTML (the data as JSON and a
small script, ``explorer.js``, both inline; nothing is fetched from the network), so it works
the same in Colab, in the book's static pages and in Jupyter (in a trusted notebook: one you
ran yourself, or one you trusted). GitHub's notebook viewer runs no scripts and shows only the
title and a fallback line; for print and for GitHub, Chapter 3 keeps static heatmaps
(:func:`attention_course.plots.plot_attention`) beside its explorer.

Weights are those of the course's notation: row t of a (T, S) matrix is output step t's
attention distribution α_t over the S source tokens (it sums to 1).
"""
import html
import json
import uuid
from importlib import resources

import numpy as np


def _as_layers_heads(weights, n_out, n_src, where):
    """(T, S) or (layers, heads, T, S) -> float array (layers, heads, T, S), rows checked."""
    w = np.asarray(weights, dtype="float64")
    if w.ndim == 2:
        w = w[None, None]
    if w.ndim != 4 or w.shape[2:] != (n_out, n_src):
        raise ValueError(f"{where}: weights must have shape (T, S) or (layers, heads, T, S) with "
                         f"T = {n_out} output and S = {n_src} source tokens, got {np.shape(weights)}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{where}: weights must be finite and >= 0 (attention weights)")
    sums = w.sum(-1)
    if not np.allclose(sums, 1, atol=1e-2):
        worst = float(sums.flat[np.abs(sums - 1).argmax()])
        raise ValueError(f"{where}: each row of weights must sum to 1 over the source tokens (the "
                         f"attention of one output step); a row sums to {worst:.3f}. Is it (S, T)?")
    return w


def explorer_data(models):
    """Check ``models`` and return the JSON-ready dict the script reads (weights rounded to 3
    decimals). ``models`` as for :func:`attention_explorer`."""
    if not isinstance(models, dict) or not models:
        raise ValueError("models must be a non-empty dict {model name: [(translation, source tokens, "
                         "output tokens, weights), ...]}, e.g. from translation.translate(..., return_weights=True)")
    lengths = {name: len(rows) for name, rows in models.items()}
    if len(set(lengths.values())) != 1 or 0 in lengths.values():
        raise ValueError(f"every model needs the same, non-zero number of sentences; got {lengths}")
    sources, out = None, []
    for name, rows in models.items():
        entry = {"name": str(name), "sentences": []}
        for i, row in enumerate(rows):
            if len(row) != 4:
                raise ValueError(f"{name!r}, sentence {i}: expected (translation, source tokens, output "
                                 f"tokens, weights), as translation.translate(..., return_weights=True) returns")
            text, source, output, weights = row
            w = _as_layers_heads(weights, len(output), len(source), f"{name!r}, sentence {i}")
            entry["sentences"].append({"translation": str(text), "output": [str(t) for t in output],
                                       "weights": np.round(w, 3).tolist()})
            entry["layers"], entry["heads"] = w.shape[:2]
        src = [[str(t) for t in row[1]] for row in rows]
        if sources is None:
            sources = src
        elif src != sources:
            first = next(i for i, (a, b) in enumerate(zip(src, sources)) if a != b)
            raise ValueError(f"{name!r}, sentence {first}: source tokens differ from the first model's; "
                             "every model must translate the same sentences")
        shapes = {(len(s["weights"]), len(s["weights"][0])) for s in entry["sentences"]}
        if len(shapes) != 1:
            raise ValueError(f"{name!r}: every sentence needs the same (layers, heads); got {sorted(shapes)}")
        out.append(entry)
    return {"sources": sources, "models": out}


def transformer_rows(model, src, vocab, target_vocab=None, max_len=30):
    """Explorer rows for a Transformer (:class:`attention_course.transformer.Transformer`):
    greedy decoding of source ids ``src`` (N, S) (0 = padding, at the end), with the
    cross-attention of every decoder block and head, weights (layers, heads, T, S).

    ``vocab`` (and ``target_vocab``, default the same) turn ids into tokens: a list, e.g.
    ``TextVectorization.get_vocabulary()`` or ``toy_tasks.VOCAB``.
    """
    from .checks import positive_int, sequence_ids
    from .seq2seq import output_length
    target_vocab = vocab if target_vocab is None else target_vocab
    for name, tokens in (("vocab", vocab), ("target_vocab", target_vocab)):
        if isinstance(tokens, (str, bytes, dict)) or not hasattr(tokens, "__len__") or not hasattr(tokens, "__getitem__"):
            raise TypeError(f"{name} must be a list of tokens indexed by id (e.g. "
                            f"TextVectorization.get_vocabulary()), got {type(tokens).__name__}")
    sequence_ids(src, "src", model.vocab_size)
    src, max_len = np.asarray(src), positive_int(max_len, "max_len")
    if src.max() >= len(vocab):
        raise ValueError(f"src has id {src.max()}, but vocab has only {len(vocab)} tokens: pass the "
                         f"source language's vocabulary")
    left = np.flatnonzero(((src[:, :-1] == 0) & (src[:, 1:] != 0)).any(axis=1))
    if len(left):
        raise ValueError(f"src rows {left[:5].tolist()} have padding (0) before a real token: "
                         f"expected padding at the end only (right-padded, as TextVectorization gives)")
    ids = np.asarray(model.greedy_decode(src, max_len))                                    # (N, T)
    if ids.size and ids.max() >= len(target_vocab):
        raise ValueError(f"the model generated id {ids.max()}, but target_vocab has only {len(target_vocab)} "
                         f"tokens: pass the target language's vocabulary")
    cross = np.stack(model.attention_maps(src, model.teacher_input(ids))["cross"], axis=1)  # (N, layers, h, T, S)
    rows = []
    for s, out, w in zip(src, ids, cross):
        n_src, n_out = int((s != 0).sum()), output_length(out, model.end_id)
        output = [target_vocab[i] for i in out[:n_out]]
        rows.append((" ".join(output), [vocab[i] for i in s[:n_src]], output, w[:, :, :n_out, :n_src]))
    return rows


def attention_explorer(models, title=None):
    """An explorer of attention weights, as an ``IPython.display.HTML`` object (display it, or
    make it a cell's last line). Hover over or click an output token to see its attention over
    the source; a menu picks the sentence, buttons the model and, for a Transformer, the decoder
    block (it opens on the last) and head ("mean" averages that block's heads).

    Args:
        models: ``{model name: rows}``, one row per sentence, the same sentences in the same
            order for every model. A row is ``(translation, source tokens, output tokens,
            weights)``, what ``translation.translate(..., return_weights=True)`` returns;
            weights (T, S) for an RNN decoder, or (layers, heads, T, S) for a Transformer's
            cross-attention (row t sums to 1 over the S source tokens).
        title: shown above the explorer.

    ``str(result.data)`` is the HTML: data as JSON, the script inline, no network access.
    """
    from IPython.display import HTML
    return HTML(render(explorer_data(models), title))


def render(data, title=None):
    """The explorer's HTML for data as :func:`explorer_data` returns it (what
    :func:`attention_explorer` shows; ``tests/measured_results.py --explorers`` uses it to
    redraw committed outputs with the current script, from the data they carry)."""
    data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # no "<", ">" or "&" inside the script block: a token such as "</script>" or "<!--<script>"
    # could otherwise end it or change how the browser reads it (JSON reads the escapes back)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script = resources.files(__package__).joinpath("explorer.js").read_text(encoding="utf-8")
    uid = f"attention-explorer-{uuid.uuid4().hex[:8]}"
    head = f"<p class='ax-title'>{html.escape(title)}</p>" if title else ""
    return (f"<div id='{uid}' class='attention-explorer'>{head}"
            f"<script type='application/json'>{data}</script>"
            f"<p class='ax-fallback'>The attention explorer needs JavaScript. In Jupyter, trust the notebook "
            f"(JupyterLab: Trust Notebook in the command palette) or run it again; GitHub's notebook viewer "
            f"runs no scripts.</p>"
            f"</div><script>({script})('{uid}');</script>")
