"""A coroutine never awaited (a layer call, a send), told in the test's own sentence rather than as a warning."""

import gc
import warnings
from contextlib import contextmanager

import pytest


class Unawaited:
    """The warnings recorded while a test runs (unawaited_told()); said() is the rule if a coroutine never ran."""

    def __init__(self):
        self.caught: list = []

    def said(self) -> str:
        """'; Python warned: ...' and the rule, if a coroutine was never awaited so far; else ""."""
        gc.collect()  # a thrown-away coroutine warns when it is collected
        found = [str(w.message) for w in self.caught if "never awaited" in str(w.message)]
        if not found:
            return ""
        # Only what the warning names: a sync consumer's self.send is a plain function, its layer's methods are not.
        which = "the channel layer's methods are"
        if ".send'" in found[0] and "Layer" not in found[0]:
            which = "an async consumer's self.send is"
        return (
            f"; Python warned: RuntimeWarning: {found[0]}: {which} coroutine functions, and one called without "
            "await (in an async def) or without async_to_sync(...)(...) (in a plain def) only makes a coroutine, "
            "which nothing runs"
        )


UNAWAITED = Unawaited()  # what a check's assertion adds to its sentence: UNAWAITED.said()


@contextmanager
def unawaited_told():
    """Warnings recorded meanwhile, not raised: a test that passed with a coroutine never awaited fails after.

    Every other warning is issued again afterwards, as pytest's filters say, as if none had been recorded.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        UNAWAITED.caught = caught
        yield UNAWAITED
        left = UNAWAITED.said()
    for warning in caught:
        if "never awaited" not in str(warning.message):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if left:  # a test that passed all the same
        pytest.fail(f"a coroutine of your consumer never ran{left}", pytrace=False)
