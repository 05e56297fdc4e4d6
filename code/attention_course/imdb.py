"""The Large Movie Review Dataset (Maas et al., 2011): raw IMDB reviews for Chapter 4.

    texts, labels = load_reviews("train")        # 25,000 reviews; labels 0 (negative), 1 (positive)
    (train_x, train_y), (val_x, val_y) = validation_split(texts, labels, fraction=0.2, seed=0)
    test_x, test_y = load_reviews("test")         # 25,000 more: for the final measurement only

The reviews are read from the extracted ``aclImdb/`` folder: the Keras cache is searched first
(``<data_dir>/aclImdb`` or Keras's ``aclImdb_v1_extracted/aclImdb``), and the official archive
(84 MB) is downloaded only when neither is there. HTML line breaks (``<br />``) become spaces.
"""
import os
import re

import numpy as np

from . import download

IMDB = {
    "fname": "aclImdb_v1.tar.gz",
    "origin": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    "contains": "aclImdb",
}
CLASSES = ("neg", "pos")          # label 0, label 1
SPLITS = ("train", "test")


def clean(text):
    """A review as plain text: ``<br />`` line breaks (the only HTML in the data) become spaces."""
    return re.sub(r"<br\s*/?>", " ", text)


def load_reviews(split, folder=None):
    """All reviews of ``split`` ("train" or "test"): a list of texts and an int32 array of labels.

    Files are read in sorted order, negatives first, so the order is the same on every machine.
    ``folder``: an ``aclImdb`` folder to read instead of the cached one.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = download.fetch(**IMDB, extract=True) if folder is None else str(folder)
    texts, labels = [], []
    for label, name in enumerate(CLASSES):
        path = os.path.join(folder, split, name)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"{path} is missing: an aclImdb folder holds {split}/neg/ and "
                                    f"{split}/pos/ with one review per .txt file ({IMDB['origin']})")
        names = sorted(f for f in os.listdir(path) if f.endswith(".txt"))
        if not names:
            raise FileNotFoundError(f"{path} holds no .txt reviews")
        for fname in names:
            with open(os.path.join(path, fname), encoding="utf-8") as f:
                try:
                    texts.append(clean(f.read()))
                except UnicodeDecodeError as error:
                    raise ValueError(f"{os.path.join(path, fname)} is not UTF-8 text ({error.reason} at "
                                     f"byte {error.start}): the aclImdb reviews are UTF-8") from error
        labels += [label] * len(names)
    return texts, np.array(labels, dtype="int32")


def validation_split(texts, labels, fraction=0.2, seed=0):
    """Carve a validation set out of training data: a random ``fraction`` of it, fixed by ``seed``.

    Returns ``(train_texts, train_labels), (val_texts, val_labels)``; every review lands in
    exactly one of the two, and the same seed gives the same split.
    """
    if isinstance(texts, (str, bytes)) or not hasattr(texts, "__len__") or not hasattr(texts, "__getitem__"):
        raise TypeError(f"texts must be a list of reviews, got {type(texts).__name__}"
                        + (": a single string would be split into characters" if isinstance(texts, str) else ""))
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one label per review, shape (N,), got shape {labels.shape}")
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels must be as long, got {len(texts)} and {len(labels)}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction!r}")
    n_val = int(round(fraction * len(texts)))
    if not 0 < n_val < len(texts):
        raise ValueError(f"{len(texts)} reviews are too few to hold out a fraction of {fraction}")
    order = np.random.default_rng(seed).permutation(len(texts))
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return ([texts[i] for i in train], labels[train]), ([texts[i] for i in val], labels[val])
