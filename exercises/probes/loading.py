"""The module under check, imported as the check or a new server process imports it; what a pass proved."""

import itertools
import json
import os
from collections import deque
from importlib.util import module_from_spec
from types import ModuleType

import pytest

from exercises.targets import PROOF_VARIABLE, spec_of, target, target_path


def proved(kind: str, amount: int = 1) -> None:
    """Note that this check proved `kind` ("sockets", "bad frames", "cancellation", "no blocking", "boundaries")."""
    log = os.environ.get(PROOF_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps({"kind": kind, "amount": amount}) + "\n")


def load(exercise_id: str, rule: str) -> ModuleType:
    """The module under check; a module that raises at import fails the check with `rule` in the message."""
    try:
        return target(exercise_id)
    except Exception as error:  # a student's file may raise anything at import
        pytest.fail(f"{rule}. Your file does not import: {type(error).__name__}: {error}", pytrace=False)


def imported_afresh(exercise_id: str, rule: str, environ: dict | None = None) -> ModuleType:
    """The module under check imported again, as a new server process imports it (with `environ` set, if given).

    Nothing module-level is shared with earlier imports: only what lives outside
    the process (Django's cache, the database) is. A module that raises at
    import fails the check with `rule` in the message.
    """
    from unittest import mock

    load(exercise_id, rule)  # a file that does not import at all fails here, with the usual sentence
    path = target_path(exercise_id)
    name = f"exercise_{exercise_id.replace('.', '_')}_process_{next(_PROCESSES)}"
    module = module_from_spec(spec_of(name, path))
    with mock.patch.dict(os.environ, environ or {}):
        try:
            module.__spec__.loader.exec_module(module)
        except Exception as error:  # a student's file may raise anything at import
            started = " with " + ", ".join(f"{k}={v}" for k, v in environ.items()) if environ else ""
            pytest.fail(
                f"a server started{started} could not even start: your file raised {type(error).__name__}: "
                f"{error}. {rule}",
                pytrace=False,
            )
    return module


_PROCESSES = itertools.count(1)


def imported_with_a_sync_thread(exercise_id: str, rule: str) -> ModuleType:
    """imported_afresh(), its consumers running their sync_to_async work on a thread of their own: a process's.

    In one process every thread-sensitive sync_to_async call runs on one thread, one
    call at a time, so two imports of a file still take turns there. Two real server
    processes do not: each has its own sync thread, and a read then a write of Django's
    cache (a get, then a set) in one can interleave with the other's.
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import ThreadSensitiveContext

    module = imported_afresh(exercise_id, rule)
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=module.__name__)

    def as_asgi(original):
        def made(*args, **kwargs):
            application = original(*args, **kwargs)

            async def served(scope, receive, send):
                async with ThreadSensitiveContext(executor=thread):
                    return await application(scope, receive, send)

            return served

        return made

    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "as_asgi"):
            value.as_asgi = as_asgi(value.as_asgi)
    return module


def kept_by(module) -> dict[str, int]:
    """How much each dict, list, set, deque or unbounded functools.cache of `module` and of its own classes holds.

    Taken before sockets open and again once they have gone (grown_since()): what a socket
    puts in the module or on a class stays after it, one more for every socket the server
    ever served, until the process runs out of memory.
    """
    found = {}
    for where, held in places(module):
        if isinstance(held, dict | list | set | deque):
            found[where] = len(held)
        elif callable(getattr(held, "cache_info", None)) and held.cache_info().maxsize is None:
            found[where] = held.cache_info().currsize
    return found


def places(module):
    """("SOCKETS", value), ("Consumer.seen", value), ...: each name of `module` and of its own classes, no dunders."""
    for name, value in vars(module).items():
        inside = vars(value).items() if isinstance(value, type) and value.__module__ == module.__name__ else ()
        for where, held in [(name, value), *((f"{name}.{key}", item) for key, item in inside)]:
            if not where.rpartition(".")[2].startswith("__"):
                yield where, held


def grown_since(before: dict[str, int], module) -> str:
    """'TICKERS holds 2 more item(s)' for each place of kept_by(module) that holds more than `before` said; else ""."""
    now = kept_by(module)
    grown = {where: size - before.get(where, 0) for where, size in now.items() if size > before.get(where, 0)}
    return ", ".join(f"{where} holds {more} more item(s)" for where, more in grown.items())


def holding(module, value) -> list[str]:
    """The names of the dicts, lists, sets and deques of `module` and of its own classes that still hold `value`."""
    return [where for where, held in places(module) if isinstance(held, dict | list | set | deque) and value in held]


def nothing_kept(before: dict[str, int], module, what: str, advice: str) -> None:
    """Fail, saying `advice`, if `module` or its classes hold more than `before` (kept_by()) after `what` happened."""
    import gc

    gc.collect()  # what only the gone consumers held goes now
    grown = grown_since(before, module)
    assert not grown, (
        f"{what}, and {grown}: what a socket puts in the module or on a class outlives its socket, one more for "
        f"every socket the server ever served, until memory runs out. {advice}"
    )
