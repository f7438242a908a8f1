"""The clients against a local HTTP server with scripted replies, through urllib."""

from __future__ import annotations

import hashlib
import json
import socket
from typing import Iterator

import pytest
from server import GATEWAY_502, FakeTime, Received, Reply, ScriptedServer

import imedit
from imedit import (
    ApiErrorKind,
    ClientCredentials,
    Credentials,
    EasemobClient,
    Endpoint,
    HttpRequest,
    HttpResponse,
    ImeditError,
    RateLimiter,
    RetryAdvice,
    RetryPolicy,
    Settings,
    UrllibTransport,
    VolcengineClient,
)

MAX_ID = 2**63 - 1


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer().start()
    yield s
    s.stop()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def half() -> float:
    return 0.5


# ---- Volcengine -------------------------------------------------------------------------------

VOLC_OK = Reply(
    200,
    {
        "ResponseMetadata": {
            "RequestId": "20240601123456ABCDEF",
            "Action": "ModifyMessage",
            "Version": "2020-12-01",
            "Service": "rtc",
            "Region": "cn-north-1",
        },
        "Result": {},
    },
)
VOLC_429 = Reply(
    429,
    {
        "ResponseMetadata": {
            "RequestId": "20240601123456THROTTLED",
            "Action": "ModifyMessage",
            "Version": "2020-12-01",
            "Service": "rtc",
            "Region": "cn-north-1",
            "Error": {"CodeN": 10004, "Code": "FlowLimitExceeded", "Message": "too many requests"},
        }
    },
)


def volc_client(server: ScriptedServer, t: FakeTime) -> VolcengineClient:
    return VolcengineClient(
        Credentials("AKLTexample", "c2VjcmV0"),
        endpoint=Endpoint("cn-north-1", server.origin),
        rate_limiter=RateLimiter(1000, 100),  # pacing is tested on its own
        clock=t.clock,
        sleep=t.sleep,
        random=half,
    )


