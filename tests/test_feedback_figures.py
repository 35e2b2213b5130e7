"""Figures a test attaches reach the feedback page as inline SVG: a boundary against the points, a curve against a band."""
import numpy as np
import pytest

from autograder.results.feedback import feedback_html
from autograder.results.scoring import score
from autograder.testing import figures

POINTS = np.array([[0.1, 0.2], [0.8, 0.9], [0.3, 0.7], [0.9, 0.1]])


def record(assignment, test, attached):
    return {"assignment": assignment, "test": test, "case": "", "visibility": "hidden", "passed": False,
            "message": "below the bar", "details": "", "seconds": 0.1, "problem": "", "diagnosis": "",
            "figures": attached}


def test_attached_figures_are_plain_data_taken_once():
    figures.take()
    figures.attach("curve", "accuracy", x=range(1, 4), student=[0.5, np.nan, 0.91234567], band=[[0.6, 0.8, 0.9]],
                   xlabel="epoch", ylabel="accuracy")
    attached = figures.take()
    assert attached == [{"kind": "curve", "title": "accuracy", "x": [1.0, 2.0, 3.0], "student": [0.5, None, 0.91235],
                         "band": [[0.6, 0.8, 0.9]], "xlabel": "epoch", "ylabel": "accuracy"}]
    assert figures.take() == []


def test_the_feedback_page_draws_each_figure_inline():
    pytest.importorskip("matplotlib")
    figures.attach("boundary", "your boundary", points=POINTS, labels=[0, 1, 1, 0], lines=[[1.0, 0.0], [-0.5, 0.6]])
    figures.attach("curve", "test accuracy", x=[1, 2, 3], student=[0.2, 0.5, 0.4], band=[[0.6, 0.8, 0.9], [0.5, 0.85, 0.9]],
                   xlabel="epoch", ylabel="test accuracy")
    boundary, curve = figures.take()
    records = [record("01_perceptron", "test_train", [boundary]), record("05_mlp", "test_training", [curve])]
    points = {"01_perceptron": {"test_train": 1}, "02_softmax": {}, "05_mlp": {"test_training": 3}}
    page = feedback_html("ada", score(records, points), "ok")
    assert 'aria-label="your boundary"' in page and 'aria-label="test accuracy"' in page
    assert "the reference over 2 seeds" in page and "<?xml" not in page
    assert page.index('aria-label="your boundary"') < page.index("<h2>02_softmax") < page.index('aria-label="test accuracy"')


def test_only_failed_tests_draw_and_a_named_band_is_computed_once(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from autograder.results import bands

    calls = []
    monkeypatch.setattr(bands, "_band", lambda root, assignment, function, args: calls.append(args) or [[0.9, 0.95]])
    named = {"assignment": "05_mlp", "function": "reference_band", "args": [2, 0.1, 10]}
    figures.attach("curve", "curve of a failed test", x=[1, 2], student=[0.2, 0.3], band=named)
    figures.attach("curve", "curve of a passed test", x=[1, 2], student=[0.9, 0.96], band=named)
    failed, passed = figures.take()
    assert failed["band"] == named  # a name, not curves: computed where the page is written
    records = [record("05_mlp", "test_training", [failed]), {**record("05_mlp", "test_other", [passed]), "passed": True}]
    page = feedback_html("ada", score(records, {"05_mlp": {"test_training": 3, "test_other": 1}}), "ok", root=tmp_path)
    assert 'aria-label="curve of a failed test"' in page and "curve of a passed test" not in page
    assert calls == [(2, 0.1, 10)] and "the reference over 1 seeds" in page


def test_a_failed_runs_curve_is_not_hidden_by_its_legend_and_counts_whole_epochs():
    """In headless Chromium, 05's feedback showed the legend in the lower right over the student's curve (a failed run
    lies low: 0.09 against the band's 0.95), and epochs ticked 1.0, 1.5, 2.0..."""
    pytest.importorskip("matplotlib")
    from autograder.results import feedback, plots

    figures.attach("curve", "Test accuracy per epoch", x=[1, 2, 3, 4, 5], student=[0.09] * 5,
                   band=[[0.91, 0.94, 0.95, 0.95, 0.96], [0.9, 0.93, 0.95, 0.96, 0.96]], xlabel="epoch",
                   ylabel="test accuracy")
    [curve] = figures.take()
    with plots.figure(width=feedback.FRAMES["curve"][0]) as (fig, axes):
        feedback.draw(curve, fig, axes)
        renderer = fig.canvas.get_renderer()
        legend, inside = axes.get_legend().get_window_extent(renderer), axes.get_window_extent(renderer)
        assert legend.x0 >= inside.x1 and legend.x1 <= fig.bbox.x1  # beside the axes, and on the figure
        ticks = [tick for tick in axes.get_xticks() if 1 <= tick <= 5]
        assert ticks and all(tick == int(tick) for tick in ticks), ticks
