"""Course-wide settings: quick mode, random seeds and the data cache.

Quick mode
----------
Set the environment variable ``ATTENTION_COURSE_QUICK=1`` and every notebook runs on tiny
data for one epoch (about a minute each on a 2-core CPU); the tests do this. Unset, the
notebooks run in full mode, which is what readers run and what the book shows. Notebooks
never test the variable themselves: they ask :func:`pick` for their sizes.
"""
import operator
import os

import keras

QUICK_ENV = "ATTENTION_COURSE_QUICK"


def quick_mode():
    """True when ``ATTENTION_COURSE_QUICK`` is set to ``1``, ``true`` or ``yes``."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes"}


def pick(full, quick):
    """Return ``quick`` in quick mode and ``full`` otherwise.

    >>> n_train = pick(full=20_000, quick=500)
    """
    return quick if quick_mode() else full


def set_seed(seed):
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``)."""
    try:
        value = operator.index(seed)                     # NumPy ints are fine; floats are not
    except TypeError:
        value = -1
    if isinstance(seed, bool) or value < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    keras.utils.set_random_seed(value)


def keras_home():
    """Keras's home folder: ``$KERAS_HOME`` if set, else ``~/.keras``.

    This is where ``keras.utils.get_file`` caches downloads (in ``datasets/``). Keras
    reads ``KERAS_HOME`` when it is imported; set it before importing this package.
    """
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def data_dir():
    """The folder that holds the course's data sets: ``<keras_home()>/datasets``."""
    return os.path.join(keras_home(), "datasets")
