"""The class report's histograms, written as SVG directly: bars that say what the bins hold, text that stays text."""
import re
import xml.etree.ElementTree as ElementTree

import pytest

from autograder.results.histogram import HEIGHT, histogram_svg

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg):
    """(x, height, tooltip) of each bar, left to right."""
    root = ElementTree.fromstring(svg)
    return sorted((float(rect.get("x")), float(rect.get("height")), rect.find(f"{SVG}title").text)
                  for rect in root.iter(f"{SVG}rect"))


@pytest.mark.parametrize("counts", [[0, 3, 0, 1, 6], [1, 1, 1, 1, 1], [0, 0, 0, 0, 2]])
def test_bars_stand_where_their_bins_are_and_as_tall_as_their_counts(counts):
    top = 10.0
    bins = [(2.0 * i, 2.0 * (i + 1), count) for i, count in enumerate(counts)]
    drawn = bars(histogram_svg(bins, top, "02_softmax", "scores"))
    assert len(drawn) == sum(1 for count in counts if count)  # an empty bin draws nothing
    heights = [height for _, height, _ in drawn]
    nonzero = [count for count in counts if count]
    assert all(height / max(heights) == pytest.approx(count / max(nonzero)) for height, count in zip(heights, nonzero))
    assert max(heights) < HEIGHT
    assert [tip for *_, tip in drawn] == [f"{2 * i:g}-{2 * i + 2:g} points: {c}" for i, c in enumerate(counts) if c]


def test_names_are_escaped_and_labelled():
    svg = histogram_svg([(0.0, 1.0, 1)], 1.0, "<script>x</script>", 'a "quoted" label')
    root = ElementTree.fromstring(svg)  # well-formed XML, whatever the names
    assert root.get("aria-label") == 'a "quoted" label' and root.get("role") == "img"
    assert "<script>" not in svg and "<script>x</script>" in "".join(root.itertext())
    assert re.search(r">students</text>", svg) and re.search(r">points</text>", svg)
