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
