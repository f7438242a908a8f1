"""The shared end-to-end scenario (tests/e2e/scenario.json, format in tests/e2e/README.md), run
against a real `imedit emulator` process with the wheel's clients over urllib."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import imedit
from imedit import (
    ClientCredentials,
    Credentials,
    EasemobClient,
    Endpoint,
    Fault,
    ImeditError,
    RetryPolicy,
    RewriteMessage,
    Settings,
    UrllibTransport,
    VolcengineClient,
)

REPO = Path(__file__).resolve().parents[3]
Json = Any


def scenario_path() -> Path:
    return Path(os.environ.get("IMEDIT_E2E_SCENARIO") or REPO / "tests" / "e2e" / "scenario.json")


def emulator_binary() -> Path:
    """`$IMEDIT_BIN`, or `imedit` built with cargo into the target folder."""
    given = os.environ.get("IMEDIT_BIN")
    if given:
        return Path(given)
    subprocess.run(["cargo", "build", "--quiet", "-p", "imedit-cli", "--bins"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or "target")
    return (target if target.is_absolute() else REPO / target) / "debug" / "imedit"


class Emulator:
    """`imedit emulator --port 0 --seed <seed>`; the first stdout line is the base URL."""

    def __init__(self, binary: Path, seed: Path) -> None:
        self.process = subprocess.Popen(
            [str(binary), "emulator", "--port", "0", "--seed", str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline() if self.process.stdout else ""))
        reader.start()
        reader.join(30)
        if not line or not line[0].startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the emulator did not print its base URL within 30 s: {line!r}")
        self.base_url = line[0].strip()

    def stop(self) -> None:
        try:
            if hasattr(self, "base_url"):
                admin(self.base_url, "POST", "/_emulator/shutdown")
        except Exception:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_admin_transport = UrllibTransport(timeout=10)


def admin(base_url: str, method: str, path: str, body: Optional[Json] = None) -> tuple[int, Json]:
    headers = {"Accept": "application/json"}
    data = b""
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = imedit.HttpRequest(
        method=method,
        url=base_url + path,
        headers=[imedit.HttpHeader(name=k, value=v, sensitive=False) for k, v in headers.items()],
        body=data,
        body_sensitive=False,
    )
    reply = _admin_transport(request)
    try:
        parsed = json.loads(reply.body) if reply.body else None
    except ValueError:
        parsed = None
    return reply.status, parsed


def contains(expected: Json, actual: Json) -> bool:
    """Objects by key (order ignored, extra keys allowed), arrays element by element, scalars
    equal (numbers as numbers)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(contains(w, g) for w, g in zip(expected, actual))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return bool(expected == actual)


def rewrite_message(message_id: str, edit: Json) -> RewriteMessage:
    """A scenario `edit` (absent or null fields are not set)."""
    return imedit.rewrite(
        message_id,
        edit["type"],
        msg=edit.get("msg"),
        custom_event=edit.get("custom_event"),
        custom_exts=None if edit.get("custom_exts") is None else list(edit["custom_exts"].items()),
        new_ext=None if edit.get("new_ext") is None else list(edit["new_ext"].items()),
        replace_ext=edit.get("ext_mode") == "replace",
        user=edit.get("user"),
    )


def check_outcome(step_id: str, expect: Json, result: object) -> None:
    if expect.get("ok") is True:
        assert not isinstance(result, ImeditError), f"{step_id}: expected success, got {result!r}"
        return
    want = expect.get("error")
    assert want is not None, f"{step_id}: expect has neither ok nor error"
    assert isinstance(result, ImeditError), f"{step_id}: expected an error, got {result!r}"
    e = result
    if "code" in want:
        assert e.code() == want["code"], f"{step_id}: code of {e!r}"
    if "status" in want:
        assert e.http_status() == want["status"], f"{step_id}: status of {e!r}"
    if "retry" in want:
        assert e.retry_advice().as_str() == want["retry"], f"{step_id}: retry of {e!r}"
    if "vendor_code" in want:
        vendor_code = e.vendor_code if isinstance(e, ImeditError.Api) else None
        assert vendor_code == want["vendor_code"], f"{step_id}: vendor_code of {e!r}"
    if "local" in want:
        assert (e.fault() == Fault.CALLER) == want["local"], f"{step_id}: local of {e!r}"


def outcome(call: Any) -> object:
    try:
        return call()
    except ImeditError as e:
        return e


