"""Pythonic shortcuts over the generated bindings: dicts and tuples instead of ``KeyValue`` lists,
ints for ids, bytes or str for bodies. They only convert types; every rule lives in the core."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Tuple, Union

from . import imedit as _ffi
from .errors import ImeditError
from .imedit import (
    ExtMode,
    HttpHeader,
    HttpRequest,
    HttpResponse,
    KeyValue,
    MessageKind,
    ModifyMessage,
    RewriteMessage,
    Scheme,
    SignableRequest,
    TimeUnit,
    TokenPolicy,
)

#: An ordered string map: a ``dict`` (insertion order is kept), ``(key, value)`` pairs, or
#: ``KeyValue`` records.
Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]], Iterable[KeyValue]]

#: A body: bytes as they are, or text sent as UTF-8.
Body = Union[bytes, bytearray, memoryview, str]


def key_values(items: Optional[Pairs]) -> list[KeyValue]:
    """The ``KeyValue`` list for a dict, ``(key, value)`` pairs or ``KeyValue`` records, in order."""
    if items is None:
        return []
    if isinstance(items, Mapping):
        return [KeyValue(key=k, value=v) for k, v in items.items()]
    out: list[KeyValue] = []
    for item in items:
        if isinstance(item, KeyValue):
            out.append(item)
        else:
            key, value = item
            out.append(KeyValue(key=key, value=value))
    return out


def to_dict(items: Iterable[KeyValue]) -> dict[str, str]:
    """A ``dict`` (ordered as the list) for a ``KeyValue`` list."""
    return {kv.key: kv.value for kv in items}


def _bytes(body: Optional[Body]) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def header_dict(request: HttpRequest) -> dict[str, str]:
    """The request's headers as a ``dict`` (names are unique), for ``requests``, ``httpx`` or
    ``urllib``. The values include secrets (``Authorization``): never log the dict."""
    return {h.name: h.value for h in request.headers}


def response(
    status: int,
    headers: Union[Mapping[str, str], Iterable[Tuple[str, str]]] = (),
    body: Optional[Body] = b"",
) -> HttpResponse:
    """An ``HttpResponse`` from what any HTTP client returns: the status, the headers (a mapping or
    pairs) and the raw body."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return HttpResponse(
        status=status,
        headers=[HttpHeader(name=k, value=v, sensitive=False) for k, v in pairs],
        body=_bytes(body),
    )


def transport_error(reason: str) -> ImeditError:
    """The error to raise when an HTTP client fails before a reply arrives (code ``transport``,
    advice ``retry``)."""
    return ImeditError.Transport(reason=reason)


def modify_message(
    app_id: int,
    conversation_short_id: int,
    message_id: int,
    *,
    ext: Optional[Pairs] = None,
    content: Optional[str] = None,
    text: Optional[str] = None,
) -> ModifyMessage:
    """A Volcengine ``ModifyMessage`` edit. ``text`` is a shortcut for
    ``content=text_content(text)``; ids are exact Python ints (signed 64-bit)."""
    if text is not None:
        if content is not None:
            raise ImeditError.InvalidInput(field="content", reason="give content or text, not both")
        content = _ffi.text_content(text)
    return ModifyMessage(
        app_id=app_id,
        conversation_short_id=conversation_short_id,
        message_id=message_id,
        ext=key_values(ext),
        content=content,
    )


def signable_request(
    method: str,
    host: str,
    *,
    path: str = "/",
    query: Optional[Pairs] = None,
    headers: Optional[Pairs] = None,
    body: Optional[Body] = None,
    scheme: Scheme = Scheme.HTTPS,
) -> SignableRequest:
    """Any request to sign with the Volcengine OpenAPI signer (``Signer.sign`` or ``sign``)."""
    return SignableRequest(
        method=method,
        scheme=scheme,
        host=host,
        path=path,
        query=key_values(query),
        headers=key_values(headers),
        body=_bytes(body),
    )


def token_policy(
    ttl: Optional[int] = None,
    unit: TimeUnit = TimeUnit.SECONDS,
    refresh_margin: int = 300,
) -> TokenPolicy:
    """How Easemob app tokens are requested and refreshed (defaults: the console's lifetime,
    seconds, refresh at least 300 s before expiry)."""
    return TokenPolicy(ttl=ttl, unit=unit, refresh_margin=refresh_margin)


def rewrite(
    message_id: Union[int, str],
    kind: Union[MessageKind, str] = MessageKind.TEXT,
    *,
    msg: Optional[str] = None,
    custom_event: Optional[str] = None,
    custom_exts: Optional[Pairs] = None,
    new_ext: Optional[Pairs] = None,
    replace_ext: bool = False,
    user: Optional[str] = None,
) -> RewriteMessage:
    """An Easemob rewrite. ``message_id`` is an int or its decimal text (kept exact); ``kind`` a
    ``MessageKind`` or its wire name (``txt``, ``custom``, ``img``…); ``replace_ext`` replaces
    the stored ext with ``new_ext`` instead of merging."""
    if isinstance(kind, str):
        kind = _ffi.message_kind_from_name(kind)
    return RewriteMessage(
        message_id=str(message_id) if isinstance(message_id, int) else message_id,
        kind=kind,
        msg=msg,
        custom_event=custom_event,
        custom_exts=None if custom_exts is None else key_values(custom_exts),
        new_ext=None if new_ext is None else key_values(new_ext),
        ext_mode=ExtMode.REPLACE if replace_ext else ExtMode.MERGE,
        user=user,
    )


def merge_ext(current: Pairs, patch: Pairs, mode: ExtMode = ExtMode.MERGE) -> dict[str, str]:
    """The ext map the server holds after an edit (for optimistic UI updates), as an ordered
    ``dict``: in ``MERGE``, a key of ``patch`` that exists overwrites its value in place and a new
    key is appended; in ``REPLACE``, the result is ``patch``."""
    return to_dict(_ffi.merge_ext(key_values(current), key_values(patch), mode))
