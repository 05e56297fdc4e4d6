"""The attention explorer: its data checked and self-contained (the book's browser test clicks it)."""
import json
import re
from importlib import resources

import numpy as np
import pytest

from attention_course import config, explorer, translation as tr
from attention_course.explorer import attention_explorer, explorer_data, transformer_rows

PAIRS = [("Go.", "Ve."), ("Who are you?", "¿Quién eres?"), ("I'm hungry!", "¡Tengo hambre!"),
         ("It's late, Tom.", "Es tarde, Tom.")]
SENTENCES = ["Who are you?", "It's late, Tom."]


@pytest.fixture(scope="module")
def models():
    from attention_course.seq2seq import Seq2Seq
    from attention_course.transformer import Transformer
    src_vec, tgt_vec = tr.make_vectorizers(PAIRS)
    start, end = tr.token_ids(tgt_vec, tr.START), tr.token_ids(tgt_vec, tr.END)
    vocab = max(src_vec.vocabulary_size(), tgt_vec.vocabulary_size())
    config.set_seed(0)
    rnn = Seq2Seq(vocab, 8, 16, start_id=start, end_id=end, attention="bahdanau")
    transformer = Transformer(vocab, d_model=16, num_heads=2, d_ff=32, num_layers=2, dropout=0.0,
                              max_len=32, start_id=start, end_id=end)
    src = np.asarray(src_vec([tr.standardize(s) for s in SENTENCES]))
    return {"Bahdanau": tr.translate(rnn, SENTENCES, src_vec, tgt_vec, max_len=6, return_weights=True),
            "Transformer": transformer_rows(transformer, src, src_vec.get_vocabulary(), tgt_vec.get_vocabulary(),
                                            max_len=6),
            "transformer_plain": tr.translate(transformer, SENTENCES, src_vec, tgt_vec, max_len=6,
                                              return_weights=True),
            "transformer_model": (transformer, src)}


def test_transformer_rows_have_every_block_and_head(models):
    for (text, source, output, w), (_, source2, output2, mean_last) in zip(models["Transformer"],
                                                                          models["transformer_plain"]):
        assert (source, output) == (source2, output2) and text == " ".join(output)
        assert w.shape == (2, 2, len(output), len(source))
        np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
        np.testing.assert_allclose(w[-1].mean(0), mean_last, atol=1e-6)   # what translate() averages


def test_each_row_is_what_that_decoding_step_saw(models):
    """Row t of transformer_rows' weights is the cross-attention of greedy step t, which saw only
    <s> and the first t outputs: recomputed from that prefix alone, it is the same, and the
    model's most probable next token there is output t."""
    model, src = models["transformer_model"]
    for i, (_, source, output, w) in enumerate(models["Transformer"]):
        ids = np.asarray(model.greedy_decode(src[i:i + 1], 6))                       # (1, T)
        tgt_in = model.teacher_input(ids)
        for t in range(len(output)):
            prefix = tgt_in[:, :t + 1]
            cross = np.stack(model.attention_maps(src[i:i + 1], prefix)["cross"])   # (layers, 1, h, t + 1, S)
            np.testing.assert_allclose(cross[:, 0, :, t, :len(source)], w[:, :, t], atol=1e-5)
            logits = np.array(model((src[i:i + 1], prefix), training=False))        # (1, t + 1, V)
            logits[..., [0, model.start_id]] = -np.inf                           # never generated
            assert logits[0, t].argmax() == ids[0, t]


def test_data_has_one_entry_per_model_with_layers_and_heads(models):
    data = explorer_data({"Bahdanau": models["Bahdanau"], "Transformer": models["Transformer"]})
    assert data["sources"] == [["who", "are", "you", "?"], ["it's", "late", ",", "tom", "."]]
    bahdanau, transformer = data["models"]
    assert (bahdanau["name"], bahdanau["layers"], bahdanau["heads"]) == ("Bahdanau", 1, 1)
    assert (transformer["layers"], transformer["heads"]) == (2, 2)
    first = transformer["sentences"][0]
    assert np.shape(first["weights"]) == (2, 2, len(first["output"]), 4)
    assert first["output"] == models["Transformer"][0][2]


