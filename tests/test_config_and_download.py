import os
import zipfile

import pytest

from attention_course import config, download

ORIGIN = "https://example.invalid/data/pairs.zip"


def test_quick_mode_and_pick(monkeypatch):
    monkeypatch.setenv(config.QUICK_ENV, "1")
    assert config.quick_mode() and config.pick(full=100, quick=2) == 2
    monkeypatch.delenv(config.QUICK_ENV)
    assert not config.quick_mode() and config.pick(full=100, quick=2) == 100


def test_bad_seed():
    with pytest.raises(ValueError, match="non-negative int"):
        config.set_seed(-1)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    return tmp_path / "datasets"


def _no_network(*args, **kwargs):
    raise OSError("network is unreachable")


def test_an_extracted_copy_is_used_without_downloading(keras_home, monkeypatch):
    monkeypatch.setattr(download.keras.utils, "get_file", _no_network)
    (keras_home / "pairs_extracted" / "pairs").mkdir(parents=True)
    (keras_home / "pairs_extracted" / "pairs" / "a.txt").write_text("hi\thola\n")
    path = download.fetch("pairs.zip", ORIGIN, extract=True, contains="pairs/a.txt")
    assert path == str(keras_home / "pairs_extracted" / "pairs" / "a.txt")


def test_a_folder_unpacked_into_the_cache_is_found(keras_home, monkeypatch):
    monkeypatch.setattr(download.keras.utils, "get_file", _no_network)
    (keras_home / "aclImdb" / "train").mkdir(parents=True)
    path = download.fetch("aclImdb_v1.tar.gz", ORIGIN, extract=True, contains="aclImdb")
    assert path == str(keras_home / "aclImdb")


def test_a_cached_archive_is_extracted_offline(keras_home):
    with zipfile.ZipFile(keras_home / "pairs.zip", "w") as z:
        z.writestr("pairs/a.txt", "hi\thola\n")
    path = download.fetch("pairs.zip", ORIGIN, extract=True, contains="pairs/a.txt")
    assert open(path).read() == "hi\thola\n"


def test_offline_without_a_copy_says_which_file_from_where_and_where_to_put_it(keras_home, monkeypatch):
    monkeypatch.setattr(download.keras.utils, "get_file", _no_network)
    with pytest.raises(FileNotFoundError) as info:
        download.fetch("pairs.zip", ORIGIN, extract=True, contains="pairs/a.txt")
    message = str(info.value)
    assert "'pairs.zip'" in message and ORIGIN in message
    assert os.path.join(str(keras_home), "pairs.zip") in message


def test_seeds_may_be_numpy_ints_but_not_floats_or_booleans():
    import numpy as np
    config.set_seed(np.int64(3))
    for bad in (True, 2.5, "3"):
        with pytest.raises(ValueError, match="seed must be a non-negative int"):
            config.set_seed(bad)


def test_fetch_needs_text_for_the_name_and_origin():
    with pytest.raises(ValueError, match="fetch needs a file name and an origin URL"):
        download.fetch(["pairs.zip"], ORIGIN)


def test_about_this_run_is_one_collapsed_box_with_time_machine_and_versions(monkeypatch):
    import time as _time
    monkeypatch.setenv(config.QUICK_ENV, "1")
    box = config.about_this_run(_time.perf_counter() - 90, timings={"training": 125.0, "decoding": 12},
                                notes=["Seeds 0, 1, 2 <all>."])
    html = box._repr_html_()
    assert html.startswith('<details class="about-run"><summary>About this run</summary>')
    assert html.count("<details") == 1 and "&lt;all&gt;" in html          # one box, text escaped
    text = repr(box)
    assert "Full run: 1.5 min, quick mode" in text and "CPU cores" in text and "Keras " in text
    assert "training: 2.1 min." in text and "decoding: 12 s." in text


def test_set_seed_makes_tensorflow_ops_deterministic():
    import keras
    config.set_seed(0)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.framework import config as tf_config   # no public getter
        assert tf_config.is_op_determinism_enabled()
    else:
        assert config.deterministic() is False
