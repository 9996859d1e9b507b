"""Helpers for the fix-it lab's checks (the `fix` exercises): load the student's module, name the rule.

A fix exercise's starter may not even import once a student is halfway
through (or a classic wrong fix may fail at import); the check then fails
with one sentence naming the rule, never with a bare traceback.
"""

import pytest

from exercises.checks import target


def load(exercise_id: str, rule: str):
    """The module under check; a module that raises at import fails the check with `rule` in the message."""
    try:
        return target(exercise_id)
    except Exception as error:  # a student's file may raise anything at import
        pytest.fail(f"{rule}. Your file does not import: {type(error).__name__}: {error}", pytrace=False)
