"""Put the package's own code on the page: the code a model runs, next to its equations.

    from attention_course.source import show_source
    show_source(BahdanauDecoder.call)        # a highlighted code block in Jupyter, Colab and the book

The code still lives once, in the package; the page shows it as it is.
"""
import inspect
import textwrap


def show_source(obj):
    """Display the source of a function, method or class as a highlighted Python block.

    Returns an ``IPython.display.Markdown`` object (a notebook shows it when it is a cell's
    last value); its ``data`` is the Markdown text, a fenced ``python`` block headed by where
    the code lives.
    """
    from IPython.display import Markdown   # here, not at the top: the package runs without IPython

    try:
        code = textwrap.dedent(inspect.getsource(obj))
    except (TypeError, OSError) as err:
        raise ValueError(f"show_source needs a function, method or class of Python source, got {obj!r}") from err
    where = f"{inspect.getmodule(obj).__name__}.{getattr(obj, '__qualname__', obj.__name__)}"
    return Markdown(f"`{where}`:\n\n```python\n{code.rstrip()}\n```")
