"""Which consumer the course's root router gives a path to (lesson 00's routing tests, the layout check)."""


def routed_consumer(path: str, http: bool = False) -> type | None:
    """The consumer class the root router's WebSocket (or HTTP) list sends `path` to, under any
    middleware; None for an HTTP path no consumer claims (it goes on to Django's views)."""
    from lessons.routing import http_urlpatterns, websocket_urlpatterns

    path = path.partition("?")[0]  # the routers match the path alone
    patterns = http_urlpatterns if http else websocket_urlpatterns
    match = next((pattern for pattern in patterns if pattern.pattern.match(path)), None)
    if match is None:
        return None
    app = match.callback
    while not hasattr(app, "consumer_class"):
        app = app.inner  # a middleware (BaseMiddleware) keeps what it wraps in .inner
    return app.consumer_class
