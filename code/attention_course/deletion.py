"""Are attention weights an explanation? The deletion test of Chapter 4.

Rank each review's words by some importance score, delete the k most important, and see how
far the model's confidence in its own prediction falls. A score that finds the words the model
relies on makes it fall fast; k random words are the floor. Scores compared:

- attention weights a_j (``model.attention_weights``);
- gradient × input, Σ_e x_je ∂f/∂x_je: a first-order estimate of what word j adds to the
  logit f, signed towards the predicted class (:func:`gradient_x_input`);
- random scores (:func:`random_scores`), the floor;
- the last words of the review (:func:`last_word_scores`), position alone.

    scores = {"attention": model.attention_weights(ids), "gradient × input": gradient_x_input(model, ids),
              "random": random_scores(ids, seed=0)}
    curve = deletion_curve(model, ids, scores, ks=[0, 1, 2, 5, 10, 20])
"""
import numpy as np
import pandas as pd
from keras import ops

from .checks import positive_int
from .gradients import input_gradient
from .sentiment import predict_logits


def _real(ids):
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integer token ids of shape (N, L), got {ids.dtype} {ids.shape}")
    return ids != 0


def gradient_x_input(model, ids, batch_size=100):
    """Σ_e x_je ∂f/∂x_je per token (N, L): f is the logit, signed so that larger = more support
    for the predicted class; -inf at padding, which can never be chosen."""
    real, scores = _real(ids), []
    batch_size = positive_int(batch_size, "batch_size")
    for lo in range(0, len(ids), batch_size):
        x, mask = model.embed(ids[lo:lo + batch_size])                               # (b, L, E), (b, L)
        sign = ops.sign(model.from_embeddings(x, mask)[0])                           # +1: "positive" predicted
        grad = input_gradient(lambda e: ops.sum(sign * model.from_embeddings(e, mask)[0]), x)
        scores.append(ops.convert_to_numpy(ops.sum(grad * x, axis=-1)))             # (b, L)
    return np.where(real, np.concatenate(scores), -np.inf)


def random_scores(ids, seed=0):
    """Uniform random scores (N, L), -inf at padding: deleting the top k deletes k random words."""
    real = _real(ids)
    return np.where(real, np.random.default_rng(seed).random(real.shape), -np.inf)


def delete_top_k(ids, scores, k):
    """Remove each review's ``k`` highest-scoring real tokens; the rest close up, padding refills the end.

    ``ids`` (N, L) with 0 padding on the right, ``scores`` (N, L). Padding is never removed, and
    every review must keep at least one token (ValueError otherwise).
    """
    real = _real(ids)
    scores = np.asarray(scores, dtype="float64")
    if scores.shape != real.shape:
        raise ValueError(f"scores must have the shape of ids {real.shape}, got {scores.shape}")
    if not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a non-negative int, got {k!r}")
    short = np.flatnonzero(real.sum(1) <= k)
    if k and len(short):
        raise ValueError(f"reviews {short[:5].tolist()} have {real.sum(1)[short[:5]].tolist()} tokens: "
                         f"deleting {k} would leave nothing")
    if np.isnan(scores[real]).any():
        raise ValueError("scores are NaN at real tokens")
    ranked = np.argsort(-np.where(real, scores, -np.inf), axis=1, kind="stable")   # best first, padding last
    keep = real.copy()
    np.put_along_axis(keep, ranked[:, :k], False, axis=1)
    out = np.zeros_like(np.asarray(ids))
    for i, row in enumerate(np.asarray(ids)):
        kept = row[keep[i]]
        out[i, :len(kept)] = kept
    return out


def deletion_curve(model, ids, scores, ks):
    """For each scoring method and each k: delete the top-k words and measure the change.

    Returns a DataFrame with columns ``method``, ``k``, ``prob_drop`` (mean fall in the
    probability of the class predicted on the full review), ``prob_drop_se`` (its standard
    error over reviews, std / √N) and ``flipped`` (fraction of predictions that changed class).
    """
    def logits_of(ids):
        return predict_logits(model, {"ids": ids, "label": np.zeros(len(ids), "int32")})

    real = _real(ids)
    if not isinstance(scores, dict) or not scores:
        raise ValueError("scores must be a non-empty dict {method name: scores (N, L)}, e.g. "
                         f"{{'random': random_scores(ids)}}; got {scores!r:.80}")
    for method, method_scores in scores.items():
        if np.shape(method_scores) != real.shape:
            raise ValueError(f"scores[{method!r}] must have the shape of ids {real.shape}, got {np.shape(method_scores)}")
    if isinstance(ks, (str, bytes)) or not hasattr(ks, "__len__") or len(ks) == 0:
        raise ValueError(f"ks must be a non-empty list of word counts to delete, e.g. [0, 1, 2, 5]; got {ks!r}")
    for k in ks:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"ks must hold ints >= 0 (words to delete), got {k!r}")
    ids = np.asarray(ids)
    base = logits_of(ids)
    positive = base > 0
    p_base = 1 / (1 + np.exp(-np.where(positive, base, -base)))                      # P(predicted class)
    rows = []
    for method, method_scores in scores.items():
        damaged = np.concatenate([delete_top_k(ids, method_scores, k) for k in ks])   # every k in one pass
        all_logits = logits_of(damaged)
        for k, logits in zip(ks, np.split(all_logits, len(ks))):
            p = 1 / (1 + np.exp(-np.where(positive, logits, -logits)))
            drop = p_base - p
            rows.append({"method": method, "k": k, "prob_drop": float(drop.mean()),
                         "prob_drop_se": float(drop.std(ddof=1) / np.sqrt(len(drop))) if len(drop) > 1 else np.nan,
                         "flipped": float(np.mean((logits > 0) != positive))})
    return pd.DataFrame(rows)


def last_word_scores(ids):
    """Scores (N, L) that rank each review's last real tokens highest, -inf at padding:
    deleting the top k deletes the last k words (a test of position alone)."""
    real = _real(ids)
    return np.where(real, np.arange(real.shape[1], dtype="float64")[None, :], -np.inf)
