"""Clients for both vendors: build → send → parse, with the core's token cache, retry planner and
rate limiter. They hold no logic of their own: every decision (when to fetch or refresh a token,
whether and how long to wait before a retry, how fast to send) comes from the core."""

from __future__ import annotations

import random as _random
import time as _time
from typing import Callable, Optional, Union

from . import imedit as _ffi
from ._pythonic import Body, Pairs, key_values, modify_message, rewrite, signable_request, token_policy
from .errors import ImeditError
from .imedit import (
    AppToken,
    ClientCredentials,
    Credentials,
    Endpoint,
    HttpRequest,
    ModifyMessage,
    OpenApiResponse,
    RateLimiter,
    ResponseMetadata,
    RetryDecision,
    RetryPlanner,
    RetryPolicy,
    RewriteMessage,
    RewriteOutcome,
    Settings,
    Signer,
    SigningParams,
    TokenAction,
    TokenCache,
    TokenPolicy,
    TokenSource,
)
from .transport import Transport, UrllibTransport, call

__all__ = ["VolcengineClient", "EasemobClient"]

#: Seconds since the Unix epoch (``time.time``).
Clock = Callable[[], float]
#: Waits this many seconds (``time.sleep``).
Sleep = Callable[[float], None]
#: A uniform random value in [0, 1) (``random.random``).
Random = Callable[[], float]


def _acquire(limiter: RateLimiter, clock: Clock, sleep: Sleep) -> None:
    """Waits until the limiter grants a permit."""
    while True:
        wait_ms = limiter.acquire(int(clock() * 1000))
        if wait_ms == 0:
            return
        sleep(wait_ms / 1000)


def _backoff(planner: RetryPlanner, error: ImeditError, random: Random, sleep: Sleep) -> RetryDecision:
    """Asks the planner what to do after ``error``; sleeps the delay of a plain retry."""
    decision = planner.on_error(error, random())
    if isinstance(decision, RetryDecision.RETRY):
        sleep(decision.delay_ms / 1000)
    return decision


class VolcengineClient:
    """Volcengine OpenAPI client: ``ModifyMessage`` and any other action, signed with the cached
    signing key, sent through ``transport`` (``urllib`` by default), paced by a ``RateLimiter``
    (50 requests/s) and retried as the core's ``RetryPlanner`` says (each attempt is signed
    again with a fresh time).

    ``clock``, ``sleep`` and ``random`` default to ``time.time``, ``time.sleep`` and
    ``random.random``; pass others in tests."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        endpoint: Optional[Endpoint] = None,
        transport: Optional[Transport] = None,
        retry_policy: Optional[RetryPolicy] = None,
        rate_limiter: Optional[RateLimiter] = None,
        clock: Clock = _time.time,
        sleep: Sleep = _time.sleep,
        random: Random = _random.random,
    ) -> None:
        self.signer = Signer(credentials)
        self.endpoint = endpoint or Endpoint()
        self.transport: Transport = transport or UrllibTransport()
        self.retry_policy = retry_policy or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter.volcengine_modify_message()
        self._clock, self._sleep, self._random = clock, sleep, random

    def __repr__(self) -> str:
        return f"VolcengineClient(access_key_id={self.signer.access_key_id()!r}, endpoint={self.endpoint!r})"

    def send_modify_message(self, edit: ModifyMessage) -> ResponseMetadata:
        """Sends one ``ModifyMessage`` edit and returns the reply's metadata. A bad edit is refused
        (``ImeditError.InvalidInput``) before anything is sent."""
        edit.body()
        planner = RetryPlanner(self.retry_policy)
        while True:
            try:
                _acquire(self.rate_limiter, self._clock, self._sleep)
                request = self.signer.modify_message_request(self.endpoint, edit, int(self._clock()))
                return _ffi.parse_modify_message_response(call(self.transport, request))
            except ImeditError as error:
                if not isinstance(_backoff(planner, error, self._random, self._sleep), RetryDecision.RETRY):
                    raise

    def modify_message(
        self,
        app_id: int,
        conversation_short_id: int,
        message_id: int,
        *,
        ext: Optional[Pairs] = None,
        content: Optional[str] = None,
        text: Optional[str] = None,
    ) -> ResponseMetadata:
        """Edits a message's ``Ext`` (merged key by key) and/or ``Content`` (``text`` is a shortcut
        for a text message's content). Ids are exact Python ints."""
        edit = modify_message(app_id, conversation_short_id, message_id, ext=ext, content=content, text=text)
        return self.send_modify_message(edit)

    def call(
        self,
        action: str,
        version: str,
        *,
        body: Optional[Body] = None,
        method: str = "POST",
        query: Optional[Pairs] = None,
        service: str = "rtc",
        host: Optional[str] = None,
        region: Optional[str] = None,
        content_type: Optional[str] = "application/json",
    ) -> OpenApiResponse:
        """Calls any OpenAPI action: ``Action`` and ``Version`` go in the query (before ``query``),
        the body is sent as given. ``host`` and ``region`` default to the endpoint's."""
        pairs = [("Action", action), ("Version", version)] + [(kv.key, kv.value) for kv in key_values(query)]
        request = signable_request(
            method,
            host or self.endpoint.host(),
            query=pairs,
            headers=[("Content-Type", content_type)] if content_type else None,
            body=body,
            scheme=self.endpoint.scheme(),
        )
        planner = RetryPlanner(self.retry_policy)
        while True:
            try:
                _acquire(self.rate_limiter, self._clock, self._sleep)
                params = SigningParams(
                    region=region or self.endpoint.region(), service=service, time=int(self._clock()), signed_headers=None
                )
                signed = self.signer.sign(request, params).request()
                return _ffi.parse_openapi_response(call(self.transport, signed))
            except ImeditError as error:
                if not isinstance(_backoff(planner, error, self._random, self._sleep), RetryDecision.RETRY):
                    raise


