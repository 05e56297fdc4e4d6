"""Course-wide settings: quick mode, random seeds and the data cache.

Quick mode
----------
Set the environment variable ``ATTENTION_COURSE_QUICK=1`` and every notebook runs on tiny
data for one epoch (about a minute each on a 2-core CPU); the tests do this. Unset, the
notebooks run in full mode, which is what readers run and what the book shows. Notebooks
never test the variable themselves: they ask :func:`pick` for their sizes.
"""
import datetime
import html
import operator
import os
import platform
import sys
import time

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
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``), and make
    TensorFlow's ops deterministic (:func:`deterministic`): the same seed on the same
    versions and machine then gives the same numbers, run after run."""
    try:
        value = operator.index(seed)                     # NumPy ints are fine; floats are not
    except TypeError:
        value = -1
    if isinstance(seed, bool) or value < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    keras.utils.set_random_seed(value)
    deterministic()


def keras_home():
    """Keras's home folder: ``$KERAS_HOME`` if set, else ``~/.keras``.

    This is where ``keras.utils.get_file`` caches downloads (in ``datasets/``). Keras
    reads ``KERAS_HOME`` when it is imported; set it before importing this package.
    """
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def data_dir():
    """The folder that holds the course's data sets: ``<keras_home()>/datasets``."""
    return os.path.join(keras_home(), "datasets")


def deterministic():
    """Make TensorFlow's ops deterministic, so that a seeded run repeats its numbers exactly.

    TensorFlow only (``tf.config.experimental.enable_op_determinism``): its CPU kernels may
    otherwise add numbers in an order that changes from run to run. JAX on a CPU and PyTorch
    with a fixed seed need nothing here. Returns True when it switched determinism on.
    """
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf                       # backend-specific, see the docstring
    tf.config.experimental.enable_op_determinism()
    return True


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpus():
    """The accelerators the current Keras backend sees, by name (empty on a CPU)."""
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf
            return [d.name for d in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax
            return [str(d) for d in jax.devices() if d.platform != "cpu"]
        if backend == "torch":
            import torch
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except (ImportError, RuntimeError):
        pass
    return []


class AboutThisRun:
    """The collapsed "About this run" box that ends a page (see :func:`about_this_run`)."""

    def __init__(self, lines):
        self.lines = list(lines)

    def _repr_html_(self):
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        return (f'<details class="about-run"><summary>About this run</summary>'
                f"<ul>{items}</ul></details>")

    def __repr__(self):
        return "About this run\n" + "\n".join(f"- {line}" for line in self.lines)


def about_this_run(start, timings=None, notes=()):
    """Provenance of a page's run, for the one collapsed box at the end of the page.

    ``start``: ``time.perf_counter()`` at the page's first cell. ``timings``: ``{what:
    seconds}`` for the parts worth timing (e.g. each model's training). ``notes``: other
    lines the page wants to record (earlier runs, what changes between machines).
    Shows the full-run time, the mode, the machine (CPU, cores, GPUs), the date and the
    versions; in Jupyter it displays as a collapsed box, elsewhere as plain lines.
    """
    minutes = (time.perf_counter() - start) / 60
    mode = "quick mode (tiny data; numbers are not meaningful)" if quick_mode() else "full mode"
    gpus = _gpus()
    lines = [f"Full run: {minutes:.1f} min, {mode}.",
             f"Machine: {_cpu_name()}, {os.cpu_count()} CPU cores, "
             f"{', '.join(gpus) if gpus else 'no GPU'}; "
             f"run on {datetime.date.today().isoformat()}."]
    versions = [f"Python {platform.python_version()}", f"Keras {keras.__version__} "
                f"({keras.backend.backend()} backend)"]
    for name in ("tensorflow", "jax", "torch", "numpy"):
        module = sys.modules.get(name)
        if module is not None:
            versions.append(f"{name} {module.__version__}")
    lines.append("Versions: " + ", ".join(versions) + ".")
    for what, seconds in (timings or {}).items():
        lines.append(f"{what}: {seconds / 60:.1f} min." if seconds >= 60 else f"{what}: {seconds:.0f} s.")
    lines += list(notes)
    return AboutThisRun(lines)
