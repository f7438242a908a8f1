"""Secrets never printed; CR, LF and NUL refused; 64-bit ids exact."""

from __future__ import annotations

import json
from typing import Callable

import pytest

import imedit
from imedit import (
    AppToken,
    ClientCredentials,
    Credentials,
    EasemobClient,
    Endpoint,
    ImeditError,
    Settings,
    Signer,
    SigningParams,
    TokenAction,
    TokenCache,
    TokenSource,
    VolcengineClient,
)

SECRET_KEY = "SKsecretKEY0123456789abcdef"
SESSION_TOKEN = "STSsessionTOKEN0123456789"
CLIENT_SECRET = "YXA6clientSECRET0123456789"
APP_TOKEN = "YWMtAPPtoken0123456789abcd"
AGORA_TOKEN = "007eJxAGORAtoken0123456789"
SECRETS = [SECRET_KEY, SESSION_TOKEN, CLIENT_SECRET, APP_TOKEN, AGORA_TOKEN]
NOW = 1_717_245_296


def assert_hidden(value: object, *extra: str) -> None:
    """Neither repr nor str of `value` shows a secret (or the `extra` sensitive strings)."""
    for text in (repr(value), str(value)):
        for secret in SECRETS + list(extra):
            assert secret not in text, f"{secret!r} printed in {text!r}"


def test_volcengine_objects_hide_secrets() -> None:
    creds = Credentials.with_session_token("AKLTexample", SECRET_KEY, SESSION_TOKEN)
    assert creds.has_session_token()
    signer = Signer(creds)
    signed = signer.modify_message(Endpoint(), imedit.modify_message(1, 2, 3, text="hi"), NOW)
    stages = signed.stages()
    request = signed.request()
    sensitive = [stages.signature(), stages.authorization(), stages.signing_key_hex()]
    assert request.header("X-Security-Token") == SESSION_TOKEN  # sent, but never printed
    for value in [creds, signer, signed, stages, request, request.headers, *request.headers]:
        assert_hidden(value, *sensitive)
    assert "AKLTexample" in repr(creds)  # the access key id is not a secret
    assert "[REDACTED]" in repr(request)
    assert SECRET_KEY not in request.to_curl(False) and SESSION_TOKEN not in request.to_curl(False)
    assert SESSION_TOKEN in request.to_curl(True)
    assert SESSION_TOKEN in stages.canonical_request()  # the signed form carries it
    redacted = stages.canonical_request_redacted()
    assert_hidden(redacted)
    assert redacted.replace("[REDACTED]", SESSION_TOKEN) == stages.canonical_request()
    client = VolcengineClient(creds)
    assert_hidden(client)
    generic = imedit.sign(
        creds,
        imedit.signable_request("GET", "iam.volcengineapi.com", query={"Action": "ListUsers"}),
        SigningParams(region="cn-north-1", service="iam", time=NOW, signed_headers=None),
    )
    assert_hidden(generic, generic.stages().authorization())


def test_easemob_objects_hide_secrets() -> None:
    settings = Settings("https://a1.easemob.com", "org", "app")
    creds = ClientCredentials("YXA6clientid", CLIENT_SECRET)
    token_request = imedit.build_token_request(settings, creds, imedit.token_policy())
    assert token_request.body_sensitive and CLIENT_SECRET.encode() in token_request.body
    exchange = imedit.build_agora_token_exchange_request(settings, AGORA_TOKEN)
    token = AppToken(APP_TOKEN, NOW, NOW + 7200)
    rewrite = imedit.build_rewrite_request(settings, token, imedit.rewrite(1, msg="hi"))
    reply = imedit.response(200, {}, json.dumps({"access_token": APP_TOKEN, "expires_in": 7200}))
    parsed = imedit.parse_token_response(reply, NOW, imedit.token_policy())
    assert parsed.value() == APP_TOKEN
    for value in [creds, token_request, exchange, token, rewrite, reply, parsed, *rewrite.headers, *exchange.headers]:
        assert_hidden(value)
    agora_reply = imedit.response(200, {}, json.dumps({"access_token": APP_TOKEN, "expire_timestamp": (NOW + 7200) * 1000}))
    for source, answer in [
        (TokenSource.client_credentials(creds), reply),
        (TokenSource.agora_token(AGORA_TOKEN), agora_reply),
    ]:
        cache = TokenCache(settings, source, imedit.token_policy())
        fetch = cache.poll(NOW)
        assert isinstance(fetch, TokenAction.FETCH)
        cache.on_response(answer, NOW)
        use = cache.poll(NOW + 1)
        refresh = cache.poll(NOW + 7000)
        assert isinstance(use, TokenAction.USE) and isinstance(refresh, TokenAction.REFRESH)
        for value in [source, cache, fetch, use, refresh, cache.token(), answer]:
            assert_hidden(value)
    assert_hidden(EasemobClient(settings, creds))


