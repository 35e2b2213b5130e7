"""Figures as inline SVG, drawn with matplotlib, for pages that must stand alone (feedback; the class report's
histograms are plain bars, written directly: :mod:`autograder.results.histogram`).

matplotlib is imported only when a figure is drawn, with the non-interactive Agg backend, and
each figure is closed once written. Without matplotlib (it is in the ``grade`` extra), pages
say so instead of drawing: :func:`available` tells which.
"""
import io
import re
from contextlib import contextmanager


def available():
    """Whether matplotlib can be imported here."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def figure(width=5.0, height=2.6):
    """A new matplotlib figure and axes, closed on leaving the block; draw on ``axes``, then :func:`svg` it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "backprop-kit", "font.size": 9}):
        fig, axes = plt.subplots(figsize=(width, height))
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def svg(fig, label):
    """``fig`` as an ``<svg>`` element for inline use (no XML prologue, no date), labelled for screen readers."""
    import html

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    return re.sub(r"<svg ", f'<svg role="img" aria-label="{html.escape(label, quote=True)}" ', text, count=1)
