"""Figure builders: what a reader of the chart would otherwise misread."""
import pytest

from ui.figures import _zero_aligned_ranges


def zero_height(axis_range):
    low, high = axis_range
    return -low / (high - low)


def test_two_axes_put_zero_at_the_same_height_when_the_lagging_metric_dips_below_it():
    # Ideas 0..27 on the left, NPS -5..48 on the right: NPS's zero is 5/53 of the way up its axis.
    left, right = _zero_aligned_ranges([0, 10, 27], [-5, 20, 48])
    assert zero_height(left) == pytest.approx(zero_height(right))
    assert zero_height(right) == pytest.approx(5 / 53)
    assert left[1] >= 27 and right[0] <= -5 and right[1] >= 48  # every value still on its axis


@pytest.mark.parametrize("left, right", [([0, 10], [5, 20]), ([], [1, 2]), ([0, 0], [-1, 1]), ([1, 2], [-3, -1])])
def test_no_alignment_where_none_is_needed_or_possible(left, right):
    assert _zero_aligned_ranges(left, right) is None