class Runner:
    def __init__(self, scenario: Json, base_url: str) -> None:
        self.scenario = scenario
        self.base_url = base_url
        policy = scenario["retry_policy"]
        retry = RetryPolicy(
            max_attempts=policy["max_attempts"], base_delay_ms=policy["base_delay_ms"], max_delay_ms=policy["max_delay_ms"]
        )
        e = scenario["easemob"]
        self.org, self.app = e["org_name"], e["app_name"]
        self.transport = UrllibTransport(timeout=10)
        self.easemob = EasemobClient(
            Settings.with_options(base_url, org_name=self.org, app_name=self.app, allow_http=True),
            ClientCredentials(e["client_id"], e["client_secret"]),
            policy=imedit.token_policy(ttl=e["token_ttl"]),
            transport=self.transport,
            retry_policy=retry,
        )
        v = scenario["volcengine"]
        self.volc = VolcengineClient(
            Credentials(v["access_key_id"], v["secret_access_key"]),
            endpoint=Endpoint(v["region"], base_url),
            transport=self.transport,
            retry_policy=retry,
        )

    def run(self, step: Json) -> None:
        step_id, op, expect = step["id"], step["op"], step.get("expect") or {}
        if op == "admin":
            status, reply = admin(self.base_url, step["method"], step["path"], step.get("body"))
            assert status == expect.get("status", 200), f"{step_id}: status {status}, reply {reply}"
            if "json" in expect:
                assert contains(expect["json"], reply), f"{step_id}: expected {expect['json']} within {reply}"
        elif op == "easemob.token":
            check_outcome(step_id, expect, outcome(self.easemob.app_token))
        elif op == "easemob.rewrite":
            result = outcome(lambda: self.easemob.rewrite(rewrite_message(step["message_id"], step["edit"])))
            check_outcome(step_id, expect, result)
        elif op == "easemob.burst":
            edit = rewrite_message(step["message_id"], step["edit"])
            token = self.easemob.app_token()
            ok, errors = 0, dict[str, int]()
            for _ in range(step["count"]):
                request = imedit.build_rewrite_request(self.easemob.settings, token, edit)
                try:
                    imedit.parse_rewrite_response(self.transport(request))
                    ok += 1
                except ImeditError as e:
                    errors[e.code()] = errors.get(e.code(), 0) + 1
            assert ok == expect["ok"], f"{step_id}: successes {ok} (errors {errors})"
            assert errors == expect["errors"], f"{step_id}: errors {errors}"
        elif op == "easemob.read_message":
            path = f"/_emulator/easemob/apps/{self.org}/{self.app}/messages/{step['message_id']}"
            self.check_message(step_id, path, expect)
        elif op == "volcengine.modify_message":
            p = step["params"]

            def modify() -> imedit.ResponseMetadata:
                edit = imedit.modify_message(
                    imedit.parse_id("app_id", p["app_id"]),
                    imedit.parse_id("conversation_short_id", p["conversation_short_id"]),
                    imedit.parse_id("message_id", p["message_id"]),
                    ext=None if p.get("ext") is None else list(p["ext"].items()),
                    content=p.get("content"),
                )
                return self.volc.send_modify_message(edit)

            check_outcome(step_id, expect, outcome(modify))
        elif op == "volcengine.read_message":
            path = f"/_emulator/volcengine/messages/{step['app_id']}/{step['conversation_short_id']}/{step['message_id']}"
            self.check_message(step_id, path, expect)
        else:
            raise AssertionError(f"{step_id}: unknown op {op!r}")

    def check_message(self, step_id: str, path: str, expect: Json) -> None:
        """`ext` exactly, key order included; every other field as a JSON value."""
        status, message = admin(self.base_url, "GET", path)
        assert status == 200, f"{step_id}: {path}: {message}"
        for field, want in expect.items():
            got = message.get(field)
            if field == "ext":
                assert list(got.items()) == list(want.items()), f"{step_id}: ext (key order matters): {got} != {want}"
            else:
                assert got == want, f"{step_id}: {field}: {got!r} != {want!r}"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[Json, str]]:
    path = scenario_path()
    scenario = json.loads(path.read_text(encoding="utf-8"))
    assert scenario.get("format") == 1, "unknown scenario format"
    process = Emulator(emulator_binary(), path.parent / scenario["seed"])
    try:
        yield scenario, process.base_url
    finally:
        process.stop()


def test_shared_scenario(emulator: tuple[Json, str], capsys: pytest.CaptureFixture[str]) -> None:
    scenario, base_url = emulator
    steps = scenario["steps"]
    assert steps, "the scenario has no steps"
    runner = Runner(scenario, base_url)
    counts: dict[str, int] = {}
    lines = []
    for step in steps:
        runner.run(step)
        counts[step["op"]] = counts.get(step["op"], 0) + 1
        lines.append(f"ok  {step['id']}")
    summary = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
    with capsys.disabled():
        print("\n" + "\n".join("  " + line for line in lines))
        print(f"  python e2e scenario: {len(steps)} steps passed ({summary})")