class EasemobClient:
    """Easemob IM / Agora Chat client: message rewrite with the app token kept by the core's
    ``TokenCache`` (fetched on first use, refreshed ahead of expiry, fetched again once after a
    token error), paced by ``RateLimiter``s (100 calls/s, 300 token requests/s) and retried as the
    core's ``RetryPlanner`` says.

    ``source`` is the app's ``ClientCredentials`` or a ``TokenSource`` (for the Agora token
    exchange). Thread-safe: threads share one token."""

    def __init__(
        self,
        settings: Settings,
        source: Union[ClientCredentials, TokenSource],
        *,
        policy: Optional[TokenPolicy] = None,
        transport: Optional[Transport] = None,
        retry_policy: Optional[RetryPolicy] = None,
        rate_limiter: Optional[RateLimiter] = None,
        token_rate_limiter: Optional[RateLimiter] = None,
        clock: Clock = _time.time,
        sleep: Sleep = _time.sleep,
        random: Random = _random.random,
        wait_interval: float = 0.05,
    ) -> None:
        if isinstance(source, ClientCredentials):
            source = TokenSource.client_credentials(source)
        self.settings = settings
        self.token_cache = TokenCache(settings, source, policy or token_policy())
        self.transport: Transport = transport or UrllibTransport()
        self.retry_policy = retry_policy or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter.easemob_app()
        self.token_rate_limiter = token_rate_limiter or RateLimiter.easemob_token()
        self._clock, self._sleep, self._random = clock, sleep, random
        self._wait_interval = wait_interval

    def __repr__(self) -> str:
        return f"EasemobClient(settings={self.settings!r})"

    def _now(self) -> int:
        return int(self._clock())

    def _send_token_request(self, request: HttpRequest) -> AppToken:
        """Sends a token request and reports the outcome to the cache."""
        try:
            _acquire(self.token_rate_limiter, self._clock, self._sleep)
            reply = call(self.transport, request)
        except ImeditError:
            self.token_cache.on_fetch_failed(self._now())
            raise
        return self.token_cache.on_response(reply, self._now())

    def app_token(self) -> AppToken:
        """A valid app token, fetched or refreshed as the cache says. Raises the token request's
        error when no valid token could be obtained."""
        while True:
            action = self.token_cache.poll(self._now())
            if isinstance(action, TokenAction.USE):
                return action.token
            if isinstance(action, TokenAction.REFRESH):
                try:
                    return self._send_token_request(action.request)
                except ImeditError:
                    return action.token  # Still valid; the cache asks again after its cooldown.
            if isinstance(action, TokenAction.FETCH):
                self._send_token_request(action.request)
                continue
            self._sleep(self._wait_interval)  # WAIT: another thread is fetching.

    def rewrite(self, edit: RewriteMessage) -> RewriteOutcome:
        """Sends one rewrite and returns the reply's envelope. A bad edit is refused before a
        token is fetched or anything is sent."""
        edit.body()
        planner = RetryPlanner(self.retry_policy)
        while True:
            token: Optional[AppToken] = None
            try:
                token = self.app_token()
                request = _ffi.build_rewrite_request(self.settings, token, edit)
                _acquire(self.rate_limiter, self._clock, self._sleep)
                return _ffi.parse_rewrite_response(call(self.transport, request))
            except ImeditError as error:
                if token is not None:
                    self.token_cache.on_call_failed(token, error)
                decision = _backoff(planner, error, self._random, self._sleep)
                if isinstance(decision, RetryDecision.GIVE_UP):
                    raise

    def rewrite_text(
        self,
        message_id: Union[int, str],
        text: str,
        *,
        new_ext: Optional[Pairs] = None,
        user: Optional[str] = None,
    ) -> RewriteOutcome:
        """Replaces a text message's text (and merges ``new_ext`` into its ext)."""
        return self.rewrite(rewrite(message_id, msg=text, new_ext=new_ext, user=user))