def test_volcengine_success(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(VOLC_OK)
    meta = volc_client(server, fake_time).modify_message(123456, 7123456789012345678, MAX_ID, ext={"k": "v"}, text="hi")
    assert meta.request_id == "20240601123456ABCDEF"
    assert meta.action == "ModifyMessage"
    [got] = server.received
    assert got.method == "POST"
    assert got.path == "/?Action=ModifyMessage&Version=2020-12-01"
    assert got.body == (
        b'{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":9223372036854775807,'
        b'"Ext":{"k":"v"},"Content":"{\\"text\\":\\"hi\\"}"}'
    )
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["x-date"] == "20240601T123456Z"
    assert headers["x-content-sha256"] == hashlib.sha256(got.body).hexdigest()
    assert headers["authorization"].startswith(
        "HMAC-SHA256 Credential=AKLTexample/20240601/cn-north-1/rtc/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, Signature="
    )
    assert fake_time.sleeps == []


def test_volcengine_signature_matches_the_core(server: ScriptedServer, fake_time: FakeTime) -> None:
    """What went over the wire is exactly what the core built."""
    server.script(VOLC_OK)
    client = volc_client(server, fake_time)
    client.modify_message(1, 2, 3, text="x")
    edit = imedit.modify_message(1, 2, 3, text="x")
    built = client.signer.modify_message_request(client.endpoint, edit, int(fake_time.now))
    [got] = server.received
    headers = {k.lower(): v for k, v in got.headers.items()}
    for h in built.headers:
        assert headers[h.name.lower()] == h.value
    assert got.body == built.body


def test_volcengine_429_then_success(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(VOLC_429, VOLC_OK)
    meta = volc_client(server, fake_time).modify_message(1, 2, 3, ext={"a": "b"})
    assert meta.request_id == "20240601123456ABCDEF"
    assert len(server.received) == 2
    assert fake_time.sleeps == [0.1]  # 0.5 × 200 ms, from the core's planner
    assert server.received[0].body == server.received[1].body


def test_volcengine_gateway_html_502(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(GATEWAY_502, GATEWAY_502, GATEWAY_502)
    with pytest.raises(ImeditError.MalformedResponse) as caught:
        volc_client(server, fake_time).modify_message(1, 2, 3, text="x")
    e = caught.value
    assert e.code() == "malformed_response"
    assert e.status == 502 and e.retry == RetryAdvice.RETRY
    assert "502 Bad Gateway" in e.excerpt
    assert len(server.received) == 3  # the policy's 3 attempts
    assert fake_time.sleeps == [0.1, 0.2]


def test_volcengine_refusal_is_not_retried(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(
        Reply(
            403,
            {"ResponseMetadata": {"RequestId": "r", "Error": {"Code": "AccessDenied", "Message": "no"}}},
        )
    )
    with pytest.raises(ImeditError.Api) as caught:
        volc_client(server, fake_time).modify_message(1, 2, 3, text="x")
    assert caught.value.kind == ApiErrorKind.PERMISSION_DENIED
    assert caught.value.request_id == "r"
    assert len(server.received) == 1


def test_volcengine_any_action(server: ScriptedServer, fake_time: FakeTime) -> None:
    result = {"Rooms": [{"RoomId": "r1", "Big": 9007199254740993}]}
    server.script(Reply(200, json.dumps({"ResponseMetadata": {"RequestId": "q"}, "Result": result})))
    reply = volc_client(server, fake_time).call(
        "ListRooms", "2020-12-01", method="GET", query={"Keyword": "a b*c"}, content_type=None
    )
    assert reply.metadata.request_id == "q"
    assert reply.result is not None and json.loads(reply.result) == result
    assert '"Big": 9007199254740993' in reply.result
    [got] = server.received
    assert got.method == "GET"
    assert got.path == "/?Action=ListRooms&Keyword=a%20b%2Ac&Version=2020-12-01"


# ---- Easemob ----------------------------------------------------------------------------------


def token_reply(token: str, expires_in: int = 7200) -> Reply:
    return Reply(200, {"access_token": token, "expires_in": expires_in, "application": "8be024f0-e978-11e8-b697"})


REWRITE_OK = Reply(
    200,
    {
        "path": "/messages/rewrite/1235807318835202004",
        "uri": "https://a1.easemob.com/org/app/messages/rewrite/1235807318835202004",
        "timestamp": 1705372388118,
        "organization": "org",
        "application": "8be024f0-e978-11e8-b697",
        "applicationName": "app",
        "action": "put",
        "data": "success",
        "duration": 3,
    },
)
TOKEN_EXPIRED = Reply(
    401,
    {
        "error": "unauthorized",
        "exception": "UnauthorizedException",
        "timestamp": 1705372388118,
        "duration": 0,
        "error_description": "Unable to authenticate (OAuth)",
    },
)
NOT_YOURS = Reply(
    401,
    {
        "error": "message_rewrite_error",
        "exception": "com.easemob.im.common.exception.EasemobSecurityException",
        "timestamp": 1705372388118,
        "duration": 0,
        "error_description": "You are not authorized to edit this message",
    },
)
TOO_MANY = Reply(
    429,
    {
        "error": "reach_limit",
        "exception": "EasemobTooManyRequestsException",
        "timestamp": 1705372388118,
        "duration": 0,
        "error_description": "This request has reached api limit",
    },
)


def easemob_client(server: ScriptedServer, t: FakeTime) -> EasemobClient:
    settings = Settings.with_options(server.origin, org_name="org", app_name="app", allow_http=True)
    return EasemobClient(
        settings,
        ClientCredentials("YXA6clientid", "YXA6clientsecret"),
        rate_limiter=RateLimiter(1000, 100),  # pacing is tested on its own
        token_rate_limiter=RateLimiter(1000, 100),
        clock=t.clock,
        sleep=t.sleep,
        random=half,
    )


def bearer(r: Received) -> str:
    return {k.lower(): v for k, v in r.headers.items()}["authorization"]


def test_easemob_success_and_token_reuse(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-token-A"), REWRITE_OK, REWRITE_OK)
    client = easemob_client(server, fake_time)
    outcome = client.rewrite_text(1235807318835202004, "edited", new_ext={"key1": "value1"})
    assert outcome.action == "put" and outcome.duration == 3 and outcome.timestamp == 1705372388118
    client.rewrite_text(MAX_ID, "again")
    token, first, second = server.received
    assert (token.method, token.path) == ("POST", "/org/app/token")
    assert token.json() == {
        "grant_type": "client_credentials",
        "client_id": "YXA6clientid",
        "client_secret": "YXA6clientsecret",
    }
    assert (first.method, first.path) == ("PUT", "/org/app/messages/rewrite/1235807318835202004")
    assert first.json() == {"new_msg": {"type": "txt", "msg": "edited"}, "new_ext": {"key1": "value1"}}
    assert bearer(first) == bearer(second) == "Bearer YWMt-token-A"
    assert second.path == f"/org/app/messages/rewrite/{MAX_ID}"


def test_easemob_token_error_refreshes_once(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-token-A"), TOKEN_EXPIRED, token_reply("YWMt-token-B"), REWRITE_OK)
    client = easemob_client(server, fake_time)
    assert client.rewrite_text(1, "x").action == "put"
    paths = [(r.method, r.path) for r in server.received]
    assert paths == [
        ("POST", "/org/app/token"),
        ("PUT", "/org/app/messages/rewrite/1"),
        ("POST", "/org/app/token"),
        ("PUT", "/org/app/messages/rewrite/1"),
    ]
    assert bearer(server.received[1]) == "Bearer YWMt-token-A"
    assert bearer(server.received[3]) == "Bearer YWMt-token-B"
    assert fake_time.sleeps == []
    cached = client.token_cache.token()
    assert cached is not None and cached.value() == "YWMt-token-B"


def test_easemob_second_token_error_gives_up(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A"), TOKEN_EXPIRED, token_reply("YWMt-B"), TOKEN_EXPIRED)
    with pytest.raises(ImeditError.Api) as caught:
        easemob_client(server, fake_time).rewrite_text(1, "x")
    assert caught.value.kind == ApiErrorKind.TOKEN_INVALID
    assert caught.value.retry_advice() == RetryAdvice.REFRESH_TOKEN
    assert len(server.received) == 4


def test_easemob_429_then_success(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A"), TOO_MANY, REWRITE_OK)
    assert easemob_client(server, fake_time).rewrite_text(1, "x").action == "put"
    assert [r.method for r in server.received] == ["POST", "PUT", "PUT"]
    assert fake_time.sleeps == [0.1]


def test_easemob_permission_401_does_not_refresh(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A"), NOT_YOURS)
    client = easemob_client(server, fake_time)
    with pytest.raises(ImeditError.Api) as caught:
        client.rewrite_text(1, "x")
    e = caught.value
    assert e.kind == ApiErrorKind.PERMISSION_DENIED
    assert e.code() == "permission_denied" and e.retry == RetryAdvice.DO_NOT_RETRY
    assert e.status == 401 and e.vendor_code == "message_rewrite_error"
    assert e.vendor_message == "You are not authorized to edit this message"
    assert [r.method for r in server.received] == ["POST", "PUT"]
    cached = client.token_cache.token()
    assert cached is not None and cached.value() == "YWMt-A"  # the token was not dropped


def test_easemob_gateway_html_502(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A"), GATEWAY_502, REWRITE_OK)
    assert easemob_client(server, fake_time).rewrite_text(1, "x").action == "put"
    assert fake_time.sleeps == [0.1]
    server.script(GATEWAY_502, GATEWAY_502, GATEWAY_502)
    with pytest.raises(ImeditError.MalformedResponse) as caught:
        easemob_client(server, fake_time).rewrite_text(1, "x")
    assert caught.value.status == 502 and caught.value.retry_advice() == RetryAdvice.RETRY


def test_easemob_refreshes_ahead_of_expiry(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A", expires_in=600), REWRITE_OK, token_reply("YWMt-B"), REWRITE_OK)
    client = easemob_client(server, fake_time)
    client.rewrite_text(1, "x")
    fake_time.now += 301  # past half the lifetime
    client.rewrite_text(1, "y")
    assert [r.method for r in server.received] == ["POST", "PUT", "POST", "PUT"]
    assert bearer(server.received[3]) == "Bearer YWMt-B"


def test_bad_credentials_are_not_retried(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(
        Reply(400, {"error": "invalid_grant", "error_description": "client_id does not exist"}),
    )
    with pytest.raises(ImeditError.Api) as caught:
        easemob_client(server, fake_time).rewrite_text(1, "x")
    assert caught.value.kind == ApiErrorKind.INVALID_CREDENTIALS
    assert len(server.received) == 1


def test_default_rate_limit_paces_calls(server: ScriptedServer, fake_time: FakeTime) -> None:
    server.script(token_reply("YWMt-A"), REWRITE_OK, REWRITE_OK, REWRITE_OK)
    settings = Settings.with_options(server.origin, org_name="org", app_name="app", allow_http=True)
    client = EasemobClient(
        settings, ClientCredentials("id", "secret"), clock=fake_time.clock, sleep=fake_time.sleep, random=half
    )
    for _ in range(3):
        client.rewrite_text(1, "x")
    assert fake_time.sleeps == [0.01, 0.01]  # 100 calls/s per App Key, from the core's limiter


# ---- transports -------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_transport_failure_is_retried_then_raised(fake_time: FakeTime) -> None:
    client = VolcengineClient(
        Credentials("AK", "SK"),
        endpoint=Endpoint("cn-north-1", f"http://127.0.0.1:{closed_port()}"),
        transport=UrllibTransport(timeout=2),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        random=half,
    )
    with pytest.raises(ImeditError.Transport) as caught:
        client.modify_message(1, 2, 3, text="x")
    assert caught.value.code() == "transport"
    assert fake_time.sleeps == [0.1, 0.2]


def test_injected_transport(fake_time: FakeTime) -> None:
    """Any callable is a transport: here a fake; in real code a two-line requests/httpx adapter."""
    sent: list[HttpRequest] = []

    def transport(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        if len(sent) == 1:
            raise ConnectionResetError("reset by peer")  # an OSError becomes a transport error
        return imedit.response(200, {"Content-Type": "application/json"}, VOLC_OK.bytes())

    client = VolcengineClient(
        Credentials("AK", "SK"),
        transport=transport,
        retry_policy=RetryPolicy(max_attempts=2, base_delay_ms=50, max_delay_ms=50),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        random=half,
    )
    assert client.modify_message(1, 2, 3, text="x").request_id == "20240601123456ABCDEF"
    assert len(sent) == 2 and sent[0].url == "https://rtc.volcengineapi.com/?Action=ModifyMessage&Version=2020-12-01"
    assert imedit.header_dict(sent[0])["Content-Type"] == "application/json"
    assert fake_time.sleeps == [0.025]


def test_send_function(server: ScriptedServer) -> None:
    """`imedit.send` sends a built request and returns what the parser takes."""
    server.script(REWRITE_OK)
    settings = Settings.with_options(server.origin, app_key="org#app", allow_http=True)
    request = imedit.build_rewrite_request(settings, imedit.AppToken("YWMt-X", 0), imedit.rewrite("42", msg="m"))
    reply = imedit.send(request, timeout=5)
    assert reply.status == 200
    assert imedit.parse_rewrite_response(reply).application_name == "app"
    assert server.received[0].path == "/org/app/messages/rewrite/42"
