"""Shared code of the course *Attention mechanisms, from the seq2seq bottleneck to the Transformer*.

The notebooks import everything they use from here, one module per idea:

- :mod:`~attention_course.config`    quick mode, seeds, where data is cached
- :mod:`~attention_course.download`  cache-first download of the real data sets
- :mod:`~attention_course.toy_tasks` synthetic sequence tasks (reversal, copying)
- :mod:`~attention_course.attention` masked softmax, Luong and Bahdanau attention layers
- :mod:`~attention_course.seq2seq`   encoder, decoders (plain, Luong, Bahdanau), seq2seq model, greedy decoding
- :mod:`~attention_course.translation` English-Spanish pairs, tokenisation, BLEU (sacrebleu)
- :mod:`~attention_course.imdb`      the raw IMDB reviews (Chapter 4), a seeded validation split
- :mod:`~attention_course.sentiment` review classifiers (last state, attention pooling, Bahdanau, Luong), baseline, protocol
- :mod:`~attention_course.transformer` scaled dot-product and multi-head attention, masks, positions, the Transformer (Chapter 5)
- :mod:`~attention_course.deletion`  the deletion test: are attention weights an explanation?
- :mod:`~attention_course.check`     self-checks for the exercises: ``check.masked_softmax(my_fn)`` says what is wrong, or that it is right
- :mod:`~attention_course.training`  masked loss and accuracy, ``fit``, evaluation by length
- :mod:`~attention_course.gradients` how far back a gradient reaches in an RNN
- :mod:`~attention_course.plots`     training curves, accuracy vs length, attention heatmaps, Hangul fonts
- :mod:`~attention_course.explorer`  an interactive attention explorer (HTML, no network): Jupyter, Colab, the book
- :mod:`~attention_course.diagrams`  data-flow diagrams of the models, in the course's notation and colours
- :mod:`~attention_course.source`    ``show_source``: the package's code on the page, highlighted
- :mod:`~attention_course.book`      the book's build step: the results page, read from the notebooks' outputs
"""
import logging
import os
import re
import sys
import tempfile

# TensorFlow logs CUDA/oneDNN notices on stderr; level 3 keeps them out of the notebooks. It
# must be set before TensorFlow loads: import this package first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The variable does not reach the notices that TensorFlow 2.19+ prints while it loads ("Could
# not find cuda drivers on your machine" on every CPU machine): they are written by Abseil's
# logger before TensorFlow has set it up (tensorflow/tensorflow#100442), straight to file
# descriptor 2, where Jupyter shows them under the import cell. So the import runs with fd 2
# sent to a file, and afterwards every line is written back except the log lines below the
# level that TF_CPP_MIN_LOG_LEVEL asks for (I = 0, W = 1, E = 2): nothing else is hidden.
_LOG_LINE = re.compile(r"^(?:[\d-]+ [\d:.]+: )?([IWEF])\d{4} |^[\d-]+ [\d:.]+: ([IWEF]) ")
_LEVELS = {"I": 0, "W": 1, "E": 2, "F": 3}


def _quiet_import_notices(text, level):
    """``text`` (what TensorFlow's import wrote on fd 2) without the log lines below ``level``."""
    kept, dropped = [], False
    for line in text.splitlines(keepends=True):
        match = _LOG_LINE.match(line)
        if match:
            dropped = _LEVELS[match.group(1) or match.group(2)] < level
        elif line.startswith("WARNING: All log messages before absl::InitializeLog()"):
            dropped = level >= 1
        elif not (dropped and line.startswith("To enable the following instructions")):
            dropped = False                                 # the continuation of a dropped notice goes too
        if not dropped:
            kept.append(line)
    return "".join(kept)


def _import_tensorflow():
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        level = 0
    if "tensorflow" in sys.modules or level <= 0:
        import tensorflow
        return tensorflow
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import tensorflow
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            rest = _quiet_import_notices(log.read().decode("utf-8", "replace"), level)
            if rest:
                sys.stderr.write(rest)
    return tensorflow


tf = _import_tensorflow()   # TextVectorization needs TensorFlow on every backend

# In Jupyter, TensorFlow's Python logger prints INFO and WARNING (tf.function retracing when
# several models train in a loop) to stdout; get_logger() sets that up, then we lower it.
tf.get_logger().setLevel(logging.ERROR)

__version__ = "0.1.0"