def test_html_is_self_contained_and_carries_the_data_and_script(models):
    html = attention_explorer({"Bahdanau": models["Bahdanau"]}, title="a <b> title").data
    script = resources.files("attention_course").joinpath("explorer.js").read_text(encoding="utf-8")
    assert script in html and "a &lt;b&gt; title" in html
    blob = re.search(r"<script type='application/json'>(.*?)</script>", html, re.S).group(1)
    assert json.loads(blob)["models"][0]["name"] == "Bahdanau"
    assert not re.search(r"(src|href)\s*=|https?://|import\s*\(|fetch\(", html), "the explorer must load nothing"
    one = [("x", ["</script>"], ["<!--<script>"], np.ones((1, 1)))]
    blob = re.search(r"<script type='application/json'>(.*?)</script>", attention_explorer({"m": one}).data).group(1)
    assert "<" not in blob and json.loads(blob)["models"][0]["sentences"][0]["output"] == ["<!--<script>"]
    ids = re.findall(r"id='(attention-explorer-\w+)'", html + attention_explorer({"m": one}).data)
    assert len(set(ids)) == 2                                           # two on one page do not collide


ROW = ("t", ["a", "b"], ["x", "y", "z"], np.full((3, 2), 0.5))


@pytest.mark.parametrize("models, message", [
    ({}, "non-empty dict"),
    ({"m": [ROW], "n": [ROW, ROW]}, "same, non-zero number of sentences"),
    ({"m": [ROW[:3]]}, r"expected \(translation, source tokens"),
    ({"m": [(*ROW[:3], np.full((2, 3), 1 / 3))]}, r"shape \(T, S\) or \(layers, heads, T, S\) with T = 3"),
    ({"m": [(*ROW[:3], np.full((3, 2), 0.3))]}, "sum to 1 over the source tokens.*Is it"),
    ({"m": [(*ROW[:3], np.array([[1.5, -0.5]] * 3))]}, "finite and >= 0"),
    ({"m": [ROW], "n": [("t", ["a", "c"], *ROW[2:])]}, "source tokens differ"),
    ({"m": [ROW, (*ROW[:3], np.full((2, 1, 3, 2), 0.5))]}, "same \\(layers, heads\\)"),
])
def test_bad_input_says_what_was_expected(models, message):
    with pytest.raises(ValueError, match=message):
        explorer_data(models)


def test_module_is_documented_for_learners():
    assert "no network" in explorer.attention_explorer.__doc__ and "(T, S)" in explorer.__doc__


