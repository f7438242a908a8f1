"""Sending a built request with the standard library, and the transport interface the clients use.

A transport is any callable ``(HttpRequest) -> HttpResponse``. It sends the request exactly as
built and returns the reply whatever its status; it raises ``ImeditError.Transport`` (or any
``OSError``) when no reply arrived. With ``requests``::

    session = requests.Session()
    def send(req: imedit.HttpRequest) -> imedit.HttpResponse:
        r = session.request(req.method, req.url, headers=imedit.header_dict(req), data=req.body, timeout=10)
        return imedit.response(r.status_code, r.headers.items(), r.content)
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import Callable, Optional

from ._pythonic import response
from .errors import ImeditError
from .imedit import HttpRequest, HttpResponse

#: Sends one request and returns the reply, whatever its status.
Transport = Callable[[HttpRequest], HttpResponse]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are returned as replies: a signed request must not be re-sent elsewhere."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> None:
        return None


class UrllibTransport:
    """A transport on ``urllib.request``: no dependency, no redirects followed, proxies from the
    environment as ``urllib`` does.

    ``timeout`` is in seconds. A failure before a reply (refused, reset, timeout, TLS) raises
    ``ImeditError.Transport``; every HTTP status, 4xx and 5xx included, is returned."""

    def __init__(self, timeout: float = 10.0, *, opener: Optional[urllib.request.OpenerDirector] = None) -> None:
        self.timeout = timeout
        self._opener = opener or urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        return f"UrllibTransport(timeout={self.timeout!r})"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        data = bytes(request.body) if request.body or request.method in ("POST", "PUT", "PATCH") else None
        req = urllib.request.Request(request.url, data=data, method=request.method)
        for header in request.headers:
            req.add_header(header.name, header.value)
        try:
            with self._opener.open(req, timeout=self.timeout) as reply:
                return response(reply.status, reply.getheaders(), reply.read())
        except urllib.error.HTTPError as reply:
            with reply:
                body = reply.read()
            return response(reply.code, list(reply.headers.items()) if reply.headers else [], body)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise ImeditError.Transport(reason=f"{type(error).__name__}: {reason}") from error


_default: Optional[UrllibTransport] = None


def send(request: HttpRequest, *, timeout: float = 10.0) -> HttpResponse:
    """Sends ``request`` with ``urllib.request`` and returns the reply for the matching
    ``parse_*`` function. Raises ``ImeditError.Transport`` when no reply arrived."""
    global _default
    if _default is None or _default.timeout != timeout:
        _default = UrllibTransport(timeout)
    return _default(request)


def call(transport: Transport, request: HttpRequest) -> HttpResponse:
    """Runs a transport, turning an ``OSError`` (what ``requests`` and sockets raise) into
    ``ImeditError.Transport``."""
    try:
        return transport(request)
    except ImeditError:
        raise
    except OSError as error:
        raise ImeditError.Transport(reason=f"{type(error).__name__}: {error}") from error
