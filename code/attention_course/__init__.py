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

# TensorFlow logs CUDA/oneDNN notices on stderr; level 3 keeps all but the import-time ones
# out of the notebooks. It must be set before TensorFlow loads: import this package first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402  (after the variable above; TextVectorization needs TF on every backend)

# In Jupyter, TensorFlow's Python logger prints INFO and WARNING (tf.function retracing when
# several models train in a loop) to stdout; get_logger() sets that up, then we lower it.
tf.get_logger().setLevel(logging.ERROR)

__version__ = "0.1.0"