def test_the_explorer_responds_in_a_browser(models, browser):
    """Hover and click in headless Chromium: the source shading follows the chosen output
    token, model, layer and head; no script error; nothing is fetched."""
    from conftest import offline
    page = offline(browser.new_page(viewport={"width": 700, "height": 900}))
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    html = attention_explorer({"Bahdanau": models["Bahdanau"], "Transformer": models["Transformer"]}).data
    page.set_content(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")

    def shading():
        return page.eval_on_selector_all(".ax-tok", "ts => ts.map(t => t.style.background)")

    def weights(model, sentence, step, layer=-1, head=None):
        w = np.asarray(models[model][sentence][3], dtype=float)
        w = w if w.ndim == 2 else (w[layer].mean(0) if head is None else w[layer][head])
        return w[step] if w.ndim == 2 else w

    def alphas():                                   # the weights the page shows (each token's tooltip)
        assert all(shading())                       # and every source token is shaded
        return np.array(page.eval_on_selector_all(".ax-tok", "ts => ts.map(t => +t.title)"))

    np.testing.assert_allclose(alphas(), weights("Bahdanau", 0, 0), atol=1.5e-3)
    page.hover(".ax-out button >> nth=1")
    np.testing.assert_allclose(alphas(), weights("Bahdanau", 0, 1), atol=1.5e-3)
    page.focus(".ax-out button >> nth=0")                            # the keyboard does what the mouse does
    np.testing.assert_allclose(alphas(), weights("Bahdanau", 0, 0), atol=1.5e-3)
    assert page.get_attribute(".ax-out button >> nth=0", "aria-pressed") == "true"
    assert not page.query_selector(".ax-fallback")                  # the no-script text is gone
    page.click("button:text-is('Transformer')")
    assert page.is_visible("button:text-is('mean')")               # layers and heads appear
    page.click(".ax-heads button:text-is('2')")                     # head 2 of the last layer
    page.click(".ax-out button >> nth=0")
    np.testing.assert_allclose(alphas(), weights("Transformer", 0, 0, head=1), atol=1.5e-3)
    page.click(".ax-layers button:text-is('1')")                    # block 1, all its heads averaged
    page.click(".ax-heads button:text-is('mean')")
    np.testing.assert_allclose(alphas(), weights("Transformer", 0, 0, layer=0), atol=1.5e-3)
    page.select_option("select", "1")
    assert page.eval_on_selector_all(".ax-tok", "ts => ts.map(t => t.textContent)") == models["Transformer"][1][1]
    page.click("button:text-is('Bahdanau')")
    assert not page.is_visible("button:text-is('mean')")           # an RNN has one layer, one head
    assert not errors and not [u for u in requests if not u.startswith(("about:", "data:"))]
    page.close()


def test_transformer_rows_names_a_left_padded_source_and_bad_vocabularies(models):
    """Bad input to transformer_rows gets an error about that input, not about row sums."""
    model, src = models["transformer_model"]
    vocab = [f"w{i}" for i in range(model.vocab_size)]
    left = np.zeros_like(src)
    for i, row in enumerate(src):                               # the same tokens, padding first
        real = row[row != 0]
        left[i, len(row) - len(real):] = real
    with pytest.raises(ValueError, match=r"src rows \[0\] have padding \(0\) before a real token: "
                                         r"expected padding at the end only"):
        transformer_rows(model, left, vocab, max_len=4)
    with pytest.raises(TypeError, match="vocab must be a list of tokens indexed by id"):
        transformer_rows(model, src, " ".join(vocab), max_len=4)
    with pytest.raises(ValueError, match=r"src has id \d+, but vocab has only 3 tokens"):
        transformer_rows(model, src, vocab[:3], max_len=4)
    with pytest.raises(TypeError, match="src must be integer token ids"):
        transformer_rows(model, src + 0.5, vocab, max_len=4)
    with pytest.raises(ValueError, match=r"src has id -1"):
        transformer_rows(model, src - 1, vocab, max_len=4)
    with pytest.raises(ValueError, match="max_len must be a positive int, got 0"):
        transformer_rows(model, src, vocab, max_len=0)


# ---- keyboard, touch and dark mode (issue 25, part 5) ----

def _explorer_page(browser, models, html_attrs="", **context):
    from conftest import offline
    page = offline(browser.new_page(**context))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    html = attention_explorer({"Bahdanau": models["Bahdanau"], "Transformer": models["Transformer"]}).data
    page.set_content(f"<!doctype html><html {html_attrs}><meta charset='utf-8'><body>{html}</body></html>")
    return page, errors


def _note_value(page):
    """The weight the note line prints for the chosen heatmap cell."""
    return float(re.search(r": (\d\.\d{3})", page.inner_text(".ax-note")).group(1))


FOCUSED = """() => { const e = document.activeElement;
  return {text: e.textContent, group: (e.closest('[role=group]') || {}).className || null, tag: e.tagName,
          pressed: e.getAttribute('aria-pressed'), t: e.dataset.t, s: e.dataset.s} }"""


def test_the_explorer_works_from_the_keyboard_and_keeps_the_focus(models, browser):
    """Enter and Space press a button and leave the focus on it (the buttons are not rebuilt);
    the arrow keys move between the buttons of a group, along the output tokens and across the
    heatmap's cells; a chosen cell's weight and the chosen row's weights are printed as text."""
    page, errors = _explorer_page(browser, models, viewport={"width": 700, "height": 900})
    page.focus(".ax-models button >> nth=0")
    page.keyboard.press("ArrowRight")                                # arrows move inside the group
    assert page.evaluate(FOCUSED)["text"] == "Transformer"
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUSED)
    assert (focused["text"], focused["pressed"]) == ("Transformer", "true"), f"the focus left the button: {focused}"
    page.keyboard.press("Tab")                                       # on to the next group: nothing undone
    assert page.evaluate(FOCUSED)["group"].endswith("ax-layers")
    assert page.get_attribute(".ax-models button:text-is('Transformer')", "aria-pressed") == "true"
    page.focus(".ax-heads button[aria-pressed='true']")
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")                                         # Space: head 1 of the last block
    focused = page.evaluate(FOCUSED)
    assert (focused["text"], focused["pressed"]) == ("1", "true"), focused
    w = np.asarray(models["Transformer"][0][3], dtype=float)[-1][0]  # (T, S), block 2, head 1
    page.focus(".ax-out button >> nth=0")
    page.keyboard.press("ArrowRight")                                # the next output token, chosen
    assert page.evaluate(FOCUSED)["text"] == models["Transformer"][0][2][1]
    assert page.get_attribute(".attention-explorer", "data-step") == "1"
    shown = np.array(page.eval_on_selector_all(".ax-tok", "ts => ts.map(t => +t.title)"))
    np.testing.assert_allclose(shown, w[1], atol=1.5e-3)
    values = page.inner_text(".ax-values")                           # the row's weights, as text
    np.testing.assert_allclose([float(v) for v in re.findall(r" (\d\.\d\d)(?: ·|$)", values)], w[1], atol=6e-3)
    page.focus("td.c[data-t='0'][data-s='0']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate(FOCUSED)
    assert (focused["tag"], focused["t"], focused["s"]) == ("TD", "1", "1"), focused
    assert page.get_attribute(".attention-explorer", "data-step") == "1"
    assert abs(_note_value(page) - w[1][1]) < 1.5e-3                # the cell's value, without a hover
    tabbable = page.eval_on_selector_all(".ax-out button, td.c", "es => es.filter(e => e.tabIndex === 0).length")
    assert tabbable == 2, "one output token and one cell in the Tab order (roving tabindex)"
    assert not errors, errors
    page.close()


def _luminance(css_colour):
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_the_explorer_fits_a_finger_and_the_dark_theme(models, browser):
    """On a phone: buttons and the menu at least 44 px tall, heatmap cells at least 24 px, and a
    tap on a cell shows its weight; under the book's dark theme the explorer is dark too."""
    page, errors = _explorer_page(browser, models, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page.click("button:text-is('Transformer')")
    sizes = page.eval_on_selector_all(".attention-explorer button, .attention-explorer select",
                                      "es => es.filter(e => e.offsetParent).map(e => [e.textContent.slice(0, 20), "
                                      "e.getBoundingClientRect().height])")
    assert sizes and all(h >= 44 for _, h in sizes), f"touch targets under 44 px: {[s for s in sizes if s[1] < 44]}"
    cells = page.eval_on_selector_all("td.c", "es => es.map(e => [e.getBoundingClientRect().width, "
                                      "e.getBoundingClientRect().height])")
    assert cells and min(min(c) for c in cells) >= 24, f"heatmap cells under 24 px: {min(min(c) for c in cells)}"
    page.tap("td.c[data-t='1'][data-s='0']")
    w = np.asarray(models["Transformer"][0][3], dtype=float)[-1].mean(0)
    assert abs(_note_value(page) - w[1][0]) < 1.5e-3
    assert page.get_attribute(".attention-explorer", "data-step") == "1"
    assert not errors, errors
    page.close()
    for attrs, dark in [("", False), ("data-theme='dark'", True)]:
        page, errors = _explorer_page(browser, models, html_attrs=attrs, viewport={"width": 700, "height": 900})
        box = page.eval_on_selector(".attention-explorer", "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        button = page.eval_on_selector(".ax-models button:not(.on)", "e => getComputedStyle(e).backgroundColor")
        assert (_luminance(box[0]) < 0.3) == dark and (_luminance(box[1]) > 0.7) == dark, (attrs, box)
        assert (_luminance(button) < 0.3) == dark, (attrs, button)
        assert not errors, errors
        page.close()
