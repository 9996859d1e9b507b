"""The pytest plugin that keeps each failure's whole message in the junit report (`-p course.kit.whole_message`).

pytest 9 cuts a failure's `message` attribute at 500 characters, whole lines
kept, then "[+1 more line; full report in element text]"; the element text is
the whole traceback, not the sentence. A check's sentence can run longer, so
this hook writes the message uncut as a property of the failing test case,
where course/kit/runner.py's failure_message reads it. runner.PYTEST loads it
for every check run: the student's, the proof's and the mutation proof's.
"""

import pytest

from course.kit.runner import WHOLE_MESSAGE


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Called as each phase of a test (setup, call, teardown) is reported: a failure's message, in words pytest's junit uses."""
    report = yield
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        if report.when != "call":  # an <error> element: junit says where it failed
            message = f'failed on {report.when} with "{message}"'
        item.user_properties.append((WHOLE_MESSAGE, message))
    return report
