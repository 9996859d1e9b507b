"""Lesson 13: what production serves. Every route the course routes is in one literal table
(tests/helpers/routes.py's PRODUCTION) with what production does with it, and the routing, the
gated POSTs and lesson 13's text are held to that table. A real Daphne on production settings
proves it again: tests/test_13/test_production_routes_slow.py."""

import re
from urllib.parse import urlencode

import pytest
from channels.testing import HttpCommunicator
from django.urls import resolve

import auth_demo.urls
import layers_demo.urls
from course.catalogue import REPO_DIR
from harness.patience import FRAME
from lessons.asgi import application
from lessons.routing import hazard_urlpatterns, http_urlpatterns, route_exists, safe_urlpatterns
from tests.helpers.clients import HOST, browser_headers
from tests.helpers.routes import CSRF, LOGIN, PRODUCTION, REFUSED, SERVED, STAFF, concrete

WEBSOCKET_ROWS = {route: status for route, status in PRODUCTION.items() if concrete(route)[0] == "WS"}
HTTP_ROWS = {route: status for route, status in PRODUCTION.items() if concrete(route)[0] != "WS"}
GATED = [route for route, status in PRODUCTION.items() if status in {CSRF, LOGIN, STAFF}]
# The Django views the demos POST to, under their prefixes in lessons/urls.py (the admin's forms are the admin's).
DEMO_VIEWS = [f"/layers/{p.pattern}" for p in layers_demo.urls.urlpatterns] + [
    f"/accounts/{p.pattern}" for p in auth_demo.urls.urlpatterns
]


def test_the_table_lists_every_route_the_course_routes():
    paths = [concrete(route)[1] for route in PRODUCTION]
    patterns = [*safe_urlpatterns, *hazard_urlpatterns, *http_urlpatterns]
    unlisted = [str(p.pattern) for p in patterns if not any(p.pattern.match(path) for path in paths)]
    unlisted += [view for view in DEMO_VIEWS if not any(route.endswith(f" {view}") for route in PRODUCTION)]
    assert unlisted == [], "a route lessons/routing.py or a demo's urls.py serves is missing from lesson 13's table"


@pytest.mark.parametrize(("route", "status"), WEBSOCKET_ROWS.items(), ids=list(WEBSOCKET_ROWS))
def test_with_the_switch_off_exactly_the_routes_the_table_calls_served_are_routed(route, status):
    path = concrete(route)[1]
    # SERVE_HAZARD_DEMOS off (production) routes safe_urlpatterns alone; the rest reach the catch-all.
    assert route_exists(path, safe_urlpatterns) is (status == SERVED)
    assert route_exists(path, hazard_urlpatterns) is (status == REFUSED)  # a hazard demo, not a lost route


@pytest.mark.parametrize("route", HTTP_ROWS, ids=list(HTTP_ROWS))
def test_every_http_route_in_the_table_is_served_whatever_the_switch(route):
    path = concrete(route)[1]
    assert route_exists(path, http_urlpatterns) or resolve(f"/{path}"), f"{route} is routed nowhere"


async def post_anonymously(path: str, with_csrf_token: bool) -> int:
    """The status of a form POST to `path` from a visitor with no session: the page's CSRF token, or none."""
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    headers = HOST + form + (browser_headers() if with_csrf_token else [])
    communicator = HttpCommunicator(application, "POST", f"/{path}", body=urlencode({}).encode(), headers=headers)
    response = await communicator.get_response(timeout=FRAME)
    await communicator.wait()
    return response["status"]


@pytest.mark.django_db(transaction=True)  # the login view looks for a user, in Django's view thread
@pytest.mark.parametrize("route", GATED)
async def test_a_gated_post_refuses_a_visitor_who_lacks_what_the_table_names(route):
    path = concrete(route)[1]
    without_token = await post_anonymously(path, with_csrf_token=False)
    with_token = await post_anonymously(path, with_csrf_token=True)
    assert without_token == 403  # Django's CSRF check, for views and PublishConsumer alike
    if PRODUCTION[route] == CSRF:
        assert with_token != 403  # the token is all it asks before doing its job (or saying what is wrong)
    else:
        assert with_token in {302, 403}  # no account: refused, or sent to the login page


ROW = re.compile(r"^\| `(?P<route>[^`]+)` \| (?P<status>[^|]+?) \|", re.M)


def test_lesson_13_shows_the_same_table():
    text = (REPO_DIR / "lessons/13-deployment.md").read_text(encoding="utf-8")
    section = text.split("\n## What production serves\n", 1)[1].split("\n## ", 1)[0]
    shown = {match["route"]: match["status"] for match in ROW.finditer(section)}
    assert shown == PRODUCTION
