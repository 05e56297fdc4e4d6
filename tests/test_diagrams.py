"""Every diagram draws, in the course's colours, with labels inside the picture and legible."""
import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from attention_course import diagrams

matplotlib.use("Agg")


@pytest.mark.parametrize("name", sorted(diagrams.DIAGRAMS))
def test_diagram_draws_in_the_course_style(name):
    drawn = diagrams.DIAGRAMS[name]()
    axes = list(drawn) if hasattr(drawn, "__len__") else [drawn]
    for ax in axes:
        boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        assert len(boxes) >= 3 and len(arrows) >= 2, "a diagram is boxes joined by arrows"
        assert {to_hex(b.get_facecolor()) for b in boxes} <= set(diagrams.COLOURS.values())
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for text in ax.texts:
            x, y = text.get_position()
            assert x0 <= x <= x1 and y0 <= y <= y1, f"{text.get_text()!r} lies outside the picture"
            assert text.get_fontsize() >= 10, f"{text.get_text()!r} is too small to read on a phone"
    plt.close("all")


def test_the_attention_decoders_are_drawn_in_their_order():
    """Luong: GRU then attend (left to right); Bahdanau: attend then GRU."""
    def x_of(ax, label):
        return next(t.get_position()[0] for t in ax.texts if t.get_text() == label)
    luong, bahdanau = diagrams.luong_step(), diagrams.bahdanau_step()
    assert x_of(luong, "GRU") < x_of(luong, "attend")
    assert x_of(bahdanau, "attend") < x_of(bahdanau, "GRU")
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# The course's figure rule (issue 26): every diagram fits the 690 px column and stays legible on
# a phone, and no two labels collide.

import io  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

from attention_course import plots  # noqa: E402


def _axes_of(drawn):
    drawn = drawn[0] if isinstance(drawn, tuple) else drawn
    return list(np.ravel(drawn)) if hasattr(drawn, "__len__") else [drawn]


def _texts(fig):
    """Every visible, non-empty text the figure draws (tick labels only where an axis is on)."""
    texts = list(fig.texts)
    for ax in fig.axes:
        texts += list(ax.texts) + [ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            texts += ax.get_xticklabels() + ax.get_yticklabels() + [ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return [t for t in texts if isinstance(t, Text) and t.get_visible() and t.get_text().strip()]


def _tight_width_px(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    buffer.seek(0)
    return Image.open(buffer).size[0]


@pytest.mark.parametrize("name", sorted(diagrams.DIAGRAMS))
def test_diagram_fits_the_column_and_a_phone(name):
    fig = _axes_of(diagrams.DIAGRAMS[name]())[0].figure
    width_in = fig.get_size_inches()[0]
    assert width_in <= 6.8 + 1e-9, f"{name} is {width_in:.2f} in wide; the column holds 6.8"
    tight_px = _tight_width_px(fig)
    assert tight_px <= plots.COLUMN_PX, f"{name} saves {tight_px} px wide (bbox_inches='tight')"
    width_px = max(width_in * plots.FIGURE_DPI, tight_px)
    for text in _texts(fig):
        px = plots.phone_text_px(text.get_fontsize(), width_px)
        assert px >= plots.MIN_PHONE_TEXT_PX, f"{name}: {text.get_text()!r} is {px:.1f} px on a phone"
    plt.close("all")


@pytest.mark.parametrize("name", sorted(diagrams.DIAGRAMS))
def test_diagram_labels_do_not_collide(name):
    fig = _axes_of(diagrams.DIAGRAMS[name]())[0].figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    tolerance = 2.0                                   # pixels of overlap allowed (glyph padding)
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            assert dx <= tolerance or dy <= tolerance, f"{name}: {a!r} overlaps {b!r}"
    plt.close("all")


def test_attention_step_numbers_are_the_layers():
    """The picture's numbers are the package's layers' on the same inputs, and weights sum to 1."""
    from attention_course.attention import BahdanauAttention, LuongAttention

    axes, numbers = diagrams.attention_step()
    assert set(numbers) == {"luong", "bahdanau"}
    luong, bahdanau = numbers["luong"], numbers["bahdanau"]
    for n in (luong, bahdanau):
        assert np.isclose(n["weights"].sum(), 1.0)
        assert np.all(n["weights"] > 0)
        np.testing.assert_allclose(n["terms"].sum(0), n["context"], atol=1e-12)
    keys = luong["keys"][None].astype("float32")
    c, a = LuongAttention("dot")(luong["query"][None].astype("float32"), keys)
    np.testing.assert_allclose(np.asarray(a)[0], luong["weights"], atol=1e-6)
    np.testing.assert_allclose(np.asarray(c)[0], luong["context"], atol=1e-6)
    np.testing.assert_allclose(luong["scores"], luong["keys"] @ luong["query"], atol=1e-12)

    layer = BahdanauAttention(units=bahdanau["W1"].shape[1])
    query, keys = bahdanau["query"][None].astype("float32"), bahdanau["keys"][None].astype("float32")
    layer(query, keys)
    layer.W1.set_weights([bahdanau["W1"]])
    layer.W2.set_weights([bahdanau["W2"]])
    layer.v.set_weights([bahdanau["v_a"][:, None]])
    c, a = layer(query, keys)
    np.testing.assert_allclose(np.asarray(a)[0], bahdanau["weights"], atol=1e-6)
    np.testing.assert_allclose(np.asarray(c)[0], bahdanau["context"], atol=1e-6)
    # each half alone draws the same numbers
    for score in ("dot", "additive"):
        _, alone = diagrams.attention_step(score=score)
        key = "luong" if score == "dot" else "bahdanau"
        np.testing.assert_allclose(alone[key]["weights"], numbers[key]["weights"])
    plt.close("all")


def test_unrolled_weights_set_the_line_widths():
    weights = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    ax = diagrams.unrolled_attention_seq2seq(weights=weights, source="abc", target="cb")
    widths = sorted(round(line.get_linewidth(), 6) for line in ax.lines)
    assert len(widths) == weights.size
    assert widths[-1] > widths[0]
    with pytest.raises(ValueError, match="rows"):
        diagrams.unrolled_attention_seq2seq(weights=np.ones((2, 3)), source="abc", target="cb")
    plt.close("all")