def test_errors_hide_secrets() -> None:
    settings = Settings("https://a1.easemob.com", "org", "app")
    errors: list[ImeditError] = []
    attempts: list[Callable[[], object]] = [
        lambda: Credentials.with_session_token("AK", SECRET_KEY, SESSION_TOKEN + "\r\nX-Evil: 1"),
        lambda: imedit.build_rewrite_request(settings, AppToken(APP_TOKEN + "\n", 0), imedit.rewrite(1, msg="x")),
        lambda: imedit.build_agora_token_exchange_request(settings, AGORA_TOKEN + "\x00"),
        lambda: ClientCredentials("id", CLIENT_SECRET + " x"),
        lambda: Credentials("AK", ""),
    ]
    for bad in attempts:
        with pytest.raises(ImeditError) as caught:
            bad()
        errors.append(caught.value)
    # A vendor refusal after a signed call.
    reply = imedit.response(403, {}, '{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"AccessDenied"}}}')
    with pytest.raises(ImeditError) as caught:
        imedit.parse_modify_message_response(reply)
    errors.append(caught.value)
    for e in errors:
        assert_hidden(e)
        assert_hidden(e.describe())


def test_malformed_token_reply_hides_the_token() -> None:
    reply = imedit.response(200, {}, json.dumps({"access_token": APP_TOKEN, "expires_in": "soon"}))
    with pytest.raises(ImeditError) as caught:
        imedit.parse_token_response(reply, NOW, imedit.token_policy())
    assert_hidden(caught.value)


@pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "a\r\nX-Injected: 1"])
def test_cr_lf_nul_are_refused(bad: str) -> None:
    settings = Settings("https://a1.easemob.com", "org", "app")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("session_token", lambda: Credentials.with_session_token("AK", "SK", "tok" + bad)),
        ("access_key_id", lambda: Credentials("AK" + bad, "SK")),
        (
            "headers.X-Custom",
            lambda: imedit.sign(
                Credentials("AK", "SK"),
                imedit.signable_request("POST", "rtc.volcengineapi.com", headers={"X-Custom": "v" + bad}),
                SigningParams(region="cn-north-1", service="rtc", time=NOW, signed_headers=None),
            ),
        ),
        ("token", lambda: imedit.build_rewrite_request(settings, AppToken("tok" + bad, 0), imedit.rewrite(1, msg="x"))),
        ("agora_token", lambda: imedit.build_agora_token_exchange_request(settings, "tok" + bad)),
        ("client_id", lambda: ClientCredentials("id" + bad, "secret")),
        ("org_name", lambda: Settings("https://a1.easemob.com", "org" + bad, "app")),
    ]
    for field, build in cases:
        with pytest.raises(ImeditError.InvalidInput) as caught:
            build()
        assert caught.value.field == field
        assert caught.value.code() == "invalid_input"
        assert caught.value.retry_advice() == imedit.RetryAdvice.DO_NOT_RETRY
        assert caught.value.fault() == imedit.Fault.CALLER


IDS = [1, 2, 2**53 + 1, 2**63 - 1]


@pytest.mark.parametrize("ident", IDS)
def test_volcengine_ids_are_exact(ident: int) -> None:
    request = Signer(Credentials("AK", "SK")).modify_message_request(
        Endpoint(), imedit.modify_message(ident, ident, ident, ext={"k": "v"}), NOW
    )
    body = request.body_text()
    assert body is not None
    assert body.startswith(f'{{"AppId":{ident},"ConversationShortId":{ident},"MessageId":{ident},')
    assert imedit.parse_id("message_id", str(ident)) == ident
    assert type(imedit.parse_id("message_id", str(ident))) is int


@pytest.mark.parametrize("ident", [0] + IDS)
def test_easemob_ids_are_exact(ident: int) -> None:
    settings = Settings("https://a1.easemob.com", "org", "app")
    request = imedit.build_rewrite_request(settings, AppToken("tok", 0), imedit.rewrite(ident, msg="x"))
    assert request.url == f"https://a1.easemob.com/org/app/messages/rewrite/{ident}"
    assert imedit.parse_message_id(str(ident)) == ident
    outcome = imedit.parse_rewrite_response(
        imedit.response(200, {}, f'{{"data":"success","timestamp":{ident},"duration":{ident}}}')
    )
    assert outcome.timestamp == ident and outcome.duration == ident


def test_id_zero_and_out_of_range() -> None:
    with pytest.raises(ImeditError.InvalidInput) as caught:
        Signer(Credentials("AK", "SK")).modify_message_request(Endpoint(), imedit.modify_message(0, 1, 1, text="x"), NOW)
    assert caught.value.field == "app_id"
    with pytest.raises(ImeditError.InvalidInput):
        imedit.parse_id("message_id", str(2**63))
    with pytest.raises(ImeditError.InvalidInput):
        imedit.parse_message_id(str(2**63))
    # Beyond the signed 64-bit range, the binding refuses to convert (never wraps around).
    with pytest.raises((ValueError, OverflowError, TypeError)):
        Signer(Credentials("AK", "SK")).modify_message_request(Endpoint(), imedit.modify_message(2**63, 1, 1, text="x"), NOW)


def test_vendor_numbers_are_exact() -> None:
    big = 2**63 - 1
    reply = imedit.response(
        400, {}, json.dumps({"ResponseMetadata": {"RequestId": "r", "Error": {"Code": "InvalidParameter", "CodeN": big}}})
    )
    with pytest.raises(ImeditError.Api) as caught:
        imedit.parse_modify_message_response(reply)
    assert caught.value.vendor_code_n == big
