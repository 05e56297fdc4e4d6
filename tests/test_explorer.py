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
