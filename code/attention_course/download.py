"""Cache-first access to the course's real data sets.

:func:`fetch` looks in the Keras cache (``config.data_dir()``) first and downloads with
``keras.utils.get_file`` only when nothing usable is there. Offline, a missing file is
reported with its name, its address and the folder to put it in.
"""
import os

import keras

from . import config


def _stem(fname):
    """``"spa-eng.zip"`` -> ``"spa-eng"``; the name Keras gives an extraction folder."""
    return fname[: fname.find(".")] if "." in fname else fname


def fetch(fname, origin, *, extract=False, file_hash=None, contains=None):
    """Return the local path of a data file, downloading it only if it is not cached.

    Args:
        fname: file name of the download, e.g. ``"spa-eng.zip"``.
        origin: URL it is downloaded from.
        extract: unpack the archive; the result is the folder Keras extracts into,
            ``<data_dir>/<stem>_extracted`` (Keras >= 3.6).
        file_hash: optional SHA-256 of the archive, checked by Keras.
        contains: a path inside the result that must exist, e.g. ``"spa-eng/spa.txt"``;
            when given, that path is returned. A copy already unpacked straight into the
            data folder (``<data_dir>/<contains>``) is found too.

    Returns:
        The path to the file, the extraction folder, or ``contains`` inside it.

    Raises:
        FileNotFoundError: nothing is cached and the download failed (offline); the message
            says which file, from where, and where to put it.
    """
    if not isinstance(fname, str) or not isinstance(origin, str) or not fname or not origin:
        raise ValueError(f"fetch needs a file name and an origin URL, got fname={fname!r}, origin={origin!r}")
    datasets = config.data_dir()
    archive = os.path.join(datasets, fname)
    extracted = os.path.join(datasets, f"{_stem(fname)}_extracted")

    def inside(folder):
        return os.path.join(folder, contains) if contains else folder

    # 1. Already unpacked: Keras's extraction folder, or a copy placed straight in datasets/.
    if extract and os.path.exists(inside(extracted)) and (contains or os.listdir(extracted)):
        return inside(extracted)
    if contains and os.path.exists(inside(datasets)):
        return inside(datasets)
    # 2. The archive is cached (Keras uses it as is) or must be downloaded.
    try:
        path = keras.utils.get_file(
            fname, origin, extract=extract, file_hash=file_hash, cache_dir=config.keras_home()
        )
    except Exception as err:  # urllib, HTTP and hash errors all mean: not available
        where = f"{archive}" + (f" (or its unpacked contents under {extracted}/)" if extract else "")
        raise FileNotFoundError(
            f"Could not find or download {fname!r}.\n"
            f"  It is downloaded from: {origin}\n"
            f"  Download failed with: {type(err).__name__}: {err}\n"
            f"  Without internet, download it elsewhere and put it at: {where}"
        ) from err
    result = inside(path)
    if not os.path.exists(result):
        raise FileNotFoundError(f"{fname!r} was found at {path}, but it holds no {contains!r}")
    return result
