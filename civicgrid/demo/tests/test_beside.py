"""Work run beside the build: the result comes back; a failure comes back as an error with the child's
traceback, never as a hang or a silent None."""

import pytest

from civicgrid.demo.beside import Beside, BesideFailed


def test_the_result_comes_back():
    assert Beside("math:fsum", [0.1] * 10).result() == 1.0


def test_a_failure_in_the_child_is_raised_with_its_traceback():
    with pytest.raises(BesideFailed, match="math domain error"):
        Beside("math:sqrt", -1).result()


def test_a_cancelled_child_is_gone():
    work = Beside("time:sleep", 30)
    work.cancel()
    assert not work._process.is_alive()  # noqa: SLF001 - the test looks at the child itself


def test_a_stream_yields_each_item_then_ends():
    from civicgrid.demo.beside import BesideStream

    assert list(BesideStream("builtins:range", 3, 6).items()) == [3, 4, 5]


def test_a_stream_raises_the_childs_failure_after_what_came():
    from civicgrid.demo.beside import BesideStream

    got = []
    with pytest.raises(BesideFailed, match="ZeroDivisionError"):
        for item in BesideStream("civicgrid.demo.tests.test_beside:_three_then_fail").items():
            got.append(item)
    assert got == [1, 2, 3]


def _three_then_fail():
    yield from (1, 2, 3)
    raise ZeroDivisionError("no more")


def test_a_consumer_that_stops_early_ends_the_child():
    from civicgrid.demo.beside import BesideStream

    stream = BesideStream("itertools:count", 1)  # endless
    items = stream.items()
    assert next(items) == 1
    items.close()
    assert not stream._process.is_alive()  # noqa: SLF001 - the test looks at the child itself
