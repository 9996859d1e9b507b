"""The flush after a transactional test (harness/database.py): every table emptied, the content types as built."""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import TransactionTestCase


def content_types() -> list[tuple]:
    """Every content type as (id, app, model); never none: each test's database starts as built, auth's among them."""
    rows = list(ContentType.objects.order_by("id").values_list("id", "app_label", "model"))
    assert any(app == "auth" for _, app, _ in rows), rows
    return rows


def flush_as_after_a_test() -> None:
    """What pytest-django's transactional tests end with: TransactionTestCase's teardown, on the default database."""
    TransactionTestCase("__init__")._fixture_teardown()


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_every_table_and_puts_the_content_types_back_as_built():
    as_built = content_types()
    User.objects.create(username="left-behind")
    ContentType.objects.create(app_label="nowhere", model="made_by_a_test")
    flush_as_after_a_test()
    assert not User.objects.exists()
    assert content_types() == as_built


@pytest.mark.django_db(transaction=True)
def test_a_content_type_deleted_by_a_test_comes_back_with_its_id():
    as_built = content_types()
    ContentType.objects.filter(app_label="auth", model="group").delete()
    flush_as_after_a_test()
    assert content_types() == as_built
