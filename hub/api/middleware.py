"""Two plain ASGI wrappers around the whole app: a request-body size limit and the security headers.

Plain ASGI rather than Starlette's BaseHTTPMiddleware: the limit has to act on the byte stream
itself (refuse from Content-Length before reading, stop a chunked body as it grows), and the
WebSocket routes pass through untouched."""
from __future__ import annotations

import json

from ..messages import error_body

DEFAULT_MAX_BODY = 1024 * 1024  # the largest real body (a hall layout edit) is a few KB


class BodyLimit:
    """Answers 413 to a request whose body exceeds `limit` bytes, without holding more than the limit.

    A declared Content-Length is refused before one byte is read. A body without one (chunked) is
    counted as it arrives; past the limit the 413 goes out at once, the app is told the client left,
    and whatever it answers is dropped. The connection then closes, so the rest is never read."""

    def __init__(self, app, limit: int = DEFAULT_MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            return await self._refuse(send)
        seen = 0
        refused = started = False

        async def counted_receive():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if not refused:
                started = True
                await send(message)

        await self.app(scope, counted_receive, guarded_send)

    async def _refuse(self, send) -> None:
        body = json.dumps(error_body("BODY_TOO_LARGE", {"limit_kb": self.limit // 1024}),
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


# Every page is served from the hub itself: no inline script or style, no other origin, never in a frame.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's interactive API docs load Swagger UI from its CDN and start it with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
HSTS = b"max-age=31536000"


class SecurityHeaders:
    """Adds CSP, X-Frame-Options, Referrer-Policy and nosniff to every answer; HSTS over TLS."""

    def __init__(self, app, docs_path: str | None = None):
        self.app, self.docs_path = app, docs_path
        common = [(b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
                  (b"x-content-type-options", b"nosniff")]
        self.headers = [(b"content-security-policy", CSP.encode()), *common]
        self.docs_headers = [(b"content-security-policy", DOCS_CSP.encode()), *common]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = self.docs_headers if scope.get("path") == self.docs_path else self.headers
        if scope.get("scheme") == "https":
            extra = [*extra, (b"strict-transport-security", HSTS)]

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["BodyLimit", "SecurityHeaders", "DEFAULT_MAX_BODY"]
