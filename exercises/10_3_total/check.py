"""Check 10.3 (fix): a request body may come in several http.request events; collect them all, per request.

The task's rules, in its order: 1. a body in one part, in several, or filling its last part exactly is added up, an
event without more_body being the last part, whatever content-type the client says; 2. each request is parsed on its
own, two at once apart; 3. [] and zeros add up to 0; 4. a body that is not a list of numbers gets 400; 5. each answer
is one JSON response in bytes, and then the consumer ends (by itself or on the http.disconnect that follows); 6. (the
battery) it ends when the client leaves mid-body, any bytes in the query or a header get an answer, and nothing sets
DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import json

import pytest

from exercises.probes import DAPHNE_PART, as_daphne_hands_it, http_request, never_blocks, proved
from exercises.probes.http_tokens import posted, response

EXERCISE, CONSUMER = "10.3", "TotalConsumer"
RULE = (
    'A server may hand the body over in several http.request events ("more_body": true on all but the last): '
    "collect every part on the consumer instance and parse the whole"
)


# What real clients say their body is: curl -d (form-urlencoded), fetch() of a string (text/plain), a JSON client,
# and a client that says nothing. The task names no content-type: the body is read as JSON whatever it says.
CONTENT_TYPES = [(), ((b"content-type", b"application/x-www-form-urlencoded"),)]
CONTENT_TYPES += [((b"content-type", b"text/plain;charset=UTF-8"),), ((b"content-type", b"application/json"),)]


async def post(app, parts: list[bytes], headers: tuple = ()) -> tuple[int, object]:
    """POST a body in these parts, as Daphne or uvicorn hand over a big one; (status, JSON answer)."""
    return (await posted(app, parts, headers=headers, in_json=True)).answer


@pytest.mark.rule(1, 5)
async def test_a_body_in_one_part_is_added_up(app):
    got = await post(app, [b"[1, 2, 3.5]"], CONTENT_TYPES[1])  # as curl -d '[1, 2, 3.5]' posts it
    assert got == (200, {"total": 6.5}), (
        f"[1, 2, 3.5] posted as curl -d posts it (content-type application/x-www-form-urlencoded): expected 200 "
        f'{{"total": 6.5}}, got {got[0]} {got[1]}'
    )


@pytest.mark.rule(1)
async def test_a_body_in_several_parts_is_added_up(app):
    parts = as_daphne_hands_it(body := json.dumps(list(range(3000))).encode())
    async with never_blocks(0.25):  # well over a busy machine's hiccups, well under any blocking call worth finding
        status, content = await post(app, parts)
    assert (status, content) == (200, {"total": sum(range(3000))}), (
        f"a valid body of {len(body)} bytes, handed over in {len(parts)} parts as Daphne does, got {status} {content}. {RULE}"
    )


@pytest.mark.rule(1)
async def test_a_body_filling_its_last_part_exactly_is_added_up(app):
    parts = as_daphne_hands_it(body := b"[" + b" " * (DAPHNE_PART - 4) + b"42]")  # 8192 bytes: and an empty part
    got = await post(app, parts)
    assert got == (200, {"total": 42}), (
        f"a body of exactly {len(body)} bytes comes as {len(parts)} events, the last one empty: expected 200 "
        f'{{"total": 42}}, got {got[0]} {got[1]}. {RULE}'
    )
    proved("boundaries", 2)


@pytest.mark.rule(2)
async def test_each_request_is_parsed_on_its_own(app):
    await post(app, [b"[1, ", b"2]"])
    status, content = await post(app, [b"[10, ", b"20]"])
    assert (status, content) == (200, {"total": 30}), (
        f"the second request [10, 20] got {status} {content}: parts of the first request were still there. {RULE}"
    )


@pytest.mark.rule(2)
async def test_two_requests_at_once_are_added_up_apart(app):
    first, second = http_request(app, "POST"), http_request(app, "POST")
    await first.send_input({"type": "http.request", "body": b"[1, 2", "more_body": True})
    await second.send_input({"type": "http.request", "body": b"[100, ", "more_body": True})
    await first.send_input({"type": "http.request", "body": b", 3]", "more_body": False})
    got_first = (await response(first, in_json=True)).answer
    await second.send_input({"type": "http.request", "body": b"200]", "more_body": False})
    got_second = (await response(second, in_json=True)).answer
    proved("sockets", 2)
    assert (got_first, got_second) == ((200, {"total": 6}), (200, {"total": 300})), (
        f"two requests sent at the same time, [1, 2, 3] and [100, 200], got {got_first} and {got_second}: "
        "each request's parts belong to its own consumer instance, never the class or the module"
    )


@pytest.mark.rule(1)
async def test_an_event_without_more_body_is_the_last_part(app):
    whole = 'a request event without "more_body" is the whole body'  # it is optional in the ASGI spec
    communicator = http_request(app, "POST")
    await communicator.send_input({"type": "http.request", "body": b"[4, 5]"})
    got = (await response(communicator, in_json=True, when=f"at once: {whole}")).answer
    assert got == (200, {"total": 9}), f'{whole}: expected 200 {{"total": 9}} at once, got {got[0]} {got[1]}'
    communicator = http_request(app, "POST")  # "body" is optional too (default b""): a last event may carry neither key
    for part in (b"[4, ", b"5]"):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": True})
    await communicator.send_input({"type": "http.request"})
    got = (await response(communicator, in_json=True)).answer
    assert got == (200, {"total": 9}), (
        f'[4, 5] in two parts, then an event with neither "body" nor "more_body": expected 200 {{"total": 9}}, got '
        f'{got[0]} {got[1]}: both keys are optional in the ASGI spec, "body" defaults to b"", "more_body" to false'
    )


@pytest.mark.rule(3)
async def test_an_empty_list_and_a_list_of_zeros_add_up_to_0(app):
    for body in (b"[]", b"[0, 0.0, -0]"):
        assert (got := await post(app, [body])) == (200, {"total": 0}), (
            f'{body.decode()} is a list of numbers whose total is 0: expected 200 {{"total": 0}}, got {got[0]} {got[1]}'
        )
    proved("boundaries", 2)


# No list (empty, not JSON, cut short, a number, text, null, an object); not all numbers (true, a list, a str);
# NaN and Infinity, which json.loads takes and JSON has not; numbers or totals past a double (1e400 reads as inf,
# 400 nines are Infinity to JSON.parse); a part too many; a letter split between parts; no UTF-8; nested too deep
# to decode (json.loads raises RecursionError, not ValueError).
SPLIT = '[1, "\u00e9t\u00e9"]'.encode()
BAD_BODIES = [[b""], [b"not json"], [b"[1, 2"], [b"5"], [b'"text"'], [b"null"], [b'{"numbers": [1, 2]}']]
BAD_BODIES += [[b"[true, 2]"], [b"[[1], 2]"], [b'[1, "2"]'], [b"[NaN]"], [b"[1, Infinity]"], [b"[1e400]"]]
BAD_BODIES += [[b"[1e308, 1e308]"], [b"[" + b"9" * 400 + b"]"], [b"[" + b"9" * 308 + b", " + b"9" * 308 + b"]"]]
BAD_BODIES += [[b"[1, 2]", b"]"], [SPLIT[:6], SPLIT[6:]], [b"\xff\xfe"], [b"[" * 100_000]]
FINITE = "NaN, Infinity and numbers past a double's range are no JSON a client reads back: each number, and the total"


@pytest.mark.rule(4)
async def test_a_body_that_is_not_a_list_of_numbers_gets_400(app):
    for parts in BAD_BODIES:
        (status, content), body = await post(app, parts), b"".join(parts)
        not_finite = any(word in body for word in (b"NaN", b"Infinity", b"1e", b"999"))
        why = f"{FINITE}, must be a finite double" if not_finite else ""
        error = content.get("error") if isinstance(content, dict) else None
        assert status == 400 and isinstance(error, str) and error.strip(), (
            f"the body {body[:60]!r}{'...' if len(body) > 60 else ''} (in {len(parts)} part(s)) is no JSON list of numbers: expected 400 "
            f'{{"error": "<what was wrong>"}}, got {status} {content}. {why}'.rstrip(". ")
            + (": an empty error tells the client nothing (str() of a bare ValueError is '')" if error == "" else "")
        )
    proved("bad frames", len(BAD_BODIES))


@pytest.mark.rule(1)
async def test_the_body_is_added_up_whatever_content_type_the_client_says(app):
    for headers in CONTENT_TYPES:
        said = headers[0][1].decode() if headers else "no content-type"
        got = await post(app, [b"[1, 2]"], headers)
        assert got == (200, {"total": 3}), (
            f'[1, 2] posted with {said} got {got[0]} {got[1]}, expected 200 {{"total": 3}}: real clients label a '
            "body as they like (curl -d sends application/x-www-form-urlencoded, fetch() of a string text/plain), "
            "and the task names no content-type: read the body as JSON whatever the header says"
        )
    proved("boundaries", len(CONTENT_TYPES))


# The standard battery of what this exercise builds (HTTP consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_ends_when_the_client_leaves_mid_body,
    test_a_query_and_a_header_not_in_utf8_get_an_answer,
)
