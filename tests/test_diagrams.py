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
