import os

import numpy as np
import pytest
import sacrebleu

from attention_course import config, translation as tr

PAIRS = [("Go.", "Ve."), ("Go.", "Vete."), ("Who are you?", "¿Quién eres?"),
         ("I'm hungry!", "¡Tengo hambre!"), ("It's late, Tom.", "Es tarde, Tom."),
         ("This sentence is far too long for the limit.", "Esta frase es demasiado larga para el límite.")]


def test_standardize_and_detokenize():
    assert tr.standardize("¿Quién eres?") == "¿ quién eres ?"
    assert tr.standardize("It's late,  Tom.") == "it's late , tom ."
    assert tr.standardize("Ça — va") == "ça va"
    assert tr.detokenize("¿ quién eres ?") == "¿quién eres?"
    assert tr.detokenize(tr.standardize("¡Tengo hambre!")) == "¡tengo hambre!"


def test_read_pairs_rejects_malformed_lines(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("Go.\tVe.\tCC-BY\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: expected 'source<TAB>target'"):
        tr.read_pairs(path)


def test_split_keeps_all_translations_of_a_source_together():
    pairs = [(f"s{i % 40}", f"t{i}") for i in range(100)]           # 40 sources, 2-3 targets each
    train, val, test = tr.split_by_source(pairs, n_val=10, n_test=10, seed=0)
    sources = [{s for s, _ in split} for split in (train, val, test)]
    assert not (sources[0] & sources[1]) and not (sources[0] & sources[2]) and not (sources[1] & sources[2])
    assert len(train) + len(val) + len(test) == 100 and len(test) >= 10
    assert tr.split_by_source(pairs, 10, 10, seed=0) == (train, val, test)
    with pytest.raises(ValueError, match="n_val"):
        tr.split_by_source(pairs, 0, 10)


def test_arrays_layout_and_length_filter():
    src_vec, tgt_vec = tr.make_vectorizers(PAIRS)
    arrays = tr.to_arrays(PAIRS, src_vec, tgt_vec, max_len=6)
    assert len(arrays["pairs"]) == 5                                 # the long pair is dropped
    assert arrays["src"].shape == (5, 6) and arrays["tgt_in"].shape == (5, 7)
    start, end = tr.token_ids(tgt_vec, tr.START), tr.token_ids(tgt_vec, tr.END)
    assert np.all(arrays["tgt_in"][:, 0] == start)
    real = arrays["tgt_in"][:, 1:] != 0                               # tgt_in is tgt_out shifted right
    np.testing.assert_array_equal(arrays["tgt_in"][:, 1:][real], arrays["tgt_out"][:, :-1][real])
    assert not np.any(arrays["tgt_in"] == end)
    lengths = (arrays["tgt_out"] != 0).sum(1)
    assert np.all((arrays["tgt_in"] != 0).sum(1) == lengths)
    assert np.all(arrays["tgt_out"][np.arange(5), lengths - 1] == end)
    assert list(arrays["src_len"]) == [2, 2, 4, 3, 5]        # "go .", ..., "i'm hungry !", "it's late , tom ."
    assert tr.ids_to_text(arrays["tgt_out"][2], tgt_vec) == "¿quién eres?"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tr.token_ids(src_vec, tr.START)


def test_bleu_is_sacrebleu_on_detokenised_text():
    # sentences of 4+ tokens: corpus BLEU of shorter ones is 0 (no 4-grams), even when identical
    hyps = ["¿quién eres tú, tom?", "tengo mucha hambre ahora."]
    refs = ["¿quién eres tú, tom?", "tengo hambre ahora mismo."]
    assert tr.bleu(refs, refs) == pytest.approx(100.0)
    assert tr.bleu(hyps, refs) == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    table = tr.bleu_by_length(hyps, refs, [3, 12], edges=[1, 10, 20])
    assert list(table["n"]) == [1, 1] and table["bleu"].iloc[0] == pytest.approx(100.0)
    with_ci = tr.bleu_by_length(hyps * 5, refs * 5, [3, 12] * 5, edges=[1, 10, 20], n_bootstrap=50)
    assert list(with_ci["n"]) == [5, 5] and with_ci["ci"].iloc[0] == pytest.approx(0.0)   # all perfect
    assert with_ci["ci"].iloc[1] >= 0
    with pytest.raises(ValueError, match="one reference per hypothesis"):
        tr.bleu(hyps, refs[:1])


@pytest.mark.parametrize("call, message", [
    (lambda: tr.bleu([], []), "at least one hypothesis"),
    (lambda: tr.bleu("una frase", "una frase"), "lists of strings"),
    (lambda: tr.bleu_with_ci([], []), "at least one hypothesis"),
    (lambda: tr.bleu_by_length(["a b c d", "e f g h"], ["a b c d", "e f g h"], [3], [1, 10]),
     "one source length per hypothesis"),
    (lambda: tr.bleu_by_length(["a b c d"], ["a b c d", "e f g h"], [3, 4], [1, 10]),
     "one reference per hypothesis"),
], ids=["empty", "strings", "empty ci", "fewer lengths", "fewer hypotheses"])
def test_bad_inputs_to_bleu_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_load_uses_an_unpacked_copy_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets" / "spa-eng_extracted" / "spa-eng"
    folder.mkdir(parents=True)
    (folder / "spa.txt").write_text("Go.\tVe.\nRun!\t¡Corre!\n", encoding="utf-8")
    monkeypatch.setattr(tr.download.keras.utils, "get_file", lambda *a, **k: 1 / 0)
    assert tr.load_spa_eng() == [("Go.", "Ve."), ("Run!", "¡Corre!")]


@pytest.mark.skipif(not os.path.exists(os.path.join(config.data_dir(), "spa-eng.zip")),
                    reason="spa-eng.zip is not in the Keras cache (CI seeds it from ../shared/data)")
def test_the_real_corpus_loads_from_the_cache():
    pairs = tr.load_spa_eng()
    assert len(pairs) == 118_964 and pairs[0] == ("Go.", "Ve.")


def _tiny_model(tgt_vec, attention):
    from attention_course.seq2seq import Seq2Seq
    config.set_seed(0)
    return Seq2Seq(tgt_vec.vocabulary_size(), 8, 16, start_id=tr.token_ids(tgt_vec, tr.START),
                   end_id=tr.token_ids(tgt_vec, tr.END), attention=attention)


def test_translate_and_decode_split_return_text_and_aligned_weights():
    src_vec, tgt_vec = tr.make_vectorizers(PAIRS)
    model = _tiny_model(tgt_vec, "bahdanau")
    arrays = tr.to_arrays(PAIRS, src_vec, tgt_vec, max_len=6)
    for beam in (1, 3):
        hyps = tr.decode_split(model, arrays, tgt_vec, beam_width=beam, batch_size=2)
        assert len(hyps) == 5 and all(isinstance(h, str) for h in hyps)
    assert tr.decode_split(model, arrays, tgt_vec, beam_width=1) == tr.translate(
        model, [s for s, _ in arrays["pairs"]], src_vec, tgt_vec, max_len=7)
    text, source, output, weights = tr.translate(model, ["Who are you?"], src_vec, tgt_vec, max_len=5,
                                                 return_weights=True)[0]
    assert source == ["who", "are", "you", "?"]
    assert weights.shape == (len(output), 4) and 1 <= len(output) <= 5
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    assert tr.references(arrays)[2] == "¿quién eres?"
    with pytest.raises(ValueError, match="list of strings"):
        tr.translate(model, "Who are you?", src_vec, tgt_vec)
    with pytest.raises(ValueError, match="greedy decoding only"):
        tr.translate(model, ["Go."], src_vec, tgt_vec, beam_width=2, return_weights=True)
    with pytest.raises(ValueError, match=r"sentences \[1\] have no words"):
        tr.translate(model, ["Go.", " — "], src_vec, tgt_vec)
    with pytest.raises(ValueError, match="no sentences"):
        tr.decode_split(model, {k: v[:0] for k, v in arrays.items() if k != "pairs"}, tgt_vec)


def test_bleu_with_ci_is_sacrebleu_with_a_bootstrap_interval():
    hyps = ["¿quién eres tú, tom?", "tengo mucha hambre ahora.", "es muy tarde para mí hoy."] * 10
    refs = ["¿quién eres tú, tom?", "tengo hambre ahora mismo.", "es tarde para mí hoy."] * 10
    score, ci = tr.bleu_with_ci(hyps, refs, n_bootstrap=200)
    assert score == pytest.approx(tr.bleu(hyps, refs))
    assert 0 < ci < score


@pytest.mark.skipif(not os.path.exists(os.path.join(config.data_dir(), "spa-eng.zip")),
                    reason="spa-eng.zip is not in the Keras cache (CI seeds it from ../shared/data)")
def test_translation_experiment_splits_share_no_source(monkeypatch):
    monkeypatch.setenv(config.QUICK_ENV, "1")
    exp = tr.translation_experiment()
    sources = [{s for s, _ in exp[name]["pairs"]} for name in ("train", "val", "test")]
    assert not (sources[0] & sources[2]) and not (sources[1] & sources[2]) and not (sources[0] & sources[1])
    assert exp["train"]["src"].shape[1] == exp["edges"][-1] - 1
    assert exp["test"]["src_len"].min() >= exp["edges"][0]


@pytest.mark.skipif(not os.path.exists(os.path.join(config.data_dir(), "kor-eng.zip")),
                    reason="kor-eng.zip is not in the Keras cache (CI seeds it from ../shared/data)")
def test_the_korean_corpus_loads_and_keeps_hangul():
    pairs = tr.load_kor_eng()
    assert len(pairs) == 5_749 and pairs[0] == ("Go.", "가.")
    assert tr.standardize("안녕, 톰!") == "안녕 , 톰 !"


def test_multi_reference_bleu_is_sacrebleus_with_every_reference():
    hyps = ["yo pago la cena esta noche.", "tengo mucha hambre ahora mismo."]
    refs = [["la cena va por mi cuenta esta noche.", "yo pago la cena esta noche."],
            ["tengo hambre ahora mismo."]]
    streams = [["la cena va por mi cuenta esta noche.", "tengo hambre ahora mismo."],
               ["yo pago la cena esta noche.", None]]
    assert tr.bleu(hyps, refs) == pytest.approx(sacrebleu.metrics.BLEU().corpus_score(hyps, streams).score)
    # a second correct translation only ever helps
    assert tr.bleu(hyps, refs) > tr.bleu(hyps, [r[0] for r in refs])
    assert "nrefs:var" in tr.bleu_signature(refs) and "tok:13a" in tr.bleu_signature(refs)
    with pytest.raises(ValueError, match="empty list of references"):
        tr.bleu(hyps, [refs[0], []])


def test_by_source_keeps_one_row_per_sentence_with_all_its_references():
    src_vec, tgt_vec = tr.make_vectorizers(PAIRS)
    arrays = tr.to_arrays(PAIRS, src_vec, tgt_vec, max_len=8)
    grouped = tr.by_source(arrays)
    assert [p[0] for p in grouped["pairs"]] == ["Go.", "Who are you?", "I'm hungry!", "It's late, Tom."]
    assert grouped["references"][0] == ["ve.", "vete."]
    assert grouped["references"][1] == ["¿quién eres?"]
    for key in ("src", "tgt_in", "tgt_out", "src_len"):
        assert len(grouped[key]) == 4
    np.testing.assert_array_equal(grouped["src"][1], arrays["src"][2])


def test_paired_bootstrap_is_sacrebleus_paired_test():
    refs = [f"el gato {w} come pescado fresco hoy." for w in "abcdefghij"]
    good = list(refs)
    bad = [f"un perro {w} bebe agua hoy." for w in "abcdefghij"]
    table = tr.paired_bootstrap({"good": good, "bad": bad}, refs, n_samples=200)
    assert list(table.index) == ["good", "bad"]
    assert table.loc["good", "bleu"] == pytest.approx(100.0)
    assert np.isnan(table.loc["good", "p_value"]) and table.loc["bad", "p_value"] < 0.05
    close = good[:-1] + ["el gato j come pescado hoy."]     # one word fewer in one sentence
    near = tr.paired_bootstrap({"good": good, "close": close}, refs, n_samples=200)
    assert near.loc["close", "p_value"] > table.loc["bad", "p_value"]
    with pytest.raises(ValueError, match="at least two systems"):
        tr.paired_bootstrap({"a": good}, refs)


def test_by_source_rejects_a_split_without_pairs():
    with pytest.raises(ValueError, match="'pairs' list"):
        tr.by_source({"src": np.zeros((2, 3), int)})


class _Vocab:                                    # what ids_to_text needs of a vectorizer
    def get_vocabulary(self):
        return ["", "[UNK]", "<s>", "</s>", "hola"]


@pytest.mark.parametrize("call, message", [
    (lambda: tr.ids_to_text([4, 99], _Vocab()), r"ids has id 99: token ids must lie in \[0, 5\)"),
    (lambda: tr.ids_to_text([-1, 4], _Vocab()), r"ids has id -1: token ids must lie in \[0, 5\)"),
    (lambda: tr.ids_to_text([4.0], _Vocab()), "ids must be integer token ids, got float64"),
    (lambda: tr.decode_split(None, {"src": np.ones((2, 3), int), "tgt_out": np.ones((2, 3), int)}, None,
                             batch_size=0), "batch_size must be a positive int, got 0"),
    (lambda: tr.split_by_source(PAIRS, 1.5, 1), "n_val must be a positive int"),
    (lambda: tr.bleu_by_length(["a", "b"], ["a", "b"], [3, 5], [1, 4, 4, 9]), "strictly increasing"),
], ids=["id too large", "negative id", "float id", "batch_size 0", "float n_val", "equal edges"])
def test_bad_ids_and_sizes_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_ids_to_text_reads_good_ids_as_before():
    assert tr.ids_to_text(np.array([2, 4, 4, 3, 4]), _Vocab()) == "hola hola" == tr.ids_to_text([4, 4], _Vocab())
