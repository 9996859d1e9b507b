"""Lesson 15: `transaction.on_commit(..., robust=True)` with a functools.partial, on each Django line.

Django 5.2 logs a failed callback by its __qualname__, which a partial lacks, so the
failure it should log leaves save() as an AttributeError (Django ticket #36487);
Django 6.0 fixed it (django/django#19609). One test runs on each line.
"""

import logging
from functools import partial

import django
import pytest
from django.db import transaction


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(django.VERSION[:2] != (5, 2), reason="Django 6.0 fixed it: the next test runs there")
def test_django_5_2_a_failing_partial_on_commit_breaks_the_save_despite_robust(caplog):
    def broadcast(post_id):
        raise ConnectionError("the layer is down")

    # Django 5.2 logs the failure with func.__qualname__, which a partial lacks (Django ticket #36487).
    with pytest.raises(AttributeError, match="__qualname__"):
        transaction.on_commit(partial(broadcast, 1), robust=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(django.VERSION < (6, 0), reason="Django 5.2 still has the bug: the test above runs there")
def test_django_6_logs_a_failing_partial_on_commit_and_the_save_goes_on(caplog):
    def broadcast(post_id):
        raise ConnectionError("the layer is down")

    # Fixed in 6.0 (django/django#19609): the failure is logged, nothing leaves on_commit.
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        transaction.on_commit(partial(broadcast, 1), robust=True)
    assert "in on_commit() (the layer is down)" in caplog.text
