"""A test database's flushes made cheap: what post_migrate would make again, put back in one INSERT or not at all.

After every django_db(transaction=True) test Django empties every table and sends
post_migrate once per installed app. Its receivers look up and re-create each app's
content types and permissions: 16-21 ms a flush (1.5 ms without them), and the suite
and the kit's proof flush thousands of times. Used by the two pytest set-ups that
build a test database, the suite's (tests/fixtures/database.py) and the checks' (exercises/conftest.py):
both take the two pytest-django fixtures at the end of this module, which extend pytest-django's own.

- No permission rows, ever: no test or check reads a permission (the admin tests log
  in as a superuser, who needs none), so create_permissions is off while the database lives.
- The content types come back as the built database had them, in one INSERT with the
  same ids, so the ids Django cached (here, and in a Daphne a test started) stay right.
- The tables are emptied without the `flush` command: Django's TransactionTestCase runs it
  through call_command after every such test, which loads the command, builds its option
  parser, imports every app's management module and sends post_migrate once per app, about
  5 ms a test on a 2-core machine before the one DELETE per table. The same DELETEs (the
  statements Django's sql_flush() gives, made once) and the same content types follow.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from harness.patience import FRAME


@contextmanager
def permissions_never_made() -> Iterator[None]:
    """post_migrate's create_permissions off, from before the database is built until it is thrown away."""
    from django.contrib.auth.management import create_permissions
    from django.db.models.signals import post_migrate

    uid = "django.contrib.auth.management.create_permissions"
    post_migrate.disconnect(create_permissions, dispatch_uid=uid)
    try:
        yield
    finally:
        post_migrate.connect(create_permissions, dispatch_uid=uid)


def content_types_as_built(database: str = "default") -> list:
    """`database`'s content types as migrate made them: read once the test database is built (it queries)."""
    from django.contrib.contenttypes.models import ContentType

    return list(ContentType.objects.using(database).order_by("id"))


@contextmanager
def content_types_put_back(as_built: list, database: str = "default") -> Iterator[None]:
    """After each flush of `database`, its content types back as `as_built` (content_types_as_built()) has them."""
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_migrate

    def restore_content_types(app_config, using=database, **kwargs) -> None:
        if app_config.label == "contenttypes" and using == database:
            # A row some other connection made meanwhile is kept, as Django's own receiver would keep it.
            ContentType.objects.using(using).bulk_create(as_built, ignore_conflicts=True)

    post_migrate.disconnect(create_contenttypes)
    post_migrate.connect(restore_content_types)
    try:
        yield
    finally:
        post_migrate.disconnect(restore_content_types)
        post_migrate.connect(create_contenttypes)


@contextmanager
def flushes_without_the_command(as_built: list) -> Iterator[None]:
    """After each transactional test, its databases' tables emptied and their content types put back directly.

    What Django's `flush` command does there, less its machinery: the statements of sql_flush()
    (made once a database: its tables do not change while it lives), then the content types as
    `as_built` has them, which is all the one post_migrate receiver left (content_types_put_back)
    would do. A test that asks for available_apps or serialized_rollback keeps Django's own flush,
    which does more for them; so does a process where another post_migrate receiver was connected.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush
    from django.db import connections
    from django.db.models.signals import post_migrate
    from django.test.testcases import TransactionTestCase

    with_the_command = TransactionTestCase._fixture_teardown
    receivers = len(post_migrate.receivers)  # content_types_put_back's own, once it is in place
    statements: dict[str, list[str]] = {}

    def _fixture_teardown(test_case) -> None:
        if test_case.available_apps is not None or test_case.serialized_rollback:
            return with_the_command(test_case)
        if len(post_migrate.receivers) != receivers:
            return with_the_command(test_case)  # someone else listens to post_migrate: let them hear it
        for alias in test_case._databases_names(include_mirrors=False):
            connection = connections[alias]
            if alias not in statements:
                statements[alias] = sql_flush(no_style(), connection, reset_sequences=False)
            connection.ops.execute_sql_flush(statements[alias])
            ContentType.objects.using(alias).bulk_create(as_built, ignore_conflicts=True)

    TransactionTestCase._fixture_teardown = _fixture_teardown
    try:
        yield
    finally:
        TransactionTestCase._fixture_teardown = with_the_command


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> Iterator[None]:
    """No permissions made, and the SQLite test database, thrown away after the run, never waits on the disk.

    pytest-django's fixture of this name runs before the database is built (and gives each
    xdist worker its own file): create_permissions is off from then on. PRAGMA synchronous=OFF:
    each DB call of a consumer opens and closes its own connection (CONN_MAX_AGE 0), and every
    transactional test closes the test's own at its end; closing the last one checkpoints the
    WAL into the file, which synchronous=NORMAL makes wait for an fsync, about 3 ms a test. A
    crash can lose the last commits: nothing here outlives the run.
    """
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if "synchronous=NORMAL" in options.get("init_command", ""):
        options["init_command"] = options["init_command"].replace("synchronous=NORMAL", "synchronous=OFF")
    with permissions_never_made():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """pytest-django's test database; after each transactional test its tables emptied, its content types back."""
    from asgiref.sync import SyncToAsync
    from django.db import connections

    with django_db_blocker.unblock():
        as_built = content_types_as_built()
    with content_types_put_back(as_built), flushes_without_the_command(as_built):
        yield
    # Django's async ORM calls (aexists(), acreate(), ...) run in asgiref's one sync thread and leave its
    # connection open. Closed here, before pytest-django deletes the database file, SQLite leaves no
    # -wal and -shm files behind it.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=FRAME)
