import os

import numpy as np
import pytest

from attention_course import config, imdb


@pytest.fixture
def tiny_imdb(tmp_path):
    """An aclImdb tree of 3 + 2 training reviews and 1 + 1 test reviews."""
    root = tmp_path / "aclImdb"
    reviews = {"train/neg": ["bad.<br />Awful.", "dull", "meh"], "train/pos": ["great<br/>fun", "good"],
               "test/neg": ["no"], "test/pos": ["yes"]}
    for folder, texts in reviews.items():
        (root / folder).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / folder / f"{i}_{i + 1}.txt").write_text(text, encoding="utf-8")
    return root


def test_reviews_are_read_in_a_fixed_order_with_line_breaks_removed(tiny_imdb):
    texts, labels = imdb.load_reviews("train", tiny_imdb)
    assert texts == ["bad. Awful.", "dull", "meh", "great fun", "good"]
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])
    assert labels.dtype == np.int32 and imdb.load_reviews("train", tiny_imdb)[0] == texts


def test_validation_split_is_disjoint_complete_and_deterministic():
    texts = [f"review {i}" for i in range(100)]
    labels = np.arange(100) % 2
    (tr_x, tr_y), (va_x, va_y) = imdb.validation_split(texts, labels, 0.2, seed=0)
    assert len(va_x) == 20 and len(tr_x) == 80 and not set(tr_x) & set(va_x)
    assert sorted(tr_x + va_x) == sorted(texts)
    assert all(labels[int(t.split()[1])] == y for t, y in zip(va_x, va_y))   # labels stay with their text
    assert imdb.validation_split(texts, labels, 0.2, seed=0)[1][0] == va_x
    assert imdb.validation_split(texts, labels, 0.2, seed=1)[1][0] != va_x


@pytest.mark.parametrize("call, error, message", [
    (lambda root: imdb.load_reviews("dev", root), ValueError, "'train' or 'test'"),
    (lambda root: imdb.load_reviews("train", root.parent / "nowhere"), FileNotFoundError, "train/neg"),
    (lambda root: imdb.validation_split(["a", "b"], [0], 0.5), ValueError, "as long"),
    (lambda root: imdb.validation_split(["a", "b"], [0, 1], 1.0), ValueError, "strictly between"),
    (lambda root: imdb.validation_split(["a", "b"], [0, 1], 0.1), ValueError, "too few"),
], ids=["split", "missing folder", "lengths", "fraction", "too few"])
def test_bad_input_says_what_was_expected(tiny_imdb, call, error, message):
    with pytest.raises(error, match=message):
        call(tiny_imdb)


def _no_network(*args, **kwargs):
    raise OSError("network is unreachable")


def test_offline_without_the_data_names_the_archive_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imdb.download.keras.utils, "get_file", _no_network)
    with pytest.raises(FileNotFoundError) as info:
        imdb.load_reviews("test")
    assert "aclImdb_v1.tar.gz" in str(info.value) and imdb.IMDB["origin"] in str(info.value)


@pytest.mark.skipif(not os.path.isdir(os.path.join(config.data_dir(), "aclImdb")),
                    reason="no aclImdb folder in the Keras cache (CI seeds one from ../shared/data)")
def test_the_real_data_has_12500_reviews_per_class_and_split():
    for split in imdb.SPLITS:
        texts, labels = imdb.load_reviews(split)
        assert len(texts) == 25_000 and np.bincount(labels).tolist() == [12_500, 12_500]
        assert not any("<br" in t for t in texts[:500])


# Bad input gets a clear error naming the argument or the file (issue 25, part 4)

def test_validation_split_refuses_a_string_for_the_list_of_texts():
    with pytest.raises(TypeError, match="texts must be a list of reviews, got str: a single string would be split"):
        imdb.validation_split("abcde", [0, 1, 0, 1, 0], 0.4)
    with pytest.raises(ValueError, match=r"labels must be one label per review, shape \(N,\)"):
        imdb.validation_split(["a", "b"], [[0, 1]], 0.5)


def test_a_review_that_is_not_utf8_is_named_in_the_error(tiny_imdb):
    bad = tiny_imdb / "train" / "pos" / "9_10.txt"
    bad.write_bytes("caf\u00e9 cr\u00e8me".encode("latin-1"))
    with pytest.raises(ValueError, match=r"9_10\.txt is not UTF-8 text .*the aclImdb reviews are UTF-8") as info:
        imdb.load_reviews("train", tiny_imdb)
    assert str(bad) in str(info.value)
