"""The hand-written layer: Pythonic shortcuts, and the typed error declarations matching run time."""

from __future__ import annotations

import inspect

import pytest

import imedit
from imedit import ExtMode, ImeditError, MessageKind, RetryAdvice


def test_error_declarations_match_the_generated_classes() -> None:
    declared = {
        "InvalidInput": ["field", "reason"],
        "MessageNotEditable": ["message_type"],
        "BodyTooLarge": ["size", "limit"],
        "Api": [
            "vendor",
            "kind",
            "status",
            "vendor_code",
            "vendor_code_n",
            "exception",
            "vendor_message",
            "request_id",
            "timestamp",
            "duration",
            "retry",
        ],
        "MalformedResponse": ["vendor", "status", "reason", "excerpt", "retry"],
        "Transport": ["reason"],
    }
    for name, fields in declared.items():
        variant = getattr(ImeditError, name)
        assert issubclass(variant, ImeditError)
        assert list(inspect.signature(variant.__init__).parameters)[1:] == fields, name
        for method in ["code", "retry_advice", "fault", "http_status", "describe"]:
            assert callable(getattr(variant, method)), (name, method)


def test_every_code_is_listed() -> None:
    codes = imedit.error_codes()
    assert "invalid_input" in codes and "api_error" in codes and len(codes) == len(set(codes)) == 25
    assert all(kind.code() in codes for kind in imedit.ApiErrorKind)


def test_transport_error_constructor() -> None:
    e = imedit.transport_error("connection reset")
    assert isinstance(e, ImeditError.Transport)
    assert (e.code(), e.retry_advice(), e.fault()) == ("transport", RetryAdvice.RETRY, imedit.Fault.NETWORK)


def test_pythonic_shortcuts() -> None:
    assert imedit.merge_ext({"key1": "value1", "key2": "value2"}, {"key1": "new", "key3": "v3"}) == {
        "key1": "new",
        "key2": "value2",
        "key3": "v3",
    }
    assert imedit.merge_ext({"a": "1"}, [("b", "2")], ExtMode.REPLACE) == {"b": "2"}
    edit = imedit.rewrite("1235807318835202004", "custom", custom_event="ev", custom_exts={"k": "v"})
    assert edit.kind == MessageKind.CUSTOM and edit.custom_exts == [imedit.KeyValue(key="k", value="v")]
    assert imedit.rewrite(5, "img", new_ext={}, replace_ext=True).ext_mode == ExtMode.REPLACE
    assert MessageKind.LOCATION.as_str() == "loc"
    assert imedit.Cluster.EASEMOB_A1.base_url() == "https://a1.easemob.com"
    reply = imedit.response(200, {"X-Request-Id": "abc"}, "body")
    assert reply.body == b"body" and reply.headers[0].name == "X-Request-Id"
    m = imedit.modify_message(1, 2, 3, ext=[("a", "b")], text='say "hi"')
    assert m.content == '{"text":"say \\"hi\\""}' and imedit.to_dict(m.ext) == {"a": "b"}
    assert imedit.rtc_host("ap-singapore-1") == "open-ap-singapore-1.volcengineapi.com"
    assert imedit.x_date(1_717_245_296) == "20240601T123456Z"
    assert imedit.canonical_query(imedit.key_values([("b", "2"), ("a", "x y")])) == "a=x%20y&b=2"
    klass = imedit.classify_volcengine_error("FlowLimitExceeded.QPSOverLimit")
    assert klass.kind == imedit.ApiErrorKind.RATE_LIMITED and klass.retry == RetryAdvice.RETRY


def test_retry_planner_and_rate_limiter() -> None:
    planner = imedit.RetryPlanner(imedit.RetryPolicy())
    reset = imedit.transport_error("reset")
    assert planner.on_error(reset, 0.5) == imedit.RetryDecision.RETRY(delay_ms=100)
    assert planner.on_error(reset, 0.5) == imedit.RetryDecision.RETRY(delay_ms=200)
    assert isinstance(planner.on_error(reset, 0.5), imedit.RetryDecision.GIVE_UP)
    assert planner.attempts() == 3
    limiter = imedit.RateLimiter(50, 1)
    assert limiter.acquire(1_000) == 0
    assert limiter.acquire(1_000) == 20
    restored = imedit.RateLimiter.restore(50, 1, limiter.state())
    assert restored.acquire(1_020) == 0


def test_objects_are_thread_safe_to_share() -> None:
    import threading

    limiter = imedit.RateLimiter(1_000_000, 1_000_000)
    granted: list[int] = []

    def work() -> None:
        for _ in range(1000):
            granted.append(limiter.acquire(0))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(0) == 4000


def test_fast_conversion_is_active_and_equivalent() -> None:
    import os
    import subprocess
    import sys

    import imedit._fast

    assert imedit._fast.ACTIVE
    signer = imedit.Signer(imedit.Credentials("AK", "SK"))
    generated = getattr(imedit.Signer, "_generated_modify_message_request")
    endpoint = imedit.Endpoint("cn-north-1", "http://127.0.0.1:8080")
    for edit in [
        imedit.modify_message(1, 2**53 + 1, 2**63 - 1, ext={"中文": "é\u0000", "k": ""}, content='{"a":1}'),
        imedit.modify_message(5, 6, 7, ext=[("x", "y")]),
    ]:
        assert signer.modify_message_request(endpoint, edit, 1_717_245_296) == generated(signer, endpoint, edit, 1_717_245_296)
    paths = [signer.modify_message_request, lambda *a: generated(signer, *a)]
    for path in paths:
        with pytest.raises((ValueError, OverflowError, TypeError)):
            path(endpoint, imedit.modify_message(2**63, 1, 1, text="x"), 1)
        for bad in [
            imedit.ModifyMessage(app_id=1, conversation_short_id=1, message_id=1, ext=[], content=None),
            imedit.modify_message(-1, 1, 1, text="x"),
        ]:
            with pytest.raises(ImeditError.InvalidInput):
                path(endpoint, bad, 1)
    env = dict(os.environ, IMEDIT_PYTHON_FAST="0")
    out = subprocess.run(
        [sys.executable, "-c", "import imedit._fast as f; print(f.ACTIVE)"], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False", out
